/**
 * Supervisors: actors that start children, watch them, and restart them by OTP's rules.
 *
 * **Starting.** Children start one at a time, in spec order; `start` completes only after every
 * child's start returned. If child k fails to start, children 1..k-1 are stopped in reverse
 * order and `start` fails with `ChildStartFailed` naming child k. A start that returns
 * `Child.ignore` keeps the spec without a running child (a temporary child is dropped).
 *
 * **Restarting.** `permanent` children are always restarted, `transient` ones only after an
 * abnormal exit (`Failure` or `Killed`; `Normal` and `Shutdown` are clean), `temporary` ones
 * never (their spec is dropped when they exit, also when a group restart stopped them).
 * `"one-for-one"` restarts only the child that exited; `"one-for-all"` stops all the others
 * (reverse start order) and restarts all in start order; `"rest-for-one"` does the same for the
 * children started after the one that exited. A restart that fails to start counts as another
 * restart and is retried (the child shows as `"restarting"` meanwhile).
 *
 * **Intensity.** More than `intensity` restarts within `period` (a sliding window read from the
 * `Clock`, exact to the millisecond) and the supervisor gives up: it stops all children in
 * reverse start order and exits with `Shutdown`, which its own supervisor sees as a clean exit
 * (a transient supervisor child is then not restarted; a permanent one is). One exit counts as
 * one restart even when a whole group restarts. Defaults: 3 restarts within 5 seconds
 * (Elixir's; OTP's are 1 within 5 s).
 *
 * **Stopping.** A supervisor stops its children in reverse start order, one at a time, each per
 * its shutdown spec, then ends.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, ActorSystem } from "@arbor/core"
 * import { Child, Supervisor } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * type Msg = { readonly _tag: "Crash" } | Actor.Request<{ readonly _tag: "Ping" }, string>
 * const Worker = Actor.make<Msg>()({
 *   init: () => Effect.succeed(null),
 *   receive: {
 *     Crash: () => Effect.die("boom"),
 *     Ping: (s) => Actor.reply("pong", s)
 *   }
 * })
 *
 * const program = Effect.gen(function*() {
 *   const sup = yield* Supervisor.start({
 *     strategy: "one-for-one",
 *     intensity: 3,
 *     period: "5 seconds",
 *     children: [Child.worker({ id: "worker", start: Actor.spawn(Worker) })]
 *   })
 *   const [first] = yield* Supervisor.whichChildren(sup)
 *   yield* ActorRef.tell(first!.ref as ActorRef.ActorRef<Msg>, { _tag: "Crash" })
 *   // ... the worker is restarted with a fresh state
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as PubSub from "effect/PubSub"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { Actor, ActorRef, type ActorSystem, type Errors, ExitReason } from "@arbor/core"
import type { ChildSpec, ChildType, RestartType, ValidChild } from "./Child.ts"
import { validate } from "./Child.ts"
import {
  ChildAlreadyPresent,
  ChildAlreadyStarted,
  ChildNotFound,
  ChildRunning,
  ChildStartFailed,
  InvalidChildSpec
} from "./Errors.ts"
import type { ChildRecord, ChildStatus, StartOutcome } from "./internal/engine.ts"
import { decodeIntensity, Engine, makeRecord, needsRestart, ParentRelay, supervisorRefs } from "./internal/engine.ts"
import { plan } from "./internal/strategy.ts"
import type { SupervisionEvent } from "./SupervisionEvent.ts"

/**
 * How a supervisor restarts children when one exits.
 *
 * @category models
 * @since 0.1.0
 */
export type Strategy = "one-for-one" | "one-for-all" | "rest-for-one"

/**
 * When significant children shut the supervisor down: `"never"` (default), `"any-significant"`
 * (when any significant child exits on its own and is not restarted) or `"all-significant"`
 * (when the last running significant child does).
 *
 * @category models
 * @since 0.1.0
 */
export type AutoShutdown = "never" | "any-significant" | "all-significant"

/**
 * A supervisor's options and children; `R` is what its children's starts need.
 *
 * @category models
 * @since 0.1.0
 */
