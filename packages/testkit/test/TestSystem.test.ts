import { describe, expect, it } from "vitest"
import { Deferred, Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { TestSystem } from "@arbor/testkit"

/** A relay that forwards a count down the chain, yielding to the scheduler at every hop. */
type Hop = { readonly _tag: "Hop"; readonly left: number }

describe("TestSystem.untilIdle", () => {
  it("waits until a message has crossed a chain of 200 actors, each hop a scheduler turn", async () => {
    const out = await TestSystem.run(Effect.gen(function*() {
      let arrived = 0
      const relays: Array<ActorRef.ActorRef<Hop>> = []
      const Relay = (i: number) =>
        Actor.make<Hop>()({
          init: () => Effect.succeed(null),
          receive: {
            Hop: (s, m) =>
              Effect.gen(function*() {
                yield* Effect.yieldNow
                if (m.left === 0) arrived++
                else yield* ActorRef.tell(relays[i + 1]!, { _tag: "Hop", left: m.left - 1 })
                return s
              })
          }
        })
      for (let i = 0; i < 200; i++) relays.push(yield* Actor.spawn(Relay(i)))
      yield* ActorRef.tell(relays[0]!, { _tag: "Hop", left: 199 })
      // a fixed number of event-loop turns is not enough: 6 turns leave the message mid-chain
      for (let k = 0; k < 6; k++) yield* Effect.promise(() => new Promise<void>((r) => setImmediate(r)))
      const afterSixTurns = arrived
      yield* TestSystem.untilIdle
      return { afterSixTurns, arrived }
    }))
    expect(out.afterSixTurns).toBe(0)
    expect(out.arrived).toBe(1)
  })

  it("waits for fibers forked and resumed by actors, not only for the dispatcher", async () => {
    const out = await TestSystem.run(Effect.gen(function*() {
      const log: Array<string> = []
      const Forker = Actor.make<{ readonly _tag: "Go" }>()({
        init: () => Effect.succeed(null),
        receive: {
          Go: (s) =>
            Effect.as(
              Effect.forkDetach(Effect.gen(function*() {
                for (let i = 0; i < 50; i++) yield* Effect.yieldNow
                log.push("background done")
              })),
              s
            )
        }
      })
      const a = yield* Actor.spawn(Forker)
      yield* ActorRef.tell(a, { _tag: "Go" })
      yield* TestSystem.untilIdle
      return log
    }))
    expect(out).toEqual(["background done"])
  })

  it("does not wait for time: a handler sleeping on the TestClock stays pending until the clock moves", async () => {
    const out = await TestSystem.run(Effect.gen(function*() {
      const log: Array<string> = []
      const Sleeper = Actor.make<{ readonly _tag: "Nap" }>()({
        init: () => Effect.succeed(null),
        receive: { Nap: (s) => Effect.as(Effect.andThen(Effect.sleep("1 hour"), Effect.sync(() => log.push("woke"))), s) }
      })
      const a = yield* Actor.spawn(Sleeper)
      yield* ActorRef.tell(a, { _tag: "Nap" })
      yield* TestSystem.untilIdle
      const before = [...log]
      yield* TestSystem.advance("1 hour")
      return { before, after: [...log] }
    }))
    expect(out.before).toEqual([])
    expect(out.after).toEqual(["woke"])
  })

  it("does not wait for a fiber blocked on a Deferred nobody completes", async () => {
    const done = await TestSystem.run(Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const blocked = yield* Effect.forkChild(Deferred.await(gate))
      yield* TestSystem.untilIdle
      const pending = blocked.pollUnsafe() === undefined
      yield* Deferred.succeed(gate, undefined)
      yield* TestSystem.untilIdle
      return { pending, finished: blocked.pollUnsafe() !== undefined }
    }))
    expect(done).toEqual({ pending: true, finished: true })
  })

  it("keeps the TestClock's own ordering: sleeps woken by one adjust run in deadline order", async () => {
    const order = await TestSystem.run(Effect.gen(function*() {
      const order: Array<number> = []
      for (const ms of [30, 10, 20]) {
        yield* Effect.forkChild(Effect.gen(function*() {
          yield* Effect.yieldNow
          yield* Effect.sleep(`${ms} millis`)
          order.push(ms)
        }))
      }
      yield* TestSystem.untilIdle
      yield* TestClock.adjust("1 second")
      return order
    }))
    expect(order).toEqual([10, 20, 30])
  })

  it("dies with an error naming the problem when the world never goes idle", async () => {
    const exit = await Effect.runPromise(Effect.exit(Effect.gen(function*() {
      yield* Effect.forkChild(Effect.forever(Effect.yieldNow))
      yield* TestSystem.untilIdle
    }).pipe(Effect.scoped, Effect.provide(TestSystem.layer()))))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(exit)).toContain("still busy after 100000 checks")
  })

  it("dies with a TypeError outside a TestSystem world", async () => {
    const exit = await Effect.runPromise(Effect.exit(TestSystem.untilIdle.pipe(Effect.provide(ActorSystem.layer))))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(exit)).toContain("needs a world built by TestSystem.layer")
  })
})

