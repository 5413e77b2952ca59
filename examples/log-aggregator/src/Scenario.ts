/**
 * The demo: producers emit a seeded mix of warnings and errors faster than the processors can
 * persist them, a sampler prints queue depths, and halfway through a crash is injected into the
 * error processor. The run ends when every produced event is accounted for — stored, or a dead
 * letter — and returns a report.
 */
import { ActorRef, ActorSystem, type DeadLetter, ExitReason } from "@arbor/core"
import { Registry } from "@arbor/registry"
import type { SupervisionEvent, SupervisorErrors } from "@arbor/supervisor"
import { Faults } from "@arbor/testkit"
import { Clock, Duration, Effect, Fiber, Option, PubSub, Schedule, type Scope } from "effect"
import { type AggregatorOptions, start } from "./Aggregator.ts"
import { eventId, isLogEvent, type LogEvent } from "./LogEvent.ts"
import { LogStore, type StoredCounts } from "./LogStore.ts"
import { ErrorProcessor, WarningProcessor } from "./Processor.ts"
import { RouterName } from "./Router.ts"

export interface ScenarioOptions extends Omit<AggregatorOptions, "onEvent"> {
  readonly seed: number
  readonly producers: ReadonlyArray<string>
  readonly eventsPerProducer: number
  /** Pause between two events of one producer. */
  readonly produceEvery: Duration.Input
  /** Fraction of events that are errors. */
  readonly errorRatio: number
  /** When to crash the error processor (from the start of the run); absent: no crash. */
  readonly crashAt?: Duration.Input
  readonly sampleEvery: Duration.Input
  /** Give up waiting for the accounting to balance after this long. */
  readonly deadline: Duration.Input
  readonly print: (line: string) => void
}

export interface ProducerReport {
  readonly name: string
  readonly sent: number
  /** Total time spent waiting for room in the router's mailbox. */
  readonly waitedMillis: number
  readonly longestWaitMillis: number
}

export interface Report {
  readonly produced: { readonly errors: number; readonly warnings: number }
  readonly producers: ReadonlyArray<ProducerReport>
  readonly stored: StoredCounts
  /** Dead letters that carried a log event, by `reason/severity`, e.g. `DroppedNewest/Warning`. */
  readonly deadLetters: Readonly<Record<string, number>>
  /** Events neither stored nor dead-lettered (0 unless the deadline cut the run short). */
  readonly unaccounted: number
  readonly maxDepth: { readonly router: number; readonly errors: number; readonly warnings: number }
  readonly restarts: ReadonlyArray<string>
  readonly elapsedMillis: number
}

const pad = (n: number, width: number) => String(n).padStart(width)

const describeEvent = (event: SupervisionEvent.SupervisionEvent): string | undefined => {
  switch (event._tag) {
    case "ChildStarted":
      return `${event.restart ? "restarted" : "started"} ${event.child} (#${event.ref.id})`
    case "ChildExited":
      return `${event.child} (#${event.ref.id}) exited: ${ExitReason.format(event.reason)}`
    case "RestartIntensityExceeded":
      return `restart intensity exceeded (${event.intensity} in ${event.periodMillis} ms): giving up`
    default:
      return undefined
  }
}

/** The event a dead letter carried: sent to the router as is, to a processor inside `Process`. */
const eventOf = (letter: DeadLetter.DeadLetter): LogEvent | undefined => {
  const m = letter.message
  if (isLogEvent(m)) return m
  if (typeof m === "object" && m !== null && "event" in m && isLogEvent(m.event)) return m.event
  return undefined
}

const depthOf = <Msg>(key: Registry.Key<Msg>) =>
  Effect.flatMap(
    Registry.lookup(key),
    Option.match({ onNone: () => Effect.succeed(0), onSome: (ref) => ActorRef.mailboxSize(ref) })
  )

export const run = (
  options: ScenarioOptions
): Effect.Effect<
  Report,
  SupervisorErrors.InvalidChildSpec | SupervisorErrors.ChildStartFailed | Registry.AwaitTimeout,
  Scope.Scope | ActorSystem.ActorSystem | Registry.Registry | LogStore
