/**
 * Turns raw rows into the results table: medians with min–max per cell, and Arbor's cost ratio
 * to each baseline computed round by round (so machine drift between rounds cancels out).
 */
import { baselines, isArbor, matrix, reducedSize } from "./suites.ts"
import type { ImplId, Sample, WorkloadId } from "./types.ts"

/** One child-process run. */
export interface Row {
  readonly workload: WorkloadId
  readonly impl: ImplId
  readonly round: number
  readonly size: number
  readonly warmup: number
  readonly wallMs: number
  readonly sample?: Sample
  readonly pending?: string
  readonly error?: string
}

interface Spec {
  readonly title: string
  /** The displayed metric of a sample. */
  readonly metric: (s: Sample) => number
  readonly unit: string
  readonly digits: number
}

export const specs: Record<WorkloadId, Spec> = {
  W1: { title: "W1 tell, 1e6 msgs to one actor", metric: (s) => s.count / s.ms / 1e3, unit: "M msg/s", digits: 2 },
  W2: { title: "W2 ask, 1e5 sequential", metric: (s) => (s.ms * 1e3) / s.count, unit: "µs/ask", digits: 2 },
  W3: { title: "W3 fan-out, 1000 actors × 1000 msgs", metric: (s) => s.count / s.ms / 1e3, unit: "M msg/s", digits: 2 },
  W4: { title: "W4 spawn 1e5 idle actors", metric: (s) => s.count / s.ms, unit: "k actors/s", digits: 0 },
  W5: { title: "W5 crash → restart → next msg", metric: (s) => (s.ms * 1e3) / s.count, unit: "µs/cycle", digits: 1 },
  W6: { title: "W6 ping-pong, 1e6 hops", metric: (s) => s.count / s.ms / 1e3, unit: "M hops/s", digits: 2 },
  M: { title: "1e6 idle Arbor actors", metric: (s) => s.count / s.ms, unit: "k actors/s", digits: 0 }
}

export const implNames: Record<ImplId, string> = {
  plain: "plain-JS",
  effect: "raw Effect",
  nact: "nact",
  xstate: "xstate",
  arbor: "Arbor",
  "arbor:unsafe": "Arbor (tellUnsafe)",
  "arbor:no-timeout": "Arbor (ask, no timeout)",
  "arbor:effect-reply": "Arbor (reply as effect)",
  "arbor:registry": "Arbor (registry lookup per ask)",
  "arbor:which-children": "Arbor (polls whichChildren for the new child)"
}

/** What the headline `arbor` form is for each workload. */
export const headlineForm: Record<WorkloadId, string> = {
  W1: "`yield* ActorRef.tell` in an Effect loop",
  W2: "`yield* ActorRef.ask` (default 5 s timeout)",
  W3: "`yield* ActorRef.tell` in an Effect loop",
  W4: "`yield* Actor.spawn`",
  W5: "Supervisor one-for-one, permanent child; new child from `onEvent`",
  W6: "handler calls `ActorRef.tellUnsafe`, returns its state",
  M: "`yield* Actor.spawn` × 1e6"
}

export interface Stat {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly n: number
}

export const stat = (xs: ReadonlyArray<number>): Stat | undefined => {
  if (xs.length === 0) return undefined
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
  return { median, min: s[0]!, max: s[s.length - 1]!, n: s.length }
}

const valid = (r: Row): r is Row & { sample: Sample } =>
  r.sample !== undefined && r.sample.count === r.sample.expected && r.sample.ms > 0

/** Time per unit of work: the quantity ratios are taken of. */
const unitCost = (s: Sample): number => s.ms / s.count

export interface Cell {
  readonly metric?: Stat
  readonly heap?: Stat
  readonly flat?: Stat
  /** W5: last 1 000 cycles ÷ cycles 4 000–4 999. */
  readonly flatMid?: Stat
  readonly status?: "pending" | "error" | "broken" | "n/a"
  readonly note?: string
}

export interface Summary {
  readonly workload: WorkloadId
  readonly cells: Partial<Record<ImplId, Cell>>
  /** Arbor form → baseline → ratio of Arbor's time per unit to the baseline's, per round. */
  readonly ratios: Partial<Record<ImplId, Partial<Record<ImplId, Stat>>>>
  /** Arbor form → ratio of heap per actor to the baseline's (W4). */
  readonly heapRatios: Partial<Record<ImplId, Partial<Record<ImplId, Stat>>>>
}

