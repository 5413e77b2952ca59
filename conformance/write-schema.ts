/**
 * `pnpm exec tsx conformance/write-schema.ts`: rewrites `otp/scenario.schema.json` from the
 * scenario schema in `scenario.ts` (the one definition; `scenario.test.ts` fails while the file
 * and the schema differ).
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { scenarioJsonSchema, schemaFileText } from "./scenario.ts"

const file = join(import.meta.dirname, "otp", "scenario.schema.json")
writeFileSync(file, schemaFileText(scenarioJsonSchema()))
console.log(`wrote ${file}`)
