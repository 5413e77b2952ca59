/** Validation helpers shared by the modules: every duration goes through core's one decoder. */
import { Durations } from "@arbor/core"
import * as Duration from "effect/Duration"
import { InvalidClusterOptions } from "../Errors.ts"

/** Collects the first invalid field of one call. */
export class Checker {
  error: InvalidClusterOptions | undefined = undefined
  constructor(readonly where: string) {}

  fail(field: string, value: unknown, reason: string): undefined {
    this.error ??= new InvalidClusterOptions({ where: this.where, field, value, reason })
    return undefined
  }

  /** An object of options whose keys are all in `keys` (or `undefined`). */
  object(field: string, value: unknown, keys: ReadonlyArray<string>): Record<string, unknown> | undefined {
    if (value === undefined) return undefined
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return this.fail(field, value, "must be an object")
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) {
        return this.fail(field === "options" ? key : `${field}.${key}`, (value as Record<string, unknown>)[key], `is not an option here (${keys.join(", ")})`)
      }
    }
    return value as Record<string, unknown>
  }

  /** A finite duration > 0 (or `undefined`: the default). */
  duration(field: string, value: unknown, fallback: Duration.Duration): Duration.Duration {
    if (value === undefined) return fallback
    const d = Durations.decode(value)
    if (d === undefined || !Duration.isFinite(d) || Duration.toMillis(d) <= 0) {
      this.fail(field, value, "must be a finite duration > 0 (e.g. \"5 seconds\", 5000)")
      return fallback
    }
    return d
  }

  /** A whole number in `[min, max]` (or `undefined`: the default). */
  int(field: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (value === undefined) return fallback
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, value, max === Number.MAX_SAFE_INTEGER ? `must be a whole number ≥ ${min}` : `must be a whole number from ${min} to ${max}`)
      return fallback
    }
    return value
  }

  /** One of `values` (or `undefined`: the default). */
  oneOf<const A extends string>(field: string, value: unknown, values: ReadonlyArray<A>, fallback: A): A {
    if (value === undefined) return fallback
    if (typeof value !== "string" || !values.includes(value as A)) {
      this.fail(field, value, `must be one of ${values.map((v) => `"${v}"`).join(", ")}`)
      return fallback
    }
    return value as A
  }
}
