/**
 * The bad-input matrix (`docs/errors.md`): every invalid input a user can give, one test per
 * row, named like the row. Each test checks the typed error (or the documented behaviour) and
 * that nothing was left running; the process must survive all of them (checked at the end), and
 * the last test runs them against a live actor that keeps acknowledging messages, none of which
 * may be lost.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { TestClock } from "effect/testing"
import { Actor, ActorRef, ActorSystem, ExitReason, Metrics, Reports } from "@arbor/core"
import { Cluster, ClusterActor } from "@arbor/cluster"
import { Protocol } from "@arbor/worker"
import * as Schema from "effect/Schema"
import type { DeadLetter } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Child, DynamicSupervisor, Pool, Supervisor } from "@arbor/supervisor"
import { TestSystem } from "@arbor/testkit"
import { InvalidScenario, validateScenario } from "../../conformance/scenario.ts"

// ------------------------------------------------------------------------------------------
// harness
// ------------------------------------------------------------------------------------------

const processErrors: Array<unknown> = []
const onProcessError = (e: unknown) => void processErrors.push(e)
beforeAll(() => {
  process.on("uncaughtException", onProcessError)
  process.on("unhandledRejection", onProcessError)
})
afterAll(() => {
  process.off("uncaughtException", onProcessError)
  process.off("unhandledRejection", onProcessError)
  expect(processErrors).toEqual([])
})

type Services = Scope.Scope | ActorSystem.ActorSystem | Registry.Registry

/** Runs a program in a fresh world: the shared harness's (actor system, TestClock) and a registry. */
const run = <A, E>(program: Effect.Effect<A, E, Services>): Promise<A> =>
  Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(Layer.merge(TestSystem.layer(), Layer.fresh(Registry.layer)))))

/** Waits until nothing is left to run, never for time. */
const untilIdle = TestSystem.untilIdle

const liveActors = ActorSystem.liveActors

type EchoMsg =
  | Actor.Request<{ readonly _tag: "Echo"; readonly text: string }, string>
  | Actor.Request<{ readonly _tag: "Never" }, string>
  | { readonly _tag: "Throw"; readonly value: unknown }
  | { readonly _tag: "Fail" }
  | { readonly _tag: "Stop" }

const Echo = Actor.make<EchoMsg>()({
  init: () => Effect.succeed(0),
  receive: {
    Echo: (n, msg) => Actor.reply(msg.text, n + 1),
    Never: () => Effect.never,
    Throw: (_n, msg) => {
      throw msg.value
    },
    Fail: () => Effect.fail("handler failed"),
    Stop: () => Actor.stop()
  }
})

const echoChild = (id: string) => Child.worker({ id, start: Actor.spawn(Echo) })

/** The error of a failing effect (the test fails if it succeeds). */
const errorOf = <A, E, R>(eff: Effect.Effect<A, E, R>) => Effect.flip(eff)

/** The `InvalidChildSpec` a supervisor start fails with. */
const invalidSpec = (spec: unknown) =>
  Effect.gen(function*() {
    const e = yield* errorOf(Supervisor.start(spec as never))
    expect(e._tag).toBe("InvalidChildSpec")
    expect(yield* liveActors).toBe(0) // nothing started
    return e as Extract<typeof e, { _tag: "InvalidChildSpec" }>
  })

const staticSpec = (children: ReadonlyArray<unknown>, extra: Record<string, unknown> = {}) => ({
  strategy: "one-for-one",
  children,
  ...extra
})

const root = join(import.meta.dirname, "..", "..")

const nodeWithEnv = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--conditions=@arbor/source", ...args],
      { cwd: root, timeout: 30_000, env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    )
  })
const node = (args: ReadonlyArray<string>) => nodeWithEnv(args, {})

// ------------------------------------------------------------------------------------------
// child specs
// ------------------------------------------------------------------------------------------

describe("report levels (Reports.layer)", () => {
  it("report levels that are an unknown report, not a log level, or not an object", async () => {
    const fails = (options: unknown) => Effect.runPromise(Effect.flip(Effect.scoped(Layer.build(Reports.layer(options as never)))))
    expect(await fails({ crsh: "Error" })).toMatchObject({ _tag: "InvalidReportLevels", field: "reports.crsh" })
    expect(await fails({ restart: "Loud" })).toMatchObject({ _tag: "InvalidReportLevels", field: "reports.restart" })
    expect(await fails({ crash: true })).toMatchObject({ _tag: "InvalidReportLevels", field: "reports.crash" })
    expect(await fails("quiet")).toMatchObject({ _tag: "InvalidReportLevels", field: "reports" })
  })
})

describe("cluster hosting in a worker thread (ClusterActor.host isolate)", () => {
  it("ClusterActor.host isolate that is not { worker: { entry, … } } or has bad thread options", async () => {
    const P = Protocol.make("IsolateOptions", { Get: { reply: Schema.Int } })
    const B = Actor.make<Protocol.Type<typeof P>>()({ init: () => Effect.succeed(0), receive: { Get: (n) => Actor.reply(n, n) } })
    const entry = { module: import.meta.url, export: "Def" }
    const fails = (isolate: unknown) =>
      Effect.runPromise(Effect.flip(Effect.scoped(Layer.build(
        ClusterActor.host(P, B, { isolate } as never).pipe(
          Layer.provide(Cluster.layer({ storage: "memory" })),
          Layer.provide(ActorSystem.layer)
        )
      ))))
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      ["worker", "isolate"],
      [{ thread: {} }, "isolate.thread"],
      [{}, "isolate.worker"],
      [{ worker: { heartbeat: {} } }, "isolate.worker.entry"],
      [{ worker: { entry: { module: "./relative.ts", export: "Def" } } }, "isolate.worker.entry.module"],
      [{ worker: { entry: { module: new URL("https://example.invalid/x.js"), export: "Def" } } }, "isolate.worker.entry.module"],
      [{ worker: { entry: { module: import.meta.url, export: "" } } }, "isolate.worker.entry.export"],
      [{ worker: { entry, heartbeat: { interval: "1 second", timeout: "1 second" } } }, "isolate.worker.heartbeat.timeout"],
      [{ worker: { entry, heartbeat: { interval: -5 } } }, "isolate.worker.heartbeat.interval"],
      [{ worker: { entry, heartbeat: { every: "1 second" } } }, "isolate.worker.heartbeat.every"],
      [{ worker: { entry, resourceLimits: { maxOldGenerationSizeMb: 0 } } }, "isolate.worker.resourceLimits.maxOldGenerationSizeMb"],
      [{ worker: { entry, resourceLimits: { heapMb: 64 } } }, "isolate.worker.resourceLimits.heapMb"],
      [{ worker: { entry, startTimeout: "soon" } }, "isolate.worker.startTimeout"],
      [{ worker: { entry, shutdown: "politely" } }, "isolate.worker.shutdown"],
      [{ worker: { entry, label: "x" } }, "isolate.worker.label"]
    ]
    for (const [isolate, field] of cases) {
      expect(await fails(isolate), JSON.stringify(isolate)).toMatchObject({ _tag: "InvalidClusterOptions", where: "ClusterActor.host", field })
    }
  })
})

describe("metrics (Metrics.layer)", () => {
  it("metrics maxLabels that is not an integer from 1 to 10000, or options that are not an object", async () => {
    const fails = (options: unknown) => Effect.runPromise(Effect.flip(Effect.scoped(Layer.build(Metrics.layer(options as never)))))
    for (const maxLabels of [0, 2.5, 10_001, "64"]) {
      expect(await fails({ maxLabels })).toMatchObject({ _tag: "InvalidMetricsOptions", field: "maxLabels" })
    }
    expect(await fails(7)).toMatchObject({ _tag: "InvalidMetricsOptions", field: "options" })
  })
})

