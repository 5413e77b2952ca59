import { describe, expect, it } from "vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { runChaos } from "../src/chaos.ts"
import { renderFrame, renderSummary } from "../src/view.ts"

const tick = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/** Runs the demo in virtual time: the clock moves 10 ms at a time while the system runs. */
const runVirtual = (seconds: number, seed: number) =>
  Effect.runPromise(Effect.gen(function*() {
    const frames: Array<string> = []
    const fiber = yield* Effect.forkChild(runChaos({
      seconds,
      seed,
      clients: 4,
      faultEveryMillis: 40,
      frameEveryMillis: 500,
      onFrame: (f) => void frames.push(f)
    }))
    for (let i = 0; i < 20_000 && fiber.pollUnsafe() === undefined; i++) {
      yield* tick
      yield* TestClock.adjust("10 millis")
    }
    return { summary: yield* Fiber.join(fiber), frames }
  }).pipe(Effect.provide(TestClock.layer())))

describe("chaos demo", () => {
  it("heals under injected faults and loses no acknowledged order", async () => {
    const { summary, frames } = await runVirtual(3, 7)
    expect(summary.faults).toBeGreaterThan(20)
    expect(summary.restarts).toBeGreaterThan(0)
    expect(summary.acknowledged).toBeGreaterThan(50)
    expect(summary.lost).toBe(0)
    expect(summary.storeSize).toBeGreaterThanOrEqual(summary.acknowledged)
    expect(summary.aliveAfterShutdown).toBe(0)
    expect(frames.length).toBeGreaterThan(2)
    expect(frames.at(-1)).toMatch(/ingest/)
    expect(renderSummary(summary)).toMatch(/acknowledged requests lost\s+.*0/)
  })

  it("--observe serves the demo's tree through @arbor/observer while it runs", async () => {
    let state: Promise<any> | undefined
    const summary = await Effect.runPromise(Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(runChaos({
        seconds: 1,
        seed: 3,
        clients: 2,
        faultEveryMillis: 40,
        observe: { port: 0 },
        onObserving: (url) => void (state = fetch(url + "state.json").then((r) => r.json()))
      }))
      for (let i = 0; i < 20_000 && fiber.pollUnsafe() === undefined; i++) {
        yield* tick
        yield* TestClock.adjust("10 millis")
      }
      return yield* Fiber.join(fiber)
    }).pipe(Effect.provide(TestClock.layer())))
    expect(summary.lost).toBe(0)
    const observed = await state!
    expect(observed.tree.id).toBe("root")
    expect(observed.tree.children.map((c: { id: string }) => c.id)).toEqual(["ingest", "payments", "sessions"])
  })

  it("renders a tree with every supervisor and its restart budget", () => {
    const frame = renderFrame({
      kind: "supervisor",
      label: "root",
      path: [],
      strategy: "one-for-one",
      intensity: 10,
      periodMillis: 5000,
      restartsInWindow: 2,
      remainingBudget: 8,
      children: [{ id: "w", ref: undefined, status: "restarting", type: "worker", restart: "permanent", incarnation: 3 }]
    }, { restarts: 1, failedStarts: 0, escalations: 0, acknowledged: 5, retriedAttempts: 1, faults: 2, elapsed: 1, seconds: 2, seed: 1 })
    expect(frame).toMatch(/restarts 2\/10 in 5s, budget 8/)
    expect(frame).toMatch(/restarting/)
  })
})
