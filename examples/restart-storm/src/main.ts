/**
 * Runs the restart storm in real time (about a second) and prints every supervision event as
 * it happens, the tree after phase 2, and how the root ended.
 */
import { ActorSystem } from "@arbor/core"
import { Effect } from "effect"
import { run } from "./Scenario.ts"

// this example takes no flags: any argument is a mistake, said with the usage (exit code 2)
const givenArgs = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"))
if (givenArgs.length > 0) {
  console.error(`unexpected argument ${JSON.stringify(givenArgs[0])}: this example takes no flags\nusage: pnpm --filter @arbor/example-restart-storm start`)
  process.exit(2)
}

const print = (line: string) => console.log(line)

const program = Effect.gen(function*() {
  print("restart-storm: root (3 restarts / 5 s) supervises payments (transient) and search (permanent),")
  print("each a supervisor (2 restarts / 1 s) of one worker polling its dependency every 20 ms")
  print("")
  yield* run({ pollEvery: "20 millis", searchOutage: "150 millis", settle: "300 millis", print })
}).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))

await Effect.runPromise(program)