describe("TestSystem with a second ActorSystem implementation", () => {
  it("untilIdle watches the built-in dispatcher behind a delegating wrapper built on ActorSystem.make", async () => {
    let spawns = 0
    const wrapper = Layer.effect(
      ActorSystem.ActorSystem,
      Effect.map(ActorSystem.make, (base) =>
        ActorSystem.ActorSystem.of({
          ...base,
          spawn: (behavior, options) =>
            Effect.suspend(() => {
              spawns++
              return base.spawn(behavior, options)
            })
        }))
    )
    const out = await TestSystem.run(Effect.gen(function*() {
      let arrived = 0
      const relays: Array<ActorRef.ActorRef<Hop>> = []
      const Relay = (i: number) =>
        Actor.make<Hop>()({
          init: () => Effect.succeed(null),
          receive: {
            Hop: (s, m) =>
              Effect.gen(function*() {
                yield* Effect.yieldNow
                if (m.left === 0) arrived++
                else yield* ActorRef.tell(relays[i + 1]!, { _tag: "Hop", left: m.left - 1 })
                return s
              })
          }
        })
      for (let i = 0; i < 50; i++) relays.push(yield* Actor.spawn(Relay(i)))
      yield* ActorRef.tell(relays[0]!, { _tag: "Hop", left: 49 })
      yield* TestSystem.untilIdle
      const afterRelay = arrived
      // a timer on the wrapper's world moves with the world's TestClock
      const Sleeper = Actor.make<{ readonly _tag: "Nap" }>()({
        init: () => Effect.succeed(0),
        receive: { Nap: (n) => Effect.as(Effect.sleep("1 second"), n + 1) }
      })
      const sleeper = yield* Actor.spawn(Sleeper)
      yield* ActorRef.tell(sleeper, { _tag: "Nap" })
      yield* TestSystem.untilIdle
      const busyBefore = yield* ActorRef.mailboxSize(sleeper)
      yield* ActorRef.tell(sleeper, { _tag: "Nap" })
      yield* TestSystem.advance("1 second")
      const queuedAfterOne = yield* ActorRef.mailboxSize(sleeper)
      yield* TestSystem.advance("1 second")
      return { afterRelay, busyBefore, queuedAfterOne, left: yield* ActorRef.mailboxSize(sleeper), live: yield* ActorSystem.liveActors }
    }), { system: wrapper })
    expect(spawns).toBe(51)
    expect(out.afterRelay).toBe(1)
    expect(out.busyBefore).toBe(0)
    expect(out.queuedAfterOne).toBe(0) // the second Nap was taken as the first ended
    expect(out.left).toBe(0)
    expect(out.live).toBe(51)
  })

  it("untilIdle dies, saying why, for an ActorSystem that runs on no system made by ActorSystem.make", async () => {
    const base = await Effect.runPromise(ActorSystem.make) // made outside the world: not watched
    const foreign = Layer.succeed(ActorSystem.ActorSystem, ActorSystem.ActorSystem.of({ ...base }))
    const exit = await Effect.runPromise(Effect.exit(
      TestSystem.untilIdle.pipe(Effect.provide(TestSystem.layer({ system: foreign })))
    ))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(exit)).toContain("runs on no system made by ActorSystem.make while the world was built")
  })
})

describe("TestSystem.layer and run", () => {
  it("builds a fresh world per run: ids start at 1, no actor outlives the run", async () => {
    const Idle = Actor.make<never>()({ init: () => Effect.succeed(0), receive: {} })
    const ids = await Promise.all([1, 2].map(() =>
      TestSystem.run(Effect.gen(function*() {
        const a = yield* Actor.spawn(Idle)
        return a.id
      }))
    ))
    expect(ids).toEqual([1, 1])
  })

  it("uses the TestClock by default and the real clock with clock: live", async () => {
    const timed = (options?: TestSystem.Options) =>
      TestSystem.run(Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Effect.sleep("1 millis"))
        yield* Effect.promise(() => new Promise<void>((r) => setTimeout(r, 20)))
        yield* TestSystem.untilIdle
        return fiber.pollUnsafe() !== undefined
      }), options)
    expect(await timed()).toBe(false)
    expect(await timed({ clock: "live" })).toBe(true)
  })

  it("a Fiber joined after untilIdle has already completed", async () => {
    const done = await TestSystem.run(Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Effect.gen(function*() {
        for (let i = 0; i < 10; i++) yield* Effect.yieldNow
        return "done"
      }))
      yield* TestSystem.untilIdle
      const polled = fiber.pollUnsafe() !== undefined
      return [polled, yield* Fiber.join(fiber)] as const
    }))
    expect(done).toEqual([true, "done"])
  })
})