describe("child specs (Supervisor.start, Supervisor.startChild)", () => {
  it("child spec that is not an object", () =>
    run(Effect.gen(function*() {
      for (const bad of [null, 42, "worker"]) expect((yield* invalidSpec(staticSpec([bad]))).field).toBe("spec")
    })))

  it("child spec without an id, or with an empty or non-string id", () =>
    run(Effect.gen(function*() {
      for (const id of [undefined, "", 7]) {
        expect((yield* invalidSpec(staticSpec([{ id, start: Actor.spawn(Echo) }]))).field).toBe("id")
      }
    })))

  it("child spec whose start is not an Effect", () =>
    run(Effect.gen(function*() {
      for (const start of [undefined, () => Actor.spawn(Echo), Promise.resolve(1)]) {
        const e = yield* invalidSpec(staticSpec([{ id: "a", start }]))
        expect([e.child, e.field]).toEqual(["a", "start"])
      }
    })))

  it("child spec with an unknown restart type", () =>
    run(Effect.gen(function*() {
      const e = yield* invalidSpec(staticSpec([{ ...echoChild("a"), restart: "always" }]))
      expect([e.child, e.field, e.value]).toEqual(["a", "restart", "always"])
    })))

  it("child spec with an unknown type", () =>
    run(Effect.gen(function*() {
      expect((yield* invalidSpec(staticSpec([{ ...echoChild("a"), type: "daemon" }]))).field).toBe("type")
    })))

  it("child spec with a negative, NaN, infinite-number or unparseable shutdown", () =>
    run(Effect.gen(function*() {
      for (const shutdown of [-1, Number.NaN, Number.POSITIVE_INFINITY, "soon", "-5 seconds", {}, true]) {
        expect((yield* invalidSpec(staticSpec([{ ...echoChild("a"), shutdown }]))).field).toBe("shutdown")
      }
    })))

  it("child spec whose significant is not a boolean", () =>
    run(Effect.gen(function*() {
      const spec = staticSpec([{ ...echoChild("a"), restart: "transient", significant: "yes" }], { autoShutdown: "any-significant" })
      expect((yield* invalidSpec(spec)).field).toBe("significant")
    })))

  it("significant permanent child", () =>
    run(Effect.gen(function*() {
      const spec = staticSpec([{ ...echoChild("a"), significant: true }], { autoShutdown: "any-significant" })
      expect((yield* invalidSpec(spec)).field).toBe("significant")
    })))

  it("significant child under autoShutdown never", () =>
    run(Effect.gen(function*() {
      const spec = staticSpec([{ ...echoChild("a"), restart: "transient", significant: true }])
      expect((yield* invalidSpec(spec)).field).toBe("significant")
    })))

  it("two children with the same id", () =>
    run(Effect.gen(function*() {
      const e = yield* invalidSpec(staticSpec([echoChild("a"), echoChild("a")]))
      expect([e.child, e.field]).toEqual(["a", "id"])
    })))

  it("invalid grandchild in a nested supervisor spec", () =>
    run(Effect.gen(function*() {
      const spec = staticSpec([
        echoChild("a"),
        Supervisor.child("sub", { strategy: "one-for-one", children: [{ ...echoChild("x"), restart: "sometimes" } as never] })
      ])
      const e = yield* invalidSpec(spec)
      expect([e.child, e.field]).toEqual(["sub/x", "restart"]) // checked before "a" started
    })))

  it("start that fails, dies or throws", () =>
    run(Effect.gen(function*() {
      const starts = [
        Effect.fail("no database"),
        Effect.die(new Error("bug")),
        Effect.sync(() => {
          throw "thrown string"
        })
      ]
      for (const start of starts) {
        const e = yield* errorOf(Supervisor.start(staticSpec([echoChild("a"), { id: "b", start }]) as never))
        expect(e._tag).toBe("ChildStartFailed")
        expect((e as { child: string }).child).toBe("b")
        expect(yield* liveActors).toBe(0) // "a" was stopped again
      }
    })))

  it("start that returns something other than an ActorRef or Child.ignore", () =>
    run(Effect.gen(function*() {
      const e = yield* errorOf(Supervisor.start(staticSpec([{ id: "a", start: Effect.succeed("not a ref") }]) as never))
      expect(e._tag).toBe("ChildStartFailed")
      const cause = (e as { cause: Cause.Cause<unknown> }).cause
      expect(Cause.pretty(cause)).toContain("not an ActorRef or Child.ignore")
    })))

  it("startChild with an invalid spec", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [echoChild("a")] })
      const e = yield* errorOf(Supervisor.startChild(sup, { id: "b", start: Actor.spawn(Echo), restart: "never" } as never))
      expect(e._tag).toBe("InvalidChildSpec")
      expect((yield* Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual(["a"]) // unaffected
    })))

  it("startChild with the id of a running child", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [echoChild("a")] })
      const e = yield* errorOf(Supervisor.startChild(sup, echoChild("a")))
      expect(e._tag).toBe("ChildAlreadyStarted")
      const [a] = yield* Supervisor.whichChildren(sup)
      expect((e as { ref: unknown }).ref).toBe(a!.ref)
    })))

  it("startChild with the id of a kept, stopped child", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [echoChild("a")] })
      yield* Supervisor.terminateChild(sup, "a")
      expect((yield* errorOf(Supervisor.startChild(sup, echoChild("a"))))._tag).toBe("ChildAlreadyPresent")
    })))

  it("child spec whose name is not a Registry key", () =>
    run(Effect.gen(function*() {
      for (const name of ["echo", 7, { name: "echo" }, null]) {
        const e = yield* invalidSpec(staticSpec([{ id: "w", start: Actor.spawn(Echo), name }]))
        expect(e).toMatchObject({ child: "w", field: "name", value: name })
        expect(e.message).toContain("must be a Registry key")
      }
    })))

  it("a named child whose name a live actor holds", () =>
    run(Effect.gen(function*() {
      const Name = Registry.key<EchoMsg>()("taken")
      const holder = yield* Actor.spawn(Echo)
      yield* Registry.register(Name, holder)
      const e = yield* errorOf(Supervisor.start({
        strategy: "one-for-one",
        children: [Child.worker({ id: "w", start: Actor.spawn(Echo), name: Name })]
      }))
      expect(e._tag).toBe("ChildStartFailed")
      const cause = (e as { readonly cause: Cause.Cause<unknown> }).cause
      expect(Option.getOrThrow(Cause.findErrorOption(cause))).toMatchObject({ _tag: "AlreadyRegistered", name: "taken" })
      expect(yield* liveActors).toBe(1) // only the holder: the child was not started
    })))

  it("childRef of an unknown child or of one with no running instance", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        children: [echoChild("up"), Child.worker({ id: "idle", start: Effect.succeed(Child.ignore) })]
      })
      const loose: Supervisor.SupervisorRef = sup
      const missing = yield* errorOf(Supervisor.childRef(loose, "ghost"))
      expect(missing).toMatchObject({ _tag: "ChildNotFound", child: "ghost" })
      const idle = yield* errorOf(Supervisor.childRef(sup, "idle"))
      expect(idle).toMatchObject({ _tag: "ChildNotRunning", child: "idle", status: "not_running" })
      expect(idle.message).toContain(`child "idle" has no running instance (not_running)`)
      expect(yield* ActorRef.ask(yield* Supervisor.childRef(sup, "up"), { _tag: "Echo", text: "ok" })).toBe("ok")
    })))

  it("terminateChild, restartChild or deleteChild of an unknown id", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [] })
      expect((yield* errorOf(Supervisor.terminateChild(sup, "zz")))._tag).toBe("ChildNotFound")
      expect((yield* errorOf(Supervisor.restartChild(sup, "zz")))._tag).toBe("ChildNotFound")
      expect((yield* errorOf(Supervisor.deleteChild(sup, "zz")))._tag).toBe("ChildNotFound")
    })))

  it("restartChild or deleteChild of a running child", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [echoChild("a")] })
      for (const e of [yield* errorOf(Supervisor.restartChild(sup, "a")), yield* errorOf(Supervisor.deleteChild(sup, "a"))]) {
        expect(e._tag).toBe("ChildRunning")
        expect((e as { status: string }).status).toBe("running")
      }
    })))

  it("a call on a supervisor that has stopped", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [echoChild("a")] })
      yield* ActorRef.stop(sup)
      expect((yield* errorOf(Supervisor.whichChildren(sup)))._tag).toBe("ActorNotAlive")
      expect((yield* errorOf(Supervisor.startChild(sup, echoChild("b"))))._tag).toBe("ActorNotAlive")
      expect(yield* liveActors).toBe(0)
    })))

  it("a message outside a supervisor's public protocol, sent by casting", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [echoChild("a")] })
      const before = yield* Supervisor.whichChildren(sup)
      for (const msg of [{ _tag: "Boot" }, { _tag: "RetryRestart", id: "a", token: 0 }, { _tag: "Nope" }, null, 7]) {
        const reply = yield* ActorRef.ask(sup, msg as never, { timeout: "1 second" })
        expect(Exit.isExit(reply) && Exit.isFailure(reply)).toBe(true)
        expect(Cause.findErrorOption((reply as Exit.Failure<unknown, { _tag: string }>).cause).pipe(
          Option.map((e) => (e as { _tag: string })._tag)
        )).toEqual(Option.some("UnknownRequest"))
      }
      expect(yield* Supervisor.whichChildren(sup)).toEqual(before) // the same incarnation, nothing started twice
      expect(yield* liveActors).toBe(2)
    })))
})

