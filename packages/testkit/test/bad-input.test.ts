/**
 * The testkit rows of docs/errors.md ("Fault injection and the test harness"): one test per row,
 * named like the row (the meta-test `reliability/test/errors-doc.test.ts` reads this file).
 */
import { describe, expect, it } from "vitest"
import { Clock, Deferred, Effect, Exit } from "effect"
import { Actor, ActorRef, ActorSystem, Errors } from "@arbor/core"
import { Supervisor } from "@arbor/supervisor"
import { Faults, TestSystem } from "@arbor/testkit"

type Msg = { readonly _tag: "Job" } | Actor.Request<{ readonly _tag: "Count" }, number>
const definition = {
  init: () => Effect.succeed(0),
  receive: { Job: (n: number) => n + 1, Count: (n: number) => Actor.reply(n, n) }
}

/** The InvalidFaultPlan `f` throws (fails the test if it throws anything else, or nothing). */
const planError = (f: () => unknown): Faults.InvalidFaultPlan => {
  try {
    f()
  } catch (e) {
    if (e instanceof Faults.InvalidFaultPlan) return e
    throw e
  }
  throw new Error("expected an InvalidFaultPlan")
}

const liveActors = ActorSystem.liveActors

describe("fault plans", () => {
  it("Faults.define with an invalid delay or slowStop", () => {
    const faults = Faults.makeInjector(1)
    for (const field of ["delay", "slowStop"] as const) {
      for (const value of [-1, Number.NaN, Number.POSITIVE_INFINITY, "-1 seconds", "soon", { secs: 5 }, {}, true]) {
        const e = planError(() => Faults.define<Msg>()(faults, { [field]: value as never }, definition))
        expect(e).toMatchObject({ operation: "define", field, value })
        expect(e.message).toContain(`invalid ${field}`)
        expect(e.message).toContain("Durations.decode")
      }
      // what Durations.decode accepts is accepted
      for (const value of [0, 250, "250 millis", { seconds: 1 }, "infinity"]) {
        expect(() => Faults.define<Msg>()(faults, { [field]: value as never }, definition)).not.toThrow()
      }
    }
  })

  it("Faults.define with an invalid plan", () => {
    const faults = Faults.makeInjector(1)
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [null, "plan"],
      [[], "plan"],
      [5, "plan"],
      [{ crashOnMesage: 3 }, "crashOnMesage"],
      [{ crashOnMessage: 0 }, "crashOnMessage"],
      [{ crashOnMessage: 1.5 }, "crashOnMessage"],
      [{ crashOnMessage: "3" }, "crashOnMessage"],
      [{ crashReason: "kill" }, "crashReason"],
      [{ crashReason: "explode" }, "crashReason"],
      [{ dropRate: -0.1 }, "dropRate"],
      [{ dropRate: 2 }, "dropRate"],
      [{ dropRate: Number.NaN }, "dropRate"],
      [{ delayRate: 1.5 }, "delayRate"],
      [{ target: 5 }, "target"],
      [{ only: true }, "only"]
    ]
    for (const [plan, field] of cases) {
      const e = planError(() => Faults.define<Msg>()(faults, plan as never, definition))
      expect(e).toMatchObject({ operation: "define", field })
    }
  })

  it("Faults.define, Faults.crash or Faults.kill with something that is not an injector", async () => {
    for (const injector of [undefined, null, 42, {}]) {
      const e = planError(() => Faults.define<Msg>()(injector as never, {}, definition))
      expect(e).toMatchObject({ operation: "define", field: "injector" })
    }
    const faults = Faults.makeInjector(1)
    const Worker = Faults.define<Msg>()(faults, {}, definition)
    const out = await TestSystem.run(Effect.gen(function*() {
      const w = yield* Actor.spawn(Worker)
      const crash = yield* Effect.flip(Faults.crash({} as never, w))
      const kill = yield* Effect.flip(Faults.kill(42 as never, w))
      return { crash, kill, alive: ActorRef.isAliveUnsafe(w) }
    }))
    expect(out.crash).toMatchObject({ _tag: "InvalidCrashRequest", field: "injector" })
    expect(out.kill).toMatchObject({ _tag: "InvalidCrashRequest", field: "injector" })
    expect(out.alive).toBe(true)
  })

  it("Faults.define with a malformed definition", () => {
    const faults = Faults.makeInjector(1)
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ init: Effect.succeed(0), receive: {} }, "init"],
      [{ init: () => Effect.succeed(0), receive: null }, "receive"],
      [{ init: () => Effect.succeed(0), receive: { Job: 42 } }, "receive.Job"]
    ]
    for (const [def, field] of cases) {
      let error: unknown
      try {
        Faults.define<Msg>()(faults, {}, def as never)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(Errors.InvalidActorDefinition)
      expect(error).toMatchObject({ field })
    }
  })

  it("failStart or flakyStart with invalid options", () => {
    const faults = Faults.makeInjector(1)
    const start = Effect.succeed("ok")
    const cases: ReadonlyArray<readonly [() => unknown, string, string]> = [
      [() => Faults.failStart(faults, start, { times: -1 }), "failStart", "times"],
      [() => Faults.failStart(faults, start, { times: 1.5 }), "failStart", "times"],
      [() => Faults.failStart(faults, start, { times: "2" as never }), "failStart", "times"],
      [() => Faults.failStart(faults, start, null as never), "failStart", "options"],
      [() => Faults.failStart(faults, (() => start) as never, { times: 1 }), "failStart", "start"],
      [() => Faults.failStart(faults, start, { times: 1, target: 3 as never }), "failStart", "target"],
      [() => Faults.flakyStart(faults, start, { rate: 2 }), "flakyStart", "rate"],
      [() => Faults.flakyStart(faults, start, { rate: Number.NaN }), "flakyStart", "rate"],
      [() => Faults.flakyStart(faults, start, { rate: 0.5, spareFirst: -1 }), "flakyStart", "spareFirst"],
      [() => Faults.flakyStart({} as never, start, { rate: 0.5 }), "flakyStart", "injector"]
    ]
    for (const [f, operation, field] of cases) expect(planError(f)).toMatchObject({ operation, field })
  })

  it("makeInjector with a seed that is not a finite number", () => {
    for (const seed of [Number.NaN, Number.POSITIVE_INFINITY, "7", undefined]) {
      expect(planError(() => Faults.makeInjector(seed as never))).toMatchObject({ operation: "makeInjector", field: "seed" })
    }
  })
})

