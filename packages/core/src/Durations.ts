/**
 * The one decoder of the durations Arbor accepts.
 *
 * The one decoder of the durations Arbor accepts — ask and `Registry.await` timeouts, spawn's
 * `startTimeout` and `shutdown`, `ActorRef.shutdown`, a child's `shutdown`, a supervisor's
 * `period` — so every option reads a value the same way and rejects the same bad ones.
 *
 * Accepted: a non-negative `Duration`; a number of milliseconds that is finite and ≥ 0; a
 * `bigint` of nanoseconds ≥ 0; a string Effect parses (`"250 millis"`, `"5 seconds"`) that is
 * not negative; `"infinity"` / `"Infinity"`; a `[seconds, nanos]` pair of finite numbers ≥ 0;
 * an object of units (`{ seconds: 5 }`) whose keys are all units (`weeks` … `nanoseconds`),
 * with at least one, each a finite number ≥ 0.
 *
 * Rejected: `NaN`, negative values (`-1`, `"-1 seconds"`, `-1n`), the number `Infinity` (write
 * `"infinity"`), unparseable strings, objects with unknown keys or no unit (`{}`,
 * `{ secs: 5 }` — which Effect itself reads as zero), and anything else.
 *
 * @module
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"

/**
 * A decoded shutdown spec: kill at once, wait however long it takes, or wait this long and
 * then kill.
 *
 * @category models
 * @since 0.1.0
 */
export type Shutdown = "brutal" | "infinity" | Duration.Duration

const UNITS: ReadonlyArray<string> = [
  "weeks",
  "days",
  "hours",
  "minutes",
  "seconds",
  "milliseconds",
  "microseconds",
  "nanoseconds"
]

const isFiniteNonNegative = (u: unknown): u is number => typeof u === "number" && Number.isFinite(u) && u >= 0

/**
 * Decodes a duration; `undefined` when the input is not one Arbor accepts (see the module
 * documentation).
 *
 * `"infinity"` decodes to `Duration.infinity`: callers that need a finite value check
 * `Duration.isFinite`.
 *
 * @example
 * ```ts
 * import { Durations } from "@arbor/core"
 * Durations.decode("250 millis") // Duration(250 millis)
 * Durations.decode({ seconds: 5 }) // Duration(5 seconds)
 * Durations.decode(Number.NaN) // undefined
 * Durations.decode({ secs: 5 }) // undefined
 * ```
 *
 * @category decoding
 * @since 0.1.0
 */
export const decode = (input: unknown): Duration.Duration | undefined => {
  switch (typeof input) {
    case "number":
      return isFiniteNonNegative(input) ? Duration.millis(input) : undefined
    case "bigint":
      return input >= BigInt(0) ? Duration.nanos(input) : undefined
    case "string": {
      if (input === "infinity" || input === "Infinity") return Duration.infinity
      return nonNegative(input as Duration.Input)
    }
    case "object": {
      if (input === null) return undefined
      if (Duration.isDuration(input)) return Duration.isNegative(input) ? undefined : input
      if (Array.isArray(input)) {
        return input.length === 2 && isFiniteNonNegative(input[0]) && isFiniteNonNegative(input[1])
          ? nonNegative(input as unknown as Duration.Input)
          : undefined
      }
      const keys = Object.keys(input)
      let units = 0
      for (const key of keys) {
        if (!UNITS.includes(key)) return undefined
        const value = (input as Record<string, unknown>)[key]
        if (value === undefined) continue
        if (!isFiniteNonNegative(value)) return undefined
        units++
      }
      return units === 0 ? undefined : nonNegative(input as Duration.Input)
    }
    default:
      return undefined
  }
}

const nonNegative = (input: Duration.Input): Duration.Duration | undefined => {
  let d: Duration.Duration
  try {
    d = Duration.fromInputUnsafe(input)
  } catch {
    return undefined
  }
  return Duration.isNegative(d) ? undefined : d
}

/**
 * Decodes a shutdown spec; `undefined` when the input is not one.
 *
 * Decodes a shutdown spec (`Actor.spawn`'s `shutdown`, `ActorRef.shutdown`, a child's
 * `shutdown`): `"brutal"`, `"infinity"` (also any infinite duration), or a duration that
 * {@link decode} accepts; `undefined` when invalid.
 *
 * @example
 * ```ts
 * import { Durations } from "@arbor/core"
 * Durations.decodeShutdown("brutal") // "brutal"
 * Durations.decodeShutdown("2 seconds") // Duration(2 seconds)
 * Durations.decodeShutdown(-1) // undefined
 * ```
 *
 * @category decoding
 * @since 0.1.0
 */
export const decodeShutdown = (input: unknown): Shutdown | undefined => {
  if (input === "brutal" || input === "infinity") return input
  const d = decode(input)
  if (d === undefined) return undefined
  return Duration.isFinite(d) ? d : "infinity"
}
