import { describe, expect, it } from "vitest"
import { Effect, Exit, Fiber } from "effect"
import { Actor, ActorRef, ExitReason } from "@arbor/core"
import { run, untilIdle } from "./utils.ts"

type Msg =
  | { readonly _tag: "Fail"; readonly error: string }
  | { readonly _tag: "Quit" }
  | Actor.Request<{ readonly _tag: "Signals" }, ReadonlyArray<string>>

const stopHooks: Array<string> = []

const describeSignal = (signal: Actor.Signal): string =>
  signal._tag === "Exit"
    ? `Exit from #${signal.from.id}: ${ExitReason.format(signal.reason)}`
    : `Down of #${signal.actor.id}: ${ExitReason.format(signal.reason)}`

const make = (trapExit: boolean) =>
  Actor.make<Msg>()({
    init: () => Effect.succeed<ReadonlyArray<string>>([]),
    receive: {
      Fail: (_s, m) => Effect.fail(m.error),
      Quit: () => Actor.stop(),
      Signals: (s) => Actor.reply(s, s)
    },
    onSignal: (s, signal) => [...s, describeSignal(signal)],
    onStop: (_s, reason) => Effect.sync(() => stopHooks.push(ExitReason.format(reason))),
    trapExit
  })

const Worker = make(false)
const Trapper = make(true)

describe("G14 monitors", () => {
  it("G14 monitor yields the exit reason when the actor ends", async () => {
    const out = await run(Effect.gen(function*() {
      const w = yield* Actor.spawn(Worker)
      const watching = yield* Effect.forkChild(ActorRef.monitor(w))
      const watching2 = yield* Effect.forkChild(ActorRef.monitor(w))
      yield* untilIdle
      const pending = watching.pollUnsafe()
      yield* ActorRef.tell(w, { _tag: "Fail", error: "crash" })
      return { pending, reason: yield* Fiber.join(watching), reason2: yield* Fiber.join(watching2) }
    }))
    expect(out.pending).toBeUndefined()
    expect(ExitReason.format(out.reason)).toBe("failure(crash)")
    expect(out.reason2).toBe(out.reason)
  })

  it("G14 monitoring an actor that has already ended yields its reason at once", async () => {
    const out = await run(Effect.gen(function*() {
      const w = yield* Actor.spawn(Worker)
      yield* ActorRef.stop(w, ExitReason.shutdown("done"))
      const monitoring = yield* Effect.forkChild(ActorRef.monitor(w))
      yield* Effect.yieldNow
      const polled = monitoring.pollUnsafe()
      let called: ExitReason.ExitReason | undefined
      ActorRef.onExit(w, (r) => (called = r))
      return { polled, called }
    }))
    expect(out.polled).toEqual(Exit.succeed(ExitReason.shutdown("done")))
    expect(out.called).toEqual(ExitReason.shutdown("done"))
  })

  it("G14 onExit callbacks run once in registration order and can be cancelled", async () => {
    const calls: Array<string> = []
    await run(Effect.gen(function*() {
      const w = yield* Actor.spawn(Worker)
      ActorRef.onExit(w, (r) => calls.push(`first ${r._tag}`))
      const cancel = ActorRef.onExit(w, () => calls.push("cancelled"))
      ActorRef.onExit(w, (r) => calls.push(`third ${r._tag}`))
      cancel()
      yield* ActorRef.tell(w, { _tag: "Quit" })
      yield* ActorRef.monitor(w)
    }))
    expect(calls).toEqual(["first Normal", "third Normal"])
  })

  it("G14 an interrupted monitor stops waiting and leaves the actor untouched", async () => {
    const out = await run(Effect.gen(function*() {
      const w = yield* Actor.spawn(Worker)
      const monitoring = yield* Effect.forkChild(ActorRef.monitor(w))
      yield* untilIdle
      yield* Fiber.interrupt(monitoring)
      return ActorRef.isAliveUnsafe(w)
    }))
    expect(out).toBe(true)
  })

  it("G14 watch delivers a Down signal to the watcher, once, even when watched twice; at once for an ended actor", async () => {
    const out = await run(Effect.gen(function*() {
      const watcher = yield* Actor.spawn(Worker)
      const a = yield* Actor.spawn(Worker)
      const b = yield* Actor.spawn(Worker)
      yield* ActorRef.watch(watcher, a)
      yield* ActorRef.watch(watcher, a)
      yield* ActorRef.tell(a, { _tag: "Fail", error: "a broke" })
      yield* ActorRef.monitor(a)
      yield* ActorRef.stop(b)
      yield* ActorRef.watch(watcher, b)
      return { signals: yield* ActorRef.ask(watcher, { _tag: "Signals" }), a: a.id, b: b.id }
    }))
    expect(out.signals).toEqual([`Down of #${out.a}: failure(a broke)`, `Down of #${out.b}: shutdown`])
  })

  it("G14 a watcher that ends stops watching; watching does not link", async () => {
    const out = await run(Effect.gen(function*() {
      const watcher = yield* Actor.spawn(Worker)
      const target = yield* Actor.spawn(Worker)
      yield* ActorRef.watch(watcher, target)
      yield* ActorRef.tell(target, { _tag: "Fail", error: "x" })
      yield* ActorRef.monitor(target)
      const watcherAlive = ActorRef.isAliveUnsafe(watcher)
      yield* ActorRef.stop(watcher)
      const target2 = yield* Actor.spawn(Worker)
      const watcher2 = yield* Actor.spawn(Worker)
      yield* ActorRef.watch(watcher2, target2)
      yield* ActorRef.stop(watcher2)
      yield* ActorRef.stop(target2)
      return { watcherAlive, target2: ActorRef.exitReasonUnsafe(target2) }
    }))
    expect(out.watcherAlive).toBe(true)
    expect(out.target2).toEqual(ExitReason.shutdown())
  })
})