// ------------------------------------------------------------------------------------------
// supervisor options
// ------------------------------------------------------------------------------------------

describe("supervisor options (Supervisor.start)", () => {
  const optionField = (extra: Record<string, unknown>) =>
    Effect.map(invalidSpec(staticSpec([echoChild("a")], extra)), (e) => {
      expect(e.child).toBeUndefined() // a supervisor-level option
      return e.field
    })

  it("supervisor spec that is not an object", () =>
    run(Effect.gen(function*() {
      expect((yield* invalidSpec(undefined)).field).toBe("spec")
    })))

  it("unknown strategy", () =>
    run(Effect.gen(function*() {
      expect(yield* optionField({ strategy: "all-for-one" })).toBe("strategy")
      expect(yield* optionField({ strategy: "simple_one_for_one" })).toBe("strategy")
      expect(yield* optionField({ strategy: null })).toBe("strategy") // only an absent strategy is the default
    })))

  it("unknown autoShutdown", () =>
    run(Effect.gen(function*() {
      expect(yield* optionField({ autoShutdown: "sometimes" })).toBe("autoShutdown")
    })))

  it("intensity that is negative, fractional or not a number", () =>
    run(Effect.gen(function*() {
      for (const intensity of [-1, 1.5, "3", Number.NaN]) expect(yield* optionField({ intensity })).toBe("intensity")
    })))

  it("period that is zero, negative, infinite or unparseable", () =>
    run(Effect.gen(function*() {
      for (const period of [0, "-1 second", "infinity", Number.POSITIVE_INFINITY, "a while"]) {
        expect(yield* optionField({ period })).toBe("period")
      }
    })))

  it("children that is not an array", () =>
    run(Effect.gen(function*() {
      expect((yield* invalidSpec({ strategy: "one-for-one", children: { a: 1 } })).field).toBe("children")
    })))

  it("label that is not a string", () =>
    run(Effect.gen(function*() {
      expect(yield* optionField({ label: 42 })).toBe("label")
    })))

  it("restartDelay that is not a Schedule", () =>
    run(Effect.gen(function*() {
      expect(yield* optionField({ restartDelay: "100 millis" })).toBe("restartDelay")
    })))

  it("onEvent that is not a function", () =>
    run(Effect.gen(function*() {
      expect(yield* optionField({ onEvent: "log" })).toBe("onEvent")
    })))

  it("reports option with an unknown report or a level that is not a log level", () =>
    run(Effect.gen(function*() {
      expect(yield* optionField({ reports: { crsh: "Error" } })).toBe("reports.crsh")
      expect(yield* optionField({ reports: { restart: "Loud" } })).toBe("reports.restart")
      expect(yield* optionField({ reports: "off" })).toBe("reports")
    })))

  it("onEvent observer that throws", () =>
    run(Effect.gen(function*() {
      let calls = 0
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        children: [echoChild("a")],
        onEvent: () => {
          calls++
          throw new Error("observer bug")
        }
      })
      const [a] = yield* Supervisor.whichChildren(sup)
      yield* ActorRef.tell(a!.ref as ActorRef.ActorRef<EchoMsg>, { _tag: "Fail" })
      yield* ActorRef.monitor(a!.ref!)
      yield* untilIdle
      const [again] = yield* Supervisor.whichChildren(sup)
      expect(again!.incarnation).toBe(2) // restarted all the same
      expect(calls).toBeGreaterThan(1)
    })))
  it("supervisor whose name is not a Registry key", () =>
    run(Effect.gen(function*() {
      const e = yield* invalidSpec(staticSpec([], { name: "root" }))
      expect(e).toMatchObject({ child: undefined, field: "name", value: "root" })
      const d = yield* errorOf(DynamicSupervisor.start({ child: (_: string) => Actor.spawn(Echo), name: 7 as never }))
      expect(d).toMatchObject({ _tag: "InvalidChildSpec", child: undefined, field: "name", value: 7 })
      expect(yield* liveActors).toBe(0)
    })))

  it("a supervisor started under a name a live actor holds", () =>
    run(Effect.gen(function*() {
      const Name = Registry.key<Supervisor.Protocol>()("root")
      const first = yield* Supervisor.start({ strategy: "one-for-one", name: Name, children: [echoChild("a")] })
      const e = yield* errorOf(Supervisor.start({ strategy: "one-for-one", name: Name, children: [echoChild("b")] }))
      expect(e).toMatchObject({ _tag: "AlreadyRegistered", name: "root", holder: first })
      expect(yield* liveActors).toBe(2) // the first supervisor and its child; the second never started
    })))
  it("Supervisor.layer with an unknown onRootExit", () =>
    run(Effect.gen(function*() {
      const e = yield* errorOf(Layer.build(Supervisor.layer(staticSpec([echoChild("a")]) as never, { onRootExit: "ignore" as never })))
      expect(e).toMatchObject({ _tag: "InvalidChildSpec", child: undefined, field: "onRootExit", value: "ignore" })
      expect(yield* liveActors).toBe(0) // checked before the tree starts
    })))

  it("Supervisor.runMain given something that is neither a Layer nor an Effect", () => {
    const signalListeners = () => process.listenerCount("SIGTERM") + process.listenerCount("SIGINT")
    const before = signalListeners()
    for (const [value, got] of [[undefined, "undefined"], [null, "null"], [{}, "an object"], [() => Effect.void, "a function"], ["app", "a string"]] as const) {
      expect(() => Supervisor.runMain(value as never)).toThrow(
        new TypeError(`Supervisor.runMain expects a Layer (the application) or an Effect (the program), got ${got}`)
      )
    }
    expect(signalListeners()).toBe(before) // thrown before anything ran or listened
  })
})

// ------------------------------------------------------------------------------------------
// dynamic supervisors
// ------------------------------------------------------------------------------------------

