import { describe, expect, it } from "vitest"
import { Cause, Effect, Exit, Layer, Logger, References } from "effect"
import type { Scope } from "effect"
import { TestClock } from "effect/testing"
import { Actor, ActorRef, ActorSystem, Reports } from "@arbor/core"
import { TestSystem } from "@arbor/testkit"
import { untilIdle } from "./utils.ts"

interface Line {
  readonly level: string
  readonly message: string
  readonly annotations: Record<string, unknown>
  readonly cause: string | undefined
}

/** Runs `program` with a logger that records every line, in a world whose reports use `reports`. */
const capture = async <A, E>(
  program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>,
  reports?: Partial<Reports.ReportLevels> | false
) => {
  const lines: Array<Line> = []
  const logger = Logger.make((o) => {
    lines.push({
      level: o.logLevel,
      message: (o.message as ReadonlyArray<unknown>).map(String).join(" "),
      annotations: { ...o.fiber.getRef(References.CurrentLogAnnotations) },
      cause: o.cause.reasons.length === 0 ? undefined : Cause.pretty(o.cause)
    })
  })
  // the system reads the clock, logger and levels it is built with (for dead letters); actors
  // read them where they are spawned
  const base = Layer.mergeAll(Logger.layer([logger]), Reports.layer(reports ?? {}))
  const exit = await Effect.runPromiseExit(program.pipe(
    Effect.scoped,
    Effect.provide(TestSystem.layer().pipe(Layer.provideMerge(base)))
  ))
  return { exit, lines }
}

type Msg =
  | { readonly _tag: "Boom" }
  | { readonly _tag: "Log"; readonly text: string }
  | Actor.Request<{ readonly _tag: "Ping" }, string>

const Worker = Actor.make<Msg>()({
  init: () => Effect.succeed(null),
  receive: {
    Boom: () => Effect.fail(new Error("boom")),
    Log: (s, m) => Effect.as(Effect.logInfo(m.text), s),
    Ping: (s) => Actor.reply("pong", s)
  }
})

const crashOne = Effect.gen(function*() {
  // the spawner's annotations must not reach the actor's lines or its crash report
  const ref = yield* Effect.annotateLogs(Actor.spawn(Worker, { label: "writer" }), { request: "r-1" })
  yield* ActorRef.tell(ref, { _tag: "Log", text: "working" })
  yield* ActorRef.tell(ref, { _tag: "Boom" })
  yield* ActorRef.monitor(ref)
  yield* untilIdle
  return ref.id
})

describe("Reports", () => {
  it("prints a crash report when an actor ends with a failure: label, id, reason, pretty cause, its own annotations", async () => {
    const { exit, lines } = await capture(crashOne)
    const id = Exit.isSuccess(exit) ? exit.value : -1
    const report = lines.find((l) => l.message.startsWith("crash report"))!
    expect(report).toMatchObject({
      level: "Error",
      message: `crash report: actor "writer" (#${id}) ended: failure(Error: boom)`,
      annotations: { "arbor.actor.id": id, "arbor.actor.label": "writer", "arbor.exit": "failure(Error: boom)" }
    })
    expect(report.cause).toMatch(/Error: boom/)
    const working = lines.find((l) => l.message === "working")!
    expect(working.annotations).toEqual({ "arbor.actor.id": id, "arbor.actor.label": "writer", "arbor.message": "Log" })
  })

  it("prints no crash report for a normal or shutdown end", async () => {
    const { lines } = await capture(Effect.gen(function*() {
      const a = yield* Actor.spawn(Worker)
      const b = yield* Actor.spawn(Worker)
      yield* ActorRef.stop(a)
      yield* ActorRef.stop(b, { _tag: "Normal" })
      yield* untilIdle
    }))
    expect(lines.filter((l) => l.message.startsWith("crash report"))).toEqual([])
  })

  it("reports at the level set for the system, or not at all", async () => {
    const warn = await capture(crashOne, { crash: "Warn" })
    expect(warn.lines.find((l) => l.message.startsWith("crash report"))?.level).toBe("Warn")
    const off = await capture(crashOne, false)
    expect(off.lines.filter((l) => l.message.startsWith("crash report"))).toEqual([])
  })

  it("logs the first dead letter at once, then one summary a second, not one line per message", async () => {
    const { exit, lines } = await capture(Effect.gen(function*() {
      const ref = yield* Actor.spawn(Worker, { label: "gone" })
      yield* ActorRef.stop(ref)
      for (let i = 0; i < 100; i++) yield* ActorRef.tell(ref, { _tag: "Log", text: "late" })
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      yield* ActorRef.tell(ref, { _tag: "Log", text: "later" })
      yield* TestClock.adjust("1 second")
      yield* untilIdle
      yield* TestClock.adjust("5 seconds")
      yield* untilIdle
    }))
    expect(Exit.isSuccess(exit)).toBe(true)
    const dead = lines.filter((l) => /dead letter/.test(l.message))
    expect(dead.map((l) => [l.level, l.message])).toEqual([
      ["Warn", `dead letter: message Log to actor "gone" (#1) not delivered (NotAlive); more within a second are summarised`],
      ["Warn", "99 more dead letters in the last second: NotAlive 99"],
      ["Warn", "1 more dead letter in the last second: NotAlive 1"]
    ])
  })

  it("Reports.layer rejects an unknown report or level with InvalidReportLevels naming it", async () => {
    const bad = (options: unknown) =>
      Effect.runPromise(Effect.flip(Layer.build(Reports.layer(options as never)).pipe(Effect.scoped)))
    expect(await bad({ crsh: "Error" })).toMatchObject({ _tag: "InvalidReportLevels", field: "reports.crsh" })
    expect(await bad({ crash: "Loud" })).toMatchObject({ _tag: "InvalidReportLevels", field: "reports.crash" })
    expect(await bad({ crash: true })).toMatchObject({ _tag: "InvalidReportLevels", field: "reports.crash" })
    expect(await bad(7)).toMatchObject({ _tag: "InvalidReportLevels", field: "reports" })
    expect((await bad({ restart: "loud" })).message).toBe(
      `reports.restart must be a log level ("Fatal", "Error", "Warn", "Info", "Debug", "Trace") or false (got "loud")`
    )
  })
})