describe("G15 links", () => {
  it("G15 an abnormal exit ends the linked actor with the same reason, both ways, skipping its stop hook", async () => {
    stopHooks.length = 0
    const out = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Worker)
      const b = yield* Actor.spawn(Worker)
      yield* ActorRef.link(a, b)
      yield* ActorRef.tell(b, { _tag: "Fail", error: "b broke" })
      const ra = yield* ActorRef.monitor(a)
      const c = yield* Actor.spawn(Worker)
      const d = yield* Actor.spawn(Worker)
      yield* ActorRef.link(c, d)
      yield* ActorRef.tell(c, { _tag: "Fail", error: "c broke" })
      const rd = yield* ActorRef.monitor(d)
      return { ra, rb: ActorRef.exitReasonUnsafe(b), rd }
    }))
    expect(out.ra).toBe(out.rb)
    expect(ExitReason.format(out.ra)).toBe("failure(b broke)")
    expect(ExitReason.format(out.rd)).toBe("failure(c broke)")
    // only the actors that failed themselves ran their stop hooks
    expect(stopHooks).toEqual(["failure(b broke)", "failure(c broke)"])
  })

  it("G15 a Normal exit does not end linked actors; Shutdown and Killed do", async () => {
    const out = await run(Effect.gen(function*() {
      const [a1, b1, a2, b2, a3, b3] = yield* Effect.all(Array.from({ length: 6 }, () => Actor.spawn(Worker)))
      yield* ActorRef.link(a1!, b1!)
      yield* ActorRef.link(a2!, b2!)
      yield* ActorRef.link(a3!, b3!)
      yield* ActorRef.tell(b1!, { _tag: "Quit" })
      yield* ActorRef.monitor(b1!)
      yield* ActorRef.stop(b2!, ExitReason.shutdown("rebalance"))
      yield* ActorRef.kill(b3!)
      yield* untilIdle
      return {
        normal: ActorRef.isAliveUnsafe(a1!),
        shutdown: yield* ActorRef.monitor(a2!),
        killed: yield* ActorRef.monitor(a3!)
      }
    }))
    expect(out.normal).toBe(true)
    expect(out.shutdown).toEqual(ExitReason.shutdown("rebalance"))
    expect(out.killed).toEqual(ExitReason.killed)
  })

  it("G15 exits propagate along a chain of links", async () => {
    const reasons = await run(Effect.gen(function*() {
      const refs = yield* Effect.all(Array.from({ length: 4 }, () => Actor.spawn(Worker)))
      for (let i = 0; i + 1 < refs.length; i++) yield* ActorRef.link(refs[i]!, refs[i + 1]!)
      yield* ActorRef.tell(refs[0]!, { _tag: "Fail", error: "root cause" })
      return yield* Effect.forEach(refs, ActorRef.monitor)
    }))
    expect(reasons.map(ExitReason.format)).toEqual(Array(4).fill("failure(root cause)"))
  })

  it("G15 unlink removes the link in both directions", async () => {
    const out = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Worker)
      const b = yield* Actor.spawn(Worker)
      yield* ActorRef.link(a, b)
      yield* ActorRef.unlink(b, a)
      yield* ActorRef.tell(b, { _tag: "Fail", error: "alone" })
      yield* ActorRef.monitor(b)
      yield* untilIdle
      return ActorRef.isAliveUnsafe(a)
    }))
    expect(out).toBe(true)
  })

  it("G15 linking to an actor that already ended delivers its exit at once, whichever side is named first", async () => {
    const out = await run(Effect.gen(function*() {
      const dead = yield* Actor.spawn(Worker)
      yield* ActorRef.kill(dead)
      const a = yield* Actor.spawn(Worker)
      const b = yield* Actor.spawn(Worker)
      yield* ActorRef.link(a, dead)
      yield* ActorRef.link(dead, b)
      return { a: yield* ActorRef.monitor(a), b: yield* ActorRef.monitor(b) }
    }))
    expect(out).toEqual({ a: ExitReason.killed, b: ExitReason.killed })
  })
})