describe("crash requests", () => {
  it("Faults.crash of an actor not built with Faults.define", async () => {
    const faults = Faults.makeInjector(1)
    const Plain = Actor.make<Msg>()(definition)
    const out = await TestSystem.run(Effect.gen(function*() {
      const plain = yield* Actor.spawn(Plain)
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [] })
      const errors = []
      for (const ref of [plain, sup, undefined, {}, "actor"]) {
        errors.push(yield* Effect.flip(Faults.crash(faults, ref as never, "failure")))
      }
      yield* TestSystem.untilIdle
      return {
        errors,
        alive: [ActorRef.isAliveUnsafe(plain), ActorRef.isAliveUnsafe(sup)],
        count: yield* ActorRef.ask(plain, { _tag: "Count" })
      }
    }))
    for (const e of out.errors) expect(e).toMatchObject({ _tag: "InvalidCrashRequest", field: "ref" })
    expect(out.errors[0]!.message).toContain("is not an actor built with Faults.define")
    expect(out.errors[2]!.message).toContain("must be an ActorRef")
    expect(out.alive).toEqual([true, true])
    expect(out.count).toBe(0)
    expect(faults.log).toEqual([])
  })

  it("Faults.crash with an unknown reason", async () => {
    const faults = Faults.makeInjector(1)
    const Worker = Faults.define<Msg>()(faults, {}, definition)
    const out = await TestSystem.run(Effect.gen(function*() {
      const w = yield* Actor.spawn(Worker)
      const errors = []
      for (const reason of ["explode", 3, null]) errors.push(yield* Effect.flip(Faults.crash(faults, w, reason as never)))
      return { errors, alive: ActorRef.isAliveUnsafe(w) }
    }))
    for (const e of out.errors) expect(e).toMatchObject({ _tag: "InvalidCrashRequest", field: "reason" })
    expect(out.alive).toBe(true)
    expect(faults.log).toEqual([])
  })

  it("Faults.crash of an actor whose bounded mailbox is full", async () => {
    const faults = Faults.makeInjector(1)
    type Gated = { readonly _tag: "Block" } | { readonly _tag: "Job" }
    const out = await TestSystem.run(Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const Worker = Faults.define<Gated>()(faults, {}, {
        init: () => Effect.succeed(0),
        receive: { Block: (n) => Effect.as(Deferred.await(gate), n), Job: (n) => n + 1 },
        mailbox: { capacity: 2 } // overflow "suspend": a tell would wait for room
      })
      const w = yield* Actor.spawn(Worker, { label: "busy", shutdown: "brutal" })
      yield* ActorRef.tell(w, { _tag: "Block" })
      yield* TestSystem.untilIdle
      yield* ActorRef.tell(w, { _tag: "Job" })
      yield* ActorRef.tell(w, { _tag: "Job" })
      const error = yield* Effect.flip(Faults.crash(faults, w, "defect"))
      return { error, size: yield* ActorRef.mailboxSize(w), alive: ActorRef.isAliveUnsafe(w) }
    }))
    expect(out.error).toBeInstanceOf(Errors.MailboxFull)
    expect(out.error).toMatchObject({ actor: { label: "busy" }, capacity: 2 })
    expect(out.size).toBe(2)
    expect(out.alive).toBe(true)
    expect(faults.log).toEqual([])
  })

  it("Faults.crash or Faults.kill of an actor that already ended", async () => {
    const faults = Faults.makeInjector(1)
    const Worker = Faults.define<Msg>()(faults, {}, definition)
    const out = await TestSystem.run(Effect.gen(function*() {
      const w = yield* Actor.spawn(Worker)
      yield* ActorRef.kill(w)
      const crashed = yield* Faults.crash(faults, w, "failure")
      const killed = yield* Faults.kill(faults, w)
      return { crashed: crashed._tag, killed: killed._tag, live: yield* liveActors }
    }))
    expect(out).toEqual({ crashed: "Killed", killed: "Killed", live: 0 })
    expect(faults.log).toEqual([])
  })
})

