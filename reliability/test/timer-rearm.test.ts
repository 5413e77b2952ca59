/**
 * `src/timer-rearm.ts`, run as its own Node process with --expose-gc: 1e5 timer re-arms leave
 * the heap flat (within 10 % after a full GC) and the last armed timer still fires.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { RearmReport } from "../src/timer-rearm.ts"

const root = join(import.meta.dirname, "..", "..")

describe("timer re-arms", () => {
  it("1e5 re-arms of one timer key (single-shot and periodic) leave the heap flat", async () => {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ["--expose-gc", "--import", "tsx", "--conditions=@arbor/source", "reliability/src/timer-rearm.ts", "--json"],
        { cwd: root, timeout: 50_000, maxBuffer: 1 << 20 },
        (_error, stdout, stderr) => resolve({ stdout, stderr })
      )
    )
    const line = stdout.trim().split("\n").pop() ?? ""
    expect(line.startsWith("{"), `no report; stderr:\n${stderr}`).toBe(true)
    const report = JSON.parse(line) as RearmReport
    console.log(`timer re-arms: ${report.rearms}, heap ${(report.heapGrowth * 100).toFixed(1)} %`)
    expect(report.rearms).toBe(100_000)
    expect(report.fired).toBe(1)
    expect(report.heapGrowth).toBeLessThanOrEqual(0.1)
    expect(report.failures).toEqual([])
  }, 60_000)
})
