/**
 * A `Clock` whose time moves only when the conformance driver moves it. Sleeps register
 * timers; `advanceTo` fires them in deadline order. Interrupted sleeps remove their timer, so
 * the driver can tell whether anything is waiting on time.
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

interface Timer {
  readonly at: number
  readonly seq: number
  readonly fire: () => void
}

export class VirtualClock implements Clock.Clock {
  private nowMs = 0
  private seq = 0
  private timers: Array<Timer> = []

  currentTimeMillisUnsafe(): number {
    return this.nowMs
  }
  readonly currentTimeMillis: Effect.Effect<number> = Effect.sync(() => this.nowMs)
  currentTimeNanosUnsafe(): bigint {
    return BigInt(Math.round(this.nowMs * 1_000_000))
  }
  readonly currentTimeNanos: Effect.Effect<bigint> = Effect.sync(() => this.currentTimeNanosUnsafe())
  monotonicTimeNanosUnsafe(): bigint {
    return this.currentTimeNanosUnsafe()
  }
  readonly monotonicTimeNanos: Effect.Effect<bigint> = Effect.sync(() => this.currentTimeNanosUnsafe())

  sleep(duration: Duration.Duration): Effect.Effect<void> {
    return Effect.callback<void>((resume) => {
      const ms = Duration.toMillis(duration)
      if (ms <= 0) {
        resume(Effect.void)
        return
      }
      const timer: Timer = { at: this.nowMs + ms, seq: this.seq++, fire: () => resume(Effect.void) }
      this.timers.push(timer)
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      return Effect.sync(() => {
        const i = this.timers.indexOf(timer)
        if (i >= 0) this.timers.splice(i, 1)
      })
    })
  }

  get now(): number {
    return this.nowMs
  }

  /** The earliest pending deadline, if any. */
  nextDeadline(): number | undefined {
    return this.timers[0]?.at
  }

  /** Moves time to the earliest deadline (at most `limit`) and fires the timers due then. */
  fireNext(limit = Infinity): boolean {
    const next = this.timers[0]
    if (next === undefined || next.at > limit) return false
    this.nowMs = Math.max(this.nowMs, next.at)
    while (this.timers.length > 0 && this.timers[0]!.at <= this.nowMs) this.timers.shift()!.fire()
    return true
  }

  /** Sets the time forward without firing anything (callers fire due timers first). */
  setNow(ms: number): void {
    this.nowMs = Math.max(this.nowMs, ms)
  }
}
