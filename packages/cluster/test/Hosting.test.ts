/**
 * Hosting: the same `Actor.make` behaviour as a cluster entity, reached through a
 * location-transparent `ActorRef` on the in-memory runner; the in-entity supervisor, incarnation
 * ids, restart types (keep-alive, idle passivation), escalation and singletons. Time is the
 * TestClock's.
 */
import { Actor, ActorRef, Errors, ExitReason } from "@arbor/core"
import { ClusterActor, ClusterRef, RemoteActorError, RemoteDown } from "@arbor/cluster"
import { Child } from "@arbor/supervisor"
import { TestSystem } from "@arbor/testkit"
import { Cause, Context, Effect, Exit, Fiber, Layer, Schema } from "effect"
import { Protocol } from "@arbor/worker"
import { beforeEach, describe, expect, it } from "vitest"
import { Counter, CounterProtocol, inits } from "./fixtures/counter.ts"
import { run } from "./utils.ts"

const causeOf = (reason: ExitReason.ExitReason | undefined): unknown =>
  reason?._tag === "Failure" ? Cause.squash(reason.cause) : undefined

const recorder = () => {
  const events: Array<ClusterActor.HostEvent> = []
  return { events, onEvent: (e: ClusterActor.HostEvent) => void events.push(e), tags: () => events.map((e) => e._tag) }
}

beforeEach(() => {
  inits.count = 0
})

