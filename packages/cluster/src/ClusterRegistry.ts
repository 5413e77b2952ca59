/**
 * Names across the cluster.
 *
 * A cluster name is `(protocol, id)`: the entity is activated on demand, so a lookup never
 * finds "nothing" (unlike the local `Registry.lookup`). {@link lookup} returns a live proxy for
 * the current incarnation, cached per `(protocol name, id)`: the same `ActorRef` to every caller
 * until it ends (its incarnation restarted, moved or became unreachable); the next lookup
 * then makes a new one.
 *
 * @module
 * @since 0.1.0
 */
import type { ActorRef, ActorSystem } from "@arbor/core"
import { ActorRef as Ref } from "@arbor/core"
import type { Protocol } from "@arbor/worker"
import type * as Sharding from "effect/cluster/Sharding"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as ClusterRef from "./ClusterRef.ts"
import type { InvalidClusterOptions, RemoteDown } from "./Errors.ts"

/**
 * The service behind {@link lookup}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ClusterRegistryService {
  /** See {@link lookup}. */
  readonly lookup: <P extends Protocol.Protocol<any, any, any>>(
    protocol: P,
    id: string,
    options?: ClusterRef.RefOptions
  ) => Effect.Effect<ActorRef.ActorRef<Protocol.Type<P>>, InvalidClusterOptions | RemoteDown>
  /** How many live proxies are cached. */
  readonly size: Effect.Effect<number>
}

/**
 * The cluster registry service; build it with {@link layer}.
 *
 * @category models
 * @since 0.1.0
 */
export class ClusterRegistry extends Context.Service<ClusterRegistry, ClusterRegistryService>()("@arbor/cluster/ClusterRegistry") {}

/**
 * The registry: its proxies live in the layer's scope (closing it stops them).
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<ClusterRegistry, never, Sharding.Sharding | ActorSystem.ActorSystem> = Layer.effect(
  ClusterRegistry,
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const context = yield* Effect.context<Sharding.Sharding | ActorSystem.ActorSystem>()
    const cache = new Map<string, Deferred.Deferred<ActorRef.ActorRef<any>, InvalidClusterOptions | RemoteDown>>()
    const lookup = (protocol: Protocol.Protocol<any, any, any>, id: string, options?: ClusterRef.RefOptions) =>
      Effect.suspend(() => {
        const key = `${protocol?.name}\u0000${id}\u0000${options?.watch === false ? "nowatch" : "watch"}`
        const cached = cache.get(key)
        if (cached !== undefined) {
          const done = Deferred.isDoneUnsafe(cached)
          const exit = done ? Effect.runSync(Deferred.await(cached).pipe(Effect.exit)) : undefined
          if (!done || (exit !== undefined && Exit.isSuccess(exit) && Ref.isAliveUnsafe(exit.value))) {
            return Deferred.await(cached)
          }
          cache.delete(key)
        }
        const deferred = Deferred.makeUnsafe<ActorRef.ActorRef<any>, InvalidClusterOptions | RemoteDown>()
        cache.set(key, deferred)
        return ClusterRef.ref(protocol, id, options).pipe(
          Scope.provide(scope),
          Effect.provide(context),
          Effect.tap((ref) =>
            Effect.sync(() => {
              Ref.onExit(ref, () => {
                if (cache.get(key) === deferred) cache.delete(key)
              })
            })
          ),
          Effect.onExit((exit) =>
            Effect.sync(() => {
              if (Exit.isFailure(exit) && cache.get(key) === deferred) cache.delete(key)
              Deferred.doneUnsafe(deferred, exit)
            })
          )
        )
      })
    return ClusterRegistry.of({
      lookup: lookup as ClusterRegistryService["lookup"],
      size: Effect.sync(() => cache.size)
    })
  })
)

/**
 * A live proxy for `(protocol, id)` (see `ClusterRef.ref`), the cached one while it lives.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 * import { ClusterRegistry } from "@arbor/cluster"
 * import { Protocol } from "@arbor/worker"
 * import { Effect, Schema } from "effect"
 *
 * const CounterProtocol = Protocol.make("Counter", { Get: { reply: Schema.Int } })
 * const get = (user: string) =>
 *   Effect.gen(function*() {
 *     const counter = yield* ClusterRegistry.lookup(CounterProtocol, user)
 *     return yield* ActorRef.ask(counter, { _tag: "Get" })
 *   })
 * ```
 *
 * @category lookup
 * @since 0.1.0
 */
export const lookup = <P extends Protocol.Protocol<any, any, any>>(
  protocol: P,
  id: string,
  options?: ClusterRef.RefOptions
): Effect.Effect<ActorRef.ActorRef<Protocol.Type<P>>, InvalidClusterOptions | RemoteDown, ClusterRegistry> =>
  ClusterRegistry.use((r) => r.lookup(protocol, id, options))
