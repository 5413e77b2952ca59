/**
 * Dynamic supervisors: children started at run time from one template.
 *
 * Dynamic supervisors (OTP's `simple_one_for_one`, Elixir's `DynamicSupervisor`): every child
 * is started at run time from one template plus per-child arguments — one child per session,
 * connection or job.
 *
 * It is its own module rather than a mode of `Supervisor` because its use differs: children
 * have no ids or order, are addressed by reference, may be capped by `maxChildren`, and are
 * stopped concurrently when the supervisor stops. Restart types, restart intensity, shutdown
 * specs, backoff and auto-shutdown follow the same rules as `Supervisor` (each child is
 * restarted on its own, with the arguments it was started with; with `significant: true` and
 * `autoShutdown`, a child's own exit can end the supervisor, as in OTP's `simple_one_for_one`).
 *
 * **Typed handles.** The ref carries the template's argument, reference and error types:
 * {@link startChild} succeeds with the template's `ActorRef<Msg>` (no cast), {@link
 * whichChildren} keeps `Args`, and `ChildStartFailed` carries the template's error type.
 *
 * **Names.** With `childName`, each child is registered under the `Registry` key made from its
 * arguments as it starts (again on every restart), is called by that name in events and
 * errors, and {@link startOrLookup} gives the running child of a name or starts it — one
 * child per name even when many callers ask at once (Elixir's `{:error, {:already_started,
 * pid}}`, without a `Cause` to dig through).
 *
 * @example
 * ```ts
 * import { Actor, ActorSystem } from "@arbor/core"
 * import { DynamicSupervisor } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * const Session = (user: string) =>
 *   Actor.make<{ readonly _tag: "Touch" }>()({
 *     init: () => Effect.succeed({ user, touches: 0 }),
 *     receive: { Touch: (s) => ({ ...s, touches: s.touches + 1 }) }
 *   })
 *
 * const program = Effect.gen(function*() {
 *   const sessions = yield* DynamicSupervisor.start({
 *     child: (user: string) => Actor.spawn(Session(user)),
 *     restart: "transient",
 *     maxChildren: 10_000
 *   })
 *   const alice = yield* DynamicSupervisor.startChild(sessions, "alice") // ActorRef<{ readonly _tag: "Touch" }>
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @module
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { Actor, ActorRef, type ActorSystem, type Errors, type Reports } from "@arbor/core"
import { Registry } from "@arbor/registry"
import * as Option from "effect/Option"
import type * as Child from "./Child.ts"
import type { ChildSpec, ChildType, RestartType, Shutdown } from "./Child.ts"
import {
  ChildAlreadyStarted,
  ChildNotFound,
  ChildNotRunning,
  ChildStartFailed,
  InvalidChildSpec,
  MaxChildrenReached
} from "./Errors.ts"
import { type Engine, labelledBy, launch, type NestedOptions, type NoOptions, nestedChild, request, requestExit, type Requests } from "./internal/engine.ts"
import type { AutoShutdown, ChildCounts, ChildInfo, DynamicChildInfo, Snapshot } from "./internal/model.ts"
import { type ValidChild, type ValidDynamicSpec, validateDynamicSpec } from "./internal/spec.ts"
import type { SupervisionEvent } from "./SupervisionEvent.ts"

/**
 * A dynamic supervisor's template and options; `Args` are the per-child arguments, `R` what
 * the template's start needs.
 *
 * @category models
 * @since 0.1.0
 */
