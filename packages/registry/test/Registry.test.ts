import { Actor, ActorRef, ActorSystem, ExitReason } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { TestSystem } from "@arbor/testkit"
import { Deferred, Effect, Exit, Fiber, Layer, Option, Stream } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, expectTypeOf, it } from "vitest"

// -----------------------------------------------------------------------------------------
// fixtures
// -----------------------------------------------------------------------------------------

type CounterMsg =
  | { readonly _tag: "Increment"; readonly by: number }
  | Actor.Request<{ readonly _tag: "Get" }, number>
  | { readonly _tag: "Crash" }
  | { readonly _tag: "Stop" }

const Counter = Actor.make<CounterMsg>()({
  init: () => Effect.succeed(0),
  receive: {
    Increment: (n, m) => n + m.by,
    Get: (n) => Actor.reply(n, n),
    Crash: () => Effect.fail("boom" as const),
    Stop: () => Actor.stop()
  }
})

type EchoMsg = Actor.Request<{ readonly _tag: "Echo"; readonly text: string }, string>

const Echo = Actor.make<EchoMsg>()({
  init: () => Effect.succeed(undefined),
  receive: { Echo: (s, m) => Actor.reply(m.text, s) }
})

const CounterKey = Registry.key<CounterMsg>()("counter")
const EchoKey = Registry.key<EchoMsg>()("echo")

/** The shared harness's test world (actor system, TestClock) and a registry. */
const world = Layer.merge(TestSystem.layer(), Registry.layer)

const run = <A, E>(eff: Effect.Effect<A, E, any>): Promise<A> =>
  Effect.runPromise(eff.pipe(Effect.scoped, Effect.provide(world)) as Effect.Effect<A, E>)

const crash = <Msg extends CounterMsg>(ref: ActorRef.ActorRef<Msg>) =>
  ActorRef.tell(ref as ActorRef.ActorRef<CounterMsg>, { _tag: "Crash" }).pipe(Effect.andThen(ActorRef.monitor(ref)))

/** A snapshot of the registry's counters (read now: a closed registry is empty). */
const registry = Registry.Registry.use((r) => r.stats)

// -----------------------------------------------------------------------------------------
// 1. a service from a layer
// -----------------------------------------------------------------------------------------

describe("Registry.layer", () => {
  it("builds a fresh registry each time: two registries never share names", async () => {
    const result = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Counter)
      const b = yield* Actor.spawn(Counter)
      const inFirst = yield* Registry.register(CounterKey, a).pipe(
        Effect.andThen(Registry.lookup(CounterKey)),
        Effect.provide(Layer.fresh(Registry.layer))
      )
      const inSecond = yield* Registry.register(CounterKey, b).pipe(
        Effect.andThen(Registry.lookup(CounterKey)),
        Effect.provide(Layer.fresh(Registry.layer))
      )
      const inOuter = yield* Registry.lookup(CounterKey)
      return { inFirst, inSecond, inOuter, a, b }
    }))
    expect(result.inFirst).toEqual(Option.some(result.a))
    expect(result.inSecond).toEqual(Option.some(result.b))
    expect(Option.isNone(result.inOuter)).toBe(true)
  })

  it("closing a registry leaves its actors running and their names free elsewhere", async () => {
    const r = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Counter)
      const inner = yield* Registry.register(CounterKey, a).pipe(Effect.andThen(registry), Effect.provide(Layer.fresh(Registry.layer)))
      const alive = yield* ActorRef.isAlive(a)
      yield* Registry.register(CounterKey, a)
      yield* crash(a)
      return { inner, alive, outer: yield* registry }
    }))
    expect(r.inner).toEqual({ names: 1, groups: 0, watched: 1 })
    expect(r.alive).toBe(true)
    expect(r.outer).toEqual({ names: 0, groups: 0, watched: 0 })
  })
})

// -----------------------------------------------------------------------------------------
// 2. typed keys
// -----------------------------------------------------------------------------------------

