import { describe, expect, it } from "vitest"
import { Effect, Exit, Logger, Option, References, Tracer } from "effect"
import { Actor, ActorRef, Reports } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import { TestSystem } from "@arbor/testkit"

/** A tracer that keeps every span it makes (Effect's native spans). */
const recordingTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return { spans, tracer }
}

/** The id of the span's parent (a handler span refers to its parent by its ids only). */
const parentOf = (span: Tracer.Span): string | undefined => Option.getOrUndefined(span.parent)?.spanId

type Msg =
  | { readonly _tag: "Fail" }
  | { readonly _tag: "Log" }
  | Actor.Request<{ readonly _tag: "Ping" }, string>

const Worker = Actor.make<Msg>()({
  init: () => Effect.succeed(null),
  receive: {
    Fail: () => Effect.fail(new Error("disk full")),
    Log: (s) => Effect.as(Effect.logInfo("working"), s),
    Ping: (s) => Actor.reply("pong", s)
  }
})

/** A supervisor "sup" with one worker "w"; `w` is told to fail once (under the span "crash"), then asked (under "request"). */
const crashAndAsk = Effect.gen(function*() {
  const sup = yield* Supervisor.start({
    label: "sup",
    strategy: "one-for-one",
    children: [Child.worker({ id: "w", start: Actor.spawn(Worker, { label: "w" }) })]
  })
  const child = Effect.map(Supervisor.whichChildren(sup), ([w]) => w!.ref as ActorRef.ActorRef<Msg>)
  yield* ActorRef.tell(yield* child, { _tag: "Log" })
  yield* Effect.withSpan(Effect.flatMap(child, (w) => ActorRef.tell(w, { _tag: "Fail" })), "crash")
  yield* TestSystem.untilIdle
  yield* ActorRef.tell(yield* child, { _tag: "Log" })
  const pong = yield* Effect.withSpan(Effect.flatMap(child, (w) => ActorRef.ask(w, { _tag: "Ping" })), "request")
  yield* TestSystem.untilIdle
  return pong
})

describe("supervisors and tracing", () => {
  it("S18 a restart has a span, a child of the supervisor's handling of the exit, whose parent is the span of the message that crashed", async () => {
    const { spans, tracer } = recordingTracer()
    const pong = await TestSystem.run(
      Effect.withTracer(crashAndAsk, tracer).pipe(Effect.provide(Reports.layer(false)), Effect.provide(Logger.layer([])))
    )
    expect(pong).toBe("pong")
    const one = (name: string) => {
      const found = spans.filter((s) => s.name === name)
      expect(found.map((s) => s.name)).toEqual([name])
      return found[0]!
    }
    const crash = one("crash")
    const failed = one("w.Fail")
    expect(parentOf(failed)).toBe(crash.spanId)
    if (failed.status._tag !== "Ended") throw new Error("w.Fail did not end")
    expect(Exit.isFailure(failed.status.exit)).toBe(true)
    const exited = one("sup.ChildExited")
    expect(parentOf(exited)).toBe(failed.spanId)
    const restart = one("restart w")
    expect(parentOf(restart)).toBe(exited.spanId)
    expect(Object.fromEntries(restart.attributes)).toMatchObject({ "arbor.supervisor": "", "arbor.supervisor.label": "sup", "arbor.child": "w" })
    expect(restart.status._tag).toBe("Ended")
    // the new incarnation is traced as the first one was
    const ask = one("ask w.Ping")
    expect(parentOf(ask)).toBe(one("request").spanId)
    const ping = one("w.Ping")
    expect(parentOf(ping)).toBe(ask.spanId)
    expect(ping.attributes.get("arbor.incarnation")).toBe(2)
    expect(failed.attributes.get("arbor.incarnation")).toBe(1)
    expect(crash.traceId).toBe(restart.traceId)
  })

  it("S18 a child's handler logs carry its incarnation, which a restart moves on", async () => {
    const lines: Array<Record<string, unknown>> = []
    const logger = Logger.make((o) => {
      if (String((o.message as ReadonlyArray<unknown>)[0]) === "working") lines.push({ ...o.fiber.getRef(References.CurrentLogAnnotations) })
    })
    await TestSystem.run(crashAndAsk.pipe(Effect.provide(Logger.layer([logger])), Effect.provide(Reports.layer(false))))
    expect(lines.map((l) => [l["arbor.actor.label"], l["arbor.incarnation"], l["arbor.message"]])).toEqual([
      ["w", 1, "Log"],
      ["w", 2, "Log"]
    ])
  })
})
