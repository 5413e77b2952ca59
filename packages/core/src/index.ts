/**
 * `@arbor/core`: typed actors on Effect 4.
 *
 * `@arbor/core`: typed actors on Effect 4 — definitions, `ActorRef`s, mailboxes with overflow
 * policies, exit reasons, monitors and links, dead letters.
 *
 * @packageDocumentation
 * @module @arbor/core
 */

export * as Actor from "./Actor.ts"
export * as ActorRef from "./ActorRef.ts"
export * as ActorSystem from "./ActorSystem.ts"
export * as Durations from "./Durations.ts"
export * as DeadLetter from "./DeadLetter.ts"
export * as Errors from "./Errors.ts"
export * as ExitReason from "./ExitReason.ts"
export * as Reports from "./Reports.ts"
export * as Metrics from "./Metrics.ts"
export * as PrivateChannel from "./PrivateChannel.ts"
export * as Tracing from "./Tracing.ts"
