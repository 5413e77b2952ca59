import { describe, expect, it } from "vitest"
import { TestSystem } from "@arbor/testkit"
import { Effect, Fiber } from "effect"
import { type Report, run } from "../src/Scenario.ts"

const runOnTestClock = (lines: Array<string>): Promise<Report> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Effect.scoped(run({
        pollEvery: "20 millis",
        searchOutage: "150 millis",
        settle: "300 millis",
        print: (line) => lines.push(line)
      })))
      for (let step = 0; step < 2000 && fiber.pollUnsafe() === undefined; step++) yield* TestSystem.advance("5 millis")
      if (fiber.pollUnsafe() === undefined) return yield* Effect.die("the run did not complete in 10 virtual seconds")
      return yield* Fiber.join(fiber)
    }).pipe(Effect.scoped, Effect.provide(TestSystem.layer()))
  )

describe("restart-storm", () => {
  it("escalates to the root, which restarts a permanent supervisor child but not a transient one", async () => {
    const lines: Array<string> = []
    const report = await runOnTestClock(lines)
    const at = (path: ReadonlyArray<string>) => report.events.filter((e) => e.supervisor.join("/") === path.join("/"))
    const exceeded = (path: ReadonlyArray<string>) => at(path).filter((e) => e._tag === "RestartIntensityExceeded").length

    // phase 1: the payments worker crashes 3 times, its supervisor gives up (2 restarts allowed)
    const paymentsCrashes = at(["payments"]).filter((e) => e._tag === "ChildExited" && e.reason._tag === "Failure")
    expect(paymentsCrashes).toHaveLength(3)
    expect(exceeded(["payments"])).toBe(1)
    // ... and exits with Shutdown, which the root does not restart: payments is transient
    const paymentsAtRoot = at([]).filter((e) => "child" in e && e.child === "payments").map((e) => e._tag)
    expect(paymentsAtRoot).toEqual(["ChildStarted", "ChildExited", "ChildNotRestarted"])
    const paymentsExit = at([]).find((e) => e._tag === "ChildExited" && e.child === "payments")
    expect(paymentsExit?._tag === "ChildExited" && paymentsExit.reason._tag).toBe("Shutdown")

    // phase 2: search is permanent, so the root restarts it after each escalation, spending its budget
    const { snapshot } = report
    const [payments, search] = snapshot.children
    expect(payments).toMatchObject({ id: "payments", restart: "transient", status: "not_running", incarnation: 1 })
    expect(search).toMatchObject({ id: "search", restart: "permanent", status: "running" })
    expect(search!.incarnation).toBeGreaterThan(1)
    expect(snapshot.restartsInWindow).toBe(search!.incarnation - 1)
    expect(snapshot.remainingBudget).toBe(snapshot.intensity - snapshot.restartsInWindow)
    expect(search!.supervisor?.children[0]).toMatchObject({ id: "worker", status: "running" })

    // phase 3: the outage outlasts the root's budget; the root gives up as well
    expect(exceeded([])).toBe(1)
    expect(report.rootExit._tag).toBe("Shutdown")
    const searchRestartsByRoot = at([]).filter((e) => e._tag === "ChildStarted" && e.child === "search" && e.restart)
    expect(searchRestartsByRoot).toHaveLength(snapshot.intensity)
    expect(lines.at(-1)).toContain("root exited: shutdown")
  })
})
