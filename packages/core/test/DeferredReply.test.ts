/**
 * Deferred replies: a request handler keeps a typed reply handle (`Actor.deferReply`) and
 * answers later (`Actor.answer`), while the actor handles other messages.
 */
import { describe, expect, expectTypeOf, it } from "vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { Actor, ActorRef, ActorSystem, Errors } from "@arbor/core"
import { run, untilIdle } from "./utils.ts"

// a connection pool that parks Checkout requests until a connection is free
interface Connection {
  readonly id: number
}
type PoolMsg =
  | Actor.Request<{ readonly _tag: "Checkout" }, Connection>
  | { readonly _tag: "Checkin"; readonly connection: Connection }
  | Actor.Request<{ readonly _tag: "Stats" }, { readonly free: number; readonly waiting: number }>
interface PoolState {
  readonly free: ReadonlyArray<Connection>
  readonly waiting: ReadonlyArray<Actor.ReplyHandle<Connection>>
}

const Pool = (size: number) =>
  Actor.make<PoolMsg, PoolState>()({
    init: () => Effect.succeed({ free: Array.from({ length: size }, (_, i) => ({ id: i + 1 })), waiting: [] }),
    receive: {
      Checkout: (s) => {
        const [connection, ...rest] = s.free
        if (connection !== undefined) return Actor.reply(connection, { ...s, free: rest })
        return Actor.deferReply((handle) => ({ ...s, waiting: [...s.waiting, handle] }))
      },
      Checkin: (s, msg) =>
        Effect.gen(function*() {
          // hand the connection to the first waiter still waiting (one that gave up is skipped)
          let waiting = s.waiting
          while (waiting.length > 0) {
            const [next, ...rest] = waiting
            waiting = rest
            if (yield* Actor.answer(next!, msg.connection)) return { ...s, waiting }
          }
          return { free: [...s.free, msg.connection], waiting }
        }),
      Stats: (s) => Actor.reply({ free: s.free.length, waiting: s.waiting.length }, s)
    }
  })

