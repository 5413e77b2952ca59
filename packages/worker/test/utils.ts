import type { ActorSystem } from "@arbor/core"
import { TestSystem } from "@arbor/testkit"
import type { Effect } from "effect"
import type * as Scope from "effect/Scope"

/**
 * Runs a program in a fresh test world of the shared harness (`TestSystem.run`) on the real
 * clock: worker threads and their heartbeats live in real time. The root scope closes at the end.
 */
export const run = <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>): Promise<A> =>
  TestSystem.run(program, { clock: "live" })

/** Short watchdog settings for tests: a hang is detected within 300 ms. */
export const fast = { heartbeat: { interval: "50 millis", timeout: "250 millis" } } as const

/**
 * A watchdog that a thread starved of CPU by a loaded machine cannot trip, for tests about
 * anything but hangs (their reasons must not turn into `Killed`).
 */
export const steady = { heartbeat: { interval: "1 second", timeout: "30 seconds" } } as const
