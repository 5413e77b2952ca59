/**
 * A counter whose protocol is a tagged union. Plain messages are told; requests name their
 * reply type with `Actor.Request<M, Reply>`, so `ActorRef.ask` returns exactly that type and
 * each request handler must answer with it.
 */
import { Actor } from "@arbor/core"
import { Effect } from "effect"

export interface CounterSnapshot {
  readonly count: number
  /** How many messages changed the count. */
  readonly changes: number
}

export type CounterMsg =
  | { readonly _tag: "Increment"; readonly by: number }
  | { readonly _tag: "Reset" }
  | Actor.Request<{ readonly _tag: "Get" }, number>
  | Actor.Request<{ readonly _tag: "IncrementAndGet"; readonly by: number }, number>
  | Actor.Request<{ readonly _tag: "Snapshot" }, CounterSnapshot>
  | Actor.Request<{ readonly _tag: "IsAbove"; readonly threshold: number }, boolean>

/** The read-only part of the protocol: a ref to the counter can be narrowed to it. */
export type CounterReadMsg = Extract<CounterMsg, { readonly _tag: "Get" | "Snapshot" | "IsAbove" }>

/**
 * One handler per `_tag`: leaving one out, adding one the protocol does not have, or answering a
 * request with the wrong type does not compile (see `test/compile-errors.ts`).
 */
export const Counter = Actor.make<CounterMsg>()({
  init: () => Effect.succeed<CounterSnapshot>({ count: 0, changes: 0 }),
  receive: {
    Increment: (s, { by }) => ({ count: s.count + by, changes: s.changes + 1 }),
    Reset: (s) => ({ count: 0, changes: s.changes + 1 }),
    Get: (s) => Actor.reply(s.count, s),
    IncrementAndGet: (s, { by }) => {
      const next = { count: s.count + by, changes: s.changes + 1 }
      return Actor.reply(next.count, next)
    },
    Snapshot: (s) => Actor.reply(s, s),
    IsAbove: (s, { threshold }) => Actor.reply(s.count > threshold, s)
  }
})

/**
 * A plain function over the protocol, exhaustive by a `switch` on `_tag`: adding a variant to
 * `CounterMsg` makes the `never` check fail until it is handled here too.
 */
export const describe = (msg: CounterMsg): string => {
  switch (msg._tag) {
    case "Increment":
      return `increment by ${msg.by}`
    case "Reset":
      return "reset"
    case "Get":
      return "get the count"
    case "IncrementAndGet":
      return `increment by ${msg.by} and get the count`
    case "Snapshot":
      return "get a snapshot"
    case "IsAbove":
      return `is the count above ${msg.threshold}?`
    default:
      return msg satisfies never
  }
}
