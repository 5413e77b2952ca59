/**
 * The deadlines of asks on the live clock, for one actor system: a binary min-heap ordered by
 * deadline (ties in arrival order), and one Node timer, armed for the earliest deadline.
 *
 * - A new ask does not read the clock: it waits in a batch, and a microtask gives the whole batch
 *   its deadlines with one clock read ("timeout after the batch was taken"), so a deadline is
 *   never earlier than the ask's own time plus its timeout — at most that microtask later. An
 *   ask answered before then (a reply in the same dispatcher turn, the common case) never enters
 *   the heap and never arms the timer.
 * - However many distinct timeouts are pending, one timer is armed. Timeouts of any values mix
 *   freely ("timeout = deadline − now"), and nothing is kept per timeout value.
 * - A settled ask (replied, failed, withdrawn) tells the heap at once: the heap counts the asks
 *   still pending. When none is, the heap is emptied and the timer cleared — so what is retained
 *   after the asks settle does not depend on how many there were or which timeouts they used,
 *   and no timer of Arbor's holds the process. Settled asks still in the heap are skipped when
 *   they reach its top, and swept out whenever they outnumber the pending ones three to one
 *   (amortised O(1) per ask), so the heap stays the size of the asks in flight.
 * - While an ask is pending the timer is a normal (ref'd) Node timer: like `Effect.sleep`, it
 *   keeps the process alive until the ask settles or times out; once none is pending there is
 *   no timer at all.
 *
 * @internal
 */

/** Something with a deadline that can be expired (an ask waiting for its reply). */
export interface Expirable {
  /** `true` once settled (replied, failed, withdrawn) or expired. */
  readonly done: boolean
  /**
   * The heap holding its deadline, while it is pending there. Set by {@link Deadlines.add};
   * cleared by the heap before it calls `expire`. An item that settles while it is set calls
   * `settled()` on it (and clears it) — see `PendingAsk`.
   */
  deadlines: Deadlines | undefined
  /** Called when the deadline passes and it is not yet settled. */
  expire(): void
}

/** Below this size the heap is never swept (a sweep would cost more than the slots it frees). */
const SWEEP_MIN = 1024

/** `setTimeout` cannot wait longer than this. */
export const MAX_TIMER_MILLIS = 2 ** 31 - 1

export class Deadlines {
  /** Deadline of each heap slot (`performance.now()` milliseconds). */
  private at: Array<number> = []
  /** Arrival number of each slot: equal deadlines expire in arrival order. */
  private seq: Array<number> = []
  private items: Array<Expirable | undefined> = []
  private size = 0
  /** How many items in the heap are neither settled nor expired. */
  private live = 0
  private nextSeq = 0
  private timer: ReturnType<typeof setTimeout> | undefined = undefined
  /** The deadline the timer is armed for (`Infinity` when none is armed). */
  private armedFor = Infinity

  /** How many asks are pending (for tests and diagnostics). */
  get pending(): number {
    return this.live
  }

  /** How many slots the heap holds, settled ones included (for tests and diagnostics). */
  get slots(): number {
    return this.size
  }

  /** Expires `item` after `timeoutMillis` of real time unless it settles first. */
  add(timeoutMillis: number, item: Expirable): void {
    item.deadlines = this
    this.live++
    const n = this.batchSize++
    this.batch[n] = item
    this.batchTimeouts[n] = timeoutMillis
    if (n === 0) queueMicrotask(this.takeBatch)
  }

  /** The asks added since the last batch was taken, and their timeouts (see the module notes). */
  private batch: Array<Expirable | undefined> = []
  private batchTimeouts: Array<number> = []
  private batchSize = 0

