/**
 * Monitors: a ref stands for one remote incarnation; its end is reported with a typed
 * `RemoteDown` reason.
 */
import { ActorRef, ExitReason } from "@arbor/core"
import { ClusterActor, ClusterRef, RemoteDown } from "@arbor/cluster"
import { Cause, Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Counter, CounterProtocol } from "./fixtures/counter.ts"
import { run } from "./utils.ts"

const downOf = (reason: ExitReason.ExitReason): RemoteDown | undefined => {
  if (reason._tag !== "Failure") return undefined
  const e = Cause.squash(reason.cause)
  return e instanceof RemoteDown ? e : undefined
}

describe("ClusterRef monitors", () => {
  it("an in-entity crash: monitor reports RemoteDown(restarted); a new ref reaches the new incarnation in the same activation", async () => {
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a")
        yield* ActorRef.tell(a, { _tag: "Add", n: 2 })
        yield* ActorRef.tell(a, { _tag: "Crash", message: "boom" })
        const reason = yield* ActorRef.monitor(a)
        const again = yield* ClusterRef.ref(CounterProtocol, "a")
        const n = yield* ActorRef.ask(again, { _tag: "Get" })
        return { down: downOf(reason), n }
      }),
      ClusterActor.host(CounterProtocol, Counter)
    )
    expect(out.down?.why).toBe("restarted")
    expect(out.down?.entity).toBe("Counter/a")
    expect(out.down?.detail).toContain("boom")
    expect(out.n).toBe(0) // fresh state, no replay of the crashing message
  })
})
