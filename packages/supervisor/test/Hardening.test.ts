/**
 * Defects found by black-box use of the packed packages (issue #10), supervisor half; each pinned
 * by a test named after the guarantee it restores.
 */
import { describe, expect, it } from "vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import { run, untilIdle } from "./utils.ts"

type Msg = { readonly _tag: "Crash" }

/**
 * A worker whose first incarnation starts at once and whose later ones acquire a resource in
 * `init` and then never finish starting (a restart stuck in a slow `init`).
 */
const slowRestart = (log: Array<string>) => {
  let starts = 0
  return Actor.make<Msg>()({
    init: () => {
      starts++
      if (starts === 1) return Effect.succeed(0)
      return Effect.acquireRelease(
        Effect.sync(() => log.push(`acquire ${starts}`)),
        () => Effect.sync(() => log.push(`release ${starts}`))
      ).pipe(Effect.andThen(Effect.never))
    },
    receive: { Crash: () => Effect.die("crash") }
  })
}

describe("S22 a supervisor that ends while a restart sits in a child's slow init releases what that init acquired", () => {
  // a graceful stop waits for the supervisor's current work (the restart) as OTP's does, so a
  // restart stuck in init ends only by force: a kill, or a timed shutdown that kills when it expires
  for (const how of ["kill", "timed shutdown"] as const) {
    it(`S22 ${how === "kill" ? "killing" : "a timed shutdown of"} a supervisor while a restart sits in a child's slow init releases what that init acquired`, async () => {
      const log: Array<string> = []
      const Worker = slowRestart(log)
      const out = await run(Effect.gen(function*() {
        const sup = yield* Supervisor.start({
          strategy: "one-for-one",
          children: [Child.worker({ id: "w", start: Actor.spawn(Worker, { label: "w" }) })]
        })
        const [child] = yield* Supervisor.whichChildren(sup)
        const first = child!.ref as ActorRef.ActorRef<Msg>
        yield* ActorRef.tell(first, { _tag: "Crash" })
        yield* ActorRef.monitor(first)
        yield* untilIdle
        const before = [...log]
        let reason
        if (how === "kill") {
          reason = yield* ActorRef.kill(sup)
        } else {
          const stopping = yield* Effect.forkChild(ActorRef.shutdown(sup, "1 second"))
          yield* untilIdle
          const stillStarting = [...log]
          yield* TestClock.adjust("1 second")
          reason = yield* Fiber.join(stopping)
          expect(stillStarting).toEqual(["acquire 2"])
        }
        yield* untilIdle
        const system = yield* ActorSystem.ActorSystem
        return { before, after: [...log], reason: reason._tag, live: (yield* system.liveActors) }
      }))
      expect(out.before).toEqual(["acquire 2"])
      expect(out.after).toEqual(["acquire 2", "release 2"])
      expect(out.reason).toBe("Killed")
      expect(out.live).toBe(0)
    })
  }
})
