import { Actor, ActorRef, ExitReason } from "@arbor/core"
import { WorkerActor } from "@arbor/worker"
import { Cause, Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Counter, CounterWorker, Overdrawn } from "./fixtures/counter.ts"
import { fast, run, steady } from "./utils.ts"

const failureOf = (reason: ExitReason.ExitReason): unknown => {
  if (reason._tag !== "Failure") throw new Error(`expected a Failure, got ${ExitReason.format(reason)}`)
  return Cause.squash(reason.cause)
}

describe("WorkerActor: one behaviour, in-process or in a thread", () => {
  it("tell and ask work the same through Actor.spawn and WorkerActor.spawn", async () => {
    const out = await run(Effect.gen(function*() {
      const local = yield* Actor.spawn(Counter)
      const remote = yield* WorkerActor.spawn(CounterWorker, { label: "counter", ...steady })
      const results = []
      for (const ref of [local, remote]) {
        yield* ActorRef.tell(ref, { _tag: "Add", n: 2 })
        yield* ActorRef.tell(ref, { _tag: "Add", n: 3 })
        results.push(yield* ActorRef.ask(ref, { _tag: "Get" }, { timeout: "10 seconds" }))
        results.push(yield* ActorRef.ask(ref, { _tag: "Echo", text: "hi" }, { timeout: "10 seconds" }))
      }
      return { results, alive: yield* ActorRef.isAlive(remote), label: remote.label }
    }))
    expect(out.results).toEqual([5, "hi", 5, "hi"])
    expect(out.alive).toBe(true)
    expect(out.label).toBe("counter")
  })
})

describe("WorkerActor: failure becomes the proxy's exit reason", () => {
  it("a handler that throws: Failure with the thread's error carried across", async () => {
    const reason = await run(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, steady)
      yield* ActorRef.tell(ref, { _tag: "Throw", message: "boom" })
      return yield* ActorRef.monitor(ref)
    }))
    const error = failureOf(reason) as Error
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe("TypeError")
    expect(error.message).toBe("boom")
    expect(error.stack).toContain("counter.ts")
  })

  it("a typed failure crosses as itself (the protocol's errors schema)", async () => {
    const reason = await run(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, steady)
      yield* ActorRef.tell(ref, { _tag: "Overdraw", by: 12 })
      return yield* ActorRef.monitor(ref)
    }))
    const error = failureOf(reason)
    expect(error).toBeInstanceOf(Overdrawn)
    expect((error as Overdrawn).by).toBe(12)
  })

  it("an ask whose handler throws fails with ActorExited carrying the reason", async () => {
    const out = await run(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, steady)
      const error = yield* Effect.flip(ActorRef.ask(ref, { _tag: "ThrowOnAsk", message: "bad" }, { timeout: "10 seconds" }))
      return { error, reason: yield* ActorRef.monitor(ref) }
    }))
    expect(out.error._tag).toBe("ActorExited")
    expect(out.error._tag === "ActorExited" && out.error.reason).toBe(out.reason)
    expect((failureOf(out.reason) as Error).message).toBe("bad")
  })

  it("process.exit(n): Failure(WorkerExited) naming the code", async () => {
    const reason = await run(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, steady)
      yield* ActorRef.tell(ref, { _tag: "Exit", code: 3 })
      return yield* ActorRef.monitor(ref)
    }))
    const error = failureOf(reason) as WorkerActor.WorkerExited
    expect(error).toBeInstanceOf(WorkerActor.WorkerExited)
    expect(error.kind).toBe("exit")
    expect(error.exitCode).toBe(3)
  })

  it("an exception outside any handler: Failure(WorkerExited uncaught)", async () => {
    const reason = await run(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, steady)
      yield* ActorRef.tell(ref, { _tag: "AsyncThrow", message: "late" })
      return yield* ActorRef.monitor(ref)
    }))
    const error = failureOf(reason) as WorkerActor.WorkerExited
    expect(error.kind).toBe("uncaught")
    expect(error.detail).toContain("late")
  })

  it("a hang: the watchdog terminates the thread, reason Killed, the ask fails with ActorExited", async () => {
    const out = await run(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, fast)
      yield* ActorRef.tell(ref, { _tag: "Hang" })
      const error = yield* Effect.flip(ActorRef.ask(ref, { _tag: "Get" }, { timeout: "20 seconds" }))
      return { error, reason: yield* ActorRef.monitor(ref) }
    }))
    expect(out.reason).toEqual(ExitReason.killed)
    expect(out.error._tag).toBe("ActorExited")
  })

  it("out of memory under resourceLimits: Failure(WorkerExited oom), the parent's heap unaffected", async () => {
    const before = process.memoryUsage().heapUsed
    const reason = await run(Effect.gen(function*() {
      // a generous watchdog: near its heap limit V8 collects garbage for long stretches, which a
      // very short timeout would (correctly) report as a hang first
      const ref = yield* WorkerActor.spawn(CounterWorker, {
        heartbeat: { interval: "100 millis", timeout: "10 seconds" },
        resourceLimits: { maxOldGenerationSizeMb: 32 }
      })
      yield* ActorRef.tell(ref, { _tag: "Oom" })
      return yield* ActorRef.monitor(ref)
    }))
    const error = failureOf(reason) as WorkerActor.WorkerExited
    expect(error.kind).toBe("oom")
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * 1024 * 1024)
  })

  it("the thread's actor stops normally: the proxy ends Normal", async () => {
    const reason = await run(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, steady)
      yield* ActorRef.tell(ref, { _tag: "Finish" })
      return yield* ActorRef.monitor(ref)
    }))
    expect(reason).toEqual(ExitReason.normal)
  })
})
