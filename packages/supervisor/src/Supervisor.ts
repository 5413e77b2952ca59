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
import { Actor, ActorRef, type ActorSystem, type Errors, type Reports } from "@arbor/core"
import type { ChildSpec } from "./Child.ts"
import {
  ChildAlreadyPresent,
  ChildAlreadyStarted,
  ChildNotFound,
  type ChildRunning,
  ChildStartFailed,
  InvalidChildSpec
} from "./Errors.ts"
import {
  type Engine,
  hubOf,
  launch,
  type NestedOptions,
  nestedChild,
  request,
  requestExit,
  type Requests,
  supervisorRefs
} from "./internal/engine.ts"
import type { AutoShutdown, ChildCounts, ChildInfo, ChildSnapshot, Snapshot, Strategy } from "./internal/model.ts"
import { validateChild, validateSupervisorSpec } from "./internal/spec.ts"
import type { SupervisionEvent } from "./SupervisionEvent.ts"

export type { AutoShutdown, ChildCounts, ChildInfo, ChildSnapshot, Snapshot, Strategy } from "./internal/model.ts"

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
   * from the moment it starts (so it sees the start itself). It may return an Effect (to log
   * with `Effect.log*`, update a `Ref`, ...), which the supervisor runs on its own fiber with
   * the services it was started with, without waiting for it. An observer that throws, or
   * whose Effect fails, is ignored.
   */
  readonly onEvent?: (event: SupervisionEvent) => void | Effect.Effect<unknown, unknown, never>
  /**
   * The levels of this supervisor's own reports through `Effect.log*` (child terminated,
   * restart, start failed, give-up, auto-shutdown), over the `Reports` in force where it
   * starts; `false` turns them off. See `Reports` in `@arbor/core`.
   */
  readonly reports?: Partial<Reports.ReportLevels> | false
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

/** The public requests, each one call into the engine. */
const requests: Requests<Protocol> = {
  StartChild: (engine, msg) =>
    Effect.map(startChildNow(engine, msg.spec), (result) => Actor.reply(result, engine)),
  TerminateChild: (engine, msg) => {
    const rec = engine.find(msg.id)
    if (rec === undefined) {
      return Actor.reply(Exit.fail(new ChildNotFound({ supervisor: engine.label, child: String(msg.id) })), engine)
    }
    return Effect.as(engine.terminate(rec), Actor.reply(Exit.void, engine))
  },
  RestartChild: (engine, msg) => Effect.map(engine.restartChild(msg.id), (result) => Actor.reply(result, engine)),
  DeleteChild: (engine, msg) => Actor.reply(engine.deleteChild(msg.id), engine),
  WhichChildren: (engine) => Actor.reply(engine.infos().reverse(), engine),
  CountChildren: (engine) => Actor.reply(engine.count(), engine),
  Snapshot: (engine) => Actor.reply(engine.snapshot("supervisor"), engine)
}

const startChildNow = (
  engine: Engine,
  spec: ChildSpec<any>
): Effect.Effect<Exit.Exit<ActorRef.ActorRef<any> | undefined, StartChildError>> => {
  const label = engine.label
  const valid = validateChild(label, spec, engine.config.policy.autoShutdown)
  if (valid instanceof InvalidChildSpec) return Effect.succeed(Exit.fail(valid))
  const existing = engine.find(valid.id)
  if (existing !== undefined) {
    return Effect.succeed(Exit.fail(
      existing.ref !== undefined
        ? new ChildAlreadyStarted({ supervisor: label, child: valid.id, ref: existing.ref })
        : new ChildAlreadyPresent({ supervisor: label, child: valid.id })
    ))
  }
  return engine.add(valid)
}

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
    return yield* launch<Protocol>({
      kind: "supervisor",
      spec,
      intensity: checked,
      policy: { kind: "static", strategy: checked.strategy, autoShutdown: checked.autoShutdown },
      children: checked.children,
      requests
    })
  }) as never

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
  requestExit(sup, { _tag: "StartChild", spec })

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
): Effect.Effect<void, ChildNotFound | Errors.AskError> => requestExit(sup, { _tag: "TerminateChild", id })

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
> => requestExit(sup, { _tag: "RestartChild", id })

/**
 * Removes the spec of a child that is not running. Fails with `ChildRunning` or `ChildNotFound`.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const deleteChild = (
  sup: SupervisorRef,
  id: string
): Effect.Effect<void, ChildNotFound | ChildRunning | Errors.AskError> => requestExit(sup, { _tag: "DeleteChild", id })

/**
 * The children in OTP's order: reverse start order (newest first), the order they would be
 * stopped in.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const whichChildren = (sup: SupervisorRef): Effect.Effect<ReadonlyArray<ChildInfo>, Errors.AskError> =>
  request(sup, { _tag: "WhichChildren" })

/**
 * Counts children as OTP does: specs kept, running children, and children by type.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const countChildren = (sup: SupervisorRef): Effect.Effect<ChildCounts, Errors.AskError> =>
  request(sup, { _tag: "CountChildren" })

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
    const own = yield* request<Snapshot>(sup, { _tag: "Snapshot" })
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
  Effect.flatMap(hubOf(sup), PubSub.subscribe)

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
  options?: NestedOptions
): ChildSpec<ActorSystem.ActorSystem | Exclude<R, Scope.Scope>> =>
  nestedChild(id, { kind: "supervisor", spec }, start(spec) as Effect.Effect<SupervisorRef, unknown, any>, options)
