/**
 * Issue #12.6: a supervision tree as a `Layer` of an application (`Supervisor.layer`), and
 * `Supervisor.launch`, which ends the program with the root's reason when the root gives up.
 */
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { Child, Supervisor, SupervisorErrors } from "@arbor/supervisor"
import { TestSystem } from "@arbor/testkit"
import { Cause, Context, Effect, Exit, Fiber, Layer, Option } from "effect"
import { EventEmitter } from "node:events"
import { describe, expect, expectTypeOf, it } from "vitest"
import { Registry } from "@arbor/registry"
import { runMainWith } from "../src/internal/main.ts"

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

/** A stand-in for Node's process: signals are emitted by the test, `exit` resolves `code`. */
const fakeProcess = () => {
  const emitter = new EventEmitter()
  let exit!: (code: number) => void
  const code = new Promise<number>((resolve) => (exit = resolve))
  const proc = {
    once: (signal: "SIGTERM" | "SIGINT", f: () => void) => emitter.once(signal, f),
    removeListener: (signal: "SIGTERM" | "SIGINT", f: () => void) => emitter.removeListener(signal, f),
    exit
  }
  const listeners = () => emitter.listenerCount("SIGTERM") + emitter.listenerCount("SIGINT")
  return { proc, code, listeners, emit: (signal: "SIGTERM" | "SIGINT") => emitter.emit(signal) }
}

/** A layer that resolves `ready` once it is built (everything below it has started). */
const readyLayer = (ready: () => void) => Layer.effectDiscard(Effect.sync(ready))

describe("Supervisor.runMain (#12.6)", () => {
  it("S26 runMain: SIGTERM releases the application in order (the layers on the tree first) and exits 0", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const log: Array<string> = []
      const { code, emit, listeners, proc } = fakeProcess()
      let ready!: () => void
      const started = new Promise<void>((resolve) => (ready = resolve))
      const App = readyLayer(ready).pipe(Layer.provide(front(log).pipe(Layer.provideMerge(Supervisor.layer(tree(log))))))
      runMainWith(proc, Supervisor.launch)(App)
      await started
      expect(listeners()).toBe(2)
      emit(signal)
      expect(listeners()).toBe(0) // a second signal gets Node's default: the process ends at once
      expect(await code).toBe(0)
      expect(log).toEqual(["start a", "start b", "front closed", "stop b", "stop a"])
    }
  })

  it("S26 runMain: the root giving up exits 1; a program that succeeds exits 0, one that fails exits 1", async () => {
    const log: Array<string> = []
    const gaveUp = fakeProcess()
    const crashA = Layer.effectDiscard(Effect.gen(function*() {
      const root = yield* Supervisor.Root
      yield* ActorRef.tell(yield* Supervisor.childRef(root.ref, "a"), { _tag: "Crash" })
    }))
    const logged: Array<unknown> = []
    runMainWith(gaveUp.proc, Supervisor.launch)(
      Effect.tapCause(Supervisor.launch(crashA.pipe(Layer.provideMerge(Supervisor.layer(tree(log, 0))))), (cause) =>
        Effect.sync(() => void logged.push(Option.getOrThrow(Cause.findErrorOption(cause)))))
    )
    expect(await gaveUp.code).toBe(1)
    expect(logged[0]).toBeInstanceOf(SupervisorErrors.RootExited)
    expect(log).toEqual(["start a", "start b", "stop a", "stop b"])
    expect(gaveUp.listeners()).toBe(0)

    const ok = fakeProcess()
    runMainWith(ok.proc, Supervisor.launch)(Effect.succeed("done"))
    expect(await ok.code).toBe(0)
    const failed = fakeProcess()
    runMainWith(failed.proc, Supervisor.launch)(Effect.fail("no"))
    expect(await failed.code).toBe(1)
    expect(ok.listeners() + failed.listeners()).toBe(0)
  })

  it("S26 runMain provides ActorSystem and Registry to what the program does not provide; its type accepts no other need", async () => {
    const Name = Registry.key<JobMsg>()("run-main/a")
    const log: Array<string> = []
    const Tree = Supervisor.layer({
      strategy: "one-for-one",
      children: [Child.worker({ id: "a", start: Actor.spawn(Job("a", log)), name: Name })]
    })
    class Db extends Context.Service<Db, { readonly url: string }>()("test/Db") {}
    const typeOnly = () => { // never called: it would run on the real process
      Supervisor.runMain(Tree)
      Supervisor.runMain(Supervisor.launch(Tree))
      // @ts-expect-error a service runMain does not provide
      Supervisor.runMain(Effect.flatMap(Db.asEffect(), () => Effect.void))
      // @ts-expect-error neither a Layer nor an Effect
      Supervisor.runMain(() => Effect.void)
    }
    expectTypeOf(typeOnly).returns.toBeVoid()
    const { code, proc } = fakeProcess()
    runMainWith(proc, Supervisor.launch)(
      Effect.scoped(Effect.gen(function*() {
        yield* Layer.build(Tree)
        const a = yield* Registry.await(Name, "1 second") // the named child took its name
        log.push(yield* ActorRef.ask(a, { _tag: "Work" }))
      }))
    )
    expect(await code).toBe(0)
    expect(log).toEqual(["start a", "a worked", "stop a"])
  })
})
