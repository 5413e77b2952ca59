/**
 * `@arbor/cluster`: Arbor actors across processes and machines on `effect/cluster` — the same
 * `Actor.make` behaviour hosted as a cluster entity with an Arbor supervisor inside each
 * activation, location-transparent `ActorRef`s with incarnation-based monitors, cluster
 * singletons for supervision subtrees, and one layer for transport, storage and timing.
 *
 * @packageDocumentation
 * @module @arbor/cluster
 */

export * as Cluster from "./Cluster.ts"
export * as ClusterActor from "./ClusterActor.ts"
export * as ClusterErrors from "./Errors.ts"
export * as ClusterRef from "./ClusterRef.ts"
export * as ClusterRegistry from "./ClusterRegistry.ts"
export { InvalidClusterOptions, RemoteActorError, RemoteDown } from "./Errors.ts"
export type { DownWhy } from "./Errors.ts"