describe("G16 trapping exits", () => {
  it("G16 an actor that traps exits receives linked actors' exits as Exit signals and keeps running", async () => {
    const out = await run(Effect.gen(function*() {
      const trapper = yield* Actor.spawn(Trapper)
      const failing = yield* Actor.spawn(Worker)
      const quitting = yield* Actor.spawn(Worker)
      yield* ActorRef.link(trapper, failing)
      yield* ActorRef.link(quitting, trapper)
      yield* ActorRef.tell(failing, { _tag: "Fail", error: "oops" })
      yield* ActorRef.monitor(failing)
      yield* ActorRef.tell(quitting, { _tag: "Quit" })
      yield* ActorRef.monitor(quitting)
      return {
        signals: yield* ActorRef.ask(trapper, { _tag: "Signals" }),
        alive: ActorRef.isAliveUnsafe(trapper),
        failing: failing.id,
        quitting: quitting.id
      }
    }))
    expect(out.alive).toBe(true)
    expect(out.signals).toEqual([
      `Exit from #${out.failing}: failure(oops)`,
      `Exit from #${out.quitting}: normal`
    ])
  })

  it("G16 a trapping actor that ends still ends its non-trapping links", async () => {
    const out = await run(Effect.gen(function*() {
      const trapper = yield* Actor.spawn(Trapper)
      const worker = yield* Actor.spawn(Worker)
      yield* ActorRef.link(trapper, worker)
      yield* ActorRef.tell(trapper, { _tag: "Fail", error: "trapper broke" })
      return yield* ActorRef.monitor(worker)
    }))
    expect(ExitReason.format(out)).toBe("failure(trapper broke)")
  })

  it("G16 a trapped exit can make the actor stop on its own terms", async () => {
    const Guardian = Actor.make<{ readonly _tag: "Ping" }>()({
      init: () => Effect.succeed(0),
      receive: { Ping: (s) => s },
      onSignal: (_s, signal) => Actor.stop(ExitReason.shutdown(signal._tag)),
      trapExit: true
    })
    const reason = await run(Effect.gen(function*() {
      const g = yield* Actor.spawn(Guardian)
      const w = yield* Actor.spawn(Worker)
      yield* ActorRef.link(g, w)
      yield* ActorRef.kill(w)
      return yield* ActorRef.monitor(g)
    }))
    expect(reason).toEqual(ExitReason.shutdown("Exit"))
  })
})
