/**
 * Asks across the boundary are pipelined: the proxy forwards each at once (`Actor.deferReply`)
 * and the thread's reply, correlated by id, answers its own asker. What is in flight when the
 * thread dies, with several askers and senders at once: every ask fails with `ActorExited`
 * carrying the proxy's exit reason (none waits for its deadline), every plain message the
 * thread had not taken becomes a dead letter of the proxy (G19); and each ask keeps its own
 * deadline.
 */
import { ActorRef, ActorSystem, Errors } from "@arbor/core"
import { WorkerActor } from "@arbor/worker"
import { Cause, Effect, Exit, Fiber, PubSub } from "effect"
import { describe, expect, it } from "vitest"
import { CounterWorker } from "./fixtures/counter.ts"
import type { CounterMsg } from "./fixtures/counter.ts"
import { run, steady } from "./utils.ts"

describe("WorkerActor: asks are pipelined across the boundary", () => {
  it("concurrent asks to one worker actor are all in the thread at once, each answered with its own reply", async () => {
    const out = await run(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, steady)
      // the first request naps in the thread; the others reach the thread's mailbox meanwhile
      const first = yield* Effect.forkChild(ActorRef.ask(ref, { _tag: "SleepThenBacklog", millis: 1_000 }, { timeout: "1 minute" }), {
        startImmediately: true
      })
      const echoes = yield* Effect.forEach(
        ["a", "b", "c", "d", "e"],
        (text) => Effect.forkChild(ActorRef.ask(ref, { _tag: "Echo", text }, { timeout: "1 minute" }), { startImmediately: true })
      )
      const backlog = yield* Fiber.join(first)
      return { backlog, texts: yield* Effect.forEach(echoes, Fiber.join) }
    }))
    // serialized asks would leave nothing behind the first one in the thread
    expect(out.backlog).toBe(5)
    expect(out.texts).toEqual(["a", "b", "c", "d", "e"])
  })
})

describe("WorkerActor: messages and asks in flight to a dying thread", () => {
  it("concurrent asks all fail with ActorExited carrying the reason; untaken tells become dead letters (G19)", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* ActorSystem.deadLetters
      const ref = yield* WorkerActor.spawn(CounterWorker, { ...steady, label: "dying" })
      // the thread will exit from a timer while its actor naps: what it has not taken is lost to it
      yield* ActorRef.tell(ref, { _tag: "ExitLater", code: 7, millis: 300 })
      yield* ActorRef.tell(ref, { _tag: "Nap", millis: 60_000 })
      for (let n = 1; n <= 3; n++) yield* ActorRef.tell(ref, { _tag: "Add", n })
      // three askers at once, deadlines far away: all forwarded, waiting behind the nap in the thread
      const asks = yield* Effect.forEach(
        [{ _tag: "Get" }, { _tag: "Echo", text: "x" }, { _tag: "Sleep", millis: 1 }] as const,
        (m) => Effect.forkChild(Effect.flip(ActorRef.ask(ref, m, { timeout: "1 minute" })), { startImmediately: true })
      )
      const reason = yield* ActorRef.monitor(ref)
      const errors = yield* Effect.forEach(asks, Fiber.join)
      const dead: Array<number> = []
      while (dead.length < 3) {
        const l = yield* PubSub.take(letters)
        const m = l.message as CounterMsg
        if (l.recipient === ref && m._tag === "Add") dead.push(m.n)
      }
      return { reason, errors, dead }
    }))
    const error = Cause.squash((out.reason as { cause: Cause.Cause<unknown> }).cause) as WorkerActor.WorkerExited
    expect(error).toBeInstanceOf(WorkerActor.WorkerExited)
    expect(error.exitCode).toBe(7)
    expect(out.errors.map((e) => e._tag)).toEqual(["ActorExited", "ActorExited", "ActorExited"])
    for (const e of out.errors) expect((e as Errors.ActorExited).reason).toBe(out.reason)
    expect(out.dead).toEqual([1, 2, 3])
    expect(WorkerActor.liveThreads()).toBe(0)
  })

  it("each ask keeps its own deadline: a short one times out while a long one holds the thread; the proxy carries on", async () => {
    const out = await run(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, steady)
      yield* ActorRef.tell(ref, { _tag: "Add", n: 4 })
      // started at once: the long ask is in the proxy before the short one
      const long = yield* Effect.forkChild(ActorRef.ask(ref, { _tag: "Sleep", millis: 1_500 }, { timeout: "30 seconds" }), {
        startImmediately: true
      })
      const short = yield* Effect.exit(ActorRef.ask(ref, { _tag: "Get" }, { timeout: "100 millis" }))
      const longValue = yield* Fiber.join(long)
      // the timed-out request's reply came late and was dropped: the proxy answers the next one
      const after = yield* ActorRef.ask(ref, { _tag: "Echo", text: "still here" }, { timeout: "30 seconds" })
      return { short, longValue, after, alive: ActorRef.isAliveUnsafe(ref) }
    }))
    expect(Exit.isFailure(out.short) && Cause.squash(out.short.cause)).toBeInstanceOf(Errors.AskTimeout)
    expect(out.longValue).toBe(4)
    expect(out.after).toBe("still here")
    expect(out.alive).toBe(true)
  })
})
