/**
 * Where processors persist the events they handled. It is a service, not actor state, so what
 * was stored survives a processor's crash and restart (as a file or a database would).
 */
import { Context, Effect, Layer } from "effect"
import type { LogEvent } from "./LogEvent.ts"
import { eventId } from "./LogEvent.ts"

export interface StoredCounts {
  readonly errors: number
  readonly warnings: number
}

export interface LogStoreService {
  /** Persists one event; storing the same event twice is a bug and dies. */
  readonly write: (event: LogEvent) => Effect.Effect<void>
  readonly counts: Effect.Effect<StoredCounts>
  /** The ids of every stored event. */
  readonly ids: Effect.Effect<ReadonlySet<string>>
}

export class LogStore extends Context.Service<LogStore, LogStoreService>()("@arbor/example-log-aggregator/LogStore") {
  /** An in-memory store. */
  static readonly layer: Layer.Layer<LogStore> = Layer.sync(LogStore, () => {
    const stored = new Set<string>()
    let errors = 0
    let warnings = 0
    return LogStore.of({
      write: (event) =>
        Effect.suspend(() => {
          const id = eventId(event)
          if (stored.has(id)) return Effect.die(new Error(`event ${id} stored twice`))
          stored.add(id)
          if (event._tag === "Error") errors++
          else warnings++
          return Effect.void
        }),
      counts: Effect.sync(() => ({ errors, warnings })),
      ids: Effect.sync(() => new Set(stored))
    })
  })
}
