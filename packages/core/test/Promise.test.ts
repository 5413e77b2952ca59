/**
 * `@arbor/core/promise`: an actor system driven with Promises, rejecting with the same tagged
 * error classes as the Effect API.
 */
import { describe, expect, expectTypeOf, it } from "vitest"
import { Context, Effect, Layer } from "effect"
import { Actor, Errors, ExitReason } from "@arbor/core"
import type { ActorRef } from "@arbor/core"
import { makeSystem, SystemClosed } from "@arbor/core/promise"

type CounterMsg =
  | { readonly _tag: "Increment"; readonly by: number }
  | Actor.Request<{ readonly _tag: "Get" }, number>
  | Actor.Request<{ readonly _tag: "Never" }, number>
  | Actor.Request<{ readonly _tag: "Crash" }, number>

const Counter = Actor.make<CounterMsg, number>()({
  init: () => Effect.succeed(0),
  receive: {
    Increment: (n, msg) => n + msg.by,
    Get: (n) => Actor.reply(n, n),
    Never: (n) => Actor.deferReply(() => n),
    Crash: () => Effect.die("boom")
  }
})

describe("@arbor/core/promise", () => {
  it("spawn, tell, ask, stop and monitor are Promises; close stops every actor", async () => {
    const system = makeSystem()
    const counter = await system.spawn(Counter, { label: "counter" })
    expectTypeOf(counter).toEqualTypeOf<ActorRef.ActorRef<CounterMsg>>()
    system.tell(counter, { _tag: "Increment", by: 2 })
    system.tell(counter, { _tag: "Increment", by: 3 })
    const n = await system.ask(counter, { _tag: "Get" })
    expectTypeOf(n).toEqualTypeOf<number>()
    const other = await system.spawn(Counter)
    const live = system.liveActors()
    const stopped = await system.stop(other)
    await system.close()
    expect({ n, live, stopped, after: system.liveActors() }).toEqual({
      n: 5,
      live: 2,
      stopped: ExitReason.shutdown(),
      after: 0
    })
  })

  it("rejections are the tagged error classes of the Effect API", async () => {
    const system = makeSystem()
    const counter = await system.spawn(Counter, { label: "counter" })
    const timeout = await system.ask(counter, { _tag: "Never" }, { timeout: "5 millis" }).catch((e: unknown) => e)
    const exited = await system.ask(counter, { _tag: "Crash" }).catch((e: unknown) => e)
    const reason = await system.monitor(counter)
    const notAlive = await system.ask(counter, { _tag: "Get" }).catch((e: unknown) => e)
    const badOptions = await system.spawn(Counter, { mailbox: { capacity: 0 } }).catch((e: unknown) => e)
    const Broken = Actor.make<{ readonly _tag: "X" }>()({
      init: () => Effect.fail(new Errors.InvalidTimer({ actor: { id: 0, label: undefined }, field: "f", value: 1, reason: "r" })),
      receive: { X: (s: never) => s }
    })
    const initError = await system.spawn(Broken).catch((e: unknown) => e)
    await system.close()
    expect(timeout).toBeInstanceOf(Errors.AskTimeout)
    expect(exited).toBeInstanceOf(Errors.ActorExited)
    expect(reason._tag).toBe("Failure")
    expect(notAlive).toBeInstanceOf(Errors.ActorNotAlive)
    expect(badOptions).toBeInstanceOf(Errors.InvalidActorOptions)
    expect((badOptions as Errors.InvalidActorOptions).field).toBe("mailbox.capacity")
    expect(initError).toBeInstanceOf(Errors.InvalidTimer)
    expect(system.liveActors()).toBe(0)
  })

  it("a layer gives the actors services; run runs any Effect in the system's scope", async () => {
    class Greeting extends Context.Service<Greeting, { readonly text: string }>()("test/Greeting") {}
    type Msg = Actor.Request<{ readonly _tag: "Greet"; readonly name: string }, string>
    const Greeter = Actor.make<Msg, null>()({
      init: () => Effect.succeed(null),
      receive: {
        Greet: (s, msg) =>
          Effect.gen(function*() {
            const greeting = yield* Greeting
            return Actor.reply(`${greeting.text} ${msg.name}`, s)
          })
      }
    })
    const system = makeSystem({ layer: Layer.succeed(Greeting, { text: "hello" }) })
    const greeter = await system.spawn(Greeter)
    const greeting = await system.ask(greeter, { _tag: "Greet", name: "ada" })
    // an actor spawned through `run` lives in the system's scope too
    const spawned = await system.run(Actor.spawn(Greeter))
    const both = system.liveActors()
    await system.close()
    expect({ greeting, both, after: system.liveActors() }).toEqual({ greeting: "hello ada", both: 2, after: 0 })
    expect(spawned.id).toBeGreaterThan(greeter.id)
  })

  it("calls after close reject with SystemClosed; tell drops to dead letters; close twice is a no-op", async () => {
    const system = makeSystem()
    const counter = await system.spawn(Counter)
    await system.close()
    await system.close()
    const error = await system.spawn(Counter).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SystemClosed)
    expect((error as SystemClosed).message).toBe("spawn: the actor system was closed")
    expect(() => system.tell(counter, { _tag: "Increment", by: 1 })).not.toThrow()
  })
})
