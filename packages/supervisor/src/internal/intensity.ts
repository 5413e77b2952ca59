/**
 * Restart intensity as a pure sliding window over restart timestamps (milliseconds from the
 * `Clock`). OTP keeps a list and walks it on every restart; this keeps a deque whose stale head
 * is dropped as time moves on, so each restart costs O(1) amortised however long a storm lasts.
 *
 * @internal
 */
export class RestartWindow {
  private times: Array<number> = []
  private head = 0

  constructor(readonly intensity: number, readonly periodMs: number) {}

  /** Drops restarts that are no longer within `periodMs` of `now`. */
  private prune(now: number): void {
    const times = this.times
    while (this.head < times.length && now - times[this.head]! >= this.periodMs) this.head++
    if (this.head > 64 && this.head * 2 > times.length) {
      this.times = times.slice(this.head)
      this.head = 0
    }
  }

  /**
   * Records a restart at `now`. Returns `false` when that makes more than `intensity` restarts
   * within the last `periodMs` — the supervisor must give up.
   */
  add(now: number): boolean {
    this.prune(now)
    this.times.push(now)
    return this.times.length - this.head <= this.intensity
  }

  /** `true` when one more restart at `now` would exceed the intensity ({@link add} would return `false`). */
  wouldExceed(now: number): boolean {
    return this.count(now) + 1 > this.intensity
  }

  /** Restarts within the window at `now`. */
  count(now: number): number {
    this.prune(now)
    return this.times.length - this.head
  }
}

/** The pure decision behind {@link RestartWindow.add}, for tests and the reference model. */
export const exceeds = (restarts: ReadonlyArray<number>, now: number, periodMs: number, intensity: number): boolean =>
  restarts.filter((t) => now - t < periodMs).length + 1 > intensity
