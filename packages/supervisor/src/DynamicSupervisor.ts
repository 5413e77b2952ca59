/**
 * Dynamic supervisors (OTP's `simple_one_for_one`, Elixir's `DynamicSupervisor`): every child
 * is started at run time from one template plus per-child arguments — one child per session,
 * connection or job.
 *
 * It is its own module rather than a mode of `Supervisor` because its use differs: children
 * have no ids or order, are addressed by reference, may be capped by `maxChildren`, and are
 * stopped concurrently when the supervisor stops. Restart types, restart intensity, shutdown
 * specs and backoff follow the same rules as `Supervisor` (each child is restarted on its own,
 * with the arguments it was started with).
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
import * as PubSub from "effect/PubSub"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { Actor, ActorRef, type ActorSystem, type Errors, ExitReason } from "@arbor/core"
import type { ChildSpec, ChildType, Ignore, RestartType, Shutdown } from "./Child.ts"
import { ChildNotFound, ChildStartFailed, InvalidChildSpec, MaxChildrenReached } from "./Errors.ts"
import type { ChildRecord } from "./internal/engine.ts"
import { childInfo, claimRelay, Engine, makeRecord, needsRestart, receiveWith, supervisorRefs } from "./internal/engine.ts"
import type { ValidChild } from "./internal/spec.ts"
import { NestedSpec, validateDynamicSpec } from "./internal/spec.ts"
import type { ChildCounts, ChildInfo, Snapshot } from "./Supervisor.ts"
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
  /** Called synchronously with every supervision event of this supervisor and its subtree. */
  readonly onEvent?: (event: SupervisionEvent) => void
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

interface State {
  readonly engine: Engine
  readonly template: (args: unknown) => unknown
  readonly base: Omit<ValidChild, "id" | "start">
  readonly maxChildren: number
  nextId: number
  readonly children: Map<string, ChildRecord>
}

/** The start effect of one child: the template applied to its arguments, on every attempt. */
const startOf = (template: State["template"], args: unknown): Effect.Effect<unknown, unknown> =>
  Effect.suspend(() => {
    const start = template(args)
    if (Effect.isEffect(start)) return start as Effect.Effect<unknown, unknown>
    return Effect.die(new TypeError(`the child template returned ${typeof start}, not an Effect`))
  })

/** A restart attempt; a failed one counts as another restart and is tried again. */
const restartRecord = (s: State, rec: ChildRecord): Effect.Effect<State | Actor.Stop, never, any> =>
  Effect.gen(function*() {
    const outcome = yield* s.engine.start(rec, true)
    switch (outcome._tag) {
      case "Started":
        return s
      case "Ignored":
        s.children.delete(rec.spec.id)
        return s
      case "Failed": {
        rec.status = "restarting"
        if (!(yield* s.engine.addRestart())) return giveUp(s)
        yield* s.engine.retry(rec, yield* s.engine.restartDelay(rec, false))
        return s
      }
    }
  })

const giveUp = (s: State) => {
  s.engine.intensityExceeded()
  return Actor.stop(ExitReason.shutdown())
}

const onChildExited = (s: State, ref: ActorRef.ActorRef<any>, reason: ExitReason.ExitReason) => {
  let rec: ChildRecord | undefined
  for (const c of s.children.values()) {
    if (c.ref === ref) {
      rec = c
      break
    }
  }
  if (rec === undefined) return s
  const exited = rec
  exited.ref = undefined
  exited.status = "not_running"
  if (!needsRestart(exited.spec.restart, reason)) {
    s.children.delete(exited.spec.id)
    s.engine.emit({
      _tag: "ChildNotRestarted",
      supervisor: s.engine.path,
      child: exited.spec.id,
      ref,
      incarnation: exited.incarnation
    })
    return s
  }
  return Effect.gen(function*() {
    if (!(yield* s.engine.addRestart())) return giveUp(s)
    exited.status = "restarting"
    const delay = yield* s.engine.restartDelay(exited, true)
    if (delay > 0) {
      yield* s.engine.retry(exited, delay)
      return s
    }
    return yield* restartRecord(s, exited)
  })
}

