import { ActorSystem } from "@arbor/core"
import { WorkerActor } from "@arbor/worker"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { run } from "../src/pool.ts"

describe("cpu-pool", () => {
  it("a hang and an OOM in the pool are healed; every other job is answered; the in-process actor keeps answering", async () => {
    const lines: Array<string> = []
    const summary = await Effect.runPromise(
      run({
        members: 2,
        jobs: 12,
        rounds: 200,
        spinAt: 3,
        hogAt: 8,
        heartbeat: { interval: "100 millis", timeout: "3 seconds" },
        print: (line) => lines.push(line)
      }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
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