describe("typed keys", () => {
  it("lookup returns an ActorRef of the key's protocol, with no cast", async () => {
    const n = await run(Effect.gen(function*() {
      const c = yield* Actor.spawn(Counter)
      yield* Registry.register(CounterKey, c)
      const found = yield* Registry.lookup(CounterKey)
      expectTypeOf(found).toEqualTypeOf<Option.Option<ActorRef.ActorRef<CounterMsg>>>()
      const ref = Option.getOrThrow(found)
      yield* ActorRef.tell(ref, { _tag: "Increment", by: 3 })
      const got = yield* ActorRef.ask(ref, { _tag: "Get" })
      expectTypeOf(got).toEqualTypeOf<number>()
      return got
    }))
    expect(n).toBe(3)
  })

  it("rejects a ref or a message of another protocol at compile time", () => {
    const typeOnly = (echo: ActorRef.ActorRef<EchoMsg>, listeners: Registry.GroupKey<EchoMsg>) => {
      // @ts-expect-error an Echo actor cannot be registered under a Counter key
      void Registry.register(CounterKey, echo)
      // @ts-expect-error a Counter message cannot be broadcast to an Echo group
      void Registry.broadcast(listeners, { _tag: "Increment", by: 1 })
      // @ts-expect-error metadata is required when the key's metadata type does not admit undefined
      void Registry.register(Registry.key<EchoMsg, { readonly zone: string }>()("z"), echo)
      // @ts-expect-error metadata of the wrong type
      void Registry.register(Registry.key<EchoMsg, { readonly zone: string }>()("z"), echo, { zone: 1 })
    }
    expect(typeof typeOnly).toBe("function")
  })

  it("keys need a non-empty name and compare by name", () => {
    expect(() => Registry.key<CounterMsg>()("")).toThrow(TypeError)
    expect(() => Registry.group<CounterMsg>()("")).toThrow(TypeError)
    expect(Registry.key<CounterMsg>()("counter").name).toBe(CounterKey.name)
    expect(String(CounterKey)).toBe("Registry.Key(counter)")
  })
})

// -----------------------------------------------------------------------------------------
// 3. unique names
// -----------------------------------------------------------------------------------------

