import { describe, expect, it } from "vitest"
import { Effect, Exit, Layer, Logger, Option, References, Tracer } from "effect"
import type { Scope } from "effect"
import { Actor, ActorRef, ActorSystem, Tracing } from "@arbor/core"
import { TestSystem } from "@arbor/testkit"
import { untilIdle } from "./utils.ts"

/** A tracer that keeps every span it makes (Effect's native spans), for the assertions. */
const recordingTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  const named = (name: string): Tracer.NativeSpan => {
    const found = spans.filter((s) => s.name === name)
    if (found.length !== 1) throw new Error(`expected one span ${name}, got ${found.length}: ${spans.map((s) => s.name).join(", ")}`)
    return found[0]!
  }
  return { spans, tracer, named }
}

/** The id of the span's parent (a handler span refers to its parent by its ids only). */
const parentOf = (span: Tracer.Span): string | undefined => Option.getOrUndefined(span.parent)?.spanId

/** Runs `program` in a test world where `tracer` is installed (or none). */
const runTraced = <A, E>(
  program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>,
  tracer?: Tracer.Tracer
) => TestSystem.run(tracer === undefined ? program : Effect.withTracer(program, tracer))

type PongMsg = { readonly _tag: "Pong"; readonly n: number }
type PingMsg =
  | { readonly _tag: "Relay"; readonly to: ActorRef.ActorRef<PongMsg>; readonly n: number }
  | { readonly _tag: "RelayEffect"; readonly to: ActorRef.ActorRef<PongMsg>; readonly n: number }
  | { readonly _tag: "Boom" }
  | Actor.Request<{ readonly _tag: "Get" }, number>

const Sink = Actor.make<PongMsg>()({
  init: () => Effect.succeed(0),
  receive: { Pong: (n, m) => n + m.n }
})

const Relay = Actor.make<PingMsg>()({
  init: () => Effect.succeed(0),
  receive: {
    // a handler that returns its state, sending synchronously
    Relay: (n, m) => {
      ActorRef.tellUnsafe(m.to, { _tag: "Pong", n: m.n })
      return n + 1
    },
    // an Effect.gen handler: its own span and its tell are children of the handler's span
    RelayEffect: (n, m) =>
      Effect.gen(function*() {
        yield* Effect.withSpan(Effect.void, "inner")
        yield* ActorRef.tell(m.to, { _tag: "Pong", n: m.n })
        return n + 1
      }),
    Boom: () => Effect.fail(new Error("boom")),
    Get: (n) => Actor.reply(n, n)
  }
})

