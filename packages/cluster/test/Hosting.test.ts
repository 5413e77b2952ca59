/**
 * Hosting: the same `Actor.make` behaviour as a cluster entity, reached through a
 * location-transparent `ActorRef` on the in-memory runner.
 */
import { ActorRef } from "@arbor/core"
import { ClusterActor, ClusterRef } from "@arbor/cluster"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Counter, CounterProtocol } from "./fixtures/counter.ts"
import { run } from "./utils.ts"

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
})