describe("unique names", () => {
  it("register, lookup, unregister; an absent name is Option.none", async () => {
    const r = await run(Effect.gen(function*() {
      const c = yield* Actor.spawn(Counter)
      const before = yield* Registry.lookup(CounterKey)
      yield* Registry.register(CounterKey, c)
      const during = yield* Registry.lookup(CounterKey)
      const released = yield* Registry.unregister(CounterKey)
      const after = yield* Registry.lookup(CounterKey)
      const again = yield* Registry.unregister(CounterKey)
      return { c, before, during, released, after, again }
    }))
    expect(Option.isNone(r.before)).toBe(true)
    expect(r.during).toEqual(Option.some(r.c))
    expect(r.released).toBe(true)
    expect(Option.isNone(r.after)).toBe(true)
    expect(r.again).toBe(false)
  })

  it("registering a taken name fails with AlreadyRegistered naming the holder", async () => {
    const r = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Counter, { label: "first" })
      const b = yield* Actor.spawn(Counter)
      yield* Registry.register(CounterKey, a)
      const other = yield* Effect.flip(Registry.register(CounterKey, b))
      const same = yield* Effect.flip(Registry.register(CounterKey, a))
      const holder = yield* Registry.lookup(CounterKey)
      return { a, other, same, holder }
    }))
    expect(r.other).toBeInstanceOf(Registry.AlreadyRegistered)
    expect(r.other._tag).toBe("AlreadyRegistered")
    if (r.other._tag !== "AlreadyRegistered") return
    expect(r.other.holder).toBe(r.a)
    expect(r.other.name).toBe("counter")
    expect(r.other.message).toContain(`"counter"`)
    expect(r.other.message).toContain("first")
    expect(r.same._tag).toBe("AlreadyRegistered")
    expect(r.holder).toEqual(Option.some(r.a))
  })

  it("one actor may hold several names", async () => {
    const r = await run(Effect.gen(function*() {
      const c = yield* Actor.spawn(Counter)
      const other = Registry.key<CounterMsg>()("counter-alias")
      yield* Registry.register(CounterKey, c)
      yield* Registry.register(other, c)
      const both = [yield* Registry.lookup(CounterKey), yield* Registry.lookup(other)]
      yield* crash(c)
      const after = [yield* Registry.lookup(CounterKey), yield* Registry.lookup(other)]
      return { c, both, after, reg: yield* registry }
    }))
    expect(r.both).toEqual([Option.some(r.c), Option.some(r.c)])
    expect(r.after.every(Option.isNone)).toBe(true)
    expect(r.reg.names).toBe(0)
    expect(r.reg.watched).toBe(0)
  })

  it("registering an actor that already ended fails with ActorNotAlive", async () => {
    const err = await run(Effect.gen(function*() {
      const c = yield* Actor.spawn(Counter)
      yield* ActorRef.stop(c)
      return yield* Effect.flip(Registry.register(CounterKey, c))
    }))
    expect(err._tag).toBe("ActorNotAlive")
  })

  it("unregister with a ref releases the name only if that ref still holds it", async () => {
    const r = await run(Effect.gen(function*() {
      const old = yield* Actor.spawn(Counter)
      const next = yield* Actor.spawn(Counter)
      yield* Registry.register(CounterKey, next)
      const byOld = yield* Registry.unregister(CounterKey, old)
      const still = yield* Registry.lookup(CounterKey)
      const byNext = yield* Registry.unregister(CounterKey, next)
      return { next, byOld, still, byNext }
    }))
    expect(r.byOld).toBe(false)
    expect(r.still).toEqual(Option.some(r.next))
    expect(r.byNext).toBe(true)
  })

  it("a name is released when its actor exits: for every exit reason", async () => {
    const reasons = await run(Effect.gen(function*() {
      const out: Array<string> = []
      const ends: Array<(ref: ActorRef.ActorRef<CounterMsg>) => Effect.Effect<unknown>> = [
        crash,
        (ref) => ActorRef.tell(ref, { _tag: "Stop" }).pipe(Effect.andThen(ActorRef.monitor(ref))),
        (ref) => ActorRef.stop(ref),
        (ref) => ActorRef.kill(ref)
      ]
      for (const end of ends) {
        const c = yield* Actor.spawn(Counter)
        yield* Registry.register(CounterKey, c)
        yield* end(c)
        // the exit is observable: the name must be free at once, and can be taken again
        if (Option.isSome(yield* Registry.lookup(CounterKey))) out.push("still registered")
        const next = yield* Actor.spawn(Counter)
        yield* Registry.register(CounterKey, next)
        yield* Registry.unregister(CounterKey)
        out.push(ExitReason.format(ActorRef.exitReasonUnsafe(c)!))
      }
      return out
    }))
    expect(reasons).toEqual(["failure(boom)", "normal", "shutdown", "killed"])
  })

  it("no lookup returns a dead ref, even from an exit hook that runs before the registry's", async () => {
    const r = await run(Effect.gen(function*() {
      const context = yield* Effect.context<Registry.Registry>()
      const c = yield* Actor.spawn(Counter)
      const successor = yield* Actor.spawn(Counter)
      const seen: Array<unknown> = []
      // registered before the registry's hook, so it runs first inside the death
      ActorRef.onExit(c, () => {
        seen.push(Effect.runSync(Effect.provideContext(Registry.lookup(CounterKey), context)))
        // and the name can be taken over at that very moment
        seen.push(Effect.runSync(Effect.provideContext(Effect.exit(Registry.register(CounterKey, successor)), context)))
      })
      yield* Registry.register(CounterKey, c)
      yield* crash(c)
      return { seen, successor, after: yield* Registry.lookup(CounterKey), reg: yield* registry }
    }))
    expect(Option.isNone(r.seen[0] as Option.Option<unknown>)).toBe(true)
    expect(Exit.isSuccess(r.seen[1] as Exit.Exit<unknown, unknown>)).toBe(true)
    // the registry's own hook, running afterwards, must not release the successor's name
    expect(r.after).toEqual(Option.some(r.successor))
    expect(r.reg.names).toBe(1)
    expect(r.reg.watched).toBe(1)
  })

  it("a monitor that fires sees the name already free", async () => {
    const r = await run(Effect.gen(function*() {
      const c = yield* Actor.spawn(Counter)
      yield* Registry.register(CounterKey, c)
      const watcher = yield* ActorRef.monitor(c).pipe(Effect.andThen(Registry.lookup(CounterKey)), Effect.forkChild)
      yield* Effect.yieldNow
      yield* ActorRef.tell(c, { _tag: "Crash" })
      return yield* Fiber.join(watcher)
    }))
    expect(Option.isNone(r)).toBe(true)
  })
})

// -----------------------------------------------------------------------------------------
// 4. naming at spawn, await
// -----------------------------------------------------------------------------------------

