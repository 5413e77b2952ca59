import { describe, expect, expectTypeOf, it } from "vitest"
import { Duration, Effect, Exit, Fiber } from "effect"
import type { Scope } from "effect"
import { TestClock } from "effect/testing"
import { Actor, ActorRef, Errors, ExitReason } from "@arbor/core"
import { collectDeadLetters, isDone, makeGate, run, untilIdle } from "./utils.ts"
import type { Gate } from "./utils.ts"

// -----------------------------------------------------------------------------------------
// a server whose handlers can be held on a gate
// -----------------------------------------------------------------------------------------

type ServerMsg =
  | { readonly _tag: "Set"; readonly value: number }
  | Actor.Request<{ readonly _tag: "Get" }, number>
  | Actor.Request<{ readonly _tag: "Label" }, string>
  | { readonly _tag: "Hold"; readonly gate: Gate }
  | Actor.Request<{ readonly _tag: "HoldThenGet"; readonly gate: Gate }, number>
  | Actor.Request<{ readonly _tag: "Hang" }, number>
  | Actor.Request<{ readonly _tag: "FailInstead"; readonly error: string }, number>
  | Actor.Request<{ readonly _tag: "StopInstead" }, number>
  | Actor.Request<{ readonly _tag: "Handled" }, ReadonlyArray<string>>

interface ServerState {
  readonly value: number
  readonly handled: ReadonlyArray<string>
}

const stopHookCalls: Array<readonly [number, ExitReason.ExitReason]> = []
const released: Array<string> = []

const Server = Actor.make<ServerMsg>()({
  init: (): Effect.Effect<ServerState, never, Scope.Scope> =>
    Effect.as(Effect.addFinalizer(() => Effect.sync(() => released.push("server resource"))), {
      value: 0,
      handled: []
    }),
  receive: {
    Set: (s, m) => ({ value: m.value, handled: [...s.handled, `Set(${m.value})`] }),
    Get: (s) => Actor.reply(s.value, { ...s, handled: [...s.handled, "Get"] }),
    Label: (s, _m, ctx) => Actor.reply(String(ctx.self.label), s),
    Hold: (s, m) => Effect.as(m.gate.wait, { value: s.value + 1, handled: [...s.handled, "Hold"] }),
    HoldThenGet: (s, m) =>
      Effect.as(m.gate.wait, Actor.reply(s.value, { ...s, handled: [...s.handled, "HoldThenGet"] })),
    Hang: () => Effect.never,
    FailInstead: (_s, m) => Effect.fail(m.error),
    StopInstead: () => Actor.stop(),
    Handled: (s) => Actor.reply(s.handled, s)
  },
  onStop: (s, reason) => Effect.sync(() => stopHookCalls.push([s.value, reason]))
})

