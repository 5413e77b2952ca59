/**
 * Arbor, through its public API only (`Actor.make`, `Actor.spawn`, `ActorRef.*`).
 *
 * Forms measured:
 * - `arbor`: the headline. Driver code is an Effect (`yield* ActorRef.tell` / `yield*
 *   ActorRef.ask` with the default 5 s ask timeout); handlers return the next state directly,
 *   and W6 replies with `ActorRef.tellUnsafe` from a handler that returns its state.
 * - `arbor:unsafe`: W1/W3 sent with `ActorRef.tellUnsafe` from a plain loop.
 * - `arbor:no-timeout`: W2 with `{ timeout: "infinity" }` (shows what the ask timer costs).
 * - `arbor:effect-reply`: W6 handlers reply by returning `ActorRef.tell(peer, …)` as an effect.
 * - `arbor:effect-gen`: W6 handlers are `Effect.gen` programs that `yield* ActorRef.tell(peer, …)`
 *   (the form the docs show; issue #13).
 * - `arbor:traced`: W1 and W6 as the headline, with a tracer installed (Effect's native tracer:
 *   every handled message opens and ends a span, exported nowhere) and the driver running in a
 *   span of its own, so each message carries its sender's span; `arbor:effect-gen:traced` is
 *   `arbor:effect-gen` so. What an exporter does with the spans comes on top (issue #14).
 * - `arbor:registry`: W2 with the target looked up with `Registry.lookup` before every ask.
 * - `arbor:which-children`: W5 finding the new incarnation by polling `Supervisor.whichChildren`
 *   instead of being told by the supervisor's `onEvent` (the headline).
 *
 * W5c (W5 cold) runs W5's code in a fresh process without a warm-up pass (suites.ts `runsAs`).
 */
import { Actor, ActorRef, ActorSystem, Reports } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Child, Supervisor } from "@arbor/supervisor"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import { fanOutShape, flatness, heapAfterGc, now, pass } from "../types.ts"
import type { Sample, Suite } from "../types.ts"

/**
 * Runs a program in a fresh actor system (and registry), closing its scope afterwards — except
 * on the measured pass, whose process exits right after reporting (see `pass`).
 */
const runIn = <A, E, R>(program: Effect.Effect<A, E, Scope.Scope | R>, layer: Layer.Layer<R>): Promise<A> => {
  if (!pass.final) return Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(layer)))
  const scope = Scope.makeUnsafe()
  return Effect.runPromise(program.pipe(Scope.provide(scope), Effect.provide(layer)))
}

export const runArbor = <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>): Promise<A> =>
  runIn(program, ActorSystem.layer)

/** A world with a tracer installed: Effect's native tracer, whose spans are made, ended and dropped. */
const TracedSystem = Layer.merge(ActorSystem.layer, Layer.succeed(Tracer.Tracer, Tracer.nativeTracer))

/** Runs `program` in a span of its own, in a fresh actor system with a tracer installed. */
const runTraced = <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>): Promise<A> =>
  runIn(Effect.withSpan(program, "bench"), TracedSystem)

const runWithRegistry = <A, E>(
  program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem | Registry.Registry>
): Promise<A> => runIn(program, Layer.mergeAll(ActorSystem.layer, Registry.layer))

// -----------------------------------------------------------------------------------------
// protocols
// -----------------------------------------------------------------------------------------

export type CounterMsg =
  | { readonly _tag: "Inc" }
  | Actor.Request<{ readonly _tag: "Get" }, number>
  | Actor.Request<{ readonly _tag: "Next" }, number>
  | { readonly _tag: "Crash" }

const INC: CounterMsg = { _tag: "Inc" }
const CRASH: CounterMsg = { _tag: "Crash" }
const GET = { _tag: "Get" } as const
const NEXT = { _tag: "Next" } as const
const NO_TIMEOUT = { timeout: "infinity" } as const

export const Counter = Actor.make<CounterMsg>()({
  init: () => Effect.succeed(0),
  receive: {
    Inc: (n) => n + 1,
    Get: (n) => Actor.reply(n, n),
    Next: (n) => Actor.reply(n + 1, n + 1),
    Crash: () => Effect.fail(new Error("boom"))
  }
})

const Idle = Actor.make<{ readonly _tag: "Noop" }>()({
  init: () => Effect.succeed(0),
  receive: { Noop: (n) => n }
})

type BallMsg =
  | { readonly _tag: "Peer"; readonly peer: ActorRef.ActorRef<BallMsg> }
  | { readonly _tag: "Ball"; readonly n: number }

interface Tally {
  handled: number
  done: () => void
}

/**
 * How a W6 player replies: `unsafe` calls `ActorRef.tellUnsafe` and returns its state (the
 * headline); `effect-reply` returns `Effect.as(ActorRef.tell(…), state)`; `effect-gen` is the
 * form the docs show, an `Effect.gen` handler that `yield*`s `ActorRef.tell`.
 */