describe("Registry.spawn", () => {
  it("spawns and registers in one step, labelled with the name by default", async () => {
    const r = await run(Effect.gen(function*() {
      const c = yield* Registry.spawn(CounterKey, Counter)
      const e = yield* Registry.spawn(EchoKey, Echo, { label: "custom" })
      return { c, e, found: yield* Registry.lookup(CounterKey), text: yield* ActorRef.ask(e, { _tag: "Echo", text: "hi" }) }
    }))
    expect(r.found).toEqual(Option.some(r.c))
    expect(r.c.label).toBe("counter")
    expect(r.e.label).toBe("custom")
    expect(r.text).toBe("hi")
  })

  it("fails with AlreadyRegistered before starting anything when the name is taken", async () => {
    const r = await run(Effect.gen(function*() {
      const system = yield* ActorSystem.ActorSystem
      let inits = 0
      const Counted = Actor.make<CounterMsg>()({
        init: () => Effect.sync(() => ++inits),
        receive: {
          Increment: (n, m) => n + m.by,
          Get: (n) => Actor.reply(n, n),
          Crash: () => Effect.fail("boom" as const),
          Stop: () => Actor.stop()
        }
      })
      const first = yield* Registry.spawn(CounterKey, Counted)
      const err = yield* Effect.flip(Registry.spawn(CounterKey, Counted))
      return { first, err, inits, live: (yield* system.liveActors) }
    }))
    expect(r.err._tag).toBe("AlreadyRegistered")
    if (r.err._tag === "AlreadyRegistered") expect(r.err.holder).toBe(r.first)
    expect(r.inits).toBe(1)
    expect(r.live).toBe(1)
  })

  it("a name taken while init runs wins: the new actor is stopped and the spawn fails", async () => {
    const r = await run(Effect.gen(function*() {
      const system = yield* ActorSystem.ActorSystem
      const gate = yield* Deferred.make<void>()
      const entered = yield* Deferred.make<void>()
      const stopped: Array<string> = []
      const Slow = Actor.make<CounterMsg>()({
        init: () => Deferred.succeed(entered, undefined).pipe(Effect.andThen(Deferred.await(gate)), Effect.as(0)),
        receive: {
          Increment: (n, m) => n + m.by,
          Get: (n) => Actor.reply(n, n),
          Crash: () => Effect.fail("boom" as const),
          Stop: () => Actor.stop()
        },
        onStop: (_, reason) => Effect.sync(() => stopped.push(ExitReason.format(reason)))
      })
      const spawning = yield* Effect.forkChild(Effect.flip(Registry.spawn(CounterKey, Slow)))
      yield* Deferred.await(entered)
      const winner = yield* Actor.spawn(Counter)
      yield* Registry.register(CounterKey, winner)
      yield* Deferred.succeed(gate, undefined)
      const err = yield* Fiber.join(spawning)
      return { err, winner, stopped, live: (yield* system.liveActors), holder: yield* Registry.lookup(CounterKey) }
    }))
    expect(r.err._tag).toBe("AlreadyRegistered")
    if (r.err._tag === "AlreadyRegistered") expect(r.err.holder).toBe(r.winner)
    expect(r.stopped).toEqual(["shutdown"])
    expect(r.live).toBe(1)
    expect(r.holder).toEqual(Option.some(r.winner))
  })

  it("passes spawn errors through and registers nothing", async () => {
    const r = await run(Effect.gen(function*() {
      const Failing = Actor.make<CounterMsg>()({
        init: (): Effect.Effect<number, "no db"> => Effect.fail("no db" as const),
        receive: {
          Increment: (n, m) => n + m.by,
          Get: (n) => Actor.reply(n, n),
          Crash: () => Effect.fail("boom" as const),
          Stop: () => Actor.stop()
        }
      })
      const err = yield* Effect.flip(Registry.spawn(CounterKey, Failing))
      const bad = yield* Effect.flip(Registry.spawn(CounterKey, Counter, { mailbox: { capacity: 0 } }))
      return { err, bad, found: yield* Registry.lookup(CounterKey) }
    }))
    expect(r.err).toBe("no db")
    expect(r.bad._tag).toBe("InvalidActorOptions")
    expect(Option.isNone(r.found)).toBe(true)
  })
})

