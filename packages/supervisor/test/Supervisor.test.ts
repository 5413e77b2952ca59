/**
 * `Supervisor` in detail (docs/supervision-contract.md; each test named after its guarantee):
 * intensity windows, shutdown timeouts and restart backoff under the `TestClock`, escalation
 * through three levels, events and snapshots, validation, and robustness against starts and
 * observers that throw.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Cause, Effect, Exit, Fiber, PubSub, Schedule } from "effect"
import type { Duration } from "effect"
import { Actor, ActorRef, ActorSystem, ExitReason } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Child, DynamicSupervisor, Supervisor, SupervisorErrors } from "@arbor/supervisor"
import type { SupervisionEvent } from "@arbor/supervisor"
import {
  advance,
  crash,
  untilIdle,
  isDone,
  type Log,
  recorder,
  refOf,
  run,
  startWorker,
  statuses,
  supOf,
  worker,
  Worker,
  type WorkerMsg
} from "./utils.ts"

// the process must survive everything below: no uncaught exception, no unhandled rejection
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

describe("restart intensity (TestClock)", () => {
  it("S8 the window is exact to the millisecond: a restart counts while it is less than `period` old", async () => {
    const attempt = (gap: Duration.Input) => {
      const log: Log = []
      return run(Effect.gen(function*() {
        const sup = yield* Supervisor.start({
          strategy: "one-for-one",
          intensity: 1,
          period: "1 second",
          children: [worker("w", log)]
        })
        yield* crash(sup, "w")
        yield* advance(gap)
        yield* crash(sup, "w")
        // answered if the supervisor restarted w; fails with ActorExited if it gave up
        return Exit.isSuccess(yield* Effect.exit(Supervisor.whichChildren(sup)))
      }))
    }
    expect(await attempt("999 millis")).toBe(false) // two restarts within 1 s: gave up
    expect(await attempt("1000 millis")).toBe(true) // the first one has just left the window
  })

  it("S8 the window slides: the budget comes back as old restarts age out", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 2,
        period: "1 second",
        children: [worker("w", log)]
      })
      const budget = Effect.map(Supervisor.snapshot(sup), (s) => `${s.restartsInWindow}/${s.remainingBudget}`)
      const seen: Array<string> = [yield* budget]
      yield* crash(sup, "w") // t = 0
      seen.push(yield* budget)
      yield* advance("600 millis")
      yield* crash(sup, "w") // t = 600
      seen.push(yield* budget)
      yield* advance("400 millis") // t = 1000: the first has aged out
      seen.push(yield* budget)
      yield* crash(sup, "w") // t = 1000: 600 and 1000 in the window
      seen.push(yield* budget)
      yield* advance("599 millis")
      const alive = ActorRef.isAliveUnsafe(sup)
      yield* crash(sup, "w") // t = 1599: 600, 1000, 1599: three within 1 s
      return { seen, alive, exit: yield* ActorRef.monitor(sup) }
    }))
    expect(out.seen).toEqual(["0/2", "1/1", "2/0", "1/1", "2/0"])
    expect(out.alive).toBe(true)
    expect(out.exit).toEqual(ExitReason.shutdown())
  })

  it("S7 defaults to 3 restarts within 5 seconds", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [worker("w", log)] })
      const snap = yield* Supervisor.snapshot(sup)
      for (let i = 0; i < 3; i++) {
        yield* crash(sup, "w")
        yield* advance("1 second")
      }
      const aliveAfter3 = ActorRef.isAliveUnsafe(sup)
      yield* advance("1999 millis") // t = 4999: all three still in the window
      yield* crash(sup, "w")
      return { snap, aliveAfter3, exit: yield* ActorRef.monitor(sup) }
    }))
    expect([out.snap.intensity, out.snap.periodMillis]).toEqual([3, 5_000])
    expect(out.aliveAfter3).toBe(true)
    expect(out.exit).toEqual(ExitReason.shutdown())
  })
})

describe("shutdown specs (TestClock)", () => {
  const terminate = (shutdown: Child.Shutdown, stopDelay: Duration.Input, steps: ReadonlyArray<string>) => {
    const log: Log = []
    const rec = recorder()
    return run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        onEvent: rec.onEvent,
        children: [worker("w", log, { shutdown, stopDelay })]
      })
      log.length = 0
      const fiber = yield* Effect.forkChild(Supervisor.terminateChild(sup, "w"))
      yield* untilIdle
      const progress: Array<string> = [`0: ${isDone(fiber) ? "done" : "waiting"}`]
      for (const step of steps) {
        yield* advance(step as Duration.Input)
        progress.push(`+${step}: ${isDone(fiber) ? "done" : "waiting"}`)
      }
      yield* Fiber.join(fiber)
      const exited = rec.events.find((e): e is SupervisionEvent.ChildExited => e._tag === "ChildExited")!
      return { progress, log: [...log], reason: exited.reason._tag }
    }))
  }

  it("S10 a timeout asks the child to stop, then kills it when the timeout elapses (Killed, stop hook cut short)", async () => {
    const out = await terminate("2 seconds", "1 minute", ["1999 millis", "1 milli"])
    expect(out.progress).toEqual(["0: waiting", "+1999 millis: waiting", "+1 milli: done"])
    expect(out.log).toEqual(["stopping w"])
    expect(out.reason).toBe("Killed")
  })

  it("S10 a timeout that is not needed: the child stops cleanly within it (Shutdown)", async () => {
    const out = await terminate("2 seconds", "1 second", ["1 second"])
    expect(out.progress).toEqual(["0: waiting", "+1 second: done"])
    expect(out.log).toEqual(["stopping w", "stopped w Shutdown"])
    expect(out.reason).toBe("Shutdown")
  })

  it("S10 brutal kills at once: the stop hook does not run, the child's resource finalizers do", async () => {
    const log: Log = []
    const Holder = Actor.make<WorkerMsg>()({
      init: () => Effect.as(Effect.addFinalizer(() => Effect.sync(() => log.push("released"))), "h"),
      receive: {
        Fail: (_s, m) => Effect.fail(m.error),
        Throw: (s) => s,
        Exit: (_s, m) => Actor.stop(m.reason),
        Ping: (s) => Actor.reply("pong", s)
      },
      onStop: () => Effect.sync(() => log.push("stop hook"))
    })
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        children: [Child.worker({ id: "h", start: Actor.spawn(Holder), shutdown: "brutal" })]
      })
      const h = yield* refOf(sup, "h")
      yield* Supervisor.terminateChild(sup, "h") // no time passes
      return yield* ActorRef.monitor(h)
    }))
    expect(out).toEqual(ExitReason.killed)
    expect(log).toEqual(["released"])
  })

  it("S10 infinity waits as long as the stop hook takes", async () => {
    const out = await terminate("infinity", "1 hour", ["59 minutes", "1 minute"])
    expect(out.progress).toEqual(["0: waiting", "+59 minutes: waiting", "+1 minute: done"])
    expect(out.reason).toBe("Shutdown")
  })
})

describe("restart backoff: restartDelay (TestClock)", () => {
  it("S17 the child shows as restarting during the delay and restarts after TestClock.adjust", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 10,
        restartDelay: Schedule.exponential("100 millis"),
        onEvent: rec.onEvent,
        children: [worker("w", log)]
      })
      const seen: Array<string> = []
      const look = (label: string) =>
        Effect.map(Supervisor.whichChildren(sup), ([w]) => seen.push(`${label}: ${w!.status} #${w!.incarnation}`))
      yield* crash(sup, "w")
      yield* look("t=0")
      yield* advance("99 millis")
      yield* look("t=99")
      yield* advance("1 milli")
      yield* look("t=100")
      yield* crash(sup, "w") // the second delay is twice the first
      yield* advance("199 millis")
      yield* look("+199")
      yield* advance("1 milli")
      yield* look("+200")
      return { seen, events: rec.lines() }
    }))
    expect(out.seen).toEqual([
      "t=0: restarting #1",
      "t=99: restarting #1",
      "t=100: running #2",
      "+199: restarting #2",
      "+200: running #3"
    ])
    expect(out.events).toEqual([
      "started w#1",
      "exited w#1 Failure",
      "scheduled w 100ms",
      "started w#2 restart",
      "exited w#2 Failure",
      "scheduled w 200ms",
      "started w#3 restart"
    ])
  })

  it("S17 uses the schedule's delays, not its outputs (Schedule.spaced counts repetitions)", async () => {
    const log: Log = []
    const rec = recorder()
    await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        restartDelay: Schedule.spaced("1 second"),
        onEvent: rec.onEvent,
        children: [worker("w", log)]
      })
      yield* crash(sup, "w")
      yield* advance("1 second")
      yield* crash(sup, "w")
      yield* advance("1 second")
    }))
    expect(rec.lines().filter((l) => l.startsWith("scheduled"))).toEqual(["scheduled w 1000ms", "scheduled w 1000ms"])
  })

  it("S17 intensity still gives up: restarts spaced out by the delay still count", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 1,
        period: "10 seconds",
        restartDelay: Schedule.exponential("1 second"),
        onEvent: rec.onEvent,
        children: [worker("w", log)]
      })
      yield* crash(sup, "w")
      yield* advance("1 second")
      yield* crash(sup, "w") // the second restart within 10 s
      return { exit: yield* ActorRef.monitor(sup), events: rec.lines() }
    }))
    expect(out.exit).toEqual(ExitReason.shutdown())
    expect(out.events.slice(-2)).toEqual(["exited w#2 Failure", "gave-up root"])
  })

  it("S17 a failed restart attempt waits for the next delay; the schedule starts over after a whole period of running", async () => {
    const log: Log = []
    const rec = recorder()
    await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 10,
        period: "5 seconds",
        restartDelay: Schedule.exponential("100 millis"),
        onEvent: rec.onEvent,
        children: [worker("w", log, { onStart: (n) => (n === 2 ? "fail" : "ok") })]
      })
      yield* crash(sup, "w")
      yield* advance("100 millis") // attempt 2 fails
      yield* advance("200 millis") // attempt 3 succeeds
      yield* advance("5 seconds") // runs a whole period
      yield* crash(sup, "w")
      yield* advance("100 millis")
    }))
    expect(rec.lines().filter((l) => !l.startsWith("exited"))).toEqual([
      "started w#1",
      "scheduled w 100ms",
      "start-failed w#2",
      "scheduled w 200ms",
      "started w#3 restart",
      "scheduled w 100ms",
      "started w#4 restart"
    ])
  })

  it("S17 one-for-all: the others are stopped at once; the whole group restarts after the delay", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-all",
        restartDelay: Schedule.spaced("1 second"),
        children: ["a", "b", "c"].map((id) => worker(id, log))
      })
      yield* crash(sup, "b")
      const during = statuses(yield* Supervisor.whichChildren(sup))
      yield* advance("1 second")
      const after = statuses(yield* Supervisor.whichChildren(sup))
      return { during, after }
    }))
    expect(out.during).toEqual({ a: "restarting", b: "restarting", c: "restarting" })
    expect(out.after).toEqual({ a: "running", b: "running", c: "running" })
  })

  it("S15 terminateChild during the delay cancels the restart, and releases the rest of its group", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-all",
        restartDelay: Schedule.spaced("1 second"),
        children: ["a", "b"].map((id) => worker(id, log))
      })
      yield* crash(sup, "b")
      yield* Supervisor.terminateChild(sup, "b")
      yield* advance("1 second")
      const after = statuses(yield* Supervisor.whichChildren(sup))
      const restarted = yield* Supervisor.restartChild(sup, "a") // not stuck in "restarting"
      return { after, restarted }
    }))
    expect(out.after).toEqual({ a: "not_running", b: "not_running" })
    expect(ActorRef.isActorRef(out.restarted)).toBe(true)
  })
})

describe("escalation", () => {
  it("S11 climbs one level per exhausted budget: leaf gives up, mid restarts it until mid gives up, a transient mid stops there", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const root = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 5,
        onEvent: rec.onEvent,
        children: [
          Supervisor.child("mid", {
            strategy: "one-for-one",
            intensity: 1,
            children: [Supervisor.child("leaf", { strategy: "one-for-one", intensity: 0, children: [worker("w", log)] })]
          }, { restart: "transient" }),
          worker("bystander", log)
        ]
      })
      const escalate = Effect.gen(function*() {
        const mid = yield* supOf(root, "mid")
        const leaf = yield* supOf(mid, "leaf")
        yield* crash(leaf, "w")
        yield* ActorRef.monitor(leaf)
        return mid
      })
      yield* escalate // leaf gives up; mid restarts it (1 of 1)
      const mid = yield* escalate // leaf gives up again; mid gives up
      const midExit = yield* ActorRef.monitor(mid)
      const snap = yield* Supervisor.snapshot(root)
      return { midExit, snap, events: rec.lines().filter((l) => l.startsWith("gave-up") || l.includes("mid#")) }
    }))
    expect(out.midExit).toEqual(ExitReason.shutdown())
    expect(out.events).toEqual([
      "started mid#1",
      "gave-up mid/leaf",
      "gave-up mid/leaf",
      "gave-up mid",
      "exited mid#1 Shutdown",
      "not-restarted mid#1"
    ])
    // the root spent nothing and the bystander is untouched
    expect(out.snap.restartsInWindow).toBe(0)
    expect(out.snap.children.map((c) => [c.id, c.status, c.incarnation])).toEqual([
      ["mid", "not_running", 1],
      ["bystander", "running", 1]
    ])
  })
})

describe("observability", () => {
  it("S18 Supervisor.events streams the events of the whole subtree, with the path of each supervisor", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const root = yield* Supervisor.start({
        strategy: "one-for-one",
        children: [Supervisor.child("sub", { strategy: "one-for-one", children: [worker("w", log)] })]
      })
      const events = yield* Supervisor.events(root)
      const sub = yield* supOf(root, "sub")
      yield* crash(sub, "w")
      yield* Supervisor.whichChildren(sub) // sub has reacted
      const taken = yield* PubSub.takeUpTo(events, 100)
      return taken.map((e) => `${e._tag} [${e.supervisor.join("/")}] ${"child" in e ? e.child : ""}`)
    }))
    expect(out).toEqual(["ChildExited [sub] w", "ChildStarted [sub] w"])
  })

  it("S18 onEvent sees the start itself; a nested supervisor's events reach its own onEvent and every ancestor's", async () => {
    const log: Log = []
    const root = recorder()
    const mid = recorder()
    const leaf = recorder()
    await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        onEvent: root.onEvent,
        children: [
          Supervisor.child("mid", {
            strategy: "one-for-one",
            onEvent: mid.onEvent,
            children: [
              Supervisor.child("leaf", { strategy: "one-for-one", onEvent: leaf.onEvent, children: [worker("w", log)] })
            ]
          })
        ]
      })
      const leafSup = yield* supOf(yield* supOf(sup, "mid"), "leaf")
      yield* crash(leafSup, "w")
      yield* Supervisor.whichChildren(leafSup) // leaf has reacted
      root.take()
      mid.take()
      leaf.take()
    }))
    expect(leaf.lines().slice(0, 3)).toEqual(["started mid/leaf/w#1", "exited mid/leaf/w#1 Failure", "started mid/leaf/w#2 restart"])
    expect(mid.lines().slice(0, 4)).toEqual([
      "started mid/leaf/w#1",
      "started mid/leaf#1",
      "exited mid/leaf/w#1 Failure",
      "started mid/leaf/w#2 restart"
    ])
    expect(root.lines().slice(0, 5)).toEqual([
      "started mid/leaf/w#1",
      "started mid/leaf#1",
      "started mid#1",
      "exited mid/leaf/w#1 Failure",
      "started mid/leaf/w#2 restart"
    ])
  })

  it("S19 Supervisor.snapshot of a 3-level tree: status, restart type, incarnation, restarts in window, remaining budget", async () => {
    const log: Log = []
    const snap = await run(Effect.gen(function*() {
      const root = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 5,
        label: "root",
        children: [
          worker("w1", log),
          Supervisor.child("mid", {
            strategy: "rest-for-one",
            intensity: 2,
            period: "10 seconds",
            restartDelay: Schedule.spaced("1 minute"),
            children: [
              Supervisor.child("leaf", {
                strategy: "one-for-all",
                children: [worker("x", log, { restart: "transient" })]
              }),
              worker("m1", log, { onStart: () => "ignore" }),
              worker("m2", log, { restart: "permanent" })
            ]
          }),
          DynamicSupervisor.child("dyn", {
            child: (n: number) => startWorker(`d${n}`, log),
            restart: "temporary",
            intensity: 7
          })
        ]
      })
      const dyn = (yield* refOf(root, "dyn")) as unknown as DynamicSupervisor.DynamicSupervisorRef<number>
      yield* DynamicSupervisor.startChild(dyn, 1)
      yield* DynamicSupervisor.startChild(dyn, 2)
      const mid = yield* supOf(root, "mid")
      yield* crash(mid, "m2") // waits a minute to restart
      yield* crash(yield* supOf(mid, "leaf"), "x")
      yield* untilIdle
      return yield* Supervisor.snapshot(root)
    }))
    const shape = (s: Supervisor.Snapshot): unknown => ({
      kind: s.kind,
      path: s.path,
      strategy: s.strategy,
      budget: `${s.restartsInWindow} used, ${s.remainingBudget} of ${s.intensity} left in ${s.periodMillis} ms`,
      children: s.children.map((c) => ({
        id: c.id,
        status: c.status,
        restart: c.restart,
        type: c.type,
        incarnation: c.incarnation,
        ...(c.args === undefined ? {} : { args: c.args }),
        ...(c.supervisor === undefined ? {} : { supervisor: shape(c.supervisor) })
      }))
    })
    expect(snap.label).toBe("root")
    expect(shape(snap)).toEqual({
      kind: "supervisor",
      path: [],
      strategy: "one-for-one",
      budget: "0 used, 5 of 5 left in 5000 ms",
      children: [
        { id: "w1", status: "running", restart: "permanent", type: "worker", incarnation: 1 },
        {
          id: "mid",
          status: "running",
          restart: "permanent",
          type: "supervisor",
          incarnation: 1,
          supervisor: {
            kind: "supervisor",
            path: ["mid"],
            strategy: "rest-for-one",
            budget: "1 used, 1 of 2 left in 10000 ms",
            children: [
              {
                id: "leaf",
                status: "running",
                restart: "permanent",
                type: "supervisor",
                incarnation: 1,
                supervisor: {
                  kind: "supervisor",
                  path: ["mid", "leaf"],
                  strategy: "one-for-all",
                  budget: "1 used, 2 of 3 left in 5000 ms",
                  children: [{ id: "x", status: "running", restart: "transient", type: "worker", incarnation: 2 }]
                }
              },
              { id: "m1", status: "not_running", restart: "permanent", type: "worker", incarnation: 1 },
              { id: "m2", status: "restarting", restart: "permanent", type: "worker", incarnation: 1 }
            ]
          }
        },
        {
          id: "dyn",
          status: "running",
          restart: "permanent",
          type: "supervisor",
          incarnation: 1,
          supervisor: {
            kind: "dynamic-supervisor",
            path: ["dyn"],
            strategy: "one-for-one",
            budget: "0 used, 7 of 7 left in 5000 ms",
            children: [
              { id: "d1#1", status: "running", restart: "temporary", type: "worker", incarnation: 1, args: 1 },
              { id: "d2#2", status: "running", restart: "temporary", type: "worker", incarnation: 1, args: 2 }
            ]
          }
        }
      ]
    })
  })
})

describe("housekeeping", () => {
  it("S22 restarts and a full stop leave no dead letters (a supervisor does not message itself about children it stopped)", async () => {
    const log: Log = []
    const letters = await run(Effect.gen(function*() {
      const dead = yield* ActorSystem.deadLetters
      yield* Effect.scoped(Effect.gen(function*() {
        const sup = yield* Supervisor.start({
          strategy: "one-for-all",
          children: [worker("a", log), worker("b", log), Supervisor.child("sub", { strategy: "one-for-one", children: [worker("c", log)] })]
        })
        yield* crash(sup, "a")
        yield* Supervisor.whichChildren(sup)
        yield* ActorRef.stop(sup)
      }))
      yield* untilIdle
      return yield* PubSub.takeUpTo(dead, 100)
    }))
    expect(letters).toEqual([])
  })

  it("S17 stopping a supervisor during a backoff delay: nothing restarts later, no actor is left", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const system = yield* ActorSystem.ActorSystem
      yield* Effect.scoped(Effect.gen(function*() {
        const sup = yield* Supervisor.start({
          strategy: "one-for-one",
          restartDelay: Schedule.spaced("1 minute"),
          children: [worker("w", log)]
        })
        yield* crash(sup, "w")
        yield* ActorRef.stop(sup)
      }))
      log.length = 0
      yield* advance("2 minutes")
      return { log: [...log], live: (yield* system.liveActors) }
    }))
    expect(out).toEqual({ log: [], live: 0 })
  })
})

describe("validation before anything starts", () => {
  const log: Log = []
  const ok = (id: string) => worker(id, log)
  const cases: ReadonlyArray<{
    readonly name: string
    readonly spec: unknown
    readonly child: string | undefined
    readonly field: string
  }> = [
    { name: "duplicate ids", spec: { strategy: "one-for-one", children: [ok("a"), ok("b"), ok("a")] }, child: "a", field: "id" },
    { name: "empty id", spec: { strategy: "one-for-one", children: [ok("a"), { ...ok("a"), id: "" }] }, child: "", field: "id" },
    { name: "negative intensity", spec: { strategy: "one-for-one", intensity: -1, children: [ok("a")] }, child: undefined, field: "intensity" },
    { name: "fractional intensity", spec: { strategy: "one-for-one", intensity: 1.5, children: [ok("a")] }, child: undefined, field: "intensity" },
    { name: "negative period", spec: { strategy: "one-for-one", period: -1000, children: [ok("a")] }, child: undefined, field: "period" },
    { name: "zero period", spec: { strategy: "one-for-one", period: "0 seconds", children: [ok("a")] }, child: undefined, field: "period" },
    { name: "unparsable period", spec: { strategy: "one-for-one", period: "soon", children: [ok("a")] }, child: undefined, field: "period" },
    {
      name: "significant on a permanent child",
      spec: { strategy: "one-for-one", autoShutdown: "any-significant", children: [ok("a"), { ...ok("p"), significant: true }] },
      child: "p",
      field: "significant"
    },
    {
      name: "significant with autoShutdown never",
      spec: { strategy: "one-for-one", children: [ok("a"), { ...ok("t"), restart: "transient", significant: true }] },
      child: "t",
      field: "significant"
    },
    { name: "negative shutdown", spec: { strategy: "one-for-one", children: [ok("a"), { ...ok("s"), shutdown: -5 }] }, child: "s", field: "shutdown" },
    { name: "unknown shutdown word", spec: { strategy: "one-for-one", children: [ok("a"), { ...ok("s"), shutdown: "forever" }] }, child: "s", field: "shutdown" },
    { name: "NaN shutdown", spec: { strategy: "one-for-one", children: [ok("a"), { ...ok("s"), shutdown: NaN }] }, child: "s", field: "shutdown" },
    { name: "shutdown object without units", spec: { strategy: "one-for-one", children: [ok("a"), { ...ok("s"), shutdown: { secs: 5 } }] }, child: "s", field: "shutdown" },
    { name: "unknown strategy", spec: { strategy: "one-for-some", children: [ok("a")] }, child: undefined, field: "strategy" },
    { name: "unknown autoShutdown", spec: { strategy: "one-for-one", autoShutdown: "sometimes", children: [ok("a")] }, child: undefined, field: "autoShutdown" },
    { name: "bad restart value", spec: { strategy: "one-for-one", children: [ok("a"), { ...ok("r"), restart: "sometimes" }] }, child: "r", field: "restart" },
    { name: "bad type value", spec: { strategy: "one-for-one", children: [ok("a"), { ...ok("t"), type: "daemon" }] }, child: "t", field: "type" },
    {
      name: "a function instead of a start Effect",
      spec: { strategy: "one-for-one", children: [ok("a"), { id: "f", start: () => Actor.spawn(Worker("f", log)) }] },
      child: "f",
      field: "start"
    },
    {
      name: "a Promise instead of a start Effect",
      spec: { strategy: "one-for-one", children: [ok("a"), { id: "p", start: Promise.resolve(1) }] },
      child: "p",
      field: "start"
    },
    { name: "children not an array", spec: { strategy: "one-for-one", children: ok("a") }, child: undefined, field: "children" },
    { name: "restartDelay not a Schedule", spec: { strategy: "one-for-one", restartDelay: "1 second", children: [ok("a")] }, child: undefined, field: "restartDelay" },
    {
      name: "a bad grandchild (nested spec)",
      spec: {
        strategy: "one-for-one",
        children: [ok("a"), Supervisor.child("sub", { strategy: "one-for-one", children: [ok("x"), { ...ok("y"), restart: "never" } as never] })]
      },
      child: "sub/y",
      field: "restart"
    },
    {
      name: "a bad nested supervisor option",
      spec: { strategy: "one-for-one", children: [ok("a"), Supervisor.child("sub", { strategy: "one-for-one", intensity: -2, children: [] })] },
      child: "sub",
      field: "intensity"
    },
    {
      name: "a bad nested dynamic supervisor option",
      spec: {
        strategy: "one-for-one",
        children: [ok("a"), DynamicSupervisor.child("dyn", { child: (_: number) => startWorker("d", log), maxChildren: -1 })]
      },
      child: "dyn",
      field: "maxChildren"
    }
  ]

  for (const c of cases) {
    it(`S20 ${c.name}: InvalidChildSpec names the child and the field; no child's start ran`, async () => {
      log.length = 0
      // typed as a SupervisorSpec, the spec may carry a name: its start needs a Registry (S25)
      const error = await run(
        Effect.flip(Supervisor.start(c.spec as Supervisor.SupervisorSpec<never>)).pipe(Effect.provide(Registry.layer))
      )
      expect(error).toBeInstanceOf(SupervisorErrors.InvalidChildSpec)
      expect(error).toMatchObject({ _tag: "InvalidChildSpec", child: c.child, field: c.field })
      expect(error.message).toContain(`field ${c.field}`)
      if (c.child !== undefined) expect(error.message).toContain(`child "${c.child}"`)
      expect(log).toEqual([])
    })
  }

  it("S20 startChild validates too: an invalid spec fails with InvalidChildSpec and starts nothing", async () => {
    log.length = 0
    const error = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", label: "app", children: [] })
      return yield* Effect.flip(Supervisor.startChild(sup, { ...ok("z"), shutdown: "whenever" as never }))
    }))
    expect(error).toMatchObject({ _tag: "InvalidChildSpec", supervisor: "app", child: "z", field: "shutdown" })
    expect(error.message).toBe(
      `invalid child "z" field shutdown in supervisor "app": must be "brutal", "infinity" or a non-negative duration (got "whenever")`
    )
    expect(log).toEqual([])
  })
})

describe("starts and handlers that throw never crash the process", () => {
  const broken = {
    throws: Effect.sync((): ActorRef.ActorRef<never> => {
      throw new Error("thrown in start")
    }),
    dies: Effect.die("died in start"),
    fails: Effect.fail("failed in start"),
    "returns a number": Effect.succeed(42),
    "returns undefined": Effect.succeed(undefined),
    interrupts: Effect.interrupt
  } as const

  for (const [name, start] of Object.entries(broken)) {
    it(`S2 a start that ${name} is a start failure (at start, at startChild, at restart)`, async () => {
      const log: Log = []
      const out = await run(Effect.gen(function*() {
        const atStart = yield* Effect.flip(Supervisor.start({
          strategy: "one-for-one",
          children: [Child.worker({ id: "bad", start: start as Effect.Effect<ActorRef.ActorRef<any>> })]
        }))
        const sup = yield* Supervisor.start({ strategy: "one-for-one", intensity: 3, children: [worker("w", log)] })
        const atStartChild = yield* Effect.flip(
          Supervisor.startChild(sup, { id: "bad", start: start as Effect.Effect<ActorRef.ActorRef<any>> })
        )
        // a restart that keeps failing in this way exhausts the intensity: the supervisor gives up cleanly
        let attempts = 0
        const flaky = Effect.suspend(() =>
          ++attempts === 1 ? startWorker("f", log) : (start as Effect.Effect<ActorRef.ActorRef<any>>)
        )
        const sup2 = yield* Supervisor.start({
          strategy: "one-for-one",
          intensity: 3,
          children: [Child.worker({ id: "f", start: flaky })]
        })
        yield* crash(sup2, "f")
        const exit = yield* ActorRef.monitor(sup2)
        return { atStart, atStartChild, alive: ActorRef.isAliveUnsafe(sup), exit, attempts }
      }))
      expect(out.atStart).toMatchObject({ _tag: "ChildStartFailed", child: "bad" })
      expect(out.atStartChild).toMatchObject({ _tag: "ChildStartFailed", child: "bad" })
      expect(out.alive).toBe(true)
      expect(out.exit).toEqual(ExitReason.shutdown())
      expect(out.attempts).toBe(4) // the first start, then 3 failed attempts: exit + 3 > intensity 3
    })
  }

  it("S2 the failure of a start that returned a wrong value says what it returned", async () => {
    const error = await run(Effect.flip(Supervisor.start({
      strategy: "one-for-one",
      children: [Child.worker({ id: "n", start: Effect.succeed(42) as never })]
    })))
    const failed = error as SupervisorErrors.ChildStartFailed
    expect(String(Cause.squash(failed.cause))).toContain(`the start of child "n" returned number 42`)
  })

  it("S4 a handler that throws ends the worker with a Failure and the supervisor restarts it", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [worker("w", log)] })
      const w = yield* refOf(sup, "w")
      yield* ActorRef.tell(w, { _tag: "Throw" })
      const reason = yield* ActorRef.monitor(w)
      const pong = yield* ActorRef.ask(yield* refOf(sup, "w"), { _tag: "Ping" })
      return { reason, pong }
    }))
    expect(out.reason._tag).toBe("Failure")
    expect(String((out.reason as ExitReason.Failure).error)).toContain("w threw")
    expect(out.pong).toBe("pong w")
  })

  it("S18 an onEvent observer that throws does not disturb supervision", async () => {
    const log: Log = []
    let calls = 0
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        onEvent: () => {
          calls++
          throw new Error("observer bug")
        },
        children: [worker("w", log)]
      })
      yield* crash(sup, "w")
      return yield* Supervisor.whichChildren(sup)
    }))
    expect(out.map((c) => [c.id, c.status, c.incarnation])).toEqual([["w", "running", 2]])
    expect(calls).toBeGreaterThanOrEqual(3)
  })

  it("S18 a supervisor started later from a worker's handler is a root of its own, not part of the worker's tree", async () => {
    const rec = recorder()
    const inner = recorder()
    type Msg = Actor.Request<{ readonly _tag: "StartInner" }, Supervisor.SupervisorRef>
    const Starter = Actor.make<Msg>()({
      init: () => Effect.succeed(null),
      receive: {
        StartInner: (s) =>
          Effect.map(
            Supervisor.start({ strategy: "one-for-one", onEvent: inner.onEvent, children: [] }),
            (ref) => Actor.reply(ref, s)
          )
      }
    })
    const out = await run(Effect.gen(function*() {
      const root = yield* Supervisor.start({
        strategy: "one-for-one",
        onEvent: rec.onEvent,
        children: [Child.worker({ id: "starter", start: Actor.spawn(Starter) })]
      })
      const starter = (yield* refOf(root, "starter")) as unknown as ActorRef.ActorRef<Msg>
      const innerSup = yield* ActorRef.ask(starter, { _tag: "StartInner" })
      const snap = yield* Supervisor.snapshot(innerSup)
      yield* Supervisor.startChild(innerSup, Child.worker({ id: "x", start: Actor.spawn(Worker("x", [])) }))
      return { path: snap.path, rootLines: rec.lines(), innerLines: inner.lines() }
    }))
    expect(out.path).toEqual([])
    expect(out.innerLines).toEqual(["started x#1"])
    expect(out.rootLines).toEqual(["started starter#1"])
  })

  it("S9 a killed supervisor's children still end (its scope closes)", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [worker("a", log), worker("b", log)] })
      const a = yield* refOf(sup, "a")
      const b = yield* refOf(sup, "b")
      yield* ActorRef.kill(sup)
      return [yield* ActorRef.monitor(a), yield* ActorRef.monitor(b)]
    }))
    expect(out.map((r) => r._tag)).toEqual(["Shutdown", "Shutdown"])
  })
})

describe("contract details", () => {
  it("S3 startChild and restartChild answer undefined for an ignored start; the spec is kept unless temporary", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [] })
      const added = yield* Supervisor.startChild(sup, worker("a", log, { onStart: (n) => (n <= 2 ? "ignore" : "ok") }))
      const again = yield* Supervisor.restartChild(sup, "a")
      const kept = (yield* Supervisor.whichChildren(sup)).map((c) => [c.id, c.status, c.ref])
      const third = yield* Supervisor.restartChild(sup, "a")
      const temporary = yield* Supervisor.startChild(sup, worker("t", log, { restart: "temporary", onStart: () => "ignore" }))
      const counts = yield* Supervisor.countChildren(sup)
      return { added, again, kept, third, temporary, counts }
    }))
    expect(out.added).toBeUndefined()
    expect(out.again).toBeUndefined()
    expect(out.kept).toEqual([["a", "not_running", undefined]])
    expect(ActorRef.isActorRef(out.third)).toBe(true)
    expect(out.temporary).toBeUndefined()
    expect(out.counts).toEqual({ specs: 1, active: 1, supervisors: 0, workers: 1 })
  })

  it("S2 a nested supervisor that fails to start fails its parent's start with its own ChildStartFailed as the cause", async () => {
    const log: Log = []
    const error = await run(Effect.flip(Supervisor.start({
      strategy: "one-for-one",
      label: "root",
      children: [
        worker("a", log),
        Supervisor.child("sub", {
          strategy: "one-for-one",
          label: "sub",
          children: [worker("x", log), worker("y", log, { onStart: () => "fail" })]
        })
      ]
    })))
    expect(error).toMatchObject({ _tag: "ChildStartFailed", supervisor: "root", child: "sub" })
    const inner = Cause.squash((error as SupervisorErrors.ChildStartFailed).cause)
    expect(inner).toBeInstanceOf(SupervisorErrors.ChildStartFailed)
    expect(inner).toMatchObject({ supervisor: "sub", child: "y" })
    expect(log).toEqual(["start a", "start x", "start y", "stopping x", "stopped x Shutdown", "stopping a", "stopped a Shutdown"])
  })

  it("S7 restartChild and exits that are not restarted cost no intensity", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 1,
        children: [worker("a", log), worker("t", log, { restart: "transient" })]
      })
      for (let i = 0; i < 3; i++) {
        yield* Supervisor.terminateChild(sup, "a")
        yield* Supervisor.restartChild(sup, "a")
        const t = yield* refOf(sup, "t")
        yield* ActorRef.tell(t, { _tag: "Exit", reason: ExitReason.normal }) // clean: not restarted
        yield* ActorRef.monitor(t)
        yield* Supervisor.restartChild(sup, "t")
      }
      const snap = yield* Supervisor.snapshot(sup)
      yield* crash(sup, "a") // the one restart the budget allows
      const afterOne = yield* Supervisor.snapshot(sup)
      return { snap, afterOne, alive: yield* ActorRef.isAlive(sup) }
    }))
    expect([out.snap.restartsInWindow, out.snap.remainingBudget]).toEqual([0, 1])
    expect([out.afterOne.restartsInWindow, out.afterOne.remainingBudget]).toEqual([1, 0])
    expect(out.alive).toBe(true)
  })

  it("S17 once the restartDelay schedule is done, restarts are immediate", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 10,
        restartDelay: Schedule.spaced("1 second").pipe(Schedule.upTo({ times: 1 })),
        onEvent: rec.onEvent,
        children: [worker("w", log)]
      })
      yield* crash(sup, "w")
      const first = (yield* Supervisor.whichChildren(sup)).map((c) => c.status)
      yield* advance("1 second")
      yield* crash(sup, "w")
      const second = (yield* Supervisor.whichChildren(sup)).map((c) => [c.status, c.incarnation])
      return { first, second }
    }))
    expect(out.first).toEqual(["restarting"])
    expect(out.second).toEqual([["running", 3]])
    expect(rec.lines().filter((l) => l.startsWith("scheduled"))).toEqual(["scheduled w 1000ms"])
  })
})