describe("G5 tell never fails", () => {
  it("G5 tell to an actor that is not alive succeeds and the message becomes a dead letter", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* collectDeadLetters
      const s = yield* Actor.spawn(Server)
      yield* ActorRef.stop(s)
      const exit = yield* Effect.exit(ActorRef.tell(s, { _tag: "Set", value: 1 }))
      let threw = false
      try {
        ActorRef.tellUnsafe(s, { _tag: "Set", value: 2 })
      } catch {
        threw = true
      }
      return { exit, threw, letters: yield* letters, id: s.id }
    }))
    expect(Exit.isSuccess(out.exit)).toBe(true)
    expect(out.threw).toBe(false)
    expect(out.letters.map((l) => [l.recipient.id, l.message, l.reason])).toEqual([
      [out.id, { _tag: "Set", value: 1 }, "NotAlive"],
      [out.id, { _tag: "Set", value: 2 }, "NotAlive"]
    ])
  })

  it("G5 tell does not wait for the message to be handled", async () => {
    const out = await run(Effect.gen(function*() {
      const gate = yield* makeGate
      const s = yield* Actor.spawn(Server)
      yield* ActorRef.tell(s, { _tag: "Hold", gate })
      yield* ActorRef.tell(s, { _tag: "Set", value: 5 })
      const queued = yield* ActorRef.mailboxSize(s)
      yield* gate.open
      return { queued, value: yield* ActorRef.ask(s, { _tag: "Get" }) }
    }))
    expect(out.queued).toBeGreaterThanOrEqual(1)
    expect(out.value).toBe(5)
  })

  it("messagesReceivedUnsafe counts the messages handed to the handler; mailboxSizeUnsafe those still queued", async () => {
    const out = await run(Effect.gen(function*() {
      const gate = yield* makeGate
      const s = yield* Actor.spawn(Server)
      const before = ActorRef.messagesReceivedUnsafe(s)
      yield* ActorRef.tell(s, { _tag: "Hold", gate })
      yield* ActorRef.tell(s, { _tag: "Set", value: 1 })
      yield* ActorRef.tell(s, { _tag: "Set", value: 2 })
      yield* untilIdle
      const whileHeld = ActorRef.messagesReceivedUnsafe(s)
      const depth = ActorRef.mailboxSizeUnsafe(s)
      yield* gate.open
      yield* ActorRef.ask(s, { _tag: "Get" })
      return { before, whileHeld, depth, after: ActorRef.messagesReceivedUnsafe(s), depthAfter: ActorRef.mailboxSizeUnsafe(s) }
    }))
    expect(out).toEqual({ before: 0, whileHeld: 1, depth: 2, after: 4, depthAfter: 0 })
  })

  it("G5 send acknowledges enqueueing and fails with ActorNotAlive when the actor is gone", async () => {
    const out = await run(Effect.gen(function*() {
      const s = yield* Actor.spawn(Server, { label: "srv" })
      yield* ActorRef.send(s, { _tag: "Set", value: 3 })
      const value = yield* ActorRef.ask(s, { _tag: "Get" })
      yield* ActorRef.stop(s)
      const error = yield* Effect.flip(ActorRef.send(s, { _tag: "Set", value: 4 }))
      return { value, error }
    }))
    expect(out.value).toBe(3)
    expect(out.error._tag).toBe("ActorNotAlive")
    expect(out.error.message).toContain("srv")
  })
})

describe("G6 ask infers the reply type and times out after 5 seconds by default", () => {
  it("G6 the reply type is inferred from the request (compile-time) and the reply arrives", async () => {
    const out = await run(Effect.gen(function*() {
      const s = yield* Actor.spawn(Server, { label: "typed" })
      yield* ActorRef.tell(s, { _tag: "Set", value: 41 })
      const n = yield* ActorRef.ask(s, { _tag: "Get" })
      const label = yield* ActorRef.ask(s, { _tag: "Label" })
      expectTypeOf(n).toEqualTypeOf<number>()
      expectTypeOf(label).toEqualTypeOf<string>()
      expectTypeOf(ActorRef.ask(s, { _tag: "Get" })).toEqualTypeOf<Effect.Effect<number, Errors.AskError>>()
      // @ts-expect-error Set is not a request: it cannot be asked
      const notARequest = () => ActorRef.ask(s, { _tag: "Set", value: 1 })
      expect(typeof notARequest).toBe("function")
      return { n, label }
    }))
    expect(out).toEqual({ n: 41, label: "typed" })
  })

  it("G6 without a reply, ask fails with AskTimeout after exactly 5 seconds (TestClock)", async () => {
    const out = await run(Effect.gen(function*() {
      const s = yield* Actor.spawn(Server, { shutdown: "brutal" })
      const asking = yield* Effect.forkChild(Effect.flip(ActorRef.ask(s, { _tag: "Hang" })))
      yield* untilIdle
      yield* TestClock.adjust("4999 millis")
      yield* untilIdle
      const early = yield* isDone(asking)
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(asking)
      return { early, error }
    }))
    expect(out.early).toBe(false)
    expect(out.error._tag).toBe("AskTimeout")
    expect(out.error._tag === "AskTimeout" && Duration.toMillis(out.error.timeout)).toBe(5000)
  })

  it("G6 the timeout is configurable per call, and \"infinity\" never times out", async () => {
    const out = await run(Effect.gen(function*() {
      const s = yield* Actor.spawn(Server, { shutdown: "brutal" })
      const short = yield* Effect.forkChild(Effect.flip(ActorRef.ask(s, { _tag: "Hang" }, { timeout: "250 millis" })))
      const forever = yield* Effect.forkChild(Effect.flip(ActorRef.ask(s, { _tag: "Get" }, { timeout: "infinity" })))
      yield* untilIdle
      yield* TestClock.adjust("249 millis")
      const shortEarly = yield* isDone(short)
      yield* TestClock.adjust("1 millis")
      const shortError = yield* Fiber.join(short)
      yield* TestClock.adjust("1 hour")
      const foreverDone = yield* isDone(forever)
      yield* ActorRef.kill(s)
      const foreverError = yield* Fiber.join(forever)
      return { shortEarly, shortError, foreverDone, foreverError }
    }))
    expect(out.shortEarly).toBe(false)
    expect(out.shortError._tag).toBe("AskTimeout")
    expect(out.foreverDone).toBe(false)
    expect(out.foreverError._tag).toBe("ActorExited")
  })
})