describe("Registry.await", () => {
  it("returns at once when the name is registered", async () => {
    const r = await run(Effect.gen(function*() {
      const c = yield* Registry.spawn(CounterKey, Counter)
      return { c, got: yield* Registry.await(CounterKey, "1 second") }
    }))
    expect(r.got).toBe(r.c)
  })

  it("waits for the name to be (re)registered", async () => {
    const r = await run(Effect.gen(function*() {
      const first = yield* Registry.spawn(CounterKey, Counter)
      yield* crash(first)
      const waiting = yield* Effect.forkChild(Registry.await(CounterKey, "infinity"))
      yield* Effect.yieldNow
      const second = yield* Registry.spawn(CounterKey, Counter)
      const got = yield* Fiber.join(waiting)
      expectTypeOf(got).toEqualTypeOf<ActorRef.ActorRef<CounterMsg>>()
      return { second, got, reg: yield* registry }
    }))
    expect(r.got).toBe(r.second)
  })

  it("fails with AwaitTimeout when the timeout elapses on the Clock", async () => {
    const r = await run(Effect.gen(function*() {
      const waiting = yield* Effect.forkChild(Effect.flip(Registry.await(CounterKey, "2 seconds")))
      yield* TestClock.adjust("1999 millis")
      const early = waiting.pollUnsafe()
      yield* TestClock.adjust("1 millis")
      return { early, err: yield* Fiber.join(waiting) }
    }))
    expect(r.early).toBeUndefined()
    expect(r.err).toBeInstanceOf(Registry.AwaitTimeout)
    expect(r.err.name).toBe("counter")
    expect(r.err.message).toContain("was not registered within")
  })

  it("skips an incarnation that ended before the waiting fiber resumed", async () => {
    const r = await run(Effect.gen(function*() {
      // the first waiter kills the incarnation it is woken with, before the second one resumes
      const killer = yield* Effect.forkChild(Registry.await(CounterKey, "infinity").pipe(Effect.tap(ActorRef.kill)))
      const waiting = yield* Effect.forkChild(Registry.await(CounterKey, "infinity"))
      yield* Effect.yieldNow
      const doomed = yield* Registry.spawn(CounterKey, Counter)
      const killed = yield* Fiber.join(killer)
      const early = waiting.pollUnsafe()
      const next = yield* Registry.spawn(CounterKey, Counter)
      return { doomed, killed, early, next, got: yield* Fiber.join(waiting) }
    }))
    expect(r.killed).toBe(r.doomed)
    expect(ActorRef.exitReasonUnsafe(r.doomed)?._tag).toBe("Killed")
    expect(r.early).toBeUndefined()
    expect(r.got).toBe(r.next)
  })
})

/** The real clock (a Node timer for the deadline, no racing fiber): the same contract as on the TestClock. */
describe("Registry.await on the live clock", () => {
  const live = Layer.merge(ActorSystem.layer, Registry.layer)
  const runLive = <A, E>(eff: Effect.Effect<A, E, any>): Promise<A> =>
    Effect.runPromise(eff.pipe(Effect.scoped, Effect.provide(live)) as Effect.Effect<A, E>)

  it("waits for the name, then the timeout no longer fires", async () => {
    const r = await runLive(Effect.gen(function*() {
      const waiting = yield* Effect.forkChild(Effect.exit(Registry.await(CounterKey, "50 millis")))
      yield* Effect.yieldNow
      const c = yield* Registry.spawn(CounterKey, Counter)
      const got = yield* Fiber.join(waiting)
      // well past the deadline: a timer left behind would have nothing to fail
      yield* Effect.sleep("80 millis")
      return { c, got }
    }))
    expect(r.got).toEqual(Exit.succeed(r.c))
  })

  it("fails with AwaitTimeout naming the name and the timeout when nothing registers it", async () => {
    const err = await runLive(Effect.flip(Registry.await(CounterKey, "20 millis")))
    expect(err).toBeInstanceOf(Registry.AwaitTimeout)
    expect(err.name).toBe("counter")
    expect(err.message).toBe(`the name "counter" was not registered within 20 millis`)
  })

  it("an interrupted await leaves no waiter behind (a later registration wakes nobody)", async () => {
    const r = await runLive(Effect.gen(function*() {
      const waiting = yield* Effect.forkChild(Registry.await(CounterKey, "1 second"))
      yield* Effect.yieldNow
      yield* Fiber.interrupt(waiting)
      const c = yield* Registry.spawn(CounterKey, Counter)
      return { exit: waiting.pollUnsafe(), c, again: yield* Registry.await(CounterKey, "1 second") }
    }))
    expect(r.exit !== undefined && Exit.hasInterrupts(r.exit)).toBe(true)
    expect(r.again).toBe(r.c)
  })

  it("skips an incarnation that ended before the waiting fiber resumed", async () => {
    const r = await runLive(Effect.gen(function*() {
      const killer = yield* Effect.forkChild(Registry.await(CounterKey, "1 second").pipe(Effect.tap(ActorRef.kill)))
      const waiting = yield* Effect.forkChild(Registry.await(CounterKey, "1 second"))
      yield* Effect.yieldNow
      const doomed = yield* Registry.spawn(CounterKey, Counter)
      const killed = yield* Fiber.join(killer)
      const early = waiting.pollUnsafe()
      const next = yield* Registry.spawn(CounterKey, Counter)
      return { doomed, killed, early, next, got: yield* Fiber.join(waiting) }
    }))
    expect(r.killed).toBe(r.doomed)
    expect(r.early).toBeUndefined()
    expect(r.got).toBe(r.next)
  })
})

