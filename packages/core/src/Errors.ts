/**
 * Typed errors of `@arbor/core`.
 *
 * Each is a tagged class in the error channel whose message names what went wrong and where.
 *
 * @module
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type { ExitReason } from "./ExitReason.ts"
import * as Reason from "./ExitReason.ts"

/**
 * A printable handle on an actor, carried by errors: its id and optional label.
 *
 * @category models
 * @since 0.1.0
 */
export interface ActorDescription {
  /** The actor's id, unique within its system. */
  readonly id: number
  /** The label given at spawn, if any. */
  readonly label: string | undefined
}

const name = (actor: ActorDescription): string =>
  actor.label === undefined ? `actor #${actor.id}` : `actor "${actor.label}" (#${actor.id})`

/**
 * The target actor was not alive when the request was sent (Erlang's `noproc`).
 *
 * @category errors
 * @since 0.1.0
 */
export class ActorNotAlive extends Data.TaggedError("ActorNotAlive")<{
  /** The actor that was not alive. */
  readonly actor: ActorDescription
}> {
  /** A readable description naming the actor. */
  override get message(): string {
    return `${name(this.actor)} is not alive`
  }
}

/**
 * The target actor ended before it replied; `reason` is its exit reason.
 *
 * @category errors
 * @since 0.1.0
 */
export class ActorExited extends Data.TaggedError("ActorExited")<{
  /** The actor that ended. */
  readonly actor: ActorDescription
  /** Its exit reason. */
  readonly reason: ExitReason
}> {
  /** A readable description naming the actor and its exit reason. */
  override get message(): string {
    return `${name(this.actor)} exited (${Reason.format(this.reason)}) before replying`
  }
}

/**
 * No reply arrived within the ask's timeout.
 *
 * The request was withdrawn if still queued; a reply that arrives later is dropped.
 *
 * @category errors
 * @since 0.1.0
 */
export class AskTimeout extends Data.TaggedError("AskTimeout")<{
  /** The actor that did not reply. */
  readonly actor: ActorDescription
  /** The timeout that elapsed. */
  readonly timeout: Duration.Duration
}> {
  /** A readable description naming the actor and the timeout. */
  override get message(): string {
    return `${name(this.actor)} did not reply within ${this.timeout.toString()}`
  }
}

/**
 * A bounded mailbox with the `"fail"` overflow policy was full (or, with `"dropOldest"`, a
 * queued request was pushed out by a newer message).
 *
 * @category errors
 * @since 0.1.0
 */
export class MailboxFull extends Data.TaggedError("MailboxFull")<{
  /** The actor whose mailbox was full. */
  readonly actor: ActorDescription
  /** The mailbox's capacity. */
  readonly capacity: number
}> {
  /** A readable description naming the actor and the capacity. */
  override get message(): string {
    return `the mailbox of ${name(this.actor)} is full (capacity ${this.capacity})`
  }
}

/**
 * An option given to `Actor.spawn` (or to an actor definition) is invalid.
 *
 * `field` names the option, `reason` says what is wrong with the value.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidActorOptions extends Data.TaggedError("InvalidActorOptions")<{
  /** The label of the actor being spawned, if any. */
  readonly label: string | undefined
  /** The option at fault, e.g. `mailbox.capacity`. */
  readonly field: string
  /** The value that was given. */
  readonly value: unknown
  /** What is wrong with it. */
  readonly reason: string
}> {
  /** A readable description naming the option, the problem and the value. */
  override get message(): string {
    const who = this.label === undefined ? "actor" : `actor "${this.label}"`
    return `invalid option ${this.field} for ${who}: ${this.reason} (got ${String(this.value)})`
  }
}

/**
 * An actor definition given to `Actor.make` is malformed.
 *
 * An actor definition given to `Actor.make` is malformed (possible from JavaScript, or by
 * casting): thrown by `Actor.make` itself, where the definition is written, naming the field —
 * `init`, `receive`, `receive.<tag>`, `onSignal`, `onStop`, `trapExit`, `idleTimeout` or
 * `idleTimeout.after`.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidActorDefinition extends Data.TaggedError("InvalidActorDefinition")<{
  /** The field at fault, e.g. `receive.Increment`. */
  readonly field: string
  /** The value that was given. */
  readonly value: unknown
  /** What is wrong with it. */
  readonly reason: string
}> {
  /** A readable description naming the field, the problem and the value. */
  override get message(): string {
    return `invalid actor definition: ${this.field} ${this.reason} (got ${describe(this.value)})`
  }
}

const describe = (u: unknown): string => {
  if (u === null) return "null"
  if (Array.isArray(u)) return "an array"
  if (typeof u === "function") return "a function"
  if (typeof u === "object") return "an object"
  if (typeof u === "string") return JSON.stringify(u)
  return String(u)
}

/**
 * The actor's `init` did not complete within the `startTimeout` given to `Actor.spawn`.
 *
 * @category errors
 * @since 0.1.0
 */
export class StartTimeout extends Data.TaggedError("StartTimeout")<{
  /** The label of the actor being spawned, if any. */
  readonly label: string | undefined
  /** The `startTimeout` that elapsed. */
  readonly timeout: Duration.Duration
}> {
  /** A readable description naming the actor and the timeout. */
  override get message(): string {
    const who = this.label === undefined ? "actor" : `actor "${this.label}"`
    return `init of ${who} did not complete within ${this.timeout.toString()}`
  }
}

/**
 * Any error an `ask` can fail with.
 *
 * @category errors
 * @since 0.1.0
 */
export type AskError = ActorNotAlive | ActorExited | AskTimeout | MailboxFull

/**
 * A timer call was given an invalid key or duration.
 *
 * A timer call (`ctx.timers.startSingle`, `startPeriodic`, `cancel`, `isActive`) was given an
 * invalid key or duration; `field` names which (`key`, `delay`, `interval`, `initialDelay`).
 *
 * Nothing was armed or cancelled.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidTimer extends Data.TaggedError("InvalidTimer")<{
  /** The actor whose timer it is. */
  readonly actor: ActorDescription
  /** The argument that is invalid. */
  readonly field: string
  /** The value given. */
  readonly value: unknown
  /** What a valid value is. */
  readonly reason: string
}> {
  /** A readable description naming the actor, the argument and what is wrong. */
  override get message(): string {
    return `invalid timer ${this.field} for ${name(this.actor)}: ${this.reason} (got ${describe(this.value)})`
  }
}

