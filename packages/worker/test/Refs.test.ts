/**
 * The proxy is an ordinary `ActorRef`: `send`, `link` (G15/G16) and `watch` work on it as on a
 * local actor, and every supervisor strategy treats a worker child's exit as any child's.
 */
import { Actor, ActorRef, ExitReason } from "@arbor/core"
import type { Actor as ActorNs } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import type { SupervisionEvent } from "@arbor/supervisor"
import { WorkerActor } from "@arbor/worker"
import { Cause, Effect, PubSub } from "effect"
import { describe, expect, it } from "vitest"
import { Counter, CounterWorker } from "./fixtures/counter.ts"
import { run, steady } from "./utils.ts"

const failureMessage = (reason: ExitReason.ExitReason | undefined): string =>
  reason?._tag === "Failure" ? String((Cause.squash(reason.cause) as Error).message) : `not a Failure: ${String(reason?._tag)}`

describe("WorkerActor: the proxy is an ordinary ActorRef", () => {
  it("send, link and watch: a linked actor ends with the worker's reason, a trapping one and a watcher are told", async () => {
    const out = await run(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, steady)
      const signals: Array<ActorNs.Signal> = []
      let told: () => void = () => {}
      const allTold = Effect.callback<void>((resume) => {
        told = () => signals.length === 2 && resume(Effect.void)
      })
      const Observer = Actor.make<{ readonly _tag: "Noop" }>()({
        init: () => Effect.succeed(0),
        trapExit: true,
        receive: { Noop: (s) => s },
        onSignal: (s, signal) => {
          signals.push(signal)
          told()
          return s
        }
      })
      const observer = yield* Actor.spawn(Observer)
      const linked = yield* Actor.spawn(Counter)
      yield* ActorRef.link(linked, ref)
      yield* ActorRef.link(observer, ref)
      yield* ActorRef.watch(observer, ref)
      yield* ActorRef.send(ref, { _tag: "Add", n: 2 })
      const n = yield* ActorRef.ask(ref, { _tag: "Get" }, { timeout: "30 seconds" })
      yield* ActorRef.tell(ref, { _tag: "Throw", message: "linked" })
      const reason = yield* ActorRef.monitor(ref)
      const linkedReason = yield* ActorRef.monitor(linked)
      yield* allTold
      return { n, reason, linkedReason, signals, observerAlive: ActorRef.isAliveUnsafe(observer) }
    }))
    expect(out.n).toBe(2)
    expect(failureMessage(out.reason)).toBe("linked")
    expect(out.linkedReason).toBe(out.reason)
    expect(out.signals.map((s) => s._tag).sort()).toEqual(["Down", "Exit"])
    for (const s of out.signals) expect(s.reason).toBe(out.reason)
    expect(out.observerAlive).toBe(true)
  })

  it("one-for-all restarts every sibling of a worker child, rest-for-one only those after it", async () => {
    const restartOf = (strategy: "one-for-all" | "rest-for-one") =>
      Effect.gen(function*() {
        const sup = yield* Supervisor.start({
          strategy,
          intensity: 3,
          period: "1 minute",
          children: [
            Child.worker({ id: "before", start: Actor.spawn(Counter) }),
            WorkerActor.child("w", CounterWorker, steady),
            Child.worker({ id: "after", start: Actor.spawn(Counter) })
          ]
        })
        const events = yield* Supervisor.events(sup)
        const refs = () =>
          Effect.map(Supervisor.whichChildren(sup), (cs) => ["before", "w", "after"].map((id) => cs.find((c) => c.id === id)!.ref))
        const [before0, w0, after0] = yield* refs()
        yield* ActorRef.tell(w0 as ActorRef.ActorRef<import("./fixtures/counter.ts").CounterMsg>, { _tag: "Exit", code: 4 })
        // the last child restarted ends the restart, whichever the strategy
        let e: SupervisionEvent.SupervisionEvent
        do e = yield* PubSub.take(events)
        while (!(e._tag === "ChildStarted" && e.child === "after" && e.restart))
        const [before1, w1, after1] = yield* refs()
        const answer = yield* ActorRef.ask(w1 as ActorRef.ActorRef<import("./fixtures/counter.ts").CounterMsg>, { _tag: "Get" }, { timeout: "30 seconds" })
        yield* ActorRef.stop(sup)
        return { before: before0 !== before1, w: w0 !== w1, after: after0 !== after1, answer }
      })
    const out = await run(Effect.all({ oneForAll: restartOf("one-for-all"), restForOne: restartOf("rest-for-one") }))
    expect(out.oneForAll).toEqual({ before: true, w: true, after: true, answer: 0 })
    expect(out.restForOne).toEqual({ before: false, w: true, after: true, answer: 0 })
    expect(WorkerActor.liveThreads()).toBe(0)
  })
})
