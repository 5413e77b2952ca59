import { ActorSystem } from "@arbor/core"
import { WorkerActor } from "@arbor/worker"
import { Effect } from "effect"
import { run } from "./pool.ts"

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
