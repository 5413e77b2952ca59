import { inspect } from "node:util"
import { describe, expect, expectTypeOf, it } from "vitest"
import { Context, Effect, Exit, Fiber, Scope } from "effect"
import { TestClock } from "effect/testing"
import { Actor, ActorRef, ActorSystem, Errors, ExitReason } from "@arbor/core"
import { isDone, run, untilIdle } from "./utils.ts"

// -----------------------------------------------------------------------------------------
// a counter used across the file
// -----------------------------------------------------------------------------------------

type CounterMsg =
  | { readonly _tag: "Increment"; readonly by: number }
  | Actor.Request<{ readonly _tag: "Get" }, number>
  | { readonly _tag: "Quit" }

const Counter = Actor.make<CounterMsg>()({
  init: () => Effect.succeed(0),
  receive: {
    Increment: (n, m) => n + m.by,
    Get: (n) => Actor.reply(n, n),
    Quit: () => Actor.stop()
  }
})

class InitError extends Error {
  readonly _tag = "InitError"
}

describe("G1 an actor is a typed protocol, a state, an init and handlers", () => {
  it("G1 init's typed error fails the spawn, releases init's resources and leaves nothing running", async () => {
    const released: Array<string> = []
    const Broken = Actor.make<{ readonly _tag: "Ping" }>()({
      init: (): Effect.Effect<number, InitError, Scope.Scope> =>
        Effect.gen(function*() {
          yield* Effect.addFinalizer(() => Effect.sync(() => released.push("conn")))
          return yield* Effect.fail(new InitError("no database"))
        }),
      receive: { Ping: (s: number) => s }
    })
    const out = await run(Effect.gen(function*() {
      const error = yield* Effect.flip(Actor.spawn(Broken))
      expectTypeOf(error).toEqualTypeOf<InitError | Errors.InvalidActorOptions | Errors.StartTimeout>()
      const system = yield* ActorSystem.ActorSystem
      return { error, live: (yield* system.liveActors) }
    }))
    expect(out.error).toBeInstanceOf(InitError)
    expect(out.error.message).toBe("no database")
    expect(out.live).toBe(0)
    expect(released).toEqual(["conn"])
  })

  it("G1 a definition must handle every message variant (compile-time)", () => {
    Actor.make<CounterMsg>()({
      init: () => Effect.succeed(0),
      // @ts-expect-error the Quit handler is missing
      receive: {
        Increment: (n: number, m: { readonly by: number }) => n + m.by,
        Get: (n: number) => Actor.reply(n, n)
      }
    })
    Actor.make<CounterMsg>()({
      init: () => Effect.succeed(0),
      receive: {
        Increment: (n, m) => n + m.by,
        // @ts-expect-error a request must be answered with a reply of its type
        Get: (n) => Actor.reply("not a number", n),
        Quit: () => Actor.stop()
      }
    })
    expect(true).toBe(true)
  })

  it("G1 handlers update the state, reply, and see the actor's own ref", async () => {
    type Msg =
      | { readonly _tag: "Add"; readonly item: string }
      | Actor.Request<{ readonly _tag: "Items" }, ReadonlyArray<string>>
      | Actor.Request<{ readonly _tag: "WhoAmI" }, number>
    const List = Actor.make<Msg>()({
      init: () => Effect.succeed<ReadonlyArray<string>>([]),
      receive: {
        Add: (items, m) => Effect.succeed([...items, m.item]),
        Items: (items) => Effect.sync(() => Actor.reply(items, items)),
        WhoAmI: (items, _m, ctx) => Actor.reply(ctx.self.id, items)
      }
    })
    const out = await run(Effect.gen(function*() {
      const list = yield* Actor.spawn(List)
      yield* ActorRef.tell(list, { _tag: "Add", item: "a" })
      yield* ActorRef.tell(list, { _tag: "Add", item: "b" })
      const items = yield* ActorRef.ask(list, { _tag: "Items" })
      const me = yield* ActorRef.ask(list, { _tag: "WhoAmI" })
      return { items, me, id: list.id }
    }))
    expect(out.items).toEqual(["a", "b"])
    expect(out.me).toBe(out.id)
  })

  it("G1 handlers use services provided to the spawner", async () => {
    class Prefix extends Context.Service<Prefix, { readonly value: string }>()("test/Prefix") {}
    const Greeter = Actor.make<Actor.Request<{ readonly _tag: "Greet"; readonly name: string }, string>>()({
      init: () => Effect.succeed(undefined),
      receive: {
        Greet: (s, m) =>
          Effect.gen(function*() {
            const prefix = yield* Prefix
            return Actor.reply(`${prefix.value} ${m.name}`, s)
          })
      }
    })
    class Audit extends Context.Service<Audit, { readonly log: (s: string) => void }>()("test/Audit") {}
    const Mixed = Actor.make<{ readonly _tag: "Note"; readonly text: string }>()({
      init: () => Effect.succeed(0),
      receive: {
        // a plain state on one path, an effect needing a service on the other
        Note: (n, m) => (m.text === "" ? n : Effect.as(Effect.map(Audit, (a) => a.log(m.text)), n + 1))
      }
    })
    expectTypeOf(Greeter).toEqualTypeOf<
      Actor.Behavior<Actor.Request<{ readonly _tag: "Greet"; readonly name: string }, string>, never, Prefix>
    >()
    expectTypeOf(Mixed).toEqualTypeOf<Actor.Behavior<{ readonly _tag: "Note"; readonly text: string }, never, Audit>>()
    const greeting = await run(Effect.gen(function*() {
      const greeter = yield* Actor.spawn(Greeter).pipe(Effect.provideService(Prefix, { value: "hello" }))
      return yield* ActorRef.ask(greeter, { _tag: "Greet", name: "arbor" })
    }))
    expect(greeting).toBe("hello arbor")
  })

  it("G1 a handler stops the actor with a reason; the stop hook receives it with the final state", async () => {
    const seen: Array<[number, ExitReason.ExitReason]> = []
    const Stopper = Actor.make<{ readonly _tag: "Done"; readonly payload: string } | { readonly _tag: "Bump" }>()({
      init: () => Effect.succeed(0),
      receive: {
        Bump: (n) => n + 1,
        Done: (_n, m) => Actor.stop(ExitReason.shutdown(m.payload))
      },
      onStop: (n, reason) => Effect.sync(() => seen.push([n, reason]))
    })
    const reason = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Stopper)
      yield* ActorRef.tell(a, { _tag: "Bump" })
      yield* ActorRef.tell(a, { _tag: "Done", payload: "bye" })
      return yield* ActorRef.monitor(a)
    }))
    expect(reason).toEqual({ _tag: "Shutdown", payload: "bye" })
    expect(seen).toEqual([[1, { _tag: "Shutdown", payload: "bye" }]])
  })

  it("G1 Actor.stop() without a reason ends the actor with Normal", async () => {
    const reason = await run(Effect.gen(function*() {
      const c = yield* Actor.spawn(Counter)
      yield* ActorRef.tell(c, { _tag: "Quit" })
      return yield* ActorRef.monitor(c)
    }))
    expect(reason).toEqual(ExitReason.normal)
  })

  it("G1 a handler may spawn actors; they belong to the actor and are stopped with it", async () => {
    type Msg = Actor.Request<{ readonly _tag: "SpawnChild" }, ActorRef.ActorRef<CounterMsg>>
    const Parent = Actor.make<Msg>()({
      init: () => Effect.succeed(undefined),
      receive: {
        SpawnChild: (s) => Effect.map(Actor.spawn(Counter, { label: "child" }), (child) => Actor.reply(child, s))
      }
    })
    const out = await run(Effect.gen(function*() {
      const parent = yield* Actor.spawn(Parent)
      const child = yield* ActorRef.ask(parent, { _tag: "SpawnChild" })
      yield* ActorRef.tell(child, { _tag: "Increment", by: 3 })
      const value = yield* ActorRef.ask(child, { _tag: "Get" })
      const aliveBefore = ActorRef.isAliveUnsafe(child)
      const parentReason = yield* ActorRef.stop(parent)
      return { value, aliveBefore, parentReason, childReason: ActorRef.exitReasonUnsafe(child) }
    }))
    expect(out.value).toBe(3)
    expect(out.aliveBefore).toBe(true)
    expect(out.parentReason._tag).toBe("Shutdown")
    // the child was stopped while its parent released its resources, before the parent ended
    expect(out.childReason?._tag).toBe("Shutdown")
  })

  it("G1 work forked into the actor's scope outlives its handler and ends with the actor", async () => {
    const ticks: Array<number> = []
    type Msg = { readonly _tag: "StartTicker" } | { readonly _tag: "Ping" }
    const Ticker = Actor.make<Msg>()({
      init: () => Effect.succeed(0),
      receive: {
        StartTicker: (s) =>
          Effect.as(
            Effect.forkScoped(
              Effect.forever(Effect.andThen(Effect.sleep("1 second"), Effect.sync(() => ticks.push(ticks.length))))
            ),
            s
          ),
        Ping: (s) => s
      }
    })
    const out = await run(Effect.gen(function*() {
      const t = yield* Actor.spawn(Ticker)
      yield* ActorRef.tell(t, { _tag: "StartTicker" })
      yield* untilIdle
      // the actor is idle now: no handler is running, the ticker still is
      for (let i = 0; i < 3; i++) yield* TestClock.adjust("1 second")
      const whileAlive = ticks.length
      yield* ActorRef.stop(t)
      yield* TestClock.adjust("5 seconds")
      return { whileAlive, afterStop: ticks.length }
    }))
    expect(out).toEqual({ whileAlive: 3, afterStop: 3 })
  })

  it("G1 init may take time; startTimeout fails the spawn with StartTimeout (TestClock)", async () => {
    const Slow = Actor.make<{ readonly _tag: "Ping" }>()({
      init: () => Effect.as(Effect.sleep("10 seconds"), 0),
      receive: { Ping: (s) => s }
    })
    const out = await run(Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Effect.flip(Actor.spawn(Slow, { startTimeout: "1 second", label: "slow" })))
      yield* TestClock.adjust("999 millis")
      const early = yield* isDone(fiber)
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      return { early, error }
    }))
    expect(out.early).toBe(false)
    expect(out.error._tag).toBe("StartTimeout")
    expect(out.error.message).toContain("slow")
  })

  it("G1 invalid options fail the spawn with InvalidActorOptions naming the field", async () => {
    const out = await run(Effect.gen(function*() {
      const capacity = yield* Effect.flip(Actor.spawn(Counter, { mailbox: { capacity: 0 } }))
      const overflow = yield* Effect.flip(
        Actor.spawn(Counter, { mailbox: { capacity: 1, overflow: "explode" as never } })
      )
      const shutdown = yield* Effect.flip(Actor.spawn(Counter, { shutdown: -1 }))
      const system = yield* ActorSystem.ActorSystem
      return { capacity, overflow, shutdown, live: (yield* system.liveActors) }
    }))
    expect(out.capacity._tag).toBe("InvalidActorOptions")
    expect((out.capacity as Errors.InvalidActorOptions).field).toBe("mailbox.capacity")
    expect((out.overflow as Errors.InvalidActorOptions).field).toBe("mailbox.overflow")
    expect((out.shutdown as Errors.InvalidActorOptions).field).toBe("shutdown")
    expect(out.live).toBe(0)
  })
})

