/**
 * The cluster itself: transport, storage and timing, as one layer.
 *
 * {@link layer} gives effect/cluster's `Sharding` (and what it needs) for one process:
 * - `storage: "memory"` without `runner`: an in-memory cluster in this process (unit tests,
 *   one-process apps; no sockets, no `@effect/platform-node`, works on Node 20);
 * - `storage: "postgres://user@host:5432/db"` (PostgreSQL via `@effect/sql-pg`): several
 *   processes and machines share shard locks, runner membership and persisted messages;
 *   with `runner: { port }` this process hosts shards and listens (on `127.0.0.1` unless
 *   `host` says otherwise), with `runner: "client"` it only sends;
 * - `preset`: the timing — `"test"` (fail over in ≈ 6 s, measured), `"production"` (the
 *   default) or `"engine"` (effect/cluster's own defaults, ≈ 31 s measured) — and `timing`
 *   overrides of single values.
 *
 * {@link cleanup} deletes processed persisted messages older than a given age (effect 4.1.0
 * has no retention helper); `layer`'s `retention` option schedules it.
 *
 * The socket transport and the PostgreSQL driver are imported only when a layer needs them.
 *
 * @module
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as MessageStorage from "effect/cluster/MessageStorage"
import * as RunnerAddress from "effect/cluster/RunnerAddress"
import * as RunnerHealth from "effect/cluster/RunnerHealth"
import * as Runners from "effect/cluster/Runners"
import * as RunnerStorage from "effect/cluster/RunnerStorage"
import * as Sharding from "effect/cluster/Sharding"
import * as ShardingConfig from "effect/cluster/ShardingConfig"
import * as Snowflake from "effect/cluster/Snowflake"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import type * as SqlClient from "effect/sql/SqlClient"
import { InvalidClusterOptions } from "./Errors.ts"
import { Checker } from "./internal/options.ts"

// -----------------------------------------------------------------------------------------
// timing
// -----------------------------------------------------------------------------------------

/**
 * The timing values a preset sets, each overridable through `timing`. Durations accept
 * anything `Durations.decode` does (`"2 seconds"`, `2000`, …). Every runner of a cluster must
 * use the same `shardsPerGroup`.
 *
 * @category timing
 * @since 0.1.0
 */
export interface Timing {
  /** Shards per shard group (same on every runner). */
  readonly shardsPerGroup?: number
  /** How often a runner refreshes its shard locks. Must be shorter than `shardLockExpiration`. */
  readonly shardLockRefreshInterval?: Duration.Input
  /** How long a dead runner's shard locks live: the floor of failover time. */
  readonly shardLockExpiration?: Duration.Input
  /** How often runners re-read membership and shard assignments. */
  readonly refreshAssignmentsInterval?: Duration.Input
  /** How often the health singleton pings runners. */
  readonly runnerHealthCheckInterval?: Duration.Input
  /** How often a runner polls storage for persisted messages. */
  readonly entityMessagePollInterval?: Duration.Input
  /** How often a sender polls storage for persisted replies. */
  readonly entityReplyPollInterval?: Duration.Input
  /** The engine's default idle passivation of entities. */
  readonly entityMaxIdleTime?: Duration.Input
  /** How long an entity may take to stop. */
  readonly entityTerminationTimeout?: Duration.Input
  /** How long a send waits between retries while a shard has no owner. */
  readonly sendRetryInterval?: Duration.Input
}

const TIMING_KEYS: ReadonlyArray<keyof Timing> = [
  "shardsPerGroup",
  "shardLockRefreshInterval",
  "shardLockExpiration",
  "refreshAssignmentsInterval",
  "runnerHealthCheckInterval",
  "entityMessagePollInterval",
  "entityReplyPollInterval",
  "entityMaxIdleTime",
  "entityTerminationTimeout",
  "sendRetryInterval"
]

/**
 * The names of the timing presets.
 *
 * @category timing
 * @since 0.1.0
 */
export type PresetName = "test" | "production" | "engine"