const behavior = (state: State) =>
  Actor.make<Protocol<unknown>>()({
    init: () => Effect.succeed(state),
    receive: receiveWith<State, Protocol<unknown>>({
      ChildExited: (s, msg) => onChildExited(s, msg.ref, msg.reason),
      RetryRestart: (s, msg) => {
        const rec = s.children.get(msg.id)
        if (!s.engine.takeRetry(rec, msg)) return s
        return restartRecord(s, rec)
      },
      Hub: (s) => Actor.reply(s.engine.hub, s)
    }, {
      StartChild: (s: State, msg) =>
        Effect.gen(function*() {
          const label = s.engine.config.label
          if (s.children.size >= s.maxChildren) {
            return Actor.reply(Exit.fail(new MaxChildrenReached({ supervisor: label, maxChildren: s.maxChildren })), s)
          }
          const id = `#${s.nextId++}`
          const rec = makeRecord({ ...s.base, id, start: startOf(s.template, msg.args) }, [msg.args])
          s.children.set(id, rec)
          const outcome = yield* s.engine.start(rec, false)
          switch (outcome._tag) {
            case "Started":
              return Actor.reply(Exit.succeed(outcome.ref), s)
            case "Ignored":
              s.children.delete(id)
              return Actor.reply(Exit.succeed(undefined), s)
            case "Failed":
              s.children.delete(id)
              return Actor.reply(Exit.fail(new ChildStartFailed({ supervisor: label, child: id, cause: outcome.cause })), s)
          }
        }),
      TerminateChild: (s: State, msg) =>
        Effect.gen(function*() {
          for (const rec of s.children.values()) {
            if (rec.ref === msg.ref) {
              yield* s.engine.stop(rec)
              s.children.delete(rec.spec.id)
              return Actor.reply(Exit.void, s)
            }
          }
          // as in OTP: terminating a reference that already ended is not an error
          if (ActorRef.isActorRef(msg.ref) && !ActorRef.isAliveUnsafe(msg.ref)) return Actor.reply(Exit.void, s)
          return Actor.reply(
            Exit.fail(new ChildNotFound({ supervisor: s.engine.config.label, child: String(msg.ref) })),
            s
          )
        }),
      WhichChildren: (s: State) => Actor.reply(Array.from(s.children.values(), childInfo), s),
      CountChildren: (s: State) => {
        let active = 0
        for (const c of s.children.values()) if (c.ref !== undefined) active++
        const n = s.children.size
        const supervisors = s.base.type === "supervisor" ? n : 0
        return Actor.reply({ specs: 1, active, supervisors, workers: n - supervisors }, s)
      },
      Snapshot: (s: State) =>
        Effect.map(
          s.engine.snapshot("dynamic-supervisor", "one-for-one", s.children.values()),
          (snap) => Actor.reply(snap, s)
        )
    }) as never,
    // dynamic children have no order: they are stopped concurrently
    onStop: (s: State) =>
      Effect.forEach([...s.children.values()], (rec) => s.engine.stop(rec), {
        concurrency: "unbounded",
        discard: true
      })
  })

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
    const parent = yield* claimRelay
    const hub = yield* PubSub.unbounded<SupervisionEvent>()
    const label = spec.label
    const engine = new Engine({
      label,
      path: parent?.path ?? [],
      intensity: checked.intensity,
      periodMillis: checked.periodMillis,
      restartDelay: spec.restartDelay,
      onEvent: spec.onEvent,
      parent
    }, hub)
    const state: State = {
      engine,
      template: checked.template,
      base: checked.base,
      maxChildren: checked.maxChildren,
      nextId: 1,
      children: new Map()
    }
    const ref = yield* Effect.orDie(
      Actor.spawn(behavior(state), { shutdown: "infinity", ...(label === undefined ? {} : { label }) })
    )
    engine.self = ref as never
    supervisorRefs.add(ref)
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
  Effect.flatten(ActorRef.ask(sup as DynamicSupervisorRef<unknown>, { _tag: "StartChild", args }, {
    timeout: "infinity"
  }) as Effect.Effect<Exit.Exit<ActorRef.ActorRef<any> | undefined, ChildStartFailed | MaxChildrenReached>, Errors.AskError>)

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
  Effect.flatten(ActorRef.ask(sup as DynamicSupervisorRef<unknown>, { _tag: "TerminateChild", ref }, {
    timeout: "infinity"
  }) as Effect.Effect<Exit.Exit<void, ChildNotFound>, Errors.AskError>)

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
  ActorRef.ask(sup as DynamicSupervisorRef<unknown>, { _tag: "WhichChildren" }, { timeout: "infinity" })

/**
 * Counts children: `specs` is 1 (the template, as OTP counts a `simple_one_for_one`), the
 * others count the dynamic children.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const countChildren = <Args>(sup: DynamicSupervisorRef<Args>): Effect.Effect<ChildCounts, Errors.AskError> =>
  ActorRef.ask(sup as DynamicSupervisorRef<unknown>, { _tag: "CountChildren" }, { timeout: "infinity" })

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
  options?: {
    readonly restart?: RestartType | undefined
    readonly shutdown?: ChildSpec["shutdown"] | undefined
    readonly significant?: boolean | undefined
  }
): ChildSpec<ActorSystem.ActorSystem | Exclude<R, Scope.Scope>> => ({
  id,
  type: "supervisor",
  start: start(spec) as Effect.Effect<DynamicSupervisorRef<Args>, InvalidChildSpec, any>,
  ...(options?.restart === undefined ? {} : { restart: options.restart }),
  ...(options?.shutdown === undefined ? {} : { shutdown: options.shutdown }),
  ...(options?.significant === undefined ? {} : { significant: options.significant }),
  [NestedSpec]: { kind: "dynamic", spec }
} as ChildSpec<ActorSystem.ActorSystem | Exclude<R, Scope.Scope>>)
