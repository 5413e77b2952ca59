/**
 * The heartbeat watchdog reads Effect's `Clock`: under a `TestClock`, time moves only with
 * `TestClock.adjust`, so the detection bound (`timeout + interval`) is shown exactly, without
 * any timed assertion. The thread is real; only the parent's notion of time is simulated. A
 * ping the thread is hung behind can never be answered, whatever the real time.
 */
import { ActorRef, ActorSystem, ExitReason } from "@arbor/core"
import { TestSystem } from "@arbor/testkit"
import { WorkerActor } from "@arbor/worker"
import { Effect } from "effect"
import type * as Scope from "effect/Scope"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { CounterWorker } from "./fixtures/counter.ts"

// the thread starts in real time while the start timeout sleeps on the TestClock: no warning for that
const runTestClock = <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>): Promise<A> =>
  TestSystem.run(program, { warningDelay: "1 minute" })

/**
 * `true` if the proxy is still alive after a pause of real time long enough for a kill decided
 * on the Clock to end it (terminating a thread takes milliseconds). One-sided: a slow machine can
 * only make a wrong early kill go unseen, never fail a correct watchdog.
 */
const stillAlive = (ref: ActorRef.ActorRef<never>): Effect.Effect<boolean> =>
  Effect.andThen(
    Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 300))),
    Effect.sync(() => ActorRef.isAliveUnsafe(ref))
  )

describe("WorkerActor: the heartbeat watchdog on the Clock (TestClock)", () => {
  it("a healthy thread is never killed; a hung one is Killed exactly when timeout + interval of Clock time have passed", async () => {
    const out = await runTestClock(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, { heartbeat: { interval: "1 minute", timeout: "4 minutes" } })
      // minutes, not seconds: a watchdog on real time would not fire within the test's timeout
      // healthy: 20 watchdog periods (5× the timeout); each ping is answered before the reply of
      // the ask that follows it (one port, in order), so every check sees a fresh pong
      for (let i = 0; i < 20; i++) {
        yield* TestClock.adjust("1 minute")
        yield* ActorRef.ask(ref, { _tag: "Get" }, { timeout: "infinity" })
      }
      const aliveWhenHealthy = ActorRef.isAliveUnsafe(ref)
      yield* ActorRef.tell(ref, { _tag: "Hang" })
      // the proxy has forwarded Hang once it has taken it (its tell handler posts synchronously):
      // every ping from now on queues behind the loop
      while ((yield* ActorRef.mailboxSize(ref)) > 0) yield* Effect.yieldNow
      for (let k = 1; k <= 4; k++) yield* TestClock.adjust("1 minute")
      const aliveAt4 = yield* stillAlive(ref)
      // 4 minutes without a pong is not yet more than the timeout; the next check (at 5) is
      yield* TestClock.adjust("1 minute")
      const reason = yield* ActorRef.monitor(ref)
      return { aliveWhenHealthy, aliveAt4, reason }
    }))
    expect(out.aliveWhenHealthy).toBe(true)
    expect(out.aliveAt4).toBe(true)
    expect(out.reason).toEqual(ExitReason.killed)
    expect(WorkerActor.liveThreads()).toBe(0)
  })

  it("the default bound is 5 s of Clock time (1 s interval, 4 s timeout)", async () => {
    const out = await runTestClock(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker)
      yield* ActorRef.tell(ref, { _tag: "Hang" })
      while ((yield* ActorRef.mailboxSize(ref)) > 0) yield* Effect.yieldNow
      yield* TestClock.adjust("4 seconds")
      const aliveAt4s = yield* stillAlive(ref)
      yield* TestClock.adjust("1 second")
      return { aliveAt4s, reason: yield* ActorRef.monitor(ref) }
    }))
    expect(out.aliveAt4s).toBe(true)
    expect(out.reason).toEqual(ExitReason.killed)
  })
})