/**
 * The presets' values:
 * - `"test"`: 32 shards, locks refreshed every 1 s and expiring after 6 s, assignments every
 *   1 s, health checks every 2 s, message polling every 500 ms — kill -9 failover took
 *   3.3–7.0 s on PostgreSQL in the study (`../shared/DISTRIBUTION.md`);
 * - `"production"`: 300 shards, refresh 3 s, expiry 15 s, assignments 3 s, health 10 s,
 *   polling 1 s — failover is bounded below by the 15 s expiry (a long GC or network blip
 *   under 15 s does not move shards);
 * - `"engine"`: effect/cluster's own defaults (refresh 10 s, expiry 35 s, health 1 min, 300
 *   shards, polling 10 s) — ≈ 31 s to fail over, measured.
 *
 * @category timing
 * @since 0.1.0
 */
export const presets: { readonly [K in PresetName]: Required<Timing> } = {
  test: {
    shardsPerGroup: 32,
    shardLockRefreshInterval: "1 second",
    shardLockExpiration: "6 seconds",
    refreshAssignmentsInterval: "1 second",
    runnerHealthCheckInterval: "2 seconds",
    entityMessagePollInterval: "500 millis",
    entityReplyPollInterval: "200 millis",
    entityMaxIdleTime: "1 minute",
    entityTerminationTimeout: "5 seconds",
    sendRetryInterval: "100 millis"
  },
  production: {
    shardsPerGroup: 300,
    shardLockRefreshInterval: "3 seconds",
    shardLockExpiration: "15 seconds",
    refreshAssignmentsInterval: "3 seconds",
    runnerHealthCheckInterval: "10 seconds",
    entityMessagePollInterval: "1 second",
    entityReplyPollInterval: "200 millis",
    entityMaxIdleTime: "1 minute",
    entityTerminationTimeout: "15 seconds",
    sendRetryInterval: "100 millis"
  },
  engine: {
    shardsPerGroup: ShardingConfig.defaults.shardsPerGroup,
    shardLockRefreshInterval: ShardingConfig.defaults.shardLockRefreshInterval,
    shardLockExpiration: ShardingConfig.defaults.shardLockExpiration,
    refreshAssignmentsInterval: ShardingConfig.defaults.refreshAssignmentsInterval,
    runnerHealthCheckInterval: ShardingConfig.defaults.runnerHealthCheckInterval,
    entityMessagePollInterval: ShardingConfig.defaults.entityMessagePollInterval,
    entityReplyPollInterval: ShardingConfig.defaults.entityReplyPollInterval,
    entityMaxIdleTime: ShardingConfig.defaults.entityMaxIdleTime,
    entityTerminationTimeout: ShardingConfig.defaults.entityTerminationTimeout,
    sendRetryInterval: ShardingConfig.defaults.sendRetryInterval
  }
}

// -----------------------------------------------------------------------------------------
// options
// -----------------------------------------------------------------------------------------

/**
 * Where this process stands in the cluster: a runner that hosts shards and listens on `port`
 * (bound to `host`, default `"127.0.0.1"`: only this machine can reach it; other runners
 * connect to `advertise`, default `host`), or `"client"`, which only sends. The socket
 * transport authenticates nobody: whoever reaches the port can send any entity any message.
 *
 * @category options
 * @since 0.1.0
 */
export type Runner =
  | {
    /** The interface to listen on. Default `"127.0.0.1"`. */
    readonly host?: string
    /** The port, 1–65535. */
    readonly port: number
    /** The address other runners reach this one at. Default `host`. */
    readonly advertise?: string
  }
  | "client"

/**
 * Options of {@link layer}.
 *
 * @category options
 * @since 0.1.0
 */
export interface LayerOptions {
  /**
   * `"memory"` (this process only) or a PostgreSQL URL (`postgres://` or `postgresql://`),
   * e.g. from `process.env.DATABASE_URL`. The password, if any, is never logged.
   */
  readonly storage: "memory" | string
  /** This process's role; required with PostgreSQL. With `"memory"`, omit it (or give a port to listen for tests of the transport). */
  readonly runner?: Runner
  /** The timing preset. Default `"production"`. */
  readonly preset?: PresetName
  /** Overrides of single timing values, over the preset. */
  readonly timing?: Timing
  /** With PostgreSQL: delete processed persisted messages (see {@link cleanup}). */
  readonly retention?: RetentionOptions
  /** With PostgreSQL: the tables' prefix (`<prefix>_messages`, …). Default `"cluster"`. */
  readonly tablePrefix?: string
}

/**
 * A storage that could not be reached or set up (PostgreSQL down, bad credentials, a role
 * without DDL rights). `url` has its password replaced by `***`.
 *
 * @category errors
 * @since 0.1.0
 */
