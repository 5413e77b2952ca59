/**
 * `pnpm run conformance --scenarios <dir> --out <dir>`: runs every `*.json` scenario in the
 * scenarios directory through Arbor and writes `<out>/<name>.jsonl`. Relative paths are taken
 * from the directory the command was started in. An invalid scenario is reported with every
 * problem and its JSON path; the command then exits 1 (after running the valid ones).
 *
 * Command-line errors (an unknown flag, a missing value or flag) print what is wrong and the
 * usage on stderr and exit 2; `--help` prints the usage and exits 0.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { basename, join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { runScenario, toJsonl } from "./adapter.ts"
import { InvalidScenario, validateScenario } from "./scenario.ts"

const usage = `usage: pnpm run conformance --scenarios <dir> --out <dir>
  --scenarios <dir>  the directory of *.json scenario files
  --out <dir>        where <name>.jsonl traces are written (created if missing)
  --help             this text`

const flags = {
  scenarios: { type: "string" },
  out: { type: "string" },
  help: { type: "boolean", short: "h" }
} as const

/** A command-line mistake: reported with the usage, exit code 2. */
class UsageError extends Error {}

const readArgs = (argv: ReadonlyArray<string>): { scenarios: string; out: string } | "help" => {
  let values
  try {
    values = parseArgs({ args: argv[0] === "--" ? argv.slice(1) : [...argv], options: flags, strict: true, allowPositionals: false }).values
  } catch (e) {
    throw new UsageError(argumentProblem(e, Object.keys(flags)))
  }
  if (values.help === true) return "help"
  const missing = (["scenarios", "out"] as const).filter((k) => values[k] === undefined)
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((k) => `--${k}`).join(" and ")}`)
  const base = process.env["INIT_CWD"] ?? process.cwd()
  return { scenarios: resolve(base, values.scenarios!), out: resolve(base, values.out!) }
}

/** `parseArgs`'s error, said plainly: the flag at fault and, for an unknown one, the valid flags. */
const argumentProblem = (e: unknown, known: ReadonlyArray<string>): string => {
  const error = e as { code?: string; message?: string }
  const quoted = /'([^']+)'/.exec(error.message ?? "")?.[1]
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown flag ${quoted}; valid flags: ${known.map((k) => `--${k}`).join(", ")}`
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const flag = quoted?.split(" ")[0]
      if (error.message?.includes("does not take an argument")) return `${flag} takes no value`
      if (error.message?.includes("ambiguous")) return `${flag} needs a value (one starting with "-" is written ${flag}=-…)`
      return `${flag} needs a value`
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${quoted} (every argument is a --flag)`
    default:
      return String(error.message ?? e)
  }
}

const main = async () => {
  const args = readArgs(process.argv.slice(2))
  if (args === "help") return void console.log(usage)
  const { scenarios, out } = args
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
  if (e instanceof UsageError) {
    console.error(`${e.message}\n${usage}`)
    process.exitCode = 2
    return
  }
  console.error(e instanceof Error ? e.message : e)
  process.exitCode = 1
})
