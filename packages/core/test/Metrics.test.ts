import { describe, expect, it } from "vitest"
import { Effect, Layer, Metric } from "effect"
import type { Scope } from "effect"
import { Actor, ActorRef, ActorSystem, Metrics } from "@arbor/core"
import { TestSystem } from "@arbor/testkit"

/** Runs `program` in a world with a fresh metric registry (and metrics on when `options` is given); answers the arbor_ series. */
const measure = async <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>, options?: Metrics.MetricsOptions) => {
  const registry = Layer.succeed(Metric.MetricRegistry, new Map())
  const base = options === undefined ? registry : Layer.merge(registry, Metrics.layer(options))
  return Effect.runPromise(Effect.gen(function*() {
    yield* program
    yield* TestSystem.untilIdle
    const all = yield* Metric.snapshot
    return all
      .filter((m) => m.id.startsWith("arbor_"))
      .map((m) => ({ id: m.id, attributes: m.attributes, state: m.state as any }))
  }).pipe(Effect.scoped, Effect.provide(TestSystem.layer().pipe(Layer.provideMerge(base)))))
}

type Msg = { readonly _tag: "Work" } | Actor.Request<{ readonly _tag: "Count" }, number>
const Worker = Actor.make<Msg>()({
  init: () => Effect.succeed(0),
  receive: { Work: (n) => n + 1, Count: (n) => Effect.succeed(Actor.reply(n, n)) }
})

const work = Effect.gen(function*() {
  const a = yield* Actor.spawn(Worker, { label: "worker" })
  for (let i = 0; i < 5; i++) yield* ActorRef.tell(a, { _tag: "Work" })
  yield* ActorRef.ask(a, { _tag: "Count" })
  const b = yield* Actor.spawn(Worker)
  yield* ActorRef.stop(b)
  yield* ActorRef.tell(b, { _tag: "Work" }) // a dead letter
})

const series = (all: ReadonlyArray<{ id: string; attributes: any; state: any }>, id: string, attributes?: Record<string, string>) =>
  all.find((m) => m.id === id && (attributes === undefined || JSON.stringify(m.attributes) === JSON.stringify(attributes)))

describe("Metrics", () => {
  it("are off by default: no arbor_ series", async () => {
    expect(await measure(work)).toEqual([])
  })

  it("count messages handled, mailbox depth, handler duration, live actors and dead letters, by actor label", async () => {
    const all = await measure(work, {})
    expect(series(all, "arbor_messages_handled", { actor: "worker" })?.state.count).toBe(6)
    expect(series(all, "arbor_mailbox_depth", { actor: "worker" })).toBeDefined()
    expect(series(all, "arbor_handler_duration_seconds", { actor: "worker" })?.state.count).toBe(6)
    expect(series(all, "arbor_actors_live")?.state.value).toBe(1)
    expect(series(all, "arbor_dead_letters", { reason: "NotAlive" })?.state.count).toBe(1)
  })

  it("keep the actor attribute bounded: past maxLabels, further labels count as other", async () => {
    const all = await measure(Effect.gen(function*() {
      for (let i = 0; i < 5; i++) {
        const ref = yield* Actor.spawn(Worker, { label: `session-${i}` })
        yield* ActorRef.tell(ref, { _tag: "Work" })
      }
    }), { maxLabels: 2 })
    const handled = all.filter((m) => m.id === "arbor_messages_handled").map((m) => [JSON.stringify(m.attributes), m.state.count])
    expect(handled.sort()).toEqual([[`{"actor":"other"}`, 3], [`{"actor":"session-0"}`, 1], [`{"actor":"session-1"}`, 1]].sort())
  })

  it("Metrics.layer rejects a maxLabels that is not an integer from 1 to 10000", async () => {
    for (const maxLabels of [0, 1.5, 10_001, Number.NaN]) {
      const error = await Effect.runPromise(Effect.flip(Effect.scoped(Layer.build(Metrics.layer({ maxLabels })))))
      expect(error).toMatchObject({ _tag: "InvalidMetricsOptions", field: "maxLabels" })
    }
  })
})
