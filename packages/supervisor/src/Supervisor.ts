/**
 * Supervisors: actors that start children, watch them, and restart them by OTP's rules.
 *
 * **Starting.** Children start one at a time, in spec order; `start` completes only after every
 * child's start returned. If child k fails to start, children 1..k-1 are stopped in reverse
 * order and `start` fails with `ChildStartFailed` naming child k. A start that returns
 * `Child.ignore` keeps the spec without a running child (a temporary child is dropped). The
 * whole spec — nested supervisors built with {@link child} included — is validated before
 * anything starts.
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
 * its shutdown spec (worker default 5 s, supervisor default infinity), then ends.
 *
 * **Beyond OTP.** An optional `restartDelay` schedule spaces restarts out; every supervisor
 * publishes {@link SupervisionEvent}s of its whole subtree ({@link events}, `onEvent`) and
 * answers {@link snapshot}s of its tree.
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
import { Actor, ActorRef, type ActorSystem, type Errors, ExitReason, PrivateChannel } from "@arbor/core"
import type { ChildSpec, ChildStatus, ChildType, RestartType } from "./Child.ts"
import {
  ChildAlreadyPresent,
  ChildAlreadyStarted,
  ChildNotFound,
  ChildRunning,
  ChildStartFailed,
  InvalidChildSpec
} from "./Errors.ts"
import type { ChildRecord, StartOutcome } from "./internal/engine.ts"
import {
  childInfo,
  claimRelay,
  Engine,
  Internal,
  makeRecord,
  needsRestart,
  receiveWith,
  supervisorRefs
} from "./internal/engine.ts"
import { NestedSpec, validateChild, validateSupervisorSpec } from "./internal/spec.ts"
import { plan } from "./internal/strategy.ts"
import type { SupervisionEvent } from "./SupervisionEvent.ts"

/**
 * How a supervisor restarts children when one exits: `"one-for-one"` (only that child),
 * `"one-for-all"` (all children) or `"rest-for-one"` (that child and the ones started after
 * it).
 *
 * @category models
 * @since 0.1.0
 */
export type Strategy = "one-for-one" | "one-for-all" | "rest-for-one"

/**
 * When significant children shut the supervisor down: `"never"` (default), `"any-significant"`
 * (when any significant child exits on its own and is not restarted) or `"all-significant"`
 * (when the last significant child that was running or restarting does).
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
  /** How children are restarted when one exits. */
  readonly strategy: Strategy
  /** Maximum restarts within `period` before giving up. Default 3. `0`: give up at the first. */
  readonly intensity?: number
  /** The intensity window. Default `"5 seconds"`. */
  readonly period?: Duration.Input
  /** Whether significant children's own exits shut the supervisor down. Default `"never"`. */
  readonly autoShutdown?: AutoShutdown
  /** The children, in start order. Ids must be unique. */
  readonly children: ReadonlyArray<ChildSpec<R>>
  /**
   * Beyond OTP: before each restart, wait for the next delay of this schedule (per child; its
   * own delays, not its outputs: `Schedule.exponential("100 millis")`, `Schedule.spaced("1
   * second")`, ...). The child shows as `"restarting"` meanwhile; a failed restart attempt waits
   * for the next delay too. The schedule starts over once an incarnation has run for a whole
   * `period`; once it is done, restarts are immediate. Intensity still decides when to give up.
   * Absent: restarts are immediate, exactly as in OTP.
   */
  readonly restartDelay?: Schedule.Schedule<unknown, unknown, never, never>
  /** A label for the supervisor actor, shown in errors and snapshots. */
  readonly label?: string
  /**
   * Called synchronously with every supervision event of this supervisor and its subtree,
   * from the moment it starts (so it sees the start itself). An observer that throws is
   * ignored.
   */
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
  /** The child's id (for a dynamic child, an id the dynamic supervisor made up: `"#1"`, ...). */
  readonly id: string
  /** The running instance; `undefined` when the child is not running. */
  readonly ref: ActorRef.ActorRef<any> | undefined
  /** Running, restarting, or kept without an instance. */
  readonly status: ChildStatus
  /** Worker or supervisor. */
  readonly type: ChildType
  /** The child's restart type. */
  readonly restart: RestartType
  /** How many times this spec's start has been called (successful or not). */
  readonly incarnation: number
  /** Dynamic children: the arguments the child was started with. */
  readonly args?: unknown
}

