/**
 * Known deviations between Arbor (as driven by the conformance adapter) and OTP, found by the
 * model-based property test. Each has a minimal repro. The property test runs every repro first
 * and leaves a deviation's cases out of its generated scenarios only while the repro still
 * deviates — once it is fixed, the property covers those cases again, with no edit here.
 * `test/known-deviations.test.ts` checks that each repro either agrees with OTP or shows exactly
 * the recorded deviation (any other behaviour fails).
 */
import { runScenario } from "../../conformance/adapter.ts"
import type { Step } from "../../conformance/scenario.ts"
import { validateScenario } from "../../conformance/scenario.ts"
import type { Model, Situation } from "./model.ts"
import { modelTrace } from "./model.ts"
import { difference } from "./traces.ts"

/** One known deviation. */
export interface KnownDeviation {
  readonly name: string
  /** Which code deviates. */
  readonly where: "@arbor/supervisor" | "conformance/adapter.ts"
  readonly description: string
  /** A minimal scenario showing it. */
  readonly repro: unknown
  /** The first line Arbor's trace has where OTP's differs, while the deviation is present. */
  readonly signature: string
  /** Cases whose model run went through this situation are discarded while the deviation persists. */
  readonly situation?: Situation
  /** Steps for which this returns true are left out of generated cases while the deviation persists. */
  readonly skipStep?: (step: Step, model: Model) => boolean
}

export const knownDeviations: ReadonlyArray<KnownDeviation> = [
  {
    name: "group-retry-gives-up",
    where: "@arbor/supervisor",
    description: "after a failed start in a one_for_all/rest_for_one group restart, Arbor stops the children " +
      "restarted in that round before it decides that the retry exceeds the intensity; OTP reports " +
      "restart_intensity_exceeded first, then stops them",
    repro: {
      name: "repro",
      supervisor: {
        strategy: "one_for_all",
        intensity: 1,
        children: [{ id: "a" }, { id: "b", behavior: { init_by_instance: { "2": { fail: "glitch" } } } }]
      },
      steps: [{ op: "crash", id: "a", reason: "boom" }]
    },
    signature: `+ actual:   {"event":"child_exited","id":"a","instance":2,"reason":"shutdown"}`,
    situation: "group-retry-gives-up"
  },
  {
    name: "rest-for-one-retry-keeps-earlier",
    where: "@arbor/supervisor",
    description: "a rest_for_one group restart that fails at a later child is retried by Arbor from the child " +
      "that exited (stopping the earlier ones again); OTP retries from the child that failed to start",
    repro: {
      name: "repro",
      supervisor: {
        strategy: "rest_for_one",
        intensity: 5,
        children: [{ id: "a" }, { id: "b", behavior: { init_by_instance: { "2": { fail: "glitch" } } } }, { id: "c" }]
      },
      steps: [{ op: "crash", id: "a", reason: "boom" }, { op: "which_children" }]
    },
    signature: `+ actual:   {"event":"child_exited","id":"a","instance":2,"reason":"shutdown"}`,
    situation: "rest-for-one-retry-keeps-earlier"
  },
  {
    name: "significant-permanent-never",
    where: "conformance/adapter.ts",
    description: "start_child of a significant permanent child under auto_shutdown never: OTP names the " +
      "auto_shutdown combination, the adapter always the permanent one",
    repro: {
      name: "repro",
      supervisor: { strategy: "one_for_one", children: [] },
      steps: [{ op: "start_child", spec: { id: "p", significant: true } }]
    },
    signature: `{"bad_combination":[{"restart":"permanent"},{"significant":true}]}`,
    skipStep: (step, model) =>
      step.op === "start_child" && step.spec?.significant === true && (step.spec.restart ?? "permanent") === "permanent" &&
      model.autoShutdownOf(step.supervisor ?? "root") === "never"
  },
  {
    name: "dead-dynamic-supervisor-calls",
    where: "conformance/adapter.ts",
    description: "restart_child, delete_child and terminate_child by id on a dead simple_one_for_one supervisor " +
      "answer simple_one_for_one without asking it; OTP answers noproc",
    repro: {
      name: "repro",
      supervisor: {
        strategy: "one_for_one",
        intensity: 0,
        children: [{
          id: "dyn",
          type: "supervisor",
          restart: "transient",
          supervisor: { strategy: "simple_one_for_one", children: [{ id: "tmpl" }] }
        }]
      },
      steps: [{ op: "crash", id: "dyn", reason: "normal" }, { op: "restart_child", id: "tmpl", supervisor: "dyn" }]
    },
    signature: `"result":{"error":"simple_one_for_one"}`,
    skipStep: (step, model) => {
      const sup = step.supervisor ?? "root"
      return model.isDynamic(sup) && !model.isAlive(sup) &&
        (step.op === "restart_child" || step.op === "delete_child" || (step.op === "terminate_child" && step.by === "id"))
    }
  },
  {
    name: "dynamic-terminate-after-restart",
    where: "conformance/adapter.ts",
    description: "terminate_child of a dynamic child passes the reference its last start_child returned, not the " +
      "latest (restarted) instance the OTP harness passes: the running instance is not stopped",
    repro: {
      name: "repro",
      supervisor: { strategy: "simple_one_for_one", intensity: 5, children: [{ id: "tmpl" }] },
      steps: [
        { op: "start_child", id: "w1" },
        { op: "crash", id: "w1", reason: "boom" },
        { op: "terminate_child", id: "w1" },
        { op: "which_children" }
      ]
    },
    signature: `+ actual:   {"event":"result","step":3,"op":"terminate_child","result":"ok"}`,
    skipStep: (step, model) => {
      const sup = step.supervisor ?? "root"
      return step.op === "terminate_child" && step.by !== "id" && model.isDynamic(sup) &&
        model.restartedSinceStartChild(model.childPath(sup, step.id!))
    }
  }
]

/** Runs a deviation's repro; `null` when Arbor agrees with OTP, else the first difference. */
export const reproduce = async (known: KnownDeviation): Promise<string | null> => {
  const scenario = validateScenario(known.repro, undefined, known.name)
  return difference(modelTrace(scenario).trace, await runScenario(scenario))
}

/** The deviations whose repros still deviate. */
export const activeDeviations = async (): Promise<ReadonlyArray<KnownDeviation>> => {
  const active: Array<KnownDeviation> = []
  for (const known of knownDeviations) if ((await reproduce(known)) !== null) active.push(known)
  return active
}

/** A step filter leaving out the steps of the given deviations. */
export const stepFilter = (active: ReadonlyArray<KnownDeviation>) => (step: Step, model: Model): boolean =>
  !active.some((k) => k.skipStep?.(step, model) === true)

/** Whether a case went through a situation of the given deviations. */
export const touches = (active: ReadonlyArray<KnownDeviation>, situations: ReadonlySet<Situation>): boolean =>
  active.some((k) => k.situation !== undefined && situations.has(k.situation))
