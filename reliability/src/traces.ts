/**
 * Typed access to the oracle's trace comparator (`conformance/otp/compare-trace.mjs`, a plain
 * `.mjs` module without types) and helpers to print traces.
 */
// @ts-expect-error the comparator is a plain .mjs module without types
import * as compare from "../../conformance/otp/compare-trace.mjs"
import type { Event } from "./model.ts"

const impl = compare as {
  canonicalize: (events: ReadonlyArray<Event>) => Array<Event>
  deepEqual: (a: unknown, b: unknown) => boolean
  compareTraces: (golden: string, actual: string) => string | null
  parseTrace: (text: string) => Array<Event>
}

/** The oracle's canonical order: runs of concurrent dynamic-children exits sorted by (id, instance). */
export const canonicalize = (events: ReadonlyArray<Event>): Array<Event> => impl.canonicalize(events)

/** Parses JSON lines. */
export const parseTrace = (text: string): Array<Event> => impl.parseTrace(text)

/** One JSON object per line. */
export const toJsonl = (trace: ReadonlyArray<Event>): string => trace.map((e) => JSON.stringify(e)).join("\n") + "\n"

/** `null` when the traces are equal under the oracle's rules, else the first difference. */
export const difference = (expected: ReadonlyArray<Event>, actual: ReadonlyArray<Event>): string | null =>
  impl.compareTraces(toJsonl(expected), toJsonl(actual))

/** Equal as parsed values after canonicalization (key order irrelevant, line order significant). */
export const sameTrace = (a: ReadonlyArray<Event>, b: ReadonlyArray<Event>): boolean =>
  impl.deepEqual(canonicalize(a), canonicalize(b))
