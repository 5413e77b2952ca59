import { describe, expect, it } from "vitest"
import { TestSystem } from "@arbor/testkit"
import { Effect, Option } from "effect"
import * as Cache from "../src/Cache.ts"

const run = TestSystem.run

describe("cache", () => {
  it("get / set / invalidate, least recently used eviction", async () => {
    const result = await run(Effect.scoped(Effect.gen(function*() {
      const cache = yield* Cache.make<number>({ maxEntries: 2, ttl: "1 minute" })
      yield* cache.set("a", 1)
      yield* cache.set("b", 2)
      const a = yield* cache.get("a") // a is now the most recently used
      yield* cache.set("c", 3) // evicts b
      const b = yield* cache.get("b")
      yield* cache.invalidate("a")
      const afterInvalidate = yield* cache.get("a")
      const c = yield* cache.get("c")
      return { a, b, afterInvalidate, c, stats: yield* cache.stats }
    })))
    expect(result.a).toEqual(Option.some(1))
    expect(result.b).toEqual(Option.none())
    expect(result.afterInvalidate).toEqual(Option.none())
    expect(result.c).toEqual(Option.some(3))
    expect(result.stats).toEqual({ hits: 2, misses: 2, sets: 3, invalidations: 1, evictions: 1, expirations: 0, size: 1 })
  })

  it("expires entries by the Clock", async () => {
    const result = await run(Effect.gen(function*() {
      const cache = yield* Cache.make<string>({ maxEntries: 10, ttl: "1 minute" })
      yield* cache.set("short", "x", { ttl: "1 second" })
      yield* cache.set("long", "y")
      const before = yield* cache.get("short")
      yield* TestSystem.advance("2 seconds") // the TestClock: 2 virtual seconds pass
      return { before, short: yield* cache.get("short"), long: yield* cache.get("long"), stats: yield* cache.stats }
    }))
    expect(result.before).toEqual(Option.some("x"))
    expect(result.short).toEqual(Option.none())
    expect(result.long).toEqual(Option.some("y"))
    expect(result.stats.expirations).toBe(1)
  })

  it("closing the scope runs the stop hook, which persists; the next cache starts warm", async () => {
    const persistence = Cache.memoryPersistence<string>()
    const lines: Array<string> = []
    const options: Cache.CacheOptions<string> = {
      maxEntries: 10,
      ttl: "1 minute",
      persistence,
      log: (line) => lines.push(line)
    }
    const result = await run(Effect.gen(function*() {
      const first = yield* Effect.scoped(Effect.gen(function*() {
        const cache = yield* Cache.make(options)
        yield* cache.set("k", "v")
        yield* cache.get("k")
        expect(Option.isNone(persistence.saved())).toBe(true) // nothing saved while the scope is open
        return cache
      }))
      const saved = persistence.saved()
      const warm = yield* Effect.scoped(Effect.flatMap(Cache.make(options), (cache) => cache.get("k")))
      const afterClose = yield* Effect.flip(first.get("k"))
      return { saved, warm, afterClose }
    }))
    expect(Option.getOrThrow(result.saved).entries.map((e) => [e.key, e.value])).toEqual([["k", "v"]])
    expect(Option.getOrThrow(result.saved).stats.hits).toBe(1)
    expect(lines[0]).toBe("init: no snapshot, starting cold")
    expect(lines.filter((l) => l.startsWith("stop hook (Shutdown)"))).toHaveLength(2)
    expect(result.warm).toEqual(Option.some("v"))
    expect(result.afterClose._tag).toBe("CacheUnavailable")
    expect((result.afterClose.cause as { _tag: string })._tag).toBe("ActorNotAlive")
  })
})
