/**
 * Messages that could not be delivered.
 *
 * Subscribe with `ActorSystem.deadLetters`.
 *
 * @module
 * @since 0.1.0
 */
import type { ActorRef } from "./ActorRef.ts"

/**
 * Why a message became a dead letter.
 *
 * - `NotAlive`: the recipient had already ended when the message was sent.
 * - `Exited`: the recipient ended with the message still in its mailbox.
 * - `DroppedNewest` / `DroppedOldest`: a bounded mailbox's overflow policy dropped it.
 * - `MailboxFull`: a bounded mailbox with the `"fail"` policy refused a `tell`.
 *
 * @category models
 * @since 0.1.0
 */
export type DeadLetterReason = "NotAlive" | "Exited" | "DroppedNewest" | "DroppedOldest" | "MailboxFull"

/**
 * An undeliverable message: who it was for, what it was, and why it was not delivered.
 *
 * @category models
 * @since 0.1.0
 */
export interface DeadLetter {
  /** The actor the message was sent to. */
  readonly recipient: ActorRef<never>
  /** The message as it was sent. */
  readonly message: unknown
  /** Why it was not delivered. */
  readonly reason: DeadLetterReason
}
