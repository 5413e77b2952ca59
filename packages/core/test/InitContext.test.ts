/**
 * `init` receives the actor's context (`self`, the system), and `Actor.make<Msg, State>()`
 * states the state type.
 */
import { describe, expect, expectTypeOf, it } from "vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { Actor, ActorRef, ActorSystem, ExitReason } from "@arbor/core"
import { collectDeadLetters, untilIdle, run } from "./utils.ts"

type LogMsg =
  | { readonly _tag: "Add"; readonly line: string }
  | Actor.Request<{ readonly _tag: "Lines" }, ReadonlyArray<string>>

const addLine = (lines: ReadonlyArray<string>, msg: { readonly line: string }) => [...lines, msg.line]

describe("init gets the actor's context", () => {
  it("init's messages to self are handled first, in order, once init has completed", () =>
    run(Effect.gen(function*() {
      const Log = Actor.make<LogMsg, ReadonlyArray<string>>()({
        init: (ctx) =>
          Effect.gen(function*() {
            yield* ActorRef.tell(ctx.self, { _tag: "Add", line: "from init 1" })
            yield* ActorRef.tell(ctx.self, { _tag: "Add", line: "from init 2" })
            // init suspends on the clock: nothing queued may be handled meanwhile
            yield* Effect.sleep("1 second")
            return ["initial"]
          }),
        receive: { Add: addLine, Lines: (lines) => Actor.reply(lines, lines) }
      })
      const fiber = yield* Effect.forkChild(Actor.spawn(Log))
      yield* untilIdle
      yield* TestClock.adjust("1 second")
      const log = yield* Fiber.join(fiber)
      yield* ActorRef.tell(log, { _tag: "Add", line: "after spawn" })
      return yield* ActorRef.ask(log, { _tag: "Lines" })
    })).then((lines) => expect(lines).toEqual(["initial", "from init 1", "from init 2", "after spawn"])))

  it("init can watch and link other actors before the first message", () =>
    run(Effect.gen(function*() {
      const Target = Actor.make<{ readonly _tag: "Crash" }>()({
        init: () => Effect.succeed(null),
        receive: { Crash: () => Effect.die("boom") }
      })
      const watched = yield* Actor.spawn(Target)
      const linked = yield* Actor.spawn(Target)
      const downs: Array<string> = []
      const Watcher = Actor.make<{ readonly _tag: "Nothing" }>()({
        init: (ctx) =>
          Effect.gen(function*() {
            yield* ActorRef.watch(ctx.self, watched)
            yield* ActorRef.link(ctx.self, linked)
            return null
          }),
        receive: { Nothing: (s) => s },
        onSignal: (s, signal) => {
          downs.push(`${signal._tag}:${signal.reason._tag}`)
          return s
        },
        trapExit: true
      })
      const watcher = yield* Actor.spawn(Watcher)
      yield* ActorRef.tell(watched, { _tag: "Crash" })
      yield* ActorRef.tell(linked, { _tag: "Crash" })
      yield* untilIdle
      return { downs, alive: yield* ActorRef.isAlive(watcher) }
    })).then((out) => expect(out).toEqual({ downs: ["Down:Failure", "Exit:Failure"], alive: true })))

  it("ctx.system is the ActorSystem service the actor was spawned in", () =>
    run(Effect.gen(function*() {
      let seen: unknown
      const A = Actor.make<{ readonly _tag: "X" }>()({
        init: (ctx) => Effect.sync(() => (seen = ctx.system)),
        receive: { X: (s) => s }
      })
      yield* Actor.spawn(A)
      const system = yield* ActorSystem.ActorSystem
      return { same: seen === system, live: (yield* system.liveActors) }
    })).then((out) => expect(out).toEqual({ same: true, live: 1 })))

  it("an init that fails after handing out self ends that actor: its reference is dead, queued messages are dead letters", () =>
    run(Effect.gen(function*() {
      const letters = yield* collectDeadLetters
      let leaked: ActorRef.ActorRef<LogMsg> | undefined
      const Broken = Actor.make<LogMsg, ReadonlyArray<string>>()({
        init: (ctx) =>
          Effect.gen(function*() {
            leaked = ctx.self
            yield* ActorRef.tell(ctx.self, { _tag: "Add", line: "lost" })
            return yield* Effect.fail("no database" as const)
          }),
        receive: { Add: addLine, Lines: (lines) => Actor.reply(lines, lines) }
      })
      const error = yield* Effect.flip(Actor.spawn(Broken))
      const system = yield* ActorSystem.ActorSystem
      return {
        error,
        alive: ActorRef.isAliveUnsafe(leaked!),
        reason: ActorRef.exitReasonUnsafe(leaked!)?._tag,
        letters: (yield* letters).map((l) => [l.reason, l.message]),
        live: (yield* system.liveActors)
      }
    })).then((out) =>
      expect(out).toEqual({
        error: "no database",
        alive: false,
        reason: "Failure",
        letters: [["Exited", { _tag: "Add", line: "lost" }]],
        live: 0
      })
    ))

  it("a synchronous init that fails (no fiber) also ends the actor it handed out", () =>
    run(Effect.gen(function*() {
      let leaked: ActorRef.ActorRef<LogMsg> | undefined
      const Broken = Actor.make<LogMsg, ReadonlyArray<string>>()({
        init: (ctx) => {
          leaked = ctx.self
          return Effect.fail("sync failure" as const)
        },
        receive: { Add: addLine, Lines: (lines) => Actor.reply(lines, lines) }
      })
      const error = yield* Effect.flip(Actor.spawn(Broken))
      const monitored = yield* ActorRef.monitor(leaked!)
      return { error, reason: monitored._tag }
    })).then((out) => expect(out).toEqual({ error: "sync failure", reason: "Failure" })))

  it("stopping the actor from its own init does not wait for itself: the actor ends right after init", () =>
    run(Effect.gen(function*() {
      const handled: Array<string> = []
      const Quitter = Actor.make<LogMsg, ReadonlyArray<string>>()({
        init: (ctx) =>
          Effect.gen(function*() {
            yield* ActorRef.tell(ctx.self, { _tag: "Add", line: "never handled" })
            const reason = yield* ActorRef.stop(ctx.self, ExitReason.shutdown("config says no"))
            handled.push(`stop returned ${reason._tag}`)
            yield* Effect.sleep("1 second")
            return []
          }),
        receive: {
          Add: (lines, msg) => {
            handled.push(msg.line)
            return lines
          },
          Lines: (lines) => Actor.reply(lines, lines)
        }
      })
      const fiber = yield* Effect.forkChild(Actor.spawn(Quitter))
      yield* untilIdle
      yield* TestClock.adjust("1 second")
      const ref = yield* Fiber.join(fiber)
      const reason = yield* ActorRef.monitor(ref)
      return { handled, reason }
    })).then((out) => {
      expect(out.handled).toEqual(["stop returned Shutdown"])
      expect(out.reason).toEqual(ExitReason.shutdown("config says no"))
    }))

  it("a kill while init runs takes effect when init completes: spawn succeeds with a reference that ends Killed", () =>
    run(Effect.gen(function*() {
      let leaked: ActorRef.ActorRef<LogMsg> | undefined
      let initDone = false
      const Slow = Actor.make<LogMsg, ReadonlyArray<string>>()({
        init: (ctx) =>
          Effect.gen(function*() {
            leaked = ctx.self
            yield* Effect.sleep("1 second")
            initDone = true
            return []
          }),
        receive: { Add: addLine, Lines: (lines) => Actor.reply(lines, lines) }
      })
      const fiber = yield* Effect.forkChild(Actor.spawn(Slow))
      yield* untilIdle
      const killer = yield* Effect.forkChild(ActorRef.kill(leaked!))
      yield* untilIdle
      const aliveDuringInit = ActorRef.isAliveUnsafe(leaked!)
      yield* TestClock.adjust("1 second")
      const ref = yield* Fiber.join(fiber)
      const killed = yield* Fiber.join(killer)
      const system = yield* ActorSystem.ActorSystem
      return { aliveDuringInit, initDone, same: ref === leaked, killed, live: (yield* system.liveActors) }
    })).then((out) =>
      expect(out).toEqual({ aliveDuringInit: true, initDone: true, same: true, killed: ExitReason.killed, live: 0 })
    ))
})

