/**
 * Drives Arbor through an OTP conformance scenario and records the same event trace the
 * Erlang runner records (see `otp/README.md` of the shared oracle and `conformance/README.md`).
 *
 * Time is a `VirtualClock`: `wait` steps move it, and while a step is blocked on a timer (a
 * shutdown timeout, a slow stop hook) the driver moves it to the next deadline. Between steps
 * the driver waits until the tree is quiet — `TestSystem.untilIdle` of `@arbor/testkit`: nothing
 * queued in the dispatcher or on the scheduler — as the Erlang runner's settle rule does.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import type * as Fiber from "effect/Fiber"
import { Actor, ActorRef, ExitReason } from "@arbor/core"
import { Child, DynamicSupervisor, Supervisor, SupervisorErrors } from "@arbor/supervisor"
import type { SupervisionEvent } from "@arbor/supervisor"
import { TestSystem } from "@arbor/testkit"
import type { ChildJson, InitMode, Reason, Scenario, Step, SupervisorJson } from "./scenario.ts"
import { VirtualClock } from "./virtual-clock.ts"

/** A worker's failure carrying the scenario's reason term. */
class ScenarioReason extends Data.TaggedError("ScenarioReason")<{ readonly reason: Reason }> {}

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }
type Trace = Array<Record<string, Json>>

interface Incarnation {
  readonly path: string
  readonly instance: number
  readonly args?: ReadonlyArray<unknown>
}

type WorkerMsg = { readonly _tag: "Crash"; readonly reason: Reason }

const toExitReason = (r: Reason): ExitReason.ExitReason => {
  if (r === "normal") return ExitReason.normal
  if (r === "shutdown") return ExitReason.shutdown()
  if (typeof r === "object") return ExitReason.shutdown(r.shutdown)
  return ExitReason.fail(new ScenarioReason({ reason: r }))
}

/** Renders an exit reason as the trace's reason term. */
export const renderReason = (reason: ExitReason.ExitReason): Json => {
  switch (reason._tag) {
    case "Normal":
      return "normal"
    case "Killed":
      return "killed"
    case "Shutdown":
      return "payload" in reason ? { shutdown: reason.payload as Json } : "shutdown"
    case "Failure":
      return renderError(reason.error)
  }
}

const renderError = (error: unknown): Json => {
  if (error instanceof ScenarioReason) return error.reason as Json
  if (error instanceof SupervisorErrors.ChildStartFailed) {
    return { shutdown: { failed_to_start_child: { id: error.child, reason: renderCause(error.cause) } } }
  }
  return String(error)
}

const renderCause = (cause: Cause.Cause<unknown>): Json => renderReason(ExitReason.failure(cause))


