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
 * **Typed handles and names.** A supervisor's ref carries its children's ids and reference
 * types, so {@link childRef} answers `ActorRef<CounterMsg>` for `"counter"` and a misspelt id
 * does not compile; `ChildStartFailed` is typed with the children's start errors. A child spec's
 * `name` (and this spec's own `name`) registers each incarnation under a `Registry` key as it
 * starts; {@link layer} runs a tree as a `Layer` of an application.
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
 *   const worker = yield* Supervisor.childRef(sup, "worker") // ActorRef<Msg>
 *   yield* ActorRef.tell(worker, { _tag: "Crash" })
 *   // ... the worker is restarted with a fresh state
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @module
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { Actor, ActorRef, type ActorSystem, type Errors, type Reports } from "@arbor/core"
import { Registry } from "@arbor/registry"
import type * as Child from "./Child.ts"
import type { ChildSpec } from "./Child.ts"
import {
  ChildAlreadyPresent,
  ChildAlreadyStarted,
  ChildNotFound,
  ChildNotRunning,
  type ChildRunning,
  ChildStartFailed,
  InvalidChildSpec,
  RootExited
} from "./Errors.ts"
import {
  type Engine,
  hubOf,
  labelledBy,
  launch as launchEngine,
  type NestedOptions,
  type NoOptions,
  nestedChild,
  request,
  requestExit,
  type Requests,
  supervisorRefs
} from "./internal/engine.ts"
import type { AutoShutdown, ChildCounts, ChildInfo, ChildSnapshot, Snapshot, Strategy } from "./internal/model.ts"
import { runMainWith } from "./internal/main.ts"
import { validateChild, validateSupervisorSpec } from "./internal/spec.ts"
import type { SupervisionEvent } from "./SupervisionEvent.ts"

export type { AutoShutdown, ChildCounts, ChildInfo, ChildSnapshot, Snapshot, Strategy } from "./internal/model.ts"

/**
 * A supervisor's options and children; `R` is what its children's starts need.
 *
 * @category models
 * @since 0.1.0
 */
export interface SupervisorSpec<R = never, Children extends ReadonlyArray<Child.Any> = ReadonlyArray<ChildSpec<R>>> {
  /** How children are restarted when one exits. Default `"one-for-one"` (as in OTP). */
  readonly strategy?: Strategy
  /** Maximum restarts within `period` before giving up. Default 3. `0`: give up at the first. */
  readonly intensity?: number
  /** The intensity window. Default `"5 seconds"`. */
  readonly period?: Duration.Input
  /** Whether significant children's own exits shut the supervisor down. Default `"never"`. */
  readonly autoShutdown?: AutoShutdown
  /**
   * The children, in start order. Ids must be unique. Their ids and reference types become the
   * type of the supervisor's ref (see {@link childRef}).
   */
  readonly children: Children
  /**
   * Beyond OTP: before each restart, wait for the next delay of this schedule (per child; its
   * own delays, not its outputs: `Schedule.exponential("100 millis")`, `Schedule.spaced("1
   * second")`, ...). The child shows as `"restarting"` meanwhile; a failed restart attempt waits
   * for the next delay too. The schedule starts over once an incarnation has run for a whole
   * `period`; once it is done, restarts are immediate. Intensity still decides when to give up.
   * Absent: restarts are immediate, exactly as in OTP.
   */
  readonly restartDelay?: Schedule.Schedule<unknown, unknown, never, never>
  /**
   * A label for the supervisor actor, shown in errors, events, reports and snapshots. Default
   * for a nested supervisor (`child(id, spec)`): its child id.
   */
  readonly label?: string
  /**
   * A `Registry` key the supervisor is registered under as it starts (before `start` returns
   * it, or its parent sees it; again on every restart when it is a child). A start while a live
   * actor holds the name fails with `AlreadyRegistered`, nothing started. Needs the `Registry`
   * service.
   */
  readonly name?: Registry.Key<Protocol, undefined>
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
 * `Children` (type-level only) maps its children's ids to their reference types, as {@link start}
 * computed them from the spec; without it, any id is accepted and refs are `ActorRef<any>`.
 *
 * @category models
 * @since 0.1.0
 */
export interface SupervisorRef<out Children = ChildRefs> extends ActorRef.ActorRef<Protocol> {
  /** Type-level only: the children's ids and reference types. */
  readonly [ChildrenTypeId]?: () => Children
}

declare const ChildrenTypeId: unique symbol

/**
 * The children's reference types of a supervisor whose children are not known statically.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type ChildRefs = { readonly [id: string]: ActorRef.ActorRef<any> }

/**
 * The ids a supervisor ref with children `Children` accepts.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type ChildId<Children> = keyof Children & string

/**
 * The requests a supervisor accepts from outside; use the functions of this module rather than
 * sending them directly.
 *
 * Its internal messages (boot, child exits, restart retries) are not part of it: they travel on a
 * private channel only the supervisor and this package hold, and a message outside this protocol
 * (sent by casting) is answered with `UnknownRequest` and changes nothing.
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
    /** {@link childRef}. */
    readonly _tag: "ChildRef"
    /** The child's id. */
    readonly id: string
  }, Exit.Exit<ActorRef.ActorRef<any>, ChildNotFound | ChildNotRunning>>
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
export type StartChildError<E = unknown> =
  | InvalidChildSpec
  | ChildAlreadyStarted
  | ChildAlreadyPresent
  | ChildStartFailed<E>

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
  ChildRef: (engine, msg) => {
    const rec = engine.find(msg.id)
    if (rec === undefined) {
      return Actor.reply(Exit.fail(new ChildNotFound({ supervisor: engine.label, child: String(msg.id) })), engine)
    }
    if (rec.ref === undefined) {
      const status = rec.status === "restarting" ? "restarting" : "not_running"
      return Actor.reply(Exit.fail(new ChildNotRunning({ supervisor: engine.label, child: msg.id, status })), engine)
    }
    return Actor.reply(Exit.succeed(rec.ref), engine)
  },
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
 * child has started.
 *
 * Fails with `InvalidChildSpec` before anything starts when the spec (or a nested spec built with
 * {@link child}) is invalid, or with `ChildStartFailed` when a child fails to start (the children
 * started before it are stopped first, in reverse order). Closing the scope stops the supervisor,
 * which stops its children in reverse start order.
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
export const start = <const S extends AnySupervisorSpec>(
  spec: S
): Effect.Effect<
  RefOfSpec<S>,
  InvalidChildSpec | ChildStartFailed<Child.ErrorOf<S["children"][number]>> | Child.Named<Child.NameIn<S>, Registry.AlreadyRegistered>,
  Scope.Scope | ActorSystem.ActorSystem | ServicesOfSpec<S>
> =>
  Effect.gen(function*() {
    const checked = validateSupervisorSpec(spec)
    if (checked instanceof InvalidChildSpec) return yield* checked
    const started = launchEngine<Protocol>({
      kind: "supervisor",
      spec,
      intensity: checked,
      policy: { kind: "static", strategy: checked.strategy, autoShutdown: checked.autoShutdown },
      children: checked.children,
      requests
    })
    return yield* (spec.name === undefined ? started : Registry.named(spec.name, started))
  }) as never

/**
 * Any supervisor spec (the constraint of {@link start}'s argument).
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type AnySupervisorSpec = SupervisorSpec<any, ReadonlyArray<Child.Any>>

/**
 * The ref {@link start} gives for spec `S`: typed with its children's ids and references.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type RefOfSpec<S extends AnySupervisorSpec> = SupervisorRef<Child.RefsOf<S["children"]>>

/**
 * The services a supervisor started from spec `S` needs.
 *
 * The services a supervisor started from spec `S` needs besides `Scope` and `ActorSystem`:
 * its children's, and `Registry` when it or a child has a `name`.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type ServicesOfSpec<S extends AnySupervisorSpec> =
  | Child.ServicesOf<S["children"][number]>
  | Child.Named<Child.NameIn<S>, Registry.Registry>

/**
 * Adds a child at run time and starts it; it joins the end of the start order.
 *
 * Fails with `InvalidChildSpec`, `ChildAlreadyStarted` (id running), `ChildAlreadyPresent` (id kept
 * but not running) or `ChildStartFailed` (nothing is kept). Succeeds with the child's ref, or
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
export const startChild = <R, A extends Child.StartResult, E>(
  sup: SupervisorRef<any>,
  spec: ChildSpec<R, A, E, string>
): Effect.Effect<Child.Started<A>, StartChildError<E> | Errors.AskError> =>
  requestExit(sup, { _tag: "StartChild", spec })

/**
 * The running instance of a child, typed by its id.
 *
 * The running instance of a child, typed by its id: for a supervisor started with
 * `Child.worker({ id: "counter", start: Actor.spawn(Counter) })`, `childRef(sup, "counter")`
 * is an `ActorRef<CounterMsg>` and an id that is not one of its children does not compile.
 *
 * Fails with `ChildNotFound` (no such child, e.g. one added with {@link startChild}) or
 * `ChildNotRunning` (being restarted, or kept without an instance). A ref names one incarnation:
 * after a restart, ask again (or give the child a `name` and use the registry).
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, ActorSystem } from "@arbor/core"
 * import { Child, Supervisor } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * type CounterMsg = { readonly _tag: "Add"; readonly n: number } | Actor.Request<{ readonly _tag: "Get" }, number>
 * const Counter = Actor.make<CounterMsg>()({
 *   init: () => Effect.succeed(0),
 *   receive: { Add: (s, m) => s + m.n, Get: (s) => Actor.reply(s, s) }
 * })
 *
 * const program = Effect.gen(function*() {
 *   const sup = yield* Supervisor.start({
 *     strategy: "one-for-one",
 *     children: [Child.worker({ id: "counter", start: Actor.spawn(Counter) })]
 *   })
 *   const counter = yield* Supervisor.childRef(sup, "counter") // ActorRef<CounterMsg>
 *   yield* ActorRef.tell(counter, { _tag: "Add", n: 2 })
 *   return yield* ActorRef.ask(counter, { _tag: "Get" }) // 2
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const childRef = <Children, Id extends ChildId<Children>>(
  sup: SupervisorRef<Children>,
  id: Id
): Effect.Effect<Children[Id], ChildNotFound | ChildNotRunning | Errors.AskError> =>
  requestExit(sup as SupervisorRef<any>, { _tag: "ChildRef", id })

/**
 * Stops a child per its shutdown spec without restarting it.
 *
 * Its spec is kept (not running), except for a temporary child, which is dropped. Stopping a child
 * that is not running succeeds; stopping a child whose restart is pending cancels that restart.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const terminateChild = (
  sup: SupervisorRef<any>,
  id: string
): Effect.Effect<void, ChildNotFound | Errors.AskError> => requestExit(sup, { _tag: "TerminateChild", id })

/**
 * Starts a kept child that is not running.
 *
 * Fails with `ChildRunning` when it runs or is being restarted, `ChildNotFound`, or
 * `ChildStartFailed` (no retry, no intensity cost).
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const restartChild = <Children, const Id extends string>(
  sup: SupervisorRef<Children>,
  id: Id
): Effect.Effect<
  (Id extends keyof Children ? Children[Id] : ActorRef.ActorRef<any>) | undefined,
  ChildNotFound | ChildRunning | ChildStartFailed | Errors.AskError
> => requestExit(sup as SupervisorRef<any>, { _tag: "RestartChild", id })

/**
 * Removes the spec of a child that is not running.
 *
 * Fails with `ChildRunning` or `ChildNotFound`.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const deleteChild = (
  sup: SupervisorRef<any>,
  id: string
): Effect.Effect<void, ChildNotFound | ChildRunning | Errors.AskError> => requestExit(sup, { _tag: "DeleteChild", id })

/**
 * The children in OTP's order: reverse start order (newest first), the order they would be
 * stopped in.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const whichChildren = <Children>(
  sup: SupervisorRef<Children>
): Effect.Effect<ReadonlyArray<ChildInfo<Children[keyof Children]>>, Errors.AskError> =>
  request(sup, { _tag: "WhichChildren" })

/**
 * Counts children as OTP does: specs kept, running children, and children by type.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const countChildren = (sup: SupervisorRef<any>): Effect.Effect<ChildCounts, Errors.AskError> =>
  request(sup, { _tag: "CountChildren" })

/**
 * A snapshot of a supervisor and, recursively, of its running supervisor children.
 *
 * A snapshot of the supervisor (static or dynamic) and, recursively, of its running
 * supervisor children: ids, status, restart type, incarnation counts, restarts in the current
 * window and the remaining restart budget.
 *
 * Each supervisor answers for itself, one after the other, so a snapshot of a busy tree is not one
 * atomic instant.
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
 * enclosing scope lives.
 *
 * To see the events of the start itself, pass `onEvent` in the spec. The subscription buffers
 * without bound: take from it, or close its scope.
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
 * default).
 *
 * The nested spec is validated with its parent's, before anything starts.
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
export const child = <const Id extends string, const S extends AnySupervisorSpec, O extends NestedOptions = NoOptions>(
  id: Id,
  spec: S,
  options?: O
): ChildSpec<
  ActorSystem.ActorSystem | ServicesOfSpec<S> | Child.Named<Child.NameIn<O>, Registry.Registry>,
  RefOfSpec<S>,
  | InvalidChildSpec
  | ChildStartFailed<Child.ErrorOf<S["children"][number]>>
  | Child.Named<Child.NameIn<S>, Registry.AlreadyRegistered>
  | Child.Named<Child.NameIn<O>, Registry.AlreadyRegistered>,
  Id,
  Exclude<Child.NameIn<O>, undefined>
> => {
  const labelled = labelledBy(id, spec)
  return nestedChild(id, { kind: "supervisor", spec: labelled }, start(labelled) as Effect.Effect<SupervisorRef<any>, unknown, any>, options) as never
}

// -----------------------------------------------------------------------------------------
// applications
// -----------------------------------------------------------------------------------------

/**
 * What {@link layer} provides: the running root supervisor of an application.
 *
 * @category models
 * @since 0.1.0
 */
export interface RootService<Children = ChildRefs> {
  /**
   * The root supervisor. Through {@link Root} its children are untyped; through the `root` of
   * the {@link TreeLayer} that built it they are typed by its spec.
   */
  readonly ref: SupervisorRef<Children>
  /**
   * Fails with `RootExited` once the root ends on its own (never, with `onRootExit:
   * "continue"`, or when the application itself is closing).
   */
  readonly exited: Effect.Effect<never, RootExited>
}

/**
 * The service key of an application's root supervisor (provided by {@link layer}).
 *
 * @category services
 * @since 0.1.0
 */
export class Root extends Context.Service<Root, RootService>()("@arbor/supervisor/Root") {}

/**
 * What {@link layer} returns: the tree's `Layer`, with its root and children typed by its spec.
 *
 * What {@link layer} returns: the tree's `Layer`, plus `root`, the running root typed by the
 * spec the layer was made from (`root.ref` is a `SupervisorRef<RefsOf<children>>`, so
 * `childRef(root.ref, "sessions")` is typed without annotations).
 *
 * `root` reads {@link Root}, so use it where this layer is provided (a layer built on it, as {@link
 * layer}'s example shows); when the `Root` it finds was built by another `layer` call it dies with
 * a defect saying so, rather than hand out a ref of the wrong type.
 *
 * @category models
 * @since 0.1.0
 */
export interface TreeLayer<S extends AnySupervisorSpec, E, R> extends Layer.Layer<Root, E, R> {
  /** The root this layer started, typed by its spec. */
  readonly root: Effect.Effect<RootService<Child.RefsOf<S["children"]>>, never, Root>
  /**
   * The running instance of the root's child `id`, typed by the spec: {@link childRef} on
   * `root.ref` (`Tree.childRef("sessions")` where the layer is provided).
   */
  readonly childRef: <Id extends ChildId<Child.RefsOf<S["children"]>>>(
    id: Id
  ) => Effect.Effect<Child.RefsOf<S["children"]>[Id], ChildNotFound | ChildNotRunning | Errors.AskError, Root>
}

/**
 * Options of {@link layer}.
 *
 * @category models
 * @since 0.1.0
 */
export interface LayerOptions {
  /**
   * What the root ending on its own (giving up after too many restarts, an auto-shutdown, a stop
   * from outside) means for the application: `"fail"` (default, OTP's permanent application):
   * `Root.exited` fails with `RootExited`, so {@link launch} ends the program with the root's
   * reason; `"continue"` (OTP's temporary application): the rest of the application runs on.
   */
  readonly onRootExit?: "fail" | "continue"
}

/**
 * A supervision tree as a `Layer`: started when built, stopped in order when released.
 *
 * A supervision tree as a `Layer`: building it starts the root supervisor and its children
 * (in order, as {@link start}); releasing it — the end of the program, or SIGTERM/SIGINT under
 * a runtime's `runMain` — stops the tree in reverse start order, each child per its shutdown
 * spec, after the layers built on top of it have been released (an HTTP server that uses the
 * tree closes first, so its in-flight requests are answered by live actors).
 *
 * Provides {@link Root}. Run an application with {@link launch} so that the root giving up ends the
 * program with its reason.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, ActorSystem } from "@arbor/core"
 * import { Child, Supervisor } from "@arbor/supervisor"
 * import { Effect, Layer } from "effect"
 *
 * const Ticker = Actor.make<{ readonly _tag: "Tick" }>()({
 *   init: () => Effect.succeed(0),
 *   receive: { Tick: (n) => n + 1 }
 * })
 *
 * const Tree = Supervisor.layer({
 *   strategy: "one-for-one",
 *   label: "app",
 *   children: [Child.worker({ id: "ticker", start: Actor.spawn(Ticker) })]
 * })
 * // a layer built on the tree reads its children typed by the spec
 * const Tick = Layer.effectDiscard(Effect.flatMap(Tree.childRef("ticker"), (ticker) => ActorRef.tell(ticker, { _tag: "Tick" })))
 * const App = Tick.pipe(Layer.provide(Tree), Layer.provide(ActorSystem.layer))
 *
 * // runs until interrupted (SIGTERM under runMain); fails with RootExited if the root gives up
 * const main = Supervisor.launch(App)
 * ```
 *
 * @category applications
 * @since 0.1.0
 */
export const layer = <const S extends AnySupervisorSpec>(
  spec: S,
  options?: LayerOptions
): TreeLayer<
  S,
  | InvalidChildSpec
  | ChildStartFailed<Child.ErrorOf<S["children"][number]>>
  | Child.Named<Child.NameIn<S>, Registry.AlreadyRegistered>,
  ActorSystem.ActorSystem | ServicesOfSpec<S>
> => {
  const built = new WeakSet<RootService>()
  const tree = Layer.effect(
    Root,
    Effect.gen(function*() {
      const onRootExit = options?.onRootExit ?? "fail"
      if (onRootExit !== "fail" && onRootExit !== "continue") {
        return yield* new InvalidChildSpec({
          supervisor: spec.label,
          child: undefined,
          field: "onRootExit",
          value: onRootExit,
          reason: `must be "fail" or "continue"`
        })
      }
      const ref = (yield* (start(spec) as Effect.Effect<unknown, never, Scope.Scope>)) as SupervisorRef
      const exited = yield* Deferred.make<never, RootExited>()
      let closing = false
      // added after the supervisor's own finalizer, so it runs first: a stop caused by the
      // application closing is not the root ending on its own
      yield* Effect.addFinalizer(() => Effect.sync(() => (closing = true)))
      ActorRef.onExit(ref, (reason) => {
        if (closing || onRootExit === "continue") return
        Deferred.doneUnsafe(exited, Exit.fail(new RootExited({ supervisor: spec.label, reason })))
      })
      const service: RootService = { ref, exited: Deferred.await(exited) }
      built.add(service)
      return service
    })
  )
  const root = Effect.flatMap(Root, (service: RootService) =>
    built.has(service)
      ? Effect.succeed(service)
      : Effect.die(new Error(`the Root in this context was not built by this Supervisor.layer (${spec.label ?? "unlabelled"})`)))
  const childOf = (id: string) => Effect.flatMap(root, (service) => childRef(service.ref, id))
  return Object.assign(tree, { root, childRef: childOf }) as never
}

/**
 * Runs an application until it is interrupted, or fails when its root supervisor ends on its own.
 *
 * Runs an application — a `Layer` that includes a {@link layer} tree — until it is interrupted
 * (SIGTERM/SIGINT under `runMain`), as `Layer.launch` does, and fails with `RootExited` when
 * the root supervisor ends on its own (unless its layer says `onRootExit: "continue"`).
 *
 * On either, the application's layers are released in reverse order: the ones built on the tree
 * first, then the tree (children stopped in reverse start order, each per its shutdown spec). An
 * application without a `Root` runs until interrupted.
 *
 * @example
 * ```ts
 * import { ActorSystem } from "@arbor/core"
 * import { Supervisor } from "@arbor/supervisor"
 * import { Effect, Layer } from "effect"
 *
 * const Tree = Supervisor.layer({ strategy: "one-for-one", children: [] })
 * const main: Effect.Effect<never, unknown> = Supervisor.launch(Tree.pipe(Layer.provide(ActorSystem.layer)))
 * ```
 *
 * @category applications
 * @since 0.1.0
 */
export const launch = <ROut, E, R>(app: Layer.Layer<ROut, E, R>): Effect.Effect<never, E | RootExited, R> =>
  Effect.scoped(
    Effect.flatMap(Layer.build(app), (context) => {
      const root = Context.getOption(context as Context.Context<unknown>, Root)
      return Option.isSome(root) ? root.value.exited : Effect.never
    })
  )

/**
 * Runs an application as a Node program: its tree, SIGTERM/SIGINT and its exit code.
 *
 * Given a `Layer` (an application built on a {@link layer} tree) it runs {@link launch} of it;
 * given an `Effect`, that effect. It provides `ActorSystem.layer` and `Registry.layer` to what
 * the program does not provide itself. The first SIGTERM or SIGINT interrupts the program: the
 * application's layers are released in reverse order (a server built on the tree closes and
 * answers its requests in flight, then the tree stops in reverse start order, each child per its
 * shutdown spec), and the process exits with code `0`. A second signal while that drain runs
 * ends the process at once (Node's default). A program that fails — the root gave up
 * (`RootExited`), the tree failed to start — has its error logged and exits with code `1`; one
 * that succeeds exits with `0`.
 *
 * This is Effect's `Runtime.makeRunMain` with the signal handling of `@effect/platform-node`'s
 * `NodeRuntime.runMain` (which declares Node >= 22.19), except that a drained signal exits `0`
 * rather than `130`. Anything that is neither a `Layer` nor an `Effect` throws a `TypeError`
 * saying so, before anything runs.
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { Child, Supervisor } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * const Ticker = Actor.make<{ readonly _tag: "Tick" }, number>()({
 *   init: (ctx) => Effect.as(ctx.timers.startPeriodic("tick", { _tag: "Tick" }, "1 second"), 0),
 *   receive: { Tick: (n) => n + 1 }
 * })
 * const Tree = Supervisor.layer({
 *   strategy: "one-for-one",
 *   children: [Child.worker({ id: "ticker", start: Actor.spawn(Ticker) })]
 * })
 *
 * Supervisor.runMain(Tree) // runs until SIGTERM (exit 0) or until the root gives up (exit 1)
 * ```
 *
 * @category applications
 * @since 0.1.0
 */
export const runMain: {
  <ROut, E>(app: Layer.Layer<ROut, E, ActorSystem.ActorSystem | Registry.Registry>): void
  <A, E>(program: Effect.Effect<A, E, ActorSystem.ActorSystem | Registry.Registry>): void
} = (main: unknown): void => runMainWith(process, launch)(main)
