/**
 * A processor persists the events routed to it, at a fixed cost per event. There is one per
 * severity, each with its own bounded mailbox:
 *
 * - errors must not be lost, so their mailbox **suspends** senders when full: the router waits,
 *   its own mailbox fills, and producers slow down (backpressure all the way back);
 * - warnings are cheap to lose, so their mailbox **drops the newest** message when full: the
 *   router never waits for them, and every dropped warning is published as a dead letter.
 *
 * Processors are built with `Faults.define` so the demo can crash one on demand.
 */
import { Actor } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Faults } from "@arbor/testkit"
import { Duration, Effect } from "effect"
import type { LogEvent } from "./LogEvent.ts"
import { LogStore } from "./LogStore.ts"

export type ProcessorMsg = { readonly _tag: "Process"; readonly event: LogEvent }

/**
 * Names that survive restarts: the router looks processors up by these. A processor also
 * accepts `Faults.crash` (it is built with `Faults.define`), hence `Faults.CrashRequest`.
 */
export const ErrorProcessor = Registry.key<ProcessorMsg | Faults.CrashRequest>()("processor/errors")
export const WarningProcessor = Registry.key<ProcessorMsg | Faults.CrashRequest>()("processor/warnings")

export interface ProcessorOptions {
  /** How long persisting one event takes (read from the `Clock`). */
  readonly costPerEvent: Duration.Input
  readonly mailbox: Actor.MailboxOptions
}

export const processor = (faults: Faults.FaultInjector, options: ProcessorOptions) => {
  const cost = Duration.fromInputUnsafe(options.costPerEvent)
  return Faults.define<ProcessorMsg>()(faults, {}, {
    init: () => Effect.succeed({ processed: 0 }),
    receive: {
      Process: (state, { event }) =>
        Effect.gen(function*() {
          yield* Effect.sleep(cost)
          const store = yield* LogStore
          yield* store.write(event)
          return { processed: state.processed + 1 }
        })
    },
    mailbox: options.mailbox
  })
}
