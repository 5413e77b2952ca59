/**
 * Per-actor timers (`ctx.timers`) and the idle timeout, on `TestClock`.
 */
import { describe, expect, expectTypeOf, it } from "vitest"
import { Effect, Fiber } from "effect"
import type { Duration } from "effect"
import { TestClock } from "effect/testing"
import { Actor, ActorRef, ActorSystem, Errors, ExitReason } from "@arbor/core"
import { collectDeadLetters, untilIdle, makeGate, run } from "./utils.ts"
import type { Gate } from "./utils.ts"

type Msg =
  | { readonly _tag: "Tick"; readonly n: number }
  | { readonly _tag: "Arm"; readonly key: string; readonly n: number; readonly delay: Duration.Input }
  | {
    readonly _tag: "Every"
    readonly key: string
    readonly n: number
    readonly interval: Duration.Input
    readonly initialDelay?: Duration.Input
  }
  | { readonly _tag: "Cancel"; readonly key: string }
  | { readonly _tag: "CancelAll" }
  | { readonly _tag: "Block"; readonly then: "cancel" | "rearm" }
  | Actor.Request<{ readonly _tag: "Active"; readonly key: string }, boolean>
  | Actor.Request<{ readonly _tag: "Seen" }, ReadonlyArray<number>>

/** An actor that logs the `n` of every Tick and drives its timers from messages. */
const makeTimed = (gate?: Gate) =>
  Actor.make<Msg, ReadonlyArray<number>>()({
    init: () => Effect.succeed([]),
    receive: {
      Tick: (seen, msg) => [...seen, msg.n],
      Arm: (seen, msg, ctx) => Effect.as(ctx.timers.startSingle(msg.key, { _tag: "Tick", n: msg.n }, msg.delay), seen),
      Every: (seen, msg, ctx) =>
        Effect.as(
          ctx.timers.startPeriodic(
            msg.key,
            { _tag: "Tick", n: msg.n },
            msg.interval,
            msg.initialDelay === undefined ? undefined : { initialDelay: msg.initialDelay }
          ),
          seen
        ),
      Cancel: (seen, msg, ctx) => Effect.as(ctx.timers.cancel(msg.key), seen),
      CancelAll: (seen, _msg, ctx) => Effect.as(ctx.timers.cancelAll, seen),
      Block: (seen, msg, ctx) =>
        Effect.gen(function*() {
          // the timer fires while this handler waits: its message is already in the mailbox
          yield* gate!.wait
          if (msg.then === "cancel") yield* ctx.timers.cancel("k")
          else yield* ctx.timers.startSingle("k", { _tag: "Tick", n: 2 }, "1 second")
          return seen
        }),
      Active: (seen, msg, ctx) => Effect.map(ctx.timers.isActive(msg.key), (active) => Actor.reply(active, seen)),
      Seen: (seen) => Actor.reply(seen, seen)
    }
  })

const seen = (ref: ActorRef.ActorRef<Msg>) => ActorRef.ask(ref, { _tag: "Seen" })

