/**
 * The cluster rows of docs/errors.md ("Cluster actors"): one test per row, named like the row.
 * Option errors are `InvalidClusterOptions` naming the field; nothing is started (no entity
 * registered, no actor left running, no socket opened).
 */
import { ActorSystem } from "@arbor/core"
import { Cluster, ClusterActor, ClusterRef, InvalidClusterOptions } from "@arbor/cluster"
import { Protocol } from "@arbor/worker"
import { Effect, Exit, Layer, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Counter, CounterProtocol } from "./fixtures/counter.ts"
import { run } from "./utils.ts"

const layerError = async (options: unknown): Promise<InvalidClusterOptions> => {
  const exit = await Effect.runPromise(Effect.exit(Effect.scoped(Layer.build(Cluster.layer(options as Cluster.LayerOptions)))))
  expect(Exit.isFailure(exit)).toBe(true)
  const error = Exit.isFailure(exit) ? exit.cause.reasons.map((r) => (r as { error?: unknown }).error)[0] : undefined
  expect(error).toBeInstanceOf(InvalidClusterOptions)
  return error as InvalidClusterOptions
}
const layerField = async (options: unknown, field: string) => expect((await layerError(options)).field).toBe(field)

/** Builds the host layer on the in-memory cluster; returns its error and the actors left. */
const hostError = (options: unknown, protocol: unknown = CounterProtocol) =>
  run(Effect.gen(function*() {
    const exit = yield* Effect.exit(Layer.build(ClusterActor.host(protocol as typeof CounterProtocol, Counter, options as ClusterActor.HostOptions)))
    return { exit, live: yield* ActorSystem.liveActors }
  })).then(({ exit, live }) => {
    expect(live).toBe(0)
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? exit.cause.reasons.map((r) => (r as { error?: unknown }).error)[0] : undefined
    expect(error).toBeInstanceOf(InvalidClusterOptions)
    return error as InvalidClusterOptions
  })
const hostField = async (options: unknown, field: string) => expect((await hostError(options)).field).toBe(field)

const refError = (protocol: unknown, id: unknown, options?: unknown) =>
  run(Effect.gen(function*() {
    const error = yield* Effect.flip(ClusterRef.ref(protocol as typeof CounterProtocol, id as string, options as ClusterRef.RefOptions))
    return { error, live: yield* ActorSystem.liveActors }
  })).then(({ error, live }) => {
    expect(live).toBe(0)
    expect(error).toBeInstanceOf(InvalidClusterOptions)
    return error as InvalidClusterOptions
  })

const pg = "postgres://arbor@127.0.0.1:5432/arbor"

