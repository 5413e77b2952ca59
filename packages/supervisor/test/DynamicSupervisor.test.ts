/**
 * `DynamicSupervisor`: children from one template plus per-child arguments, addressed by
 * reference (OTP's simple_one_for_one, Elixir's DynamicSupervisor).
 */
import { describe, expect, it } from "vitest"
import { Effect, Fiber, Schedule } from "effect"
import { Actor, ActorRef, ExitReason } from "@arbor/core"
import { Child, DynamicSupervisor, Supervisor } from "@arbor/supervisor"
import { advance, exitWith, type Log, recorder, refOf, run, startWorker, untilIdle, Worker, type WorkerMsg } from "./utils.ts"

type Ref = ActorRef.ActorRef<WorkerMsg>

const sessions = (log: Log, options?: Partial<DynamicSupervisor.DynamicSupervisorSpec<string, any>>) =>
  DynamicSupervisor.start({ child: (name: string) => startWorker(name, log), ...options })

describe("DynamicSupervisor", () => {
  it("S16 starts children from the template with their arguments; lists and counts them", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* sessions(log)
      const alice = (yield* DynamicSupervisor.startChild(sup, "alice")) as Ref
      const bob = (yield* DynamicSupervisor.startChild(sup, "bob")) as Ref
      return {
        replies: [yield* ActorRef.ask(alice, { _tag: "Ping" }), yield* ActorRef.ask(bob, { _tag: "Ping" })],
        children: yield* DynamicSupervisor.whichChildren(sup),
        counts: yield* DynamicSupervisor.countChildren(sup)
      }
    }))
    expect(out.replies).toEqual(["pong alice", "pong bob"])
    expect(out.children.map((c) => [c.args, c.status, c.restart, c.type]).sort()).toEqual([
      ["alice", "running", "permanent", "worker"],
      ["bob", "running", "permanent", "worker"]
    ])
    expect(out.counts).toEqual({ specs: 1, active: 2, supervisors: 0, workers: 2 })
  })

  it("S16 maxChildren: startChild beyond it fails with MaxChildrenReached; room frees up when a child goes", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* sessions(log, { maxChildren: 2, label: "sessions" })
      const a = (yield* DynamicSupervisor.startChild(sup, "a")) as Ref
      yield* DynamicSupervisor.startChild(sup, "b")
      const full = yield* Effect.flip(DynamicSupervisor.startChild(sup, "c"))
      yield* DynamicSupervisor.terminateChild(sup, a)
      const again = yield* DynamicSupervisor.startChild(sup, "c")
      const zero = yield* sessions(log, { maxChildren: 0 })
      const none = yield* Effect.flip(DynamicSupervisor.startChild(zero, "z"))
      return { full, again, none }
    }))
    expect(out.full).toMatchObject({ _tag: "MaxChildrenReached", supervisor: "sessions", maxChildren: 2 })
    expect(out.full.message).toBe(`supervisor "sessions" already has its maximum of 2 children`)
    expect(ActorRef.isActorRef(out.again)).toBe(true)
    expect(out.none).toMatchObject({ _tag: "MaxChildrenReached", maxChildren: 0 })
    expect(log.filter((l) => l.startsWith("start"))).toEqual(["start a", "start b", "start c"])
  })

  it("S16 restarts a child with the same arguments", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* sessions(log)
      const first = (yield* DynamicSupervisor.startChild(sup, "carol")) as Ref
      yield* ActorRef.tell(first, { _tag: "Fail", error: "boom" })
      yield* ActorRef.monitor(first)
      const [child] = yield* DynamicSupervisor.whichChildren(sup)
      return { child, pong: yield* ActorRef.ask(child!.ref as Ref, { _tag: "Ping" }), first }
    }))
    expect(out.child!.ref).not.toBe(out.first)
    expect([out.child!.args, out.child!.incarnation, out.child!.status]).toEqual(["carol", 2, "running"])
    expect(out.pong).toBe("pong carol")
    expect(log.filter((l) => l.startsWith("start"))).toEqual(["start carol", "start carol"])
  })

  it("S4 temporary children are never restarted and forgotten when they exit; transient ones after a clean exit", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const temporary = yield* sessions(log, { restart: "temporary", onEvent: rec.onEvent })
      const t = (yield* DynamicSupervisor.startChild(temporary, "t")) as Ref
      yield* ActorRef.tell(t, { _tag: "Fail", error: "boom" })
      yield* ActorRef.monitor(t)
      const temporaryChildren = yield* DynamicSupervisor.whichChildren(temporary)

      const transient = yield* sessions(log, { restart: "transient" })
      const clean = (yield* DynamicSupervisor.startChild(transient, "clean")) as Ref
      const dirty = (yield* DynamicSupervisor.startChild(transient, "dirty")) as Ref
      yield* exitWith(clean, ExitReason.normal)
      yield* ActorRef.kill(dirty)
      const transientChildren = yield* DynamicSupervisor.whichChildren(transient)
      return { temporaryChildren, transientChildren, events: rec.lines() }
    }))
    expect(out.temporaryChildren).toEqual([])
    expect(out.events).toEqual(["started t#1#1", "exited t#1#1 Failure", "not-restarted t#1#1"])
    expect(out.transientChildren.map((c) => [c.args, c.incarnation])).toEqual([["dirty", 2]])
  })

  it("S16 terminateChild stops a child without restarting it; a dead reference succeeds; a stranger is not found", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* sessions(log)
      const a = (yield* DynamicSupervisor.startChild(sup, "a")) as Ref
      yield* DynamicSupervisor.terminateChild(sup, a)
      const reason = yield* ActorRef.monitor(a)
      yield* untilIdle
      const afterTerminate = yield* DynamicSupervisor.whichChildren(sup)
      const again = yield* Effect.exit(DynamicSupervisor.terminateChild(sup, a)) // dead reference: ok
      const stranger = yield* Actor.spawn(Actor.make<{ readonly _tag: "Nop" }>()({
        init: () => Effect.succeed(0),
        receive: { Nop: (s) => s }
      }))
      const notFound = yield* Effect.flip(DynamicSupervisor.terminateChild(sup, stranger))
      return { reason, afterTerminate, again, notFound }
    }))
    expect(out.reason).toEqual(ExitReason.shutdown())
    expect(out.afterTerminate).toEqual([])
    expect(out.again._tag).toBe("Success")
    expect(out.notFound).toMatchObject({ _tag: "ChildNotFound" })
    expect(log.filter((l) => l.startsWith("start"))).toEqual(["start a"])
  })

  it("S16 ignore returns undefined and keeps nothing; a failing, throwing or non-Effect template fails that start only", async () => {
    const out = await run(Effect.gen(function*() {
      const sup = yield* DynamicSupervisor.start({
        child: (mode: "ignore" | "fail" | "throw" | "garbage") => {
          if (mode === "throw") throw new Error("template bug")
          if (mode === "garbage") return 42 as never
          return mode === "ignore" ? Effect.succeed(Child.ignore) : Effect.fail("no")
        }
      })
      const ignored = yield* DynamicSupervisor.startChild(sup, "ignore")
      const failed = yield* Effect.flip(DynamicSupervisor.startChild(sup, "fail"))
      const thrown = yield* Effect.flip(DynamicSupervisor.startChild(sup, "throw"))
      const garbage = yield* Effect.flip(DynamicSupervisor.startChild(sup, "garbage"))
      return {
        ignored,
        failed,
        thrown,
        garbage,
        children: yield* DynamicSupervisor.whichChildren(sup),
        alive: ActorRef.isAliveUnsafe(sup)
      }
    }))
    expect(out.ignored).toBeUndefined()
    expect(out.failed).toMatchObject({ _tag: "ChildStartFailed" })
    expect(out.thrown).toMatchObject({ _tag: "ChildStartFailed" })
    expect(out.garbage).toMatchObject({ _tag: "ChildStartFailed" })
    expect(out.children).toEqual([])
    expect(out.alive).toBe(true)
  })

  it("S7 gives up after too many restarts: every child is stopped and the supervisor exits Shutdown", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* sessions(log, { intensity: 1 })
      const a = (yield* DynamicSupervisor.startChild(sup, "a")) as Ref
      const b = (yield* DynamicSupervisor.startChild(sup, "b")) as Ref
      yield* ActorRef.kill(a)
      const a2 = (yield* DynamicSupervisor.whichChildren(sup)).find((c) => c.args === "a")!.ref as Ref
      yield* ActorRef.kill(a2)
      return { sup: yield* ActorRef.monitor(sup), b: yield* ActorRef.monitor(b) }
    }))
    expect(out).toEqual({ sup: ExitReason.shutdown(), b: ExitReason.shutdown() })
  })

  it("S16 stops its children concurrently, with one timeout for all (TestClock)", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* DynamicSupervisor.start({
        child: (name: string) => startWorker(name, log, { stopDelay: "1 hour" }),
        shutdown: "1 second"
      })
      const refs = [
        yield* DynamicSupervisor.startChild(sup, "x"),
        yield* DynamicSupervisor.startChild(sup, "y"),
        yield* DynamicSupervisor.startChild(sup, "z")
      ] as Array<Ref>
      const stopping = yield* Effect.forkChild(ActorRef.stop(sup))
      yield* advance("1 second")
      yield* Fiber.join(stopping)
      return yield* Effect.forEach(refs, ActorRef.monitor)
    }))
    expect(out.map((r) => r._tag)).toEqual(["Killed", "Killed", "Killed"])
  })

  it("S17 restartDelay spaces restarts out; the child shows as restarting meanwhile (TestClock)", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* sessions(log, { restartDelay: Schedule.exponential("1 second") })
      const a = (yield* DynamicSupervisor.startChild(sup, "a")) as Ref
      yield* ActorRef.kill(a)
      const during = (yield* DynamicSupervisor.whichChildren(sup)).map((c) => [c.status, c.ref])
      yield* advance("1 second")
      const after = (yield* DynamicSupervisor.whichChildren(sup)).map((c) => [c.status, c.incarnation])
      return { during, after }
    }))
    expect(out.during).toEqual([["restarting", undefined]])
    expect(out.after).toEqual([["running", 2]])
  })

  it("S20 validates its options before starting: InvalidChildSpec names the field", async () => {
    const bad = [
      [{ child: "not a function" }, "child"],
      [{ child: () => Effect.never, maxChildren: -1 }, "maxChildren"],
      [{ child: () => Effect.never, maxChildren: 1.5 }, "maxChildren"],
      [{ child: () => Effect.never, intensity: -1 }, "intensity"],
      [{ child: () => Effect.never, period: 0 }, "period"],
      [{ child: () => Effect.never, restart: "always" }, "restart"],
      [{ child: () => Effect.never, shutdown: -1 }, "shutdown"],
      [{ child: () => Effect.never, type: "daemon" }, "type"],
      [{ child: () => Effect.never, significant: true }, "significant"]
    ] as const
    const errors = await run(Effect.forEach(bad, ([spec]) => Effect.flip(DynamicSupervisor.start(spec as never))))
    expect(errors.map((e) => [e._tag, e.child, e.field])).toEqual(bad.map(([, field]) => ["InvalidChildSpec", undefined, field]))
  })

  it("S18 as a child of a Supervisor (DynamicSupervisor.child): its events carry its path; it restarts as a whole", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const root = yield* Supervisor.start({
        strategy: "one-for-one",
        onEvent: rec.onEvent,
        children: [DynamicSupervisor.child("dyn", { child: (name: string) => startWorker(name, log) })]
      })
      const dyn = (yield* refOf(root, "dyn")) as unknown as DynamicSupervisor.DynamicSupervisorRef<string>
      const a = (yield* DynamicSupervisor.startChild(dyn, "a")) as Ref
      yield* ActorRef.tell(a, { _tag: "Fail", error: "boom" })
      yield* ActorRef.monitor(a)
      yield* DynamicSupervisor.whichChildren(dyn)
      const [info] = yield* Supervisor.whichChildren(root)
      return { info, events: rec.lines() }
    }))
    expect([out.info!.id, out.info!.type, out.info!.status]).toEqual(["dyn", "supervisor", "running"])
    expect(out.events).toEqual(["started dyn#1", "started dyn/a#1#1", "exited dyn/a#1#1 Failure", "started dyn/a#1#2 restart"])
  })
  it("S16 children waiting for a restart count toward maxChildren (TestClock)", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* sessions(log, { maxChildren: 1, restartDelay: Schedule.spaced("1 second") })
      const a = (yield* DynamicSupervisor.startChild(sup, "a")) as Ref
      yield* ActorRef.kill(a)
      const status = (yield* DynamicSupervisor.whichChildren(sup)).map((c) => c.status)
      const full = yield* Effect.flip(DynamicSupervisor.startChild(sup, "b"))
      yield* advance("1 second")
      return { status, full, after: (yield* DynamicSupervisor.whichChildren(sup)).map((c) => [c.args, c.status]) }
    }))
    expect(out.status).toEqual(["restarting"])
    expect(out.full).toMatchObject({ _tag: "MaxChildrenReached", maxChildren: 1 })
    expect(out.after).toEqual([["a", "running"]])
    expect(log.filter((l) => l.startsWith("start"))).toEqual(["start a", "start a"])
  })

  it("S18 a supervisor that is a dynamic child is named label#n after its spec's label in the paths of its events", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const teams = yield* DynamicSupervisor.start({
        type: "supervisor",
        onEvent: rec.onEvent,
        child: (team: string) =>
          Supervisor.start({
            strategy: "one-for-one",
            intensity: 0,
            label: team,
            children: [Child.worker({ id: "w", start: startWorker(`${team}-w`, log) })]
          })
      })
      const red = (yield* DynamicSupervisor.startChild(teams, "red")) as unknown as Supervisor.SupervisorRef
      const w = yield* refOf(red, "w")
      yield* ActorRef.tell(w, { _tag: "Fail", error: "boom" }) // intensity 0: red gives up
      yield* ActorRef.monitor(w)
      yield* ActorRef.monitor(red)
      yield* untilIdle
      const snapshot = yield* Supervisor.snapshot(teams)
      return {
        gaveUp: rec.events.filter((e) => e._tag === "RestartIntensityExceeded").map((e) => e.supervisor),
        ids: snapshot.children.map((c) => [c.id, c.supervisor?.path])
      }
    }))
    // the nested supervisor's own children start before its start returns: they already carry the name
    expect(rec.lines().slice(0, 2)).toEqual(["started red#1/w#1", "started red#1#1"])
    expect(out.gaveUp).toEqual([["red#1"]])
    expect(rec.lines()).toContain("exited red#1/w#1 Failure")
    // the id is fixed at the first start: the restarted supervisor keeps it, so do its children
    expect(rec.lines()).toContain("started red#1#2 restart")
    expect(rec.lines().lastIndexOf("started red#1/w#1")).toBeGreaterThan(1)
    expect(out.ids).toEqual([["red#1", ["red#1"]]])
  })

  it("S18 a dynamic child is named label#n after its reference's label, #n without one; the number counts every start", async () => {
    const log: Log = []
    const rec = recorder()
    const out = await run(Effect.gen(function*() {
      const sup = yield* DynamicSupervisor.start({
        onEvent: rec.onEvent,
        // an empty label is no label
        child: (name: string) =>
          name === "anon"
            ? Actor.spawn(Worker("anon", log))
            : name === "empty"
            ? Actor.spawn(Worker("empty", log), { label: "" })
            : startWorker(name, log)
      })
      yield* DynamicSupervisor.startChild(sup, "session")
      yield* DynamicSupervisor.startChild(sup, "anon")
      const again = (yield* DynamicSupervisor.startChild(sup, "session")) as Ref
      yield* DynamicSupervisor.startChild(sup, "empty")
      yield* ActorRef.tell(again, { _tag: "Fail", error: "boom" })
      yield* ActorRef.monitor(again)
      const children = yield* DynamicSupervisor.whichChildren(sup)
      return { ids: children.map((c) => [c.id, c.args, c.incarnation]), events: rec.lines() }
    }))
    expect(out.ids).toEqual([["session#1", "session", 1], ["#2", "anon", 1], ["session#3", "session", 2], ["#4", "empty", 1]])
    expect(out.events).toEqual([
      "started session#1#1",
      "started #2#1",
      "started session#3#1",
      "started #4#1",
      "exited session#3#1 Failure",
      "started session#3#2 restart"
    ])
  })

  it("S18 a failed start's events and error name the child by its number; the id stays fixed across restarts", async () => {
    const log: Log = []
    const rec = recorder()
    let starts = 0
    const out = await run(Effect.gen(function*() {
      const sup = yield* DynamicSupervisor.start({
        onEvent: rec.onEvent,
        // the label changes with each instance: the child keeps the name of its first one
        child: (name: string) =>
          Effect.suspend((): Effect.Effect<ActorRef.ActorRef<WorkerMsg>, unknown, any> => {
            starts++
            return name === "bad"
              ? Effect.fail("no")
              : Actor.spawn(Worker(name, log), { label: `${name}-${starts}` })
          })
      })
      const failed = yield* Effect.flip(DynamicSupervisor.startChild(sup, "bad"))
      const ok = (yield* DynamicSupervisor.startChild(sup, "ok")) as Ref
      yield* ActorRef.kill(ok)
      yield* untilIdle
      const [child] = yield* DynamicSupervisor.whichChildren(sup)
      return { failed, id: child!.id, label: child!.ref!.label, events: rec.lines() }
    }))
    expect(out.failed).toMatchObject({ _tag: "ChildStartFailed", child: "#1" })
    expect(out.id).toBe("ok-2#2")
    expect(out.label).toBe("ok-3")
    expect(out.events).toEqual(["start-failed #1#1", "started ok-2#2#1", "exited ok-2#2#1 Killed", "started ok-2#2#2 restart"])
  })
})

