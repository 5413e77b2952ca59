/**
 * Generated supervision scenarios for the model-based property test.
 *
 * A case is a random supervision tree (up to three levels: static supervisors with the three
 * strategies, simple_one_for_one leaves; mixed restart types, intensities, periods, shutdown specs,
 * auto shutdown and significant children, significant simple_one_for_one templates too; workers whose starts fail, return ignore, or whose
 * cleanup is slow) and a list of *intents*: crash something, kill something, wait, call the
 * supervisor API. Intents are resolved against the reference model while the scenario is built —
 * "crash the 3rd live child" becomes a crash of a child that is really running at that point —
 * so every generated scenario is valid for the oracle (no crash of a dead child, no call on a
 * supervisor that never existed), and fast-check shrinks intents and the tree freely.
 *
 * What stays out, because the oracle says it is not deterministic or OTP is quirky there:
 * killing a supervisor child untrappably (its children would die asynchronously), a shutdown
 * timeout equal to a cleanup delay (a race), `shutdown: 0` (OTP kills unless the exit is already
 * in its mailbox), a supervisor child with a finite shutdown, a dynamic child whose *restart*
 * returns ignore (OTP stores an undefined pid), and restarts near the edge of an intensity window
 * (OTP counts whole seconds; the model flags those cases and the test discards them).
 */
import * as fc from "fast-check"
import type { Behavior, ChildJson, InitMode, Reason, Scenario, Step, SupervisorJson } from "../../conformance/scenario.ts"
import type { Event, Situation } from "./model.ts"
import { Model } from "./model.ts"

// ------------------------------------------------------------------------------------------
// intents
// ------------------------------------------------------------------------------------------

/** What a generated step means to do, resolved against the model's state when it runs. */
export type Intent =
  | { readonly op: "crash"; readonly pick: number; readonly reason: Reason }
  | { readonly op: "kill"; readonly pick: number }
  | { readonly op: "wait"; readonly long: boolean; readonly ms: number }
  | {
    readonly op: "start_child"
    readonly sup: number
    readonly spec: ChildJson
    readonly label: string
    readonly args: ReadonlyArray<string | number> | undefined
  }
  | { readonly op: "terminate_child"; readonly sup: number; readonly id: number; readonly by: "id" | "pid" | undefined }
  | { readonly op: "restart_child" | "delete_child"; readonly sup: number; readonly id: number }
  | { readonly op: "which_children" | "count_children"; readonly sup: number; readonly explicitRoot: boolean }

/** A generated case: the tree, the intents, and the reason of the final stop of the root. */
export interface Case {
  readonly tree: SupervisorJson
  readonly intents: ReadonlyArray<Intent>
  /** Every scenario ends by stopping the root (if it still runs) with this reason (absent: shutdown). */
  readonly finalStop: Reason | undefined
}

// ------------------------------------------------------------------------------------------
// trees
// ------------------------------------------------------------------------------------------

const IDS = ["a", "b", "c", "d", "e"]

const reasonArb: fc.Arbitrary<Reason> = fc.oneof(
  { weight: 3, arbitrary: fc.constant("boom") },
  { weight: 1, arbitrary: fc.constant("oops") },
  { weight: 2, arbitrary: fc.constant("normal") },
  { weight: 2, arbitrary: fc.constant("shutdown") },
  { weight: 1, arbitrary: fc.constantFrom<Reason>({ shutdown: "bye" }, { shutdown: 7 }) },
  { weight: 2, arbitrary: fc.constant("kill") }
)

const failModeArb: fc.Arbitrary<InitMode> = fc.constantFrom<InitMode>({ fail: "no_db" }, { fail: "glitch" })

/**
 * A worker's behaviour. `dynamic`: a simple_one_for_one template, whose instance numbers count
 * per label, so only instance 1 (always a start_child) may return ignore.
 */
