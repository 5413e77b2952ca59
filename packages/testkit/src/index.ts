/**
 * `@arbor/testkit`: the shared test harness of Arbor — a test world and `untilIdle` — and seeded
 * fault injection for actors and supervisors.
 *
 * @packageDocumentation
 * @module @arbor/testkit
 */

/** Fault injection: crashes, failing starts, dropped and delayed messages, slow stop hooks. */
export * as Faults from "./Faults.ts"
/** A fresh test world (actor system, TestClock) and `untilIdle`, the one way to let it run. */
export * as TestSystem from "./TestSystem.ts"
