/**
 * The core rules of docs/supervision-contract.md, one scenario each, through the public API
 * alone: start order and failed starts (S1–S3), restart types and strategies (S4–S6), intensity
 * (S7), stop order and shutdown defaults (S9, S10), escalation (S11), auto-shutdown (S12), the
 * dynamic API (S14) and dynamic supervisors (S16). Every test is named after the guarantee it
 * proves (Contract.test.ts checks that). The OTP traces in `conformance/` check the same rules
 * against Erlang.
 */
import { describe, expect, it } from "vitest"
import { Effect, Exit, Fiber } from "effect"
import { ActorRef, ExitReason } from "@arbor/core"
import { Child, DynamicSupervisor, Supervisor, SupervisorErrors } from "@arbor/supervisor"
import {
  advance,
  crash,
  exitWith,
  untilIdle,
  isDone,
  type Log,
  makeGate,
  recorder,
  refOf,
  run,
  startWorker,
  statuses,
  supOf,
  worker,
  type WorkerMsg
} from "./utils.ts"

describe("the supervision contract, through the public API", () => {
  it("S1 children start one at a time in spec order; start completes after every child started", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const gate = yield* makeGate
      const fiber = yield* Effect.forkChild(Supervisor.start({
        strategy: "one-for-one",
        onEvent: rec.onEvent,
        children: [
          worker("a", log),
          worker("b", log, { onStart: () => gate }),
          worker("c", log)
        ]
      }))
      yield* untilIdle
      const whileBlocked = { log: [...log], done: isDone(fiber) }
      yield* gate.open
      const sup = yield* Fiber.join(fiber)
      return { whileBlocked, log: [...log], events: rec.lines(), children: yield* Supervisor.whichChildren(sup) }
    }))
    // b's start has not returned: c has not begun and start has not completed
    expect(out.whileBlocked).toEqual({ log: ["start a", "start b"], done: false })
    expect(out.log).toEqual(["start a", "start b", "start c"])
    expect(out.events).toEqual(["started a#1", "started b#1", "started c#1"])
    expect(statuses(out.children)).toEqual({ a: "running", b: "running", c: "running" })
  })

  it("S2 a child failing to start stops the earlier ones in reverse order; start fails naming the child and its reason", async () => {
    const log: Log = []
    const rec = recorder()
    const error = await run(Effect.flip(Supervisor.start({
      strategy: "one-for-one",
      label: "app",
      onEvent: rec.onEvent,
      children: [
        worker("a", log),
        worker("b", log),
        worker("c", log, { onStart: () => "fail" }),
        worker("d", log)
      ]
    })))
    expect(error).toBeInstanceOf(SupervisorErrors.ChildStartFailed)
    const failed = error as SupervisorErrors.ChildStartFailed
    expect(failed.child).toBe("c")
    expect(failed.supervisor).toBe("app")
    expect(failed.message).toBe(`child "c" failed to start in supervisor "app"`)
    expect(ExitReason.failure(failed.cause)).toMatchObject({ _tag: "Failure", error: "c cannot start" })
    // d never starts; b then a are stopped, one at a time
    expect(log).toEqual([
      "start a",
      "start b",
      "start c",
      "stopping b",
      "stopped b Shutdown",
      "stopping a",
      "stopped a Shutdown"
    ])
    expect(rec.lines()).toEqual([
      "started a#1",
      "started b#1",
      "start-failed c#1",
      "exited b#1 Shutdown",
      "exited a#1 Shutdown"
    ])
  })

  it("S3 a start returning ignore keeps a static child's spec with no running instance", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-all",
        children: [
          worker("a", log, { onStart: (n) => (n === 1 ? "ignore" : "ok") }),
          worker("t", log, { restart: "temporary", onStart: () => "ignore" }),
          worker("b", log)
        ]
      })
      const before = yield* Supervisor.whichChildren(sup)
      const counts = yield* Supervisor.countChildren(sup)
      const restarted = yield* Supervisor.restartChild(sup, "a")
      const after = yield* Supervisor.whichChildren(sup)
      return { before, counts, restarted, after }
    }))
    // the temporary child that returned ignore is dropped (OTP)
    expect(out.before.map((c) => [c.id, c.status, c.ref])).toEqual([
      ["b", "running", expect.anything()],
      ["a", "not_running", undefined]
    ])
    expect(out.counts).toEqual({ specs: 2, active: 1, supervisors: 0, workers: 2 })
    expect(ActorRef.isActorRef(out.restarted)).toBe(true)
    expect(statuses(out.after)).toEqual({ a: "running", b: "running" })
  })

  it("S9 stopping goes in reverse start order, one child at a time, each per its own shutdown spec", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        onEvent: rec.onEvent,
        children: [
          worker("a", log, { stopDelay: "1 second" }), // default 5 s: stops cleanly in 1 s
          worker("b", log, { shutdown: "brutal", stopDelay: "1 hour" }), // killed at once, hook skipped
          worker("c", log, { shutdown: "2 seconds", stopDelay: "1 hour" }), // asked, killed after 2 s
          worker("d", log, { shutdown: "infinity", stopDelay: "30 seconds" }) // awaited
        ]
      })
      log.length = 0
      const stopping = yield* Effect.forkChild(ActorRef.stop(sup))
      yield* untilIdle
      const t0 = [...log]
      yield* advance("29999 millis")
      const t29999 = [...log]
      yield* advance("1 milli") // d is done after 30 s; c is asked now
      const t30000 = [...log]
      yield* advance("1999 millis")
      const t31999 = [...log]
      yield* advance("1 milli") // c killed at 32 s; b killed at once; a asked
      const t32000 = [...log]
      yield* advance("1 second")
      const reason = yield* Fiber.join(stopping)
      return { t0, t29999, t30000, t31999, t32000, reason }
    }))
    expect(out.t0).toEqual(["stopping d"])
    expect(out.t29999).toEqual(["stopping d"]) // infinity: still waiting; c is not asked yet
    expect(out.t30000).toEqual(["stopping d", "stopped d Shutdown", "stopping c"])
    expect(out.t31999).toEqual(out.t30000)
    expect(out.t32000).toEqual(["stopping d", "stopped d Shutdown", "stopping c", "stopping a"])
    expect(log).toEqual(["stopping d", "stopped d Shutdown", "stopping c", "stopping a", "stopped a Shutdown"])
    expect(rec.take().filter((l) => l.startsWith("exited"))).toEqual([
      "exited d#1 Shutdown",
      "exited c#1 Killed",
      "exited b#1 Killed",
      "exited a#1 Shutdown"
    ])
    expect(out.reason).toEqual(ExitReason.shutdown())
  })

  it("S10 defaults: a worker is killed after 5 s, a supervisor is awaited without limit", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        onEvent: rec.onEvent,
        children: [
          worker("w", log, { stopDelay: "1 hour" }),
          Supervisor.child("sub", {
            strategy: "one-for-one",
            children: [worker("slow", log, { shutdown: "infinity", stopDelay: "10 minutes" })]
          })
        ]
      })
      const children = yield* Supervisor.whichChildren(sup)
      log.length = 0
      const stopping = yield* Effect.forkChild(ActorRef.stop(sup))
      yield* advance("9 minutes")
      const after9min = [...log]
      yield* advance("1 minute") // sub's child is done: sub ends; w is asked
      yield* advance("4999 millis")
      const wBeforeTimeout = rec.lines().filter((l) => l.startsWith("exited w"))
      yield* advance("1 milli")
      yield* Fiber.join(stopping)
      return { children, after9min, wBeforeTimeout }
    }))
    expect(out.children.map((c) => [c.id, c.type])).toEqual([["sub", "supervisor"], ["w", "worker"]])
    expect(out.after9min).toEqual(["stopping slow"]) // the supervisor child is awaited
    expect(out.wBeforeTimeout).toEqual([])
    expect(rec.lines().filter((l) => l.startsWith("exited"))).toEqual([
      "exited sub/slow#1 Shutdown",
      "exited sub#1 Shutdown",
      "exited w#1 Killed"
    ])
  })

  it("S4 permanent always restarts, transient only after an abnormal exit, temporary never (spec removed)", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 100,
        onEvent: rec.onEvent,
        children: [
          worker("p", log),
          worker("t", log, { restart: "transient" }),
          worker("tmp", log, { restart: "temporary" })
        ]
      })
      const statusOf = (id: string) =>
        Effect.map(Supervisor.whichChildren(sup), (cs) => cs.find((c) => c.id === id)?.status ?? "gone")
      // permanent: restarted even after a normal exit
      yield* exitWith(yield* refOf(sup, "p"), ExitReason.normal)
      const permanentAfterNormal = yield* statusOf("p")
      // transient: normal, shutdown and shutdown-with-payload are clean exits
      const transient: Array<string> = []
      for (const reason of [ExitReason.normal, ExitReason.shutdown(), ExitReason.shutdown({ code: 3 })]) {
        yield* exitWith(yield* refOf(sup, "t"), reason)
        transient.push(`${reason._tag}: ${yield* statusOf("t")}`)
        yield* Supervisor.restartChild(sup, "t")
      }
      // ... killed and failures are not
      yield* ActorRef.kill(yield* refOf(sup, "t"))
      transient.push(`Killed: ${yield* statusOf("t")}`)
      yield* crash(sup, "t")
      transient.push(`Failure: ${yield* statusOf("t")}`)
      // temporary: never restarted, its spec is dropped
      yield* crash(sup, "tmp")
      const temporary = yield* statusOf("tmp")
      return { permanentAfterNormal, transient, temporary, children: yield* Supervisor.whichChildren(sup) }
    }))
    expect(out.permanentAfterNormal).toBe("running")
    expect(out.transient).toEqual([
      "Normal: not_running",
      "Shutdown: not_running",
      "Shutdown: not_running",
      "Killed: running",
      "Failure: running"
    ])
    expect(out.temporary).toBe("gone")
    expect(out.children.map((c) => [c.id, c.incarnation])).toEqual([["t", 6], ["p", 2]])
    expect(rec.lines().filter((l) => l.startsWith("not-restarted"))).toEqual([
      "not-restarted t#1",
      "not-restarted t#2",
      "not-restarted t#3",
      "not-restarted tmp#1"
    ])
  })

  it("S4 a temporary child stopped by a sibling's group restart is not restarted and its spec is dropped", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-all",
        children: [worker("a", log), worker("tmp", log, { restart: "temporary" }), worker("b", log)]
      })
      log.length = 0
      yield* crash(sup, "a")
      const children = yield* Supervisor.whichChildren(sup)
      return { log: [...log], children }
    }))
    expect(out.log).toEqual([
      "stopping a",
      "stopped a Failure",
      "stopping b",
      "stopped b Shutdown",
      "stopping tmp",
      "stopped tmp Shutdown",
      "start a",
      "start b"
    ])
    expect(statuses(out.children)).toEqual({ a: "running", b: "running" })
  })

  it("S5 one-for-one restarts only the exited child; one-for-all and rest-for-one stop (reverse) then restart (in order)", async () => {
    const scenario = (strategy: Supervisor.Strategy) => {
      const log: Log = []
      return run(Effect.gen(function*() {
        const sup = yield* Supervisor.start({
          strategy,
          children: ["a", "b", "c", "d"].map((id) => worker(id, log))
        })
        const before = yield* Supervisor.whichChildren(sup)
        log.length = 0
        yield* crash(sup, "b")
        const after = yield* Supervisor.whichChildren(sup)
        const kept = after.filter((c) => before.find((b) => b.id === c.id)!.ref === c.ref).map((c) => c.id)
        // the crashed child's own stop hook runs first (a failure is a graceful end)
        expect(log.splice(0, 2)).toEqual(["stopping b", "stopped b Failure"])
        return { log: [...log], kept: kept.reverse() }
      }))
    }
    expect(await scenario("one-for-one")).toEqual({ log: ["start b"], kept: ["a", "c", "d"] })
    expect(await scenario("one-for-all")).toEqual({
      log: [
        "stopping d",
        "stopped d Shutdown",
        "stopping c",
        "stopped c Shutdown",
        "stopping a",
        "stopped a Shutdown",
        "start a",
        "start b",
        "start c",
        "start d"
      ],
      kept: []
    })
    expect(await scenario("rest-for-one")).toEqual({
      log: ["stopping d", "stopped d Shutdown", "stopping c", "stopped c Shutdown", "start b", "start c", "start d"],
      kept: ["a"]
    })
  })

  it("S6 one exit is one restart, even for a group; a failed restart counts, is retried, and shows as restarting", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const group = yield* Supervisor.start({
        strategy: "one-for-all",
        intensity: 1,
        children: ["a", "b", "c"].map((id) => worker(id, log))
      })
      yield* crash(group, "b")
      const groupSnapshot = yield* Supervisor.snapshot(group)

      const flaky = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 5,
        onEvent: rec.onEvent,
        children: [worker("x", log, { onStart: (n) => (n === 2 || n === 3 ? "fail" : "ok") })]
      })
      yield* crash(flaky, "x")
      // answered between the failed attempt and its retry
      const during = yield* Supervisor.whichChildren(flaky)
      yield* untilIdle
      const after = yield* Supervisor.whichChildren(flaky)
      return { groupSnapshot, during, after, flakySnapshot: yield* Supervisor.snapshot(flaky), events: rec.lines() }
    }))
    // three children restarted, one restart counted: intensity 1 is not exceeded
    expect(out.groupSnapshot.restartsInWindow).toBe(1)
    expect(out.groupSnapshot.children.map((c) => [c.id, c.status, c.incarnation])).toEqual([
      ["a", "running", 2],
      ["b", "running", 2],
      ["c", "running", 2]
    ])
    expect(out.during.map((c) => [c.id, c.status, c.ref])).toEqual([["x", "restarting", undefined]])
    expect(out.after.map((c) => [c.id, c.status, c.incarnation])).toEqual([["x", "running", 4]])
    expect(out.events).toEqual([
      "started x#1",
      "exited x#1 Failure",
      "start-failed x#2",
      "start-failed x#3",
      "started x#4 restart"
    ])
    // the exit and the two failed attempts
    expect(out.flakySnapshot.restartsInWindow).toBe(3)
    expect(out.flakySnapshot.remainingBudget).toBe(2)
  })

  it("S6 a failed restart in a group is retried from the child that failed (OTP's try_again)", async () => {
    const scenario = (strategy: Supervisor.Strategy) => {
      const log: Log = []
      return run(Effect.gen(function*() {
        const sup = yield* Supervisor.start({
          strategy,
          intensity: 5,
          children: [
            worker("a", log),
            worker("b", log),
            worker("c", log, { onStart: (n) => (n === 2 ? "fail" : "ok") }),
            worker("d", log)
          ]
        })
        log.length = 0
        yield* crash(sup, "b")
        yield* Supervisor.whichChildren(sup) // answered before the retry, which is queued behind it
        const children = yield* Supervisor.whichChildren(sup)
        return {
          starts: log.filter((l) => l.startsWith("start")),
          incarnations: Object.fromEntries([...children].reverse().map((c) => [c.id, c.incarnation])),
          restarts: (yield* Supervisor.snapshot(sup)).restartsInWindow
        }
      }))
    }
    // rest-for-one: b restarted fine and stays up; c failed, so c and d are retried
    expect(await scenario("rest-for-one")).toEqual({
      starts: ["start b", "start c", "start c", "start d"],
      incarnations: { a: 1, b: 2, c: 3, d: 2 },
      restarts: 2
    })
    // one-for-all: the round is undone and the whole group is retried
    expect(await scenario("one-for-all")).toEqual({
      starts: ["start a", "start b", "start c", "start a", "start b", "start c", "start d"],
      incarnations: { a: 3, b: 3, c: 3, d: 2 },
      restarts: 2
    })
  })

  it("S7 more restarts than the intensity within the period: children stopped in reverse order, exit Shutdown, no restart", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 2,
        period: "5 seconds",
        onEvent: rec.onEvent,
        children: ["a", "b", "c"].map((id) => worker(id, log))
      })
      const exit = yield* Effect.forkChild(ActorRef.monitor(sup))
      yield* crash(sup, "b")
      yield* advance("1 second")
      yield* crash(sup, "b")
      yield* advance("1 second")
      rec.take()
      log.length = 0
      yield* crash(sup, "b") // the third restart within 5 s
      return { reason: yield* Fiber.join(exit), events: rec.take(), log: [...log] }
    }))
    expect(out.reason).toEqual(ExitReason.shutdown())
    expect(out.events).toEqual(["exited b#3 Failure", "gave-up root", "exited c#1 Shutdown", "exited a#1 Shutdown"])
    expect(out.log).toEqual([
      "stopping b",
      "stopped b Failure",
      "stopping c",
      "stopped c Shutdown",
      "stopping a",
      "stopped a Shutdown"
    ])
  })

  it("S7 a failed group restart that exceeds the intensity gives up before stopping the children of that round", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-all",
        intensity: 1,
        onEvent: rec.onEvent,
        children: [worker("a", log), worker("b", log, { onStart: (n) => (n === 2 ? "fail" : "ok") })]
      })
      yield* crash(sup, "a")
      return { exit: yield* ActorRef.monitor(sup), events: rec.lines() }
    }))
    expect(out.exit).toEqual(ExitReason.shutdown())
    expect(out.events).toEqual([
      "started a#1",
      "started b#1",
      "exited a#1 Failure",
      "exited b#1 Shutdown",
      "started a#2 restart",
      "start-failed b#2",
      "gave-up root", // the failed attempt is the second restart
      "exited a#2 Shutdown"
    ])
  })

  it("S7 intensity 0 gives up at the first restart-worthy exit; exits that cause no restart do not count", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const zero = yield* Supervisor.start({ strategy: "one-for-one", intensity: 0, children: [worker("p", log)] })
      yield* exitWith(yield* refOf(zero, "p"), ExitReason.normal) // permanent: a clean exit is restart-worthy
      const zeroExit = yield* ActorRef.monitor(zero)

      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 1,
        children: [worker("t", log, { restart: "transient" }), worker("tmp", log, { restart: "temporary" })]
      })
      for (let i = 0; i < 5; i++) {
        yield* exitWith(yield* refOf(sup, "t"), ExitReason.normal)
        yield* Supervisor.restartChild(sup, "t") // API restarts do not count either
      }
      yield* crash(sup, "tmp")
      const snap = yield* Supervisor.snapshot(sup)
      return { zeroExit, alive: ActorRef.isAliveUnsafe(sup), snap }
    }))
    expect(out.zeroExit).toEqual(ExitReason.shutdown())
    expect(out.alive).toBe(true)
    expect(out.snap.restartsInWindow).toBe(0)
    expect(out.snap.remainingBudget).toBe(1)
  })

  it("S11 a supervisor that gave up exits Shutdown: a transient supervisor child is not restarted, a permanent one is (parent's budget)", async () => {
    const log: Log = []
    const rec = recorder()
    const nested = (restart: Child.RestartType) =>
      Supervisor.child("sub", { strategy: "one-for-one", intensity: 0, children: [worker("w", log)] }, { restart })
    const out = await run(Effect.gen(function*() {
      const transient = yield* Supervisor.start({ strategy: "one-for-one", intensity: 1, children: [nested("transient")] })
      const sub1 = yield* supOf(transient, "sub")
      yield* crash(sub1, "w")
      const sub1Exit = yield* ActorRef.monitor(sub1)
      const transientChildren = yield* Supervisor.whichChildren(transient)
      const transientSnap = yield* Supervisor.snapshot(transient)

      const permanent = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: 1,
        onEvent: rec.onEvent,
        children: [nested("permanent")]
      })
      const rootExit = yield* Effect.forkChild(ActorRef.monitor(permanent))
      const sub2 = yield* supOf(permanent, "sub")
      yield* crash(sub2, "w")
      yield* ActorRef.monitor(sub2) // the root has the exit queued
      const permanentSnap = yield* Supervisor.snapshot(permanent)
      // the second escalation exceeds the root's intensity of 1
      yield* crash(yield* supOf(permanent, "sub"), "w")
      return { sub1Exit, transientChildren, transientSnap, permanentSnap, rootExit: yield* Fiber.join(rootExit) }
    }))
    expect(out.sub1Exit).toEqual(ExitReason.shutdown())
    expect(out.transientChildren.map((c) => [c.id, c.status])).toEqual([["sub", "not_running"]])
    expect(out.transientSnap.restartsInWindow).toBe(0)
    expect(out.permanentSnap.children.map((c) => [c.id, c.status, c.incarnation])).toEqual([["sub", "running", 2]])
    expect(out.permanentSnap.restartsInWindow).toBe(1)
    expect(out.rootExit).toEqual(ExitReason.shutdown())
    expect(rec.lines()).toEqual([
      "started sub/w#1",
      "started sub#1",
      "exited sub/w#1 Failure",
      "gave-up sub",
      "exited sub#1 Shutdown",
      // a new instance of sub: its children start afresh
      "started sub/w#1",
      "started sub#2 restart",
      "exited sub/w#1 Failure",
      "gave-up sub",
      "exited sub#2 Shutdown",
      "gave-up root"
    ])
  })

  it("S14 dynamic API: duplicates, terminate keeps the spec (not temporary) without restart, restart/delete only when not running", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [worker("a", log)] })
      const a = yield* refOf(sup, "a")
      const duplicateRunning = yield* Effect.flip(Supervisor.startChild(sup, worker("a", log)))
      const deleteRunning = yield* Effect.flip(Supervisor.deleteChild(sup, "a"))
      const restartRunning = yield* Effect.flip(Supervisor.restartChild(sup, "a"))

      yield* Supervisor.terminateChild(sup, "a")
      yield* untilIdle
      const afterTerminate = yield* Supervisor.whichChildren(sup)
      const terminateAgain = yield* Effect.exit(Supervisor.terminateChild(sup, "a")) // not running: ok
      const duplicatePresent = yield* Effect.flip(Supervisor.startChild(sup, worker("a", log)))
      const restarted = yield* Supervisor.restartChild(sup, "a")
      yield* Supervisor.terminateChild(sup, "a")
      yield* Supervisor.deleteChild(sup, "a")
      const deleteMissing = yield* Effect.flip(Supervisor.deleteChild(sup, "a"))
      const restartMissing = yield* Effect.flip(Supervisor.restartChild(sup, "a"))
      const terminateMissing = yield* Effect.flip(Supervisor.terminateChild(sup, "a"))

      yield* Supervisor.startChild(sup, worker("tmp", log, { restart: "temporary" }))
      yield* Supervisor.terminateChild(sup, "tmp")
      const afterTemporary = yield* Supervisor.whichChildren(sup)
      return {
        a,
        duplicateRunning,
        deleteRunning,
        restartRunning,
        afterTerminate,
        terminateAgain,
        duplicatePresent,
        restarted,
        deleteMissing,
        restartMissing,
        terminateMissing,
        afterTemporary
      }
    }))
    expect(out.duplicateRunning).toMatchObject({ _tag: "ChildAlreadyStarted", child: "a", ref: out.a })
    expect(out.deleteRunning).toMatchObject({ _tag: "ChildRunning", child: "a", status: "running" })
    expect(out.restartRunning).toMatchObject({ _tag: "ChildRunning", child: "a", status: "running" })
    expect(out.afterTerminate.map((c) => [c.id, c.status, c.incarnation])).toEqual([["a", "not_running", 1]])
    expect(Exit.isSuccess(out.terminateAgain)).toBe(true)
    expect(out.duplicatePresent).toMatchObject({ _tag: "ChildAlreadyPresent", child: "a" })
    expect(ActorRef.isActorRef(out.restarted)).toBe(true)
    expect(out.deleteMissing).toMatchObject({ _tag: "ChildNotFound", child: "a" })
    expect(out.restartMissing).toMatchObject({ _tag: "ChildNotFound", child: "a" })
    expect(out.terminateMissing).toMatchObject({ _tag: "ChildNotFound", child: "a" })
    expect(out.afterTemporary).toEqual([])
    // a was started by the supervisor and by restartChild only: terminate never restarted it
    expect(log.filter((l) => l === "start a")).toEqual(["start a", "start a"])
  })

  it("S16 dynamic supervisor: children from one template plus arguments, optional max children, stopped concurrently", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* DynamicSupervisor.start({
        child: (name: string) => startWorker(name, log, { stopDelay: "1 second" }),
        maxChildren: 3
      })
      const refs = [
        yield* DynamicSupervisor.startChild(sup, "x"),
        yield* DynamicSupervisor.startChild(sup, "y"),
        yield* DynamicSupervisor.startChild(sup, "z")
      ]
      const full = yield* Effect.flip(DynamicSupervisor.startChild(sup, "w"))
      const children = yield* DynamicSupervisor.whichChildren(sup)
      const pong = yield* ActorRef.ask(refs[1] as ActorRef.ActorRef<WorkerMsg>, { _tag: "Ping" })
      log.length = 0
      const stopping = yield* Effect.forkChild(ActorRef.stop(sup))
      yield* untilIdle
      const asked = [...log]
      yield* advance("1 second") // one second for all three: they stop together
      yield* Fiber.join(stopping)
      return { full, children, pong, asked }
    }))
    expect(out.full).toMatchObject({ _tag: "MaxChildrenReached", maxChildren: 3 })
    expect(out.children.map((c) => c.args).sort()).toEqual(["x", "y", "z"])
    expect(out.pong).toBe("pong y")
    expect([...out.asked].sort()).toEqual(["stopping x", "stopping y", "stopping z"])
    expect(log.slice(3).sort()).toEqual(["stopped x Shutdown", "stopped y Shutdown", "stopped z Shutdown"])
  })

  it("S12 auto-shutdown: only a significant child's own exit triggers it; significant is refused on permanent children and with never", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      // any-significant: terminating the significant child does not trigger; its own exit does
      const any = yield* Supervisor.start({
        strategy: "one-for-one",
        autoShutdown: "any-significant",
        onEvent: rec.onEvent,
        children: [worker("s", log, { restart: "transient", significant: true }), worker("other", log)]
      })
      yield* Supervisor.terminateChild(any, "s")
      yield* Supervisor.restartChild(any, "s")
      const aliveAfterTerminate = ActorRef.isAliveUnsafe(any)
      yield* crash(any, "s") // abnormal: a transient child is restarted, no auto-shutdown
      const aliveAfterCrash = ActorRef.isAliveUnsafe(any)
      yield* exitWith(yield* refOf(any, "s"), ExitReason.normal)
      const anyExit = yield* ActorRef.monitor(any)

      // all-significant: only when the last significant child has exited
      const all = yield* Supervisor.start({
        strategy: "one-for-one",
        autoShutdown: "all-significant",
        children: [
          worker("s1", log, { restart: "temporary", significant: true }),
          worker("s2", log, { restart: "transient", significant: true })
        ]
      })
      yield* exitWith(yield* refOf(all, "s1"), ExitReason.normal)
      const allAliveAfterFirst = ActorRef.isAliveUnsafe(all)
      yield* exitWith(yield* refOf(all, "s2"), ExitReason.shutdown())
      const allExit = yield* ActorRef.monitor(all)

      const permanent = yield* Effect.flip(Supervisor.start({
        strategy: "one-for-one",
        autoShutdown: "any-significant",
        children: [worker("p", log, { significant: true })]
      }))
      const never = yield* Effect.flip(Supervisor.start({
        strategy: "one-for-one",
        children: [worker("n", log, { restart: "transient", significant: true })]
      }))
      const permanentUnderNever = yield* Effect.flip(Supervisor.start({
        strategy: "one-for-one",
        children: [worker("pn", log, { significant: true })]
      }))
      return { aliveAfterTerminate, aliveAfterCrash, anyExit, allAliveAfterFirst, allExit, permanent, never, permanentUnderNever }
    }))
    expect(out.aliveAfterTerminate).toBe(true)
    expect(out.aliveAfterCrash).toBe(true)
    expect(out.anyExit).toEqual(ExitReason.shutdown())
    expect(rec.lines().slice(-4)).toEqual([
      "exited s#3 Normal",
      "not-restarted s#3",
      "auto-shutdown root by s",
      "exited other#1 Shutdown"
    ])
    expect(out.allAliveAfterFirst).toBe(true)
    expect(out.allExit).toEqual(ExitReason.shutdown())
    expect(out.permanent).toMatchObject({ _tag: "InvalidChildSpec", child: "p", field: "significant" })
    expect(out.never).toMatchObject({ _tag: "InvalidChildSpec", child: "n", field: "significant" })
    // as OTP, the supervisor's autoShutdown is checked before the restart type
    expect(out.permanent.message).toContain("a permanent child cannot be significant")
    expect(out.permanentUnderNever.message).toContain(`needs autoShutdown "any-significant" or "all-significant"`)
    expect(log.filter((l) => l === "start p" || l === "start n" || l === "start pn")).toEqual([])
  })
  it("S9 children are stopped with Shutdown whatever the supervisor's own stop reason", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        onEvent: rec.onEvent,
        children: [worker("a", log), worker("b", log)]
      })
      log.length = 0
      return yield* ActorRef.stop(sup, ExitReason.shutdown("maintenance"))
    }))
    expect(out).toEqual(ExitReason.shutdown("maintenance"))
    expect(log).toEqual(["stopping b", "stopped b Shutdown", "stopping a", "stopped a Shutdown"])
    const exits = rec.events.filter((e) => e._tag === "ChildExited")
    expect(exits.map((e) => [e.child, e.reason])).toEqual([["b", ExitReason.shutdown()], ["a", ExitReason.shutdown()]])
  })

  it("S12 startChild refuses a misplaced significant too (autoShutdown never first, then permanent); nothing starts", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const never = yield* Supervisor.start({ strategy: "one-for-one", children: [] })
      const any = yield* Supervisor.start({ strategy: "one-for-one", autoShutdown: "any-significant", children: [] })
      return {
        underNever: yield* Effect.flip(Supervisor.startChild(never, worker("n", log, { significant: true }))),
        permanentUnderNever: yield* Effect.flip(
          Supervisor.startChild(never, worker("pn", log, { restart: "transient", significant: true }))
        ),
        permanent: yield* Effect.flip(Supervisor.startChild(any, worker("p", log, { significant: true }))),
        kept: [...(yield* Supervisor.whichChildren(never)), ...(yield* Supervisor.whichChildren(any))]
      }
    }))
    expect(out.underNever).toMatchObject({ _tag: "InvalidChildSpec", child: "n", field: "significant" })
    expect(out.underNever.message).toContain(`needs autoShutdown "any-significant" or "all-significant"`)
    expect(out.permanentUnderNever).toMatchObject({ _tag: "InvalidChildSpec", child: "pn", field: "significant" })
    expect(out.permanent).toMatchObject({ _tag: "InvalidChildSpec", child: "p", field: "significant" })
    expect(out.permanent.message).toContain("a permanent child cannot be significant")
    expect(out.kept).toEqual([])
    expect(log).toEqual([])
  })
})