describe("dynamic supervisor options and calls (DynamicSupervisor)", () => {
  const template = (_: string) => Actor.spawn(Echo)
  const invalidDynamic = (spec: unknown) =>
    Effect.gen(function*() {
      const e = yield* errorOf(DynamicSupervisor.start(spec as never))
      expect(e._tag).toBe("InvalidChildSpec")
      expect(yield* liveActors).toBe(0)
      return (e as { field: string }).field
    })

  it("dynamic supervisor without a child template function", () =>
    run(Effect.gen(function*() {
      expect(yield* invalidDynamic({ child: Actor.spawn(Echo) })).toBe("child")
    })))

  it("maxChildren that is negative or fractional", () =>
    run(Effect.gen(function*() {
      for (const maxChildren of [-1, 2.5, "10"]) expect(yield* invalidDynamic({ child: template, maxChildren })).toBe("maxChildren")
    })))

  it("significant on a dynamic supervisor without autoShutdown or with a permanent template", () =>
    run(Effect.gen(function*() {
      expect(yield* invalidDynamic({ child: template, restart: "transient", significant: true })).toBe("significant")
      expect(yield* invalidDynamic({ child: template, significant: true, autoShutdown: "any-significant" })).toBe(
        "significant"
      )
      expect(yield* invalidDynamic({ child: template, significant: "yes", autoShutdown: "any-significant" })).toBe(
        "significant"
      )
      // the valid combination starts
      const sup = yield* DynamicSupervisor.start({
        child: template,
        restart: "transient",
        significant: true,
        autoShutdown: "all-significant"
      })
      expect(yield* ActorRef.isAlive(sup)).toBe(true)
    })))

  it("dynamic supervisor with an unknown autoShutdown", () =>
    run(Effect.gen(function*() {
      expect(yield* invalidDynamic({ child: template, autoShutdown: "some-significant" })).toBe("autoShutdown")
      expect(yield* invalidDynamic({ child: template, autoShutdown: 1 })).toBe("autoShutdown")
    })))

  it("invalid restart, shutdown or type for dynamic children", () =>
    run(Effect.gen(function*() {
      expect(yield* invalidDynamic({ child: template, restart: "forever" })).toBe("restart")
      expect(yield* invalidDynamic({ child: template, shutdown: -3 })).toBe("shutdown")
      expect(yield* invalidDynamic({ child: template, type: "thread" })).toBe("type")
      expect(yield* invalidDynamic({ child: template, intensity: -1 })).toBe("intensity")
    })))

  it("startChild beyond maxChildren", () =>
    run(Effect.gen(function*() {
      const sup = yield* DynamicSupervisor.start({ child: template, maxChildren: 1 })
      yield* DynamicSupervisor.startChild(sup, "one")
      const e = yield* errorOf(DynamicSupervisor.startChild(sup, "two"))
      expect(e._tag).toBe("MaxChildrenReached")
      expect((yield* DynamicSupervisor.countChildren(sup)).active).toBe(1)
    })))

  it("child template that throws or returns a non-Effect", () =>
    run(Effect.gen(function*() {
      const throwing = yield* DynamicSupervisor.start({
        child: (_: string): Effect.Effect<ActorRef.ActorRef<EchoMsg>> => {
          throw new Error("template bug")
        }
      })
      expect((yield* errorOf(DynamicSupervisor.startChild(throwing, "x")))._tag).toBe("ChildStartFailed")
      const notEffect = yield* DynamicSupervisor.start({ child: ((_: string) => 42) as unknown as (_: string) => Effect.Effect<ActorRef.ActorRef<EchoMsg>> })
      expect((yield* errorOf(DynamicSupervisor.startChild(notEffect, "x")))._tag).toBe("ChildStartFailed")
      expect(ActorRef.isAliveUnsafe(throwing) && ActorRef.isAliveUnsafe(notEffect)).toBe(true)
    })))

  it("terminateChild of a live actor that is not a child (an ended one succeeds)", () =>
    run(Effect.gen(function*() {
      const sup = yield* DynamicSupervisor.start({ child: template })
      const stranger = yield* Actor.spawn(Echo)
      expect((yield* errorOf(DynamicSupervisor.terminateChild(sup, stranger)))._tag).toBe("ChildNotFound")
      yield* ActorRef.stop(stranger)
      yield* DynamicSupervisor.terminateChild(sup, stranger) // an ended reference: ok, as in OTP
    })))
  it("childName that is not a function, or returns something that is not a Registry key", () =>
    run(Effect.gen(function*() {
      const e = yield* errorOf(DynamicSupervisor.start({ child: (_: string) => Actor.spawn(Echo), childName: "x" as never }))
      expect(e).toMatchObject({ _tag: "InvalidChildSpec", field: "childName", value: "x" })
      const noKey = yield* DynamicSupervisor.start({
        child: (_: string) => Actor.spawn(Echo),
        childName: ((user: string) => `session/${user}`) as never
      })
      const bad = yield* errorOf(DynamicSupervisor.startChild(noKey, "bob"))
      expect(bad).toMatchObject({ _tag: "InvalidChildSpec", field: "childName", value: "session/bob" })
      const throwing = yield* DynamicSupervisor.start({
        child: (_: string) => Actor.spawn(Echo),
        childName: (): Registry.Key<EchoMsg> => {
          throw new Error("no name")
        }
      })
      const thrown = yield* errorOf(DynamicSupervisor.startOrLookup(throwing, "bob"))
      expect(thrown).toMatchObject({ _tag: "InvalidChildSpec", field: "childName" })
      expect(ActorRef.isAliveUnsafe(noKey) && ActorRef.isAliveUnsafe(throwing)).toBe(true)
      expect(yield* liveActors).toBe(2) // the two supervisors, no child
    })))

  it("startOrLookup on a template without childName", () =>
    run(Effect.gen(function*() {
      const sup = yield* DynamicSupervisor.start({ child: (_: string) => Actor.spawn(Echo) })
      // a type error (the ref's type says: no childName); a JS caller still gets a typed failure
      // @ts-expect-error startOrLookup needs a ref whose template has a childName
      const e = yield* errorOf(DynamicSupervisor.startOrLookup(sup, "bob"))
      expect(e).toMatchObject({ _tag: "InvalidChildSpec", field: "childName" })
      expect(e.message).toContain("startOrLookup needs a template with a childName")
      expect((yield* DynamicSupervisor.countChildren(sup)).active).toBe(0)
    })))

  it("Pool.child with a size that is not a whole number of at least 1, or a worker that is not an Effect", () => {
    for (const size of [0, -1, 1.5, Number.NaN, "4", undefined]) {
      expect(() => Pool.child("jobs", { size: size as never, worker: Actor.spawn(Echo) }))
        .toThrow(expect.objectContaining({ _tag: "InvalidChildSpec", child: "jobs", field: "size", value: size }))
    }
    for (const worker of [() => Actor.spawn(Echo), undefined, Promise.resolve(1)]) {
      expect(() => Pool.child("jobs", { size: 2, worker: worker as never }))
        .toThrow(expect.objectContaining({ _tag: "InvalidChildSpec", child: "jobs", field: "worker" }))
    }
    expect(() => Pool.child("jobs", null as never)).toThrow(expect.objectContaining({ field: "options" }))
  })

  it("Pool.ask on a supervisor that is not a pool, through a cast", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ children: [echoChild("a")] })
      const e = yield* errorOf(Pool.ask(sup as unknown as Pool.PoolRef<EchoMsg>, { _tag: "Echo", text: "hi" }))
      expect(e).toMatchObject({ _tag: "ChildNotFound" })
      expect(e.message).toContain("not a pool's ref")
    })))

  it("askChild of a template whose start returned Child.ignore", () =>
    run(Effect.gen(function*() {
      const Session = (user: string) => Registry.key<EchoMsg>()(`ignored/${user}`)
      const sup = yield* DynamicSupervisor.start({ child: (_: string) => Effect.succeed(Child.ignore), childName: Session })
      // a type error (the template may ignore); a JS caller still gets a typed failure
      const e = yield* errorOf(DynamicSupervisor.askChild(sup as unknown as DynamicSupervisor.DynamicSupervisorRef<string, ActorRef.ActorRef<EchoMsg>, never, true>, "bob", { _tag: "Echo", text: "hi" }))
      expect(e).toMatchObject({ _tag: "ChildNotRunning", child: "bob", status: "not_running" })
      expect((yield* DynamicSupervisor.countChildren(sup)).active).toBe(0)
    })))

  it("startChild of a name that is taken, and startOrLookup while that child waits for its restart", () =>
    run(Effect.gen(function*() {
      const Session = (user: string) => Registry.key<EchoMsg>()(`session/${user}`)
      const sup = yield* DynamicSupervisor.start({
        child: (_: string) => Actor.spawn(Echo),
        childName: Session,
        restartDelay: Schedule.spaced("1 second")
      })
      const alice = yield* DynamicSupervisor.startChild(sup, "alice")
      const taken = yield* errorOf(DynamicSupervisor.startChild(sup, "alice"))
      expect(taken).toMatchObject({ _tag: "ChildAlreadyStarted", child: "session/alice", ref: alice })
      yield* ActorRef.tell(alice, { _tag: "Fail" })
      yield* untilIdle
      const waiting = yield* errorOf(DynamicSupervisor.startOrLookup(sup, "alice"))
      expect(waiting).toMatchObject({ _tag: "ChildNotRunning", child: "session/alice", status: "restarting" })
      yield* TestSystem.advance("1 second")
      const again = yield* DynamicSupervisor.startOrLookup(sup, "alice")
      expect(again).not.toBe(alice)
      expect(Option.getOrThrow(yield* Registry.lookup(Session("alice")))).toBe(again)
    })))
})

// ------------------------------------------------------------------------------------------
// spawn options
// ------------------------------------------------------------------------------------------

