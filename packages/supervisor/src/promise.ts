/**
 * Supervision trees for code that is not written in Effect: starts a supervisor in an actor
 * system of `@arbor/core/promise`, with a Promise.
 *
 * The tree lives until it ends or the system is closed (`system.close()` stops it, children
 * first, per their shutdown specs). Other supervisor calls run through `system.run`, e.g.
 * `system.run(Supervisor.whichChildren(sup))` or `system.run(DynamicSupervisor.start(spec))`.
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { makeSystem } from "@arbor/core/promise"
 * import { Child } from "@arbor/supervisor"
 * import { supervise } from "@arbor/supervisor/promise"
 * import { Effect } from "effect"
 *
 * const Worker = Actor.make<{ readonly _tag: "Work" }>()({
 *   init: () => Effect.succeed(null),
 *   receive: { Work: (s) => s }
 * })
 *
 * const system = makeSystem()
 * const root = await supervise(system, {
 *   strategy: "one-for-one",
 *   children: [Child.worker({ id: "worker", start: Actor.spawn(Worker) })]
 * })
 * await system.close()
 * ```
 *
 * @module @arbor/supervisor/promise
 * @since 0.1.0
 */
import type { ActorSystem } from "@arbor/core"
import type { PromiseSystem } from "@arbor/core/promise"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Supervisor from "./Supervisor.ts"

/**
 * Starts a supervisor in `system` and resolves with its reference once every child has started.
 *
 * Starts a supervisor (as `Supervisor.start`) in `system` and resolves with its reference once
 * every child has started; rejects with `InvalidChildSpec` or `ChildStartFailed` (the same
 * tagged classes as in Effect), or `SystemClosed`.
 *
 * The children may need the services of the system's layer (`S`), besides the actor system and a
 * scope.
 *
 * @category constructors
 * @since 0.1.0
 */
export const supervise = <S, R extends S | ActorSystem.ActorSystem | Scope.Scope>(
  system: PromiseSystem<S>,
  spec: Supervisor.SupervisorSpec<R>
): Promise<Supervisor.SupervisorRef> => system.run(Supervisor.start(spec) as Effect.Effect<Supervisor.SupervisorRef, unknown, S>)