describe("deferred replies", () => {
  it("a parked Checkout is answered by a later Checkin, while the pool handles other requests", () =>
    run(Effect.gen(function*() {
      const pool = yield* Actor.spawn(Pool(1))
      const first = yield* ActorRef.ask(pool, { _tag: "Checkout" })
      const parked = yield* Effect.forkChild(ActorRef.ask(pool, { _tag: "Checkout" }, { timeout: "infinity" }))
      yield* untilIdle
      const stats = yield* ActorRef.ask(pool, { _tag: "Stats" }) // handled while Checkout waits
      const pending = parked.pollUnsafe() === undefined
      yield* ActorRef.tell(pool, { _tag: "Checkin", connection: first })
      const second = yield* Fiber.join(parked)
      return { first, stats, pending, second, after: yield* ActorRef.ask(pool, { _tag: "Stats" }) }
    })).then((out) =>
      expect(out).toEqual({
        first: { id: 1 },
        stats: { free: 0, waiting: 1 },
        pending: true,
        second: { id: 1 },
        after: { free: 0, waiting: 0 }
      })
    ))

  it("a waiter whose ask timed out is skipped: answering it is a no-op, the next waiter gets the connection", () =>
    run(Effect.gen(function*() {
      const pool = yield* Actor.spawn(Pool(1))
      const first = yield* ActorRef.ask(pool, { _tag: "Checkout" })
      const impatient = yield* Effect.forkChild(Effect.flip(ActorRef.ask(pool, { _tag: "Checkout" }, { timeout: "1 second" })))
      yield* untilIdle
      const patient = yield* Effect.forkChild(ActorRef.ask(pool, { _tag: "Checkout" }, { timeout: "1 minute" }))
      yield* untilIdle
      yield* TestClock.adjust("1 second")
      const timedOut = yield* Fiber.join(impatient)
      yield* ActorRef.tell(pool, { _tag: "Checkin", connection: first })
      return { timedOut: timedOut._tag, patient: yield* Fiber.join(patient) }
    })).then((out) => expect(out).toEqual({ timedOut: "AskTimeout", patient: { id: 1 } })))

  it("answering twice delivers the first answer only; the second yields false", () =>
    run(Effect.gen(function*() {
      type Msg = Actor.Request<{ readonly _tag: "Get" }, string>
      const answers: Array<boolean> = []
      const Twice = Actor.make<Msg, null>()({
        init: () => Effect.succeed(null),
        receive: {
          Get: (s) =>
            Actor.deferReply((handle) =>
              Effect.gen(function*() {
                answers.push(yield* Actor.answer(handle, "first"))
                answers.push(Actor.answerUnsafe(handle, "second"))
                return s
              })
            )
        }
      })
      const actor = yield* Actor.spawn(Twice)
      return { reply: yield* ActorRef.ask(actor, { _tag: "Get" }), answers }
    })).then((out) => expect(out).toEqual({ reply: "first", answers: [true, false] })))

  it("a handle answered from a forked fiber; the actor keeps handling messages meanwhile", () =>
    run(Effect.gen(function*() {
      type Msg = Actor.Request<{ readonly _tag: "Slow" }, number> | Actor.Request<{ readonly _tag: "Fast" }, number>
      const Worker = Actor.make<Msg, number>()({
        init: () => Effect.succeed(0),
        receive: {
          // the work runs in a fiber of the actor's scope; the reply comes when it is done
          Slow: (n) =>
            Actor.deferReply((handle) =>
              Effect.as(Effect.forkScoped(Effect.andThen(Effect.sleep("10 seconds"), Actor.answer(handle, 42))), n + 1)
            ),
          Fast: (n) => Actor.reply(n, n)
        }
      })
      const worker = yield* Actor.spawn(Worker)
      const slow = yield* Effect.forkChild(ActorRef.ask(worker, { _tag: "Slow" }, { timeout: "1 minute" }))
      yield* untilIdle
      const fast = yield* ActorRef.ask(worker, { _tag: "Fast" })
      yield* TestClock.adjust("10 seconds")
      return { fast, slow: yield* Fiber.join(slow) }
    })).then((out) => expect(out).toEqual({ fast: 1, slow: 42 })))

  it("the asker gets ActorExited when the actor ends before answering, and the late answer is a no-op", () =>
    run(Effect.gen(function*() {
      const pool = yield* Actor.spawn(Pool(0))
      const waiter = yield* Effect.forkChild(Effect.flip(ActorRef.ask(pool, { _tag: "Checkout" }, { timeout: "infinity" })))
      yield* untilIdle
      yield* ActorRef.stop(pool) // the Checkout is parked, never answered
      const error = yield* Fiber.join(waiter)
      return { error: error._tag, exited: error instanceof Errors.ActorExited, live: yield* ActorSystem.liveActors }
    })).then((out) => expect(out).toEqual({ error: "ActorExited", exited: true, live: 0 })))

  it("a handle kept past the actor's end answers nothing (false)", () =>
    run(Effect.gen(function*() {
      type Msg = Actor.Request<{ readonly _tag: "Get" }, number> | { readonly _tag: "Crash" }
      let kept: Actor.ReplyHandle<number> | undefined
      const Leaky = Actor.make<Msg, null>()({
        init: () => Effect.succeed(null),
        receive: {
          Get: (s) =>
            Actor.deferReply((handle) => {
              kept = handle
              return s
            }),
          Crash: () => Effect.die("crash")
        }
      })
      const actor = yield* Actor.spawn(Leaky)
      const asker = yield* Effect.forkChild(Effect.flip(ActorRef.ask(actor, { _tag: "Get" }, { timeout: "infinity" })))
      yield* untilIdle
      yield* ActorRef.tell(actor, { _tag: "Crash" })
      const error = yield* Fiber.join(asker)
      return { error: error._tag, late: Actor.answerUnsafe(kept!, 1) }
    })).then((out) => expect(out).toEqual({ error: "ActorExited", late: false })))

  it("types: the handle accepts only the request's reply type; only request handlers may defer", () => {
    Actor.make<PoolMsg, PoolState>()({
      init: () => Effect.succeed({ free: [], waiting: [] }),
      receive: {
        Checkout: (s) =>
          Actor.deferReply((handle) => {
            expectTypeOf(handle).toEqualTypeOf<Actor.ReplyHandle<Connection>>()
            // @ts-expect-error a Checkout is answered with a Connection, not a string
            void Actor.answer(handle, "not a connection")
            return { ...s, waiting: [...s.waiting, handle] }
          }),
        // @ts-expect-error Checkin is not a request: it cannot defer a reply
        Checkin: (s) => Actor.deferReply(() => s),
        // @ts-expect-error a handle for another reply type does not fit the Stats request
        Stats: (s) => Actor.deferReply((_handle: Actor.ReplyHandle<string>) => s)
      }
    })
    const handle = undefined as unknown as Actor.ReplyHandle<Connection>
    expectTypeOf(Actor.answer(handle, { id: 1 })).toEqualTypeOf<Effect.Effect<boolean>>()
  })
})
