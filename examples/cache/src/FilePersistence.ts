/**
 * Persistence of cache snapshots in a JSON file, for the demo. Values must be JSON; the file
 * is trusted (a real app would decode it with a Schema).
 */
import { readFile, writeFile } from "node:fs/promises"
import { Effect, Option } from "effect"
import type { Persistence, Snapshot } from "./Cache.ts"

export const filePersistence = <V>(path: string): Persistence<V> => ({
  load: Effect.promise(() =>
    readFile(path, "utf8").then(
      (text) => Option.some(JSON.parse(text) as Snapshot<V>),
      () => Option.none<Snapshot<V>>()
    )
  ),
  save: (snapshot) => Effect.promise(() => writeFile(path, JSON.stringify(snapshot, null, 2)))
})
