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
import { Actor, ActorRef, ExitReason, PrivateChannel } from "@arbor/core"
import { type ChildStartFailed, UnknownRequest } from "../Errors.ts"
import type { ValidChild } from "./spec.ts"
import { isIgnore } from "../Child.ts"
import type { ChildStatus } from "../Child.ts"
import type { SupervisionEvent } from "../SupervisionEvent.ts"
import type { ChildInfo, Snapshot } from "../Supervisor.ts"
import { RestartWindow } from "./intensity.ts"

/**
 * Where a nested supervisor reports: its path below the root and its parent's emitter. A relay
 * is offered only while the child's start runs (`open`), and only to the first supervisor
 * started there (`claimed`): a supervisor that an actor starts later, from a handler, is a new
 * root rather than a child of the actor's own supervisor.
 */
export interface Relay {
  readonly path: ReadonlyArray<string>
  readonly emit: (event: SupervisionEvent) => void
  open: boolean
  claimed: boolean
}

/** Provided by a supervisor around each child's start, so nested supervisors find their parent. */
export const ParentRelay = Context.Reference<Relay | undefined>("@arbor/supervisor/ParentRelay", {
  defaultValue: () => undefined
})

/** The relay offered to the supervisor being started, claimed by it; `undefined` for a root. */
export const claimRelay: Effect.Effect<Relay | undefined> = Effect.gen(function*() {
  const relay = yield* ParentRelay
  if (relay === undefined || !relay.open || relay.claimed) return undefined
  relay.claimed = true
  return relay
})

/** Marks references that are Arbor supervisors (identity only; no state is shared). */
export const supervisorRefs = new WeakSet<object>()

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
  /** A `RetryRestart` with the current token is on its way (this child drives a restart). */
  retryPending: boolean
  backoff: ((now: number, input: unknown) => Effect.Effect<[unknown, Duration.Duration], unknown>) | undefined
}

/** A record for a child that has not started yet. */
export const makeRecord = (spec: ValidChild, args?: ReadonlyArray<unknown>): ChildRecord => ({
  spec,
  args,
  ref: undefined,
  status: "not_running",
  incarnation: 0,
  startedAt: 0,
  retryToken: 0,
  retryPending: false,
  backoff: undefined
})

/** The message a supervisor sends itself when one of its children ends on its own. */
export interface ChildExitedMsg {
  readonly _tag: "ChildExited"
  readonly ref: ActorRef.ActorRef<any>
  readonly reason: ExitReason.ExitReason
}

/** The message a supervisor sends itself to make another attempt at a restart. */
export interface RetryRestartMsg {
  readonly _tag: "RetryRestart"
  readonly id: string
  readonly token: number
}

/**
 * A supervisor's internal messages. They travel on {@link Internal}, a private channel that only
 * this package holds, so none of them is part of a supervisor's public protocol and none can be
 * forged by a caller that casts (issue #10.1).
 */
export type InternalMsg =
  /** Starts the children; sent once, by `Supervisor.start`. */
  | Actor.Request<{ readonly _tag: "Boot" }, Exit.Exit<void, ChildStartFailed>>
  | ChildExitedMsg
  | RetryRestartMsg
  /** The hub behind `Supervisor.events`. */
  | Actor.Request<{ readonly _tag: "Hub" }, PubSub.PubSub<SupervisionEvent>>

/** The private lane of supervisors' internal messages. */
export const Internal: PrivateChannel.PrivateChannel<InternalMsg> = PrivateChannel.make<InternalMsg>("supervisor")

type HandlerTable<S, M extends { readonly _tag: string }> = {
  readonly [K in M["_tag"]]?: (state: S, msg: Extract<M, { readonly _tag: K }>) => unknown
}

/**
 * A supervisor's `receive`: messages on {@link Internal} go to `internal`, public requests to
 * `requests`; anything else (a forged internal message, a misspelt tag, a non-message from plain
 * JavaScript) is answered with `UnknownRequest` — dropped when it was told — and changes nothing.
 */
