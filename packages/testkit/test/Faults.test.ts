import { describe, expect, it } from "vitest"
import { Cause, Deferred, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { Actor, ActorRef } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import { Faults, TestSystem } from "@arbor/testkit"

type Msg = { readonly _tag: "Job" } | Actor.Request<{ readonly _tag: "Count" }, number>

const definition = {
  init: () => Effect.succeed(0),
  receive: {
    Job: (n: number) => n + 1,
    Count: (n: number) => Actor.reply(n, n)
  }
}

const run = TestSystem.run

describe("Faults", () => {
  it("the same seed makes the same decisions", () => {
    const a = Faults.makeInjector(7)
    const b = Faults.makeInjector(7)
    const c = Faults.makeInjector(8)
    const xs = Array.from({ length: 20 }, () => a.random())
    expect(Array.from({ length: 20 }, () => b.random())).toEqual(xs)
    expect(Array.from({ length: 20 }, () => c.random())).not.toEqual(xs)
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
  })

  it("crashes on the Nth message of each incarnation", async () => {
    const faults = Faults.makeInjector(1)
    const Worker = Faults.define<Msg>()(faults, { crashOnMessage: 3 }, definition)
    const reason = await run(Effect.gen(function*() {
      const w = yield* Actor.spawn(Worker, { label: "w" })
      for (let i = 0; i < 5; i++) yield* ActorRef.tell(w, { _tag: "Job" })
      return yield* ActorRef.monitor(w)
    }))
    expect(reason._tag).toBe("Failure")
    expect(faults.log).toEqual([{ kind: "crash", target: "w", reason: "failure" }])
  })

  it("crashes on demand with each reason", async () => {
    const faults = Faults.makeInjector(1)
    const Worker = Faults.define<Msg>()(faults, {}, definition)
    const reasons = await run(Effect.forEach(["failure", "defect", "throw", "normal", "shutdown", "kill"] as const, (r) =>
      Effect.gen(function*() {
        const w = yield* Actor.spawn(Worker)
        yield* Faults.crash(faults, w, r)
        return (yield* ActorRef.monitor(w))._tag
      })))
    expect(reasons).toEqual(["Failure", "Failure", "Failure", "Normal", "Shutdown", "Killed"])
  })

  it("fails a supervised child's first K starts, then lets it start", async () => {
    const faults = Faults.makeInjector(1)
    const Worker = Faults.define<Msg>()(faults, {}, definition)
    const children = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 5,
        children: [Child.worker({ id: "w", start: Faults.failStart(faults, Actor.spawn(Worker), { times: 2 }) })]
      }).pipe(Effect.flip)
      return sup
    }))
    expect(children._tag).toBe("ChildStartFailed")
    const faults2 = Faults.makeInjector(1)
    let started = 0
    const start = Faults.failStart(faults2, Effect.tap(Actor.spawn(Worker), () => Effect.sync(() => started++)), { times: 2 })
    const exits = await run(Effect.gen(function*() {
      const a = yield* Effect.exit(start)
      const b = yield* Effect.exit(start)
      const c = yield* Effect.exit(start)
      return [a._tag, b._tag, c._tag]
    }))
    expect(exits).toEqual(["Failure", "Failure", "Success"])
    expect(started).toBe(1)
  })

  it("flakyStart fails a seeded fraction of runs, sparing the first ones", async () => {
    const faults = Faults.makeInjector(5)
    const start = Faults.flakyStart(faults, Effect.succeed("ok"), { rate: 0.5, spareFirst: 3 })
    const exits = await Effect.runPromise(Effect.forEach(Array.from({ length: 40 }), () => Effect.exit(start)))
    expect(exits.slice(0, 3).every((e) => e._tag === "Success")).toBe(true)
    const failures = exits.filter((e) => e._tag === "Failure").length
    expect(failures).toBeGreaterThan(5)
    expect(failures).toBeLessThan(35)
    expect(faults.log.length).toBe(failures)
  })

  it("delays messages by the Clock and makes stop hooks slow", async () => {
    const faults = Faults.makeInjector(3)
    const Worker = Faults.define<Msg>()(faults, { delay: "1 second", slowStop: "10 seconds" }, definition)
    const result = await run(Effect.gen(function*() {
      const w = yield* Actor.spawn(Worker)
      yield* ActorRef.tell(w, { _tag: "Job" })
      const count = yield* Effect.forkChild(ActorRef.ask(w, { _tag: "Count" }, { timeout: "1 minute" }))
      yield* TestClock.adjust("1500 millis")
      const notYet = count.pollUnsafe()
      yield* TestClock.adjust("1 second")
      const n = yield* Fiber.join(count)
      const stopping = yield* Effect.forkChild(ActorRef.stop(w))
      yield* TestClock.adjust("5 seconds")
      const stillAlive = ActorRef.isAliveUnsafe(w)
      yield* TestClock.adjust("6 seconds")
      yield* Fiber.join(stopping)
      return { notYet, n, stillAlive, alive: ActorRef.isAliveUnsafe(w) }
    }))
    expect(result.notYet).toBeUndefined()
    expect(result.n).toBe(1)
    expect(result.stillAlive).toBe(true)
    expect(result.alive).toBe(false)
    expect(faults.log.map((f) => f.kind)).toEqual(["delay", "delay", "slow-stop"])
  })

  it("drops messages at the given rate, decided by the seed", async () => {
    const count = (seed: number) => {
      const faults = Faults.makeInjector(seed)
      const Worker = Faults.define<Msg>()(faults, { dropRate: 0.5, only: (m) => (m as Msg)._tag === "Job" }, definition)
      return run(Effect.gen(function*() {
        const w = yield* Actor.spawn(Worker)
        for (let i = 0; i < 200; i++) yield* ActorRef.tell(w, { _tag: "Job" })
        return [yield* ActorRef.ask(w, { _tag: "Count" }), faults.log.length] as const
      }))
    }
    const [n1, dropped1] = await count(11)
    const [n2] = await count(11)
    expect(n1).toBe(n2)
    expect(n1 + dropped1).toBe(200)
    expect(n1).toBeGreaterThan(50)
    expect(n1).toBeLessThan(150)
  })
})

