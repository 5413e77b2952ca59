import { describe, expect, it } from "vitest"
import { Effect, Layer } from "effect"
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
          live: (yield* system.liveActors),
          letters: (yield* letters).map((l) => `${l.recipient.label}:${(l.message as { text: string }).text}`),
          counted: (yield* system.deadLetterCount)
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
      const before = { live: (yield* system.liveActors), letters: (yield* system.deadLetterCount) }
      const ref = yield* Actor.spawn(Box)
      return { before, id: ref.id }
    }))
    expect(fresh).toEqual({ before: { live: 0, letters: 0 }, id: 1 })
  })
})

describe("G21 ActorSystem is a service interface: another implementation is another Layer", () => {
  it("G21 a recording wrapper around ActorSystem.make sees every spawn and dead letter, and its counters are the ones read", async () => {
    const calls: Array<string> = []
    const recording = Layer.effect(
      ActorSystem.ActorSystem,
      Effect.map(ActorSystem.make, (base) =>
        ActorSystem.ActorSystem.of({
          ...base,
          spawn: (behavior, options) =>
            Effect.suspend(() => {
              calls.push(`spawn ${options?.label ?? "-"}`)
              return base.spawn(behavior, options)
            }),
          publishDeadLetter: (letter) =>
            Effect.suspend(() => {
              calls.push(`dead letter ${String(letter.message)}`)
              return base.publishDeadLetter(letter)
            }),
          // a double's own answer, so the test sees which implementation was read
          liveActors: Effect.map(base.liveActors, (n) => n + 1000)
        }))
    )
    const out = await Effect.runPromise(
      Effect.gen(function*() {
        const box = yield* Actor.spawn(Box, { label: "box" })
        yield* ActorRef.tell(box, { _tag: "Note", text: "hi" })
        const count = yield* ActorRef.ask(box, { _tag: "Count" })
        yield* ActorSystem.publishDeadLetter({ recipient: box, message: "lost", reason: "Exited" })
        return { count, live: yield* ActorSystem.liveActors, letters: yield* ActorSystem.deadLetterCount }
      }).pipe(Effect.scoped, Effect.provide(recording))
    )
    expect(out).toEqual({ count: 1, live: 1001, letters: 1 })
    expect(calls).toEqual(["spawn box", "dead letter lost"])
  })

  it("G21 a double that refuses to spawn is used by Actor.spawn, which never reaches the built-in system", async () => {
    const refusing = Layer.succeed(ActorSystem.ActorSystem)(ActorSystem.ActorSystem.of({
      spawn: () => Effect.die(new Error("no spawning in this world")),
      deadLetters: Effect.die(new Error("no dead letters")),
      publishDeadLetter: () => Effect.void,
      liveActors: Effect.succeed(0),
      deadLetterCount: Effect.succeed(0)
    }))
    const exit = await Effect.runPromise(
      Effect.exit(Actor.spawn(Box)).pipe(Effect.scoped, Effect.provide(refusing))
    )
    expect(exit._tag).toBe("Failure")
    expect(String(exit)).toContain("no spawning in this world")
  })
})