export const receiveWith = <S extends { readonly engine: Engine }, P extends { readonly _tag: string }>(
  internal: HandlerTable<S, InternalMsg>,
  requests: { readonly [K in P["_tag"]]: (state: S, msg: Extract<P, { readonly _tag: K }>) => unknown }
) =>
(state: S, msg: unknown, ctx: { readonly self: ActorRef.ActorRef<any> }): any => {
  const own = PrivateChannel.open(Internal, msg, ctx.self)
  if (own !== undefined) {
    const handler = internal[own._tag] as ((s: S, m: InternalMsg) => unknown) | undefined
    return handler === undefined ? state : handler(state, own)
  }
  const tag = typeof msg === "object" && msg !== null ? (msg as { readonly _tag?: unknown })._tag : undefined
  const table = requests as Record<string, (s: S, m: unknown) => unknown>
  const handler = typeof tag === "string" && Object.hasOwn(table, tag) ? table[tag] : undefined
  if (handler === undefined) {
    const received = typeof tag === "string" ? `with _tag "${tag}"` : describe(msg)
    return Actor.reply(Exit.fail(new UnknownRequest({ supervisor: state.engine.config.label, received })), state)
  }
  return handler(state, msg)
}

/** What running a child's start gave. */
export type StartOutcome =
  | { readonly _tag: "Started"; readonly ref: ActorRef.ActorRef<any> }
  | { readonly _tag: "Ignored" }
  | { readonly _tag: "Failed"; readonly cause: Cause.Cause<unknown> }

/** A supervisor's validated options, as the engine uses them. */
export interface EngineConfig {
  readonly label: string | undefined
  readonly path: ReadonlyArray<string>
  readonly intensity: number
  readonly periodMillis: number
  readonly restartDelay: Schedule.Schedule<unknown, unknown, never, never> | undefined
  readonly onEvent: ((event: SupervisionEvent) => void) | undefined
  readonly parent: Relay | undefined
}

const describe = (u: unknown): string => {
  if (u === null) return "null"
  if (typeof u === "object") return `an object${"_tag" in u ? ` with _tag ${String(u._tag)}` : ""}`
  return `${typeof u} ${String(u)}`
}

/** The state every supervisor keeps besides its children. */
export class Engine {
  readonly window: RestartWindow
  readonly hub: PubSub.PubSub<SupervisionEvent>
  self!: ActorRef.ActorRef<any>

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