export const summarize = (rows: ReadonlyArray<Row>): Array<Summary> => {
  const out: Array<Summary> = []
  for (const workload of Object.keys(matrix) as Array<WorkloadId>) {
    const mine = rows.filter((r) => r.workload === workload)
    if (mine.length === 0) continue
    const cells: Partial<Record<ImplId, Cell>> = {}
    const ratios: Summary["ratios"] = {}
    const heapRatios: Summary["heapRatios"] = {}
    for (const impl of matrix[workload]) {
      const runs = mine.filter((r) => r.impl === impl)
      if (runs.length === 0) continue
      const ok = runs.filter(valid)
      if (ok.length > 0) {
        const cell: Cell = {
          metric: stat(ok.map((r) => specs[workload].metric(r.sample)))!,
          ...(ok[0]!.sample.heapPerActor !== undefined ? { heap: stat(ok.map((r) => r.sample.heapPerActor!))! } : {}),
          ...(ok[0]!.sample.firstUs !== undefined
            ? {
              flat: stat(ok.map((r) => r.sample.lastUs! / r.sample.firstUs!))!,
              flatMid: stat(ok.map((r) => r.sample.lastUs! / r.sample.midUs!))!
            }
            : {}),
          ...(ok.length < runs.length ? { note: `${runs.length - ok.length} failed run(s)` } : {})
        }
        cells[impl] = cell
      } else if (runs.some((r) => r.pending !== undefined)) {
        cells[impl] = { status: "pending", note: runs.find((r) => r.pending !== undefined)!.pending! }
      } else if (runs.some((r) => r.sample !== undefined)) {
        const s = runs.find((r) => r.sample !== undefined)!.sample!
        cells[impl] = { status: "broken", note: `count ${s.count} ≠ expected ${s.expected}` }
      } else {
        cells[impl] = { status: "error", note: (runs[0]!.error ?? "no result").split("\n")[0]! }
      }
    }
    for (const impl of matrix[workload].filter(isArbor)) {
      const byBase: Partial<Record<ImplId, Stat>> = {}
      const heapByBase: Partial<Record<ImplId, Stat>> = {}
      for (const base of baselines) {
        const rs: Array<number> = []
        const hs: Array<number> = []
        for (const a of mine.filter((r) => r.impl === impl && valid(r))) {
          const b = mine.find((r) => r.impl === base && r.round === a.round && valid(r))
          if (b === undefined) continue
          rs.push(unitCost(a.sample!) / unitCost(b.sample!))
          if (a.sample!.heapPerActor !== undefined && b.sample!.heapPerActor !== undefined) {
            hs.push(a.sample!.heapPerActor / b.sample!.heapPerActor)
          }
        }
        const r = stat(rs)
        if (r !== undefined) byBase[base] = r
        const h = stat(hs)
        if (h !== undefined) heapByBase[base] = h
      }
      ratios[impl] = byBase
      heapRatios[impl] = heapByBase
    }
    out.push({ workload, cells, ratios, heapRatios })
  }
  return out
}

// -----------------------------------------------------------------------------------------
// formatting
// -----------------------------------------------------------------------------------------

const num = (x: number, digits: number): string => {
  if (!Number.isFinite(x)) return String(x)
  if (digits === 0 || Math.abs(x) >= 100) return Math.round(x).toLocaleString("en-US")
  return x.toFixed(digits)
}

const bytes = (x: number): string => (x >= 1024 ? `${(x / 1024).toFixed(2)} KB` : `${Math.round(x)} B`)

const range = (s: Stat, digits: number, f = num): string =>
  s.n > 1 ? `${f(s.median, digits)} (${f(s.min, digits)}–${f(s.max, digits)})` : f(s.median, digits)

export const formatCell = (workload: WorkloadId, cell: Cell | undefined): string => {
  if (cell === undefined) return "—"
  if (cell.status !== undefined) return cell.status
  const spec = specs[workload]
  let text = range(cell.metric!, spec.digits)
  if (cell.heap !== undefined) text += `; ${bytes(cell.heap.median)}/actor`
  if (cell.flat !== undefined) text += `; last/first ${cell.flat.median.toFixed(2)}, last/mid ${cell.flatMid!.median.toFixed(2)}`
  return text
}

const ratioText = (s: Stat | undefined): string => {
  if (s === undefined) return "—"
  const f = (x: number) => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3))
  return s.n > 1 ? `${f(s.median)}× (${f(s.min)}–${f(s.max)})` : `${f(s.median)}×`
}