describe("G7 ask fails with the exit reason when the target ends before replying", () => {
  it("G7 ask fails with the exit reason of a handler failure, without waiting for the timeout", async () => {
    const out = await run(Effect.gen(function*() {
      const s = yield* Actor.spawn(Server)
      const asking = yield* Effect.forkChild(Effect.flip(ActorRef.ask(s, { _tag: "FailInstead", error: "db down" })))
      yield* ActorRef.monitor(s)
      yield* untilIdle
      // the clock has not moved: the ask did not wait for its timeout
      const done = yield* isDone(asking)
      return { done, error: yield* Fiber.join(asking) }
    }))
    expect(out.done).toBe(true)
    expect(out.error._tag).toBe("ActorExited")
    if (out.error._tag === "ActorExited") {
      expect(out.error.reason._tag).toBe("Failure")
      expect(out.error.reason._tag === "Failure" && out.error.reason.error).toBe("db down")
    }
  })

  it("G7 ask fails with the exit reason when the handler stops instead of replying", async () => {
    const error = await run(Effect.gen(function*() {
      const s = yield* Actor.spawn(Server)
      return yield* Effect.flip(ActorRef.ask(s, { _tag: "StopInstead" }))
    }))
    expect(error._tag).toBe("ActorExited")
    expect(error._tag === "ActorExited" && error.reason).toEqual(ExitReason.normal)
  })

  it("G7 queued asks fail with the exit reason when the actor is stopped or killed", async () => {
    const out = await run(Effect.gen(function*() {
      const gate = yield* makeGate
      const stopped = yield* Actor.spawn(Server)
      yield* ActorRef.tell(stopped, { _tag: "Hold", gate })
      const queued = yield* Effect.forkChild(Effect.flip(ActorRef.ask(stopped, { _tag: "Get" })))
      yield* untilIdle
      const stopping = yield* Effect.forkChild(ActorRef.stop(stopped, ExitReason.shutdown("maintenance")))
      yield* untilIdle
      yield* gate.open
      yield* Fiber.join(stopping)
      const stopError = yield* Fiber.join(queued)

      const killed = yield* Actor.spawn(Server)
      const inFlight = yield* Effect.forkChild(Effect.flip(ActorRef.ask(killed, { _tag: "Hang" })))
      const behind = yield* Effect.forkChild(Effect.flip(ActorRef.ask(killed, { _tag: "Get" })))
      yield* untilIdle
      yield* ActorRef.kill(killed)
      return { stopError, inFlight: yield* Fiber.join(inFlight), behind: yield* Fiber.join(behind) }
    }))
    expect(out.stopError).toMatchObject({ _tag: "ActorExited", reason: { _tag: "Shutdown", payload: "maintenance" } })
    expect(out.inFlight).toMatchObject({ _tag: "ActorExited", reason: ExitReason.killed })
    expect(out.behind).toMatchObject({ _tag: "ActorExited", reason: ExitReason.killed })
  })
})

