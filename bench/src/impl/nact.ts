/**
 * nact 7.6, used the way its documentation shows: `spawn` a function actor, `dispatch` to
 * tell, `query` (with a timeout) to ask; W5 restarts the crashed actor with the `reset`
 * supervision policy (nact's in-place restart).
 */
import * as nact from "nact"
import { fanOutShape, flatness, heapAfterGc, now } from "../types.ts"
import type { Sample, Suite } from "../types.ts"

type Ref<T> = nact.Ref<T>

type CounterMsg =
  | { readonly _tag: "Inc" }
  | { readonly _tag: "Get"; readonly sender: Ref<number> }
  | { readonly _tag: "Next"; readonly sender: Ref<number> }
  | { readonly _tag: "Crash" }

const INC: CounterMsg = { _tag: "Inc" }
const CRASH: CounterMsg = { _tag: "Crash" }
const QUERY_TIMEOUT = 600_000

const counter = (state: number | undefined, msg: CounterMsg): number => {
  const n = state ?? 0
  switch (msg._tag) {
    case "Inc":
      return n + 1
    case "Get":
      nact.dispatch(msg.sender, n)
      return n
    case "Next":
      nact.dispatch(msg.sender, n + 1)
      return n + 1
    case "Crash":
      throw new Error("boom")
  }
}

const get = (ref: Ref<CounterMsg>): Promise<number> =>
  nact.query(ref, (sender: Ref<number>): CounterMsg => ({ _tag: "Get", sender }), QUERY_TIMEOUT)
const next = (ref: Ref<CounterMsg>): Promise<number> =>
  nact.query(ref, (sender: Ref<number>): CounterMsg => ({ _tag: "Next", sender }), QUERY_TIMEOUT)

type BallMsg = { readonly _tag: "Peer"; readonly peer: Ref<BallMsg> } | { readonly _tag: "Ball"; readonly n: number }

/** Runs `body` in a fresh nact system, stopped afterwards. */
const withSystem = async <A>(body: (system: nact.ActorSystemRef) => Promise<A>): Promise<A> => {
  const system = nact.start()
  try {
    return await body(system)
  } finally {
    nact.stop(system)
  }
}

const W1 = (size: number): Promise<Sample> =>
  withSystem(async (system) => {
    const ref = nact.spawn(system, counter, "counter") as Ref<CounterMsg>
    const t0 = now()
    for (let i = 0; i < size; i++) nact.dispatch(ref, INC)
    const count = await get(ref)
    return { count, expected: size, ms: now() - t0 }
  })

const W2 = (size: number): Promise<Sample> =>
  withSystem(async (system) => {
    const ref = nact.spawn(system, counter, "counter") as Ref<CounterMsg>
    const t0 = now()
    let last = 0
    for (let i = 0; i < size; i++) last = await next(ref)
    return { count: last, expected: size, ms: now() - t0 }
  })

const W3 = (size: number): Promise<Sample> =>
  withSystem(async (system) => {
    const { actors, per } = fanOutShape(size)
    const refs: Array<Ref<CounterMsg>> = []
    for (let k = 0; k < actors; k++) refs.push(nact.spawn(system, counter, `c${k}`) as Ref<CounterMsg>)
    const t0 = now()
    for (let m = 0; m < per; m++) for (let k = 0; k < actors; k++) nact.dispatch(refs[k]!, INC)
    let count = 0
    for (let k = 0; k < actors; k++) count += await get(refs[k]!)
    return { count, expected: actors * per, ms: now() - t0 }
  })

const W4 = (size: number): Promise<Sample> =>
  withSystem(async (system) => {
    const refs = new Array<Ref<CounterMsg> | null>(size).fill(null)
    // nact's anonymous names are 32-bit random numbers, which collide at this scale
    const names = Array.from({ length: size }, (_, i) => `a${i}`)
    const h0 = heapAfterGc()
    const t0 = now()
    for (let i = 0; i < size; i++) refs[i] = nact.spawn(system, counter, names[i]) as Ref<CounterMsg>
    const ms = now() - t0
    const heapPerActor = (heapAfterGc() - h0) / size
    let count = 0
    for (let i = 0; i < size; i++) if (refs[i] !== null) count++
    return { count, expected: size, ms, heapPerActor }
  })

const W5 = (size: number): Promise<Sample> =>
  withSystem(async (system) => {
    const ref = nact.spawn(system, counter, "w", {
      onCrash: (_msg, _error, ctx) => ctx.reset
    }) as Ref<CounterMsg>
    const cycle = new Float64Array(size)
    let count = 0
    const t0 = now()
    for (let i = 0; i < size; i++) {
      const c0 = now()
      nact.dispatch(ref, CRASH)
      if ((await next(ref)) === 1) count++
      cycle[i] = (now() - c0) * 1000
    }
    return { count, expected: size, ms: now() - t0, ...flatness(cycle) }
  })

const W6 = (size: number): Promise<Sample> =>
  withSystem(async (system) => {
    let handled = 0
    let done = () => {}
    const play = (peer: Ref<BallMsg> | undefined, msg: BallMsg): Ref<BallMsg> | undefined => {
      if (msg._tag === "Peer") return msg.peer
      handled++
      if (msg.n === 0) done()
      else nact.dispatch(peer!, { _tag: "Ball", n: msg.n - 1 })
      return peer
    }
    const a = nact.spawn(system, play, "a") as Ref<BallMsg>
    const b = nact.spawn(system, play, "b") as Ref<BallMsg>
    nact.dispatch(a, { _tag: "Peer", peer: b })
    nact.dispatch(b, { _tag: "Peer", peer: a })
    await new Promise((resolve) => setImmediate(resolve))
    const t0 = now()
    await new Promise<void>((resolve) => {
      done = resolve
      nact.dispatch(a, { _tag: "Ball", n: size })
    })
    return { count: handled - 1, expected: size, ms: now() - t0 }
  })

export const suites: Record<string, Suite> = {
  nact: { W1, W2, W3, W4, W5, W6 }
}
