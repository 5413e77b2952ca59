/**
 * The demo's actor: a counter that records every request id it handles before it answers. The
 * journal — one line per handled request, appended with a synchronous write before the reply,
 * so it outlives a SIGKILL of its process — is what the summary counts duplicates and losses
 * from. The reply names the runner that answered: that is how the client sees who owns whom.
 */
import { Actor } from "@arbor/core"
import { Protocol } from "@arbor/worker"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { appendFileSync } from "node:fs"

export const DemoProtocol = Protocol.make("DemoCounter", {
  /** Handle request `id` (unique per request; a retry sends the same id again). */
  Handle: {
    payload: { id: Schema.String },
    reply: Schema.Struct({ runner: Schema.String, handled: Schema.Int })
  }
})

export type DemoMsg = Protocol.Type<typeof DemoProtocol>

/** Where the actor runs: the runner's name and its journal file. */
export interface Place {
  readonly runner: string
  readonly journal: string
}

/** The behaviour, for the runner named `place.runner`. */
export const demoActor = (place: Place) =>
  Actor.make<DemoMsg>()({
    init: () => Effect.succeed({ handled: 0 }),
    receive: {
      Handle: (state, msg) =>
        Effect.sync(() => {
          // recorded before the reply: a request that is answered was recorded, one recorded
          // twice was handled twice
          appendFileSync(place.journal, `${msg.id} ${place.runner}\n`)
          const next = { handled: state.handled + 1 }
          return Actor.reply({ runner: place.runner, handled: next.handled }, next)
        })
    }
  })

/** The journal lines of one or more files, read back: how often each request id was recorded. */
export const countRecords = (texts: ReadonlyArray<string>): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const text of texts) {
    for (const line of text.split("\n")) {
      const id = line.split(" ")[0]
      if (id === undefined || id === "") continue
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
  }
  return counts
}
