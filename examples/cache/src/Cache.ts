/**
 * A cache actor behind a small typed client.
 *
 * The actor owns the entries: no locks, one message at a time, in order per caller. Callers
 * never see the actor: {@link make} returns a {@link CacheClient} whose `get`, `set`,
 * `invalidate` and `stats` are Effects, with the actor's errors (`ActorNotAlive`,
 * `AskTimeout`, ...) folded into one domain error, {@link CacheUnavailable}.
 *
 * The cache lives in the caller's `Scope`. When the scope closes, the actor is asked to stop:
 * its stop hook persists the entries and the counters through {@link Persistence}, and the next
 * cache built with the same persistence starts warm.
 */
import { Actor, ActorRef, type ActorSystem, type ExitReason } from "@arbor/core"
import { Clock, Data, Duration, Effect, Option, type Scope } from "effect"

// -----------------------------------------------------------------------------------------
// protocol
// -----------------------------------------------------------------------------------------

export interface CacheStats {
  readonly hits: number
  readonly misses: number
  readonly sets: number
  readonly invalidations: number
  /** Entries pushed out because the cache was full (least recently used first). */
  readonly evictions: number
  /** Entries found past their time to live. */
  readonly expirations: number
  readonly size: number
}

export type CacheMsg<V> =
  | Actor.Request<{ readonly _tag: "Get"; readonly key: string }, Option.Option<V>>
  | { readonly _tag: "Set"; readonly key: string; readonly value: V; readonly ttlMillis: number }
  | { readonly _tag: "Invalidate"; readonly key: string }
  | Actor.Request<{ readonly _tag: "Stats" }, CacheStats>

// -----------------------------------------------------------------------------------------
// persistence
// -----------------------------------------------------------------------------------------

/** What the stop hook saves and `init` loads back. `expiresAt` is a `Clock` time. */
export interface Snapshot<V> {
  readonly entries: ReadonlyArray<{ readonly key: string; readonly value: V; readonly expiresAt: number }>
  readonly stats: CacheStats
}

/** Where snapshots go. */
export interface Persistence<V> {
  readonly load: Effect.Effect<Option.Option<Snapshot<V>>>
  readonly save: (snapshot: Snapshot<V>, reason: ExitReason.ExitReason) => Effect.Effect<void>
}

/** Keeps the last snapshot in memory (for tests, or a cache that only needs to survive restarts). */
export const memoryPersistence = <V>(): Persistence<V> & { readonly saved: () => Option.Option<Snapshot<V>> } => {
  let last: Option.Option<Snapshot<V>> = Option.none()
  return {
    load: Effect.sync(() => last),
    save: (snapshot) => Effect.sync(() => void (last = Option.some(snapshot))),
    saved: () => last
  }
}

// -----------------------------------------------------------------------------------------
// the actor
// -----------------------------------------------------------------------------------------

interface Entry<V> {
  readonly value: V
  readonly expiresAt: number
}

interface State<V> {
  /** Insertion order is recency order: a hit moves the entry to the end. */
  readonly entries: Map<string, Entry<V>>
  readonly stats: Omit<CacheStats, "size">
}

export interface CacheOptions<V> {
  /** The most entries kept; setting one more evicts the least recently used. */
  readonly maxEntries: number
  /** Default time to live of an entry. */
  readonly ttl: Duration.Input
  readonly persistence?: Persistence<V>
  /** Called by `init` and the stop hook, to show what they did. */
  readonly log?: (line: string) => void
}

const zero: Omit<CacheStats, "size"> = { hits: 0, misses: 0, sets: 0, invalidations: 0, evictions: 0, expirations: 0 }

const statsOf = <V>(state: State<V>): CacheStats => ({ ...state.stats, size: state.entries.size })

const bump = <V>(state: State<V>, field: keyof State<V>["stats"], by = 1): State<V> => ({
  entries: state.entries,
  stats: { ...state.stats, [field]: state.stats[field] + by }
})

