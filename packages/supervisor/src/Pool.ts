/**
 * A pool of identical workers under one supervisor, asked in turn.
 *
 * `Pool.child(id, { size, worker })` is a child spec: a nested one-for-one supervisor (labelled
 * `id`) whose children `id-1` … `id-<size>` each run `worker`; a worker that crashes is
 * restarted by it, within its restart intensity, as any child is. `Pool.ask(pool, request)`
 * sends the request to the next running worker in round-robin order — a worker waiting for its
 * restart is skipped — and answers with the worker's reply, typed by the request (Akka Typed's
 * pool router, over a supervisor). The asker sees what `ActorRef.ask` would: a worker that
 * crashes while handling the request fails it with `ActorExited`; one that takes too long, with
 * `AskTimeout`.
 *
 * It is a separate module because a pool's use differs from a supervisor's: its children are
 * interchangeable, and callers address the pool, not a child.
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { Pool, Supervisor } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * type JobMsg = Actor.Request<{ readonly _tag: "Square"; readonly n: number }, number>
 * const Job = Actor.make<JobMsg, null>()({
 *   init: () => Effect.succeed(null),
 *   receive: { Square: (s, msg) => Actor.reply(msg.n * msg.n, s) }
 * })
 *
 * const Tree = Supervisor.layer({ children: [Pool.child("jobs", { size: 4, worker: Actor.spawn(Job) })] })
 * const square = (n: number) => Effect.flatMap(Tree.childRef("jobs"), (jobs) => Pool.ask(jobs, { _tag: "Square", n }))
 * ```
 *
 * @module
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Actor, ActorRef, type ActorSystem, type Errors } from "@arbor/core"
import type { Registry } from "@arbor/registry"
import type * as Child from "./Child.ts"
import type { ChildSpec } from "./Child.ts"
import { ChildNotFound, ChildNotRunning, type ChildStartFailed, InvalidChildSpec } from "./Errors.ts"
import type { NestedOptions, NoOptions } from "./internal/engine.ts"
import * as Supervisor from "./Supervisor.ts"

/**
 * A reference to a running pool: its supervisor, whose children are `ActorRef<Msg>` workers.
 *
 * @category models
 * @since 0.1.0
 */
export interface PoolRef<Msg> extends Supervisor.SupervisorRef<{ readonly [id: string]: ActorRef.ActorRef<Msg> }> {
  /** Type-level only: the workers' protocol (a plain supervisor's ref is not a pool's). */
  readonly [PoolTypeId]: (_: Msg) => Msg
}

declare const PoolTypeId: unique symbol

/**
 * Options of {@link child}: the pool's size and worker, and the options of its supervisor.
 *
 * @category models
 * @since 0.1.0
 */
export interface PoolOptions<A, E, R>
  extends Omit<Supervisor.SupervisorSpec<R>, "children" | "strategy" | "autoShutdown" | "name">
{
  /** How many workers: a whole number ≥ 1. */
  readonly size: number
  /** Starts one worker (run once per worker, and again for each restart). */
  readonly worker: Effect.Effect<A, E, R | Scope.Scope>
}

/** Round-robin state of one running pool supervisor, keyed by its ref. */
interface PoolState {
  readonly id: string
  readonly size: number
  next: number
  /** The last ref seen per worker slot, asked for again once it has ended. */
  readonly cache: Array<ActorRef.ActorRef<any> | undefined>
}

const pools = new WeakMap<object, PoolState>()

/**
 * A child spec that runs a pool of `size` workers under a one-for-one supervisor.
 *
 * The supervisor is labelled `id` (unless `options.label` says otherwise) and its workers are
 * the children `id-1` … `id-<size>`; its intensity, period, backoff, reports and event observer
 * are `options`'. `nested` gives the pool's own child options, as for `Supervisor.child`
 * (`restart`, `shutdown`, `name`). A `size` that is not a whole number ≥ 1, or a `worker` that
 * is not an Effect, throws `InvalidChildSpec` (field `size` or `worker`) where the spec is
 * written, as a malformed actor definition does.
 *
 * @category constructors
 * @since 0.1.0
 */