describe("G7 a request answered later (Actor.deferReply)", () => {
  type FrontMsg =
    | Actor.Request<{ readonly _tag: "Lookup"; readonly key: string }, string>
    | { readonly _tag: "Answer"; readonly key: string }
    | Actor.Request<{ readonly _tag: "Count" }, number>

  /** Takes lookups and answers each when an `Answer` for its key arrives, in any order. */
  const Front = (pending: Map<string, (value: string) => void>) =>
    Actor.make<FrontMsg>()({
      init: () => Effect.succeed(0),
      receive: {
        Lookup: (n, msg) =>
          Actor.deferReply((handle: Actor.ReplyHandle<string>) => {
            pending.set(msg.key, (value) => Actor.answerUnsafe(handle, value))
            return n + 1
          }),
        Answer: (n, msg) => {
          const reply = pending.get(msg.key)
          pending.delete(msg.key)
          reply?.(`value of ${msg.key}`)
          reply?.("a second answer is a no-op")
          return n
        },
        Count: (n) => Actor.reply(n, n)
      }
    })

  it("G7 several requests in flight at once, each answered when its reply comes, in any order; the actor keeps handling messages meanwhile", async () => {
    const out = await run(Effect.gen(function*() {
      const pending = new Map<string, (value: string) => void>()
      const f = yield* Actor.spawn(Front(pending))
      const a = yield* Effect.forkChild(ActorRef.ask(f, { _tag: "Lookup", key: "a" }))
      const b = yield* Effect.forkChild(ActorRef.ask(f, { _tag: "Lookup", key: "b" }))
      yield* untilIdle
      // both taken, none answered: the actor still answers other requests
      const taken = yield* ActorRef.ask(f, { _tag: "Count" })
      const waiting = [...pending.keys()].sort()
      yield* ActorRef.tell(f, { _tag: "Answer", key: "b" })
      const bValue = yield* Fiber.join(b)
      const aDone = yield* isDone(a)
      yield* ActorRef.tell(f, { _tag: "Answer", key: "a" })
      return { taken, waiting, bValue, aDone, aValue: yield* Fiber.join(a) }
    }))
    expect(out).toEqual({ taken: 2, waiting: ["a", "b"], bValue: "value of b", aDone: false, aValue: "value of a" })
  })

  it("G7 an unanswered request fails with ActorExited carrying the reason when the actor ends; one whose asker timed out drops its late reply", async () => {
    const out = await run(Effect.gen(function*() {
      const pending = new Map<string, (value: string) => void>()
      const f = yield* Actor.spawn(Front(pending))
      const late = yield* Effect.forkChild(Effect.flip(ActorRef.ask(f, { _tag: "Lookup", key: "late" }, { timeout: "1 second" })))
      yield* untilIdle
      yield* TestClock.adjust("1 second")
      const timedOut = yield* Fiber.join(late)
      yield* ActorRef.tell(f, { _tag: "Answer", key: "late" })
      const orphan = yield* Effect.forkChild(Effect.flip(ActorRef.ask(f, { _tag: "Lookup", key: "never" })))
      yield* untilIdle
      yield* ActorRef.stop(f, ExitReason.shutdown("closing"))
      return { timedOut, orphan: yield* Fiber.join(orphan) }
    }))
    expect(out.timedOut._tag).toBe("AskTimeout")
    expect(out.orphan).toMatchObject({ _tag: "ActorExited", reason: { _tag: "Shutdown", payload: "closing" } })
  })
})