describe("bad input: Cluster.layer", () => {
  it("cluster layer options that are not an object, or an unknown option", async () => {
    await layerField(undefined, "options")
    await layerField("memory", "options")
    await layerField({ storage: "memory", presets: "test" }, "presets")
  })
  it("cluster storage that is neither memory nor a URL", async () => {
    await layerField({ storage: 5 }, "storage")
    await layerField({ storage: "" }, "storage")
    await layerField({ storage: "localhost:5432" }, "storage")
  })
  it("cluster storage URL that is not PostgreSQL (sqlite, mysql, http)", async () => {
    for (const url of ["sqlite:///tmp/x.db", "mysql://root@db/app", "https://db.example/app"]) {
      const e = await layerError({ storage: url, runner: { port: 34431 } })
      expect(e.field).toBe("storage")
      expect(e.reason).toContain("postgres://")
    }
  })
  it("cluster storage URL without a host or a database", async () => {
    await layerField({ storage: "postgres://arbor@127.0.0.1:5432", runner: { port: 34431 } }, "storage")
    await layerField({ storage: "postgres://arbor@127.0.0.1:5432/", runner: { port: 34431 } }, "storage")
  })
  it("cluster storage URL with a password: the error shows it redacted", async () => {
    const e = await layerError({ storage: "mysql://arbor:hunter2@db:3306/app", runner: { port: 34431 } })
    expect(e.field).toBe("storage")
    expect(String(e.value)).toBe("mysql://arbor:***@db:3306/app")
    expect(e.message).not.toContain("hunter2")
    expect(Cluster.redactUrl("postgres://u:p%40ss@h:1/d")).toBe("postgres://u:***@h:1/d")
    expect(Cluster.redactUrl("not a url //user:secret@host")).not.toContain("secret")
  })
  it("cluster runner missing with PostgreSQL, or a client with memory storage", async () => {
    await layerField({ storage: pg }, "runner")
    await layerField({ storage: "memory", runner: "client" }, "runner")
    await layerField({ storage: pg, runner: 34431 }, "runner")
  })
  it("cluster runner port that is not a whole number from 1 to 65535", async () => {
    for (const port of [0, 65536, 1.5, "34431", -1, undefined]) {
      await layerField({ storage: pg, runner: { port } }, "runner.port")
    }
  })
  it("cluster runner host that is not a host name, or 0.0.0.0 without advertise", async () => {
    await layerField({ storage: pg, runner: { host: "my host", port: 34431 } }, "runner.host")
    await layerField({ storage: pg, runner: { host: 7, port: 34431 } }, "runner.host")
    await layerField({ storage: pg, runner: { host: "0.0.0.0", port: 34431 } }, "runner.advertise")
    await layerField({ storage: pg, runner: { host: "0.0.0.0", port: 34431, advertise: "0.0.0.0" } }, "runner.advertise")
    await layerField({ storage: pg, runner: { port: 34431, listen: "x" } }, "runner.listen")
  })
  it("cluster preset that is not test, production or engine", async () => {
    const e = await layerError({ storage: "memory", preset: "fast" })
    expect(e.field).toBe("preset")
    expect(e.reason).toContain("\"test\"")
  })
  it("cluster timing override that is unknown, not a duration, or a bad shard count", async () => {
    await layerField({ storage: "memory", timing: { lockExpiration: "5 seconds" } }, "timing.lockExpiration")
    await layerField({ storage: "memory", timing: { shardLockExpiration: "soon" } }, "timing.shardLockExpiration")
    await layerField({ storage: "memory", timing: { shardLockExpiration: -1 } }, "timing.shardLockExpiration")
    await layerField({ storage: "memory", timing: { entityMessagePollInterval: 0 } }, "timing.entityMessagePollInterval")
    await layerField({ storage: "memory", timing: { runnerHealthCheckInterval: "infinity" } }, "timing.runnerHealthCheckInterval")
    await layerField({ storage: "memory", timing: { shardsPerGroup: 0 } }, "timing.shardsPerGroup")
    await layerField({ storage: "memory", timing: "fast" }, "timing")
  })
  it("cluster timing whose lock refresh is not shorter than the lock expiration", async () => {
    const e = await layerError({ storage: "memory", preset: "test", timing: { shardLockRefreshInterval: "6 seconds" } })
    expect(e.field).toBe("timing.shardLockRefreshInterval")
    await layerField({ storage: "memory", preset: "test", timing: { shardLockExpiration: "1 second" } }, "timing.shardLockExpiration")
  })
  it("cluster retention with memory storage, or a bad retention duration", async () => {
    await layerField({ storage: "memory", retention: { olderThan: "1 day" } }, "retention")
    await layerField({ storage: pg, runner: { port: 34431 }, retention: { olderThan: "a while" } }, "retention.olderThan")
    await layerField({ storage: pg, runner: { port: 34431 }, retention: { every: 0 } }, "retention.every")
    await layerField({ storage: pg, runner: { port: 34431 }, retention: { keep: 3 } }, "retention.keep")
  })
  it("cluster tablePrefix that is not a lowercase SQL identifier", async () => {
    for (const tablePrefix of ["Cluster", "a-b", "x; drop table y", "", 3]) {
      await layerField({ storage: pg, runner: { port: 34431 }, tablePrefix }, "tablePrefix")
    }
  })
  it("cluster storage that cannot be reached: ClusterStorageError, password redacted", async () => {
    // a port nothing listens on (reserved, closed): the connection is refused at once
    const url = "postgres://arbor:hunter2@127.0.0.1:9/arbor"
    const exit = await Effect.runPromise(
      Effect.exit(Effect.scoped(Layer.build(Cluster.layer({ storage: url, runner: { port: 34431 }, timing: { shardLockExpiration: "2 seconds", shardLockRefreshInterval: "1 second" } }))))
    )
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? exit.cause.reasons.map((r) => (r as { error?: unknown }).error)[0] : undefined
    expect(error).toBeInstanceOf(Cluster.ClusterStorageError)
    const e = error as Cluster.ClusterStorageError
    expect(e.url).toBe("postgres://arbor:***@127.0.0.1:9/arbor")
    expect(`${e.message} ${e.detail}`).not.toContain("hunter2")
  })
})

