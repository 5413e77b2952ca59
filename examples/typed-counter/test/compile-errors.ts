/**
 * What does not compile. Each `// @ts-expect-error` line below is a mistake the compiler must
 * reject; `tsc -b` (part of `pnpm test`) fails with "Unused '@ts-expect-error' directive" if
 * one of them ever compiles. Each mistake sits next to the correct form, which must compile.
 *
 * Nothing here runs: the file is only type-checked.
 */
import { Actor, ActorRef } from "@arbor/core"
import { Effect } from "effect"
import { type CounterMsg, type CounterReadMsg, type CounterSnapshot, describe } from "../src/Counter.ts"

declare const counter: ActorRef.ActorRef<CounterMsg>
declare const reader: ActorRef.ActorRef<CounterReadMsg>

export const messages: Effect.Effect<unknown, unknown> = Effect.gen(function*() {
  // --- tell accepts only the actor's protocol -------------------------------------------
  yield* ActorRef.tell(counter, { _tag: "Increment", by: 1 })
  // @ts-expect-error a field of the wrong type
  yield* ActorRef.tell(counter, { _tag: "Increment", by: "1" })
  // @ts-expect-error a missing field
  yield* ActorRef.tell(counter, { _tag: "Increment" })
  // @ts-expect-error a message the counter does not understand
  yield* ActorRef.tell(counter, { _tag: "Decrement", by: 1 })
  // @ts-expect-error not a tagged message at all
  yield* ActorRef.tell(counter, 1)

  // --- ask accepts only requests ---------------------------------------------------------
  yield* ActorRef.ask(counter, { _tag: "Get" })
  // @ts-expect-error Increment is a plain message: it has no reply to wait for
  yield* ActorRef.ask(counter, { _tag: "Increment", by: 1 })
  // @ts-expect-error a request with a missing field
  yield* ActorRef.ask(counter, { _tag: "IsAbove" })
})

export const replies: Effect.Effect<unknown, unknown> = Effect.gen(function*() {
  // --- the reply has the type the request names -----------------------------------------
  const count: number = yield* ActorRef.ask(counter, { _tag: "Get" })
  // @ts-expect-error Get replies with a number, not a string
  const wrong: string = yield* ActorRef.ask(counter, { _tag: "Get" })
  const above: boolean = yield* ActorRef.ask(counter, { _tag: "IsAbove", threshold: 3 })
  // @ts-expect-error IsAbove replies with a boolean
  const notANumber: number = yield* ActorRef.ask(counter, { _tag: "IsAbove", threshold: 3 })
  const snapshot: CounterSnapshot = yield* ActorRef.ask(counter, { _tag: "Snapshot" })
  // @ts-expect-error a snapshot has no `total`
  const total: number = snapshot.total
  // ask fails with typed errors, never with an untyped one
  const handled = ActorRef.ask(counter, { _tag: "Get" }).pipe(
    Effect.catchTags({ ActorNotAlive: () => Effect.succeed(0), ActorExited: () => Effect.succeed(0) })
  )
  // @ts-expect-error there is no such error
  const misnamed = ActorRef.ask(counter, { _tag: "Get" }).pipe(Effect.catchTag("Timeout", () => Effect.succeed(0)))
  return [count, wrong, above, notANumber, total, handled, misnamed, describe({ _tag: "Reset" })] as const
})

export const refs: Effect.Effect<unknown, unknown> = Effect.gen(function*() {
  // --- a ref can be narrowed to part of its protocol, not widened -------------------------
  const narrowed: ActorRef.ActorRef<CounterReadMsg> = counter
  // @ts-expect-error a read-only ref cannot be used as a full counter
  const widened: ActorRef.ActorRef<CounterMsg> = reader
  // @ts-expect-error and it cannot be told to write
  yield* ActorRef.tell(reader, { _tag: "Increment", by: 1 })
  return [narrowed, widened] as const
})

// --- handlers are exhaustive and answer with the right type ------------------------------

type Msg = { readonly _tag: "Add"; readonly by: number } | Actor.Request<{ readonly _tag: "Total" }, number>

export const Complete = Actor.make<Msg>()({
  init: () => Effect.succeed(0),
  receive: {
    Add: (n, { by }) => n + by,
    Total: (n) => Actor.reply(n, n)
  }
})

export const MissingHandler = Actor.make<Msg>()({
  init: () => Effect.succeed(0),
  // @ts-expect-error no handler for Total
  receive: {
    Add: (n, { by }) => n + by
  }
})

export const WrongReply = Actor.make<Msg>()({
  init: () => Effect.succeed(0),
  receive: {
    Add: (n, { by }) => n + by,
    // @ts-expect-error Total must reply with a number
    Total: (n) => Actor.reply(`${n}`, n)
  }
})

export const NoReply = Actor.make<Msg>()({
  init: () => Effect.succeed(0),
  receive: {
    Add: (n, { by }) => n + by,
    // @ts-expect-error a request handler must reply (or stop), not just return the next state
    Total: (n) => n
  }
})

export const WrongState = Actor.make<Msg>()({
  init: () => Effect.succeed(0),
  receive: {
    // @ts-expect-error the next state must have the state's type
    Add: (n, { by }) => `${n + by}`,
    Total: (n) => Actor.reply(n, n)
  }
})

export const WrongField = Actor.make<Msg>()({
  init: () => Effect.succeed(0),
  receive: {
    // @ts-expect-error Add carries `by`, not `amount`
    Add: (n, msg) => n + msg.amount,
    Total: (n) => Actor.reply(n, n)
  }
})

export const ExtraHandler = Actor.make<Msg>()({
  init: () => Effect.succeed(0),
  receive: {
    Add: (n, { by }) => n + by,
    Total: (n) => Actor.reply(n, n),
    // @ts-expect-error "Sub" is not a tag of the protocol: a handler for it would never run
    Sub: (n: number) => n - 1
  }
})

// --- a switch over the protocol is exhaustive ---------------------------------------------

export const label = (msg: Msg): string => {
  switch (msg._tag) {
    case "Add":
      return "add"
    default:
      // @ts-expect-error Total is not handled, so `msg` is not `never` here
      return msg satisfies never
  }
}
