/**
 * The per-world machinery shared by every actor of one `ActorSystem`: id allocation, the
 * dispatcher that runs mailbox drains, and the dead-letter hub. Nothing here is global: two
 * systems in one process share nothing.
 *
 * @internal
 */
import * as PubSub from "effect/PubSub"
import type { DeadLetter } from "../DeadLetter.ts"

/** Something the dispatcher can run: a cell with waiting work. */
export interface Runnable {
  /** Runs up to `budget` units of work; returns how many it ran. */
  drain(budget: number): number
}

/** How many units one dispatcher turn may run before yielding to the event loop. */
const TURN_BUDGET = 4096
/** How many units one cell may run before the dispatcher moves on to the next cell. */
const CELL_BUDGET = 512

/**
 * Runs ready cells back to back in a microtask, so a burst of messages costs no fiber
 * suspension. After a turn's budget it yields to the event loop (`setImmediate`) so timers and
 * I/O are not starved by a busy actor.
 */
export class Dispatcher {
  private queue: Array<Runnable> = []
  private head = 0
  private scheduled = false

  schedule(cell: Runnable): void {
    this.queue.push(cell)
    if (!this.scheduled) {
      this.scheduled = true
      queueMicrotask(this.run)
    }
  }

  private run = (): void => {
    let budget = TURN_BUDGET
    while (this.head < this.queue.length && budget > 0) {
      const cell = this.queue[this.head]!
      this.queue[this.head++] = undefined as never
      budget -= cell.drain(budget < CELL_BUDGET ? budget : CELL_BUDGET)
    }
    if (this.head >= this.queue.length) {
      this.queue.length = 0
      this.head = 0
      this.scheduled = false
    } else {
      if (this.head > 1024) {
        this.queue = this.queue.slice(this.head)
        this.head = 0
      }
      setImmediate(this.run)
    }
  }
}

/** Something with a deadline that can be expired (an ask waiting for its reply). */
export interface Expirable {
  /** `true` once settled (replied, failed, withdrawn): its deadline no longer matters. */
  readonly done: boolean
  /** Called when the deadline passes and it is not yet settled. */
  expire(): void
}

/**
 * The deadlines of asks that share one timeout, on the live clock. Deadlines of the same
 * timeout arrive in order, so a FIFO queue suffices: settled asks are dropped from its head as
 * new ones arrive (amortised O(1), the queue holds little more than the asks in flight), and one
 * Node timer, armed for the head, serves the whole queue — instead of a timer per ask.
 */
class DeadlineQueue {
  private at: Array<number> = []
  private items: Array<Expirable> = []
  private head = 0
  private timer: ReturnType<typeof setTimeout> | undefined = undefined

  constructor(private readonly timeoutMillis: number) {}

  /** Queue length that triggers the next sweep of settled items (doubles with the live ones). */
  private sweepAt = 4096

  add(item: Expirable): void {
    this.dropSettled()
    this.at.push(performance.now() + this.timeoutMillis)
    this.items.push(item)
    if (this.items.length - this.head >= this.sweepAt) this.sweep()
    if (this.timer === undefined) this.arm()
  }

  /**
   * A slow ask at the head keeps the settled ones behind it queued: now and then they are
   * swept out (amortised O(1) per ask), so the queue stays the size of the asks in flight.
   */
  private sweep(): void {
    const at: Array<number> = []
    const items: Array<Expirable> = []
    for (let i = this.head; i < this.items.length; i++) {
      if (!this.items[i]!.done) {
        at.push(this.at[i]!)
        items.push(this.items[i]!)
      }
    }
    this.at = at
    this.items = items
    this.head = 0
    this.sweepAt = Math.max(4096, items.length * 2)
  }

  private dropSettled(): void {
    while (this.head < this.items.length && this.items[this.head]!.done) this.shift()
  }

  private shift(): void {
    this.items[this.head] = undefined as never
    this.head++
    if (this.head === this.items.length) {
      this.at.length = 0
      this.items.length = 0
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.at = this.at.slice(this.head)
      this.items = this.items.slice(this.head)
      this.head = 0
    }
  }

  private arm(): void {
    // already armed: an ask expired in `fire` may have asked again (and armed) before `fire` ends
    if (this.timer !== undefined || this.head >= this.items.length) return
    const due = this.at[this.head]!
    this.timer = setTimeout(this.fire, Math.max(0, Math.ceil(due - performance.now())))
    // like Effect's own fibers, a pending deadline does not keep the process alive by itself
    this.timer.unref()
  }

  private fire = (): void => {
    this.timer = undefined
    const now = performance.now()
    while (this.head < this.items.length) {
      const item = this.items[this.head]!
      if (!item.done) {
        if (this.at[this.head]! > now) break
        this.shift()
        item.expire()
        continue
      }
      this.shift()
    }
    this.arm()
  }
}

/** The state of one actor world. */
export class SystemState {
  private nextId = 1
  readonly dispatcher = new Dispatcher()
  readonly deadLetters: PubSub.PubSub<DeadLetter>
  deadLetterCount = 0
  liveActors = 0

  constructor(deadLetters: PubSub.PubSub<DeadLetter>) {
    this.deadLetters = deadLetters
  }

  allocateId(): number {
    return this.nextId++
  }

  private deadlines: Map<number, DeadlineQueue> | undefined = undefined

  /** Expires `item` after `timeoutMillis` of real time unless it is settled first. */
  expireAfter(timeoutMillis: number, item: Expirable): void {
    const queues = (this.deadlines ??= new Map())
    let queue = queues.get(timeoutMillis)
    if (queue === undefined) {
      queue = new DeadlineQueue(timeoutMillis)
      queues.set(timeoutMillis, queue)
    }
    queue.add(item)
  }

  publishDeadLetter(letter: DeadLetter): void {
    this.deadLetterCount++
    PubSub.publishUnsafe(this.deadLetters, letter)
  }
}
