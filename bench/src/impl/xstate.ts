/**
 * xstate 5.33, used the way its documentation shows: a machine whose context is the state,
 * `assign` to update it, `createActor(machine).start()` to spawn, `actor.send` to tell,
 * `sendTo` to reply to a peer. xstate has no request/reply primitive: an ask is an event that
 * carries a callback resolving a Promise. xstate has no restart-on-crash supervision, so W5
 * does not apply.
 */
import { assign, createActor, sendTo, setup } from "xstate"
import type { AnyActorRef } from "xstate"
import { fanOutShape, heapAfterGc, now } from "../types.ts"
import type { Sample, Suite } from "../types.ts"

type CounterEvent =
  | { readonly type: "Inc" }
  | { readonly type: "Get"; readonly reply: (n: number) => void }
  | { readonly type: "Next"; readonly reply: (n: number) => void }

const INC: CounterEvent = { type: "Inc" }

const counterMachine = setup({
  types: { context: {} as { count: number }, events: {} as CounterEvent }
}).createMachine({
  context: { count: 0 },
  on: {
    Inc: { actions: assign({ count: ({ context }) => context.count + 1 }) },
    Get: {
      actions: ({ context, event }) => event.reply(context.count)
    },
    Next: {
      actions: [
        assign({ count: ({ context }) => context.count + 1 }),
        ({ context, event }) => event.reply(context.count)
      ]
    }
  }
})

type Counter = ReturnType<typeof startCounter>
const startCounter = () => createActor(counterMachine).start()

const get = (actor: Counter) => new Promise<number>((reply) => actor.send({ type: "Get", reply }))
const next = (actor: Counter) => new Promise<number>((reply) => actor.send({ type: "Next", reply }))

const idleMachine = setup({ types: { events: {} as { readonly type: "Noop" } } }).createMachine({})

type BallEvent = { readonly type: "Peer"; readonly peer: AnyActorRef } | { readonly type: "Ball"; readonly n: number }

const playerMachine = (tally: { handled: number; done: () => void }) =>
  setup({
    types: { context: {} as { peer: AnyActorRef | undefined }, events: {} as BallEvent }
  }).createMachine({
    context: { peer: undefined },
    on: {
      Peer: { actions: assign({ peer: ({ event }) => event.peer }) },
      Ball: [
        {
          guard: ({ event }) => event.n === 0,
          actions: () => {
            tally.handled++
            tally.done()
          }
        },
        {
          actions: [
            () => {
              tally.handled++
            },
            sendTo(({ context }) => context.peer!, ({ event }) => ({ type: "Ball", n: event.n - 1 }))
          ]
        }
      ]
    }
  })

const W1 = async (size: number): Promise<Sample> => {
  const actor = startCounter()
  const t0 = now()
  for (let i = 0; i < size; i++) actor.send(INC)
  const count = await get(actor)
  const ms = now() - t0
  actor.stop()
  return { count, expected: size, ms }
}

const W2 = async (size: number): Promise<Sample> => {
  const actor = startCounter()
  const t0 = now()
  let last = 0
  for (let i = 0; i < size; i++) last = await next(actor)
  const ms = now() - t0
  actor.stop()
  return { count: last, expected: size, ms }
}

const W3 = async (size: number): Promise<Sample> => {
  const { actors, per } = fanOutShape(size)
  const refs: Array<Counter> = []
  for (let k = 0; k < actors; k++) refs.push(startCounter())
  const t0 = now()
  for (let m = 0; m < per; m++) for (let k = 0; k < actors; k++) refs[k]!.send(INC)
  let count = 0
  for (let k = 0; k < actors; k++) count += await get(refs[k]!)
  const ms = now() - t0
  for (const r of refs) r.stop()
  return { count, expected: actors * per, ms }
}

const W4 = async (size: number): Promise<Sample> => {
  const refs = new Array<ReturnType<typeof createActor<typeof idleMachine>> | null>(size).fill(null)
  const h0 = heapAfterGc()
  const t0 = now()
  for (let i = 0; i < size; i++) refs[i] = createActor(idleMachine).start()
  const ms = now() - t0
  const heapPerActor = (heapAfterGc() - h0) / size
  let count = 0
  for (let i = 0; i < size; i++) if (refs[i] !== null) count++
  return { count, expected: size, ms, heapPerActor }
}

const W6 = async (size: number): Promise<Sample> => {
  const tally = { handled: 0, done: () => {} }
  const machine = playerMachine(tally)
  const a = createActor(machine).start()
  const b = createActor(machine).start()
  a.send({ type: "Peer", peer: b })
  b.send({ type: "Peer", peer: a })
  const t0 = now()
  await new Promise<void>((resolve) => {
    tally.done = resolve
    a.send({ type: "Ball", n: size })
  })
  const ms = now() - t0
  a.stop()
  b.stop()
  return { count: tally.handled - 1, expected: size, ms }
}

export const suites: Record<string, Suite> = {
  xstate: { W1, W2, W3, W4, W6 }
}
