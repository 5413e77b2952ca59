/**
 * Machinery shared by `Supervisor` and `DynamicSupervisor`: running a child's start effect,
 * observing its exit, stopping it per its shutdown spec, restart intensity, backoff, and the
 * event relay that lets a nested supervisor report through its ancestors.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as PubSub from "effect/PubSub"
import * as Schedule from "effect/Schedule"
import { ActorRef, ExitReason } from "@arbor/core"
import type { ValidChild } from "../Child.ts"
import { isIgnore } from "../Child.ts"
import type { SupervisionEvent } from "../SupervisionEvent.ts"
import { RestartWindow } from "./intensity.ts"

/** Where a nested supervisor reports: its path below the root and its parent's emitter. */
export interface Relay {
  readonly path: ReadonlyArray<string>
  readonly emit: (event: SupervisionEvent) => void
}

/** Provided by a supervisor around each child's start, so nested supervisors find their parent. */
export const ParentRelay = Context.Reference<Relay | undefined>("@arbor/supervisor/ParentRelay", {
  defaultValue: () => undefined
})

/** Marks references that are Arbor supervisors (identity only; no state is shared). */
export const supervisorRefs = new WeakSet<object>()

export type ChildStatus = "running" | "restarting" | "not_running"

/** A child as the supervisor tracks it. */
export interface ChildRecord {
  readonly spec: ValidChild
  /** Dynamic children: the per-child arguments. */
  readonly args: ReadonlyArray<unknown> | undefined
  ref: ActorRef.ActorRef<any> | undefined
  status: ChildStatus
  incarnation: number
  startedAt: number
  retryToken: number
  backoff: ((now: number, input: unknown) => Effect.Effect<[unknown, Duration.Duration], unknown>) | undefined
}

export const makeRecord = (spec: ValidChild, args?: ReadonlyArray<unknown>): ChildRecord => ({
  spec,
  args,
  ref: undefined,
  status: "not_running",
  incarnation: 0,
  startedAt: 0,
  retryToken: 0,
  backoff: undefined
})

/** The message a supervisor sends itself when one of its children ends. */
export interface ChildExitedMsg {
  readonly _tag: "ChildExited"
  readonly ref: ActorRef.ActorRef<any>
  readonly reason: ExitReason.ExitReason
}

export type StartOutcome =
  | { readonly _tag: "Started"; readonly ref: ActorRef.ActorRef<any> }
  | { readonly _tag: "Ignored" }
  | { readonly _tag: "Failed"; readonly cause: Cause.Cause<unknown> }

export interface EngineConfig {
  readonly label: string | undefined
  readonly path: ReadonlyArray<string>
  readonly intensity: number
  readonly periodMillis: number
  readonly restartDelay: Schedule.Schedule<Duration.Input, unknown, never, never> | undefined
  readonly onEvent: ((event: SupervisionEvent) => void) | undefined
  readonly parent: Relay | undefined
}

/** The state every supervisor keeps besides its children. */
export class Engine {
  readonly window: RestartWindow
  readonly hub: PubSub.PubSub<SupervisionEvent>
  self!: ActorRef.ActorRef<ChildExitedMsg>

  constructor(readonly config: EngineConfig, hub: PubSub.PubSub<SupervisionEvent>) {
    this.window = new RestartWindow(config.intensity, config.periodMillis)
    this.hub = hub
  }

  get path(): ReadonlyArray<string> {
    return this.config.path
  }

  emit = (event: SupervisionEvent): void => {
    try {
      this.config.onEvent?.(event)
    } catch {
      // an observer must not break supervision
    }
    PubSub.publishUnsafe(this.hub, event)
    this.config.parent?.emit(event)
  }

  /** Runs a child's start; on success watches the child so its exit reaches this supervisor. */
  start(rec: ChildRecord, restart: boolean): Effect.Effect<StartOutcome> {
    return Effect.gen({ self: this }, function*(this: Engine) {
      rec.incarnation++
      const incarnation = rec.incarnation
      const relay: Relay = { path: [...this.path, rec.spec.id], emit: this.emit }
      const start = rec.spec.start as Effect.Effect<unknown, unknown, never>
      const exit = yield* Effect.exit(Effect.provideService(start, ParentRelay, relay))
      if (Exit.isFailure(exit)) {
        rec.ref = undefined
        this.emit({ _tag: "ChildStartFailed", supervisor: this.path, child: rec.spec.id, incarnation, cause: exit.cause })
        return { _tag: "Failed", cause: exit.cause } as const
      }
      const value = exit.value
      if (isIgnore(value) || !ActorRef.isActorRef(value)) {
        rec.ref = undefined
        rec.status = "not_running"
        this.emit({ _tag: "ChildStartIgnored", supervisor: this.path, child: rec.spec.id, incarnation })
        return { _tag: "Ignored" } as const
      }
      const ref = value as ActorRef.ActorRef<any>
      rec.ref = ref
      rec.status = "running"
      rec.startedAt = yield* Clock.currentTimeMillis
      const self = this.self
      ActorRef.onExit(ref, (reason) => {
        this.emit({ _tag: "ChildExited", supervisor: this.path, child: rec.spec.id, ref, incarnation, reason })
        ActorRef.tellUnsafe(self, { _tag: "ChildExited", ref, reason })
      })
      this.emit({ _tag: "ChildStarted", supervisor: this.path, child: rec.spec.id, ref, incarnation, restart })
      return { _tag: "Started", ref } as const
    })
  }