describe("spawn options (Actor.spawn, Actor.make)", () => {
  const invalidOption = (options: unknown, behavior: Actor.Behavior<EchoMsg> = Echo) =>
    Effect.gen(function*() {
      const e = yield* errorOf(Actor.spawn(behavior, options as never))
      expect(e._tag).toBe("InvalidActorOptions")
      expect(yield* liveActors).toBe(0)
      return (e as { field: string }).field
    })

  it("spawn label that is not a string", () =>
    run(Effect.gen(function*() {
      expect(yield* invalidOption({ label: 1 })).toBe("label")
    })))

  it("mailbox that is not an object", () =>
    run(Effect.gen(function*() {
      expect(yield* invalidOption({ mailbox: 100 })).toBe("mailbox")
    })))

  it("mailbox capacity below 1, fractional, infinite or not a number", () =>
    run(Effect.gen(function*() {
      for (const capacity of [0, -5, 2.5, Number.POSITIVE_INFINITY, "10", undefined]) {
        expect(yield* invalidOption({ mailbox: { capacity } })).toBe("mailbox.capacity")
      }
    })))

  it("unknown mailbox overflow policy", () =>
    run(Effect.gen(function*() {
      expect(yield* invalidOption({ mailbox: { capacity: 10, overflow: "block" } })).toBe("mailbox.overflow")
    })))

  it("startTimeout that is negative, brutal or unparseable", () =>
    run(Effect.gen(function*() {
      for (const startTimeout of [-1, "brutal", "soon", Number.NaN, "-1 seconds", { secs: 5 }]) {
        expect(yield* invalidOption({ startTimeout })).toBe("startTimeout")
      }
    })))

  it("spawn shutdown that is invalid", () =>
    run(Effect.gen(function*() {
      for (const shutdown of [-1, "gently", Number.NaN, "-1 seconds", { secs: 5 }, {}]) {
        expect(yield* invalidOption({ shutdown })).toBe("shutdown")
      }
    })))

  it("invalid mailbox in the actor definition", () =>
    run(Effect.gen(function*() {
      const Bad = Actor.make<EchoMsg>()({
        init: () => Effect.succeed(0),
        receive: {
          Echo: (n, msg) => Actor.reply(msg.text, n),
          Never: () => Effect.never,
          Throw: (n) => n,
          Fail: (n) => n,
          Stop: () => Actor.stop()
        },
        mailbox: { capacity: 0 }
      })
      expect(yield* invalidOption(undefined, Bad)).toBe("mailbox.capacity")
    })))
})

// ------------------------------------------------------------------------------------------
// actor definitions
// ------------------------------------------------------------------------------------------

describe("actor definitions (Actor.make)", () => {
  /** The field named by the `InvalidActorDefinition` that `Actor.make` throws. */
  const rejected = (definition: unknown): string => {
    try {
      Actor.make<EchoMsg>()(definition as never)
    } catch (e) {
      expect((e as { _tag?: string })._tag).toBe("InvalidActorDefinition")
      return (e as { field: string }).field
    }
    throw new Error("Actor.make accepted a malformed definition")
  }
  const init = () => Effect.succeed(0)

  it("actor definition that is not an object", () => {
    for (const definition of [null, undefined, 42, "echo"]) expect(rejected(definition)).toBe("definition")
  })

  it("init that is not a function", () => {
    expect(rejected({ init: Effect.succeed(0), receive: {} })).toBe("init")
    expect(rejected({ receive: {} })).toBe("init")
  })

  it("receive that is not a handler table or a function", () => {
    for (const receive of [null, undefined, 42, []]) expect(rejected({ init, receive })).toBe("receive")
  })

  it("handler that is not a function", () => {
    expect(rejected({ init, receive: { Echo: (n: number) => n, Foo: 42 } })).toBe("receive.Foo")
  })

  it("onSignal, onStop or trapExit of the wrong type", () => {
    expect(rejected({ init, receive: {}, onSignal: 1 })).toBe("onSignal")
    expect(rejected({ init, receive: {}, onStop: Effect.void })).toBe("onStop")
    expect(rejected({ init, receive: {}, trapExit: "yes" })).toBe("trapExit")
  })
})

// ------------------------------------------------------------------------------------------
// messaging
// ------------------------------------------------------------------------------------------

describe("messaging (ActorRef)", () => {
  const deadLettersOf = Effect.map(ActorSystem.deadLetters, (sub) => {
    const seen: Array<DeadLetter.DeadLetter> = []
    return Effect.map(PubSub.takeUpTo(sub, Number.POSITIVE_INFINITY), (letters) => {
      seen.push(...letters)
      return seen.slice()
    })
  })

  it("ask after the actor stopped", () =>
    run(Effect.gen(function*() {
      const echo = yield* Actor.spawn(Echo)
      yield* ActorRef.stop(echo)
      expect((yield* errorOf(ActorRef.ask(echo, { _tag: "Echo", text: "hi" })))._tag).toBe("ActorNotAlive")
    })))

  it("ask an actor that ends before replying", () =>
    run(Effect.gen(function*() {
      const echo = yield* Actor.spawn(Echo)
      const asking = yield* Effect.forkChild(ActorRef.ask(echo, { _tag: "Never" }, { timeout: "infinity" }))
      yield* untilIdle
      yield* ActorRef.kill(echo)
      const e = yield* errorOf(Fiber.join(asking))
      expect(e._tag).toBe("ActorExited")
      expect((e as { reason: ExitReason.ExitReason }).reason._tag).toBe("Killed")
    })))

  it("ask that gets no reply in time", () =>
    run(Effect.gen(function*() {
      // brutal: it is stuck in a handler, and the TestClock would never let a timed stop expire
      const echo = yield* Actor.spawn(Echo, { shutdown: "brutal" })
      const asking = yield* Effect.forkChild(ActorRef.ask(echo, { _tag: "Never" }, { timeout: "1 second" }))
      yield* untilIdle
      yield* TestClock.adjust("1 second")
      expect((yield* errorOf(Fiber.join(asking)))._tag).toBe("AskTimeout")
      expect(ActorRef.isAliveUnsafe(echo)).toBe(true)
    })))

  it("ask with an invalid timeout", () =>
    run(Effect.gen(function*() {
      const echo = yield* Actor.spawn(Echo)
      // building the effect does not throw: the effect dies (the options are a programming error)
      const asking = ActorRef.ask(echo, { _tag: "Echo", text: "hi" }, { timeout: "soon" as never })
      const exit = yield* Effect.exit(asking)
      expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
      expect(String(Cause.squash((exit as Exit.Failure<unknown, unknown>).cause))).toMatch(/invalid timeout soon/)
      for (const timeout of [-5, Number.NaN, "-1 seconds", Number.POSITIVE_INFINITY, { secs: 5 }]) {
        const bad = yield* Effect.exit(ActorRef.ask(echo, { _tag: "Echo", text: "hi" }, { timeout: timeout as never }))
        expect(Exit.isFailure(bad) && Cause.hasDies(bad.cause)).toBe(true)
      }
      expect(yield* ActorRef.ask(echo, { _tag: "Echo", text: "still fine" })).toBe("still fine")
    })))

  it("tell to a dead actor", () =>
    run(Effect.gen(function*() {
      const letters = yield* deadLettersOf
      const echo = yield* Actor.spawn(Echo)
      yield* ActorRef.stop(echo)
      yield* ActorRef.tell(echo, { _tag: "Stop" }) // never fails
      ActorRef.tellUnsafe(echo, { _tag: "Stop" }) // never throws
      const seen = yield* letters
      expect(seen.map((l) => l.reason)).toEqual(["NotAlive", "NotAlive"])
    })))

  it("send to a dead actor", () =>
    run(Effect.gen(function*() {
      const echo = yield* Actor.spawn(Echo)
      yield* ActorRef.stop(echo)
      expect((yield* errorOf(ActorRef.send(echo, { _tag: "Stop" })))._tag).toBe("ActorNotAlive")
    })))

  it("tell, send or ask to a full mailbox with overflow fail", () =>
    run(Effect.gen(function*() {
      const letters = yield* deadLettersOf
      const echo = yield* Actor.spawn(Echo, { mailbox: { capacity: 1, overflow: "fail" }, shutdown: "brutal" })
      const busy = yield* Effect.forkChild(ActorRef.ask(echo, { _tag: "Never" }, { timeout: "infinity" }))
      yield* untilIdle // the actor is now stuck in Never; the mailbox is empty
      yield* ActorRef.send(echo, { _tag: "Stop" }) // fills it
      expect((yield* errorOf(ActorRef.send(echo, { _tag: "Stop" })))._tag).toBe("MailboxFull")
      expect((yield* errorOf(ActorRef.ask(echo, { _tag: "Echo", text: "x" })))._tag).toBe("MailboxFull")
      yield* ActorRef.tell(echo, { _tag: "Stop" })
      expect((yield* letters).map((l) => l.reason)).toContain("MailboxFull")
      yield* Fiber.interrupt(busy)
    })))

  it("ask pushed out of a dropOldest mailbox", () =>
    run(Effect.gen(function*() {
      const echo = yield* Actor.spawn(Echo, { mailbox: { capacity: 1, overflow: "dropOldest" }, shutdown: "brutal" })
      const busy = yield* Effect.forkChild(ActorRef.ask(echo, { _tag: "Never" }, { timeout: "infinity" }))
      yield* untilIdle
      const queued = yield* Effect.forkChild(ActorRef.ask(echo, { _tag: "Echo", text: "first" }, { timeout: "infinity" }))
      yield* untilIdle
      yield* ActorRef.tell(echo, { _tag: "Stop" }) // pushes the queued ask out
      expect((yield* errorOf(Fiber.join(queued)))._tag).toBe("MailboxFull")
      yield* Fiber.interrupt(busy)
    })))

  it("message with an unknown _tag", () =>
    run(Effect.gen(function*() {
      const echo = yield* Actor.spawn(Echo)
      yield* ActorRef.tell(echo, { _tag: "Reboot" } as never)
      const reason = yield* ActorRef.monitor(echo)
      expect(reason._tag).toBe("Failure")
      expect(ExitReason.format(reason)).toContain("no handler")
    })))

  it("stop or kill of an actor that already ended", () =>
    run(Effect.gen(function*() {
      const echo = yield* Actor.spawn(Echo)
      yield* ActorRef.tell(echo, { _tag: "Stop" })
      expect((yield* ActorRef.monitor(echo))._tag).toBe("Normal")
      expect((yield* ActorRef.stop(echo))._tag).toBe("Normal") // its exit reason, at once
      expect((yield* ActorRef.kill(echo))._tag).toBe("Normal")
    })))
})