// -----------------------------------------------------------------------------------------
// 5. groups
// -----------------------------------------------------------------------------------------

type ListenerMsg =
  | { readonly _tag: "Notify"; readonly text: string }
  | Actor.Request<{ readonly _tag: "Seen" }, ReadonlyArray<string>>
  | { readonly _tag: "Crash" }

const Listener = Actor.make<ListenerMsg>()({
  init: () => Effect.succeed<ReadonlyArray<string>>([]),
  receive: {
    Notify: (seen, m) => [...seen, m.text],
    Seen: (seen) => Actor.reply(seen, seen),
    Crash: () => Effect.fail("boom" as const)
  }
})

const Listeners = Registry.group<ListenerMsg>()("listeners")

describe("groups", () => {
  it("join, members, broadcast, leave", async () => {
    const r = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Listener)
      const b = yield* Actor.spawn(Listener)
      const joinedA = yield* Registry.join(Listeners, a)
      yield* Registry.join(Listeners, b)
      const both = yield* Registry.members(Listeners)
      const reached = yield* Registry.broadcast(Listeners, { _tag: "Notify", text: "one" })
      const leftA = yield* Registry.leave(Listeners, a)
      const leftAgain = yield* Registry.leave(Listeners, a)
      const reached2 = yield* Registry.broadcast(Listeners, { _tag: "Notify", text: "two" })
      return {
        a,
        b,
        joinedA,
        both,
        reached,
        leftA,
        leftAgain,
        reached2,
        seenA: yield* ActorRef.ask(a, { _tag: "Seen" }),
        seenB: yield* ActorRef.ask(b, { _tag: "Seen" }),
        after: yield* Registry.members(Listeners)
      }
    }))
    expect(r.joinedA).toBe(true)
    expect(r.both).toEqual([r.a, r.b])
    expect(r.reached).toBe(2)
    expect(r.leftA).toBe(true)
    expect(r.leftAgain).toBe(false)
    expect(r.reached2).toBe(1)
    expect(r.seenA).toEqual(["one"])
    expect(r.seenB).toEqual(["one", "two"])
    expect(r.after).toEqual([r.b])
  })

  it("joining twice is idempotent: listed once, first metadata kept, one leave removes it", async () => {
    const r = await run(Effect.gen(function*() {
      const Tagged = Registry.group<ListenerMsg, string>()("tagged")
      const a = yield* Actor.spawn(Listener)
      const first = yield* Registry.join(Tagged, a, "first")
      const second = yield* Registry.join(Tagged, a, "second")
      const listed = yield* Registry.memberships(Tagged)
      const reached = yield* Registry.broadcast(Tagged, { _tag: "Notify", text: "x" })
      yield* Registry.leave(Tagged, a)
      return { a, first, second, listed, reached, after: yield* Registry.members(Tagged) }
    }))
    expect(r.first).toBe(true)
    expect(r.second).toBe(false)
    expect(r.listed).toEqual([{ ref: r.a, metadata: "first" }])
    expect(r.reached).toBe(1)
    expect(r.after).toEqual([])
  })

  it("members leave automatically when they exit", async () => {
    const r = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Listener)
      const b = yield* Actor.spawn(Listener)
      yield* Registry.join(Listeners, a)
      yield* Registry.join(Listeners, b)
      yield* ActorRef.tell(a, { _tag: "Crash" })
      yield* ActorRef.monitor(a)
      const members = yield* Registry.members(Listeners)
      const reached = yield* Registry.broadcast(Listeners, { _tag: "Notify", text: "hi" })
      yield* ActorRef.stop(b)
      return { b, members, reached, reg: yield* registry, empty: yield* Registry.members(Listeners) }
    }))
    expect(r.members).toEqual([r.b])
    expect(r.reached).toBe(1)
    expect(r.empty).toEqual([])
    expect(r.reg.groups).toBe(0)
    expect(r.reg.watched).toBe(0)
  })

  it("joining with an actor that already ended fails with ActorNotAlive", async () => {
    const err = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Listener)
      yield* ActorRef.kill(a)
      return yield* Effect.flip(Registry.join(Listeners, a))
    }))
    expect(err._tag).toBe("ActorNotAlive")
  })

  it("broadcast counts only the members whose mailbox accepted the message", async () => {
    const r = await run(Effect.gen(function*() {
      const open = yield* Actor.spawn(Listener)
      const full = yield* Actor.spawn(Listener, { mailbox: { capacity: 1, overflow: "fail" } })
      yield* Registry.join(Listeners, open)
      yield* Registry.join(Listeners, full)
      // fill `full` synchronously, before its drain can run
      ActorRef.tellUnsafe(full, { _tag: "Notify", text: "filler" })
      return yield* Registry.broadcast(Listeners, { _tag: "Notify", text: "hi" })
    }))
    expect(r).toBe(1)
  })

  it("an empty or unknown group has no members and broadcast reaches none", async () => {
    const r = await run(Effect.gen(function*() {
      return [yield* Registry.members(Listeners), yield* Registry.broadcast(Listeners, { _tag: "Notify", text: "x" })]
    }))
    expect(r).toEqual([[], 0])
  })

  it("groups and unique names are separate namespaces", async () => {
    const r = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Listener)
      yield* Registry.join(Registry.group<ListenerMsg>()("same"), a)
      const byName = yield* Registry.lookup(Registry.key<ListenerMsg>()("same"))
      return byName
    }))
    expect(Option.isNone(r)).toBe(true)
  })
})