type Reply = "unsafe" | "effect-reply" | "effect-gen"

const player = (tally: Tally, reply: Reply) =>
  Actor.make<BallMsg>()({
    init: () => Effect.succeed<ActorRef.ActorRef<BallMsg> | undefined>(undefined),
    receive: {
      Peer: (_, msg) => msg.peer,
      Ball: reply === "effect-gen"
        ? (peer, msg) =>
          Effect.gen(function*() {
            tally.handled++
            if (msg.n === 0) {
              tally.done()
              return peer
            }
            yield* ActorRef.tell(peer!, { _tag: "Ball", n: msg.n - 1 })
            return peer
          })
        : (peer, msg) => {
          tally.handled++
          if (msg.n === 0) {
            tally.done()
            return peer
          }
          const next: BallMsg = { _tag: "Ball", n: msg.n - 1 }
          if (reply === "effect-reply") return Effect.as(ActorRef.tell(peer!, next), peer)
          ActorRef.tellUnsafe(peer!, next)
          return peer
        }
    }
  })

// -----------------------------------------------------------------------------------------
// workloads
// -----------------------------------------------------------------------------------------

const W1 = (unsafe: boolean, run = runArbor) => (size: number): Promise<Sample> =>
  run(Effect.gen(function*() {
    const c = yield* Actor.spawn(Counter)
    const t0 = now()
    if (unsafe) {
      for (let i = 0; i < size; i++) ActorRef.tellUnsafe(c, INC)
    } else {
      for (let i = 0; i < size; i++) yield* ActorRef.tell(c, INC)
    }
    const count = yield* ActorRef.ask(c, GET, NO_TIMEOUT)
    return { count, expected: size, ms: now() - t0 }
  }))

const W2 = (timeout: boolean) => (size: number): Promise<Sample> =>
  runArbor(Effect.gen(function*() {
    const c = yield* Actor.spawn(Counter)
    const t0 = now()
    let last = 0
    if (timeout) {
      for (let i = 0; i < size; i++) last = yield* ActorRef.ask(c, NEXT)
    } else {
      for (let i = 0; i < size; i++) last = yield* ActorRef.ask(c, NEXT, NO_TIMEOUT)
    }
    return { count: last, expected: size, ms: now() - t0 }
  }))

const W3 = (unsafe: boolean) => (size: number): Promise<Sample> =>
  runArbor(Effect.gen(function*() {
    const { actors, per } = fanOutShape(size)
    const refs: Array<ActorRef.ActorRef<CounterMsg>> = []
    for (let k = 0; k < actors; k++) refs.push(yield* Actor.spawn(Counter))
    const t0 = now()
    if (unsafe) {
      for (let m = 0; m < per; m++) for (let k = 0; k < actors; k++) ActorRef.tellUnsafe(refs[k]!, INC)
    } else {
      for (let m = 0; m < per; m++) for (let k = 0; k < actors; k++) yield* ActorRef.tell(refs[k]!, INC)
    }
    let count = 0
    for (let k = 0; k < actors; k++) count += yield* ActorRef.ask(refs[k]!, GET, NO_TIMEOUT)
    return { count, expected: actors * per, ms: now() - t0 }
  }))

const CounterName = Registry.key<CounterMsg>()("counter")

/** W2 with the target looked up through the registry on every ask. */
const W2registry = (size: number): Promise<Sample> =>
  runWithRegistry(Effect.gen(function*() {
    yield* Registry.spawn(CounterName, Counter)
    const t0 = now()
    let last = 0
    for (let i = 0; i < size; i++) {
      const ref = yield* Registry.lookup(CounterName)
      if (Option.isNone(ref)) return yield* Effect.die(new Error("counter is not registered"))
      last = yield* ActorRef.ask(ref.value, NEXT)
    }
    return { count: last, expected: size, ms: now() - t0 }
  }))

/** Spawns `size` idle actors; time and heap per actor (also the 1e6-actor memory run). */
const W4 = (size: number): Promise<Sample> =>
  runArbor(Effect.gen(function*() {
    const refs = new Array<ActorRef.ActorRef<{ readonly _tag: "Noop" }> | null>(size).fill(null)
    const h0 = heapAfterGc()
    const t0 = now()
    for (let i = 0; i < size; i++) refs[i] = yield* Actor.spawn(Idle)
    const ms = now() - t0
    const heapPerActor = (heapAfterGc() - h0) / size
    let count = 0
    for (let i = 0; i < size; i++) if (refs[i] !== null && ActorRef.isAliveUnsafe(refs[i]!)) count++
    return { count, expected: size, ms, heapPerActor }
  }))