  /**
   * Runs a child's start; on success watches the child so that its own exit reaches this
   * supervisor. A start that fails, dies, throws or returns something that is neither a
   * reference nor `Child.ignore` is a failed start.
   */
  start(rec: ChildRecord, restart: boolean): Effect.Effect<StartOutcome> {
    return Effect.gen({ self: this }, function*(this: Engine) {
      rec.incarnation++
      const incarnation = rec.incarnation
      const relay: Relay = { path: [...this.path, rec.spec.id], emit: this.emit, open: true, claimed: false }
      const start = rec.spec.start as Effect.Effect<unknown, unknown, never>
      const exit = yield* Effect.exit(Effect.provideService(Effect.suspend(() => start), ParentRelay, relay))
      relay.open = false
      let cause: Cause.Cause<unknown> | undefined
      if (Exit.isFailure(exit)) cause = exit.cause
      else if (!isIgnore(exit.value) && !ActorRef.isActorRef(exit.value)) {
        cause = Cause.die(
          new TypeError(
            `the start of child "${rec.spec.id}" returned ${describe(exit.value)}, not an ActorRef or Child.ignore`
          )
        )
      }
      if (cause !== undefined) {
        rec.ref = undefined
        this.emit({ _tag: "ChildStartFailed", supervisor: this.path, child: rec.spec.id, incarnation, cause })
        return { _tag: "Failed", cause } as const
      }
      const value = (exit as Exit.Success<unknown>).value
      if (isIgnore(value)) {
        rec.ref = undefined
        rec.status = "not_running"
        this.emit({ _tag: "ChildStartIgnored", supervisor: this.path, child: rec.spec.id, incarnation })
        return { _tag: "Ignored" } as const
      }
      const ref = value as ActorRef.ActorRef<any>
      rec.ref = ref
      rec.status = "running"
      rec.startedAt = yield* Clock.currentTimeMillis
      this.emit({ _tag: "ChildStarted", supervisor: this.path, child: rec.spec.id, ref, incarnation, restart })
      const self = this.self
      ActorRef.onExit(ref, (reason) => {
        this.emit({ _tag: "ChildExited", supervisor: this.path, child: rec.spec.id, ref, incarnation, reason })
        // only an exit the supervisor did not cause needs handling (a child it stopped was
        // detached first), and only while the supervisor lives (no dead letters)
        if (rec.ref === ref && ActorRef.isAliveUnsafe(self)) {
          PrivateChannel.tellUnsafe(Internal, self, { _tag: "ChildExited", ref, reason })
        }
      })
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
      rec.retryPending = false
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
   * The backoff delay in milliseconds before restarting `rec`: the next delay of the
   * supervisor's `restartDelay` schedule (zero without one, or once the schedule is done).
   * `afterExit` is `true` when a running incarnation just exited (rather than a restart attempt
   * failing): if that incarnation ran for a whole intensity period, the schedule starts over.
   */
  restartDelay(rec: ChildRecord, afterExit: boolean): Effect.Effect<number> {
    const schedule = this.config.restartDelay
    if (schedule === undefined) return Effect.succeed(0)
    return Effect.gen({ self: this }, function*(this: Engine) {
      const now = yield* Clock.currentTimeMillis
      if (rec.backoff === undefined || (afterExit && now - rec.startedAt >= this.config.periodMillis)) {
        rec.backoff = (yield* Schedule.toStep(schedule)) as ChildRecord["backoff"]
      }
      const step = yield* Effect.exit(Effect.suspend(() => rec.backoff!(now, undefined)))
      if (Exit.isFailure(step)) return 0 // the schedule is done: restart at once
      const millis = Duration.toMillis(step.value[1])
      return Number.isFinite(millis) && millis > 0 ? millis : 0
    })
  }

  /**
   * Schedules another attempt at restarting `rec`: sends this supervisor a `RetryRestart` with
   * a fresh token, at once or, after reporting `RestartScheduled`, when `millis` have passed on
   * the `Clock` (unless the supervisor ends first). Stopping `rec` cancels it (the token moves).
   */
  retry(rec: ChildRecord, millis: number): Effect.Effect<void, never, any> {
    const self = this.self
    rec.retryToken++
    rec.retryPending = true
    const msg: RetryRestartMsg = { _tag: "RetryRestart", id: rec.spec.id, token: rec.retryToken }
    if (millis <= 0) return Effect.sync(() => PrivateChannel.tellUnsafe(Internal, self, msg))
    this.emit({ _tag: "RestartScheduled", supervisor: this.path, child: rec.spec.id, delayMillis: millis })
    return Effect.asVoid(
      Effect.forkScoped(Effect.andThen(Effect.sleep(millis), Effect.sync(() => PrivateChannel.tellUnsafe(Internal, self, msg))))
    )
  }

  /** `true` (and the retry is consumed) when `msg` is the pending retry of `rec`. */
  takeRetry(rec: ChildRecord | undefined, msg: RetryRestartMsg): rec is ChildRecord {
    if (rec === undefined || !rec.retryPending || rec.retryToken !== msg.token || rec.status !== "restarting") return false
    rec.retryPending = false
    return true
  }

  /** This supervisor's snapshot (its own children only; `Supervisor.snapshot` nests the rest). */
  snapshot(
    kind: Snapshot["kind"],
    strategy: Snapshot["strategy"],
    children: Iterable<ChildRecord>
  ): Effect.Effect<Snapshot> {
    return Effect.map(Clock.currentTimeMillis, (now) => {
      const restarts = this.window.count(now)
      return {
        kind,
        label: this.config.label,
        path: this.path,
        strategy,
        intensity: this.config.intensity,
        periodMillis: this.config.periodMillis,
        restartsInWindow: restarts,
        remainingBudget: Math.max(0, this.config.intensity - restarts),
        children: Array.from(children, childInfo)
      }
    })
  }
}

/** What `whichChildren` and snapshots report of one child. */
export const childInfo = (rec: ChildRecord): ChildInfo => ({
  id: rec.spec.id,
  ref: rec.ref,
  status: rec.status,
  type: rec.spec.type,
  restart: rec.spec.restart,
  incarnation: rec.incarnation,
  ...(rec.args === undefined ? {} : { args: rec.args[0] })
})

/** `true` when a child with this restart type must be restarted after exiting with `reason`. */
export const needsRestart = (restart: ValidChild["restart"], reason: ExitReason.ExitReason): boolean =>
  restart === "permanent" || (restart === "transient" && ExitReason.isAbnormal(reason))