> =>
  Effect.gen(function*() {
    const { print } = options
    const clock = yield* Clock.Clock
    const t0 = clock.currentTimeMillisUnsafe()
    const at = () => `[${pad(clock.currentTimeMillisUnsafe() - t0, 5)} ms]`
    const restarts: Array<string> = []

    const letters = yield* ActorSystem.deadLetters
    const faults = Faults.makeInjector(options.seed)
    yield* start(faults, {
      ...options,
      onEvent: (event) => {
        if (event._tag === "ChildStarted" && event.restart) restarts.push(event.child)
        const line = describeEvent(event)
        if (line !== undefined) print(`${at()} supervisor: ${line}`)
      }
    })
    const store = yield* LogStore

    // --- producers -----------------------------------------------------------------------
    const every = Duration.fromInputUnsafe(options.produceEvery)
    const produced = { errors: 0, warnings: 0 }
    const produce = (name: string, index: number) =>
      Effect.gen(function*() {
        const random = Faults.makeInjector(options.seed * 1000 + index)
        let waitedMillis = 0
        let longestWaitMillis = 0
        let sent = 0
        for (let seq = 0; seq < options.eventsPerProducer; seq++) {
          const event: LogEvent = random.random() < options.errorRatio
            ? { _tag: "Error", source: name, seq, code: 500 + random.int(4), text: "upstream failed" }
            : { _tag: "Warning", source: name, seq, text: "slow response" }
          const router = yield* Registry.await(RouterName, "1 second")
          const before = clock.currentTimeMillisUnsafe()
          yield* ActorRef.tell(router, event) // waits while the router's mailbox is full
          const waited = clock.currentTimeMillisUnsafe() - before
          waitedMillis += waited
          longestWaitMillis = Math.max(longestWaitMillis, waited)
          sent++
          if (event._tag === "Error") produced.errors++
          else produced.warnings++
          yield* Effect.sleep(every)
        }
        return { name, sent, waitedMillis, longestWaitMillis } satisfies ProducerReport
      })
    const producers = yield* Effect.forkChild(
      Effect.forEach(options.producers, produce, { concurrency: "unbounded" })
    )

    // --- chaos ---------------------------------------------------------------------------
    if (options.crashAt !== undefined) {
      yield* Effect.forkChild(Effect.gen(function*() {
        yield* Effect.sleep(options.crashAt!)
        const target = yield* Registry.lookup(ErrorProcessor)
        if (Option.isNone(target)) return
        print(`${at()} chaos: crashing processor/errors (#${target.value.id}) with an injected defect`)
        // the crash is a message: while the processor's bounded mailbox is full, Faults.crash
        // reports MailboxFull (it never waits for room nor goes past the capacity), so retry
        yield* Faults.crash(faults, target.value, "defect").pipe(
          Effect.retry({ while: (e) => e._tag === "MailboxFull", schedule: Schedule.spaced("1 millis") }),
          Effect.orDie
        )
      }))
    }

    // --- sampler: queue depths and accounting, until every event is accounted for ----------
    const dead = new Map<string, number>()
    const deadIds = new Set<string>()
    const maxDepth = { router: 0, errors: 0, warnings: 0 }
    const deadline = clock.currentTimeMillisUnsafe() + Duration.toMillis(Duration.fromInputUnsafe(options.deadline))
    let unaccounted = 0
    while (true) {
      yield* Effect.sleep(options.sampleEvery)
      for (const letter of yield* PubSub.takeUpTo(letters, Number.MAX_SAFE_INTEGER)) {
        const event = eventOf(letter)
        if (event === undefined) continue
        deadIds.add(eventId(event))
        const key = `${letter.reason}/${event._tag}`
        dead.set(key, (dead.get(key) ?? 0) + 1)
      }
      const router = yield* depthOf(RouterName)
      const errors = yield* depthOf(ErrorProcessor)
      const warnings = yield* depthOf(WarningProcessor)
      maxDepth.router = Math.max(maxDepth.router, router)
      maxDepth.errors = Math.max(maxDepth.errors, errors)
      maxDepth.warnings = Math.max(maxDepth.warnings, warnings)
      const stored = yield* store.counts
      const queue = (n: number, capacity: number) =>
        `${pad(Math.min(n, capacity), 2)}/${capacity}${n > capacity ? ` (+${n - capacity} waiting)` : ""}`
      print(
        `${at()} depth router ${queue(router, options.routerCapacity)}  errors ${queue(errors, options.errorCapacity)}` +
          `  warnings ${queue(warnings, options.warningCapacity)} | stored ${stored.errors} errors, ` +
          `${stored.warnings} warnings | dead letters ${deadIds.size}`
      )
      const total = produced.errors + produced.warnings
      unaccounted = total - stored.errors - stored.warnings - deadIds.size
      const done = producers.pollUnsafe() !== undefined
      if (done && unaccounted === 0) break
      if (clock.currentTimeMillisUnsafe() >= deadline) {
        print(`${at()} deadline reached with ${unaccounted} events unaccounted for`)
        break
      }
    }
    const producerReports = yield* Fiber.join(producers)
    return {
      produced: { ...produced },
      producers: producerReports,
      stored: yield* store.counts,
      deadLetters: Object.fromEntries([...dead].sort()),
      unaccounted,
      maxDepth,
      restarts,
      elapsedMillis: clock.currentTimeMillisUnsafe() - t0
    } satisfies Report
  })
