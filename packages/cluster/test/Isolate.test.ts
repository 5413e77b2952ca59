/**
 * Composition with `@arbor/worker` (`ClusterActor.host`'s `isolate: { worker }`): a hosted
 * actor in a worker thread of its activation. A handler hung in `for(;;){}` blocks its thread
 * only: while it is hung, another entity of the same runner — isolated or on the runner's own
 * event loop — goes on answering; the watchdog (on the Clock: TestClock minutes, so real time
 * cannot trip it) ends the hung incarnation `Killed`, and the in-entity supervisor restarts
 * the actor in a fresh thread. Without the option the loop would block the runner's event
 * loop — this test's own process — so nothing could answer at all.
 */
import { ActorRef, ExitReason } from "@arbor/core"
import { ClusterActor, ClusterRef } from "@arbor/cluster"
import { TestSystem } from "@arbor/testkit"
import { WorkerActor } from "@arbor/worker"
import { Effect, Exit, Fiber, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { Counter, CounterProtocol } from "./fixtures/counter.ts"
import { entry, Isolated, IsolatedProtocol } from "./fixtures/isolated.ts"
import { run } from "./utils.ts"

describe("ClusterActor.host with isolate: { worker } (composition with @arbor/worker)", () => {
  it("a handler hung in for(;;){} leaves the runner's other entities answering; the watchdog kills it and the actor restarts in a fresh thread", async () => {
    const ended: Array<{ readonly entity: string; readonly reason: ExitReason.ExitReason }> = []
    const hosts = Layer.mergeAll(
      ClusterActor.host(IsolatedProtocol, Isolated, {
        isolate: { worker: { entry, heartbeat: { interval: "1 minute", timeout: "4 minutes" } } },
        // the entity waits for its thread's reply longer than the watchdog takes
        askTimeout: "1 hour",
        onEvent: (e) => {
          if (e._tag === "IncarnationEnded") ended.push({ entity: e.entity, reason: e.reason })
        }
      }),
      ClusterActor.host(CounterProtocol, Counter)
    )
    const out = await run(
      Effect.gen(function*() {
        const x = yield* ClusterRef.ref(IsolatedProtocol, "x", { watch: false })
        const y = yield* ClusterRef.ref(IsolatedProtocol, "y", { watch: false })
        const local = yield* ClusterRef.ref(CounterProtocol, "c", { watch: false })
        const forever = { timeout: "infinity" } as const
        const before = yield* ActorRef.ask(x, { _tag: "Ping" }, forever)
        yield* ActorRef.tell(x, { _tag: "Hang" })
        // queued behind Hang in x's thread: answered only if the loop ends
        const stuck = yield* Effect.forkChild(Effect.exit(ActorRef.ask(x, { _tag: "Ping" }, forever)))
        const meanwhile: Array<{ readonly n: number; readonly inThread: boolean }> = []
        for (let i = 0; i < 5; i++) {
          meanwhile.push(yield* ActorRef.ask(y, { _tag: "Ping" }, forever))
          yield* ActorRef.tell(local, { _tag: "Add", n: 1 })
        }
        const counted = yield* ActorRef.ask(local, { _tag: "Get" }, forever)
        const stuckWhileOthersAnswered = stuck.pollUnsafe() === undefined
        // the watchdog pings every minute of Clock time; y answers each (its thread is healthy),
        // x cannot: more than 4 minutes without a pong and its thread is terminated
        for (let m = 0; m < 6; m++) {
          yield* TestSystem.advance("1 minute")
          yield* ActorRef.ask(y, { _tag: "Ping" }, forever)
        }
        const stuckEnd = yield* Fiber.join(stuck)
        const again = yield* ClusterRef.ref(IsolatedProtocol, "x", { watch: false })
        const after = yield* ActorRef.ask(again, { _tag: "Ping" }, forever)
        return { before, meanwhile, counted, stuckWhileOthersAnswered, stuckFailed: Exit.isFailure(stuckEnd), after }
      }),
      hosts
    )
    expect(out.before).toEqual({ n: 1, inThread: true })
    // while x's thread was hung: y (another isolated entity) and c (on the runner's event loop) answered
    expect(out.meanwhile).toEqual([1, 2, 3, 4, 5].map((n) => ({ n, inThread: true })))
    expect(out.counted).toBe(5)
    expect(out.stuckWhileOthersAnswered).toBe(true)
    // the hung incarnation was killed by the watchdog, its asker failed, and x answers again from
    // a fresh thread (fresh state: no replay of Hang)
    expect(out.stuckFailed).toBe(true)
    expect(ended.filter((e) => e.entity === "Isolated/x").map((e) => e.reason)).toEqual([ExitReason.killed])
    expect(ended.some((e) => e.entity !== "Isolated/x")).toBe(false)
    expect(out.after).toEqual({ n: 1, inThread: true })
    // every thread ended with the test's scope
    expect(WorkerActor.liveThreads()).toBe(0)
  }, 60_000)
})
