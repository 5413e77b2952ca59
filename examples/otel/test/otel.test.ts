/**
 * The shop traced by the real OpenTelemetry SDK (`@effect/opentelemetry`'s `NodeSdk.layer`, the
 * SDK's `InMemorySpanExporter`), over real HTTP on 127.0.0.1: each request's trace is the chain
 * HTTP server span → `ask` → the handler's span → the `tell` it makes → the next handler's span,
 * before and after a crash and restart, and the crash's own trace reaches the restart.
 */
import { SpanKind, SpanStatusCode } from "@opentelemetry/api"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { Effect, Logger } from "effect"
import { describe, expect, it } from "vitest"
import { runDemo } from "../src/demo.ts"
import { traceTrees } from "../src/tree.ts"

const idOf = (span: ReadableSpan) => span.spanContext().spanId
const traceOf = (span: ReadableSpan) => span.spanContext().traceId

describe("OpenTelemetry", () => {
  it("exports HTTP span → ask → handler span → its tell → the next handler span, across a crash and restart", async () => {
    const { answers, spans } = await Effect.runPromise(runDemo.pipe(Effect.provide(Logger.layer([]))))
    expect(answers).toEqual([
      "GET /orders?item=book → 200 order 1",
      "GET /orders?item= → 500 failed: ActorExited",
      "GET /orders?item=pen → 200 order 1"
    ])
    const requests = spans.filter((s) => s.kind === SpanKind.SERVER)
    expect(requests.map((s) => [s.name, s.attributes["url.query"], s.attributes["http.response.status_code"]])).toEqual([
      ["GET /orders", "item=book", 200],
      ["GET /orders", "item=", 500],
      ["GET /orders", "item=pen", 200]
    ])
    /** The one span named `name` of the request's trace, a child of `parent`. */
    const childOf = (parent: ReadableSpan, name: string): ReadableSpan => {
      const found = spans.filter((s) => s.name === name && s.parentSpanContext?.spanId === idOf(parent))
      expect(found.map((s) => s.name), `${name} under ${parent.name}`).toEqual([name])
      expect(traceOf(found[0]!)).toBe(traceOf(parent))
      return found[0]!
    }
    const [first, crash, after] = requests as [ReadableSpan, ReadableSpan, ReadableSpan]
    // before the crash, and on the restarted incarnation: the whole chain, in the request's trace
    for (const [request, incarnation] of [[first, 1], [after, 2]] as const) {
      const ask = childOf(request, "ask orders.Place")
      expect(ask.kind).toBe(SpanKind.CLIENT)
      const place = childOf(ask, "orders.Place")
      expect(place.attributes).toMatchObject({ "arbor.actor.label": "orders", "arbor.incarnation": incarnation, "arbor.message": "Place", "arbor.request": true })
      const record = childOf(place, "audit.Record")
      expect(record.attributes).toMatchObject({ "arbor.actor.label": "audit", "arbor.message": "Record" })
      expect(record.status.code).not.toBe(SpanStatusCode.ERROR)
    }
    // the crash: the handler's span failed, and the supervisor's restart hangs below it
    const ask = childOf(crash, "ask orders.Place")
    expect(ask.status.code).toBe(SpanStatusCode.ERROR)
    const place = childOf(ask, "orders.Place")
    expect(place.status.code).toBe(SpanStatusCode.ERROR)
    expect(place.status.message).toMatch(/an order without an item/)
    const exited = childOf(place, "shop.ChildExited")
    const restart = childOf(exited, "restart orders")
    expect(restart.attributes).toMatchObject({ "arbor.supervisor.label": "shop", "arbor.child": "orders" })
    // every span of the three requests' traces is ended and accounted for in the printed tree
    const traced = spans.filter((s) => requests.some((r) => traceOf(r) === traceOf(s)))
    expect(traced.every((s) => s.ended)).toBe(true)
    const tree = traceTrees(traced)
    expect(tree.split("\n").filter((l) => l.trim() !== "")).toHaveLength(traced.length)
  })
})