export interface SupervisorSpec<R = never> {
  readonly strategy: Strategy
  /** Maximum restarts within `period` before giving up. Default 3. `0`: give up at the first. */
  readonly intensity?: number
  /** The intensity window. Default `"5 seconds"`. */
  readonly period?: Duration.Input
  readonly autoShutdown?: AutoShutdown
  readonly children: ReadonlyArray<ChildSpec<R>>
  /**
   * Beyond OTP: wait before each restart for the delay this schedule gives (its output if it is
   * a duration, else its own delay), per child; the schedule starts over once an incarnation
   * has run for a whole `period`. Intensity still decides when to give up. Absent: restarts
   * are immediate, exactly as in OTP.
   */
  readonly restartDelay?: Schedule.Schedule<Duration.Input, unknown, never, never>
  /** A label for the supervisor actor, shown in errors and snapshots. */
  readonly label?: string
  /** Called synchronously with every supervision event of this supervisor and its subtree. */
  readonly onEvent?: (event: SupervisionEvent) => void
}

/**
 * A reference to a running supervisor (it is an actor: it can be monitored, linked, named, and
 * be a child of another supervisor).
 *
 * @category models
 * @since 0.1.0
 */
export type SupervisorRef = ActorRef.ActorRef<Protocol>

/**
 * One entry of {@link whichChildren}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildInfo {
  readonly id: string
  readonly ref: ActorRef.ActorRef<any> | undefined
  readonly status: ChildStatus
  readonly type: ChildType
  readonly restart: RestartType
  /** How many times this spec's start has been called (successful or not). */
  readonly incarnation: number
  /** Dynamic children: the arguments the child was started with. */
  readonly args?: unknown
}

/**
 * The result of {@link countChildren}, as OTP counts: `specs` kept, `active` running, and
 * `supervisors`/`workers` by type (running or not).
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildCounts {
  readonly specs: number
  readonly active: number
  readonly supervisors: number
  readonly workers: number
}

/**
 * A point-in-time view of a supervisor and (through {@link snapshot}) its whole subtree.
 *
 * @category models
 * @since 0.1.0
 */
export interface Snapshot {
  readonly kind: "supervisor" | "dynamic-supervisor"
  readonly label: string | undefined
  readonly path: ReadonlyArray<string>
  readonly strategy: Strategy
  readonly intensity: number
  readonly periodMillis: number
  readonly restartsInWindow: number
  /** Restarts still allowed in the current window before the supervisor gives up. */
  readonly remainingBudget: number
  readonly children: ReadonlyArray<ChildSnapshot>
}

/**
 * A child in a {@link Snapshot}. `supervisor` holds the nested snapshot of a running
 * supervisor child.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildSnapshot extends ChildInfo {
  readonly supervisor?: Snapshot
}

type Result<A, E> = Exit.Exit<A, E>

/**
 * The messages a supervisor handles. Use the functions of this module rather than sending
 * them directly.
 *
 * @category models
 * @since 0.1.0
 */
export type Protocol =
  | Actor.Request<{ readonly _tag: "Boot" }, Result<void, ChildStartFailed>>
  | { readonly _tag: "ChildExited"; readonly ref: ActorRef.ActorRef<any>; readonly reason: ExitReason.ExitReason }
  | { readonly _tag: "RetryRestart"; readonly id: string; readonly token: number }
  | Actor.Request<
    { readonly _tag: "StartChild"; readonly spec: ChildSpec<any> },
    Result<ActorRef.ActorRef<any> | undefined, StartChildError>
  >
  | Actor.Request<{ readonly _tag: "TerminateChild"; readonly id: string }, Result<void, ChildNotFound>>
  | Actor.Request<
    { readonly _tag: "RestartChild"; readonly id: string },
    Result<ActorRef.ActorRef<any> | undefined, ChildNotFound | ChildRunning | ChildStartFailed>
  >
  | Actor.Request<{ readonly _tag: "DeleteChild"; readonly id: string }, Result<void, ChildNotFound | ChildRunning>>
  | Actor.Request<{ readonly _tag: "WhichChildren" }, ReadonlyArray<ChildInfo>>
  | Actor.Request<{ readonly _tag: "CountChildren" }, ChildCounts>
  | Actor.Request<{ readonly _tag: "Snapshot" }, Snapshot>
  | Actor.Request<{ readonly _tag: "Hub" }, PubSub.PubSub<SupervisionEvent>>

/**
 * Errors of {@link startChild}.
 *
 * @category errors
 * @since 0.1.0
 */