describe("ClusterActor.host + ClusterRef.ref", () => {
  it("a hosted behaviour answers ask and tell through a ref", async () => {
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a")
        yield* ActorRef.tell(a, { _tag: "Add", n: 2 })
        yield* ActorRef.send(a, { _tag: "Add", n: 3 })
        const n = yield* ActorRef.ask(a, { _tag: "Get" })
        // another id is another actor
        const b = yield* ClusterRef.ref(CounterProtocol, "b")
        const m = yield* ActorRef.ask(b, { _tag: "Get" })
        return { n, m }
      }),
      ClusterActor.host(CounterProtocol, Counter)
    )
    expect(out).toEqual({ n: 5, m: 0 })
  })

  it("two refs to one id reach one actor (one activation per id)", async () => {
    const rec = recorder()
    const out = await run(
      Effect.gen(function*() {
        const r1 = yield* ClusterRef.ref(CounterProtocol, "a")
        const r2 = yield* ClusterRef.ref(CounterProtocol, "a", { watch: false })
        yield* ActorRef.tell(r1, { _tag: "Add", n: 1 })
        yield* ActorRef.tell(r2, { _tag: "Add", n: 1 })
        yield* ActorRef.ask(r1, { _tag: "Get" })
        return yield* ActorRef.ask(r2, { _tag: "Get" })
      }),
      ClusterActor.host(CounterProtocol, Counter, { onEvent: rec.onEvent })
    )
    expect(out).toBe(2)
    expect(rec.tags().filter((t) => t === "Activated")).toHaveLength(1)
    expect(inits.count).toBe(1)
  })

  it("a crash restarts the actor in place: new incarnation, same activation, no replay of the message", async () => {
    const rec = recorder()
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a")
        yield* ActorRef.tell(a, { _tag: "Add", n: 2 })
        const failed = yield* ActorRef.ask(a, { _tag: "CrashAsk", message: "poison" }).pipe(Effect.flip)
        yield* TestSystem.advance("10 seconds") // a replay would have happened by now
        const again = yield* ClusterRef.ref(CounterProtocol, "a")
        const n = yield* ActorRef.ask(again, { _tag: "Get" })
        return { failed, n }
      }),
      ClusterActor.host(CounterProtocol, Counter, { onEvent: rec.onEvent })
    )
    // the asker: ActorExited carrying the proxy's reason, RemoteDown(restarted)
    expect(out.failed).toBeInstanceOf(Errors.ActorExited)
    const down = causeOf((out.failed as Errors.ActorExited).reason)
    expect(down).toBeInstanceOf(RemoteDown)
    expect((down as RemoteDown).why).toBe("restarted")
    expect(out.n).toBe(0)
    expect(inits.count).toBe(2) // the first start and one restart: the poison message ran once
    const started = rec.events.filter((e) => e._tag === "IncarnationStarted")
    expect(started).toHaveLength(2)
    expect(new Set(started.map((e) => e.activation)).size).toBe(1)
    expect(new Set(started.map((e) => (e as { incarnation: string }).incarnation)).size).toBe(2)
    expect(rec.tags().filter((t) => t === "Activated")).toHaveLength(1)
  })

  it("permanent (default) is kept alive: no idle passivation, even long after entityMaxIdleTime", async () => {
    const rec = recorder()
    const n = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a", { watch: false })
        yield* ActorRef.tell(a, { _tag: "Add", n: 7 })
        yield* ActorRef.ask(a, { _tag: "Get" })
        for (let i = 0; i < 30; i++) yield* TestSystem.advance("10 seconds") // 5 minutes; the preset's idle time is 1
        return { n: yield* ActorRef.ask(a, { _tag: "Get" }), tags: rec.tags() }
      }),
      ClusterActor.host(CounterProtocol, Counter, { onEvent: rec.onEvent })
    )
    expect(n.n).toBe(7)
    expect(n.tags).toEqual(["Activated", "IncarnationStarted"])
  })

  it("transient with maxIdleTime is passivated when idle; the next message re-activates it with fresh state", async () => {
    const rec = recorder()
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a", { watch: false })
        yield* ActorRef.tell(a, { _tag: "Add", n: 7 })
        const before = yield* ActorRef.ask(a, { _tag: "Get" })
        for (let i = 0; i < 6; i++) yield* TestSystem.advance("10 seconds")
        const passivated = rec.tags().includes("Passivated")
        const b = yield* ClusterRef.ref(CounterProtocol, "a", { watch: false })
        const after = yield* ActorRef.ask(b, { _tag: "Get" })
        return { before, passivated, after }
      }),
      ClusterActor.host(CounterProtocol, Counter, { restart: "transient", maxIdleTime: "30 seconds", onEvent: rec.onEvent })
    )
    expect(out).toEqual({ before: 7, passivated: true, after: 0 })
    expect(rec.tags().filter((t) => t === "Activated")).toHaveLength(2)
  })

  it("transient that stops normally is not restarted; watchers see RemoteDown(stopped); the next message starts it afresh", async () => {
    const rec = recorder()
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a")
        yield* ActorRef.tell(a, { _tag: "Add", n: 4 })
        yield* ActorRef.tell(a, { _tag: "StopNormally" })
        const reason = yield* ActorRef.monitor(a)
        const b = yield* ClusterRef.ref(CounterProtocol, "a")
        const n = yield* ActorRef.ask(b, { _tag: "Get" })
        return { down: causeOf(reason), n }
      }),
      ClusterActor.host(CounterProtocol, Counter, { restart: "transient", onEvent: rec.onEvent })
    )
    expect(out.down).toBeInstanceOf(RemoteDown)
    expect((out.down as RemoteDown).why).toBe("stopped")
    expect(out.n).toBe(0)
    const ended = rec.events.find((e) => e._tag === "IncarnationEnded")
    expect(ended).toMatchObject({ why: "stopped" })
    expect((ended as { reason: ExitReason.ExitReason }).reason._tag).toBe("Normal")
  })

  it("temporary is never restarted: a crash ends it with RemoteDown(stopped); the next message starts it afresh", async () => {
    const rec = recorder()
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a")
        yield* ActorRef.tell(a, { _tag: "Add", n: 4 })
        yield* ActorRef.tell(a, { _tag: "Crash", message: "once" })
        const reason = yield* ActorRef.monitor(a)
        yield* TestSystem.untilIdle
        const startedBefore = rec.tags().filter((t) => t === "IncarnationStarted").length
        const b = yield* ClusterRef.ref(CounterProtocol, "a", { watch: false })
        const n = yield* ActorRef.ask(b, { _tag: "Get" })
        return { down: causeOf(reason), startedBefore, n }
      }),
      ClusterActor.host(CounterProtocol, Counter, { restart: "temporary", onEvent: rec.onEvent })
    )
    expect((out.down as RemoteDown).why).toBe("stopped")
    expect(out.startedBefore).toBe(1) // not restarted by the supervisor
    expect(out.n).toBe(0)
    expect(rec.tags().filter((t) => t === "IncarnationStarted")).toHaveLength(2)
    expect(rec.tags().filter((t) => t === "Activated")).toHaveLength(1)
  })

  it("restart intensity exceeded: Unavailable, rebuilt after rebuild.delay, and after maxRebuilds it gives up", async () => {
    const rec = recorder()
    const crashTwice = (id: string) =>
      Effect.gen(function*() {
        // intensity 1: the second crash within the period exceeds it
        for (let i = 0; i < 2; i++) {
          const r = yield* ClusterRef.ref(CounterProtocol, id, { watch: false })
          yield* ActorRef.ask(r, { _tag: "CrashAsk", message: `crash ${i}` }).pipe(Effect.ignore)
        }
        yield* TestSystem.untilIdle
      })
    const askOnce = (id: string) =>
      Effect.gen(function*() {
        const r = yield* ClusterRef.ref(CounterProtocol, id, { watch: false })
        return yield* ActorRef.ask(r, { _tag: "Get" }).pipe(Effect.exit)
      })
    const out = await run(
      Effect.gen(function*() {
        yield* crashTwice("a")
        const unavailable = yield* askOnce("a")
        yield* TestSystem.advance("2 seconds")
        const rebuilt = yield* askOnce("a")
        yield* crashTwice("a")
        const gaveUpTooSoon = rec.tags().includes("GaveUp")
        yield* TestSystem.advance("2 seconds")
        const stillUnavailable = yield* askOnce("a")
        return { unavailable, rebuilt, gaveUpTooSoon, stillUnavailable }
      }),
      ClusterActor.host(CounterProtocol, Counter, {
        intensity: 1,
        period: "1 minute",
        rebuild: { delay: "2 seconds", maxRebuilds: 1, window: "10 minutes" },
        onEvent: rec.onEvent
      })
    )
    const errorOf = (exit: Exit.Exit<number, unknown>) => {
      if (Exit.isSuccess(exit)) return undefined
      const e = Cause.squash(exit.cause) as Errors.ActorExited
      return causeOf(e.reason)
    }
    expect(errorOf(out.unavailable)).toBeInstanceOf(RemoteActorError)
    expect((errorOf(out.unavailable) as RemoteActorError).kind).toBe("Unavailable")
    expect(Exit.isSuccess(out.rebuilt) && out.rebuilt.value).toBe(0)
    expect(out.gaveUpTooSoon).toBe(true) // the second escalation within the window exceeds maxRebuilds 1
    expect((errorOf(out.stillUnavailable) as RemoteActorError).kind).toBe("Unavailable")
    expect(rec.tags().filter((t) => t === "Unavailable")).toHaveLength(2)
    expect(rec.tags().filter((t) => t === "Rebuilt")).toHaveLength(1)
    expect(rec.events.find((e) => e._tag === "GaveUp")).toMatchObject({ entity: "Counter/a", rebuilds: 1 })
  })

  it("the hosted actor's AskTimeout reaches the caller typed: the proxy ends with Failure(RemoteActorError AskTimeout)", async () => {
    const Silent = Actor.make<typeof Counter extends Actor.Behavior<infer M, any, any> ? M : never, number>()({
      init: () => Effect.succeed(0),
      receive: {
        Add: (n) => n,
        Get: (n) => Actor.deferReply(() => n), // never answered
        Crash: (n) => n,
        CrashAsk: (n) => Actor.reply(0, n),
        StopNormally: (n) => n,
        Bump: (n) => Actor.reply(0, n)
      }
    })
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a", { watch: false })
        const fiber = yield* Effect.forkChild(ActorRef.ask(a, { _tag: "Get" }, { timeout: "1 minute" }).pipe(Effect.flip))
        yield* TestSystem.advance("3 seconds")
        const failed = yield* Fiber.await(fiber)
        return { failed, reason: ActorRef.exitReasonUnsafe(a) }
      }),
      ClusterActor.host(CounterProtocol, Silent, { askTimeout: "2 seconds" })
    )
    const e = causeOf(out.reason) as RemoteActorError
    expect(e).toBeInstanceOf(RemoteActorError)
    expect(e.kind).toBe("AskTimeout")
    expect(Exit.isSuccess(out.failed) && out.failed.value).toBeInstanceOf(Errors.ActorExited)
  })
})

