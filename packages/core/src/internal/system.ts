/**
 * The per-world machinery shared by every actor of one `ActorSystem`: id allocation, the
 * dispatcher that runs mailbox drains, and the dead-letter hub. Nothing here is global: two
 * systems in one process share nothing.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as PubSub from "effect/PubSub"
import type { DeadLetter } from "../DeadLetter.ts"
import { SystemMetrics } from "./metrics.ts"
import { DeadLetterReporter } from "./report.ts"
import { Deadlines } from "./deadlines.ts"
import type { Expirable } from "./deadlines.ts"

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

  /** `true` when no cell is queued and no turn is pending (queued cells keep `scheduled` set). */
  get idle(): boolean {
    return !this.scheduled
  }

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

/**
 * The built-in `ActorSystem` implementations' states, by service: read by `harness.ts` (for
 * `@arbor/testkit`) only. Nothing on the public service object leads back to its state.
 */
const states = new WeakMap<object, SystemState>()

/** Records that `service` is the built-in implementation running on `state`. */
export const register = (service: object, state: SystemState): void => {
  states.set(service, state)
}

/** The state behind a built-in `ActorSystem` service; `undefined` for any other implementation. */
export const stateOf = (service: object): SystemState | undefined => states.get(service)

/**
 * Told of each built-in system made (by `ActorSystem.make`) in a fiber whose services hold it:
 * how `@arbor/testkit` finds the dispatcher of a world whose `ActorSystem` service is not the
 * built-in object itself (a wrapper built on `ActorSystem.make`). Read by `harness.ts` only.
 */
export const SystemWatcher = Context.Reference<((state: SystemState) => void) | undefined>(
  "@arbor/core/internal/SystemWatcher",
  { defaultValue: () => undefined }
)

/** The state of one actor world. */
export class SystemState {
  private nextId = 1
  readonly dispatcher = new Dispatcher()
  readonly deadLetters: PubSub.PubSub<DeadLetter>
  deadLetterCount = 0
  liveActors = 0

  /** Logs dead letters (`Reports`), `undefined` when they are not reported. */
  private readonly reporter: DeadLetterReporter | undefined

  /** Actor metrics (`Metrics`), `undefined` when they are off. */
  readonly metrics: SystemMetrics | undefined

  constructor(deadLetters: PubSub.PubSub<DeadLetter>, services?: Context.Context<never>) {
    this.deadLetters = deadLetters
    this.reporter = services === undefined ? undefined : DeadLetterReporter.make(services)
    this.metrics = services === undefined ? undefined : SystemMetrics.make(services)
    if (services !== undefined) Context.get(services, SystemWatcher)?.(this)
  }

  allocateId(): number {
    return this.nextId++
  }

  /** The live-clock deadlines of this system's asks (made on first use; see `deadlines.ts`). */
  deadlines: Deadlines | undefined = undefined

  /** Expires `item` after `timeoutMillis` of real time unless it is settled first. */
  expireAfter(timeoutMillis: number, item: Expirable): void {
    ;(this.deadlines ??= new Deadlines()).add(timeoutMillis, item)
  }

  publishDeadLetter(letter: DeadLetter): void {
    this.deadLetterCount++
    PubSub.publishUnsafe(this.deadLetters, letter)
    this.reporter?.letter(letter)
    this.metrics?.deadLetter(letter.reason)
  }
}
