/**
 * The demo, in three phases:
 *
 * 1. payments-db goes down for good. The payments worker crashes in a loop until its supervisor
 *    exceeds its restart intensity and gives up, exiting with `Shutdown`. The root sees a
 *    transient child exit cleanly: it does not restart it.
 * 2. search-index goes down for a while. The search supervisor gives up the same way, but it is
 *    a permanent child: the root restarts it, spending its own restart budget, until the index
 *    is back.
 * 3. search-index goes down for good. The search supervisor keeps giving up, the root keeps
 *    restarting it, until the root's own intensity is exceeded and the root gives up too.
 *
 * Every supervision event of the tree is printed as it happens, with the path of the
 * supervisor it is about; a snapshot of the tree is taken after phase 2.
 */
import { ActorRef, type ActorSystem, type Errors, ExitReason } from "@arbor/core"
import { type SupervisionEvent, Supervisor, type SupervisorErrors } from "@arbor/supervisor"
import { Clock, type Duration, Effect, type Scope } from "effect"
import * as Dependency from "./Dependency.ts"
import { start } from "./Tree.ts"

export interface ScenarioOptions {
  readonly pollEvery: Duration.Input
  /** How long search-index is down in phase 2. */
  readonly searchOutage: Duration.Input
  /** How long to let each phase play out before the next. */
  readonly settle: Duration.Input
  readonly print: (line: string) => void
}

export interface Report {
  readonly events: ReadonlyArray<SupervisionEvent.SupervisionEvent>
  /** The tree after phase 2. */
  readonly snapshot: Supervisor.Snapshot
  /** How the root ended in phase 3. */
  readonly rootExit: ExitReason.ExitReason
}

const pad = (n: number, width: number) => String(n).padStart(width)

const where = (path: ReadonlyArray<string>) => ["root", ...path].join("/").padEnd(14)

export const describeEvent = (event: SupervisionEvent.SupervisionEvent): string => {
  const at = where(event.supervisor)
  switch (event._tag) {
    case "ChildStarted":
      return `${at} ${event.restart ? "restarted" : "started"} ${event.child} (#${event.ref.id}, incarnation ${event.incarnation})`
    case "ChildExited":
      return `${at} ${event.child} (#${event.ref.id}) exited: ${ExitReason.format(event.reason)}`
    case "ChildNotRestarted":
      return `${at} not restarting ${event.child}`
    case "RestartIntensityExceeded":
      return `${at} restart intensity exceeded (more than ${event.intensity} in ${event.periodMillis} ms): giving up`
    case "ChildStartFailed":
      return `${at} failed to start ${event.child}`
    case "ChildStartIgnored":
      return `${at} ${event.child} start ignored`
    case "RestartScheduled":
      return `${at} restart of ${event.child} in ${event.delayMillis} ms`
    case "AutoShutdown":
      return `${at} auto shutdown after ${event.child} exited`
  }
}

/** A snapshot as an indented tree. */
export const formatSnapshot = (snapshot: Supervisor.Snapshot, indent = ""): ReadonlyArray<string> => {
  const lines: Array<string> = []
  if (indent === "") {
    lines.push(
      `root: ${snapshot.restartsInWindow} of ${snapshot.intensity} restarts used in its ${snapshot.periodMillis} ms window ` +
        `(${snapshot.remainingBudget} left)`
    )
  }
  snapshot.children.forEach((child, i) => {
    const last = i === snapshot.children.length - 1
    const nested = child.supervisor
    const budget = nested === undefined
      ? ""
      : `, ${nested.restartsInWindow} of ${nested.intensity} restarts used (${nested.remainingBudget} left)`
    lines.push(
      `${indent}${last ? "└── " : "├── "}${child.id.padEnd(9)} ${child.restart} ${child.type}, ${child.status}, ` +
        `incarnation ${child.incarnation}${budget}`
    )
    if (nested !== undefined) lines.push(...formatSnapshot(nested, indent + (last ? "    " : "│   ")))
  })
  return lines
}

export const run = (
  options: ScenarioOptions
): Effect.Effect<
  Report,
  SupervisorErrors.InvalidChildSpec | SupervisorErrors.ChildStartFailed | Errors.AskError,
  Scope.Scope | ActorSystem.ActorSystem
> =>
  Effect.gen(function*() {
    const { print } = options
    const clock = yield* Clock.Clock
    const t0 = clock.currentTimeMillisUnsafe()
    const at = () => `[${pad(clock.currentTimeMillisUnsafe() - t0, 5)} ms]`
    const events: Array<SupervisionEvent.SupervisionEvent> = []
    const payments = Dependency.make("payments-db")
    const search = Dependency.make("search-index")

    const root = yield* start({
      payments,
      search,
      pollEvery: options.pollEvery,
      onEvent: (event) => {
        events.push(event)
        print(`${at()} ${describeEvent(event)}`)
      }
    })

    print("")
    print(`${at()} phase 1: payments-db goes down for good ('payments' is a TRANSIENT child of root)`)
    yield* payments.outage("forever")
    yield* Effect.sleep(options.settle)

    print("")
    print(`${at()} phase 2: search-index goes down for ${options.searchOutage} ('search' is a PERMANENT child of root)`)
    yield* search.outage(options.searchOutage)
    yield* Effect.sleep(options.settle)

    const snapshot = yield* Supervisor.snapshot(root)
    print("")
    print(`${at()} snapshot after phase 2:`)
    for (const line of formatSnapshot(snapshot)) print(`    ${line}`)

    print("")
    print(`${at()} phase 3: search-index goes down for good`)
    yield* search.outage("forever")
    const rootExit = yield* ActorRef.monitor(root)
    print(`${at()} root exited: ${ExitReason.format(rootExit)}`)
    return { events, snapshot, rootExit }
  })
