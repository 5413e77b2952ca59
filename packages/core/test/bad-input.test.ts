/**
 * Rows of the bad-input matrix (`docs/errors.md`) for actor timers and the idle timeout: each
 * test is named like its row, checks the typed error, and that nothing was armed.
 */
import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { Actor, ActorRef, Errors } from "@arbor/core"
import { untilIdle, run } from "./utils.ts"

type Msg = { readonly _tag: "Tick" } | Actor.Request<{ readonly _tag: "Ticks" }, number>

/** An actor whose `init` tries `attempt` with its timers and records what it failed with. */
const tryTimers = (attempt: (timers: Actor.Timers<Msg>) => Effect.Effect<unknown, Errors.InvalidTimer>) =>
  run(Effect.gen(function*() {
    let failure: Errors.InvalidTimer | undefined
    const A = Actor.make<Msg, number>()({
      init: (ctx) =>
        Effect.as(
          Effect.catch(attempt(ctx.timers), (e) => Effect.sync(() => (failure = e))),
          0
        ),
      receive: { Tick: (n) => n + 1, Ticks: (n) => Actor.reply(n, n) }
    })
    const ref = yield* Actor.spawn(A, { label: "timed" })
    yield* TestClock.adjust("1 hour")
    yield* untilIdle
    return { failure, ticks: yield* ActorRef.ask(ref, { _tag: "Ticks" }) }
  }))

const fieldOf = async (attempt: (timers: Actor.Timers<Msg>) => Effect.Effect<unknown, Errors.InvalidTimer>) => {
  const { failure, ticks } = await tryTimers(attempt)
  expect(failure).toBeInstanceOf(Errors.InvalidTimer)
  expect(failure!.actor.label).toBe("timed")
  expect(ticks).toBe(0) // nothing was armed
  return failure!.field
}

const tick = { _tag: "Tick" } as const

describe("actor timers (ctx.timers)", () => {
  it("timer key that is empty, NaN, or not a string, number or symbol", async () => {
    for (const key of ["", Number.NaN, Infinity, null, undefined, {}, [], true]) {
      expect(await fieldOf((t) => t.startSingle(key as never, tick, "1 second"))).toBe("key")
      expect(await fieldOf((t) => t.cancel(key as never))).toBe("key")
    }
    const error = (await tryTimers((t) => t.isActive("" as never))).failure!
    expect(error.message).toBe(`invalid timer key for actor "timed" (#1): must be a non-empty string, a finite number or a symbol (got "")`)
  })

  it("single-shot timer delay that is negative, infinite or unparseable", async () => {
    for (const delay of [-1, "-1 seconds", Number.NaN, Infinity, "infinity", "soon", { secs: 5 }, null]) {
      expect(await fieldOf((t) => t.startSingle("k", tick, delay as never))).toBe("delay")
    }
  })

  it("periodic timer interval that is zero, negative or infinite, or a bad initialDelay", async () => {
    for (const interval of [0, "0 millis", -5, "infinity", "often"]) {
      expect(await fieldOf((t) => t.startPeriodic("k", tick, interval as never))).toBe("interval")
    }
    for (const initialDelay of [-1, "infinity", "later"]) {
      expect(await fieldOf((t) => t.startPeriodic("k", tick, "1 second", { initialDelay: initialDelay as never })))
        .toBe("initialDelay")
    }
  })
})

describe("idle timeout (Actor.make)", () => {
  it("idleTimeout that is not an object, or whose after is not a finite duration > 0", () => {
    const rejected = (idleTimeout: unknown): string | undefined => {
      try {
        Actor.make<Msg>()({
          init: () => Effect.succeed(0),
          receive: { Tick: (n: number) => n, Ticks: (n: number) => Actor.reply(n, n) },
          idleTimeout: idleTimeout as never
        })
        return undefined
      } catch (e) {
        expect(e).toBeInstanceOf(Errors.InvalidActorDefinition)
        return (e as Errors.InvalidActorDefinition).field
      }
    }
    for (const idle of [null, 5, "10 seconds"]) expect(rejected(idle)).toBe("idleTimeout")
    for (const after of [undefined, 0, -1, "infinity", "never", { secs: 1 }]) expect(rejected({ after })).toBe("idleTimeout.after")
    expect(rejected({ after: "1 second" })).toBe(undefined)
  })
})

describe("the Promise facade (@arbor/core/promise)", () => {
  it("spawn, ask, stop, monitor or run on a closed system", async () => {
    const { makeSystem, SystemClosed } = await import("@arbor/core/promise")
    const system = makeSystem()
    const A = Actor.make<Msg, number>()({
      init: () => Effect.succeed(0),
      receive: { Tick: (n) => n + 1, Ticks: (n) => Actor.reply(n, n) }
    })
    const ref = await system.spawn(A)
    await system.close()
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["spawn", () => system.spawn(A)],
      ["ask", () => system.ask(ref, { _tag: "Ticks" })],
      ["stop", () => system.stop(ref)],
      ["monitor", () => system.monitor(ref)],
      ["run", () => system.run(Effect.void)]
    ]
    for (const [operation, call] of calls) {
      const error = await call().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SystemClosed)
      expect((error as InstanceType<typeof SystemClosed>).operation).toBe(operation)
    }
    expect(system.liveActors()).toBe(0)
  })
})
