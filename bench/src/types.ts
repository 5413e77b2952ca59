/**
 * The shared vocabulary of the benchmark: workloads, implementations and the sample one
 * measured pass produces.
 */

/**
 * The workloads of issue #6, plus `W5c` (W5 cold: the first 1 000 cycles of a fresh supervisor in
 * a fresh process, no warm-up; issue #13), `M` (one million idle Arbor actors, run once per
 * bench) and `H` (a worker actor hangs → the watchdog terminates its thread → the supervisor's new
 * child answers; issue #15, worker actors only).
 */
export type WorkloadId = "W1" | "W2" | "W3" | "W4" | "W5" | "W5c" | "W6" | "M" | "H"

/**
 * An implementation under test. `arbor*` are forms of the same Arbor workload (the headline is
 * `arbor`); the others are the baselines (see `implementations` in suites.ts).
 */
export type ImplId =
  | "plain"
  | "effect"
  | "nact"
  | "xstate"
  | "erlang"
  | "arbor"
  | "arbor:effect-gen"
  | "arbor:traced"
  | "arbor:effect-gen:traced"
  | "arbor:unsafe"
  | "arbor:effect-reply"
  | "arbor:no-timeout"
  | "arbor:registry"
  | "arbor:which-children"
  | "arbor:quiet"
  | "arbor:registry-await"
  | "arbor:worker"

/** What one measured pass of a workload produced. */
export interface Sample {
  /** Units of work done (messages handled, replies received, actors spawned, cycles completed). */
  readonly count: number
  /** Units of work the workload asked for; `count !== expected` is a broken run. */
  readonly expected: number
  /** Wall time of the measured part, in milliseconds. */
  readonly ms: number
  /** W4 and M: heap bytes per idle actor after a full GC. */
  readonly heapPerActor?: number
  /** W4 of `arbor:worker`: process RSS bytes per live worker actor after a full GC (each thread has its own heap). */
  readonly rssPerActor?: number
  /** W5: mean µs per cycle over the first 1 000 measured cycles. */
  readonly firstUs?: number
  /** W5: mean µs per cycle over the last 1 000 measured cycles. */
  readonly lastUs?: number
  /** W5: mean µs per cycle over the 1 000 cycles before the middle (cycles 4 000–4 999). */
  readonly midUs?: number
}

/** A workload of one implementation: runs `size` units of work and reports. */
export type Workload = (size: number) => Promise<Sample>

/** The workloads an implementation provides (absent: not applicable). */
export type Suite = Partial<Record<WorkloadId, Workload>>

/**
 * Default sizes, exactly as issue #6 defines them (W5c: issue #13's first 1 000 cycles). W3's size
 * is actors × messages per actor.
 */
export const defaultSizes: Record<WorkloadId, number> = {
  W1: 1_000_000,
  W2: 100_000,
  W3: 1_000_000,
  W4: 100_000,
  W5: 10_000,
  W5c: 1_000,
  W6: 1_000_000,
  M: 1_000_000,
  H: 5
}

/**
 * W3's shape: `actors` actors × `per` messages each. The full size (1e6) is exactly the issue's
 * 1000 × 1000; smaller sizes use a square shape.
 */
export const fanOutShape = (size: number): { readonly actors: number; readonly per: number } => {
  const actors = Math.max(1, Math.round(Math.sqrt(size)))
  return { actors, per: Math.max(1, Math.floor(size / actors)) }
}

/** W5 flatness windows: the first and last `flatWindow(size)` cycles are compared. */
export const flatWindow = (size: number): number => Math.max(1, Math.floor(size / 10))

/** Summarises W5 per-cycle times (µs) into the first, middle and last window means. */
export const flatness = (cycleUs: Float64Array): { firstUs: number; midUs: number; lastUs: number } => {
  const w = flatWindow(cycleUs.length)
  const n = cycleUs.length
  const midStart = Math.max(0, Math.floor(n / 2) - w)
  let first = 0
  let mid = 0
  let last = 0
  for (let i = 0; i < w; i++) {
    first += cycleUs[i]!
    mid += cycleUs[midStart + i]!
    last += cycleUs[n - w + i]!
  }
  return { firstUs: first / w, midUs: mid / w, lastUs: last / w }
}

/** Full GC (the worker runs with `--expose-gc`), then used heap bytes. */
export const heapAfterGc = (): number => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) {
    gc()
    gc()
  }
  return process.memoryUsage().heapUsed
}

export const now = (): number => performance.now()

/**
 * Set by the worker before the measured pass: the process exits right after reporting, so a
 * workload may skip tearing down what it built (closing a scope of 1e6 actors takes longer
 * than spawning them). Warm-up passes and tests always tear down.
 */
export const pass = { final: false }

/** The line a worker prints its result on. */
export const RESULT_PREFIX = "@@RESULT "
