/**
 * Shared helpers of the @arbor/core tests. The world and the wait come from the shared harness,
 * `TestSystem` of `@arbor/testkit` (a fresh actor system with a `TestClock` per test; `untilIdle`
 * waits until nothing is left to run, never for time); what is specific to core's tests is here.
 */
import { Deferred, Effect, Fiber, PubSub } from "effect"
import type { Scope } from "effect"
import { ActorSystem } from "@arbor/core"
import type { DeadLetter } from "@arbor/core"
import { TestSystem } from "@arbor/testkit"

/** Runs a test program in its own world (`TestSystem.run`); the scope closes at the end. */
export const run: <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>) => Promise<A> = (program) =>
  TestSystem.run(program)

/** Waits until the dispatcher and the fibers it resumed have nothing left to run (`TestSystem.untilIdle`). */
export const untilIdle = TestSystem.untilIdle

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
