/**
 * The demo both `main.ts` and the test run: the shop traced by OpenTelemetry's SDK (through
 * `@effect/opentelemetry`'s `NodeSdk.layer`), three requests — an order, an order that crashes
 * `orders`, an order served by its restarted incarnation — and the spans the SDK exported.
 */
import { ActorRef, ActorSystem } from "@arbor/core"
import { Supervisor } from "@arbor/supervisor"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, PubSub } from "effect"
import { start } from "./shop.ts"

/** What a run gives: each request's answer, and the spans exported by then. */
export interface DemoRun {
  readonly answers: ReadonlyArray<string>
  readonly spans: ReadonlyArray<ReadableSpan>
}

/**
 * Runs the demo in a fresh actor system traced by the OpenTelemetry SDK, exporting to an
 * in-memory exporter. The spans are read before the layers shut down (the SDK's in-memory
 * exporter forgets them on shutdown).
 */
export const runDemo: Effect.Effect<DemoRun> = Effect.gen(function*() {
  const exporter = new InMemorySpanExporter()
  const Telemetry = NodeSdk.layer(() => ({
    resource: { serviceName: "arbor-shop" },
    spanProcessor: new SimpleSpanProcessor(exporter)
  }))
  return yield* Effect.gen(function*() {
    const shop = yield* start()
    const events = yield* Supervisor.events(shop.supervisor)
    const get = (item: string) =>
      Effect.promise(async () => {
        const res = await fetch(`http://127.0.0.1:${shop.port}/orders?item=${encodeURIComponent(item)}`)
        return `GET /orders?item=${item} → ${res.status} ${(await res.text()).trim()}`
      })
    const answers = [yield* get("book"), yield* get("")]
    // the crash: wait until the supervisor has restarted `orders`
    while (true) {
      const event = yield* PubSub.take(events)
      if (event._tag === "ChildStarted" && event.restart) break
    }
    answers.push(yield* get("pen"))
    // the audit actor has handled both records once it answers this (its mailbox is in order)
    yield* ActorRef.ask(shop.audit, { _tag: "Count" })
    return { answers, spans: exporter.getFinishedSpans() }
  }).pipe(Effect.orDie, Effect.scoped, Effect.provide(Layer.merge(ActorSystem.layer, Telemetry)))
})
