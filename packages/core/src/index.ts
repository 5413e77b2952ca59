/**
 * `@arbor/core`: typed actors on Effect 4 — definitions, `ActorRef`s, mailboxes with overflow
 * policies, exit reasons, monitors and links, dead letters.
 *
 * @packageDocumentation
 * @module @arbor/core
 */

/** Defining and spawning actors. */
export * as Actor from "./Actor.ts"
/** References to actors: tell, send, ask, stop, kill, monitor, link, watch. */
export * as ActorRef from "./ActorRef.ts"
/** The actor world: a service provided by a layer; dead letters. */
export * as ActorSystem from "./ActorSystem.ts"
/** The one decoder of the durations Arbor accepts (timeouts, shutdown specs, periods). */
export * as Durations from "./Durations.ts"
/** Undeliverable messages. */
export * as DeadLetter from "./DeadLetter.ts"
/** Typed errors. */
export * as Errors from "./Errors.ts"
/** Why an actor ended. */
export * as ExitReason from "./ExitReason.ts"
/** Crash, supervision and dead-letter reports through `Effect.log*`: levels, on by default. */
export * as Reports from "./Reports.ts"
/** Actor metrics through Effect's `Metric`: names, attributes, the layer that turns them on. */
export * as Metrics from "./Metrics.ts"
/** Private lanes into an actor's mailbox, for framework actors' internal messages. */
export * as PrivateChannel from "./PrivateChannel.ts"
