import { describe, expect, it } from "vitest"
import { Effect, Layer, Metric } from "effect"
import { Actor, ActorRef, Metrics } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import { TestSystem } from "@arbor/testkit"

type Msg = { readonly _tag: "Crash" }
const Worker = Actor.make<Msg>()({ init: () => Effect.succeed(null), receive: { Crash: () => Effect.die("boom") } })

describe("supervisor metrics", () => {
  it("S18 arbor_restarts counts each supervisor's restarts, by its label (or path)", async () => {
    const all = await Effect.runPromise(Effect.gen(function*() {
      const root = yield* Supervisor.start({
        strategy: "one-for-one",
        children: [
          Child.worker({ id: "a", start: Actor.spawn(Worker) }),
          Supervisor.child("inner", { label: "inner", strategy: "one-for-one", children: [Child.worker({ id: "b", start: Actor.spawn(Worker) })] })
        ]
      })
      for (let i = 0; i < 2; i++) {
        yield* ActorRef.tell(yield* Supervisor.childRef(root, "a"), { _tag: "Crash" })
        yield* TestSystem.untilIdle
      }
      const inner = yield* Supervisor.childRef(root, "inner")
      yield* ActorRef.tell(yield* Supervisor.childRef(inner, "b"), { _tag: "Crash" })
      yield* TestSystem.untilIdle
      return (yield* Metric.snapshot).filter((m) => m.id === "arbor_restarts").map((m) => [JSON.stringify(m.attributes), (m.state as any).count])
    }).pipe(
      Effect.scoped,
      Effect.provide(TestSystem.layer().pipe(Layer.provideMerge(Layer.merge(Layer.succeed(Metric.MetricRegistry, new Map()), Metrics.layer()))))
    ))
    expect(all.sort()).toEqual([[`{"supervisor":"inner"}`, 1], [`{"supervisor":"root"}`, 2]])
  })
})
