/**
 * The demo's client: a client-only member of the cluster (it hosts nothing) that reaches each
 * actor through a location-transparent ref (`ClusterRef.ref`). A ref stands for one remote
 * incarnation: once it is down (the actor moved after a failover or a rebalance, or its runner
 * stopped answering) the next attempt takes a fresh ref.
 */
import { ActorRef, ActorSystem, Reports } from "@arbor/core"
import { Cluster, ClusterRef } from "@arbor/cluster"
import type * as Sharding from "effect/cluster/Sharding"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { DemoProtocol } from "./actor.ts"
import type { DemoMsg } from "./actor.ts"

/** Text for any failure: its tag and message, on one line. */
export const describe = (e: unknown): string => {
  const o = e as { _tag?: unknown; message?: unknown } | null
  const text = typeof o?.message === "string" && o.message !== "" ? o.message : String(e)
  return (typeof o?._tag === "string" && !text.startsWith(o._tag) ? `${o._tag}: ${text}` : text).replace(/\s+/g, " ")
}

/** One attempt: actor `actor` handles request `id`; says which runner answered. */
export type Handle = (actor: string, id: string) => Effect.Effect<{ readonly runner: string }, string>

/** Runs `body` as a client of the cluster on `url` (tables `<tablePrefix>_*`), with a {@link Handle}. */
export const clientCluster = <A>(url: string, tablePrefix: string, body: (handle: Handle) => Effect.Effect<A>): Effect.Effect<A, string> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const context: Context.Context<ActorSystem.ActorSystem | Sharding.Sharding> = yield* Effect.context<ActorSystem.ActorSystem | Sharding.Sharding>()
    const refs = new Map<string, ActorRef.ActorRef<DemoMsg>>()
    const refFor = (actor: string) => {
      const known = refs.get(actor)
      if (known !== undefined && ActorRef.isAliveUnsafe(known)) return Effect.succeed(known)
      return ClusterRef.ref(DemoProtocol, actor).pipe(Effect.tap((ref) => Effect.sync(() => refs.set(actor, ref))))
    }
    const handle: Handle = (actor, id) =>
      refFor(actor).pipe(
        Effect.flatMap((ref) => ActorRef.ask(ref, { _tag: "Handle", id })),
        Effect.mapError(describe),
        Scope.provide(scope),
        Effect.provideContext(context)
      )
    return yield* body(handle)
  }).pipe(
    Effect.scoped,
    Effect.provide(Layer.mergeAll(Cluster.layer({ storage: url, runner: "client", preset: "test", tablePrefix }), ActorSystem.layer, Reports.layer(false))),
    Effect.mapError(describe)
  )