export class ClusterStorageError extends Data.TaggedError("ClusterStorageError")<{
  /** The storage URL, password redacted. */
  readonly url: string
  /** What happened. */
  readonly detail: string
}> {
  override get message(): string {
    return `cluster storage ${this.url} failed: ${this.detail}`
  }
}

/**
 * `url` with its password (if any) replaced by `***`, for logs and errors; a string that is
 * not a URL is returned with anything between `//` and `@` replaced.
 *
 * @example
 * ```ts
 * import { Cluster } from "@arbor/cluster"
 * Cluster.redactUrl("postgres://arbor:s3cret@db:5432/app") // "postgres://arbor:***@db:5432/app"
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export const redactUrl = (url: string): string => {
  try {
    const u = new URL(url)
    if (u.password !== "") u.password = "***"
    return u.toString()
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@")
  }
}

interface ResolvedLayer {
  readonly storage: { readonly _tag: "memory" } | { readonly _tag: "postgres"; readonly url: URL; readonly redacted: string }
  readonly runner: { readonly host: string; readonly port: number; readonly advertise: string } | "client" | undefined
  readonly config: Partial<ShardingConfig.ShardingConfig["Service"]>
  readonly retention: ResolvedRetention | undefined
  readonly tablePrefix: string
}

const HOST_RE = /^[A-Za-z0-9._:-]+$/

const resolveTiming = (c: Checker, presetName: unknown, timing: unknown) => {
  const preset = c.oneOf("preset", presetName, ["test", "production", "engine"], "production")
  const overrides = c.object("timing", timing, TIMING_KEYS) ?? {}
  const base = presets[preset]
  const out: Record<string, unknown> = {}
  for (const key of TIMING_KEYS) {
    if (key === "shardsPerGroup") {
      out[key] = c.int("timing.shardsPerGroup", overrides[key], base.shardsPerGroup, 1, 100_000)
    } else {
      out[key] = c.duration(`timing.${key}`, overrides[key], Duration.fromInputUnsafe(base[key]))
    }
  }
  const refresh = out.shardLockRefreshInterval as Duration.Duration
  const expiry = out.shardLockExpiration as Duration.Duration
  if (!c.error && Duration.toMillis(refresh) >= Duration.toMillis(expiry)) {
    c.fail(
      overrides.shardLockRefreshInterval !== undefined ? "timing.shardLockRefreshInterval" : "timing.shardLockExpiration",
      overrides.shardLockRefreshInterval ?? overrides.shardLockExpiration,
      `the lock refresh interval (${Duration.format(refresh)}) must be shorter than the lock expiration (${Duration.format(expiry)})`
    )
  }
  return out as Partial<ShardingConfig.ShardingConfig["Service"]>
}

const resolveLayer = (options: unknown): ResolvedLayer | InvalidClusterOptions => {
  const c = new Checker("Cluster.layer")
  if (typeof options !== "object" || options === null) {
    return c.fail("options", options, "must be an object { storage, runner?, preset?, timing?, retention? }") ?? c.error!
  }
  const o = c.object("options", options, ["storage", "runner", "preset", "timing", "retention", "tablePrefix"]) ?? {}
  if (c.error) return c.error
  let storage: ResolvedLayer["storage"] = { _tag: "memory" }
  if (o.storage !== "memory") {
    if (typeof o.storage !== "string" || o.storage.length === 0) {
      return c.fail("storage", typeof o.storage === "string" ? o.storage : o.storage, "must be \"memory\" or a PostgreSQL URL (postgres://user@host:5432/db)") ?? c.error!
    }
    let url: URL
    try {
      url = new URL(o.storage)
    } catch {
      return c.fail("storage", redactUrl(o.storage), "is not a URL: give \"memory\" or postgres://user@host:5432/db") ?? c.error!
    }
    const redacted = redactUrl(o.storage)
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
      return c.fail("storage", redacted, `has scheme ${url.protocol} — only postgres:// and postgresql:// are supported (SQLite is not: no published driver works with effect 4.1.0)`) ?? c.error!
    }
    if (url.hostname === "") return c.fail("storage", redacted, "has no host") ?? c.error!
    if (url.pathname.length <= 1) return c.fail("storage", redacted, "names no database (postgres://user@host:5432/<database>)") ?? c.error!
    storage = { _tag: "postgres", url, redacted }
  }
  let runner: ResolvedLayer["runner"]
  if (o.runner === "client") {
    if (storage._tag === "memory") return c.fail("runner", "client", "a client needs shared storage: with \"memory\" this process is the whole cluster (omit runner)") ?? c.error!
    runner = "client"
  } else if (o.runner === undefined) {
    if (storage._tag === "postgres") return c.fail("runner", undefined, "is required with PostgreSQL: { port } for a runner, \"client\" for a sender") ?? c.error!
  } else {
    const r = c.object("runner", o.runner, ["host", "port", "advertise"])
    if (r === undefined) return c.error ?? c.fail("runner", o.runner, "must be { host?, port, advertise? } or \"client\"") ?? c.error!
    const port = c.int("runner.port", r.port, 0, 1, 65535)
    if (r.port === undefined) c.fail("runner.port", undefined, "is required (1–65535)")
    const host = r.host === undefined ? "127.0.0.1" : r.host
    if (typeof host !== "string" || !HOST_RE.test(host)) c.fail("runner.host", host, "must be a host name or IP address")
    const advertise = r.advertise === undefined ? host : r.advertise
    if (typeof advertise !== "string" || !HOST_RE.test(advertise) || advertise === "0.0.0.0" || advertise === "::") {
      c.fail("runner.advertise", advertise, "must be a host name or IP address other runners can reach (not 0.0.0.0)")
    }
    if (r.advertise === undefined && (host === "0.0.0.0" || host === "::")) {
      c.fail("runner.advertise", undefined, `is required when listening on ${String(host)}: the address other runners reach this one at`)
    }
    runner = { host: host as string, port, advertise: advertise as string }
  }
  const config = resolveTiming(c, o.preset, o.timing)
  const retention = o.retention === undefined ? undefined : resolveRetention(c, o.retention, "retention")
  if (retention !== undefined && storage._tag === "memory") {
    c.fail("retention", o.retention, "is for PostgreSQL storage (memory storage lives and dies with the process)")
  }
  const tablePrefix = o.tablePrefix === undefined ? "cluster" : o.tablePrefix
  if (typeof tablePrefix !== "string" || !/^[a-z_][a-z0-9_]{0,30}$/.test(tablePrefix)) {
    c.fail("tablePrefix", tablePrefix, "must be a lowercase SQL identifier (letters, digits, _; at most 31 characters)")
  }
  if (c.error) return c.error
  return { storage, runner, config, retention, tablePrefix: tablePrefix as string }
}

// -----------------------------------------------------------------------------------------
// the layer
// -----------------------------------------------------------------------------------------

/**
 * The cluster for this process: effect/cluster's `Sharding` (plus its `Runners` and
 * `MessageStorage`), which `ClusterActor.host`, `ClusterRef.ref` and `ClusterRegistry` need.
 *
 * Fails with `InvalidClusterOptions` (naming the field; a URL's password redacted) before
 * anything starts, and with `ClusterStorageError` when PostgreSQL cannot be reached or set
 * up. Closing the layer leaves the cluster gracefully (its shards are released at once).
 *
 * @example
 * ```ts
 * import { Cluster } from "@arbor/cluster"
 *
 * // unit tests, one process
 * const inMemory = Cluster.layer({ storage: "memory", preset: "test" })
 * // a runner of a real cluster; DATABASE_URL=postgres://arbor@10.0.0.2:5432/arbor
 * const runner = Cluster.layer({
 *   storage: process.env.DATABASE_URL ?? "",
 *   runner: { host: "10.0.0.5", port: 34431 },
 *   preset: "production",
 *   timing: { shardLockExpiration: "10 seconds" },
 *   retention: { olderThan: "1 day", every: "1 hour" }
 * })
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (
  options: LayerOptions
): Layer.Layer<
  Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage,
  InvalidClusterOptions | ClusterStorageError
> =>
  Layer.unwrap(Effect.suspend(() => {
    const resolved = resolveLayer(options)
    if (resolved instanceof InvalidClusterOptions) return Effect.fail(resolved)
    if (resolved.storage._tag === "memory" && resolved.runner === undefined) {
      return Effect.succeed(memoryLayer(resolved.config) as Layer.Layer<Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage, ClusterStorageError>)
    }
    return Effect.promise(() => socketLayer(resolved))
  }))

const memoryLayer = (config: Partial<ShardingConfig.ShardingConfig["Service"]>) =>
  Sharding.layer.pipe(
    Layer.provideMerge(Runners.layerNoop),
    Layer.provideMerge(MessageStorage.layerMemory),
    Layer.provide([RunnerStorage.layerMemory, RunnerHealth.layerNoop]),
    Layer.provide(ShardingConfig.layer(config))
  )

const socketLayer = async (
  r: ResolvedLayer
): Promise<Layer.Layer<Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage, ClusterStorageError>> => {
  const { NodeClusterSocket } = await import("@effect/platform-node")
  const label = r.storage._tag === "postgres" ? r.storage.redacted : "memory"
  const shardingConfig: Partial<ShardingConfig.ShardingConfig["Service"]> = {
    ...r.config,
    runnerAddress: r.runner === undefined || r.runner === "client"
      ? Option.none()
      : Option.some(RunnerAddress.make(r.runner.advertise, r.runner.port)),
    runnerListenAddress: r.runner === undefined || r.runner === "client"
      ? Option.none()
      : Option.some(RunnerAddress.make(r.runner.host, r.runner.port))
  }
  const toStorageError = (e: unknown) =>
    new ClusterStorageError({ url: label, detail: redactText(describe(e), r) })
  const config = ShardingConfig.layerFromEnv(shardingConfig)
  if (r.storage._tag === "memory") {
    // one process listening on a socket: in-memory storage, the transport is real
    const storage = Layer.mergeAll(MessageStorage.layerMemory, RunnerStorage.layerMemory)
    return NodeClusterSocket.layer({ storage: "byo", shardingConfig }).pipe(
      Layer.provideMerge(storage),
      Layer.provide(config),
      Layer.catchCause((cause) => Layer.effectDiscard(Effect.fail(toStorageError(Cause.squash(cause)))))
    ) as never
  }
  const { NodeCrypto } = await import("@effect/platform-node")
  const { PgClient } = await import("@effect/sql-pg")
  const { SqlMessageStorage, SqlRunnerStorage } = await import("effect/cluster")
  const sql = PgClient.layer({ url: Redacted.make(r.storage.url.toString()), applicationName: "@arbor/cluster" })
  const storage = Layer.mergeAll(
    SqlMessageStorage.layerWith({ prefix: r.tablePrefix }).pipe(Layer.provide(NodeCrypto.layerDigest)),
    SqlRunnerStorage.layerWith({ prefix: r.tablePrefix })
  ).pipe(Layer.provide(config))
  const cluster = NodeClusterSocket.layer({
    storage: "byo",
    clientOnly: r.runner === "client",
    shardingConfig
  }).pipe(Layer.provideMerge(storage))
  const withRetention = r.retention === undefined
    ? cluster
    : Layer.merge(cluster, retentionLayer(r.retention, r.tablePrefix, (text) => redactText(text, r)))
  return withRetention.pipe(
    Layer.provide(sql),
    Layer.catchCause((cause) => Layer.effectDiscard(Effect.fail(toStorageError(Cause.squash(cause)))))
  ) as never
}

const describe = (e: unknown): string => {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause
    return `${e.name}: ${e.message}${cause instanceof Error ? ` (${cause.message})` : cause !== undefined ? ` (${String(cause)})` : ""}`
  }
  if (typeof e === "object" && e !== null && "_tag" in e) return `${String((e as { _tag: unknown })._tag)}: ${String((e as { message?: unknown }).message ?? "")}`
  return String(e)
}

/** Removes the storage password from a text that may quote the URL. */
const redactText = (text: string, r: ResolvedLayer): string => {
  if (r.storage._tag !== "postgres" || r.storage.url.password === "") return text
  return text.split(r.storage.url.password).join("***").split(decodeURIComponent(r.storage.url.password)).join("***")
}