const behaviorArb = (dynamic: boolean): fc.Arbitrary<Behavior | undefined> =>
  fc.record({
    plan: fc.oneof(
      { weight: 10, arbitrary: fc.constant<"plain" | "overrides" | "down-after-first" | "fail-first">("plain") },
      { weight: 5, arbitrary: fc.constant<"overrides">("overrides") },
      { weight: 1, arbitrary: fc.constant<"down-after-first">("down-after-first") },
      { weight: 1, arbitrary: fc.constant<"fail-first">("fail-first") }
    ),
    overrides: fc.array(
      fc.tuple(
        fc.integer({ min: 2, max: 6 }),
        dynamic ? failModeArb : fc.oneof(failModeArb, fc.constant<InitMode>("ignore"))
      ),
      { minLength: 1, maxLength: 2 }
    ),
    ignoreFirst: fc.boolean(),
    trap: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 2, arbitrary: fc.constant(true) }),
    delay: fc.constantFrom(0, 20, 150, 300)
  }).map(({ plan, overrides, ignoreFirst, trap, delay }) => {
    const b: { -readonly [K in keyof Behavior]: Behavior[K] } = {}
    const byInstance: Record<string, InitMode> = {}
    if (plan === "overrides") for (const [n, m] of overrides) byInstance[String(n)] = m
    if (plan === "down-after-first") {
      b.init = { fail: "down" }
      byInstance["1"] = "ok"
    }
    if (plan === "fail-first") byInstance["1"] = dynamic && ignoreFirst ? "ignore" : { fail: "first" }
    if (Object.keys(byInstance).length > 0) b.init_by_instance = byInstance
    if (trap) {
      b.trap_exit = true
      if (delay > 0) b.terminate_delay_ms = delay
    }
    return Object.keys(b).length === 0 ? undefined : b
  })

const restartArb = fc.constantFrom<ChildJson["restart"]>(undefined, "permanent", "transient", "temporary")

// never 0 (racy in OTP) and never equal to a cleanup delay (0, 20, 150, 300)
const workerShutdownArb: fc.Arbitrary<ChildJson["shutdown"]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constant<ChildJson["shutdown"]>("brutal_kill") },
  { weight: 3, arbitrary: fc.constantFrom<ChildJson["shutdown"]>(50, 100, 200) },
  { weight: 1, arbitrary: fc.constant<ChildJson["shutdown"]>("infinity") }
)

type Draft = Omit<ChildJson, "id"> & { readonly wantsSignificant: boolean }

const workerArb = (dynamic: boolean): fc.Arbitrary<Draft> =>
  fc.record({
    restart: restartArb,
    shutdown: workerShutdownArb,
    behavior: behaviorArb(dynamic),
    wantsSignificant: fc.boolean()
  }).map(({ restart, shutdown, behavior, wantsSignificant }) => ({
    ...(restart === undefined ? {} : { restart }),
    ...(shutdown === undefined ? {} : { shutdown }),
    ...(behavior === undefined ? {} : { behavior }),
    wantsSignificant
  }))

const intensityArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant<number | undefined>(undefined) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) }
)
const periodArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant<number | undefined>(undefined) },
  { weight: 3, arbitrary: fc.constantFrom(1, 2, 3, 5) }
)

const autoShutdownArb: fc.Arbitrary<SupervisorJson["auto_shutdown"]> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<SupervisorJson["auto_shutdown"]>(undefined) },
  { weight: 1, arbitrary: fc.constant<SupervisorJson["auto_shutdown"]>("never") },
  { weight: 2, arbitrary: fc.constantFrom<SupervisorJson["auto_shutdown"]>("any_significant", "all_significant") }
)

/** Whether a child of this restart type may be significant under `autoShutdown` (else the tree would not start). */
const canBeSignificant = (autoShutdown: SupervisorJson["auto_shutdown"], restart: ChildJson["restart"]): boolean =>
  autoShutdown !== undefined && autoShutdown !== "never" && (restart === "transient" || restart === "temporary")

