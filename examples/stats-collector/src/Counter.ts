/**
 * A counter: clients tell it to add, the aggregator asks it for its stats. Its state is its
 * own — when it crashes, the supervisor starts a fresh incarnation from zero, and its uptime
 * shows it.
 *
 * Counters are built with `Faults.define`, so the demo can make one crash while answering a
 * stats request and another answer too slowly.
 */
import { Actor } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Faults } from "@arbor/testkit"
import { Clock, Effect } from "effect"

export interface CounterStats {
  readonly counter: string
  readonly value: number
  readonly operations: number
  /** How long this incarnation has been running. */
  readonly uptimeMillis: number
}

export type CounterMsg =
  | { readonly _tag: "Add"; readonly amount: number }
  | Actor.Request<{ readonly _tag: "GetStats" }, CounterStats>

/** The name of a counter in the registry: it follows the counter across restarts. */
export const counterName = (name: string): Registry.Key<CounterMsg> => Registry.key<CounterMsg>()(`counter/${name}`)

/** Which faults to inject into one counter. */
export type CounterFaults = Pick<Faults.FaultPlan, "crashOnMessage" | "crashReason" | "delay" | "delayRate">

const isGetStats = (msg: unknown) => (msg as CounterMsg)._tag === "GetStats"

export const counter = (name: string, injector: Faults.FaultInjector, faults: CounterFaults = {}) =>
  Faults.define<CounterMsg>()(injector, { ...faults, target: name, only: isGetStats }, {
    init: () => Effect.map(Clock.currentTimeMillis, (now) => ({ value: 0, operations: 0, startedAt: now })),
    receive: {
      Add: (state, { amount }) => ({ ...state, value: state.value + amount, operations: state.operations + 1 }),
      GetStats: (state) =>
        Effect.map(Clock.currentTimeMillis, (now) =>
          Actor.reply({
            counter: name,
            value: state.value,
            operations: state.operations,
            uptimeMillis: now - state.startedAt
          }, state))
    }
  })
