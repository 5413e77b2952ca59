/**
 * Defects found by black-box use of the packed packages (issue #10), each pinned by a test named
 * after the guarantee it restores.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Cause, Duration, Effect, Exit, Fiber } from "effect"
import { Actor, ActorRef, ActorSystem, Durations, Errors, ExitReason } from "@arbor/core"
import { run, untilIdle } from "./utils.ts"

describe("G1 what a suspended init acquired is released when the spawn is abandoned", () => {
  it("G1 interrupting a spawn while init is suspended releases what init acquired", async () => {
    const log: Array<string> = []
    const Holder = Actor.make<never>()({
      init: () =>
        Effect.acquireRelease(Effect.sync(() => log.push("acquire")), () => Effect.sync(() => log.push("release")))
          .pipe(Effect.andThen(Effect.never)),
      receive: {}
    })
    const out = await run(Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Actor.spawn(Holder))
      yield* untilIdle
      const before = [...log]
      yield* Fiber.interrupt(fiber)
      const system = yield* ActorSystem.ActorSystem
      return { before, after: [...log], live: (yield* system.liveActors) }
    }))
    expect(out.before).toEqual(["acquire"])
    expect(out.after).toEqual(["acquire", "release"])
    expect(out.live).toBe(0)
  })

  it("G1 killing an actor while a spawn from its handler sits in a slow init releases what that init acquired", async () => {
    const log: Array<string> = []
    const Slow = Actor.make<never>()({
      init: () =>
        Effect.acquireRelease(Effect.sync(() => log.push("acquire")), () => Effect.sync(() => log.push("release")))
          .pipe(Effect.andThen(Effect.never)),
      receive: {}
    })
    // a parent whose handler starts a child whose init never completes (a restart in a slow init)
    const Parent = Actor.make<{ readonly _tag: "Start" }>()({
      init: () => Effect.succeed(0),
      receive: { Start: (n) => Effect.as(Actor.spawn(Slow), n + 1) }
    })
    const out = await run(Effect.gen(function*() {
      const parent = yield* Actor.spawn(Parent)
      yield* ActorRef.tell(parent, { _tag: "Start" })
      yield* untilIdle
      const before = [...log]
      yield* ActorRef.kill(parent)
      const system = yield* ActorSystem.ActorSystem
      return { before, after: [...log], live: (yield* system.liveActors) }
    }))
    expect(out.before).toEqual(["acquire"])
    expect(out.after).toEqual(["acquire", "release"])
    expect(out.live).toBe(0)
  })
})

describe("G20 a handler, init or stop hook that returns a Promise is a defect of its actor", () => {
  const rejections: Array<unknown> = []
  const onRejection = (e: unknown) => void rejections.push(e)
  beforeAll(() => void process.on("unhandledRejection", onRejection))
  afterAll(() => void process.off("unhandledRejection", onRejection))

  // what a JavaScript user can write: the types do not protect anyone
  const fromJs = (definition: unknown): Actor.Behavior<{ readonly _tag: "Boom" }> =>
    Actor.make<{ readonly _tag: "Boom" }>()(definition as never)

  it("G20 an async handler that rejects ends its actor with a clear Failure; nothing reaches the host", async () => {
    const Async = fromJs({
      init: () => Effect.succeed(0),
      receive: {
        Boom: async () => {
          throw new Error("x")
        }
      }
    })
    const reason = await run(Effect.gen(function*() {
      const ref = yield* Actor.spawn(Async)
      yield* ActorRef.tell(ref, { _tag: "Boom" })
      const reason = yield* ActorRef.monitor(ref)
      yield* untilIdle
      return reason
    }))
    expect(reason._tag).toBe("Failure")
    expect(ExitReason.isAbnormal(reason)).toBe(true)
    expect(Cause.pretty((reason as ExitReason.Failure).cause)).toMatch(/a handler returned a Promise/)
    expect(rejections).toEqual([])
  })

  it("G20 an async handler that resolves does not leave a Promise as the state: the actor fails", async () => {
    const seen: Array<unknown> = []
    const Async = Actor.make<{ readonly _tag: "Boom" } | Actor.Request<{ readonly _tag: "Get" }, unknown>>()({
      init: () => Effect.succeed(0 as unknown),
      receive: {
        Boom: (async (n: number) => n + 1) as never,
        Get: (s) => Actor.reply(s, s)
      },
      onStop: (s) => Effect.sync(() => seen.push(s))
    })
    const out = await run(Effect.gen(function*() {
      const ref = yield* Actor.spawn(Async)
      yield* ActorRef.tell(ref, { _tag: "Boom" })
      const asked = yield* Effect.flip(ActorRef.ask(ref, { _tag: "Get" }))
      return { reason: yield* ActorRef.monitor(ref), asked }
    }))
    expect(out.reason._tag).toBe("Failure")
    expect(out.asked._tag).toBe("ActorExited")
    expect(seen).toEqual([0]) // the stop hook saw the last real state
  })

  it("G20 an Effect that succeeds with a Promise, or a reply whose state is one, is the same defect", async () => {
    const Sneaky = fromJs({
      init: () => Effect.succeed(0),
      receive: { Boom: () => Effect.succeed(Promise.reject(new Error("late"))) }
    })
    const Replying = Actor.make<Actor.Request<{ readonly _tag: "Get" }, number>>()({
      init: () => Effect.succeed(0),
      receive: { Get: (n) => Actor.reply(n, Promise.resolve(n) as never) }
    })
    const out = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Sneaky)
      yield* ActorRef.tell(a, { _tag: "Boom" })
      const b = yield* Actor.spawn(Replying)
      const asked = yield* Effect.flip(ActorRef.ask(b, { _tag: "Get" }))
      const reasons = [yield* ActorRef.monitor(a), yield* ActorRef.monitor(b)]
      yield* untilIdle
      return { reasons, asked }
    }))
    expect(out.reasons.map((r) => r._tag)).toEqual(["Failure", "Failure"])
    expect(out.asked._tag).toBe("ActorExited")
    expect(rejections).toEqual([])
  })

  it("G20 an async init fails the spawn with a defect; an async stop hook is ignored like a failing one", async () => {
    const AsyncInit = fromJs({
      init: async () => {
        throw new Error("init")
      },
      receive: { Boom: (n: number) => n }
    })
    const AsyncStop = fromJs({
      init: () => Effect.succeed(0),
      receive: { Boom: () => Actor.stop(ExitReason.shutdown("done")) },
      onStop: async () => {
        throw new Error("stop")
      }
    })
    const out = await run(Effect.gen(function*() {
      const spawn = yield* Effect.exit(Actor.spawn(AsyncInit))
      const timed = yield* Effect.exit(Actor.spawn(AsyncInit, { startTimeout: "1 second" }))
      const ref = yield* Actor.spawn(AsyncStop)
      yield* ActorRef.tell(ref, { _tag: "Boom" })
      const reason = yield* ActorRef.monitor(ref)
      yield* untilIdle
      const system = yield* ActorSystem.ActorSystem
      return { spawn, timed, reason, live: (yield* system.liveActors) }
    }))
    for (const exit of [out.spawn, out.timed]) {
      expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
      expect(Cause.pretty((exit as Exit.Failure<unknown, unknown>).cause)).toMatch(/init returned a Promise/)
    }
    expect(out.reason).toEqual(ExitReason.shutdown("done"))
    expect(out.live).toBe(0)
    expect(rejections).toEqual([])
  })
})

describe("G1 Actor.make rejects a malformed definition at once, naming the field", () => {
  const make = (definition: unknown) => () => Actor.make<{ readonly _tag: "Foo" }>()(definition as never)
  const fieldOf = (definition: unknown): string => {
    try {
      make(definition)()
    } catch (e) {
      expect(e).toBeInstanceOf(Errors.InvalidActorDefinition)
      return (e as Errors.InvalidActorDefinition).field
    }
    throw new Error("Actor.make accepted the definition")
  }

  it("G1 init that is an Effect, not a function, is rejected by Actor.make", () => {
    expect(fieldOf({ init: Effect.succeed(0), receive: {} })).toBe("init")
    expect(() => make({ init: Effect.succeed(0), receive: {} })()).toThrow(/init must be a function returning an Effect/)
  })

  it("G1 a handler that is not a function, or receive that is null, is rejected by Actor.make", () => {
    expect(fieldOf({ init: () => Effect.succeed(0), receive: { Foo: 42 } })).toBe("receive.Foo")
    expect(fieldOf({ init: () => Effect.succeed(0), receive: null })).toBe("receive")
    expect(fieldOf({ init: () => Effect.succeed(0) })).toBe("receive")
  })

  it("G1 a message tagged like an Object.prototype member has no handler", async () => {
    const Plain = Actor.make<{ readonly _tag: "Foo" }>()({ init: () => Effect.succeed(0), receive: { Foo: (n) => n } })
    const reason = await run(Effect.gen(function*() {
      const ref = yield* Actor.spawn(Plain)
      ActorRef.tellUnsafe(ref, { _tag: "constructor" } as never)
      return yield* ActorRef.monitor(ref)
    }))
    expect(reason._tag).toBe("Failure")
    expect(Cause.pretty((reason as ExitReason.Failure).cause)).toMatch(/no handler for message with _tag "constructor"/)
  })
})

describe("G6 every duration Arbor accepts goes through one decoder", () => {
  const invalid: ReadonlyArray<unknown> = [
    Number.NaN,
    -1,
    "-1 seconds",
    Number.POSITIVE_INFINITY,
    "soon",
    { secs: 5 },
    {},
    { seconds: -1 },
    { seconds: Number.NaN },
    { seconds: 1, millis: 5 },
    -1n,
    true,
    null
  ]

  it("G6 ask with a NaN, negative or unit-less timeout dies at once; nothing is sent", async () => {
    const Echo = Actor.make<Actor.Request<{ readonly _tag: "Echo"; readonly n: number }, number>>()({
      init: () => Effect.succeed(0),
      receive: { Echo: (s, m) => Actor.reply(m.n, s + 1) }
    })
    const out = await run(Effect.gen(function*() {
      const echo = yield* Actor.spawn(Echo)
      const exits = []
      for (const timeout of invalid) {
        exits.push(yield* Effect.exit(ActorRef.ask(echo, { _tag: "Echo", n: 1 }, { timeout: timeout as never })))
      }
      const fine = yield* ActorRef.ask(echo, { _tag: "Echo", n: 7 }, { timeout: { seconds: 5 } })
      return { exits, fine }
    }))
    for (const exit of out.exits) {
      expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
      expect(Cause.pretty((exit as Exit.Failure<unknown, unknown>).cause)).toMatch(/ActorRef.ask: invalid timeout/)
    }
    expect(out.fine).toBe(7)
  })

  it("G6 spawn's shutdown and startTimeout, and ActorRef.shutdown, reject what a child spec rejects", async () => {
    const Idle = Actor.make<never>()({ init: () => Effect.succeed(0), receive: {} })
    const out = await run(Effect.gen(function*() {
      const fields: Array<string> = []
      for (const value of invalid) {
        const shutdown = yield* Effect.flip(Actor.spawn(Idle, { shutdown: value as never }))
        const startTimeout = yield* Effect.flip(Actor.spawn(Idle, { startTimeout: value as never }))
        fields.push((shutdown as { field: string }).field, (startTimeout as { field: string }).field)
      }
      const idle = yield* Actor.spawn(Idle)
      const shutdown = yield* Effect.exit(ActorRef.shutdown(idle, { secs: 5 } as never))
      const system = yield* ActorSystem.ActorSystem
      return { fields, shutdown, alive: ActorRef.isAliveUnsafe(idle), live: (yield* system.liveActors) }
    }))
    expect(out.fields).toEqual(invalid.flatMap(() => ["shutdown", "startTimeout"]))
    expect(Exit.isFailure(out.shutdown) && Cause.hasDies(out.shutdown.cause)).toBe(true)
    expect(out.alive).toBe(true)
    expect(out.live).toBe(1)
  })

  it("G6 the decoder reads every documented form and rejects the rest", () => {
    const ms = (u: unknown) => {
      const d = Durations.decode(u)
      return d === undefined ? undefined : Duration.toMillis(d)
    }
    expect([ms(250), ms(0), ms("5 seconds"), ms({ seconds: 5 }), ms({ minutes: 1, seconds: 1 }), ms([1, 0])])
      .toEqual([250, 0, 5000, 5000, 61000, 1000])
    expect(ms(5_000_000n)).toBe(5)
    expect(ms(Duration.seconds(2))).toBe(2000)
    expect(ms("infinity")).toBe(Number.POSITIVE_INFINITY)
    for (const u of invalid) expect(Durations.decode(u)).toBeUndefined()
    expect(Durations.decodeShutdown("brutal")).toBe("brutal")
    expect(Durations.decodeShutdown("infinity")).toBe("infinity")
    expect(Durations.decodeShutdown("Infinity")).toBe("infinity")
    expect(Durations.decodeShutdown({ secs: 5 })).toBeUndefined()
  })
})
