/**
 * `@arbor/testkit`: the shared test harness of Arbor — a test world and `untilIdle` — and seeded
 * fault injection for actors and supervisors.
 *
 * @packageDocumentation
 * @module @arbor/testkit
 */

export * as Faults from "./Faults.ts"
export * as TestSystem from "./TestSystem.ts"
