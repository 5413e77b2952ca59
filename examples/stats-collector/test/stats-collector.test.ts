import { describe, expect, it } from "vitest"
import { Registry } from "@arbor/registry"
import { TestSystem } from "@arbor/testkit"
import { Effect, Fiber, Layer } from "effect"
import type { CounterResult } from "../src/Aggregator.ts"
import { type Report, run } from "../src/Scenario.ts"

const runOnTestClock = (lines: Array<string>): Promise<Report> =>
  Effect.runPromise(
    Effect.gen(function*() {
      // the run gets a scope of its own, closed inside the fiber while the clock still moves:
      // stopping the tree waits for handlers that are sleeping on the TestClock
      const fiber = yield* Effect.forkChild(Effect.scoped(run({
        seed: 42,
        counters: ["a", "b", "c"],
        faults: { b: { crashOnMessage: 3, crashReason: "defect" }, c: { delay: "80 millis", delayRate: 1 } },
        rounds: 6,
        collectEvery: "150 millis",
        askTimeout: "50 millis",
        trafficEvery: "10 millis",
        print: (line) => lines.push(line)
      })))
      // move virtual time in small steps (each waiting until the world is idle) until the run
      // has completed and its tree has stopped
      for (let step = 0; step < 1000 && fiber.pollUnsafe() === undefined; step++) yield* TestSystem.advance("10 millis")
      if (fiber.pollUnsafe() === undefined) return yield* Effect.die("the run did not complete in 10 virtual seconds")
      return yield* Fiber.join(fiber)
    }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(TestSystem.layer(), Registry.layer)))
  )

const resultOf = (report: Report, round: number, counter: string): CounterResult =>
  report.rounds[round - 1]!.results.find((r) => r.counter === counter)!

describe("stats-collector", () => {
  it("reports partial rounds with typed errors and keeps collecting after a counter crashes", async () => {
    const lines: Array<string> = []
    const report = await runOnTestClock(lines)
    expect(report.rounds.map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6])

    // b crashes while answering its 3rd stats request, in rounds 3 and 6: its ask fails with
    // ActorExited carrying the Failure reason, and the supervisor restarts it each time
    for (const n of [1, 2, 3, 4, 5, 6]) {
      const b = resultOf(report, n, "b")
      if (n === 3 || n === 6) {
        expect(b._tag).toBe("Failed")
        if (b._tag === "Failed") {
          expect(b.error._tag).toBe("ActorExited")
          if (b.error._tag === "ActorExited") expect(b.error.reason._tag).toBe("Failure")
        }
      } else {
        expect(b._tag).toBe("Answered")
      }
    }
    expect(report.restarts).toEqual(["b", "b"])

    // after its restart, b answers from a fresh state: fewer operations than a, which never crashed
    const a4 = resultOf(report, 4, "a")
    const b4 = resultOf(report, 4, "b")
    if (a4._tag !== "Answered" || b4._tag !== "Answered") throw new Error("expected answers in round 4")
    expect(b4.stats.operations).toBeLessThan(a4.stats.operations)

    // c is always slower than the ask timeout: AskTimeout every round, and the round goes on
    for (const round of report.rounds) {
      const c = resultOf(report, round.n, "c")
      expect(c._tag === "Failed" && c.error._tag).toBe("AskTimeout")
      const answered = round.results.filter((r) => r._tag === "Answered")
      expect(round.answered).toBe(answered.length)
      expect(round.total).toBe(answered.reduce((sum, r) => sum + (r._tag === "Answered" ? r.stats.value : 0), 0))
    }
    expect(lines.some((l) => l.includes("restarted b"))).toBe(true)
  })
})