describe("G8 ask fails at once when the target is not alive", () => {
  it("G8 ask to an actor that has ended fails with ActorNotAlive immediately", async () => {
    const out = await run(Effect.gen(function*() {
      const s = yield* Actor.spawn(Server, { label: "gone" })
      yield* ActorRef.stop(s)
      const asking = yield* Effect.forkChild(Effect.flip(ActorRef.ask(s, { _tag: "Get" })))
      // the asker only needs to start: no clock adjustment, no dispatcher turn
      yield* Effect.yieldNow
      const done = yield* isDone(asking)
      return { done, error: yield* Fiber.join(asking), id: s.id }
    }))
    expect(out.done).toBe(true)
    expect(out.error._tag).toBe("ActorNotAlive")
    expect(out.error._tag === "ActorNotAlive" && out.error.actor).toEqual({ id: out.id, label: "gone" })
  })
})

describe("G9 a reply that arrives after the timeout is dropped", () => {
  it("G9 a late reply is dropped: the asker keeps its AskTimeout and the next ask gets its own reply", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* collectDeadLetters
      const gate = yield* makeGate
      const s = yield* Actor.spawn(Server)
      yield* ActorRef.tell(s, { _tag: "Set", value: 1 })
      const asking = yield* Effect.forkChild(Effect.exit(ActorRef.ask(s, { _tag: "HoldThenGet", gate }, { timeout: "1 second" })))
      yield* untilIdle
      yield* TestClock.adjust("1 second")
      const first = yield* Fiber.join(asking)
      // the handler is still running; it replies now, to nobody
      yield* gate.open
      yield* untilIdle
      yield* ActorRef.tell(s, { _tag: "Set", value: 2 })
      const next = yield* ActorRef.ask(s, { _tag: "Get" })
      return {
        first,
        next,
        alive: ActorRef.isAliveUnsafe(s),
        handled: yield* ActorRef.ask(s, { _tag: "Handled" }),
        letters: yield* letters
      }
    }))
    expect(Exit.isFailure(out.first) && out.first.cause.reasons[0]).toMatchObject({
      _tag: "Fail",
      error: { _tag: "AskTimeout" }
    })
    expect(out.next).toBe(2)
    expect(out.alive).toBe(true)
    expect(out.handled).toEqual(["Set(1)", "HoldThenGet", "Set(2)", "Get"])
    expect(out.letters).toEqual([])
  })
})

describe("G10 interrupting the asker withdraws a request that is still queued", () => {
  it("G10 an interrupted ask is never handled", async () => {
    const handled = await run(Effect.gen(function*() {
      const gate = yield* makeGate
      const s = yield* Actor.spawn(Server)
      yield* ActorRef.tell(s, { _tag: "Hold", gate })
      const asking = yield* Effect.forkChild(ActorRef.ask(s, { _tag: "Get" }))
      yield* untilIdle
      yield* Fiber.interrupt(asking)
      yield* gate.open
      return yield* ActorRef.ask(s, { _tag: "Handled" })
    }))
    expect(handled).toEqual(["Hold"])
  })

  it("G10 a request whose ask timed out while queued is never handled", async () => {
    const handled = await run(Effect.gen(function*() {
      const gate = yield* makeGate
      const s = yield* Actor.spawn(Server)
      yield* ActorRef.tell(s, { _tag: "Hold", gate })
      const asking = yield* Effect.forkChild(Effect.flip(ActorRef.ask(s, { _tag: "Get" }, { timeout: "1 second" })))
      yield* untilIdle
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(asking)
      expect(error._tag).toBe("AskTimeout")
      yield* gate.open
      return yield* ActorRef.ask(s, { _tag: "Handled" })
    }))
    expect(handled).toEqual(["Hold"])
  })
})

