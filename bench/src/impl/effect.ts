/**
 * The raw Effect 4 actor: an unbounded `Queue` and a fiber looping on `Queue.take`
 * (`Effect.forever(…, { disableYield: true })`), a handler returning the next state, `ask` as
 * a `Deferred` carried in the message. Senders use the Effect form (`yield* Queue.offer`).
 * W5's supervisor is hand-rolled: a fiber that re-forks the child whenever it ends.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"
import { fanOutShape, flatness, heapAfterGc, now, pass } from "../types.ts"
import type { Sample, Suite } from "../types.ts"

/** Runs a scoped program; the measured pass skips the teardown (see `pass`). */
const run = <A, E>(program: Effect.Effect<A, E, Scope.Scope>): Promise<A> =>
  pass.final ? Effect.runPromise(Scope.provide(program, Scope.makeUnsafe())) : Effect.runPromise(Effect.scoped(program))

/** The loop of one actor: take, handle, repeat. Fails when the handler fails. */
const loop = <S, M, E>(queue: Queue.Queue<M>, init: S, handle: (state: S, msg: M) => S | Exit.Exit<never, E>) => {
  let state = init
  return Effect.forever(
    Effect.flatMap(Queue.take(queue), (msg) => {
      const next = handle(state, msg)
      if (Exit.isExit(next)) return next
      state = next
      return Effect.void
    }),
    { disableYield: true }
  )
}

/** Spawns an actor as a fiber in the current scope; returns its queue. */
const spawn = <S, M>(init: S, handle: (state: S, msg: M) => S): Effect.Effect<Queue.Queue<M>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<M>()
    yield* Effect.forkScoped(loop(queue, init, handle))
    return queue
  })

const ask = <M, R>(queue: Queue.Queue<M>, make: (reply: Deferred.Deferred<R>) => M): Effect.Effect<R> =>
  Effect.suspend(() => {
    const reply = Deferred.makeUnsafe<R>()
    return Effect.flatMap(Queue.offer(queue, make(reply)), () => Deferred.await(reply))
  })

// -----------------------------------------------------------------------------------------
// protocols
// -----------------------------------------------------------------------------------------

type CounterMsg =
  | { readonly _tag: "Inc" }
  | { readonly _tag: "Get"; readonly reply: Deferred.Deferred<number> }
  | { readonly _tag: "Next"; readonly reply: Deferred.Deferred<number> }
  | { readonly _tag: "Crash" }

const INC: CounterMsg = { _tag: "Inc" }
const CRASH: CounterMsg = { _tag: "Crash" }

const counter = (n: number, msg: CounterMsg): number | Exit.Exit<never, Error> => {
  switch (msg._tag) {
    case "Inc":
      return n + 1
    case "Get":
      Deferred.doneUnsafe(msg.reply, Exit.succeed(n))
      return n
    case "Next":
      Deferred.doneUnsafe(msg.reply, Exit.succeed(n + 1))
      return n + 1
    case "Crash":
      return Exit.fail(new Error("boom"))
  }
}
const counterNoCrash = counter as (n: number, msg: CounterMsg) => number

const get = (q: Queue.Queue<CounterMsg>) => ask<CounterMsg, number>(q, (reply) => ({ _tag: "Get", reply }))
const next = (q: Queue.Queue<CounterMsg>) => ask<CounterMsg, number>(q, (reply) => ({ _tag: "Next", reply }))

type BallMsg =
  | { readonly _tag: "Peer"; readonly peer: Queue.Queue<BallMsg> }
  | { readonly _tag: "Ball"; readonly n: number }

// -----------------------------------------------------------------------------------------
// workloads
// -----------------------------------------------------------------------------------------

const W1 = (size: number): Promise<Sample> =>
  run(Effect.gen(function*() {
    const q = yield* spawn(0, counterNoCrash)
    const t0 = now()
    for (let i = 0; i < size; i++) yield* Queue.offer(q, INC)
    const count = yield* get(q)
    return { count, expected: size, ms: now() - t0 }
  }))

