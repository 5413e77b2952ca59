/**
 * Shared helpers of the @arbor/core tests: a fresh actor world with a `TestClock` per test, and
 * ways to let the dispatcher run without sleeping.
 */
import { Deferred, Effect, Fiber, Layer, PubSub } from "effect"
import type { Scope } from "effect"
import { TestClock } from "effect/testing"
import { ActorSystem } from "@arbor/core"
import type { DeadLetter } from "@arbor/core"

/** A fresh actor system and a `TestClock` (time moves only with `TestClock.adjust`). */
export const World = Layer.merge(ActorSystem.layer, TestClock.layer())

/** Runs a test program in its own world; the scope closes (stopping its actors) at the end. */
export const run = <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>): Promise<A> =>
  Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(World)))

/**
 * Lets queued work run: the dispatcher's microtasks and fibers resumed by them. Not a sleep:
 * it waits for a few turns of the event loop, never for time.
 */
export const flush: Effect.Effect<void> = Effect.promise(
  () =>
    new Promise<void>((resolve) => {
      let turns = 4
      const next = () => (--turns === 0 ? resolve() : setImmediate(next))
      setImmediate(next)
    })
)

/** `true` once the fiber has completed. */
export const isDone = <A, E>(fiber: Fiber.Fiber<A, E>): Effect.Effect<boolean> =>
  Effect.sync(() => fiber.pollUnsafe() !== undefined)

/** A gate that handlers can wait on; tests open it. */
export interface Gate {
  readonly wait: Effect.Effect<void>
  readonly open: Effect.Effect<void>
}

export const makeGate: Effect.Effect<Gate> = Effect.map(Deferred.make<void>(), (d) => ({
  wait: Deferred.await(d),
  open: Effect.asVoid(Deferred.succeed(d, undefined))
}))

/** A subscription to the world's dead letters and a way to read every letter published so far. */
export const collectDeadLetters: Effect.Effect<
  Effect.Effect<ReadonlyArray<DeadLetter.DeadLetter>>,
  never,
  ActorSystem.ActorSystem | Scope.Scope
> = Effect.map(ActorSystem.deadLetters, (sub) => {
  const seen: Array<DeadLetter.DeadLetter> = []
  return Effect.map(PubSub.takeUpTo(sub, Number.POSITIVE_INFINITY), (letters) => {
    seen.push(...letters)
    return seen.slice()
  })
})