describe("G2 spawn returns an ActorRef with a unique id and an optional label", () => {
  it("G2 ids are unique and never reused; labels are kept and shown", async () => {
    const out = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Counter, { label: "a" })
      const b = yield* Actor.spawn(Counter)
      yield* ActorRef.stop(a)
      const c = yield* Actor.spawn(Counter, { label: "a" })
      return { a, b, c }
    }))
    const ids = [out.a.id, out.b.id, out.c.id]
    expect(new Set(ids).size).toBe(3)
    expect(out.a.label).toBe("a")
    expect(out.b.label).toBeUndefined()
    expect(out.c.label).toBe("a")
    expect(String(out.a)).toContain("a")
    expect(String(out.a)).toContain(`${out.a.id}`)
    expect(ActorRef.isActorRef(out.a)).toBe(true)
    expect(ActorRef.isActorRef({ id: 1, label: undefined })).toBe(false)
  })

  it("G2 the ref is a handle of its own: only the id and label show, and handlers see the same ref", async () => {
    const Self = Actor.make<Actor.Request<{ readonly _tag: "Self" }, ActorRef.ActorRef<never>>>()({
      init: () => Effect.succeed(undefined),
      receive: { Self: (s, _m, ctx) => Actor.reply(ctx.self as ActorRef.ActorRef<never>, s) }
    })
    const out = await run(Effect.gen(function*() {
      const ref = yield* Actor.spawn(Self, { label: "me" })
      return { ref, seen: yield* ActorRef.ask(ref, { _tag: "Self" }) }
    }))
    // the runtime's cell (mailbox, state, handlers) is not reachable from the ref
    expect(Object.keys(out.ref)).toEqual(["id", "label"])
    expect(JSON.parse(JSON.stringify(out.ref))).toEqual({ _id: "ActorRef", id: out.ref.id, label: "me" })
    expect(String(out.ref)).toBe(`ActorRef(me#${out.ref.id})`)
    expect(inspect(out.ref)).toBe(`ActorRef(me#${out.ref.id})`)
    // one ref per actor: what the handler sees as `ctx.self` is the ref `spawn` returned
    expect(out.seen).toBe(out.ref)
    expect(ActorRef.isActorRef(out.seen)).toBe(true)
  })

  it("G2 the ref is typed by the protocol (compile-time)", async () => {
    await run(Effect.gen(function*() {
      const c = yield* Actor.spawn(Counter)
      expectTypeOf(c).toEqualTypeOf<ActorRef.ActorRef<CounterMsg>>()
      // @ts-expect-error not a message of the protocol
      yield* ActorRef.tell(c, { _tag: "Decrement" })
      yield* ActorRef.tell(c, { _tag: "Increment", by: 1 })
    }))
  })
})

