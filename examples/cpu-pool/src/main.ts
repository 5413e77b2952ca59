import { ActorSystem } from "@arbor/core"
import { WorkerActor } from "@arbor/worker"
import { Effect } from "effect"
import { run } from "./pool.ts"

// this example takes no flags: any argument is a mistake, said with the usage (exit code 2)
const givenArgs = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"))
if (givenArgs.length > 0) {
  console.error(`unexpected argument ${JSON.stringify(givenArgs[0])}: this example takes no flags\nusage: pnpm --filter @arbor/example-cpu-pool start`)
  process.exit(2)
}

const summary = await Effect.runPromise(
  run({
    members: 2,
    jobs: 60,
    rounds: 20_000,
    spinAt: 15,
    hogAt: 35,
    heartbeat: { interval: "100 millis", timeout: "500 millis" },
    print: (line) => console.log(line)
  }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
)
console.log(`worker threads left after the root scope closed: ${WorkerActor.liveThreads()}`)
if (summary.restarts < 2) process.exitCode = 1
