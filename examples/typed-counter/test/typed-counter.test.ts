import { describe as group, expect, expectTypeOf, it } from "vitest"
import { Actor, ActorRef, type Errors } from "@arbor/core"
import { TestSystem } from "@arbor/testkit"
import { Effect } from "effect"
import { Counter, type CounterReadMsg, type CounterSnapshot, describe } from "../src/Counter.ts"

const run = TestSystem.run

group("typed-counter", () => {
  it("answers each request with the type it names", async () => {
    const result = await run(Effect.scoped(Effect.gen(function*() {
      const counter = yield* Actor.spawn(Counter)
      for (const by of [1, 2, 3]) yield* ActorRef.tell(counter, { _tag: "Increment", by })

      const get = ActorRef.ask(counter, { _tag: "Get" })
      expectTypeOf(get).toEqualTypeOf<Effect.Effect<number, Errors.AskError>>()
      const isAbove = ActorRef.ask(counter, { _tag: "IsAbove", threshold: 5 })
      expectTypeOf(isAbove).toEqualTypeOf<Effect.Effect<boolean, Errors.AskError>>()

      const count = yield* get
      const above = yield* isAbove
      const next = yield* ActorRef.ask(counter, { _tag: "IncrementAndGet", by: 10 })
      const reader: ActorRef.ActorRef<CounterReadMsg> = counter
      const snapshot = yield* ActorRef.ask(reader, { _tag: "Snapshot" })
      expectTypeOf(snapshot).toEqualTypeOf<CounterSnapshot>()
      yield* ActorRef.tell(counter, { _tag: "Reset" })
      const reset = yield* ActorRef.ask(counter, { _tag: "Snapshot" })
      return { count, above, next, snapshot, reset }
    })))
    expect(result).toEqual({
      count: 6,
      above: true,
      next: 16,
      snapshot: { count: 16, changes: 4 },
      reset: { count: 0, changes: 5 }
    })
  })

  it("describes every message", () => {
    expect(describe({ _tag: "IsAbove", threshold: 3 })).toBe("is the count above 3?")
    expect(describe({ _tag: "Reset" })).toBe("reset")
  })
})
