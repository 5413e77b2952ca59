import { describe, expect, it } from "vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import { Faults } from "@arbor/testkit"

type Msg = { readonly _tag: "Job" } | Actor.Request<{ readonly _tag: "Count" }, number>

const definition = {
  init: () => Effect.succeed(0),
  receive: {
    Job: (n: number) => n + 1,
    Count: (n: number) => Actor.reply(n, n)
  }
}

const run = <A, E>(eff: Effect.Effect<A, E, any>) =>
  Effect.runPromise(eff.pipe(Effect.scoped, Effect.provide(ActorSystem.layer)) as Effect.Effect<A, E>)

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
    const result = await Effect.runPromise(Effect.gen(function*() {
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
    }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer), Effect.provide(TestClock.layer())))
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
