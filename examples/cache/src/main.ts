/**
 * Uses a cache in two scopes, one after the other. Closing the first scope stops the cache:
 * its stop hook prints the counters and writes the entries to a JSON file, and the second
 * cache starts warm from that file. Finally, a client kept past its scope fails with a typed
 * error.
 */
import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ActorSystem } from "@arbor/core"
import { Effect, Option } from "effect"
import * as Cache from "./Cache.ts"
import { filePersistence } from "./FilePersistence.ts"

// this example takes no flags: any argument is a mistake, said with the usage (exit code 2)
const givenArgs = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"))
if (givenArgs.length > 0) {
  console.error(`unexpected argument ${JSON.stringify(givenArgs[0])}: this example takes no flags\nusage: pnpm --filter @arbor/example-cache start`)
  process.exit(2)
}

const print = (line: string) => console.log(line)
const path = join(tmpdir(), `arbor-cache-example-${process.pid}.json`)
const options: Cache.CacheOptions<string> = {
  maxEntries: 3,
  ttl: "1 minute",
  persistence: filePersistence(path),
  log: (line) => print(`  [cache] ${line}`)
}
const show = (key: string, value: Option.Option<string>) =>
  print(`  get ${key.padEnd(10)} -> ${Option.match(value, { onNone: () => "miss", onSome: (v) => `hit "${v}"` })}`)

const program = Effect.gen(function*() {
  print(`cache: maxEntries 3, ttl 1 minute, snapshots in ${path}`)
  print("")
  print("scope 1")
  const kept = yield* Effect.scoped(Effect.gen(function*() {
    const cache = yield* Cache.make(options)
    yield* cache.set("user:1", "Ada")
    yield* cache.set("user:2", "Grace")
    show("user:1", yield* cache.get("user:1"))
    show("user:3", yield* cache.get("user:3"))
    yield* cache.set("user:3", "Edsger")
    print("  set user:4 (a 4th entry: evicts the least recently used, user:2)")
    yield* cache.set("user:4", "Barbara")
    show("user:2", yield* cache.get("user:2"))
    yield* cache.invalidate("user:1")
    show("user:1", yield* cache.get("user:1"))
    yield* cache.set("session:9", "token", { ttl: "20 millis" })
    yield* Effect.sleep("30 millis")
    show("session:9", yield* cache.get("session:9"))
    const stats = yield* cache.stats
    print(`  stats: ${JSON.stringify(stats)}`)
    print("closing scope 1")
    return cache
  }))
  print("")
  print("scope 2")
  yield* Effect.scoped(Effect.gen(function*() {
    const cache = yield* Cache.make(options)
    show("user:4", yield* cache.get("user:4"))
    show("user:3", yield* cache.get("user:3"))
    print("closing scope 2")
  }))
  print("")
  print("a client used after its scope closed:")
  const error = yield* Effect.flip(kept.get("user:4"))
  print(`  ${error._tag}: ${error.message}`)
}).pipe(
  Effect.provide(ActorSystem.layer),
  Effect.ensuring(Effect.promise(() => rm(path, { force: true })))
)

await Effect.runPromise(program)