/** A simple_one_for_one supervisor; its template may be significant (OTP 25's dynamic auto_shutdown). */
const dynamicSupervisorArb: fc.Arbitrary<SupervisorJson> = fc.record({
  intensity: intensityArb,
  period: periodArb,
  // more often than for static supervisors: only a significant template makes it matter
  autoShutdown: fc.oneof(
    { weight: 3, arbitrary: fc.constant<SupervisorJson["auto_shutdown"]>(undefined) },
    { weight: 1, arbitrary: fc.constant<SupervisorJson["auto_shutdown"]>("never") },
    { weight: 4, arbitrary: fc.constantFrom<SupervisorJson["auto_shutdown"]>("any_significant", "all_significant") }
  ),
  template: workerArb(true)
}).map(({ intensity, period, autoShutdown, template }) => {
  const { wantsSignificant, ...tmpl } = template
  const significant = wantsSignificant && canBeSignificant(autoShutdown, tmpl.restart)
  return {
    strategy: "simple_one_for_one" as const,
    ...(intensity === undefined ? {} : { intensity }),
    ...(period === undefined ? {} : { period }),
    ...(autoShutdown === undefined ? {} : { auto_shutdown: autoShutdown }),
    children: [{ id: "tmpl", ...tmpl, ...(significant ? { significant: true } : {}) }]
  }
})

/** Gives drafts ids and decides significance (valid combinations only: the tree must start). */
const finishChildren = (
  drafts: ReadonlyArray<Draft>,
  autoShutdown: SupervisorJson["auto_shutdown"]
): Array<ChildJson> =>
  drafts.map((d, i) => {
    const { wantsSignificant, ...rest } = d
    const significant = wantsSignificant && canBeSignificant(autoShutdown, rest.restart)
    return { id: IDS[i]!, ...rest, ...(significant ? { significant: true } : {}) }
  })

/** A supervisor at `depth` (root = 1); supervisor children only while depth < 3. */
export const supervisorArb = (depth: number): fc.Arbitrary<SupervisorJson> => {
  const childArb: fc.Arbitrary<Draft> = depth < 3
    ? fc.oneof(
      { weight: 4, arbitrary: workerArb(false) },
      {
        weight: 1,
        arbitrary: fc.record({
          restart: restartArb,
          shutdown: fc.constantFrom<ChildJson["shutdown"]>(undefined, "infinity"),
          supervisor: fc.oneof(
            { weight: 3, arbitrary: fc.constant(null).chain(() => supervisorArb(depth + 1)) },
            { weight: 1, arbitrary: dynamicSupervisorArb }
          ),
          wantsSignificant: fc.boolean()
        }).map(({ restart, shutdown, supervisor, wantsSignificant }): Draft => ({
          type: "supervisor",
          ...(restart === undefined ? {} : { restart }),
          ...(shutdown === undefined ? {} : { shutdown }),
          supervisor,
          wantsSignificant
        }))
      }
    )
    : workerArb(false)
  const staticArb = fc.record({
    strategy: fc.constantFrom<SupervisorJson["strategy"]>("one_for_one", "one_for_all", "rest_for_one"),
    // the root gives up less often, so that more happens before it does
    intensity: depth === 1 ? fc.oneof(intensityArb, fc.integer({ min: 3, max: 10 })) : intensityArb,
    period: periodArb,
    autoShutdown: autoShutdownArb,
    children: fc.array(childArb, { minLength: depth === 1 ? 1 : 0, maxLength: depth === 1 ? 4 : 3, size: "max" })
  }).map(({ strategy, intensity, period, autoShutdown, children }): SupervisorJson => ({
    strategy,
    ...(intensity === undefined ? {} : { intensity }),
    ...(period === undefined ? {} : { period }),
    ...(autoShutdown === undefined ? {} : { auto_shutdown: autoShutdown }),
    children: finishChildren(children, autoShutdown)
  }))
  return depth === 1 ? fc.oneof({ weight: 6, arbitrary: staticArb }, { weight: 1, arbitrary: dynamicSupervisorArb }) : staticArb
}

// ------------------------------------------------------------------------------------------
// intents
// ------------------------------------------------------------------------------------------