  /** Gives the asks of the batch still pending their deadlines: one clock read for all of them. */
  private takeBatch = (): void => {
    const batch = this.batch
    const timeouts = this.batchTimeouts
    const n = this.batchSize
    this.batchSize = 0
    let now = -1
    let earliest = Infinity
    for (let i = 0; i < n; i++) {
      const item = batch[i]!
      batch[i] = undefined
      if (item.done) continue
      if (now < 0) now = performance.now()
      const at = now + timeouts[i]!
      if (at < earliest) earliest = at
      this.push(at, item)
    }
    if (n > SWEEP_MIN) {
      // a burst grew the batch: give its memory back
      this.batch = []
      this.batchTimeouts = []
    }
    // a timer fires within a millisecond of its time anyway: re-arming for a deadline less than
    // a millisecond earlier (the "deadline − now" pattern) would only churn timers
    if (earliest < this.armedFor - 1) this.arm(earliest)
  }

  /** An item left before its deadline (it settled): called by the item, once. */
  settled(): void {
    if (--this.live === 0) this.clear()
    else if (this.size > SWEEP_MIN && this.size > 4 * this.live) this.sweep()
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.armedFor = at
    this.timer = setTimeout(this.fire, Math.max(0, Math.ceil(at - performance.now())))
    // ref'd, like `Effect.sleep`: a pending ask keeps the process alive (`clear` drops it
    // as soon as none is pending)
  }

  private fire = (): void => {
    this.timer = undefined
    this.armedFor = Infinity
    const now = performance.now()
    while (this.size > 0) {
      const item = this.items[0]!
      if (item.done) {
        this.pop()
        continue
      }
      if (this.at[0]! > now) break
      this.pop()
      item.deadlines = undefined
      this.live--
      // may run the asker's code synchronously, which may ask again (re-entering `add`)
      item.expire()
    }
    if (this.live === 0) this.clear()
    else if (this.size > 0 && this.at[0]! < this.armedFor - 1) this.arm(this.at[0]!)
  }

  /** No item is pending: drop every slot and the timer. */
  private clear(): void {
    if (this.size === 0 && this.timer === undefined) return
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    this.armedFor = Infinity
    if (this.items.length > SWEEP_MIN) {
      // a burst grew the heap: give its memory back
      this.at = []
      this.seq = []
      this.items = []
    } else {
      for (let i = 0; i < this.size; i++) this.items[i] = undefined
    }
    this.size = 0
  }

  /** Drops the settled slots and rebuilds the heap from the pending ones (O(n)). */
  private sweep(): void {
    const at: Array<number> = []
    const seq: Array<number> = []
    const items: Array<Expirable | undefined> = []
    for (let i = 0; i < this.size; i++) {
      const item = this.items[i]!
      if (!item.done) {
        at.push(this.at[i]!)
        seq.push(this.seq[i]!)
        items.push(item)
      }
    }
    this.at = at
    this.seq = seq
    this.items = items
    this.size = items.length
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i)
  }

  private before(i: number, j: number): boolean {
    const a = this.at[i]!
    const b = this.at[j]!
    return a < b || (a === b && this.seq[i]! < this.seq[j]!)
  }

  private push(at: number, item: Expirable): void {
    let i = this.size++
    this.at[i] = at
    this.seq[i] = this.nextSeq++
    this.items[i] = item
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(i, parent)) break
      this.swap(i, parent)
      i = parent
    }
  }

  private pop(): void {
    const last = --this.size
    if (last > 0) {
      this.at[0] = this.at[last]!
      this.seq[0] = this.seq[last]!
      this.items[0] = this.items[last]
    }
    this.items[last] = undefined
    if (last > 1) this.down(0)
  }

  private down(i: number): void {
    const n = this.size
    while (true) {
      const l = 2 * i + 1
      if (l >= n) return
      const r = l + 1
      const c = r < n && this.before(r, l) ? r : l
      if (!this.before(c, i)) return
      this.swap(i, c)
      i = c
    }
  }

  private swap(i: number, j: number): void {
    const at = this.at[i]!
    this.at[i] = this.at[j]!
    this.at[j] = at
    const seq = this.seq[i]!
    this.seq[i] = this.seq[j]!
    this.seq[j] = seq
    const item = this.items[i]
    this.items[i] = this.items[j]
    this.items[j] = item
  }
}