// ------------------------------------------------------------------------------------------
// handlers and init
// ------------------------------------------------------------------------------------------

describe("handlers and init", () => {
  it("handler that throws a non-Error value", () =>
    run(Effect.gen(function*() {
      for (const value of ["a string", 42, { code: 7 }, null, undefined]) {
        const echo = yield* Actor.spawn(Echo)
        yield* ActorRef.tell(echo, { _tag: "Throw", value })
        const reason = yield* ActorRef.monitor(echo)
        expect(reason._tag).toBe("Failure")
      }
      // under a supervisor: restarted like any other failure
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [echoChild("a")] })
      const [a] = yield* Supervisor.whichChildren(sup)
      yield* ActorRef.tell(a!.ref as ActorRef.ActorRef<EchoMsg>, { _tag: "Throw", value: "boom" })
      yield* ActorRef.monitor(a!.ref!)
      yield* untilIdle
      const [again] = yield* Supervisor.whichChildren(sup)
      expect([again!.status, again!.incarnation]).toEqual(["running", 2])
    })))

  it("handler that fails or dies", () =>
    run(Effect.gen(function*() {
      const echo = yield* Actor.spawn(Echo)
      yield* ActorRef.tell(echo, { _tag: "Fail" })
      const reason = yield* ActorRef.monitor(echo)
      expect(reason._tag).toBe("Failure")
      expect(ExitReason.isAbnormal(reason)).toBe(true)
    })))

  const initWith = <E>(init: () => Effect.Effect<number, E>) =>
    Actor.make<{ readonly _tag: "Ping" }>()({ init, receive: { Ping: (n) => n } })

  it("init that fails", () =>
    run(Effect.gen(function*() {
      expect(yield* errorOf(Actor.spawn(initWith(() => Effect.fail("no config"))))).toBe("no config")
      expect(yield* liveActors).toBe(0)
    })))

  it("init that throws a non-Error value", () =>
    run(Effect.gen(function*() {
      const exit = yield* Effect.exit(Actor.spawn(initWith(() => {
        throw "init exploded"
      })))
      expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
      expect(yield* liveActors).toBe(0)
    })))

  it("init that never completes, with startTimeout", () =>
    run(Effect.gen(function*() {
      const spawning = yield* Effect.forkChild(Actor.spawn(initWith(() => Effect.never), { startTimeout: "2 seconds" }))
      yield* untilIdle
      yield* TestClock.adjust("2 seconds")
      const e = yield* errorOf(Fiber.join(spawning))
      expect(e._tag).toBe("StartTimeout")
      expect(yield* liveActors).toBe(0)
    })))

  it("init that never completes, without startTimeout", () =>
    run(Effect.gen(function*() {
      // documented: spawn waits for init; interrupting the spawner abandons it cleanly
      let released = 0
      const Holding = Actor.make<{ readonly _tag: "Ping" }>()({
        init: () =>
          Effect.acquireRelease(Effect.void, () => Effect.sync(() => void released++)).pipe(
            Effect.andThen(Effect.never as Effect.Effect<number>)
          ),
        receive: { Ping: (n) => n }
      })
      const spawning = yield* Effect.forkChild(Actor.spawn(Holding))
      yield* untilIdle
      yield* TestClock.adjust("1 hour")
      expect(spawning.pollUnsafe()).toBeUndefined()
      yield* Fiber.interrupt(spawning)
      expect(yield* liveActors).toBe(0)
      expect(released).toBe(1) // what init acquired is released
    })))

  it("init that never completes in a supervised child with startTimeout", () =>
    run(Effect.gen(function*() {
      const start = Actor.spawn(initWith(() => Effect.never), { startTimeout: "1 second" })
      const starting = yield* Effect.forkChild(Supervisor.start({ strategy: "one-for-one", children: [{ id: "slow", start }] }))
      yield* untilIdle
      yield* TestClock.adjust("1 second")
      const e = yield* errorOf(Fiber.join(starting))
      expect(e._tag).toBe("ChildStartFailed")
      expect(Cause.pretty((e as { cause: Cause.Cause<unknown> }).cause)).toContain("StartTimeout")
      expect(yield* liveActors).toBe(0)
    })))

  it("onStop hook that fails or throws", () =>
    run(Effect.gen(function*() {
      for (const onStop of [() => Effect.fail("cleanup failed"), () => Effect.die("cleanup died"), () => {
        throw "cleanup threw"
      }]) {
        const Hooked = Actor.make<{ readonly _tag: "Stop" }>()({
          init: () => Effect.succeed(0),
          receive: { Stop: () => Actor.stop(ExitReason.shutdown("done")) },
          onStop: onStop as never
        })
        const ref = yield* Actor.spawn(Hooked)
        yield* ActorRef.tell(ref, { _tag: "Stop" })
        const reason = yield* ActorRef.monitor(ref)
        expect(reason).toEqual(ExitReason.shutdown("done")) // the hook's failure is ignored
      }
      expect(yield* liveActors).toBe(0)
    })))
})

describe("handlers and init that return a Promise", () => {
  type Msg = { readonly _tag: "Go" }
  const js = (definition: unknown) => Actor.make<Msg>()(definition as never)

  it("handler that returns a Promise", () =>
    run(Effect.gen(function*() {
      const handlers = [
        async () => {
          throw new Error("async handler failed")
        },
        async (n: number) => n + 1,
        () => Effect.succeed(Promise.reject(new Error("an Effect of a Promise")))
      ]
      for (const Go of handlers) {
        const ref = yield* Actor.spawn(js({ init: () => Effect.succeed(0), receive: { Go } }))
        yield* ActorRef.tell(ref, { _tag: "Go" })
        const reason = yield* ActorRef.monitor(ref)
        expect(reason._tag).toBe("Failure")
        expect(Cause.pretty((reason as ExitReason.Failure).cause)).toContain("a handler returned a Promise")
      }
      yield* untilIdle
      expect(yield* liveActors).toBe(0)
    })))

  it("init or onStop that returns a Promise", () =>
    run(Effect.gen(function*() {
      const exit = yield* Effect.exit(Actor.spawn(js({
        init: async () => {
          throw new Error("async init failed")
        },
        receive: { Go: (n: number) => n }
      })))
      expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
      expect(Cause.pretty((exit as Exit.Failure<unknown, unknown>).cause)).toContain("init returned a Promise")
      const ref = yield* Actor.spawn(js({
        init: () => Effect.succeed(0),
        receive: { Go: () => Actor.stop(ExitReason.shutdown("done")) },
        onStop: async () => {
          throw new Error("async stop hook failed")
        }
      }))
      yield* ActorRef.tell(ref, { _tag: "Go" })
      expect(yield* ActorRef.monitor(ref)).toEqual(ExitReason.shutdown("done"))
      yield* untilIdle
      expect(yield* liveActors).toBe(0)
    })))
})