// -----------------------------------------------------------------------------------------
// 6. metadata
// -----------------------------------------------------------------------------------------

describe("metadata", () => {
  it("is stored per registration and returned by lookups", async () => {
    const Shard = Registry.key<CounterMsg, { readonly range: string }>()("shard")
    const r = await run(Effect.gen(function*() {
      const c = yield* Registry.spawn(Shard, Counter, { metadata: { range: "a-m" } })
      const entry = yield* Registry.lookupEntry(Shard)
      expectTypeOf(entry).toEqualTypeOf<Option.Option<Registry.Registration<CounterMsg, { readonly range: string }>>>()
      const plain = yield* Actor.spawn(Counter)
      yield* Registry.register(CounterKey, plain)
      return { c, entry, plainEntry: yield* Registry.lookupEntry(CounterKey) }
    }))
    expect(r.entry).toEqual(Option.some({ name: "shard", ref: r.c, metadata: { range: "a-m" } }))
    expect(Option.getOrThrow(r.plainEntry).metadata).toBeUndefined()
  })
})

// -----------------------------------------------------------------------------------------
// 7. changes
// -----------------------------------------------------------------------------------------

const summarize = (e: Registry.RegistryEvent): string => {
  const cause = "cause" in e ? (e.cause._tag === "Exited" ? ` exited:${ExitReason.format(e.cause.reason)}` : " explicit") : ""
  const where = "name" in e ? e.name : e.group
  return `${e._tag} ${where}#${e.ref.id}${cause}`
}

describe("Registry.changes", () => {
  it("streams registered, unregistered, joined and left — including removals caused by crashes", async () => {
    const events = await run(Effect.gen(function*() {
      const changes = yield* Registry.changes
      const c = yield* Registry.spawn(CounterKey, Counter, { metadata: undefined })
      const l = yield* Actor.spawn(Listener)
      yield* Registry.join(Listeners, l)
      yield* Registry.leave(Listeners, l)
      yield* Registry.join(Listeners, l)
      yield* Registry.register(Registry.key<ListenerMsg>()("listener"), l)
      yield* Registry.unregister(CounterKey)
      yield* Registry.register(CounterKey, c)
      yield* crash(c)
      yield* ActorRef.tell(l, { _tag: "Crash" })
      yield* ActorRef.monitor(l)
      return yield* changes.pipe(Stream.take(10), Stream.runCollect)
    }))
    expect(events.map(summarize)).toEqual([
      "Registered counter#1",
      "Joined listeners#2",
      "Left listeners#2 explicit",
      "Joined listeners#2",
      "Registered listener#2",
      "Unregistered counter#1 explicit",
      "Registered counter#1",
      "Unregistered counter#1 exited:failure(boom)",
      "Unregistered listener#2 exited:failure(boom)",
      "Left listeners#2 exited:failure(boom)"
    ])
  })

  it("carries the registration's metadata", async () => {
    const Tagged = Registry.key<CounterMsg, number>()("tagged")
    const events = await run(Effect.gen(function*() {
      const changes = yield* Registry.changes
      const c = yield* Registry.spawn(Tagged, Counter, { metadata: 42 })
      yield* ActorRef.stop(c)
      return yield* changes.pipe(Stream.take(2), Stream.runCollect)
    }))
    expect(events.map((e) => e.metadata)).toEqual([42, 42])
  })
})

// -----------------------------------------------------------------------------------------
// another implementation is another layer
// -----------------------------------------------------------------------------------------

