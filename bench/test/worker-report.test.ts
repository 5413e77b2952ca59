/**
 * The report's handling of the worker rows (`arbor:worker`, issue #15), from synthetic rows: the
 * worker table puts each worker figure beside the in-process one, takes the ratio within each
 * round, shows memory per actor, and H (worker only) without an in-process figure; the main
 * results table keeps H out and shows the worker rows at their reduced sizes.
 */
import { describe, expect, it } from "vitest"
import { resultsTable, summarize, workerTable } from "../src/report.ts"
import type { Row } from "../src/report.ts"
import type { ImplId, Sample, WorkloadId } from "../src/types.ts"

const row = (workload: WorkloadId, impl: ImplId, round: number, sample: Omit<Sample, "expected">): Row => ({
  workload,
  impl,
  round,
  size: sample.count,
  warmup: 0,
  wallMs: sample.ms,
  sample: { ...sample, expected: sample.count }
})

const rows: Array<Row> = [
  // W2: in-process 5 µs/ask then 10 µs/ask; worker 50 then 200 µs/ask → per-round ratios 10× and 20×
  row("W2", "arbor", 1, { count: 1000, ms: 5 }),
  row("W2", "arbor", 2, { count: 1000, ms: 10 }),
  row("W2", "arbor:worker", 1, { count: 100, ms: 5 }),
  row("W2", "arbor:worker", 2, { count: 100, ms: 20 }),
  // W4: 1 µs and 1 KB per in-process actor; 400 ms, 40 KB parent heap and 24 MiB RSS per worker actor
  row("W4", "arbor", 1, { count: 1000, ms: 1, heapPerActor: 1024 }),
  row("W4", "arbor:worker", 1, { count: 10, ms: 4000, heapPerActor: 40 * 1024, rssPerActor: 24 * 2 ** 20 }),
  // H: worker only, 800 ms per cycle
  row("H", "arbor:worker", 1, { count: 5, ms: 4000, firstUs: 8e5, midUs: 8e5, lastUs: 8e5 })
]

describe("bench report: worker rows", () => {
  it("the worker table: per-unit times side by side, the per-round ratio, memory per actor, H without an in-process figure", () => {
    const table = workerTable(summarize(rows))
    const lines = table.split("\n")
    const w2 = lines.find((l) => l.startsWith("| W2"))!
    // medians over the two rounds: 7.5 µs and 125 µs; ratios 10× and 20× → median 15×
    expect(w2).toContain("7.50 µs (5.00 µs–10.00 µs)/ask")
    expect(w2).toContain("125 µs (50.00 µs–200 µs)/ask")
    expect(w2).toContain("15.0× (10.0–20.0)")
    const spawn = lines.find((l) => l.startsWith("| W4 spawn"))!
    expect(spawn).toContain("1.00 µs/spawn")
    expect(spawn).toContain("400 ms/spawn")
    const memory = lines.find((l) => l.startsWith("| W4 memory"))!
    expect(memory).toContain("1.00 KB")
    expect(memory).toContain("24.0 MB RSS (parent heap 40.00 KB)")
    expect(memory).toContain("24576.0×")
    const hang = lines.find((l) => l.startsWith("| H"))!
    expect(hang).toContain("n/a")
    expect(hang).toContain("800 ms/cycle")
  })

  it("no worker rows, no worker table; the results table leaves H out and marks the reduced sizes", () => {
    expect(workerTable(summarize(rows.filter((r) => r.impl !== "arbor:worker")))).toBe("")
    const results = resultsTable(summarize(rows))
    expect(results).not.toContain("| H ")
    expect(results).toContain("Arbor worker actor (WorkerActor, its own thread) (at 0.05× size)")
    expect(results).toContain("(at 0.0001× size)")
  })
})
