/**
 * Defects found by black-box use of the packed packages (issue #10), each pinned by a test named
 * after the guarantee it restores.
 */
import { describe, expect, it } from "vitest"
import { Effect, Fiber } from "effect"
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { flush, run } from "./utils.ts"

describe("G1 what a suspended init acquired is released when the spawn is abandoned", () => {
  it("G1 interrupting a spawn while init is suspended releases what init acquired", async () => {
    const log: Array<string> = []
    const Holder = Actor.make<never>()({
      init: () =>
        Effect.acquireRelease(Effect.sync(() => log.push("acquire")), () => Effect.sync(() => log.push("release")))
          .pipe(Effect.andThen(Effect.never)),
      receive: {}
    })
    const out = await run(Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Actor.spawn(Holder))
      yield* flush
      const before = [...log]
      yield* Fiber.interrupt(fiber)
      const system = yield* ActorSystem.ActorSystem
      return { before, after: [...log], live: system.liveActors }
    }))
    expect(out.before).toEqual(["acquire"])
    expect(out.after).toEqual(["acquire", "release"])
    expect(out.live).toBe(0)
  })

  it("G1 killing an actor while a spawn from its handler sits in a slow init releases what that init acquired", async () => {
    const log: Array<string> = []
    const Slow = Actor.make<never>()({
      init: () =>
        Effect.acquireRelease(Effect.sync(() => log.push("acquire")), () => Effect.sync(() => log.push("release")))
          .pipe(Effect.andThen(Effect.never)),
      receive: {}
    })
    // a parent whose handler starts a child whose init never completes (a restart in a slow init)
    const Parent = Actor.make<{ readonly _tag: "Start" }>()({
      init: () => Effect.succeed(0),
      receive: { Start: (n) => Effect.as(Actor.spawn(Slow), n + 1) }
    })
    const out = await run(Effect.gen(function*() {
      const parent = yield* Actor.spawn(Parent)
      yield* ActorRef.tell(parent, { _tag: "Start" })
      yield* flush
      const before = [...log]
      yield* ActorRef.kill(parent)
      const system = yield* ActorSystem.ActorSystem
      return { before, after: [...log], live: system.liveActors }
    }))
    expect(out.before).toEqual(["acquire"])
    expect(out.after).toEqual(["acquire", "release"])
    expect(out.live).toBe(0)
  })
})
