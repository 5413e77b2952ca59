/**
 * `pnpm demo [--seconds 20] [--seed N] [--clients 8] [--fault-every 100] [--no-live] [--observe] [--observe-port 7070] [--help]`
 *
 * Runs the chaos demo: a live view of the tree redrawn in place (on a terminal), then the
 * summary. Exits 1 if an acknowledged order was lost or an actor outlived the shutdown, and 2
 * for a command-line mistake (an unknown flag such as `--secnds`, a bad number), which is
 * reported with the usage before anything runs.
 */
import { parseArgs } from "node:util"
import * as Effect from "effect/Effect"
import { runChaos } from "./chaos.ts"
import { renderSummary, useColor } from "./view.ts"

const usage = `usage: pnpm demo [--seconds 20] [--seed N] [--clients 8] [--fault-every 100] [--no-live] [--observe]
  --seconds S       how long the demo runs (default 20)
  --seed N          the fault injector's seed, a whole number (default: random; printed, to replay)
  --clients C       concurrent clients placing orders (default 8)
  --fault-every MS  mean milliseconds between injected faults (default 100)
  --no-live         print only the summary, no live view
  --observe         also serve the live tree in a browser (@arbor/observer, http://127.0.0.1:7070/)
  --observe-port P  the observer's port (default 7070; 0 picks a free one)
  --help            this text`

const flags = {
  seconds: { type: "string" },
  seed: { type: "string" },
  clients: { type: "string" },
  "fault-every": { type: "string" },
  "no-live": { type: "boolean" },
  observe: { type: "boolean" },
  "observe-port": { type: "string" },
  help: { type: "boolean", short: "h" }
} as const

/** Says what is wrong with the command line, prints the usage and exits 2. */
const usageError = (problem: string): never => {
  console.error(`${problem}\n${usage}`)
  process.exit(2)
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

const argv = process.argv.slice(2)
let values: ReturnType<typeof parseArgs<{ options: typeof flags }>>["values"] = {}
try {
  values = parseArgs({ args: argv[0] === "--" ? argv.slice(1) : argv, options: flags, strict: true, allowPositionals: false }).values
} catch (e) {
  usageError(argumentProblem(e))
}
if (values.help === true) {
  console.log(usage)
  process.exit(0)
}

/** A numeric flag's value: a finite number (an integer when `whole`), ≥ `min` (> `min` when `above`). */
const numberFlag = (name: "seconds" | "seed" | "clients" | "fault-every" | "observe-port", fallback: number, rule: { whole: boolean; min: number; above?: boolean }): number => {
  const raw = values[name]
  if (raw === undefined) return fallback
  const n = Number(raw)
  const ok = raw.trim() !== "" && Number.isFinite(n) && (!rule.whole || Number.isInteger(n)) && (rule.above ? n > rule.min : n >= rule.min)
  if (!ok) usageError(`--${name} needs ${rule.whole ? "a whole number" : "a number"} ${rule.above ? ">" : "≥"} ${rule.min} (got ${JSON.stringify(raw)})`)
  return n
}

const live = process.stdout.isTTY === true && values["no-live"] !== true
// colours only on a terminal and without NO_COLOR; otherwise not one escape code is printed
const color = useColor(process.stdout.isTTY, process.env)
let drawn = 0
const onFrame = (frame: string) => {
  const lines = frame.split("\n")
  // move the cursor back to the top of the previous frame and redraw it in place
  process.stdout.write((drawn > 0 ? `\x1b[${drawn}F` : "") + lines.map((l) => `${l}\x1b[K`).join("\n") + "\n\x1b[J")
  drawn = lines.length
}

const observing = values.observe === true || values["observe-port"] !== undefined
const observePort = numberFlag("observe-port", 7070, { whole: true, min: 0 })
if (observePort > 65535) usageError(`--observe-port needs a whole number from 0 to 65535 (got ${JSON.stringify(values["observe-port"])})`)

const options = {
  seconds: numberFlag("seconds", 20, { whole: false, min: 0, above: true }),
  seed: numberFlag("seed", Math.floor(Math.random() * 1_000_000), { whole: true, min: 0 }),
  clients: numberFlag("clients", 8, { whole: true, min: 1 }),
  faultEveryMillis: numberFlag("fault-every", 100, { whole: false, min: 0, above: true }),
  color,
  ...(live ? { onFrame } : {}),
  ...(observing
    ? {
      observe: { port: observePort, title: "Arbor chaos demo" },
      // printed before the first frame, which is then drawn below it
      onObserving: (url: string) => console.log(`observer: ${url}`)
    }
    : {})
}

if (!live) console.log(`Arbor chaos demo — seed ${options.seed}, ${options.seconds}s, ${options.clients} clients, a fault every ~${options.faultEveryMillis}ms`)

const result = await Effect.runPromise(Effect.result(runChaos(options)))
if (result._tag === "Failure") {
  // the observer's port or host was refused: said plainly, exit 2 like any command-line mistake
  console.error(result.failure.message)
  process.exit(2)
}
const summary = result.success
console.log("")
console.log(renderSummary(summary, { color }))
if (summary.lost > 0 || summary.aliveAfterShutdown > 0) process.exitCode = 1
