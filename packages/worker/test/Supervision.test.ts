import { Actor, ActorRef, ActorSystem, ExitReason } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { DynamicSupervisor, Supervisor } from "@arbor/supervisor"
import type { SupervisionEvent } from "@arbor/supervisor"
import { WorkerActor } from "@arbor/worker"
import { Effect, PubSub } from "effect"
import { describe, expect, it } from "vitest"
import { Counter, CounterWorker } from "./fixtures/counter.ts"
import type { CounterMsg } from "./fixtures/counter.ts"
import { fast, run, steady } from "./utils.ts"

/** Waits (without a timer) until `events` has seen an event with `tag`, returns everything seen. */
const until = (events: PubSub.Subscription<SupervisionEvent.SupervisionEvent>, seen: Array<string>, tag: string) =>
  Effect.gen(function*() {
    while (!seen.includes(tag)) seen.push((yield* PubSub.take(events))._tag)
    return seen
  })

const childRef = (sup: Supervisor.SupervisorRef, id: string) =>
  Effect.map(Supervisor.whichChildren(sup), (cs) => cs.find((c) => c.id === id)!.ref as ActorRef.ActorRef<CounterMsg>)

describe("WorkerActor under a supervisor", () => {
  it("restart intensity counts worker exits like any other: a fresh thread per restart, then escalation", async () => {
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 1,
        period: "1 minute",
        children: [WorkerActor.child("w", CounterWorker, fast)]
      })
      const events = yield* Supervisor.events(sup)
      const seen: Array<string> = []
      const first = yield* childRef(sup, "w")
      yield* ActorRef.tell(first, { _tag: "Add", n: 5 })
      yield* ActorRef.tell(first, { _tag: "Exit", code: 9 })
      yield* until(events, seen, "ChildStarted")
      const second = yield* childRef(sup, "w")
      const fresh = yield* ActorRef.ask(second, { _tag: "Get" }, { timeout: "20 seconds" })
      yield* ActorRef.tell(second, { _tag: "Hang" })
      const supReason = yield* ActorRef.monitor(sup)
      yield* until(events, seen, "RestartIntensityExceeded").pipe(Effect.ignore)
      return { fresh, distinct: first !== second, seen, supReason, secondReason: ActorRef.exitReasonUnsafe(second) }
    }))
    expect(WorkerActor.liveThreads()).toBe(0)
    expect(out.fresh).toBe(0)
    expect(out.distinct).toBe(true)
    expect(out.seen.filter((t) => t === "ChildExited").length).toBeGreaterThanOrEqual(1)
    expect(out.secondReason).toEqual(ExitReason.killed)
    expect(out.supReason._tag).toBe("Shutdown")
  })

  it("a hung worker never blocks the parent's actors: an in-process actor answers asks during the hang", async () => {
    const out = await run(Effect.gen(function*() {
      const local = yield* Actor.spawn(Counter)
      const ref = yield* WorkerActor.spawn(CounterWorker, { heartbeat: { interval: "100 millis", timeout: "1 second" } })
      yield* ActorRef.tell(ref, { _tag: "Hang" })
      let answered = 0
      // while the thread spins, the parent's own actors keep answering
      while (ActorRef.isAliveUnsafe(ref)) {
        yield* ActorRef.tell(local, { _tag: "Add", n: 1 })
        answered = yield* ActorRef.ask(local, { _tag: "Get" }, { timeout: "1 second" })
        yield* Effect.sleep("5 millis")
      }
      return { answered, reason: yield* ActorRef.monitor(ref) }
    }))
    expect(out.reason).toEqual(ExitReason.killed)
    expect(out.answered).toBeGreaterThan(10)
  })

  it("kill preempts a hung thread at once (terminate), reason Killed", async () => {
    const out = await run(Effect.gen(function*() {
      // a watchdog far slower than the test: only kill can end the hang in time
      const ref = yield* WorkerActor.spawn(CounterWorker, { heartbeat: { interval: "1 minute", timeout: "2 minutes" } })
      yield* ActorRef.tell(ref, { _tag: "Hang" })
      yield* ActorRef.ask(ref, { _tag: "Get" }, { timeout: "50 millis" }).pipe(Effect.ignore)
      return yield* ActorRef.kill(ref)
    }))
    expect(out).toEqual(ExitReason.killed)
  })

  it("shutdown with a timeout asks the thread's actor first, then terminates a thread that does not stop", async () => {
    const out = await run(Effect.gen(function*() {
      const polite = yield* WorkerActor.spawn(CounterWorker, steady)
      const politeReason = yield* ActorRef.shutdown(polite, "5 seconds", ExitReason.shutdown("bye"))
      const stuck = yield* WorkerActor.spawn(CounterWorker, { heartbeat: { interval: "1 minute", timeout: "2 minutes" } })
      yield* ActorRef.tell(stuck, { _tag: "Hang" })
      const before = WorkerActor.liveThreads()
      yield* ActorRef.shutdown(stuck, "200 millis")
      return { politeReason, before, after: WorkerActor.liveThreads(), alive: ActorRef.isAliveUnsafe(stuck) }
    }))
    expect(out.politeReason).toEqual(ExitReason.shutdown("bye"))
    // the hung thread was terminated when the timeout turned the stop into a kill
    expect(out.alive).toBe(false)
    expect(out.after).toBe(out.before - 1)
  })

  it("messages in flight to a thread that dies become dead letters (G19), not silent losses", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* ActorSystem.deadLetters
      const ref = yield* WorkerActor.spawn(CounterWorker, steady)
      yield* ActorRef.tell(ref, { _tag: "Exit", code: 1 })
      for (let i = 0; i < 5; i++) yield* ActorRef.tell(ref, { _tag: "Add", n: i })
      yield* ActorRef.monitor(ref)
      const got = []
      while (got.length < 5) {
        const l = yield* PubSub.take(letters)
        if ((l.message as CounterMsg)._tag === "Add") got.push(l)
      }
      return { got, ref }
    }))
    expect(out.got.map((l) => (l.message as { n: number }).n)).toEqual([0, 1, 2, 3, 4])
    expect(out.got.every((l) => l.recipient === out.ref)).toBe(true)
  })

  it("registry names and monitors work on the proxy; a DynamicSupervisor pool of worker actors", async () => {
    const key = Registry.key<CounterMsg>()("pool-member")
    const out = await Effect.gen(function*() {
      const pool = yield* DynamicSupervisor.start({
        intensity: 5,
        period: "1 minute",
        restart: "temporary",
        child: (i: number) => WorkerActor.spawn(CounterWorker, { ...steady, label: `job-${i}` })
      })
      const a = (yield* DynamicSupervisor.startChild(pool, 1))!
      const b = (yield* DynamicSupervisor.startChild(pool, 2))!
      yield* Registry.register(key, a as ActorRef.ActorRef<CounterMsg>)
      const named = (yield* Registry.lookup(key))
      yield* ActorRef.tell(b as ActorRef.ActorRef<CounterMsg>, { _tag: "Add", n: 4 })
      const fromB = yield* ActorRef.ask(b as ActorRef.ActorRef<CounterMsg>, { _tag: "Get" }, { timeout: "20 seconds" })
      yield* ActorRef.tell(a as ActorRef.ActorRef<CounterMsg>, { _tag: "Throw", message: "x" })
      yield* ActorRef.monitor(a)
      const afterDeath = yield* Registry.lookup(key)
      return { named: named._tag === "Some" && named.value === a, fromB, afterDeath: afterDeath._tag, count: yield* DynamicSupervisor.countChildren(pool) }
    }).pipe(Effect.provide(Registry.layer), run)
    expect(out.named).toBe(true)
    expect(out.fromB).toBe(4)
    expect(out.afterDeath).toBe("None")
    expect(out.count.active).toBe(1)
  })
})

describe("WorkerActor: nothing outlives the root scope", () => {
  it("no worker thread survives the root scope closing (counted)", async () => {
    const during = await run(Effect.gen(function*() {
      yield* Supervisor.start({
        strategy: "one-for-one",
        children: [
          WorkerActor.child("a", CounterWorker, steady),
          WorkerActor.child("b", CounterWorker, steady),
          Supervisor.child("inner", { strategy: "one-for-all", children: [WorkerActor.child("c", CounterWorker, steady)] })
        ]
      })
      const d = yield* WorkerActor.spawn(CounterWorker, fast)
      yield* ActorRef.tell(d, { _tag: "Hang" })
      return WorkerActor.liveThreads()
    }))
    expect(during).toBe(4)
    expect(WorkerActor.liveThreads()).toBe(0)
  })
})