describe("G11 stop is graceful", () => {
  it("G11 stop lets the current message complete, runs the stop hook with the reason, then releases resources", async () => {
    stopHookCalls.length = 0
    released.length = 0
    const out = await run(Effect.gen(function*() {
      const letters = yield* collectDeadLetters
      const gate = yield* makeGate
      const s = yield* Actor.spawn(Server)
      yield* ActorRef.tell(s, { _tag: "Set", value: 10 })
      yield* ActorRef.tell(s, { _tag: "Hold", gate }) // value becomes 11 when the gate opens
      yield* ActorRef.tell(s, { _tag: "Set", value: 99 }) // still waiting when the stop arrives
      yield* untilIdle
      const stopping = yield* Effect.forkChild(ActorRef.stop(s))
      yield* untilIdle
      const aliveWhileHeld = ActorRef.isAliveUnsafe(s)
      const hookBeforeRelease = stopHookCalls.length
      yield* gate.open
      const reason = yield* Fiber.join(stopping)
      return { aliveWhileHeld, hookBeforeRelease, reason, letters: yield* letters }
    }))
    expect(out.aliveWhileHeld).toBe(true)
    expect(out.hookBeforeRelease).toBe(0)
    expect(out.reason).toEqual(ExitReason.shutdown())
    expect(stopHookCalls).toEqual([[11, ExitReason.shutdown()]])
    expect(released).toEqual(["server resource"])
    expect(out.letters.map((l) => [l.message, l.reason])).toEqual([[{ _tag: "Set", value: 99 }, "Exited"]])
  })

  it("G11 stop carries a custom reason, and on an ended actor returns its reason at once", async () => {
    const out = await run(Effect.gen(function*() {
      const s = yield* Actor.spawn(Server)
      const first = yield* ActorRef.stop(s, ExitReason.shutdown({ migrate: "node-2" }))
      const again = yield* ActorRef.stop(s)
      return { first, again }
    }))
    expect(out.first).toEqual({ _tag: "Shutdown", payload: { migrate: "node-2" } })
    expect(out.again).toEqual(out.first)
  })

  it("G11 the stop hook may take time, and stop waits for it (TestClock)", async () => {
    const SlowStop = Actor.make<{ readonly _tag: "Ping" }>()({
      init: () => Effect.succeed(0),
      receive: { Ping: (s) => s },
      onStop: () => Effect.sleep("3 seconds")
    })
    const out = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(SlowStop)
      const stopping = yield* Effect.forkChild(ActorRef.stop(a))
      yield* untilIdle
      yield* TestClock.adjust("2999 millis")
      const early = yield* isDone(stopping)
      const aliveDuringHook = ActorRef.isAliveUnsafe(a)
      yield* TestClock.adjust("1 millis")
      return { early, aliveDuringHook, reason: yield* Fiber.join(stopping) }
    }))
    expect(out).toEqual({ early: false, aliveDuringHook: true, reason: ExitReason.shutdown() })
  })
})