describe("Faults.crash returns once the exit happened, and only for Faults.define actors", () => {
  it("Faults.crash completes once the actor has ended, with its exit reason, for every reason", async () => {
    const faults = Faults.makeInjector(1)
    const Worker = Faults.define<Msg>()(faults, {}, definition)
    const out = await TestSystem.run(Effect.forEach(["failure", "defect", "throw", "normal", "shutdown", "kill"] as const, (r) =>
      Effect.gen(function*() {
        const w = yield* Actor.spawn(Worker)
        // messages already waiting are handled first: crash waits for them too
        for (let i = 0; i < 3; i++) yield* ActorRef.tell(w, { _tag: "Job" })
        const reason = yield* Faults.crash(faults, w, r)
        return [reason._tag, ActorRef.isAliveUnsafe(w)] as const
      })))
    expect(out).toEqual([
      ["Failure", false],
      ["Failure", false],
      ["Failure", false],
      ["Normal", false],
      ["Shutdown", false],
      ["Killed", false]
    ])
  })

  it("Faults.kill kills any actor (a plain one, a supervisor) and completes once it has ended", async () => {
    const faults = Faults.makeInjector(1)
    const Plain = Actor.make<Msg>()(definition)
    const out = await TestSystem.run(Effect.gen(function*() {
      const plain = yield* Actor.spawn(Plain, { label: "plain" })
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [], label: "sup" })
      const a = yield* Faults.kill(faults, plain)
      const b = yield* Faults.kill(faults, sup)
      return [a._tag, ActorRef.isAliveUnsafe(plain), b._tag, ActorRef.isAliveUnsafe(sup)]
    }))
    expect(out).toEqual(["Killed", false, "Killed", false])
    expect(faults.log).toEqual([
      { kind: "crash", target: "plain", reason: "kill" },
      { kind: "crash", target: "sup", reason: "kill" }
    ])
  })

  it("Faults.crash of a plain actor is a type error, and at run time an InvalidCrashRequest that leaves the actor untouched", async () => {
    const faults = Faults.makeInjector(1)
    const Plain = Actor.make<Msg>()(definition)
    const out = await TestSystem.run(Effect.gen(function*() {
      const plain = yield* Actor.spawn(Plain)
      yield* ActorRef.tell(plain, { _tag: "Job" })
      // @ts-expect-error a plain ActorRef is not a FaultyRef: only Faults.define actors can be crashed on demand
      const typeError = Faults.crash(faults, plain, "failure")
      const error = yield* Effect.flip(typeError)
      yield* TestSystem.untilIdle
      return { error, alive: ActorRef.isAliveUnsafe(plain), count: yield* ActorRef.ask(plain, { _tag: "Count" }) }
    }))
    expect(out.error._tag).toBe("InvalidCrashRequest")
    expect(out.error).toMatchObject({ field: "ref" })
    expect(out.error.message).toContain("is not an actor built with Faults.define")
    expect(out.alive).toBe(true)
    expect(out.count).toBe(1)
    expect(faults.log).toEqual([])
  })

  for (const overflow of ["suspend", "dropNewest", "dropOldest", "fail"] as const) {
    it(`Faults.crash of an actor whose ${overflow} mailbox is full fails with MailboxFull instead of waiting, dropping or going past the capacity`, async () => {
      const faults = Faults.makeInjector(1)
      type Gated = { readonly _tag: "Block" } | { readonly _tag: "Job" }
      const out = await TestSystem.run(Effect.gen(function*() {
        const gate = yield* Deferred.make<void>()
        const Worker = Faults.define<Gated>()(faults, {}, {
          init: () => Effect.succeed(0),
          receive: { Block: (n) => Effect.as(Deferred.await(gate), n), Job: (n) => n + 1 },
          mailbox: { capacity: 1, overflow }
        })
        const w = yield* Actor.spawn(Worker)
        yield* ActorRef.tell(w, { _tag: "Block" })
        yield* TestSystem.untilIdle // Block is being handled
        yield* ActorRef.tell(w, { _tag: "Job" }) // the mailbox is full
        const error = yield* Effect.flip(Faults.crash(faults, w, "failure"))
        const size = yield* ActorRef.mailboxSize(w)
        yield* Deferred.succeed(gate, undefined)
        yield* TestSystem.untilIdle
        // with room again, the crash goes through
        const reason = yield* Faults.crash(faults, w, "failure")
        return { error, size, reason: reason._tag }
      }))
      expect(out.error._tag).toBe("MailboxFull")
      expect(out.error).toMatchObject({ capacity: 1 })
      expect(out.size).toBe(1)
      expect(out.reason).toBe("Failure")
      expect(faults.log.map((f) => f.kind)).toEqual(["crash"])
    })
  }

  it("Faults.crash or Faults.kill of an actor that already ended completes with its exit reason and injects nothing", async () => {
    const faults = Faults.makeInjector(1)
    const Worker = Faults.define<Msg>()(faults, {}, definition)
    const out = await TestSystem.run(Effect.gen(function*() {
      const w = yield* Actor.spawn(Worker)
      yield* ActorRef.stop(w)
      return [(yield* Faults.crash(faults, w, "defect"))._tag, (yield* Faults.kill(faults, w))._tag]
    }))
    expect(out).toEqual(["Shutdown", "Shutdown"])
    expect(faults.log).toEqual([])
  })
})

describe("Faults.define dispatches messages with core's own dispatch", () => {
  it("a message whose _tag has no handler ends the actor exactly as Actor.make's dispatch does, prototype keys included", async () => {
    const faults = Faults.makeInjector(1)
    const Worker = Faults.define<Msg>()(faults, {}, definition)
    const Plain = Actor.make<Msg>()(definition)
    const errors = await TestSystem.run(Effect.forEach([Worker, Plain] as const, (behavior) =>
      Effect.forEach(["Nope", "toString", "constructor"], (tag) =>
        Effect.gen(function*() {
          const w = yield* Actor.spawn(behavior as Actor.Behavior<Msg>)
          ActorRef.tellUnsafe(w as ActorRef.ActorRef<unknown>, { _tag: tag })
          const reason = yield* ActorRef.monitor(w)
          return reason._tag === "Failure" ? String(Cause.squash(reason.cause)) : reason._tag
        }))))
    expect(errors[0]).toEqual([
      `TypeError: no handler for message with _tag "Nope"`,
      `TypeError: no handler for message with _tag "toString"`,
      `TypeError: no handler for message with _tag "constructor"`
    ])
    expect(errors[1]).toEqual(errors[0])
  })
})
