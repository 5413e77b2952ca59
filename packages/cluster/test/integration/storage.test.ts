/**
 * Storage on a real PostgreSQL, in this process (one runner, the live clock): persisted
 * messages with primary-key de-duplication, and the clean-up of processed rows that effect
 * 4.1.0 lacks (`Cluster.cleanup` and `Cluster.layer`'s `retention`). Each test uses its own
 * table prefix, so the tests share the run's database without seeing each other's rows.
 */
import { ActorRef, ActorSystem } from "@arbor/core"
import { Cluster, ClusterActor, ClusterRef } from "@arbor/cluster"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted, References } from "effect"
import { SqlClient } from "effect/sql"
import { describe, expect, inject, it } from "vitest"
import { Counter, CounterProtocol } from "../fixtures/counter.ts"
import { freePort } from "./harness.ts"

const url = inject("databaseUrl")
let n = 0
const prefix = () => `st_${process.pid}_${++n}`

const world = (tablePrefix: string, port: number, extra: Partial<Cluster.LayerOptions> = {}) =>
  ClusterActor.host(CounterProtocol, Counter).pipe(
    Layer.provideMerge(Cluster.layer({ storage: url, runner: { port }, preset: "test", tablePrefix, ...extra })),
    Layer.provideMerge(ActorSystem.layer),
    Layer.provideMerge(PgClient.layer({ url: Redacted.make(url) })),
    Layer.provide(Layer.succeed(References.MinimumLogLevel, "Warn"))
  )

const rows = (tablePrefix: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const result = yield* sql<{ processed: boolean; tag: string }>`SELECT processed, tag FROM ${sql(`${tablePrefix}_messages`)}`
    return {
      processed: result.filter((r) => r.processed).map((r) => r.tag).sort(),
      unprocessed: result.filter((r) => !r.processed).map((r) => r.tag).sort()
    }
  })

describe("PostgreSQL storage", () => {
  it("persisted requests with a primary key are stored once; cleanup deletes the processed ones older than olderThan, and only those", async () => {
    const tablePrefix = prefix()
    const out = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const a = yield* ClusterRef.ref(CounterProtocol, "a")
      const first = yield* ActorRef.ask(a, { _tag: "Bump", key: "k1", n: 5 }, { timeout: "30 seconds" })
      const duplicate = yield* ActorRef.ask(a, { _tag: "Bump", key: "k1", n: 5 }, { timeout: "30 seconds" })
      const other = yield* ActorRef.ask(a, { _tag: "Bump", key: "k2", n: 1 }, { timeout: "30 seconds" })
      const before = yield* rows(tablePrefix)
      const keptYoung = yield* Cluster.cleanup({ olderThan: "1 hour", tablePrefix })
      yield* Effect.sleep("50 millis")
      const deleted = yield* Cluster.cleanup({ olderThan: "10 millis", tablePrefix })
      const after = yield* rows(tablePrefix)
      return { first, duplicate, other, before, keptYoung, deleted, after }
    })).pipe(Effect.provide(world(tablePrefix, await freePort()))))
    expect([out.first, out.duplicate, out.other]).toEqual([5, 5, 6])
    expect(out.before.processed).toEqual(["Bump", "Bump"]) // k1 stored once
    expect(out.keptYoung).toBe(0)
    expect(out.deleted).toBe(2)
    expect(out.after.processed).toEqual([])
    // the permanent actor's keep-alive stays: it is not processed
    expect(out.after.unprocessed).toEqual(["Cluster/Entity/keepAlive"])
  })

  it("retention runs the cleanup every period on its own", async () => {
    const tablePrefix = prefix()
    const out = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const a = yield* ClusterRef.ref(CounterProtocol, "a")
      yield* ActorRef.ask(a, { _tag: "Bump", key: "r1", n: 1 }, { timeout: "30 seconds" })
      const before = yield* rows(tablePrefix)
      yield* Effect.sleep("2 seconds")
      const after = yield* rows(tablePrefix)
      return { before, after }
    })).pipe(Effect.provide(world(tablePrefix, await freePort(), { retention: { olderThan: "100 millis", every: "500 millis" } }))))
    expect(out.before.processed).toEqual(["Bump"])
    expect(out.after.processed).toEqual([])
  })
})
