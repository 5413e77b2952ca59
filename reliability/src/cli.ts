/**
 * The command-line reading the reliability scripts share (`soak.ts`, `timer-rearm.ts`): flags on
 * `node:util` `parseArgs`, strict, no positionals; a mistake is a {@link UsageError} that names
 * what is wrong, which the script prints with its usage and exit code 2.
 */
import { parseArgs } from "node:util"

/** A command-line mistake: reported with the usage, exit code 2 (a failed check exits 1). */
export class UsageError extends Error {}

type Flags = Record<string, { readonly type: "string" | "boolean"; readonly short?: string }>

/** Parses `argv` (a leading `--` from `pnpm run x -- …` is dropped) strictly against `flags`. */
export const readFlags = <const F extends Flags>(argv: ReadonlyArray<string>, flags: F) => {
  try {
    return parseArgs({ args: argv[0] === "--" ? argv.slice(1) : [...argv], options: flags, strict: true, allowPositionals: false }).values
  } catch (e) {
    throw new UsageError(argumentProblem(e, Object.keys(flags)))
  }
}

/** A whole-number flag's value, `fallback` when absent; a {@link UsageError} when not a whole number ≥ `min`. */
export const wholeFlag = (name: string, raw: string | undefined, fallback: number, min: number): number => {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (raw.trim() === "" || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} needs a whole number ≥ ${min} (got ${JSON.stringify(raw)})`)
  return n
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
