/**
 * The registry of the benchmark: which implementations exist (and how a worker runs each), which
 * workloads exist (and which implementations run them, at what warm-up). Adding an
 * implementation is one entry in `implementations` plus its name in the `matrix` rows it runs;
 * adding a workload is one entry in `matrix`, `warmups` and `specs` (report.ts) and a default
 * size (types.ts). Node implementations' modules are imported lazily so a worker process loads
 * only the implementation it measures.
 */
import type { ImplId, Suite, WorkloadId } from "./types.ts"

export interface Implementation {
  /** Shown in tables and logs. */
  readonly name: string
  /** A baseline gets a column and a ratio in the results table; an Arbor form gets a row. */
  readonly role: "baseline" | "arbor"
  /**
   * `node`: a `node --expose-gc` worker process importing `load()`. `erlang`: an Erlang/OTP VM
   * running `bench/erlang/bench_erl.erl` (see erlang.ts); skipped with a note when `erl` is not
   * on PATH.
   */
  readonly runtime: "node" | "erlang"
  readonly load?: () => Promise<Record<string, Suite>>
}

const arbor = () => import("./impl/arbor.ts").then((m) => m.suites)

export const implementations: Record<ImplId, Implementation> = {
  plain: { name: "plain-JS", role: "baseline", runtime: "node", load: () => import("./impl/plain.ts").then((m) => m.suites) },
  effect: { name: "raw Effect", role: "baseline", runtime: "node", load: () => import("./impl/effect.ts").then((m) => m.suites) },
  nact: { name: "nact", role: "baseline", runtime: "node", load: () => import("./impl/nact.ts").then((m) => m.suites) },
  xstate: { name: "xstate", role: "baseline", runtime: "node", load: () => import("./impl/xstate.ts").then((m) => m.suites) },
  erlang: { name: "Erlang/OTP", role: "baseline", runtime: "erlang" },
  arbor: { name: "Arbor", role: "arbor", runtime: "node", load: arbor },
  "arbor:unsafe": { name: "Arbor (tellUnsafe)", role: "arbor", runtime: "node", load: arbor },
  "arbor:effect-reply": { name: "Arbor (reply as effect)", role: "arbor", runtime: "node", load: arbor },
  "arbor:effect-gen": { name: "Arbor (Effect.gen handlers, yield* tell)", role: "arbor", runtime: "node", load: arbor },
  "arbor:traced": { name: "Arbor, a tracer installed (a span per message)", role: "arbor", runtime: "node", load: arbor },
  "arbor:effect-gen:traced": { name: "Arbor (Effect.gen handlers), a tracer installed", role: "arbor", runtime: "node", load: arbor },
  "arbor:no-timeout": { name: "Arbor (ask, no timeout)", role: "arbor", runtime: "node", load: arbor },
  "arbor:registry": { name: "Arbor (registry lookup per ask)", role: "arbor", runtime: "node", load: arbor },
  "arbor:which-children": { name: "Arbor (polls whichChildren for the new child)", role: "arbor", runtime: "node", load: arbor },
  "arbor:quiet": { name: "Arbor (reports off: Reports.layer(false))", role: "arbor", runtime: "node", load: arbor },
  "arbor:registry-await": { name: "Arbor (new child by Registry.await, 5 s timeout)", role: "arbor", runtime: "node", load: arbor },
  "arbor:worker": {
    name: "Arbor worker actor (WorkerActor, its own thread)",
    role: "arbor",
    runtime: "node",
    load: () => import("./impl/arbor-worker.ts").then((m) => m.suites)
  }
}

export const allImpls = Object.keys(implementations) as ReadonlyArray<ImplId>

