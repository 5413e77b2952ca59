/**
 * Which implementations run which workloads, and where each implementation's code lives.
 * Modules are imported lazily so a worker process loads only the implementation it measures.
 */
import type { ImplId, Suite, WorkloadId } from "./types.ts"

/** The implementations measured for each workload, baselines first. */
export const matrix: Record<WorkloadId, ReadonlyArray<ImplId>> = {
  W1: ["plain", "effect", "nact", "xstate", "arbor", "arbor:unsafe"],
  W2: ["plain", "effect", "nact", "xstate", "arbor", "arbor:no-timeout", "arbor:registry"],
  W3: ["plain", "effect", "nact", "xstate", "arbor", "arbor:unsafe"],
  W4: ["plain", "effect", "nact", "xstate", "arbor"],
  W5: ["plain", "effect", "nact", "arbor", "arbor:which-children"],
  W6: ["plain", "effect", "nact", "xstate", "arbor", "arbor:effect-reply"],
  M: ["arbor"]
}

export const baselines: ReadonlyArray<ImplId> = ["plain", "effect", "nact", "xstate"]

export const isArbor = (impl: ImplId): boolean => impl.startsWith("arbor")

/**
 * Forms run at a fraction of the workload's size to keep `pnpm bench` within its time budget
 * (ratios are per unit of work, so they stay comparable). The table says so.
 */
export const reducedSize: Partial<Record<`${ImplId}/${WorkloadId}`, number>> = {
  "arbor:effect-reply/W6": 0.2
}

/**
 * Cells that cannot run yet, with the reason (shown as "pending" in the table). Filled while a
 * package Arbor's workload needs is still being written.
 */
export const pending: Partial<Record<`${ImplId}/${WorkloadId}`, string>> = {}

/** Loads the workload `workload` of `impl`; `undefined` when it does not apply. */
export const loadWorkload = async (impl: ImplId, workload: WorkloadId): Promise<Suite[WorkloadId]> => {
  const suites = await loadModule(impl, workload)
  return suites[impl]?.[workload]
}

const loadModule = async (impl: ImplId, _workload: WorkloadId): Promise<Record<string, Suite>> => {
  switch (impl) {
    case "plain":
      return (await import("./impl/plain.ts")).suites
    case "effect":
      return (await import("./impl/effect.ts")).suites
    case "nact":
      return (await import("./impl/nact.ts")).suites
    case "xstate":
      return (await import("./impl/xstate.ts")).suites
    default:
      return (await import("./impl/arbor.ts")).suites
  }
}