describe("ClusterActor.host: services", () => {
  it("the behaviour's services come from the host layer's context, in every activation and restart", async () => {
    class Greeting extends Context.Service<Greeting, { readonly text: string }>()("test/Greeting") {}
    const GreeterProtocol = Protocol.make("Greeter", { Greet: { payload: { who: Schema.String }, reply: Schema.String }, Crash: {} })
    const Greeter = Actor.make<Protocol.Type<typeof GreeterProtocol>>()({
      init: () => Greeting.use((g) => Effect.succeed(g.text)),
      receive: {
        Greet: (text, m) => Actor.reply(`${text}, ${m.who}`, text),
        Crash: () => Effect.die("crash")
      }
    })
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(GreeterProtocol, "a")
        const first = yield* ActorRef.ask(a, { _tag: "Greet", who: "ada" })
        yield* ActorRef.tell(a, { _tag: "Crash" })
        yield* ActorRef.monitor(a)
        const b = yield* ClusterRef.ref(GreeterProtocol, "a")
        return { first, again: yield* ActorRef.ask(b, { _tag: "Greet", who: "bob" }) }
      }),
      ClusterActor.host(GreeterProtocol, Greeter).pipe(Layer.provide(Layer.succeed(Greeting)({ text: "hello" })))
    )
    expect(out).toEqual({ first: "hello, ada", again: "hello, bob" })
  })
})

describe("ClusterActor.singleton", () => {
  it("runs a supervision subtree once; when its root gives up it is started again after restartDelay", async () => {
    let starts = 0
    const Fragile = Actor.make<{ readonly _tag: "Die" }>()({
      init: () => Effect.sync(() => ++starts),
      receive: { Die: () => Effect.die("die") }
    })
    const refs: Array<ActorRef.ActorRef<{ readonly _tag: "Die" }>> = []
    const spec = {
      strategy: "one-for-one" as const,
      intensity: 0,
      children: [Child.worker({ id: "fragile", start: Effect.tap(Actor.spawn(Fragile), (r) => Effect.sync(() => refs.push(r))) })]
    }
    const out = await run(
      Effect.gen(function*() {
        yield* TestSystem.untilIdle
        const first = starts
        yield* ActorRef.tell(refs[0]!, { _tag: "Die" }) // intensity 0: the root gives up at once
        yield* TestSystem.untilIdle
        const afterGiveUp = starts
        yield* TestSystem.advance("3 seconds")
        return { first, afterGiveUp, later: starts }
      }),
      ClusterActor.singleton("fragile-tree", spec, { restartDelay: "2 seconds" })
    )
    expect(out).toEqual({ first: 1, afterGiveUp: 1, later: 2 })
  })
})
