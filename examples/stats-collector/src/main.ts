/**
 * Runs the stats collector for six rounds (about a second) and prints every round: which
 * counters answered, which failed and with which typed error, and the supervisor restarting
 * the counter that crashed.
 */
import { ActorSystem } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Effect, Layer } from "effect"
import { run } from "./Scenario.ts"

// this example takes no flags: any argument is a mistake, said with the usage (exit code 2)
const givenArgs = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"))
if (givenArgs.length > 0) {
  console.error(`unexpected argument ${JSON.stringify(givenArgs[0])}: this example takes no flags\nusage: pnpm --filter @arbor/example-stats-collector start`)
  process.exit(2)
}

const print = (line: string) => console.log(line)

const program = Effect.gen(function*() {
  print("stats-collector: 4 counters and an aggregator under one supervisor (one-for-one)")
  print("  the aggregator asks every counter for stats every 150 ms, each ask with a 50 ms timeout")
  print("  counter 'beta' crashes on every 3rd stats request; 'delta' answers about a third of them after 80 ms")
  print("")
  const report = yield* run({
    seed: 42,
    counters: ["alpha", "beta", "gamma", "delta"],
    faults: {
      beta: { crashOnMessage: 3, crashReason: "defect" },
      delta: { delay: "80 millis", delayRate: 0.3 }
    },
    rounds: 6,
    collectEvery: "150 millis",
    askTimeout: "50 millis",
    trafficEvery: "10 millis",
    print
  })
  const partial = report.rounds.filter((r) => r.answered < r.results.length).map((r) => r.n)
  print("")
  print(`${report.rounds.length} rounds, partial results in rounds ${partial.join(", ")}`)
  print(`restarted by the supervisor: ${report.restarts.join(", ") || "nothing"}`)
  print("closing the scope: the supervisor stops the aggregator, then the counters")
}).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(ActorSystem.layer, Registry.layer)))

await Effect.runPromise(program)
