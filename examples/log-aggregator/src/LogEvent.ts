/**
 * The log events flowing through the aggregator: a tagged union, so the router's handlers
 * are exhaustive over it and every hop is typed.
 */

/** A log event as producers emit it. `seq` is unique per producer. */
export type LogEvent =
  | {
    readonly _tag: "Warning"
    readonly source: string
    readonly seq: number
    readonly text: string
  }
  | {
    readonly _tag: "Error"
    readonly source: string
    readonly seq: number
    readonly code: number
    readonly text: string
  }

/** A stable identity for an event, used to account for every event exactly once. */
export const eventId = (event: LogEvent): string => `${event.source}#${event.seq}`

/** `true` for values shaped like a {@link LogEvent}. */
export const isLogEvent = (u: unknown): u is LogEvent =>
  typeof u === "object" && u !== null && "_tag" in u && (u._tag === "Warning" || u._tag === "Error") &&
  "source" in u && "seq" in u
