/**
 * Smoke test of the benchmark workloads: every implementation runs every workload it provides
 * at a tiny size, and must report exactly the work it was asked for. Correctness only — no
 * timing is asserted here (performance lives in `pnpm bench`). The Erlang/OTP baseline runs in
 * its own VM, as under `pnpm bench`; its cases are skipped (and say so) when `erl` is absent.
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { compileErlang, erlangRelease, runErlang } from "../src/erlang.ts"
import { implementations, loadWorkload, matrix, pending, warmups } from "../src/suites.ts"
import { fanOutShape } from "../src/types.ts"
import type { ImplId, Sample, WorkloadId } from "../src/types.ts"

const tiny: Record<WorkloadId, number> = { W1: 500, W2: 50, W3: 144, W4: 100, W5: 20, W5c: 20, W6: 301, M: 200, H: 1 }

/** Worker actors (a thread each; a hang waits for the watchdog): fewer spawns and restarts. */
const tinyWorker: Partial<Record<WorkloadId, number>> = { W1: 500, W2: 50, W4: 1, W5: 1, H: 1 }

const sizeFor = (w: WorkloadId, impl: ImplId): number => (impl === "arbor:worker" ? tinyWorker[w] : undefined) ?? tiny[w]

const expectedCount = (w: WorkloadId, size: number): number => {
  if (w === "W3") {
    const { actors, per } = fanOutShape(size)
    return actors * per
  }
  return size
}

const otp = erlangRelease()
let ebin: string | undefined
const erlangSample = async (w: WorkloadId, size: number): Promise<Sample> => {
  ebin ??= compileErlang(mkdtempSync(join(tmpdir(), "arbor-bench-erl-")))
  const warmup = warmups[w](size, 0.1)
  const r = await runErlang(ebin, w, size, warmup, 60_000)
  expect(r.result, r.stderr).toHaveProperty("sample")
  return (r.result as { sample: Sample }).sample
}

const check = (w: WorkloadId, size: number, sample: Sample) => {
  expect(sample.expected).toBe(expectedCount(w, size))
  expect(sample.count).toBe(sample.expected)
  expect(sample.ms).toBeGreaterThan(0)
  if (w === "W4" || w === "M") expect(sample.heapPerActor).toBeTypeOf("number")
  if (w === "H") expect(sample.firstUs).toBeGreaterThan(0)
  if (w === "W5" || w === "W5c") {
    expect(sample.firstUs).toBeGreaterThan(0)
    expect(sample.lastUs).toBeGreaterThan(0)
  }
}

describe("bench workloads (tiny sizes)", () => {
  for (const w of Object.keys(matrix) as Array<WorkloadId>) {
    for (const impl of matrix[w]) {
      const why = pending[`${impl}/${w}`]
      if (why !== undefined) {
        it.skip(`${w} ${impl} (pending: ${why})`, () => {})
        continue
      }
      if (implementations[impl].runtime === "erlang") {
        ;(otp === undefined ? it.skip : it)(`${w} ${impl}${otp === undefined ? " (erl not on PATH)" : ""}`, async () => {
          check(w, tiny[w], await erlangSample(w, tiny[w]))
        }, 60_000)
        continue
      }
      it(`${w} ${impl}`, async () => {
        const run = await loadWorkload(impl, w)
        expect(run, `${impl} provides ${w}`).toBeTypeOf("function")
        const size = sizeFor(w, impl)
        const sample = await run!(size)
        check(w, size, sample)
        if (impl === "arbor:worker" && w === "W4") expect(sample.rssPerActor).toBeTypeOf("number")
      })
    }
  }
})