describe("G3 closing a scope stops the actors it owns, newest first", () => {
  it("G3 closing the scope stops its actors in reverse spawn order, each with Shutdown", async () => {
    const order: Array<string> = []
    const reasons: Array<string> = []
    const Named = Actor.make<{ readonly _tag: "Ping" }>()({
      init: () => Effect.succeed(undefined),
      receive: { Ping: (s) => s },
      onStop: (_s, reason) => Effect.sync(() => reasons.push(reason._tag))
    })
    const out = await run(Effect.gen(function*() {
      const scope = yield* Scope.make()
      const refs: Array<ActorRef.ActorRef<{ readonly _tag: "Ping" }>> = []
      for (const label of ["first", "second", "third"]) {
        const ref = yield* Actor.spawn(Named, { label }).pipe(Scope.provide(scope))
        ActorRef.onExit(ref, () => order.push(label))
        refs.push(ref)
      }
      const before = refs.map(ActorRef.isAliveUnsafe)
      yield* Scope.close(scope, Exit.void)
      return { before, after: refs.map(ActorRef.isAliveUnsafe) }
    }))
    expect(out.before).toEqual([true, true, true])
    expect(out.after).toEqual([false, false, false])
    expect(order).toEqual(["third", "second", "first"])
    expect(reasons).toEqual(["Shutdown", "Shutdown", "Shutdown"])
  })

  it("G3 the next actor is stopped only after the newer one has ended", async () => {
    const events: Array<string> = []
    const Slow = Actor.make<{ readonly _tag: "Ping" }>()({
      init: () => Effect.succeed(undefined),
      receive: { Ping: (s) => s },
      onStop: () => Effect.sleep("1 second")
    })
    const out = await run(Effect.gen(function*() {
      const scope = yield* Scope.make()
      const older = yield* Actor.spawn(Slow).pipe(Scope.provide(scope))
      const newer = yield* Actor.spawn(Slow).pipe(Scope.provide(scope))
      ActorRef.onExit(older, () => events.push("older"))
      ActorRef.onExit(newer, () => events.push("newer"))
      const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
      yield* untilIdle
      const olderAliveWhileNewerStops = ActorRef.isAliveUnsafe(older) && ActorRef.isAliveUnsafe(newer)
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      const afterFirst = [...events]
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(closing)
      return { olderAliveWhileNewerStops, afterFirst }
    }))
    expect(out.olderAliveWhileNewerStops).toBe(true)
    expect(out.afterFirst).toEqual(["newer"])
    expect(events).toEqual(["newer", "older"])
  })

  it("G3 an actor that does not stop within its shutdown time is killed when its scope closes", async () => {
    const Stubborn = Actor.make<{ readonly _tag: "Ping" }>()({
      init: () => Effect.succeed(undefined),
      receive: { Ping: (s) => s },
      onStop: () => Effect.never
    })
    const out = await run(Effect.gen(function*() {
      const scope = yield* Scope.make()
      const a = yield* Actor.spawn(Stubborn, { shutdown: "2 seconds" }).pipe(Scope.provide(scope))
      const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
      yield* TestClock.adjust("1999 millis")
      const early = yield* isDone(closing)
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(closing)
      return { early, reason: ActorRef.exitReasonUnsafe(a) }
    }))
    expect(out.early).toBe(false)
    expect(out.reason).toEqual(ExitReason.killed)
  })
})

