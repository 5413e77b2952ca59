/**
 * The demo: counters and the aggregator under one supervisor, clients adding to the counters
 * in the background, and the rounds of stats printed as the aggregator publishes them. One
 * counter crashes while answering every third stats request; another is sometimes too slow.
 */
import { ActorRef, type ActorSystem, ExitReason } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Child, type SupervisionEvent, Supervisor, type SupervisorErrors } from "@arbor/supervisor"
import { Faults } from "@arbor/testkit"
import { Clock, type Duration, Effect, Fiber, Option, Queue, type Scope } from "effect"
import { type Round, startAggregator } from "./Aggregator.ts"
import { counter, type CounterFaults, counterName } from "./Counter.ts"

export interface ScenarioOptions {
  readonly seed: number
  readonly counters: ReadonlyArray<string>
  /** Faults to inject, by counter name. */
  readonly faults: Readonly<Record<string, CounterFaults>>
  /** How many rounds to wait for before returning. */
  readonly rounds: number
  readonly collectEvery: Duration.Input
  readonly askTimeout: Duration.Input
  /** Clients add to every counter this often. */
  readonly trafficEvery: Duration.Input
  readonly print: (line: string) => void
}

export interface Report {
  readonly rounds: ReadonlyArray<Round>
  /** Children the supervisor restarted, in order. */
  readonly restarts: ReadonlyArray<string>
}

const pad = (n: number, width: number) => String(n).padStart(width)

const describeEvent = (event: SupervisionEvent.SupervisionEvent): string | undefined => {
  switch (event._tag) {
    case "ChildStarted":
      return `${event.restart ? "restarted" : "started"} ${event.child} (#${event.ref.id})`
    case "ChildExited":
      return `${event.child} (#${event.ref.id}) exited: ${ExitReason.format(event.reason)}`
    case "RestartIntensityExceeded":
      return `restart intensity exceeded: giving up`
    default:
      return undefined
  }
}

/** A round as printed lines; times are relative to `t0`. */
export const formatRound = (round: Round, t0: number): ReadonlyArray<string> => [
  `[${pad(round.endedAt - t0, 5)} ms] round ${round.n} (asked at ${round.startedAt - t0} ms): ` +
  `${round.answered}/${round.results.length} answered, total ${round.total}`,
  ...round.results.map((r) => {
    const who = `             ${r.counter.padEnd(6)}`
    switch (r._tag) {
      case "Answered":
        return `${who} ${pad(r.stats.value, 4)} after ${pad(r.stats.operations, 3)} adds, up ${r.stats.uptimeMillis} ms`
      case "Failed":
        return `${who} ${r.error._tag}: ${r.error.message}`
      case "Missing":
        return `${who} not registered (being restarted)`
    }
  })
]

export const run = (
  options: ScenarioOptions
): Effect.Effect<
  Report,
  SupervisorErrors.InvalidChildSpec | SupervisorErrors.ChildStartFailed,
  Scope.Scope | ActorSystem.ActorSystem | Registry.Registry
> =>
  Effect.gen(function*() {
    const { print } = options
    const clock = yield* Clock.Clock
    const t0 = clock.currentTimeMillisUnsafe()
    const at = () => `[${pad(clock.currentTimeMillisUnsafe() - t0, 5)} ms]`
    const restarts: Array<string> = []
    const published = yield* Queue.unbounded<Round>()

    yield* Supervisor.start({
      label: "stats",
      strategy: "one-for-one",
      intensity: 5,
      period: "5 seconds",
      children: [
        ...options.counters.map((name, i) =>
          Child.worker({
            id: name,
            start: Registry.spawn(
              counterName(name),
              counter(name, Faults.makeInjector(options.seed + i), options.faults[name])
            )
          })
        ),
        Child.worker({
          id: "aggregator",
          start: startAggregator({
            counters: options.counters,
            every: options.collectEvery,
            askTimeout: options.askTimeout,
            publish: (round) => Effect.asVoid(Queue.offer(published, round))
          })
        })
      ],
      onEvent: (event) => {
        if (event._tag === "ChildStarted" && event.restart) restarts.push(event.child)
        const line = describeEvent(event)
        if (line !== undefined) print(`${at()} supervisor: ${line}`)
      }
    })

    // clients: every `trafficEvery`, add a seeded amount to every counter
    const random = Faults.makeInjector(options.seed * 7919)
    const traffic = yield* Effect.forkChild(Effect.forever(Effect.gen(function*() {
      yield* Effect.sleep(options.trafficEvery)
      for (const name of options.counters) {
        const ref = yield* Registry.lookup(counterName(name))
        if (Option.isSome(ref)) yield* ActorRef.tell(ref.value, { _tag: "Add", amount: 1 + random.int(5) })
      }
    })))

    const rounds: Array<Round> = []
    for (let i = 0; i < options.rounds; i++) {
      const round = yield* Queue.take(published)
      for (const line of formatRound(round, t0)) print(line)
      rounds.push(round)
    }
    yield* Fiber.interrupt(traffic)
    return { rounds, restarts }
  })
