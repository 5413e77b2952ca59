/**
 * The live-clock deadline heap behind `ActorRef.ask` timeouts (internal): driven with vitest's
 * fake timers, so no real time passes. That a pending ask keeps a real Node process alive (and a
 * settled one does not) is checked with a child process in `KeepAlive.test.ts`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { Effect, PubSub } from "effect"
import type { DeadLetter } from "@arbor/core"
import type { Deadlines } from "../src/internal/deadlines.ts"
import { SystemState } from "../src/internal/system.ts"

/** Lets the deadline batch be taken (a microtask: new asks get their deadlines there, with one clock read). */
const taken = () => new Promise<void>((resolve) => queueMicrotask(resolve))

const makeSystem = () => new SystemState(Effect.runSync(PubSub.unbounded<DeadLetter.DeadLetter>()))

/** An ask-like item: `settle` is what a reply does, `expire` what its deadline does. */
class Item {
  done = false
  expired = 0
  deadlines: Deadlines | undefined = undefined
  constructor(private readonly onExpire: () => void = () => {}) {}
  expire(): void {
    this.done = true
    this.expired++
    this.onExpire()
  }
  settle(): void {
    this.done = true
    const deadlines = this.deadlines
    this.deadlines = undefined
    deadlines?.settled()
  }
}

/** How many objects (and array / map slots) are reachable from `root`: what it retains. */
const retained = (root: object): number => {
  const seen = new Set<unknown>()
  const stack: Array<unknown> = [root]
  let count = 0
  while (stack.length > 0) {
    const value = stack.pop()
    if (typeof value !== "object" || value === null || seen.has(value)) continue
    seen.add(value)
    count++
    if (value instanceof Map) {
      for (const [k, v] of value) stack.push(k, v)
      count += value.size
    } else if (value instanceof Set) {
      for (const v of value) stack.push(v)
      count += value.size
    } else if (Array.isArray(value)) {
      for (const v of value) stack.push(v)
      count += value.length
    } else {
      for (const key of Reflect.ownKeys(value)) stack.push((value as Record<PropertyKey, unknown>)[key])
    }
  }
  return count
}

describe("G22 ask deadlines on the live clock", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it("G22 a deadline expires once, after its timeout, unless settled first", async () => {
    const system = makeSystem()
    const late = new Item()
    const settled = new Item()
    system.expireAfter(100, late)
    system.expireAfter(100, settled)
    settled.settle()
    await taken()
    vi.advanceTimersByTime(99)
    expect(late.expired).toBe(0)
    vi.advanceTimersByTime(1)
    expect(late.expired).toBe(1)
    expect(settled.expired).toBe(0)
    vi.advanceTimersByTime(1000)
    expect(late.expired).toBe(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it("G22 an asker that asks again when its ask expires does not multiply the timers", async () => {
    const system = makeSystem()
    let retries = 0
    const retry = (): void => {
      if (retries++ < 20) system.expireAfter(100, new Item(retry))
    }
    system.expireAfter(100, new Item(retry))
    for (let i = 0; i < 20; i++) {
      await taken()
      vi.advanceTimersByTime(100)
      expect(vi.getTimerCount()).toBeLessThanOrEqual(1)
    }
    expect(retries).toBe(20)
  })

  it("G22 new asks get their deadlines in a batch, one clock read later: an ask answered before then arms no timer", async () => {
    const system = makeSystem()
    const answered = Array.from({ length: 100 }, () => new Item())
    for (const item of answered) {
      system.expireAfter(100, item)
      item.settle()
    }
    await taken()
    expect(vi.getTimerCount()).toBe(0)
    expect(system.deadlines!.slots).toBe(0)
    // a deadline is counted from when the batch was taken, never earlier than its ask's own time
    const late = new Item()
    system.expireAfter(100, late)
    vi.advanceTimersByTime(50)
    await taken()
    vi.advanceTimersByTime(99)
    expect(late.expired).toBe(0)
    vi.advanceTimersByTime(1)
    expect(late.expired).toBe(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it("G22 one Node timer is armed however many distinct timeouts are pending; they expire in deadline order", async () => {
    const system = makeSystem()
    const n = 10_000
    const order: Array<number> = []
    // distinct timeouts in a scrambled order, 100 ms to 200 ms
    const timeouts = Array.from({ length: n }, (_, i) => 100 + ((i * 7919) % n) / 100)
    timeouts.forEach((t, i) => system.expireAfter(t, new Item(() => order.push(i))))
    await taken()
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(150)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(60)
    expect(order.length).toBe(n)
    const due = order.map((i) => timeouts[i]!)
    expect(due).toEqual([...due].sort((a, b) => a - b))
    expect(vi.getTimerCount()).toBe(0)
  })

  it("G22 an earlier deadline that arrives later re-arms the one timer", async () => {
    const system = makeSystem()
    const slow = new Item()
    const fast = new Item()
    system.expireAfter(1000, slow)
    await taken()
    system.expireAfter(100, fast)
    await taken()
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(100)
    expect([fast.expired, slow.expired]).toEqual([1, 0])
    vi.advanceTimersByTime(900)
    expect([fast.expired, slow.expired]).toEqual([1, 1])
  })

  it("G22 after every deadline passed, what the system retains does not grow with the number of distinct timeouts", async () => {
    const after = async (distinct: number): Promise<number> => {
      const system = makeSystem()
      for (let i = 0; i < 20_000; i++) {
        const item = new Item()
        system.expireAfter(100 + (i % distinct) / distinct, item)
        // answered at once, or once the batch has its deadlines
        if (i % 2 === 0) item.settle()
        else await taken().then(() => item.settle())
      }
      await taken()
      vi.advanceTimersByTime(1000)
      return retained(system)
    }
    const one = await after(1)
    const many = await after(20_000)
    expect(many).toBe(one)
    expect(vi.getTimerCount()).toBe(0)
  })

  it("G22 settled asks are swept while others pend: the heap stays the size of the asks in flight", async () => {
    const system = makeSystem()
    const items = Array.from({ length: 20_000 }, () => new Item())
    items.forEach((item, i) => system.expireAfter(60_000 + i, item))
    await taken()
    for (const item of items.slice(10)) item.settle()
    expect(system.deadlines!.pending).toBe(10)
    expect(system.deadlines!.slots).toBeLessThanOrEqual(2048)
    expect(vi.getTimerCount()).toBe(1)
    for (const item of items.slice(0, 10)) item.settle()
    // nothing pending: no slot, no timer
    expect(system.deadlines!.slots).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })
})