/**
 * The result of {@link countChildren}, as OTP counts.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildCounts {
  /** Child specs kept (for a dynamic supervisor: 1, its template, as in OTP). */
  readonly specs: number
  /** Children running now. */
  readonly active: number
  /** Children of type supervisor, running or not. */
  readonly supervisors: number
  /** Children of type worker, running or not. */
  readonly workers: number
}

/**
 * A point-in-time view of a supervisor and (through {@link snapshot}) its whole subtree.
 *
 * @category models
 * @since 0.1.0
 */
export interface Snapshot {
  /** Which kind of supervisor this is. */
  readonly kind: "supervisor" | "dynamic-supervisor"
  /** The supervisor's label, if it has one. */
  readonly label: string | undefined
  /** Child ids from the root supervisor down to this one (`[]` for the root). */
  readonly path: ReadonlyArray<string>
  /** Its strategy (`"one-for-one"` for a dynamic supervisor). */
  readonly strategy: Strategy
  /** Its maximum restarts within the period. */
  readonly intensity: number
  /** Its intensity period, in milliseconds. */
  readonly periodMillis: number
  /** Restarts counted in the current window. */
  readonly restartsInWindow: number
  /** Restarts still allowed in the current window before the supervisor gives up. */
  readonly remainingBudget: number
  /** Its children, in start order. */
  readonly children: ReadonlyArray<ChildSnapshot>
}

/**
 * A child in a {@link Snapshot}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildSnapshot extends ChildInfo {
  /** The nested snapshot of a running supervisor child. */
  readonly supervisor?: Snapshot
}

/**
 * The requests a supervisor accepts from outside; use the functions of this module rather than
 * sending them directly. Its internal messages (boot, child exits, restart retries) are not part
 * of it: they travel on a private channel only the supervisor and this package hold, and a
 * message outside this protocol (sent by casting) is answered with `UnknownRequest` and changes
 * nothing.
 *
 * @category models
 * @since 0.1.0
 */
export type Protocol =
  | Actor.Request<{
    /** {@link startChild}. */
    readonly _tag: "StartChild"
    /** The new child's spec. */
    readonly spec: ChildSpec<any>
  }, Exit.Exit<ActorRef.ActorRef<any> | undefined, StartChildError>>
  | Actor.Request<{
    /** {@link terminateChild}. */
    readonly _tag: "TerminateChild"
    /** The child's id. */
    readonly id: string
  }, Exit.Exit<void, ChildNotFound>>
  | Actor.Request<{
    /** {@link restartChild}. */
    readonly _tag: "RestartChild"
    /** The child's id. */
    readonly id: string
  }, Exit.Exit<ActorRef.ActorRef<any> | undefined, ChildNotFound | ChildRunning | ChildStartFailed>>
  | Actor.Request<{
    /** {@link deleteChild}. */
    readonly _tag: "DeleteChild"
    /** The child's id. */
    readonly id: string
  }, Exit.Exit<void, ChildNotFound | ChildRunning>>
  | Actor.Request<{
    /** {@link whichChildren}. */
    readonly _tag: "WhichChildren"
  }, ReadonlyArray<ChildInfo>>
  | Actor.Request<{
    /** {@link countChildren}. */
    readonly _tag: "CountChildren"
  }, ChildCounts>
  | Actor.Request<{
    /** This supervisor's part of a {@link snapshot}. */
    readonly _tag: "Snapshot"
  }, Snapshot>

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

const drop = (state: State, dropped: ReadonlySet<ChildRecord>) => {
  if (dropped.size > 0) state.children = state.children.filter((c) => !dropped.has(c))
}