describe("Tracing", () => {
  it("a handled message has one span <label>.<Tag>, a child of the span current at tell, with the actor's attributes", async () => {
    const t = recordingTracer()
    await runTraced(Effect.gen(function*() {
      const sink = yield* Actor.spawn(Sink, { label: "sink" })
      yield* Effect.withSpan(ActorRef.tell(sink, { _tag: "Pong", n: 1 }), "request")
      yield* untilIdle
      return sink.id
    }), t.tracer)
    const request = t.named("request")
    const handler = t.named("sink.Pong")
    expect(parentOf(handler)).toBe(request.spanId)
    expect(handler.traceId).toBe(request.traceId)
    expect(handler.status._tag).toBe("Ended")
    expect(Object.fromEntries(handler.attributes)).toMatchObject({
      "arbor.actor.label": "sink",
      "arbor.message": "Pong"
    })
    expect(typeof handler.attributes.get("arbor.actor.id")).toBe("number")
  })

  it("a message sent from a handler is a child of that handler's span: from a handler returning its state, and from an Effect.gen one", async () => {
    const t = recordingTracer()
    await runTraced(Effect.gen(function*() {
      const sink = yield* Actor.spawn(Sink, { label: "sink" })
      const relay = yield* Actor.spawn(Relay, { label: "relay" })
      yield* Effect.withSpan(ActorRef.tell(relay, { _tag: "Relay", to: sink, n: 1 }), "sync")
      yield* untilIdle
      yield* Effect.withSpan(ActorRef.tell(relay, { _tag: "RelayEffect", to: sink, n: 2 }), "effect")
      yield* untilIdle
    }), t.tracer)
    const relaySync = t.named("relay.Relay")
    expect(parentOf(relaySync)).toBe(t.named("sync").spanId)
    const relayEffect = t.named("relay.RelayEffect")
    expect(parentOf(relayEffect)).toBe(t.named("effect").spanId)
    const pongs = t.spans.filter((s) => s.name === "sink.Pong")
    expect(pongs.map(parentOf)).toEqual([relaySync.spanId, relayEffect.spanId])
    expect(parentOf(t.named("inner"))).toBe(relayEffect.spanId)
    expect(t.spans.every((s) => s.status._tag === "Ended")).toBe(true)
  })

  it("a handler span refers to its parent by ids only, so an endless exchange keeps no chain of spans alive", async () => {
    const t = recordingTracer()
    await runTraced(Effect.gen(function*() {
      const sink = yield* Actor.spawn(Sink, { label: "sink" })
      const relay = yield* Actor.spawn(Relay, { label: "relay" })
      yield* Effect.withSpan(ActorRef.tell(relay, { _tag: "Relay", to: sink, n: 1 }), "request")
      yield* untilIdle
    }), t.tracer)
    const pong = t.named("sink.Pong")
    const parent = Option.getOrUndefined(pong.parent)!
    expect(parent._tag).toBe("ExternalSpan")
    expect(parent.traceId).toBe(t.named("request").traceId)
    expect(Option.getOrUndefined(t.named("relay.Relay").parent)?._tag).toBe("ExternalSpan")
  })

  it("ask has a span covering the round trip, parent of the handler's span, which is marked as a request", async () => {
    const t = recordingTracer()
    const got = await runTraced(Effect.gen(function*() {
      const relay = yield* Actor.spawn(Relay, { label: "relay" })
      return yield* Effect.withSpan(ActorRef.ask(relay, { _tag: "Get" }), "request")
    }), t.tracer)
    expect(got).toBe(0)
    const ask = t.named("ask relay.Get")
    const handler = t.named("relay.Get")
    expect(parentOf(ask)).toBe(t.named("request").spanId)
    expect(parentOf(handler)).toBe(ask.spanId)
    expect(ask.kind).toBe("client")
    expect(handler.attributes.get("arbor.request")).toBe(true)
    expect(Object.fromEntries(ask.attributes)).toMatchObject({ "arbor.actor.label": "relay", "arbor.message": "Get" })
    if (ask.status._tag !== "Ended" || handler.status._tag !== "Ended") throw new Error("spans not ended")
    expect(ask.status.startTime <= handler.status.startTime).toBe(true)
    expect(ask.status.endTime >= handler.status.endTime).toBe(true)
  })

  it("a deferred reply's continuation runs under the request's handler span", async () => {
    const t = recordingTracer()
    type Msg = Actor.Request<{ readonly _tag: "Later" }, number>
    const Deferring = Actor.make<Msg>()({
      init: () => Effect.succeed(0),
      receive: {
        Later: () => Actor.deferReply((handle) => Effect.as(Effect.andThen(Effect.withSpan(Effect.void, "continuation"), Actor.answer(handle, 7)), 1))
      }
    })
    const got = await runTraced(Effect.gen(function*() {
      const ref = yield* Actor.spawn(Deferring, { label: "deferring" })
      return yield* ActorRef.ask(ref, { _tag: "Later" })
    }), t.tracer)
    expect(got).toBe(7)
    const handler = t.named("deferring.Later")
    expect(parentOf(t.named("continuation"))).toBe(handler.spanId)
    expect(handler.status._tag).toBe("Ended")
  })

  it("a handler that fails ends its span with the failure, and the actor's exit notices run under that span", async () => {
    const t = recordingTracer()
    let exitSpan: string | undefined
    await runTraced(Effect.gen(function*() {
      const relay = yield* Actor.spawn(Relay, { label: "relay" })
      const sink = yield* Actor.spawn(Sink, { label: "sink" })
      ActorRef.onExit(relay, () => {
        ActorRef.tellUnsafe(sink, { _tag: "Pong", n: 0 })
      })
      yield* Effect.withSpan(ActorRef.tell(relay, { _tag: "Boom" }), "request")
      yield* untilIdle
      exitSpan = parentOf(t.named("sink.Pong"))
    }), t.tracer)
    const boom = t.named("relay.Boom")
    if (boom.status._tag !== "Ended") throw new Error("not ended")
    expect(Exit.isFailure(boom.status.exit)).toBe(true)
    expect(String(Exit.isFailure(boom.status.exit) ? boom.status.exit.cause : "")).toMatch(/boom/)
    expect(exitSpan).toBe(boom.spanId)
  })

  it("without a tracer installed no span is made, and a handler runs under no span of its spawner", async () => {
    const t = recordingTracer()
    const seen = await TestSystem.run(Effect.gen(function*() {
      let inHandler: Option.Option<Tracer.Span> | undefined
      const Probe = Actor.make<{ readonly _tag: "Probe" }>()({
        init: () => Effect.succeed(0),
        receive: {
          Probe: (n) =>
            Effect.map(Effect.option(Effect.currentSpan), (span) => {
              inHandler = span
              return n
            })
        }
      })
      const probe = yield* Effect.withSpan(Actor.spawn(Probe), "spawner")
      yield* Effect.withSpan(ActorRef.tell(probe, { _tag: "Probe" }), "teller")
      yield* untilIdle
      return inHandler
    }))
    expect(seen).toEqual(Option.none())
    expect(t.spans).toEqual([])
  })

  it("Effect.withTracerEnabled(false) where the actor is spawned turns its spans off", async () => {
    const t = recordingTracer()
    await runTraced(Effect.gen(function*() {
      const sink = yield* Effect.withTracerEnabled(Actor.spawn(Sink, { label: "sink" }), false)
      yield* ActorRef.tell(sink, { _tag: "Pong", n: 1 })
      yield* untilIdle
    }), t.tracer)
    expect(t.spans.filter((s) => s.name.startsWith("sink"))).toEqual([])
  })

  it("a handler's log lines carry the actor's id, label, incarnation and the message's tag, and nothing of its spawner's", async () => {
    const lines: Array<{ message: string; annotations: Record<string, unknown> }> = []
    const logger = Logger.make((o) => {
      lines.push({ message: String((o.message as ReadonlyArray<unknown>)[0]), annotations: { ...o.fiber.getRef(References.CurrentLogAnnotations) } })
    })
    type Msg = { readonly _tag: "Hello" } | { readonly _tag: "Bye" }
    const Talker = Actor.make<Msg>()({
      init: () => Effect.succeed(0),
      receive: {
        Hello: (n) => Effect.as(Effect.logInfo("hello"), n),
        Bye: (n) => Effect.as(Effect.logInfo("bye"), n)
      },
      onStop: () => Effect.logInfo("stopping")
    })
    const id = await TestSystem.run(Effect.gen(function*() {
      const ref = yield* Actor.spawn(Talker, { label: "talker" }).pipe(
        Effect.annotateLogs({ request: "r-1" }),
        Effect.provideService(Tracing.Incarnation, 3)
      )
      yield* ActorRef.tell(ref, { _tag: "Hello" })
      yield* ActorRef.tell(ref, { _tag: "Bye" })
      yield* untilIdle
      yield* ActorRef.stop(ref)
      return ref.id
    }).pipe(Effect.provide(Logger.layer([logger]))))
    const own = { "arbor.actor.id": id, "arbor.actor.label": "talker", "arbor.incarnation": 3 }
    expect(lines).toEqual([
      { message: "hello", annotations: { ...own, "arbor.message": "Hello" } },
      { message: "bye", annotations: { ...own, "arbor.message": "Bye" } },
      { message: "stopping", annotations: own }
    ])
  })

  it("an actor does not pass its incarnation on to the actors its handlers spawn", async () => {
    let inner: unknown = "unset"
    await TestSystem.run(Effect.gen(function*() {
      const Parent = Actor.make<{ readonly _tag: "Spawn" }>()({
        init: () => Effect.succeed(0),
        receive: {
          Spawn: (n) =>
            Effect.gen(function*() {
              inner = yield* Tracing.Incarnation
              yield* Actor.spawn(Sink)
              return n
            })
        }
      })
      const ref = yield* Effect.provideService(Actor.spawn(Parent), Tracing.Incarnation, 2)
      yield* ActorRef.tell(ref, { _tag: "Spawn" })
      yield* untilIdle
    }))
    expect(inner).toBe(undefined)
  })

  it("a system layer with a tracer provided under it traces the actors spawned in it", async () => {
    const t = recordingTracer()
    await Effect.runPromise(Effect.gen(function*() {
      const relay = yield* Actor.spawn(Relay, { label: "relay" })
      yield* ActorRef.ask(relay, { _tag: "Get" })
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.merge(ActorSystem.layer, Layer.succeed(Tracer.Tracer, t.tracer)))
    ))
    expect(parentOf(t.named("relay.Get"))).toBe(t.named("ask relay.Get").spanId)
  })
})