/** A child spec for a static start_child: a worker, sometimes a small nested supervisor, sometimes an invalid significant flag. */
const startSpecArb: fc.Arbitrary<ChildJson> = fc.record({
  id: fc.constantFrom(...IDS, "n"),
  worker: workerArb(false),
  significant: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.boolean() }),
  nested: fc.oneof(
    { weight: 5, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.record({
        strategy: fc.constantFrom<SupervisorJson["strategy"]>("one_for_one", "one_for_all", "rest_for_one"),
        intensity: intensityArb,
        children: fc.array(workerArb(false), { maxLength: 2 })
      })
    }
  )
}).map(({ id, worker, significant, nested }): ChildJson => {
  const { wantsSignificant: _, ...rest } = worker
  const sig = significant === undefined ? {} : { significant }
  if (nested === undefined) return { id, ...rest, ...sig }
  return {
    id,
    type: "supervisor",
    ...(rest.restart === undefined ? {} : { restart: rest.restart }),
    ...sig,
    supervisor: {
      strategy: nested.strategy,
      ...(nested.intensity === undefined ? {} : { intensity: nested.intensity }),
      children: finishChildren(nested.children, undefined)
    }
  }
})

export const intentArb: fc.Arbitrary<Intent> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("crash" as const), pick: fc.nat(), reason: reasonArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("kill" as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("wait" as const),
      long: fc.boolean(),
      ms: fc.integer({ min: 0, max: 200 })
    })
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("start_child" as const),
      sup: fc.nat(),
      spec: startSpecArb,
      label: fc.constantFrom("w1", "w2", "w3"),
      args: fc.option(fc.array(fc.oneof(fc.constantFrom("x", "y"), fc.integer({ min: 0, max: 9 })), { maxLength: 2 }), {
        nil: undefined
      })
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("terminate_child" as const),
      sup: fc.nat(),
      id: fc.nat(),
      by: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom<"id" | "pid">("id", "pid") })
    })
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("restart_child" as const, "delete_child" as const), sup: fc.nat(), id: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constantFrom("which_children" as const, "count_children" as const),
      sup: fc.nat(),
      explicitRoot: fc.boolean()
    })
  }
)

/** A generated case: a tree and up to `maxSteps` intents. */
export const caseArb = (maxSteps = 40): fc.Arbitrary<Case> =>
  fc.record({
    tree: supervisorArb(1),
    intents: fc.array(intentArb, { minLength: 1, maxLength: maxSteps, size: "max" }),
    finalStop: fc.constantFrom<Reason | undefined>(undefined, undefined, "normal", "shutdown", { shutdown: "bye" }, "boom")
  })

// ------------------------------------------------------------------------------------------
// resolution
// ------------------------------------------------------------------------------------------

/** A built scenario with the model's expected trace. */
export interface Built {
  readonly scenario: Scenario
  readonly expected: ReadonlyArray<Event>
  /** Set when the scenario is outside the oracle's deterministic zone (the test discards it). */
  readonly ambiguous: string | undefined
  /** What the model saw happen (see `Situation`). */
  readonly situations: ReadonlySet<Situation>
}

const maxPeriodSeconds = (s: SupervisorJson): number =>
  Math.max(s.period ?? 5, ...(s.children ?? []).map((c) => (c.supervisor === undefined ? 0 : maxPeriodSeconds(c.supervisor))))

/** A filter for resolved steps; returns `false` to leave a step out. */
export type StepFilter = (step: Step, model: Model) => boolean

/**
 * Turns a case into a concrete scenario by resolving each intent against the model as it runs;
 * intents that make no sense at that point (crash when nothing runs) are left out, as are steps
 * `keep` rejects.
 */
