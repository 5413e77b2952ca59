import { describe, expect, it } from "vitest"
import { Effect, Fiber, PubSub } from "effect"
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { collectDeadLetters, makeGate, run, untilIdle } from "./utils.ts"
import type { Gate } from "./utils.ts"

type Msg =
  | { readonly _tag: "Hold"; readonly gate: Gate }
  | { readonly _tag: "Note"; readonly text: string }
  | Actor.Request<{ readonly _tag: "Get" }, number>

const Box = Actor.make<Msg>()({
  init: () => Effect.succeed(0),
  receive: {
    Hold: (s, m) => Effect.as(m.gate.wait, s),
    Note: (s) => s + 1,
    Get: (s) => Actor.reply(s, s)
  }
})

describe("G19 dead letters: undeliverable messages can be subscribed to", () => {
  it("G19 a transport publishes a dead letter for a message it held (ActorSystem.publishDeadLetter)", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* ActorSystem.deadLetters
      const box = yield* Actor.spawn(Box, { label: "box" })
      const before = (yield* ActorSystem.deadLetterCount)
      yield* ActorSystem.publishDeadLetter({ recipient: box, message: { _tag: "Note", text: "held" }, reason: "Exited" })
      return { letter: yield* PubSub.take(letters), box, counted: (yield* ActorSystem.deadLetterCount) - before }
    }))
    expect(out.letter).toEqual({ recipient: out.box, message: { _tag: "Note", text: "held" }, reason: "Exited" })
    expect(out.counted).toBe(1)
  })
  it("G19 a subscriber sees recipient, message and why, in publication order", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* ActorSystem.deadLetters
      const gate = yield* makeGate
      const box = yield* Actor.spawn(Box, { label: "box" })
      yield* ActorRef.tell(box, { _tag: "Hold", gate })
      yield* ActorRef.tell(box, { _tag: "Note", text: "left behind" })
      yield* untilIdle
      const stopping = yield* Effect.forkChild(ActorRef.stop(box))
      yield* untilIdle
      yield* gate.open
      yield* Fiber.join(stopping)
      yield* ActorRef.tell(box, { _tag: "Note", text: "too late" })
      const first = yield* PubSub.take(letters)
      const second = yield* PubSub.take(letters)
      return { first, second, box }
    }))
    expect(out.first).toEqual({ recipient: out.box, message: { _tag: "Note", text: "left behind" }, reason: "Exited" })
    expect(out.second).toEqual({ recipient: out.box, message: { _tag: "Note", text: "too late" }, reason: "NotAlive" })
    expect(out.first.recipient.label).toBe("box")
  })

  it("G19 requests are not dead letters: their askers are told instead", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* collectDeadLetters
      const gate = yield* makeGate
      const box = yield* Actor.spawn(Box)
      yield* ActorRef.tell(box, { _tag: "Hold", gate })
      const queued = yield* Effect.forkChild(Effect.flip(ActorRef.ask(box, { _tag: "Get" })))
      const withdrawn = yield* Effect.forkChild(ActorRef.ask(box, { _tag: "Get" }))
      yield* untilIdle
      yield* Fiber.interrupt(withdrawn)
      const stopping = yield* Effect.forkChild(ActorRef.stop(box))
      yield* untilIdle
      yield* gate.open
      yield* Fiber.join(stopping)
      const late = yield* Effect.flip(ActorRef.ask(box, { _tag: "Get" }))
      return { queued: yield* Fiber.join(queued), late, letters: yield* letters }
    }))
    expect(out.queued._tag).toBe("ActorExited")
    expect(out.late._tag).toBe("ActorNotAlive")
    expect(out.letters).toEqual([])
  })

  it("G19 the system counts dead letters, with or without subscribers", async () => {
    const out = await run(Effect.gen(function*() {
      const system = yield* ActorSystem.ActorSystem
      const box = yield* Actor.spawn(Box)
      yield* ActorRef.kill(box)
      for (let i = 0; i < 3; i++) ActorRef.tellUnsafe(box, { _tag: "Note", text: `${i}` })
      return (yield* system.deadLetterCount)
    }))
    expect(out).toBe(3)
  })

  it("G19 a subscription ends with its scope; later letters are not kept for it", async () => {
    const out = await run(Effect.gen(function*() {
      const box = yield* Actor.spawn(Box)
      yield* ActorRef.kill(box)
      const early = yield* Effect.scoped(Effect.gen(function*() {
        const letters = yield* collectDeadLetters
        yield* ActorRef.tell(box, { _tag: "Note", text: "seen" })
        return yield* letters
      }))
      yield* ActorRef.tell(box, { _tag: "Note", text: "unseen" })
      const later = yield* collectDeadLetters
      return { early: early.map((l) => l.message), later: yield* later }
    }))
    expect(out.early).toEqual([{ _tag: "Note", text: "seen" }])
    expect(out.later).toEqual([])
  })
})
