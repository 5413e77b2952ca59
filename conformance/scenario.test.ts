import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { InvalidScenario, jsonPath, scenarioJsonSchema, schemaFileText, validateScenario } from "./scenario.ts"

const valid = {
  name: "ok_case",
  supervisor: { strategy: "one_for_one", children: [{ id: "a" }] },
  steps: [{ op: "crash", id: "a", reason: "boom" }]
}

const problems = (input: unknown, name?: string): ReadonlyArray<string> => {
  try {
    validateScenario(input, name)
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidScenario)
    return (e as InvalidScenario).problems
  }
  throw new Error("the scenario was accepted")
}

describe("scenario validation", () => {
  it("accepts a valid scenario", () => {
    expect(validateScenario(valid, "ok_case").name).toBe("ok_case")
  })
  it("reports every problem with its JSON path", () => {
    const found = problems({
      name: "x",
      extra: true,
      supervisor: { strategy: "one_for_none", children: [{ id: "A" }, { id: "b", type: "supervisor" }] },
      steps: [{ op: "crash" }, { op: "wait", ms: -1 }, { op: "which_children", supervisor: "nope" }]
    }, "x")
    expect(found).toEqual([
      `$: unknown key "extra"`,
      "$.supervisor.strategy: must be one_for_one, one_for_all, rest_for_one or simple_one_for_one",
      `$.supervisor.children[0].id: must match [a-z0-9_]+ and not be "root"`,
      `$.supervisor.children[1]: a supervisor child needs "supervisor"`,
      `$.steps[0]: missing "id"`,
      `$.steps[0]: missing "reason"`,
      "$.steps[1].ms: must be an integer ≥ 0"
    ])
  })
  it("reports a step's problems against its own op only", () => {
    expect(problems({ ...valid, steps: [{ op: "kill", id: "a", reason: "boom" }, { op: "warp", id: "a" }, 7] })).toEqual([
      `$.steps[0]: unknown key "reason"`,
      `$.steps[1].op: unknown op "warp" (one of crash, kill, wait, start_child, terminate_child, restart_child, delete_child, which_children, count_children, stop)`,
      "$.steps[2]: a step must be an object"
    ])
    expect(problems({ ...valid, steps: [{ id: "a" }] })).toEqual([`$.steps[0]: missing "op"`])
  })
  it("reports nested values: reasons, init modes, behaviour, child types", () => {
    const found = problems({
      name: "x",
      supervisor: {
        strategy: "one_for_one",
        children: [
          { id: "a", behavior: { init: { fail: "X" }, init_by_instance: { "0": "ok", "2": "bad" } } },
          { id: "b", supervisor: { strategy: "one_for_one" } },
          { id: "root", shutdown: -1, significant: 1 },
          { id: "s", type: "supervisor", supervisor: { strategy: "simple_one_for_one", children: [] } }
        ]
      },
      steps: [{ op: "crash", id: "a", reason: { shutdown: 1.5 } }, { op: "stop", reason: 3 }, { op: "terminate_child", id: "a", by: "ref" }]
    })
    expect(found).toEqual([
      "$.supervisor.children[0].behavior.init.fail: must match [a-z0-9_]+",
      `$.supervisor.children[0].behavior.init_by_instance: key "0" must be a positive integer`,
      `$.supervisor.children[0].behavior.init_by_instance.2: must be "ok", "ignore" or {"fail": reason}`,
      `$.supervisor.children[1].supervisor: "supervisor" is only for type "supervisor"`,
      `$.supervisor.children[2].id: must match [a-z0-9_]+ and not be "root"`,
      "$.supervisor.children[2].shutdown: must be an integer ≥ 0",
      "$.supervisor.children[2].significant: must be a boolean",
      "$.supervisor.children[3].supervisor.children: simple_one_for_one needs exactly one child template",
      "$.steps[0].reason.shutdown: must be an integer",
      `$.steps[1].reason: a reason is a string [a-z0-9_]+ or {"shutdown": value}`,
      "$.steps[2].by: must be id or pid"
    ])
  })
  it("checks the rules that relate several keys of one object once its keys are valid", () => {
    expect(problems({
      name: "x",
      supervisor: {
        strategy: "one_for_one",
        children: [{ id: "a" }, { id: "a", behavior: { terminate_delay_ms: 5 } }, { id: "s", type: "supervisor", behavior: {}, supervisor: { strategy: "one_for_one" } }]
      },
      steps: []
    })).toEqual([
      "$.supervisor.children[1].behavior.terminate_delay_ms: requires trap_exit: true",
      `$.supervisor.children[2].behavior: a supervisor child has no "behavior"`
    ])
    expect(problems({ name: "x", supervisor: { strategy: "one_for_one", children: [{ id: "a" }, { id: "a" }] }, steps: [] }))
      .toEqual([`$.supervisor.children[1].id: duplicate id "a"`])
  })
  it("rejects a name that differs from the file name", () => {
    expect(() => validateScenario(valid, "other")).toThrow(/must equal the file name/)
  })
  it("rejects a step that targets a supervisor missing from the static tree", () => {
    expect(() => validateScenario({ ...valid, steps: [{ op: "which_children", supervisor: "nope" }] }, "ok_case"))
      .toThrow(/no supervisor "nope"/)
  })
  it("takes start_child's form from the target supervisor's strategy", () => {
    const tree = {
      strategy: "one_for_one",
      children: [{ id: "s", type: "supervisor", supervisor: { strategy: "simple_one_for_one", children: [{ id: "t" }] } }]
    }
    expect(() => validateScenario({ name: "x", supervisor: tree, steps: [{ op: "start_child", supervisor: "s", id: "w1", args: [1] }, { op: "start_child", spec: { id: "b" } }] }))
      .not.toThrow()
    expect(problems({ name: "x", supervisor: tree, steps: [{ op: "start_child", supervisor: "s", spec: { id: "t" } }, { op: "start_child", id: "w" }] })).toEqual([
      `$.steps[0]: "s" is simple_one_for_one: start_child takes "id" (and "args"), not "spec"`,
      `$.steps[1]: "root" is one_for_one: start_child takes "spec", not "id"/"args"`
    ])
    expect(problems({ name: "x", supervisor: tree, steps: [{ op: "start_child" }] })).toEqual([`$.steps[0]: needs exactly one of "spec" or "id"`])
  })
  it("accepts a simple_one_for_one supervisor with auto_shutdown and a significant template (OTP does)", () => {
    for (const auto_shutdown of ["any_significant", "all_significant"]) {
      const sc = validateScenario({
        name: "sofo_auto",
        supervisor: { strategy: "simple_one_for_one", auto_shutdown, children: [{ id: "tmpl", restart: "transient", significant: true }] },
        steps: [{ op: "start_child", id: "w1" }, { op: "crash", id: "w1", reason: "normal" }, { op: "terminate_child", id: "w1" }]
      }, "sofo_auto")
      expect(sc.supervisor.children?.[0]?.significant).toBe(true)
    }
  })
  it("renders JSON paths", () => {
    expect(jsonPath([])).toBe("$")
    expect(jsonPath(["steps", 3, "reason", "shutdown"])).toBe("$.steps[3].reason.shutdown")
  })
})