describe("RegistryService: another implementation is another Layer", () => {
  it("every operation of this module calls through the provided implementation (a recording wrapper)", async () => {
    const calls: Array<string> = []
    const recorded = <A, E, R>(what: string, effect: Effect.Effect<A, E, R>) =>
      Effect.suspend(() => {
        calls.push(what)
        return effect
      })
    const recording = Layer.effect(
      Registry.Registry,
      Effect.map(Registry.make, (base) =>
        Registry.Registry.of({
          register: (name, ref, metadata) => recorded(`register ${name}`, base.register(name, ref, metadata)),
          unregister: (name, ref) => recorded(`unregister ${name}`, base.unregister(name, ref)),
          lookup: (name) => recorded(`lookup ${name}`, base.lookup(name)),
          await: (name) => recorded(`await ${name}`, base.await(name)),
          join: (group, ref, metadata) => recorded(`join ${group}`, base.join(group, ref, metadata)),
          leave: (group, ref) => recorded(`leave ${group}`, base.leave(group, ref)),
          members: (group) => recorded(`members ${group}`, base.members(group)),
          changes: recorded("changes", base.changes),
          stats: recorded("stats", base.stats)
        }))
    )
    const Listeners = Registry.group<CounterMsg>()("listeners")
    const out = await Effect.runPromise(
      Effect.gen(function*() {
        const changes = yield* Registry.changes
        const counter = yield* Registry.spawn(CounterKey, Counter)
        const found = yield* Registry.lookup(CounterKey)
        const awaited = yield* Registry.await(CounterKey, "1 second")
        yield* Registry.join(Listeners, counter)
        const reached = yield* Registry.broadcast(Listeners, { _tag: "Increment", by: 2 })
        const members = yield* Registry.memberships(Listeners)
        yield* Registry.leave(Listeners, counter)
        const released = yield* Registry.unregister(CounterKey, counter)
        const stats = yield* Registry.Registry.use((r) => r.stats)
        const events = yield* changes.pipe(Stream.take(4), Stream.runCollect)
        return {
          same: Option.getOrUndefined(found) === counter && awaited === counter && members[0]?.ref === counter,
          reached,
          released,
          stats,
          events: Array.from(events, (e) => e._tag),
          count: yield* ActorRef.ask(counter, { _tag: "Get" })
        }
      }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(ActorSystem.layer, recording)))
    )
    expect(out).toEqual({
      same: true,
      reached: 1,
      released: true,
      stats: { names: 0, groups: 0, watched: 0 },
      events: ["Registered", "Joined", "Left", "Unregistered"],
      count: 2
    })
    expect(calls).toEqual([
      "changes",
      "lookup counter", // Registry.spawn: is the name free?
      "register counter", // ... then named in the same step as the spawn
      "lookup counter",
      "await counter",
      "join listeners",
      "members listeners", // broadcast
      "members listeners", // memberships
      "leave listeners",
      "unregister counter",
      "stats"
    ])
  })

  it("a test double's answers are the ones the typed functions return", async () => {
    const ghost = await Effect.runPromise(Effect.gen(function*() {
      const ref = yield* Actor.spawn(Counter, { label: "elsewhere" })
      // a registry that knows one name, held by an actor it was given, and nothing else
      const double = Registry.Registry.of({
        register: (name) => Effect.fail(new Registry.AlreadyRegistered({ name, holder: ref })),
        unregister: () => Effect.succeed(false),
        lookup: (name) =>
          Effect.succeed(name === "counter" ? Option.some({ name, ref, metadata: "remote" }) : Option.none()),
        await: () => Effect.succeed(ref),
        join: () => Effect.succeed(false),
        leave: () => Effect.succeed(false),
        members: () => Effect.succeed([]),
        changes: Effect.succeed(Stream.empty),
        stats: Effect.succeed({ names: 1, groups: 0, watched: 0 })
      })
      return yield* Effect.gen(function*() {
        const entry = yield* Registry.lookupEntry(CounterKey)
        const echo = yield* Registry.lookup(EchoKey)
        const taken = yield* Effect.flip(Registry.spawn(CounterKey, Counter))
        return {
          entry: Option.map(entry, (e) => [e.ref === ref, e.metadata]),
          echo: Option.isNone(echo),
          taken: taken._tag === "AlreadyRegistered" && taken.holder === ref
        }
      }).pipe(Effect.provideService(Registry.Registry, double))
    }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer)))
    expect(ghost).toEqual({ entry: Option.some([true, "remote"]), echo: true, taken: true })
  })
})
