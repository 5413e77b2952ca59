import { describe, expect, it } from "vitest"
import { Effect, Fiber } from "effect"
import { TestSystem } from "@arbor/testkit"
import { chaos, chaosWorld } from "../src/chaos.ts"
import type { ChaosOptions } from "../src/chaos.ts"
import { execFile } from "node:child_process"
import { join } from "node:path"
import type { Supervisor } from "@arbor/supervisor"
import type { Incident } from "../src/chaos.ts"
import { incidentText, plural, renderFrame, renderSummary, useColor } from "../src/view.ts"

/**
 * Runs the demo in a TestSystem world (its actor system is `TestSystem.layer()`): the clock
 * moves 10 ms at a time, each step waiting until the world is idle, until the run has ended.
 * `beforeStep` may hold the clock still on something outside the world (an HTTP request).
 */
const runVirtual = (options: ChaosOptions, beforeStep: () => Promise<void> = () => Promise.resolve()) =>
  Effect.runPromise(Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(chaos(options))
    for (let i = 0; i < 20_000 && fiber.pollUnsafe() === undefined; i++) {
      yield* Effect.promise(beforeStep)
      yield* TestSystem.advance("10 millis")
    }
    if (fiber.pollUnsafe() === undefined) throw new Error("the chaos run did not end within 200 virtual seconds")
    return yield* Fiber.join(fiber)
  }).pipe(Effect.provide(chaosWorld(TestSystem.layer()))))

