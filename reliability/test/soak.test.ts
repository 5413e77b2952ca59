/**
 * The chaos soak, short: `src/soak.ts` run as `pnpm run soak` runs it (a child Node process with
 * --expose-gc, real time), with 3000 crashes. The three figures must pass: no acknowledged order
 * lost, no actor alive after teardown, heap within 10 % of the warm baseline after GC.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { SoakReport } from "../src/soak.ts"

const root = join(import.meta.dirname, "..", "..")

const runSoak = (crashes: number) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--expose-gc", "--import", "tsx", "--conditions=@arbor/source", "reliability/src/soak.ts", "--crashes", String(crashes), "--json"],
      { cwd: root, timeout: 50_000, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    )
  })

describe("chaos soak (short)", () => {
  it("3000 crashes under load: nothing acknowledged is lost, nothing survives teardown, the heap does not grow", async () => {
    const { code, stdout, stderr } = await runSoak(3000)
    const line = stdout.trim().split("\n").pop() ?? ""
    expect(line.startsWith("{"), `no report; stderr:\n${stderr}`).toBe(true)
    const report = JSON.parse(line) as SoakReport
    console.log(
      `soak: ${report.crashes} crashes in ${report.millis} ms, ${report.restarts} restarts, ${report.acknowledged} orders acknowledged, ` +
        `lost ${report.lost}, alive ${report.aliveAfterTeardown}, heap ${(report.heapGrowth * 100).toFixed(1)} %`
    )
    expect(report.crashes).toBe(3000)
    expect(report.restarts).toBeGreaterThan(0)
    expect(report.acknowledged).toBeGreaterThan(0)
    expect(report.lost).toBe(0)
    expect(report.misrouted).toBe(0)
    expect(report.aliveAfterTeardown).toBe(0)
    expect(report.heapGrowth).toBeLessThanOrEqual(0.1)
    expect(report.failures).toEqual([])
    expect(code).toBe(0)
  }, 60_000)
})
