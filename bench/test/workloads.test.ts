/**
 * Smoke test of the benchmark workloads: every implementation runs every workload it provides
 * at a tiny size, and must report exactly the work it was asked for. Correctness only — no
 * timing is asserted here (performance lives in `pnpm bench`).
 */
import { describe, expect, it } from "vitest"
import { loadWorkload, matrix, pending } from "../src/suites.ts"
import { fanOutShape } from "../src/types.ts"
import type { WorkloadId } from "../src/types.ts"

const tiny: Record<WorkloadId, number> = { W1: 500, W2: 50, W3: 144, W4: 100, W5: 20, W6: 301, M: 200 }

const expectedCount = (w: WorkloadId, size: number): number => {
  if (w === "W3") {
    const { actors, per } = fanOutShape(size)
    return actors * per
  }
  return size
}

describe("bench workloads (tiny sizes)", () => {
  for (const w of Object.keys(matrix) as Array<WorkloadId>) {
    for (const impl of matrix[w]) {
      const why = pending[`${impl}/${w}`]
      if (why !== undefined) {
        it.skip(`${w} ${impl} (pending: ${why})`, () => {})
        continue
      }
      it(`${w} ${impl}`, async () => {
        const run = await loadWorkload(impl, w)
        expect(run, `${impl} provides ${w}`).toBeTypeOf("function")
        const size = tiny[w]
        const sample = await run!(size)
        expect(sample.expected).toBe(expectedCount(w, size))
        expect(sample.count).toBe(sample.expected)
        expect(sample.ms).toBeGreaterThan(0)
        if (w === "W4" || w === "M") expect(sample.heapPerActor).toBeTypeOf("number")
        if (w === "W5") {
          expect(sample.firstUs).toBeGreaterThan(0)
          expect(sample.lastUs).toBeGreaterThan(0)
        }
      })
    }
  }
})