describe("otp/scenario.schema.json", () => {
  it("is generated from the schema in scenario.ts (run `pnpm exec tsx conformance/write-schema.ts` after changing it)", () => {
    const file = readFileSync(join(import.meta.dirname, "otp", "scenario.schema.json"), "utf8")
    expect(file).toBe(schemaFileText(scenarioJsonSchema()))
  })
  it("describes the same keys and rules", () => {
    const schema = scenarioJsonSchema() as {
      required: ReadonlyArray<string>
      additionalProperties: boolean
      $defs: Record<string, { anyOf?: ReadonlyArray<{ properties: { op: { enum: ReadonlyArray<string> } } }>; properties?: Record<string, unknown> }>
    }
    expect(schema.required).toEqual(["name", "supervisor", "steps"])
    expect(schema.additionalProperties).toBe(false)
    expect(schema.$defs["step"]!.anyOf!.map((s) => s.properties.op.enum[0])).toEqual([
      "crash", "kill", "wait", "start_child", "terminate_child", "restart_child", "delete_child", "which_children", "count_children", "stop"
    ])
    expect(Object.keys(schema.$defs["child"]!.properties!)).toEqual(["id", "restart", "shutdown", "type", "significant", "behavior", "supervisor"])
    expect(Object.keys(schema.$defs["supervisor"]!.properties!)).toEqual(["strategy", "intensity", "period", "auto_shutdown", "children"])
  })
})
