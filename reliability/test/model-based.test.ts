/**
 * Model-based property test (issue #7): random supervision trees and random schedules of
 * crashes, kills, waits and API calls are run through the real Arbor supervisor (via the OTP
 * conformance adapter) and through the pure reference model (`src/model.ts`, itself checked
 * against every OTP golden in `model.test.ts`). The traces must be equal under the oracle's
 * comparison rules.
 *
 * A failure prints fast-check's seed and path with the shrunk case, plus the resolved scenario
 * and the first difference. Replay it with
 * `ARBOR_PROP_SEED=<seed> ARBOR_PROP_PATH=<path> npx vitest run reliability/test/model-based.test.ts`;
 * `ARBOR_PROP_RUNS=<n>` runs more cases.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runScenario } from "../../conformance/adapter.ts"
import { validateScenario } from "../../conformance/scenario.ts"
import { activeDeviations, stepFilter, touches } from "../src/known.ts"
import { build, caseArb } from "../src/scenarios.ts"
import { difference, toJsonl } from "../src/traces.ts"

const env = (name: string) => process.env[name] === undefined || process.env[name] === "" ? undefined : process.env[name]
const runs = Number(env("ARBOR_PROP_RUNS") ?? 1000)
const seed = env("ARBOR_PROP_SEED")
const path = env("ARBOR_PROP_PATH")

const withTimeout = <A>(p: Promise<A>, ms: number, scenario: unknown): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the run did not finish within ${ms} ms\n${JSON.stringify(scenario)}`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

describe("Arbor supervisor vs the reference model", () => {
  it(`agrees on ${runs} generated scenarios`, async () => {
    // known deviations (src/known.ts) are left out only while their repro still deviates
    const active = await activeDeviations()
    const keep = stepFilter(active)
    if (active.length > 0) console.log(`model-based: leaving out known deviations: ${active.map((k) => k.name).join(", ")}`)
    let executed = 0
    let steps = 0
    await fc.assert(
      fc.asyncProperty(caseArb(), async (c) => {
        const built = build(c, keep)
        // outside the oracle's deterministic zone, or a known deviation
        fc.pre(built.ambiguous === undefined && !touches(active, built.situations))
        const scenario = validateScenario(JSON.parse(JSON.stringify(built.scenario)), "generated")
        const actual = await withTimeout(runScenario(scenario), 10_000, scenario)
        executed++
        steps += scenario.steps.length
        const diff = difference(built.expected, actual)
        if (diff !== null) {
          throw new Error(
            `Arbor's trace differs from the model's\n${diff}\n--- scenario:\n${JSON.stringify(scenario)}\n--- expected (model):\n${
              toJsonl(built.expected)
            }--- actual (Arbor):\n${toJsonl(actual)}`
          )
        }
      }),
      {
        numRuns: runs,
        ...(seed === undefined ? {} : { seed: Number(seed) }),
        ...(path === undefined ? {} : { path })
      }
    )
    expect(executed).toBeGreaterThanOrEqual(runs)
    console.log(`model-based: ${executed} scenarios, ${steps} steps`)
  }, 120_000)
})
