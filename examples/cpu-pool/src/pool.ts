/**
 * The demo: a pool of worker actors (a DynamicSupervisor) takes hashing jobs round-robin; an
 * in-process actor answers pings the whole time. At set jobs a member is sent `Spin` (an
 * infinite loop) or `Hog` (runs out of memory); the watchdog or V8 ends that thread, the pool
 * restarts it, and the jobs continue.
 */
import { Actor, ActorRef, ActorSystem, ExitReason } from "@arbor/core"
import { DynamicSupervisor } from "@arbor/supervisor"
import type { SupervisionEvent } from "@arbor/supervisor"
import { WorkerActor } from "@arbor/worker"
import { Cause, Effect, Fiber } from "effect"
import type * as Scope from "effect/Scope"
import { HasherWorker } from "./hasher.ts"

type Ping = Actor.Request<{ readonly _tag: "Ping" }, number>
const Pinger = Actor.make<Ping>()({
  init: () => Effect.succeed(0),
  receive: { Ping: (n) => Actor.reply(n + 1, n + 1) }
})

export interface Options {
  readonly members: number
  readonly jobs: number
  readonly rounds: number
  readonly spinAt: number
  readonly hogAt: number
  readonly heartbeat: WorkerActor.Heartbeat
  readonly print: (line: string) => void
}

export interface Summary {
  readonly answered: number
  readonly failedJobs: number
  readonly restarts: number
  readonly exits: ReadonlyArray<string>
  readonly pings: number
  readonly maxPingMs: number
  readonly threadsAtEnd: number
}

const describeReason = (reason: ExitReason.ExitReason): string => {
  if (reason._tag !== "Failure") return reason._tag
  const e = Cause.squash(reason.cause)
  return e instanceof WorkerActor.WorkerExited ? `Failure(WorkerExited ${e.kind})` : `Failure(${String(e)})`
}

export const run = (o: Options): Effect.Effect<Summary, unknown, Scope.Scope | ActorSystem.ActorSystem> =>
  Effect.gen(function*() {
    const exits: Array<string> = []
    let restarts = 0
    const t0 = performance.now()
    const at = () => `${String(Math.round(performance.now() - t0)).padStart(6)} ms`
    const pool = yield* DynamicSupervisor.start({
      restart: "permanent",
      intensity: 10,
      period: "10 seconds",
      label: "pool",
      onEvent: (e: SupervisionEvent.SupervisionEvent) => {
        if (e._tag === "ChildExited") {
          exits.push(describeReason(e.reason))
          o.print(`${at()}  pool: ${e.ref.label ?? e.child} exited: ${describeReason(e.reason)}`)
        } else if (e._tag === "ChildStarted" && exits.length > restarts) {
          restarts++
          o.print(`${at()}  pool: ${e.ref.label ?? e.child} restarted (a fresh thread)`)
        }
      },
      child: (i: number) =>
        WorkerActor.spawn(HasherWorker, { label: `hasher-${i}`, heartbeat: o.heartbeat, resourceLimits: { maxOldGenerationSizeMb: 48 } })
    })
    for (let i = 0; i < o.members; i++) yield* DynamicSupervisor.startChild(pool, i)
    o.print(`${at()}  pool: ${o.members} worker actors up`)

    // an in-process actor, pinged every 20 ms for the whole run
    const pinger = yield* Actor.spawn(Pinger, { label: "pinger" })
    let maxPingMs = 0
    let pings = 0
    const pinging = yield* Effect.forkChild(Effect.forever(Effect.gen(function*() {
      const s = performance.now()
      yield* ActorRef.ask(pinger, { _tag: "Ping" }, { timeout: "1 second" })
      maxPingMs = Math.max(maxPingMs, performance.now() - s)
      pings++
      yield* Effect.sleep("20 millis")
    })))

    const members = () =>
      Effect.map(
        DynamicSupervisor.whichChildren(pool),
        (cs) => cs.flatMap((c) => (c.ref === undefined ? [] : [c.ref])) // typed by the template: ActorRef<HasherMsg>
      )
    let answered = 0
    let failedJobs = 0
    for (let job = 0; job < o.jobs; job++) {
      const live = yield* members()
      const member = live[job % live.length]!
      if (job === o.spinAt) {
        o.print(`${at()}  inject: Spin (for(;;){}) into ${member.label}`)
        ActorRef.tellUnsafe(member, { _tag: "Spin" })
        continue
      }
      if (job === o.hogAt) {
        o.print(`${at()}  inject: Hog (allocate until out of memory) into ${member.label}`)
        ActorRef.tellUnsafe(member, { _tag: "Hog" })
        continue
      }
      const result = yield* Effect.exit(
        ActorRef.ask(member, { _tag: "Hash", data: `job-${job}`, rounds: o.rounds }, { timeout: "30 seconds" })
      )
      if (result._tag === "Success") answered++
      else {
        failedJobs++
        o.print(`${at()}  job ${job} on ${member.label} failed: ${Cause.squash(result.cause) instanceof Error ? (Cause.squash(result.cause) as Error).message : "?"}`)
      }
      if (job % Math.max(1, Math.floor(o.jobs / 8)) === 0) {
        o.print(`${at()}  job ${job} done; in-process pings so far ${pings}, slowest ${maxPingMs.toFixed(1)} ms`)
      }
    }
    yield* Fiber.interrupt(pinging)
    const summary: Summary = {
      answered,
      failedJobs,
      restarts,
      exits,
      pings,
      maxPingMs,
      threadsAtEnd: 0
    }
    o.print(`${at()}  done: ${answered} jobs answered, ${failedJobs} failed, ${restarts} restarts (${exits.join(", ")})`)
    o.print(`${at()}  in-process actor: ${pings} pings answered, slowest ${maxPingMs.toFixed(1)} ms`)
    return summary
  })
