import { Actor, ActorSystem } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import { TestSystem } from "@arbor/testkit"
import { Effect, type Scope } from "effect"

/** A worker that crashes on demand and counts the messages it handled. */
export type WorkerMsg =
  | { readonly _tag: "Crash" }
  | { readonly _tag: "Work" }
  | Actor.Request<{ readonly _tag: "Count" }, number>

export const Worker = Actor.make<WorkerMsg>()({
  init: () => Effect.succeed(0),
  receive: {
    Crash: () => Effect.die(new Error("injected crash")),
    Work: (n) => n + 1,
    Count: (n) => Actor.reply(n, n)
  }
})

/** root (one-for-one) → [a, inner (one-for-all) → [b]] */
export const startTree = (intensity = 100) =>
  Supervisor.start({
    label: "root",
    strategy: "one-for-one",
    intensity,
    period: "1 second",
    children: [
      Child.worker({ id: "a", start: Actor.spawn(Worker, { label: "a" }) }),
      Supervisor.child("inner", {
        label: "inner",
        strategy: "one-for-all",
        intensity: 5,
        period: "2 seconds",
        children: [Child.worker({ id: "b", start: Actor.spawn(Worker, { label: "b" }) })]
      })
    ]
  })

/** Runs a scoped program in a fresh test world on the real clock (the observer is a real server). */
export const run = <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>): Promise<A> =>
  TestSystem.run(program, { clock: "live" })

/** Reads Server-Sent Events from a fetch response body, one parsed `{ event, data }` at a time. */
export const sseReader = (body: ReadableStream<Uint8Array>) => {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ""
  const next = async (): Promise<{ event: string; data: any }> => {
    while (true) {
      const end = buffer.indexOf("\n\n")
      if (end >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = /^event: (.*)$/m.exec(block)?.[1]
        const data = /^data: (.*)$/m.exec(block)?.[1]
        if (event !== undefined && data !== undefined) return { event, data: JSON.parse(data) }
        continue
      }
      const chunk = await reader.read()
      if (chunk.done) throw new Error("event stream ended")
      buffer += decoder.decode(chunk.value, { stream: true })
    }
  }
  return Object.assign(next, { close: () => reader.cancel() })
}
