/**
 * The deviations the model-based test found (`src/known.ts`): each repro must either agree with
 * OTP (fixed: the property test covers it again) or show exactly the recorded deviation. Any
 * other behaviour is a new deviation and fails here.
 */
import { describe, expect, it } from "vitest"
import { knownDeviations, reproduce } from "../src/known.ts"

describe("known deviations from OTP", () => {
  for (const known of knownDeviations) {
    it(`${known.name} (${known.where}): agrees with OTP, or deviates exactly as recorded`, async () => {
      const diff = await reproduce(known)
      if (diff !== null) console.log(`still deviating: ${known.name} (${known.where}): ${known.description}`)
      expect(diff === null || diff.includes(known.signature), diff ?? "").toBe(true)
    })
  }
})