/** The main results table (markdown). */
export const resultsTable = (summaries: ReadonlyArray<Summary>): string => {
  const head = [
    "| workload | Arbor form | Arbor | plain-JS | raw Effect | nact | xstate | Arbor ÷ plain | Arbor ÷ Effect | Arbor ÷ nact | Arbor ÷ xstate |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  ]
  const lines: Array<string> = []
  for (const s of summaries) {
    if (s.workload === "M") continue
    const forms = matrix[s.workload].filter(isArbor)
    forms.forEach((form, i) => {
      const k = reducedSize[`${form}/${s.workload}`]
      const label = (form === "arbor" ? headlineForm[s.workload] : implNames[form]) +
        (k !== undefined ? ` (at ${k}× size)` : "")
      const baseCells = baselines.map((b) => (i === 0 ? formatCell(s.workload, s.cells[b]) : "″"))
      const arborCell = formatCell(s.workload, s.cells[form])
      const ratioCells = baselines.map((b) => ratioText(s.ratios[form]?.[b]))
      const title = i === 0 ? `${specs[s.workload].title} [${specs[s.workload].unit}]` : ""
      lines.push(`| ${title} | ${label} | ${arborCell} | ${baseCells.join(" | ")} | ${ratioCells.join(" | ")} |`)
    })
  }
  return [...head, ...lines].join("\n")
}

interface Target {
  readonly workload: WorkloadId
  readonly text: string
  readonly check: (s: Summary) => { readonly measured: string; readonly met: boolean | undefined }
}

const ratioVsPlain = (form: ImplId) => (s: Summary) => s.ratios[form]?.["plain"]

const ratioTarget = (workload: WorkloadId, limit: number, label: string, form: ImplId = "arbor"): Target => ({
  workload,
  text: `${label}: Arbor ≤ ${limit}× the plain-JS actor's time`,
  check: (s) => {
    const r = ratioVsPlain(form)(s)
    if (r === undefined) return { measured: formatCell(workload, s.cells[form]), met: undefined }
    return { measured: ratioText(r), met: r.median <= limit }
  }
})

export const targets: ReadonlyArray<Target> = [
  ratioTarget("W1", 4, "W1 tell"),
  ratioTarget("W1", 2, "W1 tell, stretch"),
  ratioTarget("W1", 2, "W1 tell, stretch, `tellUnsafe` form", "arbor:unsafe"),
  ratioTarget("W2", 3, "W2 ask"),
  ratioTarget("W3", 4.5, "W3 fan-out"),
  ratioTarget("W4", 4, "W4 spawn"),
  {
    workload: "W4",
    text: "W4 heap per idle actor ≤ 1 KB (after full GC)",
    check: (s) => {
      const h = s.cells.arbor?.heap
      return h === undefined ? { measured: "—", met: undefined } : { measured: range(h, 0, (x) => bytes(x)), met: h.median <= 1024 }
    }
  },
  ratioTarget("W5", 2.5, "W5 crash → restart → next msg"),
  {
    workload: "W5",
    text: "W5 flat: last 1 000 of 10 000 cycles ≤ 1.2× the first 1 000 (and, as a check, ÷ cycles 4 000–4 999)",
    check: (s) => {
      const f = s.cells.arbor?.flat
      const m = s.cells.arbor?.flatMid
      if (f === undefined || m === undefined) return { measured: formatCell("W5", s.cells.arbor), met: undefined }
      return { measured: `last/first ${range(f, 2)}; last/mid ${range(m, 2)}`, met: f.median <= 1.2 && m.median <= 1.2 }
    }
  },
  ratioTarget("W6", 2.5, "W6 ping-pong"),
  {
    workload: "M",
    text: "1e6 idle actors spawned without running out of memory",
    check: (s) => {
      const c = s.cells.arbor
      if (c?.metric === undefined) return { measured: c?.status ?? "—", met: c === undefined ? undefined : false }
      return { measured: `${range(c.metric, 0)} k/s; ${bytes(c.heap!.median)}/actor`, met: true }
    }
  }
]

export const targetsTable = (summaries: ReadonlyArray<Summary>): string => {
  const lines = ["| target | measured (median, min–max over rounds) | status |", "| --- | --- | --- |"]
  for (const t of targets) {
    const s = summaries.find((x) => x.workload === t.workload)
    if (s === undefined) continue
    const { measured, met } = t.check(s)
    lines.push(`| ${t.text} | ${measured} | ${met === undefined ? "not measured" : met ? "met" : "**missed**"} |`)
  }
  return lines.join("\n")
}

/** Notes on cells that did not produce a number. */
export const problems = (summaries: ReadonlyArray<Summary>): Array<string> => {
  const out: Array<string> = []
  for (const s of summaries) {
    for (const [impl, cell] of Object.entries(s.cells)) {
      if (cell?.status !== undefined) out.push(`${s.workload} ${implNames[impl as ImplId]}: ${cell.status} — ${cell.note ?? ""}`)
      else if (cell?.note !== undefined) out.push(`${s.workload} ${implNames[impl as ImplId]}: ${cell.note}`)
    }
  }
  return out
}
