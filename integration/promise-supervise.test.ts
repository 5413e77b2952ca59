/**
 * `@arbor/supervisor/promise`: a supervision tree started from Promise code, in a system of
 * `@arbor/core/promise` (here rather than in packages/supervisor/test, whose tests are each
 * named after a guarantee of docs/supervision-contract.md).
 */
import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import { Actor, ActorRef } from "@arbor/core"
import { makeSystem } from "@arbor/core/promise"
import type { PromiseSystem } from "@arbor/core/promise"
import { Child, Supervisor, SupervisorErrors } from "@arbor/supervisor"
import { supervise } from "@arbor/supervisor/promise"

type Msg = Actor.Request<{ readonly _tag: "Ping" }, string> | { readonly _tag: "Crash" }
const Worker = Actor.make<Msg, null>()({
  init: () => Effect.succeed(null),
  receive: { Ping: (s) => Actor.reply("pong", s), Crash: () => Effect.die("boom") }
})

const workerOf = (system: PromiseSystem, sup: Supervisor.SupervisorRef) =>
  system.run(Effect.map(Supervisor.whichChildren(sup), (children) => children[0]!.ref as ActorRef.ActorRef<Msg>))

describe("@arbor/supervisor/promise", () => {
  it("S4 supervise (the Promise facade) starts a tree whose crashed child is restarted; close stops the tree", async () => {
    const system = makeSystem()
    const restarts: Array<string> = []
    const sup = await supervise(system, {
      strategy: "one-for-one",
      children: [Child.worker({ id: "worker", start: Actor.spawn(Worker, { label: "worker" }) })],
      onEvent: (e) => {
        if (e._tag === "ChildStarted" && e.restart) restarts.push(e.child)
      }
    })
    const first = await workerOf(system, sup)
    const pong = await system.ask(first, { _tag: "Ping" })
    system.tell(first, { _tag: "Crash" })
    const reason = await system.monitor(first)
    const second = await workerOf(system, sup)
    const again = await system.ask(second, { _tag: "Ping" })
    const live = system.liveActors()
    await system.close()
    expect({ pong, reason: reason._tag, again, newIncarnation: second.id !== first.id, restarts, live }).toEqual({
      pong: "pong",
      reason: "Failure",
      again: "pong",
      newIncarnation: true,
      restarts: ["worker"],
      live: 2
    })
    expect(system.liveActors()).toBe(0)
  })

  it("S20 supervise (the Promise facade) rejects an invalid spec with InvalidChildSpec, as Supervisor.start fails with it", async () => {
    const system = makeSystem()
    const error = await supervise(system, { strategy: "one-for-one", children: [Child.worker({ id: "", start: Actor.spawn(Worker) })] })
      .catch((e: unknown) => e)
    await system.close()
    expect(error).toBeInstanceOf(SupervisorErrors.InvalidChildSpec)
  })
})
