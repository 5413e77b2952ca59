import { describe, expect, it } from "vitest"
import { InvalidScenario, validateScenario } from "./scenario.ts"

const valid = {
  name: "ok_case",
  supervisor: { strategy: "one_for_one", children: [{ id: "a" }] },
  steps: [{ op: "crash", id: "a", reason: "boom" }]
}

describe("scenario validation", () => {
  it("accepts a valid scenario", () => {
    expect(validateScenario(valid, "ok_case").name).toBe("ok_case")
  })
  it("reports every problem with its JSON path", () => {
    const bad = {
      name: "x",
      extra: true,
      supervisor: { strategy: "one_for_none", children: [{ id: "A" }, { id: "b", type: "supervisor" }] },
      steps: [{ op: "crash" }, { op: "wait", ms: -1 }, { op: "which_children", supervisor: "nope" }]
    }
    let error: unknown
    try {
      validateScenario(bad, "x")
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidScenario)
    const problems = (error as InvalidScenario).problems
    expect(problems).toContain(`$: unknown key "extra"`)
    expect(problems.some((p) => p.startsWith("$.supervisor.strategy"))).toBe(true)
    expect(problems.some((p) => p.startsWith("$.supervisor.children[0].id"))).toBe(true)
    expect(problems.some((p) => p.startsWith("$.supervisor.children[1]") && p.includes("needs \"supervisor\""))).toBe(true)
    expect(problems).toContain(`$.steps[0]: missing "reason"`)
    expect(problems.some((p) => p.startsWith("$.steps[1].ms"))).toBe(true)
  })
  it("rejects a name that differs from the file name", () => {
    expect(() => validateScenario(valid, "other")).toThrow(/must equal the file name/)
  })
  it("rejects a step that targets a supervisor missing from the static tree", () => {
    expect(() => validateScenario({ ...valid, steps: [{ op: "which_children", supervisor: "nope" }] }, "ok_case"))
      .toThrow(/no supervisor "nope"/)
  })
})