// ------------------------------------------------------------------------------------------
// registry
// ------------------------------------------------------------------------------------------

describe("registry misuse (Registry)", () => {
  const Name = Registry.key<EchoMsg>()("echo")
  const Group = Registry.group<EchoMsg>()("echoes")

  it("register a name a live actor holds", () =>
    run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Echo)
      const b = yield* Actor.spawn(Echo)
      yield* Registry.register(Name, a)
      const e = yield* errorOf(Registry.register(Name, b))
      expect(e._tag).toBe("AlreadyRegistered")
      expect((e as { holder: unknown }).holder).toBe(a)
    })))

  it("register the same actor twice under one name", () =>
    run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Echo)
      yield* Registry.register(Name, a)
      expect((yield* errorOf(Registry.register(Name, a)))._tag).toBe("AlreadyRegistered")
    })))

  it("register an actor that has ended", () =>
    run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Echo)
      yield* ActorRef.stop(a)
      expect((yield* errorOf(Registry.register(Name, a)))._tag).toBe("ActorNotAlive")
      expect(Option.isNone(yield* Registry.lookup(Name))).toBe(true)
    })))

  it("Registry.spawn with a taken name", () =>
    run(Effect.gen(function*() {
      yield* Registry.spawn(Name, Echo)
      const before = yield* liveActors
      expect((yield* errorOf(Registry.spawn(Name, Echo)))._tag).toBe("AlreadyRegistered")
      expect(yield* liveActors).toBe(before) // nothing started
    })))

  it("lookup of a name nobody holds", () =>
    run(Effect.gen(function*() {
      expect(Option.isNone(yield* Registry.lookup(Registry.key<EchoMsg>()("nobody")))).toBe(true)
    })))

  it("unregister a name not held, or held by another actor", () =>
    run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Echo)
      const b = yield* Actor.spawn(Echo)
      expect(yield* Registry.unregister(Name)).toBe(false)
      yield* Registry.register(Name, a)
      expect(yield* Registry.unregister(Name, b)).toBe(false)
      expect(Option.getOrUndefined(yield* Registry.lookup(Name))).toBe(a) // untouched
    })))

  it("await a name that never comes", () =>
    run(Effect.gen(function*() {
      const waiting = yield* Effect.forkChild(Registry.await(Name, "5 seconds"))
      yield* untilIdle
      yield* TestClock.adjust("5 seconds")
      expect((yield* errorOf(Fiber.join(waiting)))._tag).toBe("AwaitTimeout")
    })))

  it("await with an invalid timeout", () =>
    run(Effect.gen(function*() {
      for (const timeout of ["whenever", Number.NaN, -1, "-1 seconds", { secs: 5 }]) {
        const exit = yield* Effect.exit(Registry.await(Name, timeout as never))
        expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
      }
    })))

  it("key or group with an empty or non-string name", () => {
    expect(() => Registry.key<EchoMsg>()("")).toThrow(TypeError)
    expect(() => Registry.group<EchoMsg>()(undefined as never)).toThrow(TypeError)
  })

  it("join with an ended actor, or join twice", () =>
    run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Echo)
      expect(yield* Registry.join(Group, a)).toBe(true)
      expect(yield* Registry.join(Group, a)).toBe(false) // idempotent
      expect((yield* Registry.members(Group)).length).toBe(1)
      yield* ActorRef.stop(a)
      expect((yield* errorOf(Registry.join(Group, a)))._tag).toBe("ActorNotAlive")
    })))

  it("leave a group one is not in", () =>
    run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Echo)
      expect(yield* Registry.leave(Group, a)).toBe(false)
    })))

  it("broadcast to an empty group", () =>
    run(Effect.gen(function*() {
      expect(yield* Registry.broadcast(Group, { _tag: "Stop" })).toBe(0)
    })))
})

// ------------------------------------------------------------------------------------------
// scenario and config files, command lines
// ------------------------------------------------------------------------------------------

