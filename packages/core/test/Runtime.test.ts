/**
 * The run loop's own paths: ask timeouts on the live clock (one timer per request, not
 * Effect's racing timeout), the order in which an ending actor wakes the world, and the
 * synchronous spawn path.
 */
import { describe, expect, it } from "vitest"
import { Clock, Effect, Exit, Fiber, Scope } from "effect"
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { TestSystem } from "@arbor/testkit"
import { run, untilIdle } from "./utils.ts"

type Msg =
  | Actor.Request<{ readonly _tag: "Get" }, number>
  | Actor.Request<{ readonly _tag: "Later"; readonly ms: number }, number>
  | { readonly _tag: "Quit" }

const Target = Actor.make<Msg>()({
  init: () => Effect.succeed(7),
  receive: {
    Get: (n) => Actor.reply(n, n),
    Later: (n, msg) => Effect.as(Effect.sleep(msg.ms), Actor.reply(n + 1, n + 1)),
    Quit: () => Actor.stop()
  }
})

/** Runs with Effect's live clock: real time, tiny durations (no TestClock here on purpose). */
const live = <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>) =>
  TestSystem.run(program, { clock: "live" })

describe("asks on the live clock", () => {
  it("G6 on the live clock an unanswered ask fails with AskTimeout after its timeout", async () => {
    const error = await live(Effect.gen(function*() {
      const t = yield* Actor.spawn(Target)
      return yield* Effect.flip(ActorRef.ask(t, { _tag: "Later", ms: 200 }, { timeout: "15 millis" }))
    }))
    expect(error._tag).toBe("AskTimeout")
  })

  it("G9 on the live clock a reply after the timeout is dropped and the next ask gets its own reply", async () => {
    const result = await live(Effect.gen(function*() {
      const t = yield* Actor.spawn(Target)
      const first = yield* Effect.exit(ActorRef.ask(t, { _tag: "Later", ms: 30 }, { timeout: "5 millis" }))
      const second = yield* ActorRef.ask(t, { _tag: "Get" }, { timeout: "1 second" })
      return { first: first._tag, second }
    }))
    expect(result).toEqual({ first: "Failure", second: 8 })
  })

  it("G6 on the live clock an answered ask succeeds and its timer does not fire later", async () => {
    const replies = await live(Effect.gen(function*() {
      const t = yield* Actor.spawn(Target)
      const out: Array<number> = []
      for (let i = 0; i < 100; i++) out.push(yield* ActorRef.ask(t, { _tag: "Get" }, { timeout: "10 millis" }))
      yield* Effect.sleep("30 millis") // every timer would have fired by now
      return out
    }))
    expect(replies).toEqual(Array.from({ length: 100 }, () => 7))
  })
})

describe("the order in which an ending actor wakes the world", () => {
  it("G14 exit callbacks run before a failed ask resumes, whatever the registration order", async () => {
    const log = await run(Effect.gen(function*() {
      const log: Array<string> = []
      const t = yield* Actor.spawn(Target)
      const monitor = yield* Effect.forkChild(Effect.tap(ActorRef.monitor(t), () => Effect.sync(() => log.push("monitor"))))
      yield* untilIdle
      ActorRef.onExit(t, () => log.push("callback"))
      yield* ActorRef.tell(t, { _tag: "Quit" })
      const asked = yield* Effect.exit(ActorRef.ask(t, { _tag: "Get" }))
      log.push(`ask ${asked._tag}`)
      yield* Fiber.join(monitor)
      return log
    }))
    expect(log[0]).toBe("callback")
    expect(log).toContain("ask Failure")
    expect(log).toContain("monitor")
  })
})

