/**
 * Runs the typed counter: every reply below has the type its request names, checked by the
 * compiler (hover over the variables in an editor).
 */
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { Effect } from "effect"
import { Counter, type CounterMsg, type CounterReadMsg, type CounterSnapshot, describe } from "./Counter.ts"

// this example takes no flags: any argument is a mistake, said with the usage (exit code 2)
const givenArgs = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"))
if (givenArgs.length > 0) {
  console.error(`unexpected argument ${JSON.stringify(givenArgs[0])}: this example takes no flags\nusage: pnpm --filter @arbor/example-typed-counter start`)
  process.exit(2)
}

const print = (line: string) => console.log(line)

const program = Effect.gen(function*() {
  const counter = yield* Actor.spawn(Counter, { label: "counter" })
  const send = (msg: CounterMsg) => Effect.sync(() => print(`tell  ${describe(msg)}`))
  const answered = (msg: CounterMsg, reply: unknown, note = "") =>
    print(`ask   ${(describe(msg) + note).padEnd(44)} -> ${JSON.stringify(reply)} (${typeof reply})`)

  for (const by of [1, 2, 3]) {
    yield* send({ _tag: "Increment", by })
    yield* ActorRef.tell(counter, { _tag: "Increment", by })
  }

  const count: number = yield* ActorRef.ask(counter, { _tag: "Get" })
  answered({ _tag: "Get" }, count)

  const next: number = yield* ActorRef.ask(counter, { _tag: "IncrementAndGet", by: 10 })
  answered({ _tag: "IncrementAndGet", by: 10 }, next)

  const above: boolean = yield* ActorRef.ask(counter, { _tag: "IsAbove", threshold: 15 })
  answered({ _tag: "IsAbove", threshold: 15 }, above)

  // a ref can be narrowed to part of its protocol: this one can only read
  const reader: ActorRef.ActorRef<CounterReadMsg> = counter
  const snapshot: CounterSnapshot = yield* ActorRef.ask(reader, { _tag: "Snapshot" })
  answered({ _tag: "Snapshot" }, snapshot, " (read-only ref)")

  yield* send({ _tag: "Reset" })
  yield* ActorRef.tell(counter, { _tag: "Reset" })
  answered({ _tag: "Snapshot" }, yield* ActorRef.ask(counter, { _tag: "Snapshot" }))
}).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))

await Effect.runPromise(program)
