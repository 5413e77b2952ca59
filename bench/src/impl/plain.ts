/**
 * The ceiling: a plain-JS actor. A growable ring buffer, a drain loop scheduled as one
 * microtask that runs handlers back to back, and `ask` as a Promise resolved by the handler.
 * No Effect, no typing machinery, no lifecycle beyond "a handler threw": the fastest an actor
 * can be in Node, so every Arbor number is read as a ratio to it.
 */
import { fanOutShape, flatness, heapAfterGc, now } from "../types.ts"
import type { Sample, Suite } from "../types.ts"

const EMPTY: Array<unknown> = []

export class PlainActor<S, M> {
  state: S
  dead = false
  private buf: Array<M | undefined> = EMPTY as Array<M | undefined>
  private head = 0
  private size = 0
  private scheduled = false
  private readonly handler: (state: S, msg: M, self: PlainActor<S, M>) => S
  private readonly onCrash: ((error: unknown) => void) | undefined

  constructor(
    state: S,
    handler: (state: S, msg: M, self: PlainActor<S, M>) => S,
    onCrash?: (error: unknown) => void
  ) {
    this.state = state
    this.handler = handler
    this.onCrash = onCrash
  }

  tell(msg: M): void {
    if (this.dead) return
    if (this.size === this.buf.length) this.grow()
    this.buf[(this.head + this.size) & (this.buf.length - 1)] = msg
    this.size++
    if (!this.scheduled) {
      this.scheduled = true
      queueMicrotask(this.drain)
    }
  }

  /** Sends the message built around a reply callback; resolves with the reply. */
  ask<R>(make: (reply: (value: R) => void) => M): Promise<R> {
    return new Promise<R>((resolve) => this.tell(make(resolve)))
  }

  private grow(): void {
    const n = this.buf.length === 0 ? 8 : this.buf.length * 2
    const next = new Array<M | undefined>(n)
    const mask = this.buf.length - 1
    for (let k = 0; k < this.size; k++) next[k] = this.buf[(this.head + k) & mask]
    this.buf = next
    this.head = 0
  }

  private drain = (): void => {
    while (this.size > 0 && !this.dead) {
      const i = this.head
      const msg = this.buf[i] as M
      this.buf[i] = undefined
      this.head = (i + 1) & (this.buf.length - 1)
      this.size--
      try {
        this.state = this.handler(this.state, msg, this)
      } catch (error) {
        this.dead = true
        this.buf = EMPTY as Array<M | undefined>
        this.size = 0
        if (this.onCrash !== undefined) this.onCrash(error)
      }
    }
    this.scheduled = false
  }
}

// -----------------------------------------------------------------------------------------
// protocols
// -----------------------------------------------------------------------------------------

type CounterMsg =
  | { readonly _tag: "Inc" }
  | { readonly _tag: "Get"; readonly reply: (n: number) => void }
  | { readonly _tag: "Next"; readonly reply: (n: number) => void }
  | { readonly _tag: "Crash" }

const INC: CounterMsg = { _tag: "Inc" }
const CRASH: CounterMsg = { _tag: "Crash" }

const counter = (n: number, msg: CounterMsg): number => {
  switch (msg._tag) {
    case "Inc":
      return n + 1
    case "Get":
      msg.reply(n)
      return n
    case "Next":
      msg.reply(n + 1)
      return n + 1
    case "Crash":
      throw new Error("boom")
  }
}

const get = (a: PlainActor<number, CounterMsg>) => a.ask<number>((reply) => ({ _tag: "Get", reply }))

type BallMsg = { readonly _tag: "Peer"; readonly peer: Player } | { readonly _tag: "Ball"; readonly n: number }
type Player = PlainActor<Player | undefined, BallMsg>

interface Tally {
  handled: number
  done: () => void
}

// -----------------------------------------------------------------------------------------
// a hand-rolled supervisor: one-for-one, permanent child, sliding-window intensity
// -----------------------------------------------------------------------------------------