describe("G4 one handler at a time, messages from one sender in send order", () => {
  it("G4 handlers never overlap, even when they suspend", async () => {
    let active = 0
    let maxActive = 0
    type Msg = { readonly _tag: "Work" } | Actor.Request<{ readonly _tag: "Count" }, number>
    const Worker = Actor.make<Msg>()({
      init: () => Effect.succeed(0),
      receive: {
        Work: (n) =>
          Effect.gen(function*() {
            active++
            maxActive = Math.max(maxActive, active)
            yield* Effect.yieldNow
            yield* Effect.sleep("1 millis")
            active--
            return n + 1
          }),
        Count: (n) => Actor.reply(n, n)
      }
    })
    const count = await run(Effect.gen(function*() {
      const w = yield* Actor.spawn(Worker)
      yield* Effect.forEach([1, 2, 3], () => ActorRef.tell(w, { _tag: "Work" }), { concurrency: "unbounded" })
      const asking = yield* Effect.forkChild(ActorRef.ask(w, { _tag: "Count" }))
      for (let i = 0; i < 3; i++) {
        yield* untilIdle
        yield* TestClock.adjust("1 millis")
      }
      return yield* Fiber.join(asking)
    }))
    expect(count).toBe(3)
    expect(maxActive).toBe(1)
  })

  it("G4 messages from each sender arrive in send order, across plain and effect handlers", async () => {
    type Msg =
      | { readonly _tag: "Plain"; readonly from: number; readonly seq: number }
      | { readonly _tag: "Suspending"; readonly from: number; readonly seq: number }
      | Actor.Request<{ readonly _tag: "Log" }, ReadonlyArray<readonly [number, number]>>
    const log: Array<readonly [number, number]> = []
    const Recorder = Actor.make<Msg>()({
      init: () => Effect.succeed(log),
      receive: {
        Plain: (l, m) => {
          l.push([m.from, m.seq])
          return l
        },
        Suspending: (l, m) =>
          Effect.gen(function*() {
            yield* Effect.yieldNow
            l.push([m.from, m.seq])
            return l
          }),
        Log: (l) => Actor.reply(l, l)
      }
    })
    const senders = 4
    const perSender = 500
    const entries = await run(Effect.gen(function*() {
      const r = yield* Actor.spawn(Recorder)
      yield* Effect.forEach(
        Array.from({ length: senders }, (_, i) => i),
        (from) =>
          Effect.gen(function*() {
            for (let seq = 0; seq < perSender; seq++) {
              yield* ActorRef.tell(r, { _tag: seq % 7 === 0 ? "Suspending" : "Plain", from, seq })
              if (seq % 50 === 0) yield* Effect.yieldNow
            }
          }),
        { concurrency: "unbounded" }
      )
      return yield* ActorRef.ask(r, { _tag: "Log" })
    }))
    expect(entries.length).toBe(senders * perSender)
    for (let from = 0; from < senders; from++) {
      const seqs = entries.filter(([f]) => f === from).map(([, s]) => s)
      expect(seqs).toEqual(Array.from({ length: perSender }, (_, i) => i))
    }
  })
})

