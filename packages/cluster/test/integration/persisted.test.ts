/**
 * Persisted messages sent while no runner is alive are stored in PostgreSQL and processed once
 * a runner starts — each once, a duplicate primary key not at all.
 */
import { ActorRef } from "@arbor/core"
import * as Effect from "effect/Effect"
import { afterEach, describe, expect, it } from "vitest"
import { ClusterRef } from "../../src/index.ts"
import { total, value } from "./client.ts"
import type { TestCluster } from "./cluster.ts"
import { testCluster } from "./context.ts"
import { Ledger } from "./fixtures/protocols.ts"
import { killOwn, until } from "./harness.ts"

let tc: TestCluster | undefined
afterEach(async () => {
  await killOwn()
  await tc?.close()
  tc = undefined
})

describe("persisted messages (PostgreSQL)", () => {
  it("posted while no runner is alive, they are stored, then processed once a runner starts; a duplicate key is processed once", async () => {
    tc = await testCluster("persisted")
    const t = tc
    const unprocessed = async () => {
      const rows = await t.query<{ key: string }>(
        `SELECT split_part(message_id, '/', 4) AS key FROM cluster_messages WHERE processed = false ORDER BY key`
      )
      return rows.map((r) => r.key)
    }
    const posts = [{ key: "p1", amount: 5 }, { key: "p2", amount: 7 }, { key: "p1", amount: 5 }, { key: "p3", amount: 30 }]
    const result = await t.run(Effect.gen(function*() {
      // No runner is alive. One ref per post: a ref forwards one message at a time and holds
      // the next ones in its (local) mailbox until the one in flight is answered.
      for (const post of posts) {
        const ref = yield* ClusterRef.ref(Ledger, "l1", { watch: false })
        yield* ActorRef.send(ref, { _tag: "Post", ...post })
      }
      const stored = yield* Effect.promise(() =>
        until(async () => {
          const keys = await unprocessed()
          return keys.length >= 3 ? keys : undefined
        }, 15_000, "the posts stored while no runner is alive")
      )
      yield* Effect.sleep("500 millis") // room for the duplicate to be stored, were it to be
      const storedLater = yield* Effect.promise(unprocessed)
      const noActivation = yield* Effect.promise(() => t.incarnations())
      const runner = yield* Effect.promise(() => t.runner("runner"))
      const totals = yield* Effect.promise(() =>
        until(async () => {
          const v = value(await t.run(total("l1", "3 seconds")))
          return v !== undefined && v.posts >= 3 ? v : undefined
        }, 30_000, "the ledger processed the stored posts", 250)
      )
      return { stored, storedLater, noActivation, runner, totals }
    }))
    expect(result.stored).toEqual(["p1", "p2", "p3"])
    expect(result.storedLater).toEqual(["p1", "p2", "p3"])
    expect(result.noActivation).toEqual([])
    expect(result.totals).toEqual({ pid: result.runner.pid, total: 42, posts: 3 })
    expect(await unprocessed()).toEqual([])
    // and nothing is delivered twice later
    await new Promise((r) => setTimeout(r, 1500))
    expect(value(await t.run(total("l1", "3 seconds")))).toEqual({ pid: result.runner.pid, total: 42, posts: 3 })
  })
})