class PlainSupervisor {
  child!: PlainActor<number, CounterMsg>
  private stamps: Array<number> = []
  private oldest = 0
  private waiting: ((child: PlainActor<number, CounterMsg>) => void) | undefined = undefined
  constructor(private readonly intensity: number, private readonly periodMs: number) {
    this.startChild()
  }
  private startChild(): void {
    this.child = new PlainActor<number, CounterMsg>(0, counter, () => this.childExited())
  }
  private childExited(): void {
    const t = now()
    while (this.oldest < this.stamps.length && this.stamps[this.oldest]! <= t - this.periodMs) this.oldest++
    if (this.oldest > 1024 && this.oldest * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.oldest)
      this.oldest = 0
    }
    this.stamps.push(t)
    if (this.stamps.length - this.oldest > this.intensity) throw new Error("intensity exceeded")
    this.startChild()
    const waiting = this.waiting
    this.waiting = undefined
    if (waiting !== undefined) waiting(this.child)
  }
  /** Resolves with the next incarnation of the child. */
  nextChild(): Promise<PlainActor<number, CounterMsg>> {
    return new Promise((resolve) => (this.waiting = resolve))
  }
}

// -----------------------------------------------------------------------------------------
// workloads
// -----------------------------------------------------------------------------------------

const W1 = async (size: number): Promise<Sample> => {
  const a = new PlainActor<number, CounterMsg>(0, counter)
  const t0 = now()
  for (let i = 0; i < size; i++) a.tell(INC)
  const count = await get(a)
  return { count, expected: size, ms: now() - t0 }
}

const W2 = async (size: number): Promise<Sample> => {
  const a = new PlainActor<number, CounterMsg>(0, counter)
  const t0 = now()
  let last = 0
  for (let i = 0; i < size; i++) last = await a.ask<number>((reply) => ({ _tag: "Next", reply }))
  return { count: last, expected: size, ms: now() - t0 }
}

const W3 = async (size: number): Promise<Sample> => {
  const { actors, per } = fanOutShape(size)
  const refs: Array<PlainActor<number, CounterMsg>> = []
  for (let k = 0; k < actors; k++) refs.push(new PlainActor<number, CounterMsg>(0, counter))
  const t0 = now()
  for (let m = 0; m < per; m++) for (let k = 0; k < actors; k++) refs[k]!.tell(INC)
  let count = 0
  for (let k = 0; k < actors; k++) count += await get(refs[k]!)
  return { count, expected: actors * per, ms: now() - t0 }
}

const idle = (n: number, _msg: CounterMsg) => n

const W4 = async (size: number): Promise<Sample> => {
  const refs = new Array<PlainActor<number, CounterMsg> | null>(size).fill(null)
  const h0 = heapAfterGc()
  const t0 = now()
  for (let i = 0; i < size; i++) refs[i] = new PlainActor<number, CounterMsg>(0, idle)
  const ms = now() - t0
  const heapPerActor = (heapAfterGc() - h0) / size
  let count = 0
  for (let i = 0; i < size; i++) if (refs[i] !== null) count++
  return { count, expected: size, ms, heapPerActor }
}

const W5 = async (size: number): Promise<Sample> => {
  const sup = new PlainSupervisor(1_000_000, 1000)
  const cycle = new Float64Array(size)
  let child = sup.child
  let count = 0
  const t0 = now()
  for (let i = 0; i < size; i++) {
    const c0 = now()
    const next = sup.nextChild()
    child.tell(CRASH)
    child = await next
    const reply = await child.ask<number>((reply) => ({ _tag: "Next", reply }))
    if (reply === 1) count++
    cycle[i] = (now() - c0) * 1000
  }
  return { count, expected: size, ms: now() - t0, ...flatness(cycle) }
}

const W6 = async (size: number): Promise<Sample> => {
  const tally: Tally = { handled: 0, done: () => {} }
  const play = (peer: Player | undefined, msg: BallMsg): Player | undefined => {
    if (msg._tag === "Peer") return msg.peer
    tally.handled++
    if (msg.n === 0) tally.done()
    else peer!.tell({ _tag: "Ball", n: msg.n - 1 })
    return peer
  }
  const a: Player = new PlainActor<Player | undefined, BallMsg>(undefined, play)
  const b: Player = new PlainActor<Player | undefined, BallMsg>(undefined, play)
  a.tell({ _tag: "Peer", peer: b })
  b.tell({ _tag: "Peer", peer: a })
  await Promise.resolve()
  const t0 = now()
  await new Promise<void>((resolve) => {
    tally.done = resolve
    a.tell({ _tag: "Ball", n: size })
  })
  return { count: tally.handled - 1, expected: size, ms: now() - t0 }
}

export const suites: Record<string, Suite> = {
  plain: { W1, W2, W3, W4, W5, W6 }
}