const W6 = (reply: Reply, run = runArbor) => (size: number): Promise<Sample> =>
  run(Effect.gen(function*() {
    const tally: Tally = { handled: 0, done: () => {} }
    const Player = player(tally, reply)
    const a = yield* Actor.spawn(Player)
    const b = yield* Actor.spawn(Player)
    yield* ActorRef.tell(a, { _tag: "Peer", peer: b })
    yield* ActorRef.tell(b, { _tag: "Peer", peer: a })
    yield* Effect.yieldNow
    const t0 = now()
    yield* Effect.callback<void>((resume) => {
      tally.done = () => resume(Effect.void)
      ActorRef.tellUnsafe(a, { _tag: "Ball", n: size })
    })
    return { count: tally.handled - 1, expected: size, ms: now() - t0 }
  }))

/** Polls the supervisor until its child is a live incarnation other than `old`. */
const nextIncarnation = (sup: Supervisor.SupervisorRef, old: ActorRef.ActorRef<CounterMsg>) =>
  Effect.gen(function*() {
    while (true) {
      const children = yield* Supervisor.whichChildren(sup)
      const ref = children[0]?.ref as ActorRef.ActorRef<CounterMsg> | undefined
      if (ref !== undefined && ref !== old && ActorRef.isAliveUnsafe(ref)) return ref
      yield* Effect.yieldNow
    }
  })

/** The name W5's `registry` form gives its child (`Child.worker`'s `name`). */
const W5Child = Registry.key<CounterMsg>()("w5-child")

/**
 * How a W5 driver learns the new incarnation: `event` from the supervisor's `onEvent`
 * (`ChildStarted` with `restart: true`); `poll` by asking `Supervisor.whichChildren` until it
 * sees it; `registry` by waiting for the old one's end (`ActorRef.monitor`) and then
 * `Registry.await(name, "5 seconds")` on the name the child spec registers every incarnation
 * under.
 */
type Find = "event" | "poll" | "registry"

/**
 * W5: an Arbor supervisor (one-for-one, one permanent child, intensity 1e6 per second). A cycle
 * tells the child to crash, waits for the restarted incarnation, and asks it for its next
 * count (1 proves the state was reset). `reports: false` runs it with `Reports.layer(false)`,
 * as a user silences Arbor's crash and supervisor reports (the baselines print nothing either;
 * the Erlang/OTP one sets its logger level to `none`); otherwise every cycle logs Arbor's
 * default reports (a crash report, a child-terminated report, a restart report) through
 * Effect's default logger to the worker's stdout.
 */
const W5 = (find: Find, reports: boolean) => (size: number): Promise<Sample> => {
  const program = Effect.gen(function*() {
    let waiting: Deferred.Deferred<ActorRef.ActorRef<CounterMsg>> | undefined
    const sup = yield* Supervisor.start({
      strategy: "one-for-one",
      intensity: 1_000_000,
      period: "1 second",
      children: [
        find === "registry"
          ? Child.worker({ id: "w", start: Actor.spawn(Counter), name: W5Child })
          : Child.worker({ id: "w", start: Actor.spawn(Counter) })
      ],
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
      if (find === "poll") {
        yield* ActorRef.tell(child, CRASH)
        child = yield* nextIncarnation(sup, child)
      } else if (find === "registry") {
        yield* ActorRef.tell(child, CRASH)
        yield* ActorRef.monitor(child)
        child = yield* Registry.await(W5Child, "5 seconds")
      } else {
        const next = Deferred.makeUnsafe<ActorRef.ActorRef<CounterMsg>>()
        waiting = next
        yield* ActorRef.tell(child, CRASH)
        child = yield* Deferred.await(next)
      }
      if ((yield* ActorRef.ask(child, NEXT)) === 1) count++
      cycle[i] = (now() - c0) * 1000
    }
    return { count, expected: size, ms: now() - t0, ...flatness(cycle) }
  })
  const system = reports ? ActorSystem.layer : Layer.orDie(Layer.provideMerge(ActorSystem.layer, Reports.layer(false)))
  // the registry is there for the `registry` form; the others never reach it
  return runIn(program, Layer.mergeAll(system, Registry.layer))
}

export const suites: Record<string, Suite> = {
  arbor: { W1: W1(false), W2: W2(true), W3: W3(false), W4, W5: W5("event", true), W6: W6("unsafe"), M: W4 },
  "arbor:quiet": { W5: W5("event", false) },
  "arbor:registry-await": { W5: W5("registry", true) },
  "arbor:unsafe": { W1: W1(true), W3: W3(true) },
  "arbor:no-timeout": { W2: W2(false) },
  "arbor:effect-reply": { W6: W6("effect-reply") },
  "arbor:effect-gen": { W6: W6("effect-gen") },
  "arbor:traced": { W1: W1(false, runTraced), W6: W6("unsafe", runTraced) },
  "arbor:effect-gen:traced": { W6: W6("effect-gen", runTraced) },
  "arbor:registry": { W2: W2registry },
  "arbor:which-children": { W5: W5("poll", true) }
}
