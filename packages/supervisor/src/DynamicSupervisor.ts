/**
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
 *   const alice = yield* DynamicSupervisor.startChild(sessions, "alice")
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { Actor, ActorRef, type ActorSystem, type Errors, type Reports } from "@arbor/core"
import type { ChildSpec, ChildType, Ignore, RestartType, Shutdown } from "./Child.ts"
import { ChildNotFound, ChildStartFailed, InvalidChildSpec, MaxChildrenReached } from "./Errors.ts"
import { launch, type NestedOptions, nestedChild, request, requestExit, type Requests } from "./internal/engine.ts"
import type { AutoShutdown, ChildCounts, ChildInfo, Snapshot } from "./internal/model.ts"
import { type ValidDynamicSpec, validateDynamicSpec } from "./internal/spec.ts"
import type { SupervisionEvent } from "./SupervisionEvent.ts"

/**
 * A dynamic supervisor's template and options; `Args` are the per-child arguments, `R` what
 * the template's start needs.
 *
 * @category models
 * @since 0.1.0
 */
export interface DynamicSupervisorSpec<Args, R = never> {
  /**
   * Starts one child from its arguments; called again with the same arguments for each
   * restart. A call that throws or returns something other than an Effect is a failed start.
   */
  readonly child: (args: Args) => Effect.Effect<ActorRef.ActorRef<any> | Ignore, unknown, R | Scope.Scope>
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
 * A reference to a running dynamic supervisor whose children take arguments `Args`.
 *
 * @category models
 * @since 0.1.0
 */
export type DynamicSupervisorRef<Args> = ActorRef.ActorRef<Protocol<Args>>

/**
 * The requests a dynamic supervisor accepts from outside; use the functions of this module
 * instead. As for `Supervisor.Protocol`, its internal messages travel on a private channel, and
 * anything else is answered with `UnknownRequest`.
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
  }, Exit.Exit<ActorRef.ActorRef<any> | undefined, ChildStartFailed | MaxChildrenReached>>
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

/** The start effect of one child: the template applied to its arguments, on every attempt. */
const startOf = (template: (args: unknown) => unknown, args: unknown): Effect.Effect<unknown, unknown> =>
  Effect.suspend(() => {
    const start = template(args)
    if (Effect.isEffect(start)) return start as Effect.Effect<unknown, unknown>
    return Effect.die(new TypeError(`the child template returned ${typeof start}, not an Effect`))
  })

/** The public requests of a dynamic supervisor with this template, each one call into the engine. */
const requestsOf = (checked: ValidDynamicSpec): Requests<Protocol<unknown>> => {
  let nextId = 1
  return {
    StartChild: (engine, msg) => {
      if (engine.size >= checked.maxChildren) {
        return Actor.reply(
          Exit.fail(new MaxChildrenReached({ supervisor: engine.label, maxChildren: checked.maxChildren })),
          engine
        )
      }
      const id = `#${nextId++}`
      const spec = { ...checked.base, id, start: startOf(checked.template, msg.args) }
      return Effect.map(engine.add(spec, [msg.args]), (result) => Actor.reply(result, engine))
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
 * Starts a dynamic supervisor (with no children) in the current scope. Fails with
 * `InvalidChildSpec` when an option is invalid. Closing the scope stops it, which stops all
 * its children at once, each per the template's shutdown spec.
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
 *   yield* ActorRef.tell(job as ActorRef.ActorRef<JobMsg>, { _tag: "Cancel" }) // a clean exit: not restarted
 *   console.log(yield* DynamicSupervisor.countChildren(jobs))
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = <Args, R = never>(
  spec: DynamicSupervisorSpec<Args, R>
): Effect.Effect<
  DynamicSupervisorRef<Args>,
  InvalidChildSpec,
  Scope.Scope | ActorSystem.ActorSystem | Exclude<R, Scope.Scope>
> =>
  Effect.gen(function*() {
    const checked = validateDynamicSpec(spec)
    if (checked instanceof InvalidChildSpec) return yield* checked
    const ref = yield* launch<Protocol<unknown>>({
      kind: "dynamic-supervisor",
      spec,
      intensity: checked,
      policy: { kind: "dynamic", strategy: "one-for-one", autoShutdown: checked.autoShutdown },
      children: [],
      requests: requestsOf(checked)
    }).pipe(Effect.orDie)
    return ref as unknown as DynamicSupervisorRef<Args>
  }) as never

/**
 * Starts a child from the template with `args`. Fails with `MaxChildrenReached` or
 * `ChildStartFailed`; succeeds with the child's ref, or `undefined` when its start returned
 * `Child.ignore` (nothing is kept).
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const startChild = <Args>(
  sup: DynamicSupervisorRef<Args>,
  args: Args
): Effect.Effect<ActorRef.ActorRef<any> | undefined, ChildStartFailed | MaxChildrenReached | Errors.AskError> =>
  requestExit(sup, { _tag: "StartChild", args })

/**
 * Stops a child (per the template's shutdown spec) and forgets it: it is not restarted. A
 * reference that already ended succeeds (as in OTP); a live actor that is not a child fails
 * with `ChildNotFound`.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const terminateChild = <Args>(
  sup: DynamicSupervisorRef<Args>,
  ref: ActorRef.ActorRef<any>
): Effect.Effect<void, ChildNotFound | Errors.AskError> =>
  requestExit(sup, { _tag: "TerminateChild", ref })

/**
 * The children (no defined order), with the arguments each was started with. A child whose
 * restart is pending shows as `"restarting"` with no reference.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const whichChildren = <Args>(
  sup: DynamicSupervisorRef<Args>
): Effect.Effect<ReadonlyArray<ChildInfo>, Errors.AskError> =>
  request(sup, { _tag: "WhichChildren" })

/**
 * Counts children: `specs` is 1 (the template, as OTP counts a `simple_one_for_one`), the
 * others count the dynamic children.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const countChildren = <Args>(sup: DynamicSupervisorRef<Args>): Effect.Effect<ChildCounts, Errors.AskError> =>
  request(sup, { _tag: "CountChildren" })

/**
 * A child spec that runs a dynamic supervisor under another supervisor (type `"supervisor"`,
 * shutdown `"infinity"` by default). Its options are validated with its parent's spec. The
 * reference is available from `Supervisor.whichChildren`, or from a registry name.
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
export const child = <Args, R = never>(
  id: string,
  spec: DynamicSupervisorSpec<Args, R>,
  options?: NestedOptions
): ChildSpec<ActorSystem.ActorSystem | Exclude<R, Scope.Scope>> =>
  nestedChild(id, { kind: "dynamic", spec }, start(spec) as Effect.Effect<DynamicSupervisorRef<Args>, unknown, any>, options)
