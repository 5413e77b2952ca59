/**
 * Issue #12.6: a supervision tree as a `Layer` of an application (`Supervisor.layer`), and
 * `Supervisor.launch`, which ends the program with the root's reason when the root gives up.
 */
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { Child, Supervisor, SupervisorErrors } from "@arbor/supervisor"
import { TestSystem } from "@arbor/testkit"
import { Cause, Context, Effect, Exit, Fiber, Layer, Option } from "effect"
import { describe, expect, it } from "vitest"

type JobMsg = { readonly _tag: "Crash" } | Actor.Request<{ readonly _tag: "Work" }, string>

const Job = (id: string, log: Array<string>) =>
  Actor.make<JobMsg>()({
    init: () => Effect.sync(() => (log.push(`start ${id}`), id)),
    receive: { Crash: () => Effect.die("boom"), Work: (s) => Actor.reply(`${s} worked`, s) },
    onStop: () => Effect.sync(() => void log.push(`stop ${id}`))
  })

const tree = (log: Array<string>, intensity = 3) => ({
  strategy: "one-for-one" as const,
  label: "app",
  intensity,
  children: [
    Child.worker({ id: "a", start: Actor.spawn(Job("a", log)) }),
    Child.worker({ id: "b", start: Actor.spawn(Job("b", log)) })
  ]
})

/** A service built on the tree (an HTTP server in a real app): released before the tree. */
class Front extends Context.Service<Front, { readonly ask: Effect.Effect<string, unknown> }>()("test/Front") {}
const front = (log: Array<string>) =>
  Layer.effect(
    Front,
    Effect.gen(function*() {
      const root = yield* Supervisor.Root
      yield* Effect.addFinalizer(() => Effect.sync(() => void log.push("front closed")))
      const b: ActorRef.ActorRef<JobMsg> = yield* Supervisor.childRef(root.ref, "b")
      return { ask: ActorRef.ask(b, { _tag: "Work" }) }
    })
  )

const withWorld = <A, E>(eff: Effect.Effect<A, E, ActorSystem.ActorSystem>) =>
  Effect.runPromise(Effect.provide(eff, TestSystem.layer()) as Effect.Effect<A, E>)

describe("applications (#12.6)", () => {
  it("S26 Supervisor.layer starts the tree when built and stops it in reverse start order when released, after the layers built on it", async () => {
    const log: Array<string> = []
    const App = front(log).pipe(Layer.provideMerge(Supervisor.layer(tree(log))))
    const answer = await withWorld(Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(App)
      log.push("running")
      return yield* Context.get(context, Front).ask
    })))
    expect(answer).toBe("b worked")
    expect(log).toEqual(["start a", "start b", "running", "front closed", "stop b", "stop a"])
  })

  it("S26 Supervisor.launch runs until interrupted, then releases the application in order", async () => {
    const log: Array<string> = []
    const App = front(log).pipe(Layer.provideMerge(Supervisor.layer(tree(log))))
    const exit = await withWorld(Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Supervisor.launch(App))
      yield* TestSystem.untilIdle
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* Fiber.interrupt(fiber)
      return yield* Fiber.await(fiber)
    }))
    expect(Exit.hasInterrupts(exit)).toBe(true)
    expect(log).toEqual(["start a", "start b", "front closed", "stop b", "stop a"])
  })

  it("S26 the root giving up ends Supervisor.launch with RootExited and the root's reason", async () => {
    const log: Array<string> = []
    const crashA = Layer.effectDiscard(Effect.gen(function*() {
      const root = yield* Supervisor.Root
      yield* ActorRef.tell(yield* Supervisor.childRef(root.ref, "a"), { _tag: "Crash" })
    }))
    const App = crashA.pipe(Layer.provideMerge(Supervisor.layer(tree(log, 0))))
    const exit = await withWorld(Effect.exit(Supervisor.launch(App)))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? Option.getOrThrow(Cause.findErrorOption(exit.cause)) : undefined
    expect(error).toBeInstanceOf(SupervisorErrors.RootExited)
    expect(error).toMatchObject({ supervisor: "app", reason: { _tag: "Shutdown" } })
    expect((error as SupervisorErrors.RootExited).message).toBe(`root supervisor "app" ended (Shutdown) while the application was running`)
    // a crashed (its stop hook ran with the failure); the root gave up and stopped b
    expect(log).toEqual(["start a", "start b", "stop a", "stop b"])
  })

  it("S26 with onRootExit \"continue\" the application runs on after the root ends", async () => {
    const log: Array<string> = []
    const App = Supervisor.layer(tree(log, 0), { onRootExit: "continue" })
    const result = await withWorld(Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(App)
        const root = Context.get(context, Supervisor.Root)
        yield* ActorRef.tell(yield* Supervisor.childRef(root.ref, "a"), { _tag: "Crash" })
        yield* TestSystem.untilIdle
        return { alive: ActorRef.isAliveUnsafe(root.ref), exited: yield* Effect.exit(Effect.timeoutOption(root.exited, 0)) }
      })))
      return yield* Fiber.join(fiber)
    }))
    expect(result.alive).toBe(false)
    expect(Exit.isSuccess(result.exited)).toBe(true) // timed out: `exited` never fails
  })
})