/** Starts children in order; on a failure stops the ones started, in reverse order. */
const startAll = (state: State): Effect.Effect<Exit.Exit<void, ChildStartFailed>> =>
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
        drop(state, new Set([rec]))
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
 * The strategy's plan for the exit of `rec`, executed up to the point of starting: stops the
 * affected children that are running (reverse start order), drops the temporary ones among
 * them, and marks the rest of the range as restarting. Returns the children to start, in order.
 */
const prepare = (state: State, rec: ChildRecord): Effect.Effect<ReadonlyArray<ChildRecord>> =>
  Effect.gen(function*() {
    const index = state.children.indexOf(rec)
    if (index < 0) return []
    const steps = plan(
      state.strategy,
      state.children.map((c) => ({ id: c.spec.id, running: c.ref !== undefined })),
      index
    )
    const toStop = steps.stop.map((i) => state.children[i]!)
    const toStart = steps.start.map((i) => state.children[i]!)
    for (const child of toStop) yield* state.engine.stop(child)
    // temporary children stopped by a group restart are dropped, not restarted
    const dropped = new Set(toStop.filter((c) => c.spec.restart === "temporary"))
    drop(state, dropped)
    const group = toStart.filter((c) => !dropped.has(c))
    for (const child of group) child.status = "restarting"
    return group
  })

/** Restarts after the exit of `rec` per the strategy, after the backoff delay if there is one. */
const restart = (state: State, rec: ChildRecord): Effect.Effect<State | Actor.Stop, never, any> =>
  Effect.gen(function*() {
    const group = yield* prepare(state, rec)
    const delay = yield* state.engine.restartDelay(rec, true)
    if (delay > 0) {
      yield* state.engine.retry(rec, delay)
      return state
    }
    return yield* startGroup(state, group)
  })

/**
 * Starts the children of a restart in order. A failed start counts as another restart, and
 * (as OTP's `try_again`) the child that failed drives another attempt at its own part of the
 * plan: under one-for-all the children restarted in this round are stopped again and the
 * whole group is retried; under rest-for-one the children before the failed one stay up and
 * it and the ones after it are retried. The attempt comes at once, or after the next backoff
 * delay.
 */
