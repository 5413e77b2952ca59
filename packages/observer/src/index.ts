/**
 * `@arbor/observer`: the live supervision tree in a browser.
 *
 * `@arbor/observer`: the live supervision tree in a browser — a small `node:http` server that
 * serves one self-contained page and pushes the tree (status, incarnation, restart budget,
 * mailbox depth, message rate) and a recent-events feed over Server-Sent Events.
 *
 * @packageDocumentation
 * @module @arbor/observer
 */

export * as Observer from "./Observer.ts"