export type StartChildError = InvalidChildSpec | ChildAlreadyStarted | ChildAlreadyPresent | ChildStartFailed

interface State {
  readonly engine: Engine
  readonly strategy: Strategy
  readonly autoShutdown: AutoShutdown
  children: Array<ChildRecord>
}

const find = (state: State, id: string) => state.children.find((c) => c.spec.id === id)

const infoOf = (rec: ChildRecord): ChildInfo => ({
  id: rec.spec.id,
  ref: rec.ref,
  status: rec.status,
  type: rec.spec.type,
  restart: rec.spec.restart,
  incarnation: rec.incarnation
})

/** Starts children in order; on a failure stops the ones started, in reverse order. */
const startAll = (state: State): Effect.Effect<Result<void, ChildStartFailed>> =>
  Effect.gen(function*() {
    const started: Array<ChildRecord> = []
    for (const rec of [...state.children]) {
      const outcome = yield* state.engine.start(rec, false)
      if (outcome._tag === "Failed") {
        for (let i = started.length - 1; i >= 0; i--) yield* state.engine.stop(started[i]!)
        return Exit.fail(
          new ChildStartFailed({ supervisor: state.engine.config.label, child: rec.spec.id, cause: outcome.cause })
        )
      }
      if (outcome._tag === "Ignored" && rec.spec.restart === "temporary") {
        state.children = state.children.filter((c) => c !== rec)
      } else if (outcome._tag === "Started") {
        started.push(rec)
      }
    }
    return Exit.void
  })

/** Stops every running child in reverse start order. */
const stopAll = (state: State): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let i = state.children.length - 1; i >= 0; i--) {
      const rec = state.children[i]!
      if (rec.ref !== undefined) yield* state.engine.stop(rec)
    }
  })

/** Gives up: reports, then stops (the stop hook stops the children). */
const giveUp = (state: State) => {
  state.engine.intensityExceeded()
  return Actor.stop(ExitReason.shutdown())
}

/**
 * Restarts after the exit of `rec` per the strategy: stops the affected running children, then
 * starts the affected specs in order. A failed start counts as another restart and schedules a
 * retry of the same plan.
 */
const restart = (state: State, rec: ChildRecord): Effect.Effect<State | Actor.Stop, never, any> =>
  Effect.gen(function*() {
    const { engine } = state
    const index = state.children.indexOf(rec)
    if (index < 0) return state
    const steps = plan(
      state.strategy,
      state.children.map((c) => ({ id: c.spec.id, running: c.ref !== undefined })),
      index
    )
    const toStop = steps.stop.map((i) => state.children[i]!)
    const toStart = steps.start.map((i) => state.children[i]!)
    for (const child of toStop) yield* engine.stop(child)
    // temporary children stopped by a group restart are dropped, not restarted
    const dropped = new Set(toStop.filter((c) => c.spec.restart === "temporary"))
    if (dropped.size > 0) state.children = state.children.filter((c) => !dropped.has(c))
    const group = toStart.filter((c) => !dropped.has(c))
    for (const child of group) child.status = "restarting"
    const delay = yield* engine.restartDelay(rec)
    if (delay > 0) {
      rec.retryToken++
      engine.emit({ _tag: "RestartScheduled", supervisor: engine.path, child: rec.spec.id, delayMillis: delay })
      yield* engine.later(delay, { _tag: "RetryRestart", id: rec.spec.id, token: rec.retryToken })
      return state
    }
    return yield* startGroup(state, rec, group)
  })

const startGroup = (
  state: State,
  rec: ChildRecord,
  group: ReadonlyArray<ChildRecord>
): Effect.Effect<State | Actor.Stop, never, any> =>
  Effect.gen(function*() {
    const { engine } = state
    const restarted: Array<ChildRecord> = []
    for (const child of group) {
      if (!state.children.includes(child)) continue
      const outcome: StartOutcome = yield* engine.start(child, true)
      if (outcome._tag === "Started") {
        restarted.push(child)
        continue
      }
      if (outcome._tag === "Ignored") {
        if (child.spec.restart === "temporary") state.children = state.children.filter((c) => c !== child)
        continue
      }
      // a failed restart: undo this round, count it, and retry the whole plan
      for (let i = restarted.length - 1; i >= 0; i--) yield* engine.stop(restarted[i]!)
      for (const c of group) if (state.children.includes(c)) c.status = "restarting"
      if (!(yield* engine.addRestart())) return giveUp(state)
      rec.retryToken++
      ActorRef.tellUnsafe(engine.self as ActorRef.ActorRef<Protocol>, {
        _tag: "RetryRestart",
        id: rec.spec.id,
        token: rec.retryToken
      })
      return state
    }
    return state
  })

