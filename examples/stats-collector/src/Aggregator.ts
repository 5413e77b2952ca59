/**
 * The aggregator collects stats from every counter on a schedule read from the `Clock`. Each
 * round asks all counters at once, each ask with a timeout, and never waits for more than
 * that: a counter that crashes while answering fails its ask with `ActorExited`, one that is
 * too slow with `AskTimeout`, one that is being restarted is simply not registered. The round
 * is reported with whatever answered.
 */
import { Actor, ActorRef, type ActorSystem, type Errors } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Clock, type Duration, Effect, Option, Schedule, type Scope } from "effect"
import { counterName, type CounterStats } from "./Counter.ts"

/** What one counter contributed to a round. */
export type CounterResult =
  | { readonly _tag: "Answered"; readonly counter: string; readonly stats: CounterStats }
  | { readonly _tag: "Failed"; readonly counter: string; readonly error: Errors.AskError }
  | { readonly _tag: "Missing"; readonly counter: string }

export interface Round {
  readonly n: number
  /** When the round started and ended (`Clock` milliseconds). */
  readonly startedAt: number
  readonly endedAt: number
  readonly results: ReadonlyArray<CounterResult>
  /** Sum of the values of the counters that answered. */
  readonly total: number
  readonly answered: number
}

export type AggregatorMsg = { readonly _tag: "Start" } | { readonly _tag: "Collect" }

export interface AggregatorOptions {
  readonly counters: ReadonlyArray<string>
  readonly every: Duration.Input
  readonly askTimeout: Duration.Input
  /** Receives every completed round. */
  readonly publish: (round: Round) => Effect.Effect<void>
}

const askOne = (counter: string, timeout: Duration.Input): Effect.Effect<CounterResult, never, Registry.Registry> =>
  Effect.gen(function*() {
    const ref = yield* Registry.lookup(counterName(counter))
    if (Option.isNone(ref)) return { _tag: "Missing", counter }
    const stats = yield* Effect.result(ActorRef.ask(ref.value, { _tag: "GetStats" }, { timeout }))
    return stats._tag === "Success"
      ? { _tag: "Answered", counter, stats: stats.success }
      : { _tag: "Failed", counter, error: stats.failure }
  })

export const aggregator = (options: AggregatorOptions) =>
  Actor.make<AggregatorMsg>()({
    init: () => Effect.succeed({ rounds: 0 }),
    receive: {
      // Start the schedule. The ticker is forked into the actor's own scope, so it stops
      // when this incarnation stops.
      Start: (state, _msg, { self }) =>
        Effect.as(
          Effect.forkScoped(
            Effect.repeat(ActorRef.tell(self, { _tag: "Collect" }), Schedule.spaced(options.every)).pipe(
              Effect.delay(options.every)
            )
          ),
          state
        ),
      Collect: (state) =>
        Effect.gen(function*() {
          const n = state.rounds + 1
          const startedAt = yield* Clock.currentTimeMillis
          const results = yield* Effect.forEach(options.counters, (c) => askOne(c, options.askTimeout), {
            concurrency: "unbounded"
          })
          const endedAt = yield* Clock.currentTimeMillis
          let total = 0
          let answered = 0
          for (const r of results) {
            if (r._tag !== "Answered") continue
            total += r.stats.value
            answered++
          }
          yield* options.publish({ n, startedAt, endedAt, results, total, answered })
          return { rounds: n }
        })
    }
  })

/**
 * Spawns the aggregator and starts its schedule: the `start` of its child spec, so every
 * incarnation starts collecting.
 */
export const startAggregator = (
  options: AggregatorOptions
): Effect.Effect<
  ActorRef.ActorRef<AggregatorMsg>,
  Errors.InvalidActorOptions | Errors.StartTimeout,
  Scope.Scope | ActorSystem.ActorSystem | Registry.Registry
> =>
  Effect.tap(Actor.spawn(aggregator(options), { label: "aggregator" }), (ref) =>
    ActorRef.tell(ref, { _tag: "Start" }))
