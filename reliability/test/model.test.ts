/**
 * The reference model against OTP itself: for every scenario recorded from Erlang/OTP 25 (the
 * goldens the project carries in `conformance/otp`), the model's trace must equal OTP's.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { validateScenario } from "../../conformance/scenario.ts"
import { modelTrace } from "../src/model.ts"
import { difference, parseTrace, toJsonl } from "../src/traces.ts"

const dir = join(import.meta.dirname, "..", "..", "conformance", "otp")
const names = readdirSync(join(dir, "scenarios")).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort()

describe("reference model vs OTP goldens", () => {
  it("finds the recorded scenarios", () => {
    expect(names.length).toBeGreaterThanOrEqual(34)
  })
  for (const name of names) {
    it(name, () => {
      const scenario = validateScenario(JSON.parse(readFileSync(join(dir, "scenarios", `${name}.json`), "utf8")), name)
      const golden = parseTrace(readFileSync(join(dir, "golden", `${name}.jsonl`), "utf8"))
      const { trace } = modelTrace(scenario)
      const diff = difference(golden, trace)
      expect(diff, `${diff}\n--- model trace:\n${toJsonl(trace)}`).toBeNull()
    })
  }
})