describe("scenario files and command lines", () => {
  const problems = (input: unknown, name?: string) => {
    try {
      validateScenario(input, name)
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidScenario)
      return (e as InvalidScenario).problems
    }
    throw new Error("the scenario was accepted")
  }

  it("scenario that is not an object, or has unknown keys or bad values", () => {
    expect(problems([])).toEqual(["$: a scenario must be a JSON object"])
    const found = problems({
      name: "bad",
      extra: 1,
      supervisor: { strategy: "one_for_none", intensity: -1, children: [{ id: "A", restart: "sometimes" }] },
      steps: [{ op: "explode" }, { op: "wait", ms: -5 }]
    })
    for (const path of ["$", "$.supervisor.strategy", "$.supervisor.intensity", "$.supervisor.children[0].id", "$.supervisor.children[0].restart", "$.steps[0].op", "$.steps[1].ms"]) {
      expect(found.some((p) => p.startsWith(`${path}:`)), `${path} in ${found.join("; ")}`).toBe(true)
    }
  })

  it("scenario whose name differs from its file name", () => {
    expect(problems({ name: "one", supervisor: { strategy: "one_for_one" }, steps: [] }, "two")).toEqual([
      `$.name: must equal the file name "two"`
    ])
  })

  it("step targeting a supervisor not in the static tree", () => {
    const found = problems({ name: "x", supervisor: { strategy: "one_for_one" }, steps: [{ op: "which_children", supervisor: "ghost" }] })
    expect(found).toEqual([`$.steps[0].supervisor: no supervisor "ghost" in the static tree`])
  })

  it("scenario file that is not valid JSON (pnpm run conformance)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "arbor-bad-scenarios-"))
    const out = mkdtempSync(join(tmpdir(), "arbor-bad-out-"))
    writeFileSync(join(dir, "broken.json"), "{ not json")
    writeFileSync(join(dir, "fine.json"), JSON.stringify({ name: "fine", supervisor: { strategy: "one_for_one", children: [{ id: "a" }] }, steps: [] }))
    const { code, stdout, stderr } = await node(["conformance/cli.ts", "--scenarios", dir, "--out", out])
    expect(code).toBe(1)
    expect(stderr).toContain("not valid JSON")
    expect(stdout).toContain("1 written, 1 invalid")
    expect(readFileSync(join(out, "fine.jsonl"), "utf8")).toContain("child_started") // the valid one ran
  }, 40_000)

  it("pnpm run conformance with missing or unknown arguments", async () => {
    const missing = await node(["conformance/cli.ts", "--out", "."])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("missing --scenarios")
    expect(missing.stderr).toContain("usage: pnpm run conformance")
    const unknown = await node(["conformance/cli.ts", "--scenarios", ".", "--out", ".", "--fast"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("unknown flag --fast; valid flags: --scenarios, --out, --help")
    const noValue = await node(["conformance/cli.ts", "--out", ".", "--scenarios"])
    expect(noValue.code).toBe(2)
    expect(noValue.stderr).toContain("--scenarios needs a value")
    const help = await node(["conformance/cli.ts", "--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("usage: pnpm run conformance")
  }, 60_000)

  it("pnpm run soak with a bad argument", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--crashes", "many"], `--crashes needs a whole number ≥ 0 (got "many")`],
      [["--crashes=-3"], `--crashes needs a whole number ≥ 0 (got "-3")`],
      [["--clients", "0"], `--clients needs a whole number ≥ 1 (got "0")`],
      [["--turbo"], "unknown flag --turbo; valid flags: --crashes, --seed, --clients, --json, --help"],
      [["--crashes"], "--crashes needs a value"]
    ]
    for (const [args, message] of cases) {
      const { code, stderr } = await node(["--expose-gc", "reliability/src/soak.ts", ...args])
      expect(code, args.join(" ")).toBe(2)
      expect(stderr).toContain(message)
      expect(stderr).toContain("usage: pnpm run soak")
    }
  }, 90_000)

  it("pnpm demo with an unknown flag or a bad number", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--secnds", "3"], "unknown flag --secnds; valid flags: --seconds, --seed, --clients, --fault-every, --no-live, --observe, --observe-port, --help"],
      [["--observe-port", "99999"], `--observe-port needs a whole number from 0 to 65535 (got "99999")`],
      [["--seconds", "0"], `--seconds needs a number > 0 (got "0")`],
      [["--seed", "x"], `--seed needs a whole number ≥ 0 (got "x")`],
      [["--no-live=yes"], "--no-live takes no value"]
    ]
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await node(["examples/chaos/src/main.ts", ...args])
      expect(code, args.join(" ")).toBe(2)
      expect(stderr).toContain(message)
      expect(stderr).toContain("usage: pnpm demo")
      expect(stdout).toBe("") // rejected before anything ran
    }
  }, 90_000)

  it("pnpm demo:cluster with an unknown flag, a bad number or a DATABASE_URL that is not PostgreSQL", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, Record<string, string>, string]> = [
      [["--secnds", "30"], {}, "unknown flag --secnds; valid flags: --seconds, --actors, --database-url, --no-live, --help"],
      [["--seconds", "5"], {}, `--seconds needs a number ≥ 20 (got "5")`],
      [["--actors", "30"], {}, `--actors needs a whole number from 3 to 26 (got "30")`],
      [["--no-live=yes"], {}, "--no-live takes no value"],
      [["--database-url"], {}, "--database-url needs a value"],
      [["now"], {}, "unexpected argument now (every argument is a --flag)"],
      [[], { DATABASE_URL: "mysql://app:hunter2@db/x" }, "DATABASE_URL needs a postgres:// or postgresql:// URL"]
    ]
    for (const [args, env, message] of cases) {
      const { code, stdout, stderr } = await nodeWithEnv(["examples/cluster/src/main.ts", ...args], env)
      expect(code, args.join(" ")).toBe(2)
      expect(stderr).toContain(message)
      expect(stderr).toContain("usage: pnpm demo:cluster")
      expect(stderr).not.toContain("hunter2") // a URL may carry a password: never echoed
      expect(stdout).toBe("") // rejected before anything ran: no database, no runner
    }
  }, 90_000)

  it("timer-rearm.ts with an unknown flag or a bad --rearms", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--rearm", "5"], "unknown flag --rearm; valid flags: --rearms, --json, --help"],
      [["--rearms", "abc"], `--rearms needs a whole number ≥ 2 (got "abc")`],
      [["--rearms", "1.5"], `--rearms needs a whole number ≥ 2 (got "1.5")`],
      [["--rearms"], "--rearms needs a value"],
      [["--json=yes"], "--json takes no value"]
    ]
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await node(["--expose-gc", "reliability/src/timer-rearm.ts", ...args])
      expect(code, args.join(" ")).toBe(2)
      expect(stderr).toContain(message)
      expect(stderr).toContain("usage: node --expose-gc")
      expect(stdout).toBe("") // rejected before anything was measured
    }
  }, 90_000)

  it("the observer overhead bench with an unknown flag or a bad value", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--round", "3"], "unknown flag --round; valid flags: --seconds, --rounds"],
      [["--rounds", "0"], `--rounds needs a whole number ≥ 1 (got "0")`],
      [["--seconds", "soon"], `--seconds needs a number > 0 (got "soon")`],
      [["--seconds"], "--seconds needs a value"],
      [["extra"], `unexpected argument extra`]
    ]
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await node(["packages/observer/bench/overhead.ts", ...args])
      expect(code, args.join(" ")).toBe(2)
      expect(stderr).toContain(message)
      expect(stderr).toContain("usage: overhead.ts")
      expect(stdout).toBe("")
    }
  }, 90_000)

  it("an example that takes no flags, given one", async () => {
    const names = ["cache", "cpu-pool", "log-aggregator", "restart-storm", "service", "stats-collector", "typed-counter"]
    const runs = await Promise.all(names.map((name) => node([`examples/${name}/src/main.ts`, "--verbose"])))
    for (const [i, { code, stdout, stderr }] of runs.entries()) {
      const name = names[i]!
      expect(code, name).toBe(2)
      expect(stderr).toContain(`unexpected argument "--verbose": this example takes no flags`)
      expect(stderr).toContain(`usage: `)
      expect(stderr).toContain(`pnpm --filter @arbor/example-${name} start`)
      expect(stdout, name).toBe("") // rejected before the example ran
    }
  }, 120_000)

  it("the service example with an invalid PORT", async () => {
    const ports = ["abc", "-1", "65536", "80.5", " 80", ""]
    const runs = await Promise.all(ports.map((port) => nodeWithEnv(["examples/service/src/main.ts"], { PORT: port })))
    for (const [i, { code, stdout, stderr }] of runs.entries()) {
      const port = ports[i]!
      expect(code, JSON.stringify(port)).toBe(2)
      expect(stderr).toContain(`PORT must be a whole number from 0 to 65535 (got ${JSON.stringify(port)})`)
      expect(stdout).toBe("")
    }
  }, 90_000)

  it("compare-trace.mjs with the wrong arguments", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [[], "expected 2 paths, got 0"],
      [["conformance/otp/golden"], "expected 2 paths, got 1"],
      [["a", "b", "c"], "expected 2 paths, got 3"],
      [["--help"], "unknown flag --help (compare-trace takes two paths and no flags)"],
      [["/nonexistent/golden", "/tmp"], "GOLDEN /nonexistent/golden does not exist"]
    ]
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await node(["conformance/otp/compare-trace.mjs", ...args])
      expect(code, args.join(" ")).toBe(2)
      expect(stderr).toContain(message)
      expect(stderr).toContain("usage: compare-trace.mjs GOLDEN(.jsonl|dir) ACTUAL(.jsonl|dir)")
      expect(stdout).toBe("")
    }
  }, 60_000)

  it("pnpm bench with an unknown flag or a bad value", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--round", "1"], "unknown flag --round; valid flags: "],
      [["--rounds", "0"], `--rounds needs a whole number ≥ 1 (got "0")`],
      [["--only", "W9"], "--only: unknown workload W9"],
      [["--impl", "akka"], "--impl: unknown implementation akka"]
    ]
    for (const [args, message] of cases) {
      const { code, stderr } = await node(["bench/src/run.ts", ...args])
      expect(code, args.join(" ")).toBe(2)
      expect(stderr).toContain(message)
      expect(stderr).toContain("usage: pnpm bench")
    }
  }, 90_000)
})

// ------------------------------------------------------------------------------------------
// nothing acknowledged is lost
// ------------------------------------------------------------------------------------------

describe("acknowledged messages", () => {
  it("bad inputs interleaved with acknowledged messages to a supervised actor", () =>
    run(Effect.gen(function*() {
      const Name = Registry.key<EchoMsg>()("victim")
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 100,
        children: [{ id: "victim", start: Registry.spawn(Name, Echo) }]
      })
      const acked: Array<string> = []
      const answers: Array<string> = []
      const badInputs: ReadonlyArray<Effect.Effect<unknown, unknown, Services>> = [
        Supervisor.startChild(sup, { id: "bad", start: 42 } as never),
        Supervisor.restartChild(sup, "victim"),
        Supervisor.deleteChild(sup, "ghost"),
        Actor.spawn(Echo, { mailbox: { capacity: -1 } }),
        Effect.flatMap(Registry.await(Name, "1 second"), (ref) => ActorRef.tell(ref, { _tag: "Throw", value: "rude" })),
        Effect.flatMap(Registry.await(Name, "1 second"), (ref) => ActorRef.tell(ref, { _tag: "Reboot" } as never)),
        Effect.flatMap(Registry.await(Name, "1 second"), (ref) => Registry.register(Name, ref))
      ]
      for (let i = 0; i < 60; i++) {
        yield* Effect.exit(badInputs[i % badInputs.length]!)
        const text = `m${i}`
        // acknowledged = the actor answered; retried until it does (the victim may be restarting)
        for (let attempt = 0; attempt < 20; attempt++) {
          const ref = yield* Registry.await(Name, "1 second")
          const exit = yield* Effect.exit(ActorRef.ask(ref, { _tag: "Echo", text }, { timeout: "1 second" }))
          if (Exit.isSuccess(exit)) {
            acked.push(text)
            answers.push(exit.value)
            break
          }
          yield* untilIdle
        }
      }
      expect(answers).toEqual(acked) // each acknowledgement answers its own message
      expect(acked.length).toBe(60)
      expect(ActorRef.isAliveUnsafe(sup)).toBe(true)
      const [victim] = yield* Supervisor.whichChildren(sup)
      expect(victim!.incarnation).toBeGreaterThan(1) // the rude inputs did crash it, and it was healed
    })))

  it("processes survive: no uncaught exception or unhandled rejection so far", () => {
    expect(processErrors).toEqual([])
  })
})
