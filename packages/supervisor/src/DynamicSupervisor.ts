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
import type { ChildType, Ignore, RestartType, Shutdown, ValidChild } from "./Child.ts"
import { validate } from "./Child.ts"
import { ChildNotFound, ChildStartFailed, InvalidChildSpec, MaxChildrenReached } from "./Errors.ts"
import type { ChildRecord } from "./internal/engine.ts"
import { decodeIntensity, Engine, makeRecord, needsRestart, ParentRelay, supervisorRefs } from "./internal/engine.ts"
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
  /** Starts one child from its arguments (called again with the same arguments on restart). */
  readonly child: (args: Args) => Effect.Effect<ActorRef.ActorRef<any> | Ignore, unknown, R>
  /** Default `"permanent"`. */
  readonly restart?: RestartType
  /** Default `"5 seconds"` for workers, `"infinity"` for supervisors. */
  readonly shutdown?: Shutdown
  readonly type?: ChildType
  /** At most this many children at once; `startChild` beyond it fails with `MaxChildrenReached`. */
  readonly maxChildren?: number
  /** Default 3. */
  readonly intensity?: number
  /** Default `"5 seconds"`. */
  readonly period?: Duration.Input
  /** Backoff between restarts; see `Supervisor.SupervisorSpec.restartDelay`. */
  readonly restartDelay?: Schedule.Schedule<Duration.Input, unknown, never, never>
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
 * The messages a dynamic supervisor handles; use the functions of this module instead.
 *
 * @category models
 * @since 0.1.0
 */
export type Protocol<Args> =
  | { readonly _tag: "ChildExited"; readonly ref: ActorRef.ActorRef<any>; readonly reason: ExitReason.ExitReason }
  | { readonly _tag: "RetryRestart"; readonly id: string; readonly token: number }
  | Actor.Request<
    { readonly _tag: "StartChild"; readonly args: Args },
    Exit.Exit<ActorRef.ActorRef<any> | undefined, ChildStartFailed | MaxChildrenReached>
  >
  | Actor.Request<{ readonly _tag: "TerminateChild"; readonly ref: ActorRef.ActorRef<any> }, Exit.Exit<void, ChildNotFound>>
  | Actor.Request<{ readonly _tag: "WhichChildren" }, ReadonlyArray<ChildInfo>>
  | Actor.Request<{ readonly _tag: "CountChildren" }, ChildCounts>
  | Actor.Request<{ readonly _tag: "Snapshot" }, Snapshot>
  | Actor.Request<{ readonly _tag: "Hub" }, PubSub.PubSub<SupervisionEvent>>

interface State {
  readonly engine: Engine
  readonly template: (args: unknown) => Effect.Effect<ActorRef.ActorRef<any> | Ignore, unknown, unknown>
  readonly base: Omit<ValidChild, "id" | "start">
  readonly maxChildren: number
  nextId: number
  readonly children: Map<string, ChildRecord>
}

const infoOf = (rec: ChildRecord): ChildInfo => ({
  id: rec.spec.id,
  ref: rec.ref,
  status: rec.status,
  type: rec.spec.type,
  restart: rec.spec.restart,
  incarnation: rec.incarnation,
  args: rec.args?.[0]
})

const startRecord = (s: State, rec: ChildRecord, restart: boolean): Effect.Effect<State> =>
  Effect.gen(function*() {
    const outcome = yield* s.engine.start(rec, restart)
    switch (outcome._tag) {
      case "Started":
        return s
      case "Ignored":
        s.children.delete(rec.spec.id)
        return s
      case "Failed": {
        rec.status = "restarting"
        if (!(yield* s.engine.addRestart())) return giveUp(s) as never
        rec.retryToken++
        ActorRef.tellUnsafe(s.engine.self as ActorRef.ActorRef<Protocol<unknown>>, {
          _tag: "RetryRestart",
          id: rec.spec.id,
          token: rec.retryToken
        })
        return s
      }
    }
  })

const giveUp = (s: State) => {
  s.engine.intensityExceeded()
  return Actor.stop(ExitReason.shutdown())
}

