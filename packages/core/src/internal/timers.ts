/**
 * Per-actor timers (`ctx.timers`) and the idle timeout. A timer is a fiber sleeping on the
 * actor's `Clock` (so `TestClock` drives it) that puts one of the actor's own messages in its
 * mailbox, stamped with the timer's entry.
 *
 * - One entry per key: arming a key cancels its previous entry (its fiber is interrupted).
 * - The stamp is the generation check: a message whose entry was cancelled or replaced is
 *   skipped when it reaches the head of the mailbox, so no message of a cancelled timer is
 *   handled, even one already waiting when the timer was cancelled.
 * - A single-shot timer is active until its message is handled (or it is cancelled).
 * - When the actor ends, every timer is cancelled; a restarted actor is a new incarnation with
 *   no timers.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Durations from "../Durations.ts"
import { InvalidTimer } from "../Errors.ts"
import * as Reason from "../ExitReason.ts"
import type { Cell, TimerStamp } from "./cell.ts"

/** A timer's key: a non-empty string, a finite number or a symbol. */
export type TimerKey = string | number | symbol

/** One armed timer: the stamp of every message it sends. */
class Entry implements TimerStamp {
  done = false
  fiber: Fiber.Fiber<unknown, unknown> | undefined = undefined
  constructor(readonly owner: Timers, readonly key: TimerKey, readonly periodic: boolean) {}
  delivered(): void {
    if (!this.periodic) this.owner.remove(this)
  }
  /** Cancels the timer: its fiber ends, and its messages still waiting are skipped. */
  cancel(): void {
    this.done = true
    const fiber = this.fiber
    this.fiber = undefined
    if (fiber !== undefined) fiber.interruptUnsafe()
  }
}

const validKey = (key: unknown): key is TimerKey =>
  (typeof key === "string" && key.length > 0) || (typeof key === "number" && Number.isFinite(key)) ||
  typeof key === "symbol"

export class Timers {
  private entries: Map<TimerKey, Entry> | undefined = undefined
  constructor(private readonly cell: Cell) {}

  private invalid(field: string, value: unknown, reason: string): InvalidTimer {
    return new InvalidTimer({ actor: this.cell.description, field, value, reason })
  }

  private checkKey(key: unknown): InvalidTimer | undefined {
    return validKey(key) ? undefined : this.invalid("key", key, "must be a non-empty string, a finite number or a symbol")
  }

  /** A finite duration (`> 0` when `positive`), or the error naming `field`. */
  private duration(field: string, input: unknown, positive: boolean): Duration.Duration | InvalidTimer {
    const d = Durations.decode(input)
    const reason = positive ? "must be a finite duration > 0" : "must be a finite duration ≥ 0"
    if (d === undefined || !Duration.isFinite(d)) return this.invalid(field, input, reason)
    if (positive && Duration.isZero(d)) return this.invalid(field, input, reason)
    return d
  }

  readonly startSingle = (key: TimerKey, message: unknown, delay: Duration.Input): Effect.Effect<void, InvalidTimer> => {
    const bad = this.checkKey(key)
    if (bad !== undefined) return Effect.fail(bad)
    const d = this.duration("delay", delay, false)
    if (d instanceof InvalidTimer) return Effect.fail(d)
    return Effect.sync(() => this.arm(key, message, d, undefined))
  }

  readonly startPeriodic = (
    key: TimerKey,
    message: unknown,
    interval: Duration.Input,
    options?: { readonly initialDelay?: Duration.Input }
  ): Effect.Effect<void, InvalidTimer> => {
    const bad = this.checkKey(key)
    if (bad !== undefined) return Effect.fail(bad)
    const every = this.duration("interval", interval, true)
    if (every instanceof InvalidTimer) return Effect.fail(every)
    let first = every
    if (options?.initialDelay !== undefined) {
      const d = this.duration("initialDelay", options.initialDelay, false)
      if (d instanceof InvalidTimer) return Effect.fail(d)
      first = d
    }
    return Effect.sync(() => this.arm(key, message, first, every))
  }