describe("timers", () => {
  it("a single-shot timer sends its message once, after its delay on the Clock", () =>
    run(Effect.gen(function*() {
      const actor = yield* Actor.spawn(makeTimed())
      yield* ActorRef.tell(actor, { _tag: "Arm", key: "k", n: 1, delay: "10 seconds" })
      yield* untilIdle
      yield* TestClock.adjust("9 seconds")
      yield* untilIdle
      const before = yield* seen(actor)
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      const at = yield* seen(actor)
      yield* TestClock.adjust("1 minute")
      yield* untilIdle
      return { before, at, later: yield* seen(actor) }
    })).then((out) => expect(out).toEqual({ before: [], at: [1], later: [1] })))

  it("a periodic timer sends its message every interval, first after initialDelay", () =>
    run(Effect.gen(function*() {
      const actor = yield* Actor.spawn(makeTimed())
      yield* ActorRef.tell(actor, { _tag: "Every", key: "p", n: 7, interval: "1 second", initialDelay: "0 millis" })
      yield* untilIdle
      const first = yield* seen(actor)
      for (let i = 0; i < 3; i++) {
        yield* TestClock.adjust("1 second")
        yield* untilIdle
      }
      const active = yield* ActorRef.ask(actor, { _tag: "Active", key: "p" })
      yield* ActorRef.tell(actor, { _tag: "Cancel", key: "p" })
      yield* untilIdle
      yield* TestClock.adjust("10 seconds")
      yield* untilIdle
      return { first, all: yield* seen(actor), active, after: yield* ActorRef.ask(actor, { _tag: "Active", key: "p" }) }
    })).then((out) => expect(out).toEqual({ first: [7], all: [7, 7, 7, 7], active: true, after: false })))

  it("re-arming a key cancels the previous timer", () =>
    run(Effect.gen(function*() {
      const actor = yield* Actor.spawn(makeTimed())
      yield* ActorRef.tell(actor, { _tag: "Arm", key: "k", n: 1, delay: "1 second" })
      yield* untilIdle
      yield* TestClock.adjust("500 millis")
      yield* ActorRef.tell(actor, { _tag: "Arm", key: "k", n: 2, delay: "2 seconds" })
      yield* untilIdle
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      const mid = yield* seen(actor)
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      return { mid, end: yield* seen(actor) }
    })).then((out) => expect(out).toEqual({ mid: [], end: [2] })))

  it("keys are independent; cancelAll cancels every timer", () =>
    run(Effect.gen(function*() {
      const actor = yield* Actor.spawn(makeTimed())
      yield* ActorRef.tell(actor, { _tag: "Arm", key: "a", n: 1, delay: "1 second" })
      yield* ActorRef.tell(actor, { _tag: "Arm", key: "b", n: 2, delay: "2 seconds" })
      yield* ActorRef.tell(actor, { _tag: "Arm", key: "c", n: 3, delay: "3 seconds" })
      yield* untilIdle
      yield* TestClock.adjust("2 seconds")
      yield* untilIdle
      yield* ActorRef.tell(actor, { _tag: "CancelAll" })
      yield* untilIdle
      yield* TestClock.adjust("10 seconds")
      yield* untilIdle
      return yield* seen(actor)
    })).then((out) => expect(out).toEqual([1, 2])))

  it("a single-shot timer is active until its message is handled", () =>
    run(Effect.gen(function*() {
      const actor = yield* Actor.spawn(makeTimed())
      yield* ActorRef.tell(actor, { _tag: "Arm", key: "k", n: 1, delay: "1 second" })
      const armed = yield* ActorRef.ask(actor, { _tag: "Active", key: "k" })
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      return { armed, after: yield* ActorRef.ask(actor, { _tag: "Active", key: "k" }), seen: yield* seen(actor) }
    })).then((out) => expect(out).toEqual({ armed: true, after: false, seen: [1] })))

  it("a cancelled timer's message already waiting in the mailbox is never handled", () =>
    run(Effect.gen(function*() {
      const gate = yield* makeGate
      const actor = yield* Actor.spawn(makeTimed(gate))
      yield* ActorRef.tell(actor, { _tag: "Arm", key: "k", n: 1, delay: "1 second" })
      yield* ActorRef.tell(actor, { _tag: "Block", then: "cancel" })
      yield* untilIdle
      yield* TestClock.adjust("1 second") // fires: Tick 1 waits behind the blocked handler
      yield* untilIdle
      const queued = yield* ActorRef.mailboxSize(actor)
      yield* gate.open
      yield* untilIdle
      return { queued, seen: yield* seen(actor) }
    })).then((out) => expect(out).toEqual({ queued: 1, seen: [] })))

  it("re-arming while the old timer's message waits in the mailbox delivers only the new one", () =>
    run(Effect.gen(function*() {
      const gate = yield* makeGate
      const actor = yield* Actor.spawn(makeTimed(gate))
      yield* ActorRef.tell(actor, { _tag: "Arm", key: "k", n: 1, delay: "1 second" })
      yield* ActorRef.tell(actor, { _tag: "Block", then: "rearm" })
      yield* untilIdle
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      yield* gate.open
      yield* untilIdle
      const beforeNew = yield* seen(actor)
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      return { beforeNew, seen: yield* seen(actor) }
    })).then((out) => expect(out).toEqual({ beforeNew: [], seen: [2] })))

  it("every timer is cancelled when the actor ends: nothing is sent, not even as a dead letter", () =>
    run(Effect.gen(function*() {
      const letters = yield* collectDeadLetters
      const actor = yield* Actor.spawn(makeTimed())
      yield* ActorRef.tell(actor, { _tag: "Arm", key: "k", n: 1, delay: "1 second" })
      yield* ActorRef.tell(actor, { _tag: "Every", key: "p", n: 2, interval: "1 second" })
      yield* untilIdle
      yield* ActorRef.stop(actor)
      yield* TestClock.adjust("1 minute")
      yield* untilIdle
      return (yield* letters).length
    })).then((n) => expect(n).toBe(0)))

  it("timers armed in init: a restarted incarnation (a new spawn) starts with its own timers only", () =>
    run(Effect.gen(function*() {
      const ticks: Array<string> = []
      const Heartbeat = (name: string) =>
        Actor.make<{ readonly _tag: "Beat" } | { readonly _tag: "Crash" }, null>()({
          init: (ctx) => Effect.as(ctx.timers.startPeriodic("beat", { _tag: "Beat" }, "1 second"), null),
          receive: {
            Beat: (s) => {
              ticks.push(name)
              return s
            },
            Crash: () => Effect.die("crash")
          }
        })
      const first = yield* Actor.spawn(Heartbeat("first"))
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      yield* ActorRef.tell(first, { _tag: "Crash" })
      yield* ActorRef.monitor(first)
      yield* Actor.spawn(Heartbeat("second"))
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      return ticks
    })).then((ticks) => expect(ticks).toEqual(["first", "second", "second"])))

  it("types: a timer accepts only the actor's own messages", () => {
    Actor.make<{ readonly _tag: "Tick" }, null>()({
      init: (ctx) => {
        expectTypeOf(ctx.timers).toEqualTypeOf<Actor.Timers<{ readonly _tag: "Tick" }>>()
        // @ts-expect-error not a message of this actor
        void ctx.timers.startSingle("k", { _tag: "Tock" }, "1 second")
        expectTypeOf(ctx.timers.startSingle("k", { _tag: "Tick" }, "1 second")).toEqualTypeOf<
          Effect.Effect<void, Errors.InvalidTimer>
        >()
        return Effect.succeed(null)
      },
      receive: { Tick: (s) => s }
    })
  })
})