/** The implementations measured for each workload, baselines first. */
export const matrix: Record<WorkloadId, ReadonlyArray<ImplId>> = {
  W1: ["plain", "effect", "nact", "xstate", "erlang", "arbor", "arbor:unsafe", "arbor:traced", "arbor:worker"],
  W2: ["plain", "effect", "nact", "xstate", "erlang", "arbor", "arbor:no-timeout", "arbor:registry", "arbor:worker"],
  W3: ["plain", "effect", "nact", "xstate", "erlang", "arbor", "arbor:unsafe"],
  W4: ["plain", "effect", "nact", "xstate", "erlang", "arbor", "arbor:worker"],
  W5: ["plain", "effect", "nact", "erlang", "arbor", "arbor:quiet", "arbor:registry-await", "arbor:which-children", "arbor:worker"],
  W5c: ["plain", "effect", "nact", "erlang", "arbor", "arbor:quiet"],
  W6: ["plain", "effect", "nact", "xstate", "erlang", "arbor", "arbor:effect-reply", "arbor:effect-gen", "arbor:traced", "arbor:effect-gen:traced"],
  M: ["arbor"],
  H: ["arbor:worker"]
}

export const allWorkloads = Object.keys(matrix) as ReadonlyArray<WorkloadId>

/** The baselines, in column order. */
export const baselines: ReadonlyArray<ImplId> = allImpls.filter((i) => implementations[i].role === "baseline")

export const isArbor = (impl: ImplId): boolean => implementations[impl].role === "arbor"

/**
 * A workload that runs another workload's code under different conditions: W5c is W5's cycle,
 * measured from the first cycle of a fresh supervisor in a fresh process (no warm-up pass).
 */
export const runsAs: Partial<Record<WorkloadId, WorkloadId>> = { W5c: "W5" }

/**
 * Warm-up pass size for a measured size (`fraction` is `--warmup`, default 0.1); 0 = none.
 * W5: the restart path needs ~10 000 cycles before its JIT settles (measured: the first 1 000
 * measured cycles stay ~1.5–3× slower than the last after a 5 000-cycle warm-up). W5c measures
 * exactly that cold start, so it has none; M runs once, cold.
 */
export const warmups: Record<WorkloadId, (size: number, fraction: number) => number> = {
  W1: (size, f) => Math.max(1, Math.round(size * f)),
  W2: (size, f) => Math.max(1, Math.round(size * f)),
  W3: (size, f) => Math.max(1, Math.round(size * f)),
  W4: (size, f) => Math.max(1, Math.round(size * f)),
  W5: (size) => Math.max(1, Math.round(size * 1.5)),
  W5c: () => 0,
  W6: (size, f) => Math.max(1, Math.round(size * f)),
  M: () => 0,
  H: () => 1
}

/** Workloads run in one round only, whatever `--rounds` says. */
export const singleRound: ReadonlySet<WorkloadId> = new Set(["M"])

/**
 * Forms run at a fraction of the workload's size to keep `pnpm bench` within its time budget
 * (ratios are per unit of work, so they stay comparable). The table says so.
 */
export const reducedSize: Partial<Record<`${ImplId}/${WorkloadId}`, number>> = {
  "arbor:effect-reply/W6": 0.2,
  "arbor:effect-gen/W6": 0.2,
  "arbor:effect-gen:traced/W6": 0.2,
  // worker actors: every message crosses threads, a spawn starts a V8 isolate (issue #15)
  "arbor:worker/W1": 0.05,
  "arbor:worker/W2": 0.05,
  "arbor:worker/W4": 0.0001,
  "arbor:worker/W5": 0.001
}

/**
 * Cells that cannot run yet, with the reason (shown as "pending" in the table). Filled while a
 * package Arbor's workload needs is still being written.
 */
export const pending: Partial<Record<`${ImplId}/${WorkloadId}`, string>> = {}

/** Loads the workload `workload` of a node implementation; `undefined` when it does not apply. */
export const loadWorkload = async (impl: ImplId, workload: WorkloadId): Promise<Suite[WorkloadId]> => {
  const load = implementations[impl].load
  if (load === undefined) throw new Error(`${impl} does not run in a node worker (runtime ${implementations[impl].runtime})`)
  const suites = await load()
  return suites[impl]?.[runsAs[workload] ?? workload]
}
