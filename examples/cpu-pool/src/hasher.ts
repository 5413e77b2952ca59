/**
 * The pool member, defined once: `Hasher` could run in-process with Actor.spawn; the pool runs
 * `HasherWorker` in worker threads. `Spin` and `Hog` are the injected faults.
 */
import { Actor } from "@arbor/core"
import { Protocol, WorkerActor } from "@arbor/worker"
import { Effect, Schema } from "effect"
import { createHash } from "node:crypto"

export const HasherProtocol = Protocol.make("Hasher", {
  /** sha256 applied `rounds` times to `data`: CPU-bound, synchronous */
  Hash: { payload: { data: Schema.String, rounds: Schema.Int }, reply: Schema.String },
  /** fault: an infinite loop (only the watchdog and terminate() end it) */
  Spin: {},
  /** fault: allocates until V8 runs out of heap (resourceLimits) */
  Hog: {}
})

export type HasherMsg = Protocol.Type<typeof HasherProtocol>

export const Hasher = Actor.make<HasherMsg>()({
  init: () => Effect.succeed({ jobs: 0 }),
  receive: {
    Hash: (s, m) => {
      let digest = m.data
      for (let i = 0; i < m.rounds; i++) digest = createHash("sha256").update(digest).digest("hex")
      return Actor.reply(digest, { jobs: s.jobs + 1 })
    },
    Spin: (s) => {
      for (;;) { /* stuck */ }
      return s
    },
    Hog: (s) => {
      const hog: Array<Array<number>> = []
      for (;;) hog.push(new Array(1_000_000).fill(hog.length))
      return s
    }
  }
})

export const HasherWorker = WorkerActor.make(HasherProtocol, Hasher, { module: import.meta.url, export: "HasherWorker" })
