/**
 * Supervisor reports through `Effect.log*` (levels from core's `Reports`, overridden by a
 * supervisor's `reports` option): a child that ended abnormally, a restart, a failed start, a
 * give-up, an auto-shutdown. Only the supervisor an event is about reports it (its ancestors
 * relay the event, not the report). Each line runs in a fiber of its own with the services the
 * supervisor was started with and annotations of its own (`arbor.supervisor`, `arbor.child`,
 * `arbor.incarnation`, `arbor.exit`).
 *
 * @internal
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as References from "effect/References"
import { ExitReason, type Reports } from "@arbor/core"
import type { SupervisionEvent } from "../SupervisionEvent.ts"

const name = (label: string | undefined, path: ReadonlyArray<string>): string =>
  label !== undefined ? `supervisor "${label}"` : path.length === 0 ? "the root supervisor" : `supervisor ${path.join("/")}`

const log = (
  services: Context.Context<never>,
  level: Reports.Level,
  annotations: Record<string, unknown>,
  ...message: ReadonlyArray<unknown>
): void => {
  if (level === false) return
  Effect.runForkWith(services)(
    Effect.provideService(Effect.logWithLevel(level)(...message), References.CurrentLogAnnotations, annotations)
  )
}

/** Prints the report of one of the supervisor's own events, at the level its `reports` give. */
export const report = (
  services: Context.Context<never>,
  levels: Reports.ReportLevels,
  label: string | undefined,
  event: SupervisionEvent
): void => {
  const sup = name(label, event.supervisor)
  const base = { "arbor.supervisor": event.supervisor.join("/"), ...(label !== undefined ? { "arbor.supervisor.label": label } : {}) }
  switch (event._tag) {
    case "ChildExited": {
      if (!ExitReason.isAbnormal(event.reason)) return
      const child = [...event.supervisor, event.child].join("/")
      const text = ExitReason.format(event.reason)
      const annotations = { ...base, "arbor.child": child, "arbor.incarnation": event.incarnation, "arbor.exit": text }
      const message = `supervisor report: child ${child} (incarnation ${event.incarnation}) of ${sup} terminated: ${text}`
      if (event.reason._tag === "Failure") log(services, levels.childTerminated, annotations, message, event.reason.cause)
      else log(services, levels.childTerminated, annotations, message)
      return
    }
    case "ChildStarted": {
      if (!event.restart) return
      const child = [...event.supervisor, event.child].join("/")
      log(
        services,
        levels.restart,
        { ...base, "arbor.child": child, "arbor.incarnation": event.incarnation },
        `supervisor report: ${sup} restarted child ${child} (incarnation ${event.incarnation})`
      )
      return
    }
    case "ChildStartFailed": {
      const child = [...event.supervisor, event.child].join("/")
      log(
        services,
        levels.startFailed,
        { ...base, "arbor.child": child, "arbor.incarnation": event.incarnation },
        `supervisor report: ${sup} could not start child ${child} (incarnation ${event.incarnation})`,
        event.cause
      )
      return
    }
    case "RestartIntensityExceeded":
      log(
        services,
        levels.giveUp,
        { ...base, "arbor.intensity": event.intensity, "arbor.periodMillis": event.periodMillis },
        `supervisor report: ${sup} gave up: more than ${event.intensity === 1 ? "1 restart" : `${event.intensity} restarts`} in ${event.periodMillis} ms; ` +
          "it stops its children and exits (shutdown), escalating to its parent"
      )
      return
    case "AutoShutdown":
      log(
        services,
        levels.autoShutdown,
        { ...base, "arbor.child": [...event.supervisor, event.child].join("/") },
        `supervisor report: ${sup} shuts down: its significant child ${event.child} exited (auto-shutdown)`
      )
      return
    default:
      return
  }
}