describe("bad input: ClusterActor.host, ClusterActor.singleton", () => {
  it("host protocol not made by Protocol.make, or with a reserved Arbor/ tag", async () => {
    expect((await hostError(undefined, { name: "Counter" })).field).toBe("protocol")
    const reserved = Protocol.make("R", { "Arbor/Watch": { reply: Schema.Int } })
    expect((await hostError(undefined, reserved)).field).toBe("protocol")
  })
  it("host option that does not exist (a misspelt key) or options that are not an object", async () => {
    await hostField({ maxIdle: "1 minute" }, "maxIdle")
    await hostField("transient", "options")
  })
  it("host restart that is not a restart type", async () => {
    await hostField({ restart: "always" }, "restart")
  })
  it("host intensity that is not a whole number ≥ 0, or a restartDelay that is not a Schedule", async () => {
    await hostField({ intensity: -1 }, "intensity")
    await hostField({ intensity: 1.5 }, "intensity")
    await hostField({ restartDelay: "1 second" }, "restartDelay")
  })
  it("host duration option that is zero, negative, infinite or unparseable", async () => {
    for (const field of ["period", "askTimeout", "watchHeartbeat"]) {
      for (const value of [0, -5, "infinity", "soon"]) await hostField({ [field]: value }, field)
    }
    await hostField({ restart: "transient", maxIdleTime: 0 }, "maxIdleTime")
  })
  it("host maxIdleTime with a permanent actor", async () => {
    const e = await hostError({ maxIdleTime: "5 minutes" })
    expect(e.field).toBe("maxIdleTime")
    expect(e.reason).toContain("kept alive")
  })
  it("host rebuild option that is unknown or invalid", async () => {
    await hostField({ rebuild: { delay: -1 } }, "rebuild.delay")
    await hostField({ rebuild: { maxRebuilds: -1 } }, "rebuild.maxRebuilds")
    await hostField({ rebuild: { window: "never" } }, "rebuild.window")
    await hostField({ rebuild: { tries: 3 } }, "rebuild.tries")
    await hostField({ rebuild: 3 }, "rebuild")
  })
  it("host mailboxCapacity that is not a whole number ≥ 1, or an onEvent that is not a function", async () => {
    await hostField({ mailboxCapacity: 0 }, "mailboxCapacity")
    await hostField({ onEvent: "log" }, "onEvent")
    await hostField({ onSupervisionEvent: 1 }, "onSupervisionEvent")
  })
  it("singleton with an empty name, a bad restartDelay or shardGroup", async () => {
    const singletonField = (name: unknown, options: unknown) =>
      run(Effect.flip(Layer.build(ClusterActor.singleton(name as string, { strategy: "one-for-one", children: [] }, options as ClusterActor.SingletonOptions))))
        .then((e) => e as InvalidClusterOptions)
    expect((await singletonField("", undefined)).field).toBe("name")
    expect((await singletonField("s", { restartDelay: "later" })).field).toBe("restartDelay")
    expect((await singletonField("s", { shardGroup: "" })).field).toBe("shardGroup")
  })
})

describe("bad input: ClusterRef.ref, Cluster.cleanup", () => {
  it("ref protocol not made by Protocol.make, or an empty id", async () => {
    expect((await refError({ name: "Counter" }, "a")).field).toBe("protocol")
    expect((await refError(CounterProtocol, "")).field).toBe("id")
    expect((await refError(CounterProtocol, 7)).field).toBe("id")
  })
  it("ref option that is unknown, a watch that is not a boolean, or a bad downAfter", async () => {
    expect((await refError(CounterProtocol, "a", { timeout: 5 })).field).toBe("timeout")
    expect((await refError(CounterProtocol, "a", { watch: "yes" })).field).toBe("watch")
    expect((await refError(CounterProtocol, "a", { downAfter: 0 })).field).toBe("downAfter")
    expect((await refError(CounterProtocol, "a", { label: 3 })).field).toBe("label")
  })
  it("cleanup with a bad olderThan or tablePrefix", async () => {
    const cleanupError = (options: unknown) =>
      Effect.runPromise(Effect.flip(Cluster.cleanup(options as Cluster.RetentionOptions) as Effect.Effect<number, InvalidClusterOptions>))
    expect((await cleanupError({ olderThan: "old" })).field).toBe("olderThan")
    expect((await cleanupError({ tablePrefix: "A" })).field).toBe("tablePrefix")
    expect((await cleanupError({ age: 1 })).field).toBe("age")
  })
})
