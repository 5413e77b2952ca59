/**
 * The actor the worker benchmarks run, defined once: in-process with `Actor.spawn(Bench)`, in a
 * thread with `WorkerActor.spawn(BenchWorker)`. `Hang` spins forever (for the restart figure).
 */
import { Actor } from "@arbor/core"
import { Protocol, WorkerActor } from "@arbor/worker"
import { Effect, Schema } from "effect"

export const BenchProtocol = Protocol.make("Bench", {
  Bump: {},
  Count: { reply: Schema.Int },
  Hang: {}
})

export const Bench = Actor.make<Protocol.Type<typeof BenchProtocol>>()({
  init: () => Effect.succeed(0),
  receive: {
    Bump: (n) => n + 1,
    Count: (n) => Actor.reply(n, n),
    Hang: (n) => {
      for (;;) { /* preempted only by the watchdog */ }
      return n
    }
  }
})

export const BenchWorker = WorkerActor.make(BenchProtocol, Bench, { module: import.meta.url, export: "BenchWorker" })
