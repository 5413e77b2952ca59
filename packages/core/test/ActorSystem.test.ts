import { describe, expect, it } from "vitest"
import { Cause, Deferred, Effect, Layer, Logger } from "effect"
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

type WorkerMsg =
  | { readonly _tag: "Note"; readonly text: string }
  | { readonly _tag: "Halt" }
  | { readonly _tag: "Arm"; readonly gate: Effect.Effect<void> }

/** Takes notes; `Halt` ends it; `Arm` fills its mailbox's next slot, starts a timer at once and then waits for `gate`. */
const Worker = Actor.make<WorkerMsg>()({
  init: () => Effect.succeed(0),
  receive: {
    Note: (n) => n + 1,
    Halt: () => Actor.stop(),
    Arm: (n, msg, ctx) =>
      Effect.gen(function*() {
        ActorRef.tellUnsafe(ctx.self, { _tag: "Note", text: "filler" })
        yield* ctx.timers.startSingle("t", { _tag: "Note", text: "timer" }, 0)
        yield* msg.gate
        return n
      })
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
  it("G21 a recording wrapper around ActorSystem.make sees every spawn and every dead letter — the runtime's too — and its counters are the ones read", async () => {
    const calls: Array<string> = []
    let timerLetterSeen!: () => void
    const timerLetter = new Promise<void>((resolve) => (timerLetterSeen = resolve))
    const text = (message: unknown) => typeof message === "string" ? message : (message as { text: string }).text
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
              calls.push(`dead letter ${letter.recipient.label}:${text(letter.message)} ${letter.reason}`)
              if (text(letter.message) === "timer") timerLetterSeen()
              return base.publishDeadLetter(letter)
            }),
          // a double's own answer, so the test sees which implementation was read
          liveActors: Effect.map(base.liveActors, (n) => n + 1000)
        }))
    )
    const note = (t: string): { readonly _tag: "Note"; readonly text: string } => ({ _tag: "Note", text: t })
    const out = await Effect.runPromise(
      Effect.gen(function*() {
        const box = yield* Actor.spawn(Box, { label: "box" })
        yield* ActorRef.tell(box, note("hi"))
        const count = yield* ActorRef.ask(box, { _tag: "Count" })
        // an explicit dead letter (what a transport publishes)
        yield* ActorSystem.publishDeadLetter({ recipient: box, message: "lost", reason: "Exited" })
        // overflow drops: the second message finds the one-slot mailbox full
        const newest = yield* Actor.spawn(Worker, { label: "newest", mailbox: { capacity: 1, overflow: "dropNewest" } })
        const oldest = yield* Actor.spawn(Worker, { label: "oldest", mailbox: { capacity: 1, overflow: "dropOldest" } })
        yield* Effect.sync(() => {
          ActorRef.tellUnsafe(newest, note("kept"))
          ActorRef.tellUnsafe(newest, note("dropped"))
          ActorRef.tellUnsafe(oldest, note("old"))
          ActorRef.tellUnsafe(oldest, note("new"))
        })
        // a timer's message dropped by a full mailbox (the handler is busy, the one slot taken)
        const gate = yield* Deferred.make<void>()
        const timed = yield* Actor.spawn(Worker, { label: "timed", mailbox: { capacity: 1, overflow: "dropNewest" } })
        yield* ActorRef.tell(timed, { _tag: "Arm", gate: Deferred.await(gate) })
        yield* Effect.promise(() => timerLetter)
        yield* Deferred.succeed(gate, undefined)
        // a message left in the mailbox when the actor ends
        const halting = yield* Actor.spawn(Worker, { label: "halting", mailbox: { capacity: 4 } })
        yield* Effect.sync(() => {
          ActorRef.tellUnsafe(halting, { _tag: "Halt" })
          ActorRef.tellUnsafe(halting, note("left"))
        })
        yield* ActorRef.monitor(halting)
        // tells to ended actors, from outside the system (unbounded, and bounded "suspend")
        yield* ActorRef.stop(box)
        yield* ActorRef.tell(box, note("late"))
        yield* ActorRef.tell(halting, note("later"))
        return { count, live: yield* ActorSystem.liveActors, letters: yield* ActorSystem.deadLetterCount }
      }).pipe(Effect.scoped, Effect.provide(recording))
    )
    // in the order they happened, each through the wrapper
    expect(calls).toEqual([
      "spawn box",
      "dead letter box:lost Exited",
      "spawn newest",
      "spawn oldest",
      "dead letter newest:dropped DroppedNewest",
      "dead letter oldest:old DroppedOldest",
      "spawn timed",
      "dead letter timed:timer DroppedNewest",
      "spawn halting",
      "dead letter halting:left Exited",
      "dead letter box:late NotAlive",
      "dead letter halting:later NotAlive"
    ])
    // the built-in counters (reached only through the wrapper) counted each of the 7 exactly once
    expect(out).toEqual({ count: 1, live: 1003, letters: 7 })
  })

  it("G21 a wrapper whose publishDeadLetter throws does not hurt the sender: the failure is logged and the system runs on", async () => {
    const logged: Array<string> = []
    const throwing = Layer.effect(
      ActorSystem.ActorSystem,
      Effect.map(ActorSystem.make, (base) =>
        ActorSystem.ActorSystem.of({
          ...base,
          publishDeadLetter: () => {
            throw new Error("recorder broke")
          }
        }))
    )
    const logger = Logger.make(({ cause, message }) => {
      logged.push(`${String(message)} ${Cause.pretty(cause)}`)
    })
    const out = await Effect.runPromise(
      Effect.gen(function*() {
        const box = yield* Actor.spawn(Box, { label: "box" })
        yield* ActorRef.stop(box)
        yield* ActorRef.tell(box, { _tag: "Note", text: "late" })
        ActorRef.tellUnsafe(box, { _tag: "Note", text: "later" })
        const other = yield* Actor.spawn(Box)
        yield* ActorRef.tell(other, { _tag: "Note", text: "hi" })
        return yield* ActorRef.ask(other, { _tag: "Count" })
      }).pipe(Effect.scoped, Effect.provide(throwing), Effect.provide(Logger.layer([logger])))
    )
    expect(out).toBe(1)
    expect(logged).toHaveLength(2)
    for (const line of logged) {
      expect(line).toContain("ActorSystem.publishDeadLetter failed for a dead letter of")
      expect(line).toContain("recorder broke")
    }
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
