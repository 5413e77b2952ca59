/**
 * Restart intensity as a pure sliding window (internal/intensity.ts). Times are milliseconds;
 * no clock is involved.
 */
import { describe, expect, it } from "vitest"
import { exceeds, RestartWindow } from "../src/internal/intensity.ts"

describe("RestartWindow (pure)", () => {
  it("S7 allows `intensity` restarts within the period and refuses the next one", () => {
    const w = new RestartWindow(3, 5_000)
    expect(w.add(0)).toBe(true)
    expect(w.add(1_000)).toBe(true)
    expect(w.add(2_000)).toBe(true)
    expect(w.count(2_000)).toBe(3)
    expect(w.add(3_000)).toBe(false)
  })

  it("S7 intensity 0 refuses the first restart", () => {
    expect(new RestartWindow(0, 5_000).add(0)).toBe(false)
  })

  it("S8 is exact to the millisecond: a restart counts while less than `period` ms old", () => {
    const w = new RestartWindow(1, 1_000)
    expect(w.add(10)).toBe(true)
    expect(w.count(1_009)).toBe(1) // 999 ms old: still in the window
    expect(w.count(1_010)).toBe(0) // 1000 ms old: out
    const tight = new RestartWindow(1, 1_000)
    expect(tight.add(10)).toBe(true)
    expect(tight.add(1_009)).toBe(false) // the one at 10 still counts: 2 > 1
    const loose = new RestartWindow(1, 1_000)
    expect(loose.add(10)).toBe(true)
    expect(loose.add(1_010)).toBe(true) // the one at 10 has just left the window
  })

  it("S8 slides: old restarts leave the window as time moves on", () => {
    const w = new RestartWindow(2, 1_000)
    expect(w.add(0)).toBe(true)
    expect(w.add(500)).toBe(true)
    expect(w.add(1_000)).toBe(true) // 0 left; 500 and 1000 remain
    expect(w.count(1_000)).toBe(2)
    expect(w.add(1_499)).toBe(false) // 500, 1000, 1499
  })

  it("S8 agrees with the reference decision `exceeds` on every step of long random histories", () => {
    let seed = 12345
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    for (let round = 0; round < 50; round++) {
      const intensity = Math.floor(random() * 5)
      const period = 1 + Math.floor(random() * 3_000)
      const w = new RestartWindow(intensity, period)
      const history: Array<number> = []
      let now = 0
      const mismatches: Array<string> = []
      for (let i = 0; i < 300; i++) {
        now += Math.floor(random() * period * (random() < 0.5 ? 0.2 : 1.5))
        const expected = !exceeds(history, now, period, intensity)
        if (w.add(now) !== expected) mismatches.push(`add at ${now}`)
        history.push(now)
        if (w.count(now) !== history.filter((t) => now - t < period).length) mismatches.push(`count at ${now}`)
      }
      expect(mismatches, `intensity ${intensity}, period ${period}`).toEqual([])
    }
  })

  it("S8 keeps only what the window needs, however long a restart storm lasts (amortised O(1) per restart)", () => {
    const w = new RestartWindow(1_000, 100)
    let refused = 0
    for (let t = 0; t < 200_000; t++) if (!w.add(t)) refused++ // 1 restart per ms: 100 in any window
    expect(refused).toBe(0)
    expect(w.count(200_000)).toBe(99)
    // the storage holds the live window plus a bounded amount of stale entries
    const stored = (w as unknown as { times: Array<number> }).times.length
    expect(stored).toBeLessThan(400)
  })
})

describe("exceeds (pure)", () => {
  it("S8 counts the restarts younger than the period, plus the new one", () => {
    expect(exceeds([], 0, 5_000, 0)).toBe(true)
    expect(exceeds([], 0, 5_000, 1)).toBe(false)
    expect(exceeds([0], 4_999, 5_000, 1)).toBe(true)
    expect(exceeds([0], 5_000, 5_000, 1)).toBe(false)
    expect(exceeds([0, 1, 2], 3, 5_000, 3)).toBe(true)
    expect(exceeds([0, 1, 2], 5_001, 5_000, 3)).toBe(false)
  })
})
