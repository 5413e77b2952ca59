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

/**
 * The handle of a request answered later (`Actor.deferReply`): answers the ask at most once;
 * `false` when it was already answered, or the asker gave up (timed out, interrupted), or the
 * actor ended (which failed the ask with `ActorExited`).
 */
export class ReplyHandle {
  constructor(private ask: PendingAsk | undefined, private readonly owner: DeferredAsks | undefined) {}
  answer(value: unknown): boolean {
    const ask = this.ask
    if (ask === undefined) return false
    this.ask = undefined
    this.owner?.delete(ask)
    if (ask.done) return false
    ask.succeed(value)
    return true
  }
}

/**
 * The asks an actor deferred and has not answered yet: failed with `ActorExited` when it ends.
 * Answered ones leave at once; ones whose askers gave up are swept out as the set grows.
 */
export class DeferredAsks {
  private readonly asks = new Set<PendingAsk>()
  private sweepAt = 64
  add(ask: PendingAsk): void {
    const asks = this.asks
    asks.add(ask)
    if (asks.size >= this.sweepAt) {
      for (const a of asks) if (a.done) asks.delete(a)
      this.sweepAt = Math.max(64, asks.size * 2)
    }
  }
  delete(ask: PendingAsk): void {
    this.asks.delete(ask)
  }
  /** How many deferred asks are held (for tests and diagnostics). */
  get size(): number {
    return this.asks.size
  }
  /** The actor ended: every deferred ask still waiting fails with `error()`. */
  failAll(error: () => unknown): void {
    for (const ask of this.asks) if (!ask.done) ask.fail(error())
    this.asks.clear()
  }
}
