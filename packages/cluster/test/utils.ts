/** The in-memory cluster every unit test runs on: TestSystem's world (TestClock) + Cluster.layer("memory"). */
import type { ActorSystem } from "@arbor/core"
import { Cluster } from "@arbor/cluster"
import { TestSystem } from "@arbor/testkit"
import type { Sharding } from "effect/cluster"
import { Effect, Layer, References } from "effect"
import type { Scope } from "effect"

/** Runs `program` with an ActorSystem on the TestClock, an in-memory cluster and `hosts` (layers of ClusterActor.host). */
export const run = <A, E>(
  program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem | Sharding.Sharding>,
  hosts: Layer.Layer<never, unknown, Sharding.Sharding | ActorSystem.ActorSystem> = Layer.empty
): Promise<A> => {
  // the tests crash actors on purpose: their reports are not wanted in the output
  const world = Layer.provideMerge(TestSystem.layer(), Layer.succeed(References.MinimumLogLevel, "None"))
  const cluster = Layer.provideMerge(hosts, Layer.provideMerge(Cluster.layer({ storage: "memory", preset: "test" }), world))
  // the runner acquires its shards on its first lock refresh: one second of TestClock time
  const started = Effect.andThen(TestSystem.advance("1 second"), program)
  return Effect.runPromise(Effect.scoped(started).pipe(Effect.provide(cluster as Layer.Layer<ActorSystem.ActorSystem | Sharding.Sharding>)) as Effect.Effect<A>)
}
