/**
 * Reply bookkeeping: the handle of one waiting `ask`, which the run loop resolves when the
 * handler replies, the actor's end fails, and the deadline heap expires.
 *
 * @internal
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { AskTimeout } from "../Errors.ts"
import type { Cell } from "./cell.ts"
import type { Deadlines, Expirable } from "./deadlines.ts"

/** A waiting `ask`: resolved at most once. */
export class PendingAsk implements Expirable {
  done = false
  /** The live-clock deadline heap holding this ask, while it is pending there. */
  deadlines: Deadlines | undefined = undefined
  /** The asked actor and the timeout, for the `AskTimeout` built only if the deadline passes. */
  target: Cell | undefined = undefined
  timeout: Duration.Duration | undefined = undefined
  constructor(private readonly resume: (effect: Effect.Effect<any, any>) => void) {}
  succeed(value: unknown): void {
    if (this.done) return
    this.settle()
    this.resume(Exit.succeed(value))
  }
  fail(error: unknown): void {
    if (this.done) return
    this.settle()
    this.resume(Exit.fail(error))
  }
  /** Its deadline passed unanswered (called by the deadline heap): the asker gets `AskTimeout`. */
  expire(): void {
    if (this.done) return
    this.done = true
    this.resume(Exit.fail(new AskTimeout({ actor: this.target!.description, timeout: this.timeout! })))
  }
  /** Withdraws the ask (its asker was interrupted or timed out): a later reply is dropped. */
  withdraw(): void {
    if (!this.done) this.settle()
  }
  /** Settled before its deadline: the deadline heap no longer counts it. */
  private settle(): void {
    this.done = true
    const deadlines = this.deadlines
    if (deadlines !== undefined) {
      this.deadlines = undefined
      deadlines.settled()
    }
  }
}
