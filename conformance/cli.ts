/**
 * `pnpm run conformance --scenarios <dir> --out <dir>`: runs every `*.json` scenario in the
 * scenarios directory through Arbor and writes `<out>/<name>.jsonl`. Relative paths are taken
 * from the directory the command was started in. An invalid scenario is reported with every
 * problem and its JSON path; the command then exits 1 (after running the valid ones).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { basename, join, resolve } from "node:path"
import { runScenario, toJsonl } from "./adapter.ts"
import { InvalidScenario, validateScenario } from "./scenario.ts"

const usage = "usage: pnpm run conformance --scenarios <dir> --out <dir>"

const parseArgs = (argv: ReadonlyArray<string>): { scenarios: string; out: string } => {
  let scenarios: string | undefined
  let out: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === "--") continue
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined]
    const value = inline ?? argv[++i]
    if (flag === "--scenarios") scenarios = value
    else if (flag === "--out") out = value
    else throw new Error(`unknown argument ${a}\n${usage}`)
  }
  if (scenarios === undefined || out === undefined) throw new Error(usage)
  const base = process.env["INIT_CWD"] ?? process.cwd()
  return { scenarios: resolve(base, scenarios), out: resolve(base, out) }
}

const main = async () => {
  const { scenarios, out } = parseArgs(process.argv.slice(2))
  const files = readdirSync(scenarios).filter((f) => f.endsWith(".json")).sort()
  if (files.length === 0) throw new Error(`no *.json scenario in ${scenarios}`)
  mkdirSync(out, { recursive: true })
  let written = 0
  let invalid = 0
  for (const file of files) {
    const name = basename(file, ".json")
    try {
      let json: unknown
      try {
        json = JSON.parse(readFileSync(join(scenarios, file), "utf8"))
      } catch (e) {
        throw new InvalidScenario(file, [`not valid JSON: ${(e as Error).message}`])
      }
      const scenario = validateScenario(json, name, file)
      writeFileSync(join(out, `${name}.jsonl`), toJsonl(await runScenario(scenario)))
      written++
      console.log(`wrote ${join(out, `${name}.jsonl`)}`)
    } catch (e) {
      if (!(e instanceof InvalidScenario)) throw e
      invalid++
      console.error(e.message)
    }
  }
  console.log(`${written} written, ${invalid} invalid`)
  if (invalid > 0) process.exitCode = 1
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exitCode = 1
})