export interface DynamicSupervisorSpec<Args, R = never, A extends Child.StartResult = Child.StartResult, E = unknown> {
  /**
   * Starts one child from its arguments; called again with the same arguments for each
   * restart. A call that throws or returns something other than an Effect is a failed start.
   * What it returns types {@link startChild}'s result.
   */
  readonly child: (args: Args) => Effect.Effect<A, E, R | Scope.Scope>
  /**
   * Names each child: the `Registry` key of the child started with `args`. The child is
   * registered under it as it starts (again on every restart), its id in events and
   * `whichChildren` is the key's name, a second start of a name that is taken fails with
   * `ChildAlreadyStarted` (carrying the holder's typed ref), and {@link startOrLookup} works.
   * Needs the `Registry` service.
   */
  readonly childName?: (args: Args) => Registry.Key<Child.MsgOf<A>, undefined>
  /**
   * A `Registry` key the dynamic supervisor itself is registered under as it starts (as
   * `Supervisor.SupervisorSpec.name`). Needs the `Registry` service.
   */
  readonly name?: Registry.Key<Protocol<Args>, undefined>
  /** Default `"permanent"`. */
  readonly restart?: RestartType
  /** Default `"5 seconds"` for workers, `"infinity"` for supervisors. */
  readonly shutdown?: Shutdown
  /** Whether the children are workers (default) or supervisors. */
  readonly type?: ChildType
  /**
   * Whether the children are significant: their own exits (when not restarted) may shut the
   * supervisor down, per `autoShutdown`. Not allowed on a permanent template or with
   * `autoShutdown` `"never"`. Default `false`.
   */
  readonly significant?: boolean
  /**
   * When significant children shut the supervisor down (OTP's `simple_one_for_one`):
   * `"never"` (default), `"any-significant"` (the first child that exits on its own and is not
   * restarted) or `"all-significant"` (the last child left does). `terminateChild` never
   * triggers it.
   */
  readonly autoShutdown?: AutoShutdown
  /** At most this many children at once; `startChild` beyond it fails with `MaxChildrenReached`. */
  readonly maxChildren?: number
  /** Default 3. */
  readonly intensity?: number
  /** Default `"5 seconds"`. */
  readonly period?: Duration.Input
  /** Backoff between restarts; see `Supervisor.SupervisorSpec.restartDelay`. */
  readonly restartDelay?: Schedule.Schedule<unknown, unknown, never, never>
  /**
   * A label for the supervisor actor, shown in errors, events, reports and snapshots. Default
   * for a nested supervisor (`child(id, spec)`): its child id.
   */
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
 * A reference to a running dynamic supervisor whose children take arguments `Args`.
 *
 * A reference to a running dynamic supervisor whose children take arguments `Args`; `A` and
 * `E` (type-level only) are what its template's start returns and how it fails; `Named`
 * (type-level only) is `true` when its template has a `childName`, `false` when it has none
 * (then {@link startOrLookup} does not compile), `boolean` when that is not known.
 *
 * @category models
 * @since 0.1.0
 */
export interface DynamicSupervisorRef<Args, out A = Child.StartResult, out E = unknown, out Named extends boolean = boolean>
  extends ActorRef.ActorRef<Protocol<Args>>
{
  /** Type-level only: what the template's start returns, how it fails, whether it names children. */
  readonly [TemplateTypeId]?: () => readonly [A, E, Named]
}

declare const TemplateTypeId: unique symbol

/**
 * The requests a dynamic supervisor accepts from outside; use the functions of this module
 * instead.
 *
 * As for `Supervisor.Protocol`, its internal messages travel on a private channel, and anything
 * else is answered with `UnknownRequest`.
 *
 * @category models
 * @since 0.1.0
 */
export type Protocol<Args> =
  | Actor.Request<{
    /** {@link startChild}. */
    readonly _tag: "StartChild"
    /** The new child's arguments. */
    readonly args: Args
    /** {@link startOrLookup}: answer with the running child of the name instead of failing. */
    readonly lookup?: boolean
  }, Exit.Exit<ActorRef.ActorRef<any> | undefined, StartChildError>>
  | Actor.Request<{
    /** {@link terminateChild}. */
    readonly _tag: "TerminateChild"
    /** The child's reference. */
    readonly ref: ActorRef.ActorRef<any>
  }, Exit.Exit<void, ChildNotFound>>
  | Actor.Request<{
    /** {@link whichChildren}. */
    readonly _tag: "WhichChildren"
  }, ReadonlyArray<ChildInfo>>
  | Actor.Request<{
    /** {@link countChildren}. */
    readonly _tag: "CountChildren"
  }, ChildCounts>
  | Actor.Request<{
    /** This supervisor's part of a `Supervisor.snapshot`. */
    readonly _tag: "Snapshot"
  }, Snapshot>

/**
 * Errors of {@link startChild} (and of {@link startOrLookup}, without `ChildAlreadyStarted`).
 *
 * `ChildAlreadyStarted` (the name is held), `ChildNotRunning` (the child of that name is being
 * restarted) and `InvalidChildSpec` (`childName` did not return a key) only occur with a
 * `childName`.
 *
 * @category errors
 * @since 0.1.0
 */
export type StartChildError<A = Child.StartResult, E = unknown> =
  | ChildStartFailed<E>
  | MaxChildrenReached
  | ChildAlreadyStarted<Child.RefOf<A>>
  | ChildNotRunning
  | InvalidChildSpec

/** The start effect of one child: the template applied to its arguments, on every attempt. */
const startOf = (template: (args: unknown) => unknown, args: unknown): Effect.Effect<unknown, unknown> =>
  Effect.suspend(() => {
    const start = template(args)
    if (Effect.isEffect(start)) return start as Effect.Effect<unknown, unknown>
    return Effect.die(new TypeError(`the child template returned ${typeof start}, not an Effect`))
  })

/**
 * Adds and starts one child as `spec.id` and answers the `StartChild` request with its outcome;
 * `numbered`: the id is the number `"#n"`, which the start turns into `"label#n"` when the child
 * has a label.
 */
const startAs = (engine: Engine, spec: ValidChild, args: unknown, numbered: boolean) =>
  Effect.map(engine.add(spec, [args], numbered), (result) => Actor.reply(result, engine))

/** The public requests of a dynamic supervisor with this template, each one call into the engine. */
const requestsOf = (checked: ValidDynamicSpec): Requests<Protocol<unknown>> => {
  let nextId = 1
  return {
    StartChild: (engine, msg) => {
      const fail = (error: StartChildError) => Actor.reply(Exit.fail(error), engine)
      const found = (child: string, ref: ActorRef.ActorRef<any>) =>
        msg.lookup === true
          ? Actor.reply(Exit.succeed(ref), engine)
          : fail(new ChildAlreadyStarted({ supervisor: engine.label, child, ref }))
      const startNew = (id: string, start: Effect.Effect<unknown, unknown, any>, numbered: boolean) => {
        if (engine.size >= checked.maxChildren) {
          return fail(new MaxChildrenReached({ supervisor: engine.label, maxChildren: checked.maxChildren }))
        }
        return startAs(engine, { ...checked.base, id, start }, msg.args, numbered)
      }
      if (checked.childName === undefined) {
        if (msg.lookup === true) {
          return fail(
            new InvalidChildSpec({
              supervisor: engine.label,
              child: undefined,
              field: "childName",
              value: undefined,
              reason: "startOrLookup needs a template with a childName"
            })
          )
        }
        return startNew(`#${nextId++}`, startOf(checked.template, msg.args), true)
      }
      let key: unknown
      try {
        key = checked.childName(msg.args)
      } catch (error) {
        key = error
      }
      if (!Registry.isKey(key)) {
        return fail(
          new InvalidChildSpec({
            supervisor: engine.label,
            child: undefined,
            field: "childName",
            value: key,
            reason: "must return a Registry key for the arguments"
          })
        )
      }
      const id = key.name
      const rec = engine.find(id)
      if (rec !== undefined) {
        if (rec.ref !== undefined) return found(id, rec.ref)
        const status = rec.status === "restarting" ? "restarting" : "not_running"
        return fail(new ChildNotRunning({ supervisor: engine.label, child: id, status }))
      }
      return Effect.flatMap(Registry.lookup(key), (holder) => {
        const next: unknown = Option.isSome(holder)
          ? found(id, holder.value)
          : startNew(id, Registry.named(key, startOf(checked.template, msg.args)), false)
        return Effect.isEffect(next) ? next : Effect.succeed(next)
      }) as Effect.Effect<unknown, never, any>
    },
    TerminateChild: (engine, msg) => {
      const rec = engine.findByRef(msg.ref)
      if (rec !== undefined) return Effect.as(engine.terminate(rec), Actor.reply(Exit.void, engine))
      // as in OTP: terminating a reference that already ended is not an error
      if (ActorRef.isActorRef(msg.ref) && !ActorRef.isAliveUnsafe(msg.ref)) return Actor.reply(Exit.void, engine)
      return Actor.reply(Exit.fail(new ChildNotFound({ supervisor: engine.label, child: String(msg.ref) })), engine)
    },
    WhichChildren: (engine) => Actor.reply(engine.infos(), engine),
    // `specs` is 1: the template, as OTP counts a simple_one_for_one
    CountChildren: (engine) => Actor.reply(engine.count(1), engine),
    Snapshot: (engine) => Actor.reply(engine.snapshot("dynamic-supervisor"), engine)
  }
}

/**
 * Starts a dynamic supervisor (with no children) in the current scope.
 *
 * Fails with `InvalidChildSpec` when an option is invalid. Closing the scope stops it, which stops
 * all its children at once, each per the template's shutdown spec.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, ActorSystem } from "@arbor/core"
 * import { DynamicSupervisor } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * type JobMsg = { readonly _tag: "Cancel" }
 * const Job = (spec: { readonly url: string }) =>
 *   Actor.make<JobMsg>()({
 *     init: () => Effect.succeed(spec),
 *     receive: { Cancel: () => Actor.stop() }
 *   })
 *
 * const program = Effect.gen(function*() {
 *   const jobs = yield* DynamicSupervisor.start({
 *     child: (spec: { readonly url: string }) => Actor.spawn(Job(spec)),
 *     restart: "transient",
 *     shutdown: "brutal",
 *     maxChildren: 100
 *   })
 *   const job = yield* DynamicSupervisor.startChild(jobs, { url: "https://example.com" })
 *   yield* ActorRef.tell(job, { _tag: "Cancel" }) // job: ActorRef<JobMsg>; a clean exit: not restarted
 *   console.log(yield* DynamicSupervisor.countChildren(jobs))
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = <const S extends AnyDynamicSpec>(
  spec: S
): Effect.Effect<
  RefOfSpec<S>,
  InvalidChildSpec | Child.Named<Child.NameIn<S>, Registry.AlreadyRegistered>,
  Scope.Scope | ActorSystem.ActorSystem | ServicesOfSpec<S>
> =>
  Effect.gen(function*() {
    const checked = validateDynamicSpec(spec)
    if (checked instanceof InvalidChildSpec) return yield* checked
    const launched = launch<Protocol<unknown>>({
      kind: "dynamic-supervisor",
      spec,
      intensity: checked,
      policy: { kind: "dynamic", strategy: "one-for-one", autoShutdown: checked.autoShutdown },
      children: [],
      requests: requestsOf(checked)
    }).pipe(Effect.orDie)
    return yield* (spec.name === undefined ? launched : Registry.named(spec.name, launched))
  }) as never

/**
 * Any dynamic supervisor spec (the constraint of {@link start}'s argument).
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type AnyDynamicSpec = DynamicSupervisorSpec<any, any, any, any>

/** The argument type of a template (distributive, so that `never` stays `never`). */
type ArgsOfTemplate<F> = F extends (args: infer Args) => any ? Args : never
type ArgsOf<S extends AnyDynamicSpec> = ArgsOfTemplate<S["child"]>
type ResultOfTemplate<F> = F extends (args: any) => Effect.Effect<infer A, any, any> ? A : never
type ErrorOfTemplate<F> = F extends (args: any) => Effect.Effect<any, infer E, any> ? E : never
type ServicesOfTemplate<F> = F extends (args: any) => Effect.Effect<any, any, infer R> ? R : never

/** What a template's start returns. */
type ResultOfSpec<S extends AnyDynamicSpec> = ResultOfTemplate<S["child"]>

/**
 * Whether spec `S` has a `childName`.
 *
 * Whether spec `S` has a `childName`: `true` (given), `false` (definitely none: its type has
 * no `childName`, or only `undefined`), `boolean` (its type has an optional one).
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type HasChildName<S> = S extends { readonly childName: (args: any) => any } ? true
  : "childName" extends keyof S ? [Exclude<S["childName" & keyof S], undefined>] extends [never] ? false : boolean
  : false

/** How a template's start fails (and `AlreadyRegistered` when it may have a `childName`). */
type ErrorOfSpec<S extends AnyDynamicSpec> =
  | ErrorOfTemplate<S["child"]>
  | (HasChildName<S> extends false ? never : Registry.AlreadyRegistered)

/**
 * The ref {@link start} gives for spec `S`: typed with the template's arguments, reference and
 * error types.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type RefOfSpec<S extends AnyDynamicSpec> = DynamicSupervisorRef<
  ArgsOf<S>,
  ResultOfSpec<S>,
  ErrorOfSpec<S>,
  HasChildName<S>
>

/**
 * The services a dynamic supervisor started from spec `S` needs.
 *
 * The services a dynamic supervisor started from spec `S` needs besides `Scope` and
 * `ActorSystem`: its template's, and `Registry` when it or its children are named.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type ServicesOfSpec<S extends AnyDynamicSpec> =
  | Exclude<ServicesOfTemplate<S["child"]>, Scope.Scope>
  | Child.Named<Child.NameIn<S>, Registry.Registry>
  | (HasChildName<S> extends false ? never : Registry.Registry)

/**
 * Starts a child from the template with `args`.
 *
 * Fails with `MaxChildrenReached` or `ChildStartFailed`; succeeds with the child's ref, or
 * `undefined` when its start returned `Child.ignore` (nothing is kept).
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const startChild = <Args, A, E>(
  sup: DynamicSupervisorRef<Args, A, E>,
  args: Args
): Effect.Effect<Child.Started<A>, StartChildError<A, E> | Errors.AskError> =>
  requestExit(sup, { _tag: "StartChild", args })

/**
 * The running child of the name made from `args`, started first if there is none.
 *
 * Start-or-lookup for a template with a `childName`: the running child of the name made from
 * `args` if there is one (a child of this supervisor, or any live holder of the name), else a
 * new child started from `args`.
 *
 * The supervisor handles one request at a time and registers a new child before it answers, so
 * concurrent callers for one new name all get the same ref — one child is started. Fails with
 * `ChildNotRunning` while the child of that name waits for its restart, `MaxChildrenReached`,
 * `ChildStartFailed`, or `InvalidChildSpec` when `childName` did not return a key. Only a ref whose
 * type says its template has a `childName` (`DynamicSupervisorRef<Args, A, E, true>`, what {@link
 * start} gives for such a spec) is accepted; a JS caller (or a cast) that passes another one fails
 * with `InvalidChildSpec`, field `childName`, nothing started.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, ActorSystem } from "@arbor/core"
 * import { Registry } from "@arbor/registry"
 * import { DynamicSupervisor } from "@arbor/supervisor"
 * import { Effect, Layer } from "effect"
 *
 * type SessionMsg = Actor.Request<{ readonly _tag: "Hit" }, number>
 * const Session = Actor.make<SessionMsg>()({
 *   init: () => Effect.succeed(0),
 *   receive: { Hit: (n) => Actor.reply(n + 1, n + 1) }
 * })
 * const SessionName = (user: string) => Registry.key<SessionMsg>()(`session/${user}`)
 *
 * const program = Effect.gen(function*() {
 *   const sessions = yield* DynamicSupervisor.start({
 *     child: (_user: string) => Actor.spawn(Session),
 *     childName: SessionName,
 *     restart: "transient"
 *   })
 *   const [a, b] = yield* Effect.all([
 *     DynamicSupervisor.startOrLookup(sessions, "alice"),
 *     DynamicSupervisor.startOrLookup(sessions, "alice")
 *   ], { concurrency: "unbounded" })
 *   console.log(a === b) // true: one session for alice
 *   return yield* ActorRef.ask(a, { _tag: "Hit" })
 * }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(ActorSystem.layer, Registry.layer)))
 * ```
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const startOrLookup = <Args, A, E>(
  sup: DynamicSupervisorRef<Args, A, E, true>,
  args: Args
): Effect.Effect<Child.Started<A>, Exclude<StartChildError<A, E>, ChildAlreadyStarted<any>> | Errors.AskError> =>
  requestExit(sup, { _tag: "StartChild", args, lookup: true })

/**
 * Asks the child of the name made from `args`, starting it first if there is none.
 *
 * {@link startOrLookup} then `ActorRef.ask`: the request goes to the one child of that name,
 * and its reply type is inferred from the request as `ask` infers it (Akka's sharded
 * `EntityRef.ask`, over a local dynamic supervisor). Fails with the errors of `startOrLookup`
 * and of `ask` (`AskTimeout` at `options.timeout`, default 5 s; `ActorExited` when the child
 * ends first). Only a template with a `childName` whose start always returns a ref (never
 * `Child.ignore`) is accepted by the types; a JS caller whose start ignored gets
 * `ChildNotRunning` (status `"not_running"`, `child`: the arguments as text).
 *
 * @example
 * ```ts
 * import { Actor, ActorSystem } from "@arbor/core"
 * import { Registry } from "@arbor/registry"
 * import { DynamicSupervisor } from "@arbor/supervisor"
 * import { Effect, Layer } from "effect"
 *
 * type SessionMsg = Actor.Request<{ readonly _tag: "Hit" }, number>
 * const Session = Actor.make<SessionMsg, number>()({
 *   init: () => Effect.succeed(0),
 *   receive: { Hit: (n) => Actor.reply(n + 1, n + 1) }
 * })
 *
 * const program = Effect.gen(function*() {
 *   const sessions = yield* DynamicSupervisor.start({
 *     child: (_user: string) => Actor.spawn(Session),
 *     childName: (user: string) => Registry.key<SessionMsg>()(`session/${user}`)
 *   })
 *   yield* DynamicSupervisor.askChild(sessions, "alice", { _tag: "Hit" }) // 1: alice's session started
 *   return yield* DynamicSupervisor.askChild(sessions, "alice", { _tag: "Hit" }) // 2: the same session
 * }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(ActorSystem.layer, Registry.layer)))
 * ```
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const askChild = <Args, Msg, E, const M extends Actor.RequestsOf<Msg>>(
  sup: DynamicSupervisorRef<Args, ActorRef.ActorRef<Msg>, E, true>,
  args: Args,
  msg: M,
  options?: ActorRef.AskOptions
): Effect.Effect<
  Actor.ReplyFor<Msg, M>,
  Exclude<StartChildError<ActorRef.ActorRef<Msg>, E>, ChildAlreadyStarted<any>> | Errors.AskError
> =>
  Effect.flatMap(
    startOrLookup(sup, args),
    (child): Effect.Effect<Actor.ReplyFor<Msg, M>, ChildNotRunning | Errors.AskError> =>
      child === undefined
        ? Effect.fail(new ChildNotRunning({ supervisor: sup.label, child: String(args), status: "not_running" }))
        : ActorRef.ask(child, msg, options)
  )

/**
 * Stops a child (per the template's shutdown spec) and forgets it: it is not restarted.
 *
 * A reference that already ended succeeds (as in OTP); a live actor that is not a child fails with
 * `ChildNotFound`.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const terminateChild = <Args>(
  sup: DynamicSupervisorRef<Args, any, any>,
  ref: ActorRef.ActorRef<any>
): Effect.Effect<void, ChildNotFound | Errors.AskError> =>
  requestExit(sup, { _tag: "TerminateChild", ref })

/**
 * The children (no defined order), with the arguments each was started with.
 *
 * A child whose restart is pending shows as `"restarting"` with no reference.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const whichChildren = <Args, A>(
  sup: DynamicSupervisorRef<Args, A, any>
): Effect.Effect<ReadonlyArray<DynamicChildInfo<Args, Child.RefOf<A>>>, Errors.AskError> =>
  request(sup, { _tag: "WhichChildren" })

/**
 * Counts children: `specs` is 1 (the template, as OTP counts a `simple_one_for_one`), the
 * others count the dynamic children.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const countChildren = <Args>(sup: DynamicSupervisorRef<Args, any, any>): Effect.Effect<ChildCounts, Errors.AskError> =>
  request(sup, { _tag: "CountChildren" })

/**
 * A child spec that runs a dynamic supervisor under another supervisor (type `"supervisor"`,
 * shutdown `"infinity"` by default).
 *
 * Its options are validated with its parent's spec. The reference is available from
 * `Supervisor.whichChildren`, or from a registry name.
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { DynamicSupervisor, Supervisor } from "@arbor/supervisor"
 *
 * declare const Session: (user: string) => Actor.Behavior<{ readonly _tag: "Touch" }>
 *
 * const root = Supervisor.start({
 *   strategy: "one-for-one",
 *   children: [DynamicSupervisor.child("sessions", { child: (user: string) => Actor.spawn(Session(user)) })]
 * })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const child = <const Id extends string, const S extends AnyDynamicSpec, O extends NestedOptions = NoOptions>(
  id: Id,
  spec: S,
  options?: O
): ChildSpec<
  ActorSystem.ActorSystem | ServicesOfSpec<S> | Child.Named<Child.NameIn<O>, Registry.Registry>,
  RefOfSpec<S>,
  | InvalidChildSpec
  | Child.Named<Child.NameIn<S>, Registry.AlreadyRegistered>
  | Child.Named<Child.NameIn<O>, Registry.AlreadyRegistered>,
  Id,
  Exclude<Child.NameIn<O>, undefined>
> => {
  const labelled = labelledBy(id, spec)
  return nestedChild(id, { kind: "dynamic", spec: labelled }, start(labelled) as Effect.Effect<ActorRef.ActorRef<any>, unknown, any>, options) as never
}