describe("G20 a failing handler ends its actor, never the host process", () => {
  type Msg =
    | { readonly _tag: "Throw"; readonly value: unknown }
    | { readonly _tag: "Fail"; readonly error: string }
    | { readonly _tag: "Die"; readonly defect: unknown }
    | { readonly _tag: "FailLater"; readonly error: string }
    | { readonly _tag: "ThrowLater"; readonly value: unknown }
  const stopped: Array<ExitReason.ExitReason> = []
  const Fragile = Actor.make<Msg>()({
    init: () => Effect.succeed(0),
    receive: {
      Throw: (_s, m) => {
        throw m.value
      },
      Fail: (_s, m) => Effect.fail(m.error),
      Die: (_s, m) => Effect.die(m.defect),
      FailLater: (_s, m) => Effect.andThen(Effect.yieldNow, Effect.fail(m.error)),
      ThrowLater: (s, m) =>
        Effect.andThen(
          Effect.yieldNow,
          Effect.sync(() => {
            if (s === 0) throw m.value
            return s
          })
        )
    },
    onStop: (_s, reason) => Effect.sync(() => stopped.push(reason))
  })

  const endWith = (msg: Msg) =>
    run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Fragile)
      yield* ActorRef.tell(a, msg)
      return yield* ActorRef.monitor(a)
    }))

  const withHostWatch = async <A>(f: () => Promise<A>): Promise<A> => {
    const crashes: Array<unknown> = []
    const onCrash = (e: unknown) => crashes.push(e)
    process.on("uncaughtException", onCrash)
    process.on("unhandledRejection", onCrash)
    try {
      const a = await f()
      await new Promise<void>((resolve) => setImmediate(resolve))
      expect(crashes).toEqual([])
      return a
    } finally {
      process.off("uncaughtException", onCrash)
      process.off("unhandledRejection", onCrash)
    }
  }

  it("G20 a thrown Error ends the actor with Failure carrying it; the stop hook runs", async () => {
    stopped.length = 0
    const error = new RangeError("out of range")
    const reason = await withHostWatch(() => endWith({ _tag: "Throw", value: error }))
    expect(reason._tag).toBe("Failure")
    expect(reason._tag === "Failure" && reason.error).toBe(error)
    expect(stopped.map((r) => r._tag)).toEqual(["Failure"])
  })

  it.each([
    ["a string", "boom"],
    ["undefined", undefined],
    ["null", null],
    ["a number", 42],
    ["a plain object", { code: 7 }]
  ])("G20 a thrown non-Error value (%s) ends the actor with Failure", async (_name, value) => {
    const reason = await withHostWatch(() => endWith({ _tag: "Throw", value }))
    expect(reason._tag).toBe("Failure")
    if (reason._tag === "Failure") {
      expect(reason.error).toEqual(value)
      expect(reason.cause.reasons.some((r) => r._tag === "Die")).toBe(true)
    }
  })

  it("G20 a typed failure and a defect end the actor with Failure, before and after a suspension", async () => {
    const fail = await withHostWatch(() => endWith({ _tag: "Fail", error: "bad input" }))
    const failLater = await withHostWatch(() => endWith({ _tag: "FailLater", error: "bad later" }))
    const die = await withHostWatch(() => endWith({ _tag: "Die", defect: "corrupt" }))
    const throwLater = await withHostWatch(() => endWith({ _tag: "ThrowLater", value: "late throw" }))
    expect(fail._tag === "Failure" && fail.error).toBe("bad input")
    expect(failLater._tag === "Failure" && failLater.error).toBe("bad later")
    expect(die._tag === "Failure" && die.error).toBe("corrupt")
    expect(throwLater._tag === "Failure" && throwLater.error).toBe("late throw")
    expect(ExitReason.format(fail)).toBe("failure(bad input)")
  })

  it("G20 a message with no handler ends the actor with Failure, not the host", async () => {
    const reason = await withHostWatch(() =>
      endWith({ _tag: "Nope" } as unknown as Msg)
    )
    expect(reason._tag).toBe("Failure")
    expect(reason._tag === "Failure" && reason.error).toBeInstanceOf(TypeError)
  })

  it("G20 a failing stop hook or signal handler, or a throwing observer, cannot break the actor's end", async () => {
    const BadHooks = Actor.make<{ readonly _tag: "Ping" }>()({
      init: () => Effect.succeed(0),
      receive: { Ping: (s) => s },
      onSignal: () => {
        throw new Error("signal handler broke")
      },
      onStop: () => Effect.die("hook broke")
    })
    const out = await withHostWatch(() =>
      run(Effect.gen(function*() {
        const a = yield* Actor.spawn(BadHooks)
        ActorRef.onExit(a, () => {
          throw new Error("observer broke")
        })
        const stopped = yield* ActorRef.stop(a, ExitReason.shutdown("planned"))
        const b = yield* Actor.spawn(BadHooks)
        const target = yield* Actor.spawn(Counter)
        yield* ActorRef.watch(b, target)
        yield* ActorRef.stop(target)
        const signalled = yield* ActorRef.monitor(b)
        return { stopped, signalled }
      }))
    )
    // the stop hook's failure does not change the reason
    expect(out.stopped).toEqual({ _tag: "Shutdown", payload: "planned" })
    // the signal handler's throw is the watcher's failure
    expect(out.signalled._tag).toBe("Failure")
  })

  it("G20 an init that throws fails the spawn with a defect, not the host", async () => {
    const Throwing = Actor.make<{ readonly _tag: "Ping" }>()({
      init: (): Effect.Effect<number> => {
        throw new Error("init threw")
      },
      receive: { Ping: (s: number) => s }
    })
    const exit = await withHostWatch(() =>
      run(Effect.exit(Actor.spawn(Throwing)))
    )
    expect(Exit.isFailure(exit)).toBe(true)
  })
})

