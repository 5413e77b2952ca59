/**
 * The typed errors of `@arbor/cluster`: what a caller of a remote actor sees
 * ({@link RemoteDown}, {@link RemoteActorError}) and what a bad option produces
 * ({@link InvalidClusterOptions}).
 *
 * @module
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Schema from "effect/Schema"

/**
 * Why a remote incarnation is gone, as its proxy saw it:
 * - `"restarted"`: the actor crashed (or was killed) inside its activation and the in-entity
 *   supervisor started a new incarnation in place;
 * - `"moved"`: the activation ended (idle passivation, a rebalance, or a failover to another
 *   runner) or a reply came from a newer activation: the actor lives elsewhere now;
 * - `"noconnection"`: the proxy heard nothing from the entity (no watch item, no heartbeat)
 *   for `downAfter`, or the watch stream failed;
 * - `"stopped"`: the actor ended and will not be restarted (a `transient` actor that stopped
 *   normally, a `temporary` one, or its in-entity supervisor gave up).
 *
 * @category errors
 * @since 0.1.0
 */
export type DownWhy = "restarted" | "moved" | "noconnection" | "stopped"

/**
 * The exit reason's cause of a location-transparent ref (`ClusterRef.ref`) whose remote
 * incarnation ended: `ActorRef.monitor` on the proxy yields `Failure(RemoteDown)`, asks in
 * flight fail with `ActorExited(Failure(RemoteDown))`, linked actors end with it. Re-look the
 * name up (`ClusterRegistry.lookup`) to reach the next incarnation.
 *
 * @category errors
 * @since 0.1.0
 */
export class RemoteDown extends Schema.TaggedError<RemoteDown>()("RemoteDown", {
  /** `"<protocol name>/<entity id>"`. */
  entity: Schema.String,
  /** The activation the proxy was bound to (`""` when it had not heard of one yet). */
  activation: Schema.String,
  /** The incarnation the proxy was bound to (`""` when it had not heard of one yet). */
  incarnation: Schema.String,
  /** Why it is gone. */
  why: Schema.Literals(["restarted", "moved", "noconnection", "stopped"]),
  /** What happened, as text. */
  detail: Schema.String
}) {
  override get message(): string {
    return `remote actor ${this.entity} (incarnation ${this.incarnation || "unknown"}) is down: ${this.why}: ${this.detail}`
  }
}

/**
 * A request the entity could not pass to its hosted actor, typed on the wire:
 * - `"ActorNotAlive"` / `"ActorExited"`: the incarnation ended before or while handling it
 *   (the proxy then ends with {@link RemoteDown});
 * - `"AskTimeout"`: the hosted actor did not answer within the host's `askTimeout`;
 * - `"MailboxFull"`: the hosted actor's bounded mailbox, or the cluster's entity mailbox,
 *   refused it;
 * - `"Unavailable"`: the in-entity supervisor gave up (restart intensity exceeded); the entity
 *   rebuilds it after `rebuild.delay`, and after `rebuild.maxRebuilds` stays unavailable;
 * - `"Transport"`: the cluster could not deliver it (storage or RPC failure).
 *
 * The proxy ends with `Failure(RemoteActorError)` for the last four, so the asker sees
 * `ActorExited(Failure(RemoteActorError))`.
 *
 * @category errors
 * @since 0.1.0
 */
export class RemoteActorError extends Schema.TaggedError<RemoteActorError>()("RemoteActorError", {
  /** What went wrong. */
  kind: Schema.Literals(["ActorNotAlive", "ActorExited", "AskTimeout", "MailboxFull", "Unavailable", "Transport"]),
  /** `"<protocol name>/<entity id>"`. */
  entity: Schema.String,
  /** The activation that answered (`""` when none did). */
  activation: Schema.String,
  /** The incarnation concerned (`""` when none). */
  incarnation: Schema.String,
  /** For `ActorExited`: whether the actor is being restarted in place or stopped for good. */
  why: Schema.optional(Schema.Literals(["restarted", "moved", "noconnection", "stopped"])),
  /** What happened, as text. */
  detail: Schema.String
}) {
  override get message(): string {
    return `remote actor ${this.entity}: ${this.kind}: ${this.detail}`
  }
}

/**
 * An invalid option of `Cluster.layer`, `ClusterActor.host`, `ClusterActor.singleton`,
 * `ClusterRef.ref` or `Cluster.cleanup`; nothing was started. `field` names it (`"storage"`,
 * `"runner.port"`, `"preset"`, `"preset.shardLockExpiration"`, `"maxIdleTime"`, …), `value`
 * is what was given (a storage URL with its password replaced by `***`).
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidClusterOptions extends Data.TaggedError("InvalidClusterOptions")<{
  /** Which function was given the option. */
  readonly where: string
  /** The invalid field. */
  readonly field: string
  /** The value given (passwords redacted). */
  readonly value: unknown
  /** What a valid value is. */
  readonly reason: string
}> {
  override get message(): string {
    return `${this.where}: invalid option ${this.field} (${formatValue(this.value)}): ${this.reason}`
  }
}

const formatValue = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u)
  try {
    return JSON.stringify(u) ?? String(u)
  } catch {
    return String(u)
  }
}