// -----------------------------------------------------------------------------------------
// retention
// -----------------------------------------------------------------------------------------

/**
 * Options of {@link cleanup} and `layer`'s `retention`.
 *
 * @category retention
 * @since 0.1.0
 */
export interface RetentionOptions {
  /** Delete processed messages (and their replies) older than this. Default 1 day. */
  readonly olderThan?: Duration.Input
  /** With `layer`: how often to run. Default 1 hour. */
  readonly every?: Duration.Input
}

interface ResolvedRetention {
  readonly olderThan: Duration.Duration
  readonly every: Duration.Duration
}

const resolveRetention = (c: Checker, options: unknown, field: string): ResolvedRetention | undefined => {
  const o = c.object(field, options, ["olderThan", "every"]) ?? {}
  const at = (key: string) => field === "options" ? key : `${field}.${key}`
  const olderThan = c.duration(at("olderThan"), o.olderThan, Duration.days(1))
  const every = c.duration(at("every"), o.every, Duration.hours(1))
  return c.error ? undefined : { olderThan, every }
}

/**
 * Deletes the persisted messages that were processed and are older than `olderThan` (by the
 * age in their snowflake id, read from the `Clock`), with their replies and acknowledgements,
 * in one statement; yields how many requests were removed. Unprocessed messages are never
 * touched. A primary-key de-duplication is forgotten with its row: a duplicate that arrives
 * after `olderThan` is processed again, so pick an age longer than any retry window.
 *
 * Needs the `SqlClient` of the cluster's PostgreSQL; `layer`'s `retention` option runs it
 * every `every` instead.
 *
 * @category retention
 * @since 0.1.0
 */