describe("G12 kill is forced", () => {
  it("G12 kill interrupts a suspended handler, skips the stop hook, still runs resource finalizers", async () => {
    stopHookCalls.length = 0
    released.length = 0
    const out = await run(Effect.gen(function*() {
      const s = yield* Actor.spawn(Server)
      yield* ActorRef.tell(s, { _tag: "Hang" } as never)
      yield* untilIdle
      const reason = yield* ActorRef.kill(s)
      return { reason, alive: ActorRef.isAliveUnsafe(s) }
    }))
    expect(out.reason).toEqual(ExitReason.killed)
    expect(out.alive).toBe(false)
    expect(stopHookCalls).toEqual([])
    expect(released).toEqual(["server resource"])
  })

  it("G12 kill ends an idle actor at once and drops waiting messages to dead letters", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* collectDeadLetters
      const gate = yield* makeGate
      const s = yield* Actor.spawn(Server)
      yield* ActorRef.tell(s, { _tag: "Hold", gate })
      yield* ActorRef.tell(s, { _tag: "Set", value: 1 })
      yield* ActorRef.tell(s, { _tag: "Set", value: 2 })
      yield* untilIdle
      const reason = yield* ActorRef.kill(s)
      const idle = yield* Actor.spawn(Server)
      const idleReason = yield* ActorRef.kill(idle)
      return { reason, idleReason, letters: yield* letters }
    }))
    expect(out.reason).toEqual(ExitReason.killed)
    expect(out.idleReason).toEqual(ExitReason.killed)
    expect(out.letters.map((l) => l.message)).toEqual([{ _tag: "Set", value: 1 }, { _tag: "Set", value: 2 }])
  })

  it("G12 kill interrupts a running stop hook", async () => {
    let hookFinished = false
    const SlowStop = Actor.make<{ readonly _tag: "Ping" }>()({
      init: () => Effect.succeed(0),
      receive: { Ping: (s) => s },
      onStop: () => Effect.andThen(Effect.sleep("1 minute"), Effect.sync(() => (hookFinished = true)))
    })
    const out = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(SlowStop)
      const stopping = yield* Effect.forkChild(ActorRef.stop(a))
      yield* untilIdle
      const killed = yield* ActorRef.kill(a)
      return { killed, stopped: yield* Fiber.join(stopping) }
    }))
    expect(out.killed).toEqual(ExitReason.killed)
    expect(out.stopped).toEqual(ExitReason.killed)
    expect(hookFinished).toBe(false)
  })

  it("G12 a handler can kill its own actor", async () => {
    let after = false
    const Suicidal = Actor.make<{ readonly _tag: "Die" }>()({
      init: () => Effect.succeed(0),
      receive: {
        Die: (s, _m, ctx) => Effect.andThen(ActorRef.kill(ctx.self), Effect.sync(() => ((after = true), s)))
      }
    })
    const reason = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Suicidal)
      yield* ActorRef.tell(a, { _tag: "Die" })
      return yield* ActorRef.monitor(a)
    }))
    expect(reason).toEqual(ExitReason.killed)
    expect(after).toBe(false)
  })

  it("G12 shutdown with a timeout asks first, then kills when the time is up (TestClock)", async () => {
    const Stubborn = Actor.make<{ readonly _tag: "Ping" }>()({
      init: () => Effect.succeed(0),
      receive: { Ping: (s) => s },
      onStop: () => Effect.never
    })
    const Polite = Actor.make<{ readonly _tag: "Ping" }>()({
      init: () => Effect.succeed(0),
      receive: { Ping: (s) => s }
    })
    const out = await run(Effect.gen(function*() {
      const stubborn = yield* Actor.spawn(Stubborn)
      const polite = yield* Actor.spawn(Polite)
      const shutting = yield* Effect.forkChild(ActorRef.shutdown(stubborn, "5 seconds"))
      yield* untilIdle
      yield* TestClock.adjust("4999 millis")
      const early = yield* isDone(shutting)
      yield* TestClock.adjust("1 millis")
      const stubbornReason = yield* Fiber.join(shutting)
      const politeReason = yield* ActorRef.shutdown(polite, "5 seconds", ExitReason.shutdown("bye"))
      const brutal = yield* ActorRef.shutdown(yield* Actor.spawn(Polite), "brutal")
      const infinity = yield* ActorRef.shutdown(yield* Actor.spawn(Polite), "infinity")
      return { early, stubbornReason, politeReason, brutal, infinity }
    }))
    expect(out.early).toBe(false)
    expect(out.stubbornReason).toEqual(ExitReason.killed)
    expect(out.politeReason).toEqual(ExitReason.shutdown("bye"))
    expect(out.brutal).toEqual(ExitReason.killed)
    expect(out.infinity).toEqual(ExitReason.shutdown())
  })
})