/** Runs one validated scenario; returns its trace, one object per line. */
export const runScenario = async (scenario: Scenario): Promise<Trace> => {
  const trace: Trace = []
  const clock = new VirtualClock()
  const incarnations = new WeakMap<object, Incarnation>()
  const starts = new Map<string, number>()
  const current = new Map<string, ActorRef.ActorRef<any>>()
  const kinds = new Map<string, SupervisorJson>()
  let recording = true
  const push = (e: Record<string, Json | undefined>) => {
    if (!recording) return
    const clean: Record<string, Json> = {}
    for (const [k, v] of Object.entries(e)) if (v !== undefined) clean[k] = v
    trace.push(clean)
  }

  const nextInstance = (path: string) => {
    const n = (starts.get(path) ?? 0) + 1
    starts.set(path, n)
    return n
  }

  // Arbor names a dynamic child by its label and number ("red#1", or "#1") in event paths; the
  // trace names it by the label of its start_child step. Every started child's Arbor path is mapped to its trace path,
  // so a dynamic child supervisor (and anything below it) is named as OTP names it.
  const tracePaths = new Map<string, string>()
  const supervisorName = (path: ReadonlyArray<string>) =>
    path.length === 0 ? "root" : tracePaths.get(path.join("/")) ?? path.join("/")

  const onEvent = (e: SupervisionEvent.SupervisionEvent) => {
    const sup = supervisorName(e.supervisor)
    switch (e._tag) {
      case "ChildStarted": {
        const inc = incarnations.get(e.ref)
        if (inc !== undefined) tracePaths.set([...e.supervisor, e.child].join("/"), inc.path)
        return
      }
      case "ChildExited": {
        const inc = incarnations.get(e.ref)
        if (inc !== undefined) push({ event: "child_exited", id: inc.path, instance: inc.instance, reason: renderReason(e.reason) })
        return
      }
      case "ChildNotRestarted": {
        const inc = incarnations.get(e.ref)
        if (inc !== undefined) push({ event: "child_not_restarted", id: inc.path, instance: inc.instance })
        return
      }
      case "RestartIntensityExceeded":
        return push({ event: "restart_intensity_exceeded", supervisor: sup })
      case "AutoShutdown":
        return push({ event: "auto_shutdown", supervisor: sup })
      default:
        return
    }
  }

  const worker = (path: string, behavior: ChildJson["behavior"], instance: number) => {
    const mode: InitMode = behavior?.init_by_instance?.[String(instance)] ?? behavior?.init ?? "ok"
    const trapExit = behavior?.trap_exit === true
    const delay = behavior?.terminate_delay_ms ?? 0
    return Actor.make<WorkerMsg>()({
      init: () =>
        typeof mode === "object" ? Effect.fail(new ScenarioReason({ reason: mode.fail })) : Effect.succeed(path),
      receive: {
        Crash: (_s, msg) => {
          const reason = toExitReason(msg.reason)
          return reason._tag === "Failure" ? Effect.fail(reason.error) : Actor.stop(reason)
        }
      },
      ...(trapExit
        ? { onStop: (_s: string, reason: ExitReason.ExitReason) => reason._tag === "Shutdown" ? Effect.sleep(delay) : Effect.void }
        : {})
    })
  }

  /** The start effect of the child at `path`, recording child_started / ignored / failed. */
  const startOf = (path: string, spec: ChildJson, args?: ReadonlyArray<unknown>) =>
    Effect.gen(function*() {
      const instance = nextInstance(path)
      const argsField = args === undefined ? {} : { args: args as Json }
      if (spec.type === "supervisor") {
        const exit = yield* Effect.exit(startSupervisor(path, spec.supervisor!))
        if (Exit.isFailure(exit)) {
          push({ event: "child_start_failed", id: path, instance, ...argsField, reason: renderCause(exit.cause) })
          return yield* Effect.failCause(exit.cause)
        }
        track(exit.value, { path, instance })
        push({ event: "child_started", id: path, instance, ...argsField })
        return exit.value
      }
      const mode: InitMode = spec.behavior?.init_by_instance?.[String(instance)] ?? spec.behavior?.init ?? "ok"
      if (mode === "ignore") {
        push({ event: "child_start_ignored", id: path, instance, ...argsField })
        return Child.ignore
      }
      const exit = yield* Effect.exit(Actor.spawn(worker(path, spec.behavior, instance), { label: path }))
      if (Exit.isFailure(exit)) {
        push({ event: "child_start_failed", id: path, instance, ...argsField, reason: renderCause(exit.cause) })
        return yield* Effect.failCause(exit.cause)
      }
      track(exit.value, args === undefined ? { path, instance } : { path, instance, args })
      push({ event: "child_started", id: path, instance, ...argsField })
      return exit.value
    })

  const track = (ref: ActorRef.ActorRef<any>, inc: Incarnation) => {
    incarnations.set(ref, inc)
    current.set(inc.path, ref)
  }

  const shutdownOf = (s: ChildJson["shutdown"]): Child.Shutdown | undefined =>
    s === undefined ? undefined : s === "brutal_kill" ? "brutal" : s === "infinity" ? "infinity" : Duration.millis(s)

  const childSpec = (prefix: string, c: ChildJson): Child.ChildSpec<any> => {
    const path = prefix === "" ? c.id : `${prefix}/${c.id}`
    const shutdown = shutdownOf(c.shutdown)
    return {
      id: c.id,
      start: startOf(path, c),
      ...(c.restart === undefined ? {} : { restart: c.restart }),
      ...(shutdown === undefined ? {} : { shutdown }),
      ...(c.type === undefined ? {} : { type: c.type }),
      ...(c.significant === undefined ? {} : { significant: c.significant })
    }
  }

  const autoShutdownOf = (a: SupervisorJson["auto_shutdown"]): Supervisor.AutoShutdown =>
    a === "any_significant" ? "any-significant" : a === "all_significant" ? "all-significant" : "never"

  const startSupervisor = (path: string, s: SupervisorJson): Effect.Effect<ActorRef.ActorRef<any>, unknown, any> => {
    kinds.set(path, s)
    const common = {
      intensity: s.intensity ?? 1,
      period: Duration.seconds(s.period ?? 5),
      ...(path === "root" ? { onEvent } : {})
    }
    if (s.strategy === "simple_one_for_one") {
      const tmpl = s.children![0]!
      const shutdown = shutdownOf(tmpl.shutdown)
      return DynamicSupervisor.start({
        ...common,
        child: (a: { readonly label: string; readonly args: ReadonlyArray<unknown> }) =>
          startOf(path === "root" ? a.label : `${path}/${a.label}`, tmpl, a.args),
        ...(tmpl.restart === undefined ? {} : { restart: tmpl.restart }),
        ...(shutdown === undefined ? {} : { shutdown }),
        ...(tmpl.type === undefined ? {} : { type: tmpl.type }),
        ...(tmpl.significant === undefined ? {} : { significant: tmpl.significant }),
        autoShutdown: autoShutdownOf(s.auto_shutdown)
      })
    }
    const strategy = s.strategy === "one_for_one" ? "one-for-one" : s.strategy === "one_for_all" ? "one-for-all" : "rest-for-one"
    return Supervisor.start({
      ...common,
      strategy,
      autoShutdown: autoShutdownOf(s.auto_shutdown),
      children: (s.children ?? []).map((c) => childSpec(path === "root" ? "" : path, c))
    })
  }

  // --- the world -------------------------------------------------------------------------
  const scope = Scope.makeUnsafe()
  // the shared harness's world on the live clock (the driver provides its VirtualClock per step)
  const context = await Effect.runPromise(
    Layer.build(TestSystem.layer({ clock: "live" })).pipe(Scope.provide(scope))
  )
  /** Until the tree is quiet: nothing queued in the dispatcher or on the scheduler (`TestSystem.untilIdle`). */
  const idle = () => Effect.runPromise(TestSystem.untilIdle.pipe(Effect.provideContext(context)))
  const runFork = <A, E>(eff: Effect.Effect<A, E, any>): Fiber.Fiber<A, E> =>
    Effect.runFork(
      eff.pipe(
        Effect.provideService(Clock.Clock, clock),
        Effect.provideService(Scope.Scope, scope),
        Effect.provideContext(context)
      ) as Effect.Effect<A, E>
    )

  /**
   * Runs a step's effect to completion, moving virtual time while it waits on timers: once the
   * tree is idle, the next timer fires (the settle rule); a step that has not completed when the
   * tree is idle and no timer is pending can never complete.
   */
  const settle = async <A, E>(fiber: Fiber.Fiber<A, E>): Promise<Exit.Exit<A, E>> => {
    while (true) {
      await idle()
      const exit = fiber.pollUnsafe()
      if (clock.fireNext()) continue
      if (exit !== undefined) return exit
      throw new Error("a step did not complete and nothing is waiting on time")
    }
  }

  const resultEvent = (step: number, op: string, result: Json) => push({ event: "result", step, op, result })
  const noproc: Json = { exit: "noproc" }
  const isNoProc = (e: unknown) =>
    typeof e === "object" && e !== null && ["ActorNotAlive", "ActorExited"].includes((e as { _tag?: string })._tag ?? "")
  const childRef = (ref: ActorRef.ActorRef<never>): Json => {
    const inc = incarnations.get(ref)
    return inc === undefined ? null : { id: inc.path, instance: inc.instance }
  }
  const supRef = (path: string | undefined) => {
    const ref = current.get(path ?? "root")
    return ref !== undefined && ActorRef.isAliveUnsafe(ref) ? ref : undefined
  }

  try {
    push({ event: "step", step: 0, op: "start_supervisor" })
    const started = await settle(runFork(startSupervisor("root", scenario.supervisor)))
    if (Exit.isFailure(started)) {
      const error = Cause.findErrorOption(started.cause)
      const root = scenario.supervisor
      const rendered = error._tag === "Some" && error.value instanceof SupervisorErrors.InvalidChildSpec &&
          error.value.field === "significant" && root.strategy === "simple_one_for_one"
        // a dynamic supervisor's template is validated at start, as OTP checks a
        // simple_one_for_one's child spec (`start_spec`)
        ? { start_spec: badCombination(error.value, root, root.children![0]!) }
        : renderCause(started.cause)
      resultEvent(0, "start_supervisor", { error: rendered })
      return trace
    }
    const root = started.value
    current.set("root", root)
    ActorRef.onExit(root, (reason) =>
      push({ event: "supervisor_exited", supervisor: "root", reason: renderReason(reason) }))
    resultEvent(0, "start_supervisor", "ok")

    for (let i = 0; i < scenario.steps.length; i++) {
      const step = scenario.steps[i]!
      const n = i + 1
      const { comment: _c, spec, ...fields } = step
      push({ event: "step", step: n, ...(fields as Record<string, Json>), ...(spec === undefined ? {} : { id: spec.id }) })
      await runStep(step, n)
    }
    return trace
  } finally {
    recording = false // cleanup is not traced
    // closing may wait on virtual time (a slow stop hook, a shutdown timeout): settle moves it
    await settle(runFork(Scope.close(scope, Exit.void)))
  }

  async function runStep(step: Step, n: number): Promise<void> {
    const op = step.op
    const supPath = step.supervisor ?? "root"
    const kind = kinds.get(supPath)
    const dynamic = kind?.strategy === "simple_one_for_one"
    const childPath = (id: string) => (supPath === "root" ? id : `${supPath}/${id}`)
    const api = async (eff: Effect.Effect<Json, unknown, any>) => {
      const sup = supRef(step.supervisor)
      if (sup === undefined) return resultEvent(n, op, noproc)
      const exit = await settle(runFork(eff))
      if (Exit.isSuccess(exit)) return resultEvent(n, op, exit.value)
      const err = Cause.findErrorOption(exit.cause)
      if (err._tag === "Some" && isNoProc(err.value)) return resultEvent(n, op, noproc)
      throw new Error(`step ${n} (${op}) failed: ${Cause.pretty(exit.cause)}`)
    }
    const sup = () => supRef(step.supervisor)! as Supervisor.SupervisorRef
    const dsup = () => supRef(step.supervisor)! as DynamicSupervisor.DynamicSupervisorRef<unknown>
    switch (op) {
      case "wait": {
        const target = clock.now + step.ms!
        while (clock.fireNext(target)) await idle()
        clock.setNow(target)
        await settle(runFork(Effect.void))
        return
      }
      case "crash":
      case "kill": {
        const ref = current.get(step.id!)
        if (ref === undefined || !ActorRef.isAliveUnsafe(ref)) throw new Error(`step ${n}: ${step.id} is not running`)
        const reason = op === "kill" ? "kill" : step.reason!
        const isSupervisor = kinds.has(step.id!)
        const eff = reason === "kill"
          ? ActorRef.kill(ref)
          : isSupervisor
          ? ActorRef.stop(ref, toExitReason(reason))
          : Effect.andThen(ActorRef.tell(ref as ActorRef.ActorRef<WorkerMsg>, { _tag: "Crash", reason }), ActorRef.monitor(ref))
        await settle(runFork(eff))
        return
      }
      case "stop": {
        const root = current.get("root")!
        await settle(runFork(ActorRef.stop(root, toExitReason(step.reason ?? "shutdown"))))
        return
      }
      case "start_child": {
        if (dynamic) {
          return api(Effect.map(
            DynamicSupervisor.startChild(dsup(), { label: step.id!, args: step.args ?? [] }),
            (ref): Json => ({ ok: ref === undefined ? null : childRef(ref) })
          ).pipe(Effect.catchTag("ChildStartFailed", (e) => Effect.succeed<Json>({ error: { start_failed: renderCause(e.cause) } }))))
        }
        const spec = step.spec!
        return api(Effect.map(Supervisor.startChild(sup(), childSpec(supPath === "root" ? "" : supPath, spec)), (ref): Json => ({
          ok: ref === undefined ? null : childRef(ref)
        })).pipe(Effect.catch((e) => staticStartError(e, spec, kind!, childRef))))
      }
      case "terminate_child": {
        if (dynamic) {
          // dynamic children have no ids in Arbor: DynamicSupervisor.terminateChild takes a reference
          if (supRef(step.supervisor) === undefined) return resultEvent(n, op, noproc)
          if (step.by === "id") return resultEvent(n, op, { error: "simple_one_for_one" })
          // the latest instance of that label (a restart replaces the one start_child returned)
          const ref = current.get(childPath(step.id!))
          if (ref === undefined) return resultEvent(n, op, { error: "not_found" })
          return api(Effect.as(DynamicSupervisor.terminateChild(dsup(), ref), "ok" as Json).pipe(
            Effect.catchTag("ChildNotFound", () => Effect.succeed<Json>({ error: "not_found" }))
          ))
        }
        // a static supervisor addresses children by id only; "by pid" passes a reference's
        // printed form, which is not an id
        const id = step.by === "pid" ? String(current.get(childPath(step.id!))) : step.id!
        return api(Effect.as(Supervisor.terminateChild(sup(), id), "ok" as Json).pipe(
          Effect.catchTag("ChildNotFound", () => Effect.succeed<Json>({ error: "not_found" }))
        ))
      }
      case "restart_child":
      case "delete_child": {
        // restart/delete by id do not exist for dynamic supervisors in Arbor (no ids)
        if (dynamic) return resultEvent(n, op, supRef(step.supervisor) === undefined ? noproc : { error: "simple_one_for_one" })
        const eff = op === "restart_child"
          ? Effect.map(Supervisor.restartChild(sup(), step.id!), (ref): Json => ({ ok: ref === undefined ? null : childRef(ref) }))
          : Effect.as(Supervisor.deleteChild(sup(), step.id!), "ok" as Json)
        return api((eff as Effect.Effect<Json, unknown>).pipe(Effect.catch((e) => apiError(e))))
      }
      case "which_children": {
        if (dynamic) {
          return api(Effect.map(DynamicSupervisor.whichChildren(dsup()), (children): Json =>
            children.map((c) => {
              const inc = c.ref === undefined ? undefined : incarnations.get(c.ref)
              const label = (c.args as { label: string } | undefined)?.label ?? c.id
              return c.ref === undefined || inc === undefined
                ? { id: label, status: c.status, type: c.type }
                : { id: label, status: "running", instance: inc.instance, type: c.type }
            }).sort((a, b) => cmp(a, b))))
        }
        return api(Effect.map(Supervisor.whichChildren(sup()), (children): Json =>
          children.map((c) =>
            c.ref === undefined
              ? { id: c.id, status: c.status, type: c.type }
              : { id: c.id, status: "running", instance: incarnations.get(c.ref)?.instance ?? null, type: c.type }
          )))
      }
      case "count_children": {
        const eff = dynamic ? DynamicSupervisor.countChildren(dsup()) : Supervisor.countChildren(sup())
        return api(Effect.map(eff, (c): Json => ({ ...c })))
      }
    }
  }
}

