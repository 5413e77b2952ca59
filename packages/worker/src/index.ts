/**
 * `@arbor/worker`: Arbor actors in `node:worker_threads` threads.
 *
 * `@arbor/worker`: Arbor actors in `node:worker_threads` threads — preempted by a heartbeat
 * watchdog and `terminate()`, restarted by the OTP supervisor like any child — and Schema
 * protocols, the description of what crosses a thread (or network) boundary.
 *
 * @packageDocumentation
 * @module @arbor/worker
 */

export * as Protocol from "./Protocol.ts"
export * as WorkerActor from "./WorkerActor.ts"