describe("G22 the run loop", () => {
  it("G22 plain handlers and completed effects run without a fiber; a suspending handler's effect gets one, which ends with it", async () => {
    type Msg =
      | { readonly _tag: "Plain" }
      | { readonly _tag: "Completed" }
      | { readonly _tag: "Suspending" }
      | { readonly _tag: "Gen" }
      | Actor.Request<{ readonly _tag: "Seen" }, ReadonlyArray<string>>
    const seen: Array<string> = []
    const Probe = Actor.make<Msg>()({
      init: () => Effect.succeed(seen),
      receive: {
        Plain: (s) => {
          s.push(`plain:${Fiber.getCurrent() === undefined ? "no-fiber" : "fiber"}`)
          return s
        },
        Completed: (s) => {
          s.push(`completed:${Fiber.getCurrent() === undefined ? "no-fiber" : "fiber"}`)
          return Effect.succeed(s)
        },
        Suspending: (s) =>
          Effect.andThen(
            Effect.yieldNow,
            Effect.sync(() => {
              s.push(`suspending:${Fiber.getCurrent() === undefined ? "no-fiber" : "fiber"}`)
              return s
            })
          ),
        Gen: (s) =>
          Effect.gen(function*() {
            yield* Effect.sync(() => s.push(`gen:${Fiber.getCurrent() === undefined ? "no-fiber" : "fiber"}`))
            return s
          }),
        Seen: (s) => Actor.reply([...s], s)
      }
    })
    const out = await run(Effect.gen(function*() {
      const p = yield* Actor.spawn(Probe)
      // an effect that does not suspend runs in a fiber that has ended when it returns: the
      // plain handler behind it in the burst runs without one
      yield* ActorRef.tell(p, { _tag: "Gen" })
      yield* ActorRef.tell(p, { _tag: "Plain" })
      yield* untilIdle
      // one burst: had the completed effect started a fiber, the plain handler after it would
      // run inside that fiber
      yield* ActorRef.tell(p, { _tag: "Plain" })
      yield* ActorRef.tell(p, { _tag: "Completed" })
      yield* ActorRef.tell(p, { _tag: "Plain" })
      yield* untilIdle
      // a suspending handler runs in a fiber, which ends with its effect: the plain handler
      // behind it in the burst runs without one
      yield* ActorRef.tell(p, { _tag: "Suspending" })
      yield* ActorRef.tell(p, { _tag: "Plain" })
      yield* untilIdle
      yield* ActorRef.tell(p, { _tag: "Plain" })
      return yield* ActorRef.ask(p, { _tag: "Seen" })
    }))
    expect(out).toEqual([
      "gen:fiber",
      "plain:no-fiber",
      "plain:no-fiber",
      "completed:no-fiber",
      "plain:no-fiber",
      "suspending:fiber",
      "plain:no-fiber",
      "plain:no-fiber"
    ])
  })

  it("G22 a handler effect's fiber ends with it: Effect.forkChild work is interrupted then, Effect.forkScoped work lives as long as the actor", async () => {
    type Msg = { readonly _tag: "Child" } | { readonly _tag: "Scoped" } | { readonly _tag: "Quit" }
    const fibers: Record<string, Fiber.Fiber<never>> = {}
    const Forker = Actor.make<Msg>()({
      init: () => Effect.succeed(0),
      receive: {
        Child: (s) =>
          Effect.gen(function*() {
            fibers.child = yield* Effect.forkChild(Effect.never)
            return s
          }),
        Scoped: (s) =>
          Effect.gen(function*() {
            fibers.scoped = yield* Effect.forkScoped(Effect.never)
            return s
          }),
        Quit: () => Actor.stop()
      }
    })
    const out = await run(Effect.gen(function*() {
      const f = yield* Actor.spawn(Forker)
      yield* ActorRef.tell(f, { _tag: "Child" })
      yield* ActorRef.tell(f, { _tag: "Scoped" })
      yield* untilIdle
      const whileAlive = { child: fibers.child!.pollUnsafe(), scoped: fibers.scoped!.pollUnsafe() }
      yield* ActorRef.tell(f, { _tag: "Quit" })
      yield* ActorRef.monitor(f)
      return { whileAlive, scopedAfter: fibers.scoped!.pollUnsafe() }
    }))
    expect(out.whileAlive.child !== undefined && Exit.hasInterrupts(out.whileAlive.child)).toBe(true)
    expect(out.whileAlive.scoped).toBeUndefined()
    expect(out.scopedAfter !== undefined && Exit.hasInterrupts(out.scopedAfter)).toBe(true)
  })

  it("G22 a busy actor yields to other actors after a budget of 512 messages", async () => {
    let handledByBusy = 0
    let busySeenByOther = -1
    const Busy = Actor.make<{ readonly _tag: "Tick" }>()({
      init: () => Effect.succeed(0),
      receive: { Tick: (n) => (handledByBusy++, n + 1) }
    })
    const Other = Actor.make<{ readonly _tag: "Look" }>()({
      init: () => Effect.succeed(0),
      receive: { Look: (n) => ((busySeenByOther = handledByBusy), n) }
    })
    const total = 50_000
    await run(Effect.gen(function*() {
      const busy = yield* Actor.spawn(Busy)
      const other = yield* Actor.spawn(Other)
      for (let i = 0; i < total; i++) ActorRef.tellUnsafe(busy, { _tag: "Tick" })
      ActorRef.tellUnsafe(other, { _tag: "Look" })
      yield* untilIdle
    }))
    // the dispatcher ran at most one budget (512 messages) of the busy actor before the other
    expect(busySeenByOther).toBeGreaterThan(0)
    expect(busySeenByOther).toBeLessThanOrEqual(512)
  })

  it("G22 a handler that stops its own actor does not wait for itself", async () => {
    type Msg = { readonly _tag: "Quit" } | { readonly _tag: "QuitLater" }
    const SelfStopper = Actor.make<Msg>()({
      init: () => Effect.succeed(0),
      receive: {
        // the first synchronous segment of a handler effect already runs as the actor itself
        Quit: (s, _m, ctx) => Effect.as(ActorRef.stop(ctx.self, ExitReason.shutdown("self")), s),
        QuitLater: (s, _m, ctx) =>
          Effect.gen(function*() {
            yield* Effect.yieldNow
            yield* ActorRef.stop(ctx.self, ExitReason.shutdown("self later"))
            return s
          })
      }
    })
    const out = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(SelfStopper)
      const b = yield* Actor.spawn(SelfStopper)
      yield* ActorRef.tell(a, { _tag: "Quit" })
      yield* ActorRef.tell(b, { _tag: "QuitLater" })
      const ra = yield* Effect.forkChild(ActorRef.monitor(a))
      const rb = yield* Effect.forkChild(ActorRef.monitor(b))
      yield* untilIdle
      return { a: ra.pollUnsafe(), b: rb.pollUnsafe() }
    }))
    expect(out.a).toEqual(Exit.succeed(ExitReason.shutdown("self")))
    expect(out.b).toEqual(Exit.succeed(ExitReason.shutdown("self later")))
  })
})