const W2 = (size: number): Promise<Sample> =>
  run(Effect.gen(function*() {
    const q = yield* spawn(0, counterNoCrash)
    const t0 = now()
    let last = 0
    for (let i = 0; i < size; i++) last = yield* next(q)
    return { count: last, expected: size, ms: now() - t0 }
  }))

const W3 = (size: number): Promise<Sample> =>
  run(Effect.gen(function*() {
    const { actors, per } = fanOutShape(size)
    const refs: Array<Queue.Queue<CounterMsg>> = []
    for (let k = 0; k < actors; k++) refs.push(yield* spawn(0, counterNoCrash))
    const t0 = now()
    for (let m = 0; m < per; m++) for (let k = 0; k < actors; k++) yield* Queue.offer(refs[k]!, INC)
    let count = 0
    for (let k = 0; k < actors; k++) count += yield* get(refs[k]!)
    return { count, expected: actors * per, ms: now() - t0 }
  }))

const W4 = (size: number): Promise<Sample> =>
  run(Effect.gen(function*() {
    const refs = new Array<Queue.Queue<CounterMsg> | null>(size).fill(null)
    const h0 = heapAfterGc()
    const t0 = now()
    for (let i = 0; i < size; i++) refs[i] = yield* spawn(0, counterNoCrash)
    // let every child fiber start and park on take before measuring
    yield* Effect.yieldNow
    const ms = now() - t0
    const heapPerActor = (heapAfterGc() - h0) / size
    let count = 0
    for (let i = 0; i < size; i++) if (refs[i] !== null) count++
    return { count, expected: size, ms, heapPerActor }
  }))

/** A hand-rolled one-for-one supervisor of one permanent child, with a sliding-window intensity. */
const W5 = (size: number): Promise<Sample> =>
  run(Effect.gen(function*() {
    const incarnations = yield* Queue.unbounded<Queue.Queue<CounterMsg>>()
    const intensity = 1_000_000
    const periodMs = 1000
    const stamps: Array<number> = []
    let oldest = 0
    yield* Effect.forkChild(Effect.gen(function*() {
      while (true) {
        const q = yield* Queue.unbounded<CounterMsg>()
        const child = yield* Effect.forkChild(loop(q, 0, counter))
        yield* Queue.offer(incarnations, q)
        yield* Fiber.await(child)
        const t = now()
        while (oldest < stamps.length && stamps[oldest]! <= t - periodMs) oldest++
        stamps.push(t)
        if (stamps.length - oldest > intensity) return yield* Effect.fail(new Error("intensity exceeded"))
      }
    }))
    let q = yield* Queue.take(incarnations)
    const cycle = new Float64Array(size)
    let count = 0
    const t0 = now()
    for (let i = 0; i < size; i++) {
      const c0 = now()
      yield* Queue.offer(q, CRASH)
      q = yield* Queue.take(incarnations)
      if ((yield* next(q)) === 1) count++
      cycle[i] = (now() - c0) * 1000
    }
    return { count, expected: size, ms: now() - t0, ...flatness(cycle) }
  }))

const W6 = (size: number): Promise<Sample> =>
  run(Effect.gen(function*() {
    let handled = 0
    const done = Deferred.makeUnsafe<void>()
    const play = (peer: Queue.Queue<BallMsg> | undefined, msg: BallMsg) => {
      if (msg._tag === "Peer") return msg.peer
      handled++
      if (msg.n === 0) Deferred.doneUnsafe(done, Exit.void)
      else Queue.offerUnsafe(peer!, { _tag: "Ball", n: msg.n - 1 })
      return peer
    }
    const a = yield* spawn<Queue.Queue<BallMsg> | undefined, BallMsg>(undefined, play)
    const b = yield* spawn<Queue.Queue<BallMsg> | undefined, BallMsg>(undefined, play)
    yield* Queue.offer(a, { _tag: "Peer", peer: b })
    yield* Queue.offer(b, { _tag: "Peer", peer: a })
    yield* Effect.yieldNow
    const t0 = now()
    yield* Queue.offer(a, { _tag: "Ball", n: size })
    yield* Deferred.await(done)
    return { count: handled - 1, expected: size, ms: now() - t0 }
  }))

export const suites: Record<string, Suite> = {
  effect: { W1, W2, W3, W4, W5, W6 }
}
