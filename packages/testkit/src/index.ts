/**
 * `@arbor/testkit`: seeded fault injection for Arbor actors and supervisors.
 *
 * @packageDocumentation
 */

/** Fault injection: crashes, failing starts, dropped and delayed messages, slow stop hooks. */
export * as Faults from "./Faults.ts"
