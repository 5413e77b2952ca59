/**
 * One measured (workload, implementation) pair, in its own process:
 * `node --expose-gc dist/worker.js <workload> <impl> <size> <warmup>`.
 * Runs a warm-up pass of `warmup` units (skipped when 0), then the measured pass, prints one
 * line `@@RESULT <json>` and exits without tearing anything down.
 */
import { loadWorkload, pending } from "./suites.ts"
import { pass, RESULT_PREFIX } from "./types.ts"
import type { ImplId, WorkloadId } from "./types.ts"

const main = async (): Promise<void> => {
  const [workload, impl, sizeArg, warmupArg] = process.argv.slice(2) as [WorkloadId, ImplId, string, string]
  const size = Number(sizeArg)
  const warmup = Number(warmupArg)
  const report = (result: unknown) => {
    process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + "\n", () => process.exit(0))
  }
  const why = pending[`${impl}/${workload}`]
  if (why !== undefined) return report({ pending: why })
  const run = await loadWorkload(impl, workload)
  if (run === undefined) return report({ notApplicable: true })
  // nothing else may keep the process alive while a workload waits on its own actors
  const keepAlive = setInterval(() => {}, 1 << 30)
  if (warmup > 0) await run(warmup)
  pass.final = true
  const sample = await run(size)
  clearInterval(keepAlive)
  report({ sample })
}

main().catch((error: unknown) => {
  process.stdout.write(RESULT_PREFIX + JSON.stringify({ error: String(error instanceof Error ? error.stack : error) }) + "\n",
    () => process.exit(1))
})
