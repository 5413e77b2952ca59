/**
 * Smoke test of the worker figures (`bench:workers`) at a tiny size: every figure is produced
 * for both modes and is a positive number. No timing is asserted.
 */
import { describe, expect, it } from "vitest"
import { runWorkerBench } from "../src/workers.ts"

describe("bench: worker figures (tiny sizes)", () => {
  it("spawn, tell, ask, memory for both modes and the hang restart", async () => {
    const rows = await runWorkerBench(0.002)
    const names = rows.map((r) => `${r.figure}/${r.mode}/${r.unit}`)
    for (const mode of ["in-process", "worker"]) {
      for (const f of ["spawn to first reply", "tell throughput", "ask round trip"]) {
        expect(names.some((n) => n.startsWith(`${f}/${mode}/`))).toBe(true)
      }
    }
    expect(rows.some((r) => r.figure.startsWith("hang"))).toBe(true)
    for (const r of rows) {
      if (r.figure !== "RSS per live actor") expect(r.value).toBeGreaterThan(0)
    }
  })
})