const startGroup = (
  state: State,
  group: ReadonlyArray<ChildRecord>
): Effect.Effect<State | Actor.Stop, never, any> =>
  Effect.gen(function*() {
    const { engine } = state
    for (const child of group) {
      if (!state.children.includes(child)) continue
      const outcome: StartOutcome = yield* engine.start(child, true)
      if (outcome._tag === "Started") continue
      if (outcome._tag === "Ignored") {
        if (child.spec.restart === "temporary") drop(state, new Set([child]))
        continue
      }
      child.status = "restarting"
      // counted first, as OTP does when it tries again: if that exceeds the intensity, the
      // children restarted in this round are stopped with all the others
      if (!(yield* engine.addRestart())) return giveUp(state)
      yield* prepare(state, child)
      yield* engine.retry(child, yield* engine.restartDelay(child, false))
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
      if (rec.spec.restart === "temporary") drop(state, new Set([rec]))
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
      return !state.children.some((c) => c.spec.significant && c.status !== "not_running")
  }
}

const onRetryRestart = (s: State, msg: { readonly id: string; readonly token: number }) => {
  const rec = find(s, msg.id)
  if (!s.engine.takeRetry(rec, { _tag: "RetryRestart", ...msg })) return s
  // children of the range that run (restarted in a failed round, or through the API) are
  // stopped again, then the whole range starts in order
  return Effect.flatMap(prepare(s, rec), (group) => startGroup(s, group))
}

/**
 * `terminateChild` of a child whose restart is pending cancels that restart; the other
 * children of its group, waiting for the same restart, are then no longer being restarted.
 */
const cancelGroup = (s: State, rec: ChildRecord) => {
  const index = s.children.indexOf(rec)
  if (index < 0) return
  const steps = plan(s.strategy, s.children.map((c) => ({ id: c.spec.id, running: c.ref !== undefined })), index)
  for (const i of steps.start) {
    const c = s.children[i]!
    if (c !== rec && c.status === "restarting" && c.ref === undefined && !c.retryPending) c.status = "not_running"
  }
}

const behavior = (state: State) =>
  Actor.make<Protocol>()({
    init: () => Effect.succeed(state),
    receive: receiveWith<State, Protocol>({
      Boot: (s) => Effect.map(startAll(s), (result) => Actor.reply(result, s)),
      ChildExited: (s, msg) => onChildExited(s, msg.ref, msg.reason),
      RetryRestart: onRetryRestart,
      Hub: (s) => Actor.reply(s.engine.hub, s)
    }, {
      StartChild: (s: State, msg) => Effect.map(startChildNow(s, msg.spec), (result) => Actor.reply(result, s)),
      TerminateChild: (s: State, msg) =>
        Effect.gen(function*() {
          const rec = find(s, msg.id)
          if (rec === undefined) {
            return Actor.reply(Exit.fail(new ChildNotFound({ supervisor: s.engine.config.label, child: msg.id })), s)
          }
          const pending = rec.status === "restarting" && rec.retryPending
          yield* s.engine.stop(rec)
          if (pending) cancelGroup(s, rec)
          if (rec.spec.restart === "temporary") drop(s, new Set([rec]))
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
        drop(s, new Set([rec]))
        return Actor.reply(Exit.void, s)
      },
      WhichChildren: (s: State) => Actor.reply(s.children.map(childInfo).reverse(), s),
      CountChildren: (s: State) => Actor.reply(count(s.children), s),
      Snapshot: (s: State) =>
        Effect.map(s.engine.snapshot("supervisor", s.strategy, s.children), (snap) => Actor.reply(snap, s))
    }) as never,
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


const startChildNow = (
  s: State,
  spec: ChildSpec<any>
): Effect.Effect<Exit.Exit<ActorRef.ActorRef<any> | undefined, StartChildError>, never, any> =>
  Effect.gen(function*() {
    const label = s.engine.config.label
    const valid = validateChild(label, spec, s.autoShutdown)
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
 * Starts a supervisor and its children (in order) in the current scope; completes once every
 * child has started. Fails with `InvalidChildSpec` before anything starts when the spec (or a
 * nested spec built with {@link child}) is invalid, or with `ChildStartFailed` when a child
 * fails to start (the children started before it are stopped first, in reverse order).
 * Closing the scope stops the supervisor, which stops its children in reverse start order.
 *
 * When started as the child of another supervisor (inside a child spec's `start`), it reports
 * its events through its parent as well.
 *
 * @example
 * ```ts
 * import { Actor, ActorSystem } from "@arbor/core"
 * import { Child, Supervisor } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * const Echo = Actor.make<{ readonly _tag: "Say"; readonly text: string }>()({
 *   init: () => Effect.succeed(null),
 *   receive: { Say: (s, m) => Effect.as(Effect.log(m.text), s) }
 * })
 *
 * const program = Effect.gen(function*() {
 *   const root = yield* Supervisor.start({
 *     strategy: "rest-for-one",
 *     children: [
 *       Child.worker({ id: "a", start: Actor.spawn(Echo) }),
 *       Supervisor.child("nested", {
 *         strategy: "one-for-all",
 *         children: [Child.worker({ id: "b", start: Actor.spawn(Echo), shutdown: "brutal" })]
 *       })
 *     ],
 *     onEvent: (event) => console.log(event._tag, [...event.supervisor, "child" in event ? event.child : ""])
 *   })
 *   console.log(yield* Supervisor.countChildren(root)) // { specs: 2, active: 2, supervisors: 1, workers: 1 }
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = <R = never>(
  spec: SupervisorSpec<R>
): Effect.Effect<
  SupervisorRef,
  InvalidChildSpec | ChildStartFailed,
  Scope.Scope | ActorSystem.ActorSystem | Exclude<R, Scope.Scope>
> =>
  Effect.gen(function*() {
    const checked = validateSupervisorSpec(spec)
    if (checked instanceof InvalidChildSpec) return yield* checked
    const parent = yield* claimRelay
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
      strategy: checked.strategy,
      autoShutdown: checked.autoShutdown,
      children: checked.children.map((v) => makeRecord(v))
    }
    const ref = yield* Effect.orDie(
      Actor.spawn(behavior(state), { shutdown: "infinity", ...(spec.label === undefined ? {} : { label: spec.label }) })
    )
    engine.self = ref as never
    supervisorRefs.add(ref)
    const booted = yield* PrivateChannel.ask(Internal, ref, { _tag: "Boot" }, { timeout: "infinity" }).pipe(
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
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { Child, Supervisor } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * declare const sup: Supervisor.SupervisorRef
 * declare const Cache: Actor.Behavior<{ readonly _tag: "Clear" }>
 *
 * const added = Supervisor.startChild(sup, Child.worker({ id: "cache", start: Actor.spawn(Cache) })).pipe(
 *   Effect.catchTag("ChildAlreadyStarted", (e) => Effect.succeed(e.ref))
 * )
 * ```
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const startChild = <R = never>(
  sup: SupervisorRef,
  spec: ChildSpec<R>
): Effect.Effect<ActorRef.ActorRef<any> | undefined, StartChildError | Errors.AskError> =>
  call(sup, { _tag: "StartChild", spec })

/**
 * Stops a child per its shutdown spec without restarting it. Its spec is kept (not running),
 * except for a temporary child, which is dropped. Stopping a child that is not running
 * succeeds; stopping a child whose restart is pending cancels that restart.
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
 * Counts children as OTP does: specs kept, running children, and children by type.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const countChildren = (sup: SupervisorRef): Effect.Effect<ChildCounts, Errors.AskError> =>
  ActorRef.ask(sup, { _tag: "CountChildren" }, { timeout: "infinity" })

/**
 * A snapshot of the supervisor (static or dynamic) and, recursively, of its running
 * supervisor children: ids, status, restart type, incarnation counts, restarts in the current
 * window and the remaining restart budget. Each supervisor answers for itself, one after the
 * other, so a snapshot of a busy tree is not one atomic instant.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * declare const root: Supervisor.SupervisorRef
 *
 * const print = (s: Supervisor.Snapshot, indent = ""): void => {
 *   console.log(`${indent}${s.label ?? "supervisor"} budget ${s.remainingBudget}/${s.intensity}`)
 *   for (const c of s.children) {
 *     console.log(`${indent}  ${c.id} ${c.status} #${c.incarnation}`)
 *     if (c.supervisor !== undefined) print(c.supervisor, indent + "    ")
 *   }
 * }
 * const program = Effect.map(Supervisor.snapshot(root), (s) => print(s))
 * ```
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
 * The subscription buffers without bound: take from it, or close its scope.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@arbor/supervisor"
 * import { Effect, PubSub } from "effect"
 *
 * declare const root: Supervisor.SupervisorRef
 *
 * const logRestarts = Effect.gen(function*() {
 *   const events = yield* Supervisor.events(root)
 *   while (true) {
 *     const event = yield* PubSub.take(events)
 *     if (event._tag === "ChildStarted" && event.restart) {
 *       console.log(`restarted ${[...event.supervisor, event.child].join("/")} (#${event.incarnation})`)
 *     }
 *   }
 * }).pipe(Effect.scoped)
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export const events = (
  sup: ActorRef.ActorRef<any>
): Effect.Effect<PubSub.Subscription<SupervisionEvent>, Errors.AskError, Scope.Scope> =>
  Effect.flatMap(PrivateChannel.ask(Internal, sup, { _tag: "Hub" }, { timeout: "infinity" }), PubSub.subscribe)

/**
 * A child spec that runs a nested supervisor (type `"supervisor"`, shutdown `"infinity"` by
 * default). The nested spec is validated with its parent's, before anything starts.
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
export const child = <R = never>(
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
  ...(options?.significant === undefined ? {} : { significant: options.significant }),
  [NestedSpec]: { kind: "supervisor", spec }
} as ChildSpec<ActorSystem.ActorSystem | Exclude<R, Scope.Scope>>)