describe("the test harness", () => {
  it("TestSystem.layer with invalid options", () => {
    expect(() => TestSystem.layer({ clock: "fake" } as never)).toThrow(/clock must be "test" or "live"/)
    expect(() => TestSystem.layer(42 as never)).toThrow(/options must be an object/)
    for (const warningDelay of [-1, Number.NaN, "soon", { secs: 5 }]) {
      expect(() => TestSystem.layer({ warningDelay: warningDelay as never })).toThrow(/warningDelay must be a duration/)
    }
    expect(() => TestSystem.layer({ clock: "live", warningDelay: "1 minute" })).toThrow(/warningDelay applies to the TestClock/)
    expect(() => TestSystem.layer({ warningDelay: "1 minute" })).not.toThrow()
  })

  it("TestSystem.advance with an invalid duration", async () => {
    const out = await TestSystem.run(Effect.gen(function*() {
      const exits = []
      for (const d of [{ secs: 5 }, -1, Number.NaN, "soon", "-1 seconds", {}, "infinity", null]) {
        exits.push([d, yield* Effect.exit(TestSystem.advance(d as never))] as const)
      }
      const before = yield* Clock.currentTimeMillis
      yield* TestSystem.advance({ seconds: 5 })
      return { exits, moved: (yield* Clock.currentTimeMillis) - before }
    }))
    for (const [d, exit] of out.exits) {
      expect(Exit.isFailure(exit), String(d)).toBe(true)
      expect(String(exit)).toContain("TypeError: TestSystem.advance: duration must be a finite duration")
    }
    expect(String(out.exits[0]![1])).toContain('{"secs":5}')
    // the rejected ones did not move the clock; a valid one does, by exactly its value
    expect(out.moved).toBe(5000)
  })

  it("TestSystem.untilIdle outside a TestSystem world", async () => {
    const exit = await Effect.runPromise(Effect.exit(TestSystem.untilIdle.pipe(Effect.provide(ActorSystem.layer))))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(exit)).toContain("TypeError: TestSystem.untilIdle needs a world built by TestSystem.layer")
  })
})