const onChildExited = (
  state: State,
  ref: ActorRef.ActorRef<any>,
  reason: ExitReason.ExitReason
): Effect.Effect<State | Actor.Stop, never, any> =>
  Effect.gen(function*() {
    const rec = state.children.find((c) => c.ref === ref)
    if (rec === undefined) return state // stale: the supervisor stopped or replaced that incarnation
    rec.ref = undefined
    rec.status = "not_running"
    const { engine } = state
    if (!needsRestart(rec.spec.restart, reason)) {
      if (rec.spec.restart === "temporary") state.children = state.children.filter((c) => c !== rec)
      engine.emit({
        _tag: "ChildNotRestarted",
        supervisor: engine.path,
        child: rec.spec.id,
        ref,
        incarnation: rec.incarnation
      })
      if (rec.spec.significant && autoShutdownTriggered(state)) {
        engine.emit({ _tag: "AutoShutdown", supervisor: engine.path, child: rec.spec.id })
        return Actor.stop(ExitReason.shutdown())
      }
      return state
    }
    if (!(yield* engine.addRestart())) return giveUp(state)
    return yield* restart(state, rec)
  })

const autoShutdownTriggered = (state: State): boolean => {
  switch (state.autoShutdown) {
    case "never":
      return false
    case "any-significant":
      return true
    case "all-significant":
      return !state.children.some((c) => c.spec.significant && c.ref !== undefined)
  }
}

const behavior = (state: State) =>
  Actor.make<Protocol>()({
    init: () => Effect.succeed(state),
    receive: {
      Boot: (s: State) => Effect.map(startAll(s), (result) => Actor.reply(result, s)),
      ChildExited: (s: State, msg) => onChildExited(s, msg.ref, msg.reason),
      RetryRestart: (s: State, msg) => {
        const rec = find(s, msg.id)
        if (rec === undefined || rec.retryToken !== msg.token) return s
        if (rec.status !== "restarting") return s
        const index = s.children.indexOf(rec)
        const steps = plan(s.strategy, s.children.map((c) => ({ id: c.spec.id, running: c.ref !== undefined })), index)
        // children of the range that are still running (started before a failure was undone
        // elsewhere) are stopped again, then the whole range starts in order
        const toStop = steps.stop.map((i) => s.children[i]!).filter((c) => c.ref !== undefined)
        return Effect.gen(function*() {
          for (const c of toStop) yield* s.engine.stop(c)
          const group = steps.start.map((i) => s.children[i]!)
          return yield* startGroup(s, rec, group)
        })
      },
      StartChild: (s: State, msg) => Effect.map(startChildNow(s, msg.spec), (result) => Actor.reply(result, s)),
      TerminateChild: (s: State, msg) =>
        Effect.gen(function*() {
          const rec = find(s, msg.id)
          if (rec === undefined) {
            return Actor.reply(Exit.fail(new ChildNotFound({ supervisor: s.engine.config.label, child: msg.id })), s)
          }
          yield* s.engine.stop(rec)
          if (rec.spec.restart === "temporary") s.children = s.children.filter((c) => c !== rec)
          return Actor.reply(Exit.void, s)
        }),
      RestartChild: (s: State, msg) =>
        Effect.gen(function*() {
          const label = s.engine.config.label
          const rec = find(s, msg.id)
          if (rec === undefined) return Actor.reply(Exit.fail(new ChildNotFound({ supervisor: label, child: msg.id })), s)
          if (rec.status !== "not_running") {
            return Actor.reply(Exit.fail(new ChildRunning({ supervisor: label, child: msg.id, status: rec.status })), s)
          }
          const outcome = yield* s.engine.start(rec, false)
          switch (outcome._tag) {
            case "Started":
              return Actor.reply(Exit.succeed(outcome.ref), s)
            case "Ignored":
              return Actor.reply(Exit.succeed(undefined), s)
            case "Failed":
              return Actor.reply(
                Exit.fail(new ChildStartFailed({ supervisor: label, child: msg.id, cause: outcome.cause })),
                s
              )
          }
        }),
      DeleteChild: (s: State, msg) => {
        const label = s.engine.config.label
        const rec = find(s, msg.id)
        if (rec === undefined) return Actor.reply(Exit.fail(new ChildNotFound({ supervisor: label, child: msg.id })), s)
        if (rec.status !== "not_running") {
          return Actor.reply(Exit.fail(new ChildRunning({ supervisor: label, child: msg.id, status: rec.status })), s)
        }
        s.children = s.children.filter((c) => c !== rec)
        return Actor.reply(Exit.void, s)
      },
      WhichChildren: (s: State) => Actor.reply(s.children.map(infoOf).reverse(), s),
      CountChildren: (s: State) => Actor.reply(count(s.children), s),
      Snapshot: (s: State) => Effect.map(snapshotOf(s), (snap) => Actor.reply(snap, s)),
      Hub: (s: State) => Actor.reply(s.engine.hub, s)
    },
    onStop: (s: State) => stopAll(s)
  })

