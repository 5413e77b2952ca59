/**
 * Every OTP scenario copied in `otp/scenarios`, run through Arbor; the trace must equal the
 * golden recorded from Erlang/OTP 25 under the comparator's rules (`otp/compare-trace.mjs`).
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runScenario, toJsonl } from "./adapter.ts"
import { validateScenario } from "./scenario.ts"
// @ts-expect-error the comparator is a plain .mjs module without types
import { compareTraces } from "./otp/compare-trace.mjs"

const dir = join(import.meta.dirname, "otp")
const names = readdirSync(join(dir, "scenarios")).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort()

describe("OTP conformance", () => {
  it("finds every scenario", () => {
    expect(names.length).toBe(40)
  })
  for (const name of names) {
    it(name, async () => {
      const scenario = validateScenario(JSON.parse(readFileSync(join(dir, "scenarios", `${name}.json`), "utf8")), name)
      const actual = toJsonl(await runScenario(scenario))
      const golden = readFileSync(join(dir, "golden", `${name}.jsonl`), "utf8")
      const difference: string | null = compareTraces(golden, actual)
      expect(difference, `${difference}\n--- actual trace:\n${actual}`).toBeNull()
    })
  }
})