  readonly cancel = (key: TimerKey): Effect.Effect<void, InvalidTimer> => {
    const bad = this.checkKey(key)
    if (bad !== undefined) return Effect.fail(bad)
    return Effect.sync(() => {
      const entry = this.entries?.get(key)
      if (entry !== undefined) {
        this.entries!.delete(key)
        entry.cancel()
      }
    })
  }

  readonly cancelAll: Effect.Effect<void> = Effect.sync(() => this.cancelAllUnsafe())

  readonly isActive = (key: TimerKey): Effect.Effect<boolean, InvalidTimer> => {
    const bad = this.checkKey(key)
    if (bad !== undefined) return Effect.fail(bad)
    return Effect.sync(() => this.entries?.has(key) === true)
  }

  /** How many timers are armed (for tests and diagnostics). */
  get size(): number {
    return this.entries?.size ?? 0
  }

  /** Cancels every timer (the actor ended, or `cancelAll`). */
  cancelAllUnsafe(): void {
    const entries = this.entries
    if (entries === undefined) return
    this.entries = undefined
    for (const entry of entries.values()) entry.cancel()
  }

  /** A single-shot timer's message is being handled: it is no longer active. */
  remove(entry: Entry): void {
    if (this.entries?.get(entry.key) === entry) this.entries.delete(entry.key)
  }

  private arm(key: TimerKey, message: unknown, first: Duration.Duration, every: Duration.Duration | undefined): void {
    const entries = (this.entries ??= new Map())
    const previous = entries.get(key)
    if (previous !== undefined) {
      entries.delete(key)
      previous.cancel()
    }
    if (!this.cell.isAlive()) return
    const entry = new Entry(this, key, every !== undefined)
    entries.set(key, entry)
    const fire = Effect.sync(() => this.fire(entry, message))
    const program = every === undefined
      ? Effect.andThen(Effect.sleep(first), fire)
      : Effect.andThen(Effect.sleep(first), Effect.forever(Effect.andThen(fire, Effect.sleep(every))))
    // the spawner's services: its `Clock` (a `TestClock` in tests), not the actor's `Scope`
    entry.fiber = Effect.runForkWith(this.cell.services)(program)
  }

  private fire(entry: Entry, message: unknown): void {
    if (entry.done) return
    const result = this.cell.offer(message, entry, undefined)
    if (result !== undefined && result !== "Waiting") {
      this.cell.deadLetter(message, result)
    }
  }
}

/**
 * The idle timeout (`idleTimeout` of a definition): when the actor has received no message for
 * `after`, it is sent `message`, or — without one — stopped with reason `Normal` (passivation).
 * Each message received restarts the wait; the clock is read only when the wait ends.
 */
export class IdleTimer {
  private lastActive: number
  private fiber: Fiber.Fiber<unknown, unknown> | undefined
  private readonly clock: Clock.Clock

  constructor(
    private readonly cell: Cell,
    private readonly afterMillis: number,
    private readonly message: { readonly value: unknown } | undefined
  ) {
    this.clock = Context.get(cell.services, Clock.Clock)
    this.lastActive = this.clock.currentTimeMillisUnsafe()
    this.fiber = Effect.runForkWith(cell.services)(this.loop)
  }

  /** A message is being handled: the actor is not idle. */
  touch(): void {
    this.lastActive = this.clock.currentTimeMillisUnsafe()
  }

  private readonly loop: Effect.Effect<void> = Effect.suspend(() => {
    const idleFor = this.clock.currentTimeMillisUnsafe() - this.lastActive
    if (idleFor >= this.afterMillis && this.cell.isIdle()) {
      if (this.message === undefined) {
        this.fiber = undefined
        this.cell.requestGracefulStop(Reason.normal)
        return Effect.void
      }
      this.lastActive = this.clock.currentTimeMillisUnsafe()
      this.cell.offer(this.message.value, undefined, undefined)
      return Effect.andThen(Effect.sleep(Duration.millis(this.afterMillis)), this.loop)
    }
    const wait = idleFor >= this.afterMillis ? this.afterMillis : this.afterMillis - idleFor
    return Effect.andThen(Effect.sleep(Duration.millis(wait)), this.loop)
  })

  cancel(): void {
    const fiber = this.fiber
    this.fiber = undefined
    if (fiber !== undefined) fiber.interruptUnsafe()
  }
}