const count = (children: ReadonlyArray<ChildRecord>): ChildCounts => {
  let active = 0
  let supervisors = 0
  for (const c of children) {
    if (c.ref !== undefined) active++
    if (c.spec.type === "supervisor") supervisors++
  }
  return { specs: children.length, active, supervisors, workers: children.length - supervisors }
}

const snapshotOf = (s: State): Effect.Effect<Snapshot> =>
  Effect.map(s.engine.restartsInWindow(), (restarts) => ({
    kind: "supervisor" as const,
    label: s.engine.config.label,
    path: s.engine.path,
    strategy: s.strategy,
    intensity: s.engine.config.intensity,
    periodMillis: s.engine.config.periodMillis,
    restartsInWindow: restarts,
    remainingBudget: Math.max(0, s.engine.config.intensity - restarts),
    children: s.children.map(infoOf)
  }))

const startChildNow = (
  s: State,
  spec: ChildSpec<any>
): Effect.Effect<Result<ActorRef.ActorRef<any> | undefined, StartChildError>, never, any> =>
  Effect.gen(function*() {
    const label = s.engine.config.label
    const valid = validate(label, spec, s.autoShutdown)
    if (valid instanceof InvalidChildSpec) return Exit.fail(valid)
    const existing = find(s, valid.id)
    if (existing !== undefined) {
      if (existing.ref !== undefined) {
        return Exit.fail(new ChildAlreadyStarted({ supervisor: label, child: valid.id, ref: existing.ref }))
      }
      return Exit.fail(new ChildAlreadyPresent({ supervisor: label, child: valid.id }))
    }
    const rec = makeRecord(valid)
    const outcome = yield* s.engine.start(rec, false)
    switch (outcome._tag) {
      case "Started":
        s.children = [...s.children, rec]
        return Exit.succeed(outcome.ref)
      case "Ignored":
        if (valid.restart !== "temporary") s.children = [...s.children, rec]
        return Exit.succeed(undefined)
      case "Failed":
        return Exit.fail(new ChildStartFailed({ supervisor: label, child: valid.id, cause: outcome.cause }))
    }
  })

/**
 * Validates a supervisor spec before anything starts. @internal
 */