describe("idle timeout", () => {
  type IdleMsg = { readonly _tag: "Work" } | { readonly _tag: "Idle" }

  it("an actor that receives nothing for `after` is sent the idle message; every message restarts the wait", () =>
    run(Effect.gen(function*() {
      const log: Array<string> = []
      const Idler = Actor.make<IdleMsg, null>()({
        init: () => Effect.succeed(null),
        receive: {
          Work: (s) => {
            log.push("work")
            return s
          },
          Idle: (s) => {
            log.push("idle")
            return s
          }
        },
        idleTimeout: { after: "10 seconds", message: { _tag: "Idle" } }
      })
      const actor = yield* Actor.spawn(Idler)
      yield* TestClock.adjust("6 seconds")
      yield* ActorRef.tell(actor, { _tag: "Work" })
      yield* untilIdle
      yield* TestClock.adjust("6 seconds") // 6 s since the last message: not idle yet
      yield* untilIdle
      const early = [...log]
      yield* TestClock.adjust("4 seconds") // 10 s since Work
      yield* untilIdle
      const idle = [...log]
      yield* TestClock.adjust("10 seconds") // ignored: sent again after another 10 s
      yield* untilIdle
      return { early, idle, again: [...log], alive: yield* ActorRef.isAlive(actor) }
    })).then((out) =>
      expect(out).toEqual({
        early: ["work"],
        idle: ["work", "idle"],
        again: ["work", "idle", "idle"],
        alive: true
      })
    ))

  it("without a message, an idle actor stops with Normal (passivation) and its stop hook runs", () =>
    run(Effect.gen(function*() {
      const stopped: Array<string> = []
      const Session = Actor.make<IdleMsg, null>()({
        init: () => Effect.succeed(null),
        receive: { Work: (s) => s, Idle: (s) => s },
        onStop: (_s, reason) => Effect.sync(() => stopped.push(reason._tag)),
        idleTimeout: { after: "30 seconds" }
      })
      const actor = yield* Actor.spawn(Session)
      const exit = yield* Effect.forkChild(ActorRef.monitor(actor))
      yield* TestClock.adjust("29 seconds")
      yield* untilIdle
      const alive = yield* ActorRef.isAlive(actor)
      yield* TestClock.adjust("1 second")
      const reason = yield* Fiber.join(exit)
      const system = yield* ActorSystem.ActorSystem
      return { alive, reason, stopped, live: (yield* system.liveActors) }
    })).then((out) => expect(out).toEqual({ alive: true, reason: ExitReason.normal, stopped: ["Normal"], live: 0 })))

  it("an actor busy in a long handler is not idle", () =>
    run(Effect.gen(function*() {
      const gate = yield* makeGate
      const Busy = Actor.make<IdleMsg, null>()({
        init: () => Effect.succeed(null),
        receive: { Work: (s) => Effect.as(gate.wait, s), Idle: (s) => s },
        idleTimeout: { after: "1 second" }
      })
      const actor = yield* Actor.spawn(Busy)
      yield* ActorRef.tell(actor, { _tag: "Work" })
      yield* untilIdle
      yield* TestClock.adjust("5 seconds")
      yield* untilIdle
      const aliveWhileBusy = yield* ActorRef.isAlive(actor)
      yield* gate.open
      yield* untilIdle
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      return { aliveWhileBusy, aliveAfter: yield* ActorRef.isAlive(actor) }
    })).then((out) => expect(out).toEqual({ aliveWhileBusy: true, aliveAfter: false })))
})
