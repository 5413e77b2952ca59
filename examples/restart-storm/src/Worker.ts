/**
 * A worker that polls its dependency. While the dependency is down, every poll fails, the
 * worker crashes, its supervisor restarts it, and the new incarnation crashes on its first
 * poll: a restart storm.
 */
import { Actor, ActorRef, type ActorSystem, type Errors } from "@arbor/core"
import { type Duration, Effect, type Scope } from "effect"
import type { Dependency } from "./Dependency.ts"

export type WorkerMsg = { readonly _tag: "Poll" }

export const worker = (dependency: Dependency, every: Duration.Input) =>
  Actor.make<WorkerMsg>()({
    init: () => Effect.succeed({ polls: 0 }),
    receive: {
      Poll: (state, _msg, { self }) =>
        Effect.gen(function*() {
          yield* Effect.sleep(every)
          yield* dependency.check // fails with DependencyDown: the worker crashes
          ActorRef.tellUnsafe(self, { _tag: "Poll" })
          return { polls: state.polls + 1 }
        })
    }
  })

/** Spawns a worker and starts its polling loop: the `start` of its child spec. */
export const startWorker = (
  dependency: Dependency,
  every: Duration.Input
): Effect.Effect<
  ActorRef.ActorRef<WorkerMsg>,
  Errors.InvalidActorOptions | Errors.StartTimeout,
  Scope.Scope | ActorSystem.ActorSystem
> =>
  Effect.tap(Actor.spawn(worker(dependency, every), { label: `${dependency.name} worker` }), (ref) =>
    ActorRef.tell(ref, { _tag: "Poll" }))