const behavior = <V>(options: CacheOptions<V>) => {
  const log = options.log ?? (() => {})
  return Actor.make<CacheMsg<V>>()({
    init: () =>
      Effect.gen(function*() {
        const entries = new Map<string, Entry<V>>()
        if (options.persistence === undefined) return { entries, stats: zero }
        const loaded = yield* options.persistence.load
        if (Option.isNone(loaded)) {
          log("init: no snapshot, starting cold")
          return { entries, stats: zero }
        }
        const now = yield* Clock.currentTimeMillis
        for (const e of loaded.value.entries) {
          if (e.expiresAt > now) entries.set(e.key, { value: e.value, expiresAt: e.expiresAt })
        }
        log(`init: loaded ${entries.size} of ${loaded.value.entries.length} entries from the last snapshot`)
        return { entries, stats: zero }
      }),
    receive: {
      Get: (state: State<V>, { key }) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const entry = state.entries.get(key)
          if (entry === undefined) return Actor.reply(Option.none(), bump(state, "misses"))
          state.entries.delete(key)
          if (entry.expiresAt <= now) {
            return Actor.reply(Option.none(), bump(bump(state, "expirations"), "misses"))
          }
          state.entries.set(key, entry) // most recently used
          return Actor.reply(Option.some(entry.value), bump(state, "hits"))
        }),
      Set: (state: State<V>, { key, value, ttlMillis }) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          state.entries.delete(key)
          state.entries.set(key, { value, expiresAt: now + ttlMillis })
          let next = bump(state, "sets")
          for (const oldest of state.entries.keys()) {
            if (state.entries.size <= options.maxEntries) break
            state.entries.delete(oldest)
            next = bump(next, "evictions")
          }
          return next
        }),
      Invalidate: (state: State<V>, { key }) =>
        state.entries.delete(key) ? bump(state, "invalidations") : state,
      Stats: (state: State<V>) => Actor.reply(statsOf(state), state)
    },
    // Runs when the actor is asked to stop — here, when the scope that owns the cache closes —
    // and when it fails; not when it is killed.
    onStop: (state: State<V>, reason) =>
      Effect.gen(function*() {
        const stats = statsOf(state)
        log(
          `stop hook (${reason._tag}): ${stats.hits} hits, ${stats.misses} misses, ${stats.evictions} evictions, ` +
            `${stats.expirations} expirations; persisting ${stats.size} entries`
        )
        if (options.persistence === undefined) return
        const entries = [...state.entries].map(([key, e]) => ({ key, value: e.value, expiresAt: e.expiresAt }))
        yield* options.persistence.save({ entries, stats }, reason)
      })
  })
}

// -----------------------------------------------------------------------------------------
// the client
// -----------------------------------------------------------------------------------------

/** The cache cannot answer: it has stopped, or it did not reply in time. */
export class CacheUnavailable extends Data.TaggedError("CacheUnavailable")<{
  readonly operation: string
  readonly cause: unknown
}> {
  override get message(): string {
    const why = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `cache unavailable for ${this.operation}: ${why}`
  }
}

/** What callers use. Every operation is an Effect; none exposes the actor. */
export interface CacheClient<V> {
  readonly get: (key: string) => Effect.Effect<Option.Option<V>, CacheUnavailable>
  readonly set: (
    key: string,
    value: V,
    options?: { readonly ttl?: Duration.Input }
  ) => Effect.Effect<void, CacheUnavailable>
  readonly invalidate: (key: string) => Effect.Effect<void, CacheUnavailable>
  readonly stats: Effect.Effect<CacheStats, CacheUnavailable>
}

const unavailable = (operation: string) => (cause: unknown) => new CacheUnavailable({ operation, cause })

/**
 * Starts a cache in the current scope and returns its client. Closing the scope stops the
 * cache; its stop hook persists the entries.
 */
export const make = <V>(
  options: CacheOptions<V>
): Effect.Effect<CacheClient<V>, never, Scope.Scope | ActorSystem.ActorSystem> =>
  Effect.gen(function*() {
    const defaultTtl = Duration.toMillis(Duration.fromInputUnsafe(options.ttl))
    const ref = yield* Effect.orDie(
      Actor.spawn(behavior(options), { label: "cache", shutdown: "5 seconds" })
    )
    const timeout = "1 second"
    return {
      get: (key) =>
        ActorRef.ask(ref, { _tag: "Get", key }, { timeout }).pipe(Effect.mapError(unavailable(`get(${key})`))),
      // `send` acknowledges that the message is in the mailbox, or fails if the cache is gone;
      // a later `get` from the same caller is handled after it.
      set: (key, value, setOptions) =>
        ActorRef.send(ref, {
          _tag: "Set",
          key,
          value,
          ttlMillis: setOptions?.ttl === undefined
            ? defaultTtl
            : Duration.toMillis(Duration.fromInputUnsafe(setOptions.ttl))
        }).pipe(Effect.mapError(unavailable(`set(${key})`))),
      invalidate: (key) =>
        ActorRef.send(ref, { _tag: "Invalidate", key }).pipe(Effect.mapError(unavailable(`invalidate(${key})`))),
      stats: ActorRef.ask(ref, { _tag: "Stats" }, { timeout }).pipe(Effect.mapError(unavailable("stats")))
    } satisfies CacheClient<V>
  })