describe("DynamicSupervisor significant children and autoShutdown (OTP simple_one_for_one)", () => {
  it("S13 all-significant: the last child's own exit shuts the supervisor down; terminateChild does not", async () => {
    const log: Log = []
    const events = recorder()
    const out = await run(Effect.gen(function*() {
      const sup = yield* sessions(log, {
        restart: "transient",
        significant: true,
        autoShutdown: "all-significant",
        onEvent: events.onEvent
      })
      const a = (yield* DynamicSupervisor.startChild(sup, "a")) as Ref
      const b = (yield* DynamicSupervisor.startChild(sup, "b")) as Ref
      yield* DynamicSupervisor.terminateChild(sup, a)
      const afterTerminate = yield* ActorRef.isAlive(sup)
      yield* exitWith(b, ExitReason.normal)
      yield* untilIdle
      return { afterTerminate, alive: yield* ActorRef.isAlive(sup) }
    }))
    expect(out).toEqual({ afterTerminate: true, alive: false })
    expect(events.lines().filter((l) => l.startsWith("auto-shutdown"))).toEqual(["auto-shutdown root by b#2"])
  })

  it("S13 any-significant: the first child's own exit (not restarted) shuts it down; a restarted crash does not", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* sessions(log, { restart: "transient", significant: true, autoShutdown: "any-significant" })
      const a = (yield* DynamicSupervisor.startChild(sup, "a")) as Ref
      yield* DynamicSupervisor.startChild(sup, "b")
      yield* ActorRef.tell(a, { _tag: "Fail", error: "x" })
      yield* ActorRef.monitor(a)
      yield* untilIdle
      const afterCrash = yield* ActorRef.isAlive(sup)
      const [first] = (yield* DynamicSupervisor.whichChildren(sup)).filter((c) => c.args === "a")
      yield* exitWith(first!.ref as Ref, ExitReason.normal)
      yield* untilIdle
      return { afterCrash, alive: yield* ActorRef.isAlive(sup) }
    }))
    expect(out).toEqual({ afterCrash: true, alive: false })
    expect(log.filter((l) => l.startsWith("stopped b"))).toEqual(["stopped b Shutdown"])
  })
  it("S13 a significant template is refused under autoShutdown never and when permanent; nothing starts", async () => {
    const log: Log = []
    const errors = await run(Effect.all([
      Effect.flip(sessions(log, { restart: "transient", significant: true, label: "never" })),
      Effect.flip(sessions(log, { significant: true, autoShutdown: "any-significant", label: "permanent" })),
      Effect.flip(sessions(log, { significant: true, label: "both" }))
    ]))
    // the helper's spec type has an optional name, so AlreadyRegistered is in the union too
    expect(errors.map((e) => e._tag === "InvalidChildSpec" ? [e._tag, e.supervisor, e.field] : [e._tag])).toEqual([
      ["InvalidChildSpec", "never", "significant"],
      ["InvalidChildSpec", "permanent", "significant"],
      ["InvalidChildSpec", "both", "significant"]
    ])
    expect(errors[0]!.message).toContain(`needs autoShutdown "any-significant" or "all-significant"`)
    expect(errors[1]!.message).toContain("a permanent child cannot be significant")
    // autoShutdown is checked first, as OTP does
    expect(errors[2]!.message).toContain(`needs autoShutdown "any-significant" or "all-significant"`)
    expect(log).toEqual([])
  })

  it("S13 all-significant counts a child waiting for its restart as left: its siblings' exits do not shut down", async () => {
    const log: Log = []
    const events = recorder()
    const out = await run(Effect.gen(function*() {
      const sup = yield* sessions(log, {
        restart: "transient",
        significant: true,
        autoShutdown: "all-significant",
        restartDelay: Schedule.spaced("1 second"),
        onEvent: events.onEvent
      })
      const a = (yield* DynamicSupervisor.startChild(sup, "a")) as Ref
      const b = (yield* DynamicSupervisor.startChild(sup, "b")) as Ref
      yield* ActorRef.tell(a, { _tag: "Fail", error: "x" }) // restarted after 1 s
      yield* ActorRef.monitor(a)
      yield* exitWith(b, ExitReason.normal) // a is restarting: not the last one
      yield* untilIdle
      const whileRestarting = yield* ActorRef.isAlive(sup)
      yield* advance("1 second")
      const [restarted] = yield* DynamicSupervisor.whichChildren(sup)
      yield* exitWith(restarted!.ref as Ref, ExitReason.normal)
      yield* untilIdle
      return { whileRestarting, restarted: restarted!.incarnation, alive: yield* ActorRef.isAlive(sup) }
    }))
    expect(out).toEqual({ whileRestarting: true, restarted: 2, alive: false })
    expect(events.lines().filter((l) => l.startsWith("auto-shutdown"))).toEqual(["auto-shutdown root by a#1"])
  })
})
