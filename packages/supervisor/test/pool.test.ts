/**
 * `Pool` (issue #12, the service's crashing job pool): identical workers under one
 * supervisor, asked in turn. Type-level tests run under `tsc -b`; the runtime ones on a
 * `TestClock` world.
 */
import { Actor, ActorRef, type ActorSystem } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Child, Pool, Supervisor } from "@arbor/supervisor"
import { TestSystem } from "@arbor/testkit"
import { Effect, Fiber, Layer, Schedule, type Scope } from "effect"
import { describe, expect, expectTypeOf, it } from "vitest"

type JobMsg =
  | Actor.Request<{ readonly _tag: "Who" }, string>
  | Actor.Request<{ readonly _tag: "Crash" }, string>
  | Actor.Request<{ readonly _tag: "Slow" }, string>
  | { readonly _tag: "Note" }

let started = 0
const Job = Actor.make<JobMsg, string>()({
  init: () => Effect.sync(() => `w${++started}`),
  receive: {
    Who: (s) => Actor.reply(s, s),
    Crash: () => Effect.die("boom"),
    Slow: (s) => Effect.as(Effect.sleep("10 seconds"), Actor.reply(s, s)),
    Note: (s) => s
  }
})

const World = Layer.merge(TestSystem.layer(), Layer.fresh(Registry.layer))
const run = <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem | Registry.Registry>): Promise<A> =>
  Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(World)) as Effect.Effect<A, E>)

describe("Pool", () => {
  it("S27 Pool.ask goes to the workers in turn; the reply type is the request's; the workers are the children id-1..id-n", () =>
    run(Effect.gen(function*() {
      started = 0
      const root = yield* Supervisor.start({ children: [Pool.child("jobs", { size: 3, worker: Actor.spawn(Job) })] })
      const jobs = yield* Supervisor.childRef(root, "jobs")
      expectTypeOf(jobs).toEqualTypeOf<Pool.PoolRef<JobMsg>>()
      const who = yield* Effect.forEach([1, 2, 3, 4, 5, 6, 7], () => Pool.ask(jobs, { _tag: "Who" }))
      expectTypeOf(who).toEqualTypeOf<Array<string>>()
      expect(who).toEqual(["w1", "w2", "w3", "w1", "w2", "w3", "w1"])
      expect((yield* Supervisor.whichChildren(jobs)).map((c) => c.id).sort()).toEqual(["jobs-1", "jobs-2", "jobs-3"])
      expect((yield* Supervisor.snapshot(jobs)).label).toBe("jobs")
      // @ts-expect-error a told message is not a request
      Pool.ask(jobs, { _tag: "Note" })
      // @ts-expect-error not in the protocol
      Pool.ask(jobs, { _tag: "Nope" })
      const plain = yield* Supervisor.start({ children: [Child.worker({ id: "a", start: Actor.spawn(Job) })] })
      // @ts-expect-error a supervisor that is not a pool
      Pool.ask(plain, { _tag: "Who" })
    })))

  it("S27 a crashed worker fails its asker with ActorExited, is restarted by the pool, and is skipped while it waits for the restart", () =>
    run(Effect.gen(function*() {
      started = 0
      const root = yield* Supervisor.start({
        children: [Pool.child("jobs", { size: 2, worker: Actor.spawn(Job), restartDelay: Schedule.spaced("1 second") })]
      })
      const jobs = yield* Supervisor.childRef(root, "jobs")
      const crashed = yield* Effect.flip(Pool.ask(jobs, { _tag: "Crash" })) // w1
      expect(crashed._tag).toBe("ActorExited")
      yield* TestSystem.untilIdle
      // jobs-1 waits 1 s for its restart: every ask goes to w2 meanwhile
      expect(yield* Effect.forEach([1, 2, 3], () => Pool.ask(jobs, { _tag: "Who" }))).toEqual(["w2", "w2", "w2"])
      yield* TestSystem.advance("1 second")
      expect(yield* Effect.forEach([1, 2], () => Pool.ask(jobs, { _tag: "Who" }))).toEqual(["w3", "w2"])
      // nobody running: ChildNotRunning naming the pool
      yield* Effect.flip(Pool.ask(jobs, { _tag: "Crash" }))
      yield* Effect.flip(Pool.ask(jobs, { _tag: "Crash" }))
      yield* TestSystem.untilIdle
      const none = yield* Effect.flip(Pool.ask(jobs, { _tag: "Who" }))
      expect(none).toMatchObject({ _tag: "ChildNotRunning", child: "jobs", status: "restarting" })
    })))

  it("S27 Pool.ask fails with AskTimeout at its deadline on the TestClock; a pool that has ended answers ActorNotAlive", () =>
    run(Effect.gen(function*() {
      started = 0
      const root = yield* Supervisor.start({
        children: [Pool.child("jobs", { size: 1, worker: Actor.spawn(Job) })]
      })
      const jobs = yield* Supervisor.childRef(root, "jobs")
      const fiber = yield* Effect.forkChild(Effect.flip(Pool.ask(jobs, { _tag: "Slow" }, { timeout: "2 seconds" })))
      yield* TestSystem.advance("1999 millis")
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestSystem.advance("1 millis")
      expect((yield* Fiber.join(fiber))._tag).toBe("AskTimeout")
      yield* TestSystem.advance("8 seconds") // the worker finishes the slow job it was given
      yield* ActorRef.stop(root)
      expect(ActorRef.isAliveUnsafe(jobs)).toBe(false)
      expect((yield* Effect.flip(Pool.ask(jobs, { _tag: "Who" })))._tag).toBe("ActorNotAlive")
    })))
})