export const child = <
  const Id extends string,
  A extends ActorRef.ActorRef<any>,
  E = never,
  R = never,
  O extends NestedOptions = NoOptions
>(
  id: Id,
  options: PoolOptions<A, E, R>,
  nested?: O
): ChildSpec<
  ActorSystem.ActorSystem | Exclude<R, Scope.Scope> | Child.Named<Child.NameIn<O>, Registry.Registry>,
  PoolRef<Child.MsgOf<A>>,
  InvalidChildSpec | ChildStartFailed<E> | Child.Named<Child.NameIn<O>, Registry.AlreadyRegistered>,
  Id,
  Exclude<Child.NameIn<O>, undefined>
> => {
  const invalid = (field: string, value: unknown, reason: string) => {
    throw new InvalidChildSpec({ supervisor: undefined, child: String(id), field, value, reason })
  }
  if (typeof options !== "object" || options === null) invalid("options", options, "must be an object { size, worker }")
  const { size, worker, ...spec } = options
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1) invalid("size", size, "must be a whole number ≥ 1")
  if (!Effect.isEffect(worker)) invalid("worker", worker, "must be an Effect that starts one worker (`Actor.spawn(Worker)`)")
  const children = Array.from({ length: size }, (_, i) => ({ id: `${id}-${i + 1}`, start: worker }))
  const base = Supervisor.child(id, { ...spec, strategy: "one-for-one", children }, nested as NestedOptions) as ChildSpec<any, any, any, Id>
  const start = Effect.tap(base.start, (ref) =>
    Effect.sync(() => void pools.set(ref as object, { id, size, next: 0, cache: new Array(size).fill(undefined) })))
  return { ...base, start } as never
}

/**
 * Asks the next running worker of `pool`, round-robin; the reply type is the request's.
 *
 * A worker waiting for its restart is skipped; when none is running, fails with
 * `ChildNotRunning` (`child`: the pool's id, `status: "restarting"`). Otherwise fails as
 * `ActorRef.ask` does (`AskTimeout` at `options.timeout`, default 5 s; `ActorExited` when the
 * worker ends before answering — a crash it is restarted from). A ref that is not a running
 * pool's (through a cast) fails with `ChildNotFound`; a pool that has ended, with `ActorNotAlive`.
 *
 * @category messaging
 * @since 0.1.0
 */
export const ask = <Msg, const M extends Actor.RequestsOf<Msg>>(
  pool: PoolRef<Msg>,
  msg: M,
  options?: ActorRef.AskOptions
): Effect.Effect<Actor.ReplyFor<Msg, M>, ChildNotRunning | ChildNotFound | Errors.AskError> =>
  Effect.suspend(() => {
    const state = pools.get(pool)
    if (state === undefined) {
      return Effect.fail(new ChildNotFound({ supervisor: pool.label, child: "(the workers of a pool: not a pool's ref)" }))
    }
    const pick = (
      tried: number
    ): Effect.Effect<ActorRef.ActorRef<Msg>, ChildNotRunning | ChildNotFound | Errors.AskError> => {
      if (tried === state.size) {
        return Effect.fail(new ChildNotRunning({ supervisor: pool.label, child: state.id, status: "restarting" }))
      }
      const slot = state.next
      state.next = (slot + 1) % state.size
      const cached = state.cache[slot]
      if (cached !== undefined && ActorRef.isAliveUnsafe(cached)) return Effect.succeed(cached)
      return Supervisor.childRef(pool, `${state.id}-${slot + 1}`).pipe(
        Effect.tap((ref) => Effect.sync(() => (state.cache[slot] = ref))),
        Effect.catchTag("ChildNotRunning", () => pick(tried + 1))
      )
    }
    return Effect.flatMap(pick(0), (worker) => ActorRef.ask(worker, msg, options))
  })
