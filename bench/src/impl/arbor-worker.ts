/**
 * `arbor:worker`: Arbor's workloads with the actor in a worker thread (`@arbor/worker`), beside
 * the in-process `arbor` rows of the same run (issue #15: "costs measured in `pnpm bench`").
 * The behaviour is defined once, as in `arbor.ts`, and runs in the thread through
 * `WorkerActor.spawn` / `WorkerActor.child`; the driver code is the headline form's.
 *
 * - W1: `yield* ActorRef.tell` across the boundary, then one `ask` (messages per second).
 * - W2: sequential `ask`s, each a round trip parent → thread → parent (default 5 s timeout).
 * - W4: spawning worker actors one after another, each ready (its thread loaded the module and
 *   ran `init`); the parent's heap per proxy and the process's RSS per worker actor (each thread
 *   is a V8 isolate of its own, outside the parent's heap).
 * - W5: crash → restart → next message under a one-for-one supervisor: the thread's actor
 *   fails, the proxy ends with that reason, the supervisor starts a fresh thread.
 * - H: a hang (`for(;;){}`) → the heartbeat watchdog (100 ms / 500 ms) terminates the thread →
 *   the supervisor's new child answers: detection plus respawn.
 *
 * Sizes are reduced (suites.ts `reducedSize`): a thread costs milliseconds to start and MiB of
 * memory, so W4 spawns 10, W5 restarts 10 times. Except in H, the watchdog is generous (1 s / 30 s):
 * a ping queues behind the messages posted before it, and W1's burst is not a hang.
 */
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { Supervisor } from "@arbor/supervisor"
import { Protocol, WorkerActor } from "@arbor/worker"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { flatness, heapAfterGc, now, pass } from "../types.ts"
import type { Sample, Suite } from "../types.ts"

export const CounterProtocol = Protocol.make("BenchCounter", {
  Inc: {},
  Get: { reply: Schema.Int },
  Next: { reply: Schema.Int },
  Crash: {},
  Hang: {}
})

type CounterMsg = Protocol.Type<typeof CounterProtocol>

/** `arbor.ts`'s counter, plus `Hang`. */
export const Counter = Actor.make<CounterMsg>()({
  init: () => Effect.succeed(0),
  receive: {
    Inc: (n) => n + 1,
    Get: (n) => Actor.reply(n, n),
    Next: (n) => Actor.reply(n + 1, n + 1),
    Crash: () => Effect.fail(new Error("boom")),
    Hang: (n) => {
      for (;;) { /* preempted only by the watchdog */ }
      return n
    }
  }
})

export const CounterWorker = WorkerActor.make(CounterProtocol, Counter, { module: import.meta.url, export: "CounterWorker" })

/** The watchdog for every workload but H: a burst of messages delays a pong; it is not a hang. */
const generous = { heartbeat: { interval: "1 second", timeout: "30 seconds" } } as const
/** H's watchdog: the prototype's setting in issue #15 (a hang is detected within 600 ms). */
export const hangHeartbeat = { heartbeat: { interval: "100 millis", timeout: "500 millis" } } as const

const INC: CounterMsg = { _tag: "Inc" }
const CRASH: CounterMsg = { _tag: "Crash" }
const HANG: CounterMsg = { _tag: "Hang" }
const GET = { _tag: "Get" } as const
const NEXT = { _tag: "Next" } as const
const NO_TIMEOUT = { timeout: "infinity" } as const

/** As `arbor.ts`'s `runArbor`: the measured pass's process exits without tearing down. */
const runArbor = <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>): Promise<A> => {
  if (!pass.final) return Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(ActorSystem.layer)))
  const scope = Scope.makeUnsafe()
  return Effect.runPromise(program.pipe(Scope.provide(scope), Effect.provide(ActorSystem.layer)))
}

const W1 = (size: number): Promise<Sample> =>
  runArbor(Effect.gen(function*() {
    const c = yield* WorkerActor.spawn(CounterWorker, generous)
    const t0 = now()
    for (let i = 0; i < size; i++) yield* ActorRef.tell(c, INC)
    const count = yield* ActorRef.ask(c, GET, NO_TIMEOUT)
    return { count, expected: size, ms: now() - t0 }
  }))

const W2 = (size: number): Promise<Sample> =>
  runArbor(Effect.gen(function*() {
    const c = yield* WorkerActor.spawn(CounterWorker, generous)
    const t0 = now()
    let last = 0
    for (let i = 0; i < size; i++) last = yield* ActorRef.ask(c, NEXT)
    return { count: last, expected: size, ms: now() - t0 }
  }))

const rssAfterGc = (): number => {
  heapAfterGc()
  return process.memoryUsage().rss
}

/** Spawns `size` worker actors one after another; time, parent heap and RSS per actor. */
const W4 = (size: number): Promise<Sample> =>
  runArbor(Effect.gen(function*() {
    const refs: Array<ActorRef.ActorRef<CounterMsg>> = []
    const h0 = heapAfterGc()
    const r0 = rssAfterGc()
    const t0 = now()
    for (let i = 0; i < size; i++) refs.push(yield* WorkerActor.spawn(CounterWorker, generous))
    const ms = now() - t0
    const heapPerActor = (heapAfterGc() - h0) / size
    const rssPerActor = (rssAfterGc() - r0) / size
    let count = 0
    for (const r of refs) if (ActorRef.isAliveUnsafe(r)) count++
    return { count, expected: size, ms, heapPerActor, rssPerActor }
  }))

/**
 * A supervised worker child (one-for-one, permanent, intensity 1e6 per second): each cycle sends
 * `fault`, waits for the restarted incarnation (the supervisor's `onEvent`) and asks it `Next`
 * (1 proves a fresh thread with fresh state). An ask that fails (the new thread ended too) ends
 * the run short, so the cell shows it as broken.
 */
const restarts = (fault: CounterMsg, options: WorkerActor.ChildOptions) => (size: number): Promise<Sample> =>
  runArbor(Effect.gen(function*() {
    let waiting: Deferred.Deferred<ActorRef.ActorRef<CounterMsg>> | undefined
    const sup = yield* Supervisor.start({
      strategy: "one-for-one",
      intensity: 1_000_000,
      period: "1 second",
      children: [WorkerActor.child("w", CounterWorker, options)],
      onEvent: (event) => {
        if (event._tag === "ChildStarted" && event.restart && waiting !== undefined) {
          Deferred.doneUnsafe(waiting, Exit.succeed(event.ref as ActorRef.ActorRef<CounterMsg>))
        }
      }
    })
    const [first] = yield* Supervisor.whichChildren(sup)
    let child = first!.ref as ActorRef.ActorRef<CounterMsg>
    const cycle = new Float64Array(size)
    let count = 0
    const t0 = now()
    for (let i = 0; i < size; i++) {
      const c0 = now()
      const next = Deferred.makeUnsafe<ActorRef.ActorRef<CounterMsg>>()
      waiting = next
      yield* ActorRef.tell(child, fault)
      child = yield* Deferred.await(next)
      const answer = yield* Effect.exit(ActorRef.ask(child, NEXT, { timeout: "30 seconds" }))
      cycle[i] = (now() - c0) * 1000
      if (Exit.isFailure(answer) || answer.value !== 1) break
      count++
    }
    return { count, expected: size, ms: now() - t0, ...flatness(cycle) }
  }))

export const suites: Record<string, Suite> = {
  "arbor:worker": { W1, W2, W4, W5: restarts(CRASH, generous), H: restarts(HANG, hangHeartbeat) }
}
