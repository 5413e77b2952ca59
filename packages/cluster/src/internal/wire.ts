/**
 * A `Protocol` as an effect/cluster entity: one Rpc per message tag (requests answer
 * `{ value, activation, incarnation }`, plain messages `{ activation, incarnation }`, both fail
 * with `RemoteActorError`), plus the internal forked stream `Arbor/Watch`.
 */
import type { Protocol } from "@arbor/worker"
import * as ClusterSchema from "effect/cluster/ClusterSchema"
import * as Entity from "effect/cluster/Entity"
import * as Rpc from "effect/rpc/Rpc"
import * as Schema from "effect/Schema"
import { RemoteActorError } from "../Errors.ts"

/** The internal watch stream's tag (a protocol may not use the `Arbor/` prefix). */
export const WATCH = "Arbor/Watch"

/** Where a reply came from. */
export const Origin = Schema.Struct({ activation: Schema.String, incarnation: Schema.String })

/** One item of the watch stream. */
export const WatchItem = Schema.Union([
  Schema.TaggedStruct("Up", { activation: Schema.String, incarnation: Schema.String }),
  Schema.TaggedStruct("Down", {
    activation: Schema.String,
    incarnation: Schema.String,
    why: Schema.Literals(["restarted", "moved", "stopped"]),
    detail: Schema.String
  }),
  Schema.TaggedStruct("Unavailable", { activation: Schema.String, detail: Schema.String }),
  Schema.TaggedStruct("Heartbeat", { activation: Schema.String })
])

/** The type of {@link WatchItem}. */
export type WatchItem = typeof WatchItem.Type

const entities = new WeakMap<Protocol.Protocol<any, any, any>, Entity.Any>()

/** The entity of `protocol` (cached: both ends derive the same one). */
export const entityOf = (protocol: Protocol.Protocol<any, any, any>): Entity.Any => {
  const cached = entities.get(protocol)
  if (cached !== undefined) return cached
  const rpcs: Array<Rpc.Any> = []
  for (const tag of protocol.tags) {
    const spec = protocol.specs[tag] as Protocol.MessageSpec
    const payload = spec.payload ?? {}
    const success = protocol.requests.has(tag)
      ? Schema.Struct({ value: spec.reply!, activation: Schema.String, incarnation: Schema.String })
      : Origin
    let rpc: Rpc.Any = spec.primaryKey !== undefined
      ? Rpc.make(tag, { payload, success, error: RemoteActorError, primaryKey: spec.primaryKey as never })
      : Rpc.make(tag, { payload, success, error: RemoteActorError })
    if (spec.persisted === true) rpc = (rpc as any).annotate(ClusterSchema.Persisted, true)
    rpcs.push(rpc)
  }
  rpcs.push(Rpc.make(WATCH, { success: WatchItem, error: RemoteActorError, stream: true }))
  const entity = Entity.make(protocol.name, rpcs) as unknown as Entity.Any
  entities.set(protocol, entity)
  return entity
}
