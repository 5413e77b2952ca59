/**
 * Runs the log aggregator for about a second and prints what happens: queue depths while
 * producers outrun the processors, the injected crash and the restart, then who waited how
 * long and where every event went.
 */
import { ActorSystem } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Effect, Layer } from "effect"
import { LogStore } from "./LogStore.ts"
import { run } from "./Scenario.ts"

// this example takes no flags: any argument is a mistake, said with the usage (exit code 2)
const givenArgs = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"))
if (givenArgs.length > 0) {
  console.error(`unexpected argument ${JSON.stringify(givenArgs[0])}: this example takes no flags\nusage: pnpm --filter @arbor/example-log-aggregator start`)
  process.exit(2)
}

const print = (line: string) => console.log(line)

const program = Effect.gen(function*() {
  print("log-aggregator: 3 producers -> router (mailbox 16, suspend)")
  print("  -> errors processor   (mailbox 8, suspend,    4 ms per event)")
  print("  -> warnings processor (mailbox 8, dropNewest, 6 ms per event)")
  print("")
  const report = yield* run({
    seed: 7,
    producers: ["api", "billing", "search"],
    eventsPerProducer: 60,
    produceEvery: "1 millis",
    errorRatio: 0.5,
    errorCost: "4 millis",
    warningCost: "6 millis",
    routerCapacity: 16,
    errorCapacity: 8,
    warningCapacity: 8,
    crashAt: "250 millis",
    sampleEvery: "100 millis",
    deadline: "10 seconds",
    print
  })
  print("")
  print(`produced ${report.produced.errors} errors and ${report.produced.warnings} warnings`)
  for (const p of report.producers) {
    print(
      `  producer ${p.name.padEnd(8)} sent ${p.sent}, waited ${p.waitedMillis} ms for room in the router ` +
        `(longest wait ${p.longestWaitMillis} ms)`
    )
  }
  print(`stored   ${report.stored.errors} errors and ${report.stored.warnings} warnings`)
  for (const [key, n] of Object.entries(report.deadLetters)) print(`  dead letters ${key}: ${n}`)
  print(`unaccounted for: ${report.unaccounted}`)
  print(`restarted: ${report.restarts.length === 0 ? "nothing" : report.restarts.join(", ")}`)
  print("")
  print("closing the scope: the supervisor stops the router, then the processors")
}).pipe(
  Effect.scoped,
  Effect.provide(Layer.mergeAll(ActorSystem.layer, Registry.layer, LogStore.layer))
)

await Effect.runPromise(program)