export const validateSpec = (
  spec: SupervisorSpec<any>
): { valid: Array<ValidChild>; intensity: number; periodMillis: number } | InvalidChildSpec => {
  const label = spec?.label
  const invalid = (field: string, value: unknown, reason: string) =>
    new InvalidChildSpec({ supervisor: label, child: undefined, field, value, reason })
  if (typeof spec !== "object" || spec === null) return invalid("spec", spec, "must be an object")
  const strategies: ReadonlyArray<string> = ["one-for-one", "one-for-all", "rest-for-one"]
  if (!strategies.includes(spec.strategy)) {
    return invalid("strategy", spec.strategy, `must be one of ${strategies.join(", ")}`)
  }
  const autoShutdowns: ReadonlyArray<string> = ["never", "any-significant", "all-significant"]
  const autoShutdown = spec.autoShutdown ?? "never"
  if (!autoShutdowns.includes(autoShutdown)) {
    return invalid("autoShutdown", autoShutdown, `must be one of ${autoShutdowns.join(", ")}`)
  }
  const intensity = decodeIntensity(spec.intensity, spec.period)
  if ("field" in intensity) return invalid(intensity.field, intensity.value, intensity.reason)
  if (!Array.isArray(spec.children)) return invalid("children", spec.children, "must be an array of child specs")
  const valid: Array<ValidChild> = []
  const seen = new Set<string>()
  for (const child of spec.children) {
    const v = validate(label, child, autoShutdown)
    if (v instanceof InvalidChildSpec) return v
    if (seen.has(v.id)) {
      return new InvalidChildSpec({ supervisor: label, child: v.id, field: "id", value: v.id, reason: "duplicate id" })
    }
    seen.add(v.id)
    valid.push(v)
  }
  return { valid, intensity: intensity.intensity, periodMillis: intensity.periodMillis }
}

/**
 * Starts a supervisor and its children (in order) in the current scope; completes once every
 * child has started. Fails with `InvalidChildSpec` before anything starts when the spec is
 * invalid, or with `ChildStartFailed` when a child fails to start (the children started
 * before it are stopped first, in reverse order). Closing the scope stops the supervisor, which
 * stops its children in reverse start order.
 *
 * When started as the child of another supervisor (inside a child spec's `start`), it reports
 * its events through its parent as well.
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = <R>(
  spec: SupervisorSpec<R>
): Effect.Effect<
  SupervisorRef,
  InvalidChildSpec | ChildStartFailed,
  Scope.Scope | ActorSystem.ActorSystem | Exclude<R, Scope.Scope>
> =>
  Effect.gen(function*() {
    const checked = validateSpec(spec)
    if (checked instanceof InvalidChildSpec) return yield* checked
    const parent = yield* ParentRelay
    const hub = yield* PubSub.unbounded<SupervisionEvent>()
    const engine = new Engine({
      label: spec.label,
      path: parent?.path ?? [],
      intensity: checked.intensity,
      periodMillis: checked.periodMillis,
      restartDelay: spec.restartDelay,
      onEvent: spec.onEvent,
      parent
    }, hub)
    const state: State = {
      engine,
      strategy: spec.strategy,
      autoShutdown: spec.autoShutdown ?? "never",
      children: checked.valid.map((v) => makeRecord(v))
    }
    const ref = yield* Effect.orDie(
      Actor.spawn(behavior(state), { shutdown: "infinity", ...(spec.label === undefined ? {} : { label: spec.label }) })
    )
    engine.self = ref as never
    supervisorRefs.add(ref)
    const booted = yield* ActorRef.ask(ref, { _tag: "Boot" }, { timeout: "infinity" }).pipe(
      Effect.catch((error) => Effect.die(error))
    )
    if (Exit.isFailure(booted)) {
      yield* ActorRef.stop(ref)
      return yield* booted
    }
    return ref
  }) as never

const call = <A, E>(
  sup: SupervisorRef,
  msg: Protocol & { readonly _tag: "StartChild" | "TerminateChild" | "RestartChild" | "DeleteChild" }
): Effect.Effect<A, E | Errors.AskError> =>
  Effect.flatten(ActorRef.ask(sup, msg as never, { timeout: "infinity" }) as Effect.Effect<Exit.Exit<A, E>, any>)

/**
 * Adds a child at run time and starts it; it joins the end of the start order. Fails with
 * `InvalidChildSpec`, `ChildAlreadyStarted` (id running), `ChildAlreadyPresent` (id kept but
 * not running) or `ChildStartFailed` (nothing is kept). Succeeds with the child's ref, or
 * `undefined` when its start returned `Child.ignore`.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const startChild = <R>(
  sup: SupervisorRef,
  spec: ChildSpec<R>
): Effect.Effect<ActorRef.ActorRef<any> | undefined, StartChildError | Errors.AskError> =>
  call(sup, { _tag: "StartChild", spec })

/**
 * Stops a child per its shutdown spec without restarting it. Its spec is kept (not running),
 * except for a temporary child, which is dropped. Stopping a child that is not running succeeds.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const terminateChild = (
  sup: SupervisorRef,
  id: string
): Effect.Effect<void, ChildNotFound | Errors.AskError> => call(sup, { _tag: "TerminateChild", id })

/**
 * Starts a kept child that is not running. Fails with `ChildRunning` when it runs or is being
 * restarted, `ChildNotFound`, or `ChildStartFailed` (no retry, no intensity cost).
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const restartChild = (
  sup: SupervisorRef,
  id: string
): Effect.Effect<
  ActorRef.ActorRef<any> | undefined,
  ChildNotFound | ChildRunning | ChildStartFailed | Errors.AskError
> => call(sup, { _tag: "RestartChild", id })

/**
 * Removes the spec of a child that is not running. Fails with `ChildRunning` or `ChildNotFound`.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const deleteChild = (
  sup: SupervisorRef,
  id: string
): Effect.Effect<void, ChildNotFound | ChildRunning | Errors.AskError> => call(sup, { _tag: "DeleteChild", id })

/**
 * The children in OTP's order: reverse start order (newest first), the order they would be
 * stopped in.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const whichChildren = (sup: SupervisorRef): Effect.Effect<ReadonlyArray<ChildInfo>, Errors.AskError> =>
  ActorRef.ask(sup, { _tag: "WhichChildren" }, { timeout: "infinity" })

/**
 * Counts children as OTP does.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const countChildren = (sup: SupervisorRef): Effect.Effect<ChildCounts, Errors.AskError> =>
  ActorRef.ask(sup, { _tag: "CountChildren" }, { timeout: "infinity" })

/**
 * A snapshot of the supervisor and, recursively, of its running supervisor children: ids,
 * status, restart type, incarnation counts, restarts in the current window and the remaining
 * restart budget.
 *
 * @category observability
 * @since 0.1.0
 */