describe("Actor.make<Msg, State>() states the state type", () => {
  it("types: init must build a State, handlers receive a State, ctx.self is ActorRef<Msg>", () => {
    const Log = Actor.make<LogMsg, ReadonlyArray<string>>()({
      init: (ctx) => {
        expectTypeOf(ctx.self).toEqualTypeOf<ActorRef.ActorRef<LogMsg>>()
        expectTypeOf(ctx.system).toEqualTypeOf<ActorSystem.ActorSystemService>()
        return Effect.succeed([])
      },
      receive: {
        Add: (lines, msg) => {
          expectTypeOf(lines).toEqualTypeOf<ReadonlyArray<string>>()
          return [...lines, msg.line]
        },
        Lines: (lines, _msg, ctx) => {
          expectTypeOf(ctx.self).toEqualTypeOf<ActorRef.ActorRef<LogMsg>>()
          return Actor.reply(lines, lines)
        }
      }
    })
    expectTypeOf(Log).toEqualTypeOf<Actor.Behavior<LogMsg, never, never>>()

    Actor.make<LogMsg, ReadonlyArray<string>>()({
      // @ts-expect-error init must build the stated state type
      init: () => Effect.succeed(42),
      receive: { Add: addLine, Lines: (lines) => Actor.reply(lines, lines) }
    })
    Actor.make<LogMsg, ReadonlyArray<string>>()({
      init: () => Effect.succeed([]),
      receive: {
        // @ts-expect-error a handler must return the stated state type
        Add: () => 42,
        Lines: (lines) => Actor.reply(lines, lines)
      }
    })
    // inferred when State is left out, with init taking the context
    const Inferred = Actor.make<LogMsg>()({
      init: (ctx) => Effect.succeed({ self: ctx.self, lines: [] as ReadonlyArray<string> }),
      receive: {
        Add: (s, msg) => ({ ...s, lines: [...s.lines, msg.line] }),
        Lines: (s) => Actor.reply(s.lines, s)
      }
    })
    expectTypeOf(Inferred).toEqualTypeOf<Actor.Behavior<LogMsg, never, never>>()
  })

  it("a stated state type runs like an inferred one", () =>
    run(Effect.gen(function*() {
      const Log = Actor.make<LogMsg, ReadonlyArray<string>>()({
        init: () => Effect.succeed([]),
        receive: { Add: addLine, Lines: (lines) => Actor.reply(lines, lines) }
      })
      const log = yield* Actor.spawn(Log)
      yield* ActorRef.tell(log, { _tag: "Add", line: "a" })
      return yield* ActorRef.ask(log, { _tag: "Lines" })
    })).then((lines) => expect(lines).toEqual(["a"])))
})