describe("spawning", () => {
  it("G2 an actor whose init completes at once is alive as soon as spawn returns", async () => {
    const n = await run(Effect.gen(function*() {
      const t = yield* Actor.spawn(Target)
      expect(ActorRef.isAliveUnsafe(t)).toBe(true)
      return yield* ActorRef.ask(t, { _tag: "Get" })
    }))
    expect(n).toBe(7)
  })

  it("G1 an init that throws fails the spawn with the defect and leaves nothing alive", async () => {
    const Thrower = Actor.make<Msg>()({
      init: (): Effect.Effect<number> => {
        throw new Error("bad init")
      },
      receive: { Get: (n: number) => Actor.reply(n, n), Later: (n: number) => Actor.reply(n, n), Quit: () => Actor.stop() }
    })
    const result = await run(Effect.gen(function*() {
      const exit = yield* Effect.exit(Actor.spawn(Thrower))
      const system = yield* ActorSystem.ActorSystem
      return { exit, live: (yield* system.liveActors) }
    }))
    expect(Exit.isFailure(result.exit)).toBe(true)
    expect(result.live).toBe(0)
  })

  it("G3 an actor spawned into a scope that has already closed is stopped at once", async () => {
    const reason = await run(Effect.gen(function*() {
      const scope = yield* Scope.make()
      yield* Scope.close(scope, Exit.void)
      const t = yield* Actor.spawn(Target).pipe(Scope.provide(scope))
      return yield* ActorRef.monitor(t)
    }))
    expect(reason._tag).toBe("Shutdown")
  })
})

describe("definitions", () => {
  it("G1 a handler for a tag outside the protocol, or a missing handler, does not compile", () => {
    type P = { readonly _tag: "A" } | Actor.Request<{ readonly _tag: "B" }, number>
    const ok = Actor.make<P>()({ init: () => Effect.succeed(0), receive: { A: (n) => n, B: (n) => Actor.reply(n, n) } })
    Actor.make<P>()({
      init: () => Effect.succeed(0),
      // @ts-expect-error "C" is not a tag of the protocol
      receive: { A: (n) => n, B: (n) => Actor.reply(n, n), C: (n: number) => n }
    })
    // @ts-expect-error the handler for "B" is missing
    Actor.make<P>()({ init: () => Effect.succeed(0), receive: { A: (n) => n } })
    Actor.make<P>()({
      init: () => Effect.succeed(0),
      // @ts-expect-error a request must be answered with a number
      receive: { A: (n) => n, B: (n) => Actor.reply("no", n) }
    })
    expect(ok).toBeDefined()
  })
})

describe("ask deadlines on the live clock", () => {
  it("G6 asks with different timeouts each fail at their own deadline, in deadline order", async () => {
    const order = await live(Effect.gen(function*() {
      const t = yield* Actor.spawn(Target)
      const order: Array<string> = []
      const slow = (name: string, timeout: `${number} millis`) =>
        Effect.tap(Effect.flip(ActorRef.ask(t, { _tag: "Later", ms: 60 }, { timeout })), () => Effect.sync(() => order.push(name)))
      yield* Effect.all([slow("40ms", "40 millis"), slow("10ms", "10 millis"), slow("25ms", "25 millis")], {
        concurrency: "unbounded"
      })
      return order
    }))
    expect(order).toEqual(["10ms", "25ms", "40ms"])
  })

  it("G9 a settled ask never expires; among thousands of asks only the unanswered one times out", async () => {
    // The fast asks go on until well past their own timeout, so the deadlines of the early (settled)
    // asks fall due while later asks are in flight. The timeout is generous enough that a loaded
    // machine pausing the process does not make one in-flight ask late.
    const result = await live(Effect.gen(function*() {
      const t = yield* Actor.spawn(Target)
      const slowAsk = yield* Effect.forkChild(Effect.exit(ActorRef.ask(t, { _tag: "Later", ms: 1_000 }, { timeout: "150 millis" })))
      const fast = yield* Actor.spawn(Target)
      const start = yield* Clock.currentTimeMillis
      let ok = 0
      let n = 0
      while (n < 10_000 || (yield* Clock.currentTimeMillis) - start < 400) {
        n++
        ok += (yield* ActorRef.ask(fast, { _tag: "Get" }, { timeout: "150 millis" })) === 7 ? 1 : 0
      }
      const slow = yield* Fiber.join(slowAsk)
      return { allAnswered: ok === n, slow: slow._tag }
    }))
    expect(result).toEqual({ allAnswered: true, slow: "Failure" })
  })
})