export const snapshot = (sup: ActorRef.ActorRef<any>): Effect.Effect<Snapshot, Errors.AskError> =>
  Effect.gen(function*() {
    const own = yield* (ActorRef.ask(sup as SupervisorRef, { _tag: "Snapshot" }, { timeout: "infinity" }) as Effect.Effect<
      Snapshot,
      Errors.AskError
    >)
    const children = yield* Effect.forEach(own.children, (child) =>
      child.ref !== undefined && supervisorRefs.has(child.ref)
        ? Effect.map(
          Effect.option(snapshot(child.ref)),
          (nested): ChildSnapshot => nested._tag === "Some" ? { ...child, supervisor: nested.value } : child
        )
        : Effect.succeed<ChildSnapshot>(child))
    return { ...own, children }
  })

/**
 * Subscribes to the supervisor's events (its whole subtree) from now on, for as long as the
 * enclosing scope lives. To see the events of the start itself, pass `onEvent` in the spec.
 *
 * @category observability
 * @since 0.1.0
 */
export const events = (
  sup: ActorRef.ActorRef<any>
): Effect.Effect<PubSub.Subscription<SupervisionEvent>, Errors.AskError, Scope.Scope> =>
  Effect.flatMap(
    ActorRef.ask(sup as SupervisorRef, { _tag: "Hub" }, { timeout: "infinity" }) as Effect.Effect<
      PubSub.PubSub<SupervisionEvent>,
      Errors.AskError
    >,
    PubSub.subscribe
  )

/**
 * A child spec that runs a nested supervisor (type `"supervisor"`, shutdown `"infinity"` by
 * default).
 *
 * @example
 * ```ts
 * import { Supervisor } from "@arbor/supervisor"
 * const pipeline = Supervisor.child("pipeline", {
 *   strategy: "rest-for-one",
 *   children: []
 * }, { restart: "transient" })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const child = <R>(
  id: string,
  spec: SupervisorSpec<R>,
  options?: {
    readonly restart?: RestartType | undefined
    readonly shutdown?: ChildSpec["shutdown"] | undefined
    readonly significant?: boolean | undefined
  }
): ChildSpec<ActorSystem.ActorSystem | Exclude<R, Scope.Scope>> => ({
  id,
  type: "supervisor",
  start: start(spec) as Effect.Effect<SupervisorRef, InvalidChildSpec | ChildStartFailed, any>,
  ...(options?.restart === undefined ? {} : { restart: options.restart }),
  ...(options?.shutdown === undefined ? {} : { shutdown: options.shutdown }),
  ...(options?.significant === undefined ? {} : { significant: options.significant })
})
