/**
 * Supervisor reports through `Effect.log*` (levels from core's `Reports`, overridden by a
 * supervisor's `reports` option): a child that ended abnormally, a restart, a failed start, a
 * give-up, an auto-shutdown. Only the supervisor an event is about reports it (its ancestors
 * relay the event, not the report). Each line runs in a fiber of its own with the services the
 * supervisor was started with and annotations of its own (`arbor.supervisor`, `arbor.child`,
 * `arbor.incarnation`, `arbor.exit`). A report that no logger would print (its level is `false`,
 * below the `MinimumLogLevel`, or no logger is installed) is neither formatted nor forked.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as LogLevel from "effect/LogLevel"
import * as References from "effect/References"
import { ExitReason, type Reports } from "@arbor/core"
import type { SupervisionEvent } from "../SupervisionEvent.ts"

const name = (label: string | undefined, path: ReadonlyArray<string>): string =>
  label !== undefined ? `supervisor "${label}"` : path.length === 0 ? "the root supervisor" : `supervisor ${path.join("/")}`

/**
 * `true` when a line at `level` would reach a logger with these services: the level is not
 * `false`, not below the services' `MinimumLogLevel`, and a logger is installed — the checks
 * `Effect.logWithLevel` makes, made first so that a report nobody will see costs no fiber and
 * no text.
 */
const enabled = (services: Context.Context<never>, level: Reports.Level): level is LogLevel.Severity =>
  level !== false &&
  !LogLevel.isGreaterThan(Context.get(services, References.MinimumLogLevel), level) &&
  Context.get(services, References.CurrentLoggers).size > 0

const log = (
  services: Context.Context<never>,
  level: LogLevel.Severity,
  annotations: Record<string, unknown>,
  ...message: ReadonlyArray<unknown>
): void => {
  Effect.runForkWith(services)(
    Effect.provideService(Effect.logWithLevel(level)(...message), References.CurrentLogAnnotations, annotations)
  )
}

/** The annotations every report of the supervisor carries. */
const base = (label: string | undefined, event: SupervisionEvent): Record<string, unknown> => ({
  "arbor.supervisor": event.supervisor.join("/"),
  ...(label !== undefined ? { "arbor.supervisor.label": label } : {})
})

/**
 * Prints the report of one of the supervisor's own events, at the level its `reports` give.
 * Nothing is formatted unless the line will be logged (see {@link enabled}).
 */
export const report = (
  services: Context.Context<never>,
  levels: Reports.ReportLevels,
  label: string | undefined,
  event: SupervisionEvent
): void => {
  switch (event._tag) {
    case "ChildExited": {
      const level = levels.childTerminated
      if (!enabled(services, level) || !ExitReason.isAbnormal(event.reason)) return
      const sup = name(label, event.supervisor)
      const child = [...event.supervisor, event.child].join("/")
      const text = ExitReason.format(event.reason)
      const annotations = { ...base(label, event), "arbor.child": child, "arbor.incarnation": event.incarnation, "arbor.exit": text }
      const message = `supervisor report: child ${child} (incarnation ${event.incarnation}) of ${sup} terminated: ${text}`
      if (event.reason._tag === "Failure") log(services, level, annotations, message, event.reason.cause)
      else log(services, level, annotations, message)
      return
    }
    case "ChildStarted": {
      const level = levels.restart
      if (!event.restart || !enabled(services, level)) return
      const child = [...event.supervisor, event.child].join("/")
      log(
        services,
        level,
        { ...base(label, event), "arbor.child": child, "arbor.incarnation": event.incarnation },
        `supervisor report: ${name(label, event.supervisor)} restarted child ${child} (incarnation ${event.incarnation})`
      )
      return
    }
    case "ChildStartFailed": {
      const level = levels.startFailed
      if (!enabled(services, level)) return
      const child = [...event.supervisor, event.child].join("/")
      log(
        services,
        level,
        { ...base(label, event), "arbor.child": child, "arbor.incarnation": event.incarnation },
        `supervisor report: ${name(label, event.supervisor)} could not start child ${child} (incarnation ${event.incarnation})`,
        event.cause
      )
      return
    }
    case "RestartIntensityExceeded": {
      const level = levels.giveUp
      if (!enabled(services, level)) return
      log(
        services,
        level,
        { ...base(label, event), "arbor.intensity": event.intensity, "arbor.periodMillis": event.periodMillis },
        `supervisor report: ${name(label, event.supervisor)} gave up: more than ${event.intensity === 1 ? "1 restart" : `${event.intensity} restarts`} in ${event.periodMillis} ms; ` +
          "it stops its children and exits (shutdown), escalating to its parent"
      )
      return
    }
    case "AutoShutdown": {
      const level = levels.autoShutdown
      if (!enabled(services, level)) return
      log(
        services,
        level,
        { ...base(label, event), "arbor.child": [...event.supervisor, event.child].join("/") },
        `supervisor report: ${name(label, event.supervisor)} shuts down: its significant child ${event.child} exited (auto-shutdown)`
      )
      return
    }
    default:
      return
  }
}
