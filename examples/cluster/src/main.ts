/**
 * `pnpm demo:cluster [--seconds 90] [--actors 12] [--database-url URL] [--no-live] [--help]`
 *
 * Starts a private PostgreSQL (or uses the one `--database-url` / `DATABASE_URL` names), three
 * runner processes hosting the demo's actors and, in this process, a client that keeps every
 * actor busy; kills the runner that owns the most actors with SIGKILL, shows its actors
 * answering from the survivors, restarts it and shows the rebalance; then stops everything and
 * prints the summary. Exits 0 only when no request was lost and nothing was left running; 1
 * otherwise or when the demo cannot run (no PostgreSQL: the message names the package to
 * install); 2 for a command-line mistake, reported with the usage before anything runs.
 */
import { readOptions, usage, UsageError } from "./cli.ts"
import type { Options } from "./cli.ts"

let options: Options
try {
  options = readOptions(process.argv.slice(2), process.env, process.stdout.isTTY)
} catch (e) {
  if (!(e instanceof UsageError)) throw e
  console.error(`${e.message}\n${usage}`)
  process.exit(2)
}
if (options.help) {
  console.log(usage)
  process.exit(0)
}

// the cluster's modules load only once the command line is known to be right
const { runDemo } = await import("./demo.ts")
process.exitCode = await runDemo(options)