export const build = (c: Case, keep: StepFilter = () => true): Built => {
  const model = new Model(c.tree)
  const steps: Array<Step> = []
  // a start_child may add a supervisor with a larger period than the tree's
  const longWait = Math.max(maxPeriodSeconds(c.tree), 5) * 1000 + 1400
  if (!model.rootFailed) {
    let afterRoot = 0
    for (const intent of c.intents) {
      // once the root has gone, a couple of calls (answered noproc) are enough
      if (!model.rootAlive && ++afterRoot > 2) break
      if (model.ambiguous !== undefined) break // discarded anyway
      const step = resolve(intent, model, longWait)
      if (step === undefined || !keep(step, model)) continue
      model.apply(step)
      steps.push(step)
    }
    // End with the root stopped: this also observes the shutdown, and the conformance adapter's
    // cleanup cannot finish a slow cleanup that is still pending when a scenario ends (its
    // virtual clock no longer moves then).
    if (model.rootAlive && model.ambiguous === undefined) {
      const stop: Step = c.finalStop === undefined ? { op: "stop" } : { op: "stop", reason: c.finalStop }
      model.apply(stop)
      steps.push(stop)
    }
  }
  return {
    scenario: { name: "generated", supervisor: c.tree, steps },
    expected: model.trace,
    ambiguous: model.ambiguous,
    situations: model.situations
  }
}

const at = <A>(items: ReadonlyArray<A>, n: number): A | undefined => (items.length === 0 ? undefined : items[n % items.length])

const resolve = (intent: Intent, model: Model, longWait: number): Step | undefined => {
  switch (intent.op) {
    case "crash": {
      const target = at(model.liveChildren(), intent.pick)
      if (target === undefined) return undefined
      // a supervisor child is never killed untrappably (its children would die asynchronously)
      const reason = target.kind === "supervisor" && intent.reason === "kill" ? "boom" : intent.reason
      return { op: "crash", id: target.path, reason }
    }
    case "kill": {
      const target = at(model.liveChildren().filter((c) => c.kind === "worker"), intent.pick)
      return target === undefined ? undefined : { op: "kill", id: target.path }
    }
    case "wait":
      return { op: "wait", ms: intent.long ? longWait + intent.ms : intent.ms }
    default:
      break
  }
  const supPath = at(model.addressableSupervisors(), intent.sup)
  if (supPath === undefined) return undefined
  const supervisor = supPath === "root" ? {} : { supervisor: supPath }
  const dynamic = model.isDynamic(supPath)
  const ids = (): Array<string> => {
    const known = model.childIds(supPath)
    return [...known, ...IDS.filter((i) => !known.includes(i)).slice(0, 1), "zz"]
  }
  switch (intent.op) {
    case "start_child": {
      if (dynamic) {
        return { op: "start_child", id: intent.label, ...(intent.args === undefined ? {} : { args: intent.args }), ...supervisor }
      }
      // nested supervisors only while the tree stays within three levels
      if (intent.spec.type === "supervisor" && model.depthOf(supPath) >= 3) return undefined
      return { op: "start_child", spec: intent.spec, ...supervisor }
    }
    case "terminate_child": {
      if (dynamic) {
        if (intent.by === "id") return { op: "terminate_child", id: "tmpl", by: "id", ...supervisor }
        // by reference: only labels that have run (the harness needs a pid to pass)
        const labels = ["w1", "w2", "w3"].filter((l) => model.everStarted(model.childPath(supPath, l)))
        const label = at(labels, intent.id)
        return label === undefined ? undefined : { op: "terminate_child", id: label, ...supervisor }
      }
      const id = at(ids(), intent.id)!
      if (intent.by === "pid") {
        // the harness passes the child's latest pid, so the child must have run once
        if (!model.everStarted(model.childPath(supPath, id))) return undefined
        return { op: "terminate_child", id, by: "pid", ...supervisor }
      }
      return { op: "terminate_child", id, ...(intent.by === "id" ? { by: "id" as const } : {}), ...supervisor }
    }
    case "restart_child":
    case "delete_child":
      return { op: intent.op, id: dynamic ? "tmpl" : at(ids(), intent.id)!, ...supervisor }
    case "which_children":
    case "count_children":
      return { op: intent.op, ...(supPath === "root" && intent.explicitRoot ? { supervisor: "root" } : supervisor) }
  }
}