const behavior = (state: State) =>
  Actor.make<Protocol<unknown>>()({
    init: () => Effect.succeed(state),
    receive: {
      ChildExited: (s: State, msg) => {
        let rec: ChildRecord | undefined
        for (const c of s.children.values()) {
          if (c.ref === msg.ref) {
            rec = c
            break
          }
        }
        if (rec === undefined) return s
        const exited = rec
        exited.ref = undefined
        exited.status = "not_running"
        if (!needsRestart(exited.spec.restart, msg.reason)) {
          s.children.delete(exited.spec.id)
          s.engine.emit({
            _tag: "ChildNotRestarted",
            supervisor: s.engine.path,
            child: exited.spec.id,
            ref: msg.ref,
            incarnation: exited.incarnation
          })
          return s
        }
        return Effect.gen(function*() {
          if (!(yield* s.engine.addRestart())) return giveUp(s)
          exited.status = "restarting"
          const delay = yield* s.engine.restartDelay(exited)
          if (delay > 0) {
            exited.retryToken++
            s.engine.emit({
              _tag: "RestartScheduled",
              supervisor: s.engine.path,
              child: exited.spec.id,
              delayMillis: delay
            })
            yield* s.engine.later(delay, { _tag: "RetryRestart", id: exited.spec.id, token: exited.retryToken })
            return s
          }
          return yield* startRecord(s, exited, true)
        })
      },
      RetryRestart: (s: State, msg) => {
        const rec = s.children.get(msg.id)
        if (rec === undefined || rec.retryToken !== msg.token || rec.status !== "restarting") return s
        return startRecord(s, rec, true)
      },
      StartChild: (s: State, msg) =>
        Effect.gen(function*() {
          const label = s.engine.config.label
          if (s.children.size >= s.maxChildren) {
            return Actor.reply(Exit.fail(new MaxChildrenReached({ supervisor: label, maxChildren: s.maxChildren })), s)
          }
          const id = `#${s.nextId++}`
          const rec = makeRecord({ ...s.base, id, start: s.template(msg.args) }, [msg.args])
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
          // OTP: terminating a reference that already ended is not an error
          if (!ActorRef.isAliveUnsafe(msg.ref)) return Actor.reply(Exit.void, s)
          return Actor.reply(
            Exit.fail(new ChildNotFound({ supervisor: s.engine.config.label, child: String(msg.ref) })),
            s
          )
        }),
      WhichChildren: (s: State) => Actor.reply([...s.children.values()].map(infoOf), s),
      CountChildren: (s: State) => {
        let active = 0
        for (const c of s.children.values()) if (c.ref !== undefined) active++
        const n = s.children.size
        const supervisors = s.base.type === "supervisor" ? n : 0
        return Actor.reply({ specs: 1, active, supervisors, workers: n - supervisors }, s)
      },
      Snapshot: (s: State) =>
        Effect.map(s.engine.restartsInWindow(), (restarts) =>
          Actor.reply({
            kind: "dynamic-supervisor" as const,
            label: s.engine.config.label,
            path: s.engine.path,
            strategy: "one-for-one" as const,
            intensity: s.engine.config.intensity,
            periodMillis: s.engine.config.periodMillis,
            restartsInWindow: restarts,
            remainingBudget: Math.max(0, s.engine.config.intensity - restarts),
            children: [...s.children.values()].map(infoOf)
          }, s)),
      Hub: (s: State) => Actor.reply(s.engine.hub, s)
    },
    // dynamic children have no order: they are stopped concurrently
    onStop: (s: State) =>
      Effect.forEach([...s.children.values()], (rec) => s.engine.stop(rec), {
        concurrency: "unbounded",
        discard: true
      })
  })

/**
 * Starts a dynamic supervisor (with no children) in the current scope. Fails with
 * `InvalidChildSpec` when an option is invalid.
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = <Args, R>(
  spec: DynamicSupervisorSpec<Args, R>
): Effect.Effect<
  DynamicSupervisorRef<Args>,
  InvalidChildSpec,
  Scope.Scope | ActorSystem.ActorSystem | Exclude<R, Scope.Scope>
> =>
  Effect.gen(function*() {
    const label = spec?.label
    const invalid = (field: string, value: unknown, reason: string) =>
      new InvalidChildSpec({ supervisor: label, child: undefined, field, value, reason })
    if (typeof spec !== "object" || spec === null) return yield* invalid("spec", spec, "must be an object")
    if (typeof spec.child !== "function") {
      return yield* invalid("child", spec.child, "must be a function from arguments to a start Effect")
    }
    const maxChildren = spec.maxChildren ?? Infinity
    if (maxChildren !== Infinity && (!Number.isInteger(maxChildren) || maxChildren < 0)) {
      return yield* invalid("maxChildren", maxChildren, "must be a whole number ≥ 0")
    }
    const intensity = decodeIntensity(spec.intensity, spec.period)
    if ("field" in intensity) return yield* invalid(intensity.field, intensity.value, intensity.reason)
    const template = validate(label, {
      id: "template",
      start: Effect.void as never,
      ...(spec.restart === undefined ? {} : { restart: spec.restart }),
      ...(spec.shutdown === undefined ? {} : { shutdown: spec.shutdown }),
      ...(spec.type === undefined ? {} : { type: spec.type })
    }, "never")
    if (template instanceof InvalidChildSpec) return yield* template
    const parent = yield* ParentRelay
    const hub = yield* PubSub.unbounded<SupervisionEvent>()
    const engine = new Engine({
      label,
      path: parent?.path ?? [],
      intensity: intensity.intensity,
      periodMillis: intensity.periodMillis,
      restartDelay: spec.restartDelay,
      onEvent: spec.onEvent,
      parent
    }, hub)
    const { id: _id, start: _start, ...base } = template
    const state: State = {
      engine,
      template: spec.child as State["template"],
      base,
      maxChildren,
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
 * Stops a child (per the template's shutdown spec) and forgets it. A reference that already
 * ended succeeds; a live actor that is not a child fails with `ChildNotFound`.
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
 * The children (no defined order).
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const whichChildren = <Args>(
  sup: DynamicSupervisorRef<Args>
): Effect.Effect<ReadonlyArray<ChildInfo>, Errors.AskError> =>
  ActorRef.ask(sup as DynamicSupervisorRef<unknown>, { _tag: "WhichChildren" }, { timeout: "infinity" })

/**
 * Counts children: `specs` is 1 (the template), the others count the dynamic children.
 *
 * @category dynamic API
 * @since 0.1.0
 */
export const countChildren = <Args>(sup: DynamicSupervisorRef<Args>): Effect.Effect<ChildCounts, Errors.AskError> =>
  ActorRef.ask(sup as DynamicSupervisorRef<unknown>, { _tag: "CountChildren" }, { timeout: "infinity" })
