/**
 * The restart strategies as pure plans (internal/strategy.ts): which running children to stop,
 * in which order, and which to start, in which order. No actor is involved.
 */
import { describe, expect, it } from "vitest"
import { plan } from "../src/internal/strategy.ts"
import type { PlanInput } from "../src/internal/strategy.ts"

/** Children a, b, c, d, ... in start order; `down` lists the ones not running. */
const children = (n: number, down: ReadonlyArray<number> = []): Array<PlanInput> =>
  Array.from({ length: n }, (_, i) => ({ id: String.fromCharCode(97 + i), running: !down.includes(i) }))

describe("plan (pure)", () => {
  it("S5 one-for-one stops nothing and starts only the exited child", () => {
    for (let exited = 0; exited < 4; exited++) {
      expect(plan("one-for-one", children(4, [exited]), exited)).toEqual({ stop: [], start: [exited] })
    }
  })

  it("S5 one-for-all stops every other running child in reverse start order, then starts all in start order", () => {
    expect(plan("one-for-all", children(4, [1]), 1)).toEqual({ stop: [3, 2, 0], start: [0, 1, 2, 3] })
    expect(plan("one-for-all", children(4, [0]), 0)).toEqual({ stop: [3, 2, 1], start: [0, 1, 2, 3] })
    expect(plan("one-for-all", children(4, [3]), 3)).toEqual({ stop: [2, 1, 0], start: [0, 1, 2, 3] })
  })

  it("S5 rest-for-one stops the running children after the exited one (reverse order) and starts it and them", () => {
    expect(plan("rest-for-one", children(4, [1]), 1)).toEqual({ stop: [3, 2], start: [1, 2, 3] })
    expect(plan("rest-for-one", children(4, [3]), 3)).toEqual({ stop: [], start: [3] })
    expect(plan("rest-for-one", children(4, [0]), 0)).toEqual({ stop: [3, 2, 1], start: [0, 1, 2, 3] })
  })

  it("S5 children that are not running are not stopped but are started again by a group restart (OTP)", () => {
    // c (2) was terminated through the API, a (0) returned ignore: both are kept specs
    expect(plan("one-for-all", children(4, [0, 1, 2]), 1)).toEqual({ stop: [3], start: [0, 1, 2, 3] })
    expect(plan("rest-for-one", children(4, [1, 2]), 1)).toEqual({ stop: [3], start: [1, 2, 3] })
  })

  it("S5 never stops the exited child, even if it is still marked running", () => {
    for (const strategy of ["one-for-one", "one-for-all", "rest-for-one"] as const) {
      expect(plan(strategy, children(3), 1).stop).not.toContain(1)
      expect(plan(strategy, children(3), 1).start).toContain(1)
    }
  })

  it("S5 a single child restarts alone under every strategy", () => {
    for (const strategy of ["one-for-one", "one-for-all", "rest-for-one"] as const) {
      expect(plan(strategy, children(1, [0]), 0)).toEqual({ stop: [], start: [0] })
    }
  })

  it("S5 stop lists are strictly decreasing and start lists strictly increasing (every size and position)", () => {
    for (const strategy of ["one-for-one", "one-for-all", "rest-for-one"] as const) {
      for (let n = 1; n <= 6; n++) {
        for (let exited = 0; exited < n; exited++) {
          const p = plan(strategy, children(n, [exited]), exited)
          for (let i = 1; i < p.stop.length; i++) expect(p.stop[i]!).toBeLessThan(p.stop[i - 1]!)
          for (let i = 1; i < p.start.length; i++) expect(p.start[i]!).toBeGreaterThan(p.start[i - 1]!)
          // everything stopped is started again (temporary children are filtered by the supervisor)
          for (const i of p.stop) expect(p.start).toContain(i)
        }
      }
    }
  })
})
