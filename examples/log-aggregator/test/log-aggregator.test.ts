import { describe, expect, it } from "vitest"
import { Registry } from "@arbor/registry"
import { TestSystem } from "@arbor/testkit"
import { Effect, Fiber, Layer } from "effect"
import { LogStore } from "../src/LogStore.ts"
import { type Report, run, type ScenarioOptions } from "../src/Scenario.ts"

const small = (print: (line: string) => void): ScenarioOptions => ({
  seed: 3,
  producers: ["a", "b"],
  eventsPerProducer: 25,
  produceEvery: "1 millis",
  errorRatio: 0.5,
  errorCost: "4 millis",
  warningCost: "6 millis",
  routerCapacity: 4,
  errorCapacity: 2,
  warningCapacity: 2,
  crashAt: "40 millis",
  sampleEvery: "10 millis",
  deadline: "10 seconds",
  print
})

/**
 * Runs the scenario in a TestSystem world: fork it in a scope of its own, and move virtual time
 * in small steps (each waiting until the world is idle) until it has completed and its tree has stopped (stopping waits for handlers that
 * sleep on the TestClock, so the clock must keep moving while the scope closes).
 */
const runOnTestClock = (options: ScenarioOptions) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Effect.scoped(run(options)))
      for (let step = 0; step < 2000 && fiber.pollUnsafe() === undefined; step++) yield* TestSystem.advance("5 millis")
      if (fiber.pollUnsafe() === undefined) return yield* Effect.die("the run did not complete in 10 virtual seconds")
      return yield* Fiber.join(fiber)
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.mergeAll(TestSystem.layer(), Registry.layer, LogStore.layer))
    )
  )

describe("log-aggregator", () => {
  it("accounts for every event: stored, shed as a dead letter, or lost with the crashed processor", async () => {
    const lines: Array<string> = []
    const report: Report = await runOnTestClock(small((line) => lines.push(line)))
    const produced = report.produced.errors + report.produced.warnings
    expect(produced).toBe(50)
    expect(report.unaccounted).toBe(0)
    const dead = Object.values(report.deadLetters).reduce((a, b) => a + b, 0)
    expect(report.stored.errors + report.stored.warnings + dead).toBe(produced)
    // warnings are shed when their processor is full; errors never are
    expect(report.deadLetters["DroppedNewest/Warning"]).toBeGreaterThan(0)
    expect(report.deadLetters["DroppedNewest/Error"]).toBeUndefined()
    // backpressure: the router's mailbox filled up and producers had to wait for room
    expect(report.maxDepth.router).toBeGreaterThan(4)
    expect(report.producers.some((p) => p.waitedMillis > 0)).toBe(true)
    // the injected crash was healed by the supervisor
    expect(report.restarts).toEqual(["errors"])
    expect(lines.some((l) => l.includes("chaos: crashing processor/errors"))).toBe(true)
    expect(lines.some((l) => l.includes("restarted errors"))).toBe(true)
  })

  it("replays the same run from the same seed", async () => {
    const a = await runOnTestClock(small(() => {}))
    const b = await runOnTestClock(small(() => {}))
    expect(b).toEqual(a)
  })
})
