import { TestSystem } from "@arbor/testkit"
import { WorkerActor } from "@arbor/worker"
import { describe, expect, it } from "vitest"
import { run } from "../src/pool.ts"

describe("cpu-pool", () => {
  it("a hang and an OOM in the pool are healed; every other job is answered; the in-process actor keeps answering", async () => {
    const lines: Array<string> = []
    // real worker threads with real heartbeats: a TestSystem world on the live clock
    const summary = await TestSystem.run(
      run({
        members: 2,
        jobs: 12,
        rounds: 200,
        spinAt: 3,
        hogAt: 8,
        heartbeat: { interval: "100 millis", timeout: "3 seconds" },
        print: (line) => lines.push(line)
      }),
      { clock: "live" }
    )
    expect(summary.exits).toContain("Killed")
    expect(summary.exits).toContain("Failure(WorkerExited oom)")
    expect(summary.restarts).toBe(2)
    // every job but the two faults got an answer, possibly after waiting for a restart
    expect(summary.answered + summary.failedJobs).toBe(10)
    expect(summary.answered).toBeGreaterThanOrEqual(8)
    expect(summary.pings).toBeGreaterThan(0)
    expect(WorkerActor.liveThreads()).toBe(0)
  })
})