  /** Stops a running child per its shutdown spec and waits until it has ended. */
  stop(rec: ChildRecord): Effect.Effect<void> {
    return Effect.suspend(() => {
      const ref = rec.ref
      rec.ref = undefined
      rec.status = "not_running"
      rec.retryToken++
      if (ref === undefined) return Effect.void
      return Effect.asVoid(ActorRef.shutdown(ref, rec.spec.shutdown, ExitReason.shutdown()))
    })
  }

  /** Records one restart; `false` when it exceeds the intensity. */
  addRestart(): Effect.Effect<boolean> {
    return Effect.map(Clock.currentTimeMillis, (now) => this.window.add(now))
  }

  intensityExceeded(): void {
    this.emit({
      _tag: "RestartIntensityExceeded",
      supervisor: this.path,
      intensity: this.config.intensity,
      periodMillis: this.config.periodMillis
    })
  }

  /**
   * The backoff delay before restarting `rec`, from the supervisor's `restartDelay` schedule
   * (zero without one). The schedule starts over once an incarnation has run for a whole
   * intensity period.
   */
  restartDelay(rec: ChildRecord): Effect.Effect<number> {
    const schedule = this.config.restartDelay
    if (schedule === undefined) return Effect.succeed(0)
    return Effect.gen({ self: this }, function*(this: Engine) {
      const now = yield* Clock.currentTimeMillis
      if (rec.backoff === undefined || now - rec.startedAt >= this.config.periodMillis) {
        rec.backoff = (yield* Schedule.toStep(schedule)) as ChildRecord["backoff"]
      }
      const step = yield* Effect.exit(rec.backoff!(now, undefined))
      if (Exit.isFailure(step)) return 0 // the schedule is exhausted: restart at once
      const output = step.value[0] as Duration.Input
      const fromOutput = Duration.fromInput(output)
      const delay = fromOutput._tag === "Some" ? fromOutput.value : step.value[1]
      return Math.max(0, Duration.toMillis(delay))
    })
  }

  /** Sends `msg` to this supervisor after `millis` (read from the `Clock`), unless it ends first. */
  later(millis: number, msg: unknown): Effect.Effect<void, never, any> {
    const self = this.self as ActorRef.ActorRef<unknown>
    return Effect.asVoid(
      Effect.forkScoped(Effect.andThen(Effect.sleep(millis), Effect.sync(() => ActorRef.tellUnsafe(self, msg))))
    )
  }

  restartsInWindow(): Effect.Effect<number> {
    return Effect.map(Clock.currentTimeMillis, (now) => this.window.count(now))
  }
}

/** `true` when a child with this restart type must be restarted after exiting with `reason`. */
export const needsRestart = (restart: ValidChild["restart"], reason: ExitReason.ExitReason): boolean =>
  restart === "permanent" || (restart === "transient" && ExitReason.isAbnormal(reason))

/** Validates the supervisor-level options shared by both supervisor kinds. */
export const decodeIntensity = (
  intensity: unknown,
  period: unknown
): { intensity: number; periodMillis: number } | { field: string; value: unknown; reason: string } => {
  const i = intensity ?? 3
  if (typeof i !== "number" || !Number.isInteger(i) || i < 0) {
    return { field: "intensity", value: i, reason: "must be a whole number ≥ 0" }
  }
  const p = period ?? "5 seconds"
  let periodMillis: number
  try {
    periodMillis = Duration.toMillis(Duration.fromInputUnsafe(p as Duration.Input))
  } catch {
    return { field: "period", value: p, reason: "must be a duration" }
  }
  if (!(periodMillis > 0) || !Number.isFinite(periodMillis)) {
    return { field: "period", value: p, reason: "must be a positive, finite duration" }
  }
  return { intensity: i, periodMillis }
}