const cmp = (a: Json, b: Json): number => {
  const x = a as { id: string; instance?: number }
  const y = b as { id: string; instance?: number }
  return x.id < y.id ? -1 : x.id > y.id ? 1 : (x.instance ?? 0) - (y.instance ?? 0)
}

const apiError = (e: unknown): Effect.Effect<Json, unknown> => {
  if (e instanceof SupervisorErrors.ChildNotFound) return Effect.succeed({ error: "not_found" })
  if (e instanceof SupervisorErrors.ChildRunning) return Effect.succeed({ error: e.status })
  if (e instanceof SupervisorErrors.ChildStartFailed) {
    return Effect.succeed({ error: { start_failed: renderReason(ExitReason.failure(e.cause)) } })
  }
  return Effect.fail(e)
}

/** OTP's `bad_combination` term for a refused significant child; Arbor's error says which rule it broke. */
const badCombination = (e: SupervisorErrors.InvalidChildSpec, sup: SupervisorJson, spec: ChildJson): Json => ({
  // autoShutdown is checked first, as OTP does
  bad_combination: e.reason.includes("autoShutdown")
    ? [{ auto_shutdown: sup.auto_shutdown ?? "never" }, { significant: true }]
    : [{ restart: spec.restart ?? "permanent" }, { significant: true }]
})

const staticStartError = (
  e: unknown,
  spec: ChildJson,
  sup: SupervisorJson,
  childRef: (ref: ActorRef.ActorRef<never>) => Json
): Effect.Effect<Json, unknown> => {
  if (e instanceof SupervisorErrors.InvalidChildSpec && e.field === "significant") {
    return Effect.succeed({ error: { invalid_child_spec: badCombination(e, sup, spec) } })
  }
  if (e instanceof SupervisorErrors.ChildAlreadyPresent) return Effect.succeed({ error: "already_present" })
  if (e instanceof SupervisorErrors.ChildAlreadyStarted) {
    return Effect.succeed({ error: { already_started: childRef(e.ref) } })
  }
  return apiError(e)
}

/** Renders a result object as one compact JSON line. */
export const toJsonl = (trace: Trace): string => trace.map((e) => JSON.stringify(e)).join("\n") + "\n"
