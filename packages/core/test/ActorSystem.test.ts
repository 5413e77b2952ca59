import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { collectDeadLetters, run, untilIdle } from "./utils.ts"

type Msg = { readonly _tag: "Note"; readonly text: string } | Actor.Request<{ readonly _tag: "Count" }, number>

const Box = Actor.make<Msg>()({
  init: () => Effect.succeed(0),
  receive: {
    Note: (n) => n + 1,
    Count: (n) => Actor.reply(n, n)
  }
})

describe("G21 actor systems are isolated: no global mutable state", () => {
  it("G21 two worlds in one process, running at the same time, never see each other", async () => {
    const world = (name: string, deaths: number) =>
      run(Effect.gen(function*() {
        const letters = yield* collectDeadLetters
        const system = yield* ActorSystem.ActorSystem
        const refs = yield* Effect.all(Array.from({ length: 3 }, () => Actor.spawn(Box, { label: name })))
        for (let i = 0; i < deaths; i++) yield* ActorRef.kill(refs[i]!)
        for (const ref of refs) yield* ActorRef.tell(ref, { _tag: "Note", text: name })
        yield* untilIdle
        return {
          ids: refs.map((r) => r.id),
          live: system.liveActors,
          letters: (yield* letters).map((l) => `${l.recipient.label}:${(l.message as { text: string }).text}`),
          counted: system.deadLetterCount
        }
      }))
    const [a, b] = await Promise.all([world("a", 1), world("b", 2)])
    // ids are allocated per world
    expect(a.ids).toEqual([1, 2, 3])
    expect(b.ids).toEqual([1, 2, 3])
    expect(a.live).toBe(2)
    expect(b.live).toBe(1)
    expect(a.letters).toEqual(["a:a"])
    expect(b.letters).toEqual(["b:b", "b:b"])
    expect(a.counted).toBe(1)
    expect(b.counted).toBe(2)
  })

  it("G21 a fresh world starts empty even after another world ended", async () => {
    await run(Effect.gen(function*() {
      yield* Actor.spawn(Box)
      yield* Actor.spawn(Box)
    }))
    const fresh = await run(Effect.gen(function*() {
      const system = yield* ActorSystem.ActorSystem
      const before = { live: system.liveActors, letters: system.deadLetterCount }
      const ref = yield* Actor.spawn(Box)
      return { before, id: ref.id }
    }))
    expect(fresh).toEqual({ before: { live: 0, letters: 0 }, id: 1 })
  })
})
