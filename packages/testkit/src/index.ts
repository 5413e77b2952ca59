/**
 * `@arbor/testkit`: seeded fault injection for Arbor actors and supervisors.
 *
 * @packageDocumentation
 * @module @arbor/testkit
 */

/** Fault injection: crashes, failing starts, dropped and delayed messages, slow stop hooks. */
export * as Faults from "./Faults.ts"
