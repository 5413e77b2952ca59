/**
 * The command line of `pnpm demo:cluster`: strict `node:util` `parseArgs` (an unknown flag, a
 * positional or a bad number is a {@link UsageError} naming what is wrong, printed with the usage
 * and exit code 2 before anything runs).
 */
import { parseArgs } from "node:util"

export const usage = `usage: pnpm demo:cluster [--seconds 90] [--actors 12] [--database-url URL] [--no-live] [--help]
  --seconds S         the longest the scenario may run once the runners are up (default 90; it
                      ends sooner, as soon as the rebalance after the restart has been seen)
  --actors N          how many actors the client keeps busy, 3 to 26 (default 12: a … l)
  --database-url URL  a PostgreSQL database to use (default: $DATABASE_URL, else a private
                      server started from this machine's initdb/pg_ctl and removed at the end)
  --no-live           no live view: print the events and the summary only
  --help              this text`

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export const flags = {
  seconds: { type: "string" },
  actors: { type: "string" },
  "database-url": { type: "string" },
  "no-live": { type: "boolean" },
  help: { type: "boolean", short: "h" }
} as const

/** What the command line asks for. */
export interface Options {
  readonly help: boolean
  readonly seconds: number
  readonly actors: number
  /** From `--database-url`, else `DATABASE_URL` (non-empty), else none: a private server. */
  readonly databaseUrl: string | undefined
  readonly live: boolean
}

/** `parseArgs`'s error, said plainly: the flag at fault and, for an unknown one, the valid flags. */
const argumentProblem = (e: unknown): string => {
  const error = e as { code?: string; message?: string }
  const quoted = /'([^']+)'/.exec(error.message ?? "")?.[1]
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown flag ${quoted}; valid flags: ${Object.keys(flags).map((k) => `--${k}`).join(", ")}`
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

/**
 * Reads the command line (a leading `--` from `pnpm run x -- …` is dropped) and the environment;
 * throws a {@link UsageError} for a mistake.
 */
export const readOptions = (argv: ReadonlyArray<string>, env: Readonly<Record<string, string | undefined>>, isTTY: boolean | undefined): Options => {
  let values: ReturnType<typeof parseArgs<{ options: typeof flags }>>["values"]
  try {
    values = parseArgs({ args: argv[0] === "--" ? argv.slice(1) : [...argv], options: flags, strict: true, allowPositionals: false }).values
  } catch (e) {
    throw new UsageError(argumentProblem(e))
  }
  const seconds = values.seconds === undefined ? 90 : Number(values.seconds)
  if (values.seconds !== undefined && (values.seconds.trim() === "" || !Number.isFinite(seconds) || seconds < 20)) {
    // below 20 s there is no time for a failover (≈ 3–7 s) and a rebalance (≈ 5 s) after the start
    throw new UsageError(`--seconds needs a number ≥ 20 (got ${JSON.stringify(values.seconds)})`)
  }
  const actors = values.actors === undefined ? 12 : Number(values.actors)
  if (values.actors !== undefined && (values.actors.trim() === "" || !Number.isInteger(actors) || actors < 3 || actors > 26)) {
    throw new UsageError(`--actors needs a whole number from 3 to 26 (got ${JSON.stringify(values.actors)})`)
  }
  const url = values["database-url"] ?? (env.DATABASE_URL === "" ? undefined : env.DATABASE_URL)
  if (url !== undefined && !/^postgres(ql)?:\/\/./.test(url)) {
    const from = values["database-url"] !== undefined ? "--database-url" : "DATABASE_URL"
    // the value is not echoed: it may carry a password
    throw new UsageError(`${from} needs a postgres:// or postgresql:// URL`)
  }
  return {
    help: values.help === true,
    seconds,
    actors,
    databaseUrl: url,
    live: isTTY === true && values["no-live"] !== true
  }
}