describe("chaos demo", () => {
  it("heals under injected faults and loses no acknowledged order", async () => {
    const frames: Array<string> = []
    const summary = await runVirtual({ seconds: 3, seed: 7, clients: 4, faultEveryMillis: 40, frameEveryMillis: 500, onFrame: (f) => void frames.push(f) })
    expect(summary.faults).toBeGreaterThan(20)
    expect(summary.restarts).toBeGreaterThan(0)
    expect(summary.acknowledged).toBeGreaterThan(50)
    expect(summary.lost).toBe(0)
    expect(summary.storeSize).toBeGreaterThanOrEqual(summary.acknowledged)
    expect(summary.aliveAfterShutdown).toBe(0)
    expect(frames.length).toBeGreaterThan(2)
    expect(frames.at(-1)).toMatch(/ingest/)
    // the line of recent events: who crashed, with what, who restarted it
    expect(frames.some((f) => /^recent: \d+\.\ds \S+ crashed \((failure|killed).*\), restarted by \S+ as #\d+$/m.test(f))).toBe(true)
    expect(summary.recent.length).toBeGreaterThan(0)
    expect(renderSummary(summary)).toMatch(/acknowledged requests lost\s+.*0/)
  })

  it("--observe serves the demo's tree through @arbor/observer while it runs", async () => {
    let state: Promise<any> | undefined
    // the clock stands still until the observer has answered, so the run cannot end before
    const summary = await runVirtual(
      { seconds: 1, seed: 3, clients: 2, faultEveryMillis: 40, observe: { port: 0 }, onObserving: (url) => void (state = fetch(url + "state.json").then((r) => r.json())) },
      () => state === undefined ? Promise.resolve() : state.then(() => undefined)
    )
    expect(summary.lost).toBe(0)
    expect(state).toBeDefined()
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
    }, { restarts: 1, failedStarts: 0, escalations: 0, acknowledged: 5, retriedAttempts: 1, faults: 2, elapsed: 1, seconds: 2, seed: 1, recent: [] })
    expect(frame).toMatch(/restarts 2\/10 in 5s, budget 8/)
    expect(frame).toMatch(/restarting/)
  })

  const sessions: Supervisor.Snapshot = {
    kind: "dynamic-supervisor",
    label: "sessions",
    path: ["sessions"],
    strategy: "one-for-one",
    intensity: 30,
    periodMillis: 2000,
    restartsInWindow: 1,
    remainingBudget: 29,
    children: [{ id: "#1", ref: undefined, status: "running", type: "worker", restart: "transient", incarnation: 2 }]
  }
  const tree: Supervisor.Snapshot = {
    kind: "supervisor",
    label: "root",
    path: [],
    strategy: "one-for-one",
    intensity: 10,
    periodMillis: 5000,
    restartsInWindow: 1,
    remainingBudget: 9,
    children: [
      { id: "w", ref: undefined, status: "running", type: "worker", restart: "permanent", incarnation: 2 },
      { id: "sessions", ref: undefined, status: "running", type: "supervisor", restart: "permanent", incarnation: 1, supervisor: sessions }
    ]
  }
  const crash: Incident = { kind: "crash", path: "ingest/writer", reason: "failure(Error: boom)", atMillis: 1234, restartedBy: "ingest", incarnation: 4 }
  const giveUp: Incident = { kind: "give-up", path: "payments", reason: "more than 6 restarts in 2s", atMillis: 2000 }
  const one = { restarts: 1, failedStarts: 1, escalations: 1, acknowledged: 1, retriedAttempts: 1, faults: 1, elapsed: 1, seconds: 2, seed: 1 }

  it("says 1 restart, 1 session, 1 fault — and 2 restarts", () => {
    const frame = renderFrame(tree, { ...one, recent: [] }, { color: false })
    expect(frame).toMatch(/└─ 1 session running, 1 restart among them/)
    expect(frame).toMatch(/^1 fault injected · 1 restart · 1 failed start · 1 escalation$/m)
    expect(frame).toMatch(/^1 order acknowledged · 1 attempt retried$/m)
    const two = renderFrame(tree, { ...one, restarts: 2, faults: 0, acknowledged: 2, recent: [] }, { color: false })
    expect(two).toMatch(/^0 faults injected · 2 restarts · /m)
    expect(two).toMatch(/^2 orders acknowledged/m)
    expect([plural(0, "restart"), plural(1, "restart"), plural(2, "restart")]).toEqual(["0 restarts", "1 restart", "2 restarts"])
  })

  it("prints a line of recent events: who crashed, with what, who restarted it", () => {
    expect(incidentText(crash)).toBe("1.2s ingest/writer crashed (failure(Error: boom)), restarted by ingest as #4")
    expect(incidentText({ kind: "crash", path: "ingest/writer", reason: "failure(Error: boom)", atMillis: 1234 })).toBe("1.2s ingest/writer crashed (failure(Error: boom)), not restarted yet")
    const long = incidentText({ ...crash, reason: "x".repeat(200) })
    expect(long).toBe(`1.2s ingest/writer crashed (${"x".repeat(79)}…), restarted by ingest as #4`)
    expect(incidentText(giveUp)).toBe("2.0s payments gave up (more than 6 restarts in 2s), escalated to its parent")
    const frame = renderFrame(tree, { ...one, recent: [crash, giveUp] }, { color: false }).split("\n")
    expect(frame.slice(-2)).toEqual([
      "recent: 2.0s payments gave up (more than 6 restarts in 2s), escalated to its parent",
      "        1.2s ingest/writer crashed (failure(Error: boom)), restarted by ingest as #4"
    ])
    expect(renderFrame(tree, { ...one, recent: [] }, { color: false })).toMatch(/^recent: nothing has crashed yet$/m)
  })

  it("plain style has no ANSI code; colours only on a terminal without NO_COLOR", () => {
    const stats = { ...one, recent: [crash, giveUp] }
    expect(renderFrame(tree, stats, { color: false })).not.toMatch(/\x1b/)
    expect(renderFrame(tree, stats, { color: true })).toMatch(/\x1b\[32mrunning/)
    expect(useColor(true, {})).toBe(true)
    expect(useColor(false, {})).toBe(false)
    expect(useColor(undefined, {})).toBe(false)
    expect(useColor(true, { NO_COLOR: "1" })).toBe(false)
    expect(useColor(true, { NO_COLOR: "" })).toBe(true)
  })

  it("pnpm demo with a stdout that is not a terminal prints plain text, no escape code", async () => {
    const root = join(import.meta.dirname, "..", "..", "..")
    const out = await new Promise<string>((resolve, reject) =>
      execFile(join(root, "node_modules", ".bin", "tsx"), ["--conditions=@arbor/source", "examples/chaos/src/main.ts", "--seconds", "1", "--seed", "5"], {
        cwd: root,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, FORCE_COLOR: "1" }
      }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout))))
    expect(out).toMatch(/^Summary$/m)
    expect(out).toMatch(/acknowledged requests lost {3}0 /)
    expect(out).not.toMatch(/\x1b/)
  })
})
