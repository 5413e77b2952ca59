/**
 * `pnpm demo [--seconds 20] [--seed N] [--clients 8] [--fault-every 100] [--no-live]`
 *
 * Runs the chaos demo: a live view of the tree redrawn in place (on a terminal), then the
 * summary. Exits 1 if an acknowledged order was lost or an actor outlived the shutdown.
 */
import * as Effect from "effect/Effect"
import { runChaos } from "./chaos.ts"
import { renderSummary } from "./view.ts"

const args = process.argv.slice(2).filter((a) => a !== "--")
const flag = (name: string, fallback: number): number => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`))
  if (i < 0) return fallback
  const raw = args[i]!.includes("=") ? args[i]!.split("=")[1] : args[i + 1]
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} needs a positive number (got ${raw})`)
    process.exit(2)
  }
  return n
}

const live = process.stdout.isTTY === true && !args.includes("--no-live")
let drawn = 0
const onFrame = (frame: string) => {
  const lines = frame.split("\n")
  // move the cursor back to the top of the previous frame and redraw it in place
  process.stdout.write((drawn > 0 ? `\x1b[${drawn}F` : "") + lines.map((l) => `${l}\x1b[K`).join("\n") + "\n\x1b[J")
  drawn = lines.length
}

const options = {
  seconds: flag("seconds", 20),
  seed: flag("seed", Math.floor(Math.random() * 1_000_000)),
  clients: flag("clients", 8),
  faultEveryMillis: flag("fault-every", 100),
  ...(live ? { onFrame } : {})
}

if (!live) console.log(`Arbor chaos demo — seed ${options.seed}, ${options.seconds}s, ${options.clients} clients, a fault every ~${options.faultEveryMillis}ms`)

const summary = await Effect.runPromise(runChaos(options))
console.log("")
console.log(renderSummary(summary))
if (summary.lost > 0 || summary.aliveAfterShutdown > 0) process.exitCode = 1