export const cleanup = (
  options?: RetentionOptions & { readonly tablePrefix?: string }
): Effect.Effect<number, InvalidClusterOptions | ClusterStorageError, SqlClient.SqlClient> =>
  Effect.suspend((): Effect.Effect<number, InvalidClusterOptions | ClusterStorageError, SqlClient.SqlClient> => {
    const c = new Checker("Cluster.cleanup")
    const o = c.object("options", options, ["olderThan", "every", "tablePrefix"]) ?? {}
    const retention = resolveRetention(c, { olderThan: o.olderThan, every: o.every }, "options")
    const prefix = o.tablePrefix === undefined ? "cluster" : o.tablePrefix
    if (typeof prefix !== "string" || !/^[a-z_][a-z0-9_]{0,30}$/.test(prefix)) {
      c.fail("tablePrefix", prefix, "must be a lowercase SQL identifier (letters, digits, _; at most 31 characters)")
    }
    if (c.error || retention === undefined) return Effect.fail(c.error!)
    return deleteProcessed(retention.olderThan, prefix as string)
  })

const deleteProcessed = (
  olderThan: Duration.Duration,
  prefix: string
): Effect.Effect<number, ClusterStorageError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const { SqlClient } = yield* Effect.promise(() => import("effect/sql"))
    const sql = yield* SqlClient.SqlClient
    const now = yield* Clock.currentTimeMillis
    const bound = Snowflake.make({ timestamp: now - Duration.toMillis(olderThan), machineId: 0 as never, sequence: 0 })
    const messages = sql(`${prefix}_messages`)
    const replies = sql(`${prefix}_replies`)
    const rows = yield* sql<{ readonly n: number | string }>`
      WITH done AS (
        SELECT id FROM ${messages} WHERE processed = TRUE AND id = request_id AND id < ${String(bound)}::bigint
      ), gone_replies AS (
        DELETE FROM ${replies} WHERE request_id IN (SELECT id FROM done)
      ), gone AS (
        DELETE FROM ${messages} WHERE request_id IN (SELECT id FROM done) RETURNING id, request_id
      )
      SELECT COUNT(*) AS n FROM gone WHERE id = request_id
    `
    return Number(rows[0]?.n ?? 0)
  }).pipe(Effect.mapError((e) => new ClusterStorageError({ url: "(the cluster's SqlClient)", detail: describe(e) })))

const retentionLayer = (
  r: ResolvedRetention,
  prefix: string,
  redact: (text: string) => string
): Layer.Layer<never, never, SqlClient.SqlClient> =>
  Layer.effectDiscard(
    // first after one period: the storage has created its tables by then
    Effect.sleep(r.every).pipe(
      Effect.andThen(deleteProcessed(r.olderThan, prefix)),
      Effect.tap((n) => n > 0 ? Effect.logDebug(`@arbor/cluster: retention deleted ${n} processed messages`) : Effect.void),
      Effect.catch((e) => Effect.logWarning(`@arbor/cluster: retention failed: ${redact(e.detail)}`)),
      Effect.forever,
      Effect.forkScoped
    )
  )
