/**
 * The live-clock deadline queue behind `ActorRef.ask` timeouts (internal): driven with vitest's
 * fake timers, so no real time passes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { Effect, PubSub } from "effect"
import type { DeadLetter } from "@arbor/core"
import { SystemState } from "../src/internal/system.ts"

const makeSystem = () => new SystemState(Effect.runSync(PubSub.unbounded<DeadLetter.DeadLetter>()))

class Item {
  done = false
  expired = 0
  constructor(private readonly onExpire: () => void = () => {}) {}
  expire(): void {
    this.done = true
    this.expired++
    this.onExpire()
  }
}

describe("G22 ask deadlines on the live clock", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it("G22 a deadline expires once, after its timeout, unless settled first", () => {
    const system = makeSystem()
    const late = new Item()
    const settled = new Item()
    system.expireAfter(100, late)
    system.expireAfter(100, settled)
    settled.done = true
    vi.advanceTimersByTime(99)
    expect(late.expired).toBe(0)
    vi.advanceTimersByTime(1)
    expect(late.expired).toBe(1)
    expect(settled.expired).toBe(0)
    vi.advanceTimersByTime(1000)
    expect(late.expired).toBe(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it("G22 an asker that asks again when its ask expires does not multiply the queue's timers", () => {
    const system = makeSystem()
    let retries = 0
    const retry = (): void => {
      if (retries++ < 20) system.expireAfter(100, new Item(retry))
    }
    system.expireAfter(100, new Item(retry))
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(100)
      // one queue, one timer
      expect(vi.getTimerCount()).toBeLessThanOrEqual(1)
    }
  })
})
