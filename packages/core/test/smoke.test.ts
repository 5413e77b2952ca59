import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import { Actor, ActorRef, ActorSystem, ExitReason } from "@arbor/core"

type CounterMsg =
  | { readonly _tag: "Increment"; readonly by: number }
  | Actor.Request<{ readonly _tag: "Get" }, number>
  | { readonly _tag: "Crash" }
  | { readonly _tag: "Slow"; readonly ms: number }

const Counter = Actor.make<CounterMsg>()({
  init: () => Effect.succeed(0),
  receive: {
    Increment: (n, m) => n + m.by,
    Get: (n) => Actor.reply(n, n),
    Crash: () => Effect.fail("boom" as const),
    Slow: (n, m) => Effect.sleep(m.ms).pipe(Effect.as(n + 1))
  }
})

const run = <A, E>(eff: Effect.Effect<A, E, any>) =>
  Effect.runPromise(eff.pipe(Effect.scoped, Effect.provide(ActorSystem.layer)) as Effect.Effect<A, E>)

describe("smoke", () => {
  it("tell and ask", async () => {
    const n = await run(Effect.gen(function*() {
      const c = yield* Actor.spawn(Counter)
      for (let i = 0; i < 1000; i++) yield* ActorRef.tell(c, { _tag: "Increment", by: 1 })
      yield* ActorRef.tell(c, { _tag: "Slow", ms: 1 })
      return yield* ActorRef.ask(c, { _tag: "Get" })
    }))
    expect(n).toBe(1001)
  })
  it("crash", async () => {
    const r = await run(Effect.gen(function*() {
      const c = yield* Actor.spawn(Counter)
      yield* ActorRef.tell(c, { _tag: "Crash" })
      const reason = yield* ActorRef.monitor(c)
      const askErr = yield* Effect.flip(ActorRef.ask(c, { _tag: "Get" }))
      return [reason, askErr] as const
    }))
    expect(r[0]._tag).toBe("Failure")
    expect(ExitReason.format(r[0])).toBe("failure(boom)")
    expect(r[1]._tag).toBe("ActorNotAlive")
  })
})
