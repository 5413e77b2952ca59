import { describe, expect, it } from "vitest"
import { Cause, Effect, Exit, Layer, Logger, References } from "effect"
import type { Scope } from "effect"
import { Actor, ActorRef, type ActorSystem, Reports } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import { TestSystem } from "@arbor/testkit"

interface Line {
  readonly level: string
  readonly message: string
  readonly annotations: Record<string, unknown>
  readonly cause: string | undefined
}

const capture = async <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>, reports?: Partial<Reports.ReportLevels> | false) => {
  const lines: Array<Line> = []
  const logger = Logger.make((o) => {
    lines.push({
      level: o.logLevel,
      message: (o.message as ReadonlyArray<unknown>).map(String).join(" "),
      annotations: { ...o.fiber.getRef(References.CurrentLogAnnotations) },
      cause: o.cause.reasons.length === 0 ? undefined : Cause.pretty(o.cause)
    })
  })
  const base = Layer.mergeAll(Logger.layer([logger]), Reports.layer(reports ?? {}))
  const exit = await Effect.runPromiseExit(program.pipe(Effect.scoped, Effect.provide(TestSystem.layer().pipe(Layer.provideMerge(base)))))
  if (Exit.isFailure(exit)) throw new Error(Cause.pretty(exit.cause))
  return { value: exit.value, lines }
}

type Msg = { readonly _tag: "Fail" } | Actor.Request<{ readonly _tag: "Ping" }, string>
const Worker = Actor.make<Msg>()({
  init: () => Effect.succeed(null),
  receive: { Fail: () => Effect.fail(new Error("disk full")), Ping: (s) => Actor.reply("pong", s) }
})

const settle = TestSystem.untilIdle

/** root → inner (one-for-one, intensity 1) → w; crashes w twice: one restart, then inner gives up and root restarts it. */
const scenario = (innerReports?: Partial<Reports.ReportLevels> | false) =>
  Effect.gen(function*() {
    const root = yield* Supervisor.start({
      label: "root",
      strategy: "one-for-one",
      children: [
        Supervisor.child("inner", {
          label: "inner",
          strategy: "one-for-one",
          intensity: 1,
          ...(innerReports !== undefined ? { reports: innerReports } : {}),
          children: [Child.worker({ id: "w", start: Actor.spawn(Worker, { label: "w" }) })]
        })
      ]
    })
    for (let i = 0; i < 2; i++) {
      const [inner] = yield* Supervisor.whichChildren(root)
      const [w] = yield* Supervisor.whichChildren(inner!.ref!)
      yield* ActorRef.tell(w!.ref as ActorRef.ActorRef<Msg>, { _tag: "Fail" })
      yield* settle
    }
  })

const supervisorLines = (lines: ReadonlyArray<Line>) => lines.filter((l) => l.message.startsWith("supervisor report"))

describe("supervisor reports through Effect.log", () => {
  it("S18 reports a child's abnormal end (path, incarnation, reason, cause), its restart, and a give-up, once each", async () => {
    const { lines } = await capture(scenario())
    const reports = supervisorLines(lines)
    expect(reports.map((l) => [l.level, l.message])).toEqual([
      ["Error", `supervisor report: child inner/w (incarnation 1) of supervisor "inner" terminated: failure(Error: disk full)`],
      ["Info", `supervisor report: supervisor "inner" restarted child inner/w (incarnation 2)`],
      ["Error", `supervisor report: child inner/w (incarnation 2) of supervisor "inner" terminated: failure(Error: disk full)`],
      ["Error", `supervisor report: supervisor "inner" gave up: more than 1 restart in 5000 ms; it stops its children and exits (shutdown), escalating to its parent`],
      ["Info", `supervisor report: supervisor "root" restarted child inner (incarnation 2)`]
    ])
    expect(reports[0]!.annotations).toEqual({
      "arbor.supervisor": "inner",
      "arbor.supervisor.label": "inner",
      "arbor.child": "inner/w",
      "arbor.incarnation": 1,
      "arbor.exit": "failure(Error: disk full)"
    })
    expect(reports[0]!.cause).toMatch(/disk full/)
    // and the crash reports of the actor itself, as OTP prints both
    expect(lines.filter((l) => l.message.startsWith(`crash report: actor "w"`)).length).toBe(2)
  })

  it("S18 a supervisor's reports option sets its own levels or turns them off; the rest of the tree keeps the system's", async () => {
    const off = supervisorLines((await capture(scenario(false))).lines)
    expect(off.map((l) => l.message)).toEqual([`supervisor report: supervisor "root" restarted child inner (incarnation 2)`])
    const quieter = supervisorLines((await capture(scenario({ restart: "Debug", giveUp: "Warn" }))).lines)
    // the restart at Debug is below the logger's minimum level (Info), so it is not printed
    expect(quieter.map((l) => l.level)).toEqual(["Error", "Error", "Warn", "Info"])
    const system = supervisorLines((await capture(scenario(), { restart: false })).lines)
    expect(system.map((l) => l.level)).toEqual(["Error", "Error", "Error"])
  })

  it("S18 onEvent may return an Effect: it runs with the supervisor's services, and a failing one is ignored", async () => {
    const { lines } = await capture(Effect.gen(function*() {
      const seen: Array<string> = []
      const root = yield* Supervisor.start({
        strategy: "one-for-one",
        reports: false,
        onEvent: (event) =>
          event._tag === "ChildStarted"
            ? Effect.andThen(Effect.logInfo(`observed ${event.child} #${event.incarnation}`), Effect.sync(() => void seen.push(event.child)))
            : Effect.fail("an observer that fails"),
        children: [Child.worker({ id: "w", start: Actor.spawn(Worker) })]
      })
      const [w] = yield* Supervisor.whichChildren(root)
      yield* ActorRef.tell(w!.ref as ActorRef.ActorRef<Msg>, { _tag: "Fail" })
      yield* settle
      const [again] = yield* Supervisor.whichChildren(root)
      return { seen, pong: yield* ActorRef.ask(again!.ref as ActorRef.ActorRef<Msg>, { _tag: "Ping" }) }
    }))
    expect(lines.filter((l) => l.message.startsWith("observed")).map((l) => l.message)).toEqual(["observed w #1", "observed w #2"])
  })
})
