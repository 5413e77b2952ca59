/**
 * Turns raw rows into the results table: medians with min–max per cell, and Arbor's cost ratio
 * to each baseline computed round by round (so machine drift between rounds cancels out); then
 * the targets table and the verdict prose, both computed from those same summaries, so the
 * sentences cannot disagree with the tables.
 */
import { baselines, implementations, isArbor, matrix, reducedSize } from "./suites.ts"
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
  /** W5: show the first/middle/last window ratios (a restart path that slows down over time). */
  readonly flatness?: boolean
}

const perCycle = (s: Sample) => (s.ms * 1e3) / s.count

export const specs: Record<WorkloadId, Spec> = {
  W1: { title: "W1 tell, 1e6 msgs to one actor", metric: (s) => s.count / s.ms / 1e3, unit: "M msg/s", digits: 2 },
  W2: { title: "W2 ask, 1e5 sequential", metric: (s) => (s.ms * 1e3) / s.count, unit: "µs/ask", digits: 2 },
  W3: { title: "W3 fan-out, 1000 actors × 1000 msgs", metric: (s) => s.count / s.ms / 1e3, unit: "M msg/s", digits: 2 },
  W4: { title: "W4 spawn 1e5 idle actors", metric: (s) => s.count / s.ms, unit: "k actors/s", digits: 0 },
  W5: { title: "W5 crash → restart → next msg", metric: perCycle, unit: "µs/cycle", digits: 1, flatness: true },
  W5c: { title: "W5 cold: first 1 000 cycles of a fresh supervisor", metric: perCycle, unit: "µs/cycle", digits: 1 },
  W6: { title: "W6 ping-pong, 1e6 hops", metric: (s) => s.count / s.ms / 1e3, unit: "M hops/s", digits: 2 },
  M: { title: "1e6 idle Arbor actors", metric: (s) => s.count / s.ms, unit: "k actors/s", digits: 0 },
  H: { title: "H hang → watchdog (100 ms / 500 ms) → new child answers", metric: (s) => s.ms / s.count, unit: "ms/cycle", digits: 0 }
}

export const implNames: Record<ImplId, string> = Object.fromEntries(
  Object.entries(implementations).map(([id, impl]) => [id, impl.name])
) as Record<ImplId, string>

/** What the headline `arbor` form is for each workload. */
export const headlineForm: Record<WorkloadId, string> = {
  W1: "`yield* ActorRef.tell` in an Effect loop",
  W2: "`yield* ActorRef.ask` (default 5 s timeout)",
  W3: "`yield* ActorRef.tell` in an Effect loop",
  W4: "`yield* Actor.spawn`",
  W5: "Supervisor one-for-one, permanent child; new child from `onEvent`",
  W5c: "as W5, in a fresh process, no warm-up",
  W6: "handler calls `ActorRef.tellUnsafe`, returns its state",
  M: "`yield* Actor.spawn` × 1e6",
  H: "(worker actors only)"
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
  /** Time per unit of work (ms per message, ask, spawn or cycle), as ratios take it. */
  readonly unitMs?: Stat
  readonly heap?: Stat
  /** W4 of a worker form: process RSS per live actor. */
  readonly rss?: Stat
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
  /**
   * Arbor form other than the headline → its time per unit of work ÷ the headline `arbor`
   * form's, per round (e.g. a worker actor against the same workload in-process).
   */
  readonly vsHeadline: Partial<Record<ImplId, Stat>>
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
          unitMs: stat(ok.map((r) => unitCost(r.sample)))!,
          ...(ok[0]!.sample.heapPerActor !== undefined ? { heap: stat(ok.map((r) => r.sample.heapPerActor!))! } : {}),
          ...(ok[0]!.sample.rssPerActor !== undefined ? { rss: stat(ok.map((r) => r.sample.rssPerActor!))! } : {}),
          ...(specs[workload].flatness === true && ok[0]!.sample.firstUs !== undefined
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
    const vsHeadline: Summary["vsHeadline"] = {}
    for (const impl of matrix[workload].filter((i) => isArbor(i) && i !== "arbor")) {
      const rs: Array<number> = []
      for (const a of mine.filter((r) => r.impl === impl && valid(r))) {
        const b = mine.find((r) => r.impl === "arbor" && r.round === a.round && valid(r))
        if (b !== undefined) rs.push(unitCost(a.sample!) / unitCost(b.sample!))
      }
      const r = stat(rs)
      if (r !== undefined) vsHeadline[impl] = r
    }
    out.push({ workload, cells, ratios, heapRatios, vsHeadline })
  }
  return out
}

// -----------------------------------------------------------------------------------------
// formatting
// -----------------------------------------------------------------------------------------

const num = (x: number, digits: number): string => {
  if (!Number.isFinite(x)) return String(x)
  // a small figure in a whole-number column (worker spawns: a few dozen per second) keeps 2 digits
  if (digits === 0 && x !== 0 && Math.abs(x) < 10) return x.toPrecision(2)
  if (digits === 0 || Math.abs(x) >= 100) return Math.round(x).toLocaleString("en-US")
  return x.toFixed(digits)
}

const bytes = (x: number): string =>
  x >= 1024 * 1024 ? `${(x / 1024 / 1024).toFixed(1)} MB` : x >= 1024 ? `${(x / 1024).toFixed(2)} KB` : `${Math.round(x)} B`

const range = (s: Stat, digits: number, f = num): string =>
  s.n > 1 ? `${f(s.median, digits)} (${f(s.min, digits)}–${f(s.max, digits)})` : f(s.median, digits)

export const formatCell = (workload: WorkloadId, cell: Cell | undefined): string => {
  if (cell === undefined) return "—"
  if (cell.status !== undefined) return cell.status
  const spec = specs[workload]
  let text = range(cell.metric!, spec.digits)
  if (cell.heap !== undefined) text += `; ${bytes(cell.heap.median)}/actor`
  if (cell.rss !== undefined) text += ` (parent heap), ${bytes(cell.rss.median)} RSS/actor`
  if (cell.flat !== undefined) text += `; last/first ${cell.flat.median.toFixed(2)}, last/mid ${cell.flatMid!.median.toFixed(2)}`
  return text
}

const ratioText = (s: Stat | undefined): string => {
  if (s === undefined) return "—"
  const f = (x: number) => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3))
  return s.n > 1 ? `${f(s.median)}× (${f(s.min)}–${f(s.max)})` : `${f(s.median)}×`
}

/** The main results table (markdown): a column and a ratio per baseline, a row per Arbor form. */
export const resultsTable = (summaries: ReadonlyArray<Summary>): string => {
  const names = baselines.map((b) => implNames[b])
  const head = [
    `| workload | Arbor form | Arbor | ${names.join(" | ")} | ${names.map((n) => `Arbor ÷ ${n}`).join(" | ")} |`,
    `| --- | --- | --- | ${names.map(() => "---").join(" | ")} | ${names.map(() => "---").join(" | ")} |`
  ]
  const lines: Array<string> = []
  for (const s of summaries) {
    // M is a target row; H has no baseline and is in the worker table
    if (s.workload === "M" || s.workload === "H") continue
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
  /** The target, as the table's first column says it. */
  readonly text: string
  /** Short name in the verdict prose. */
  readonly short: string
  /** Where the target comes from. */
  readonly issue: "#6" | "#13"
  readonly check: (s: Summary, all: ReadonlyArray<Summary>) => { readonly measured: string; readonly met: boolean | undefined }
}

const ratioTarget = (workload: WorkloadId, limit: number, label: string, issue: Target["issue"], form: ImplId = "arbor"): Target => ({
  workload,
  issue,
  text: `${label}: Arbor ≤ ${limit}× the plain-JS actor's time`,
  short: `${label} ≤ ${limit}×`,
  check: (s) => {
    const r = s.ratios[form]?.["plain"]
    if (r === undefined) return { measured: formatCell(workload, s.cells[form]), met: undefined }
    return { measured: ratioText(r), met: r.median <= limit }
  }
})

export const targets: ReadonlyArray<Target> = [
  ratioTarget("W1", 4, "W1 tell", "#6"),
  ratioTarget("W1", 2, "W1 tell, stretch", "#6"),
  ratioTarget("W1", 2, "W1 tell, stretch, `tellUnsafe` form", "#6", "arbor:unsafe"),
  ratioTarget("W2", 3, "W2 ask", "#6"),
  ratioTarget("W3", 4.5, "W3 fan-out", "#6"),
  ratioTarget("W4", 4, "W4 spawn", "#6"),
  {
    workload: "W4",
    issue: "#6",
    text: "W4 heap per idle actor ≤ 1 KB (after full GC)",
    short: "W4 heap per idle actor ≤ 1 KB",
    check: (s) => {
      const h = s.cells.arbor?.heap
      return h === undefined ? { measured: "—", met: undefined } : { measured: range(h, 0, (x) => bytes(x)), met: h.median <= 1024 }
    }
  },
  ratioTarget("W5", 2.5, "W5 crash → restart → next msg", "#6"),
  {
    workload: "W5",
    issue: "#6",
    text: "W5 flat: last 1 000 of 10 000 cycles ≤ 1.2× the first 1 000 (and, as a check, ÷ cycles 4 000–4 999)",
    short: "W5 flat (last 1 000 cycles ≤ 1.2× the first and the middle 1 000)",
    check: (s) => {
      const f = s.cells.arbor?.flat
      const m = s.cells.arbor?.flatMid
      if (f === undefined || m === undefined) return { measured: formatCell("W5", s.cells.arbor), met: undefined }
      return { measured: `last/first ${range(f, 2)}; last/mid ${range(m, 2)}`, met: f.median <= 1.2 && m.median <= 1.2 }
    }
  },
  {
    workload: "W5c",
    issue: "#13",
    text: "W5 cold: the first 1 000 cycles of a fresh supervisor ≤ 2× the steady state (W5's µs/cycle)",
    short: "W5 cold ≤ 2× the steady state",
    check: (s, all) => {
      const cold = s.cells.arbor?.metric
      const steady = all.find((x) => x.workload === "W5")?.cells.arbor?.metric
      if (cold === undefined) return { measured: formatCell("W5c", s.cells.arbor), met: undefined }
      if (steady === undefined) return { measured: `${num(cold.median, 1)} µs/cycle (W5 not measured)`, met: undefined }
      const r = cold.median / steady.median
      return { measured: `${ratioText({ median: r, min: r, max: r, n: 1 })} (${num(cold.median, 1)} ÷ ${num(steady.median, 1)} µs/cycle, medians)`, met: r <= 2 }
    }
  },
  ratioTarget("W6", 2.5, "W6 ping-pong", "#6"),
  ratioTarget("W6", 5, "W6 ping-pong, `Effect.gen` handlers", "#13", "arbor:effect-gen"),
  {
    workload: "M",
    issue: "#6",
    text: "1e6 idle actors spawned without running out of memory",
    short: "1e6 idle actors within Node's default heap",
    check: (s) => {
      const c = s.cells.arbor
      if (c?.metric === undefined) return { measured: c?.status ?? "—", met: c === undefined ? undefined : false }
      return { measured: `${range(c.metric, 0)} k/s; ${bytes(c.heap!.median)}/actor`, met: true }
    }
  }
]

export interface Verdict {
  readonly target: Target
  readonly measured: string
  readonly met: boolean | undefined
}

/** Every target whose workload was run, checked against the summaries. */
export const verdicts = (summaries: ReadonlyArray<Summary>): Array<Verdict> => {
  const out: Array<Verdict> = []
  for (const t of targets) {
    const s = summaries.find((x) => x.workload === t.workload)
    if (s === undefined) continue
    out.push({ target: t, ...t.check(s, summaries) })
  }
  return out
}

const status = (met: boolean | undefined) => (met === undefined ? "not measured" : met ? "met" : "**missed**")

export const targetsTable = (summaries: ReadonlyArray<Summary>): string => {
  const lines = ["| target | issue | measured (median, min–max over rounds) | status |", "| --- | --- | --- | --- |"]
  for (const v of verdicts(summaries)) lines.push(`| ${v.target.text} | ${v.target.issue} | ${v.measured} | ${status(v.met)} |`)
  return lines.join("\n")
}

const listing = (items: ReadonlyArray<string>): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`

/**
 * "Where Arbor stands": the verdict sentences, computed from the same summaries as the tables
 * (the target verdicts of `targetsTable`, the headline ratios of `resultsTable`), never written
 * by hand.
 */
export const standing = (summaries: ReadonlyArray<Summary>): string => {
  const vs = verdicts(summaries)
  const say = (v: Verdict) => `${v.target.short} (${v.measured})`
  const met = vs.filter((v) => v.met === true)
  const missed = vs.filter((v) => v.met === false)
  const unmeasured = vs.filter((v) => v.met === undefined)
  const paragraphs: Array<string> = []
  paragraphs.push(`Targets: ${met.length} of ${vs.length} met${missed.length > 0 ? `, ${missed.length} missed` : ""}${unmeasured.length > 0 ? `, ${unmeasured.length} not measured` : ""}.`)
  if (met.length > 0) paragraphs.push(`Met: ${listing(met.map(say))}.`)
  if (missed.length > 0) paragraphs.push(`Missed: ${listing(missed.map(say))}.`)
  if (unmeasured.length > 0) paragraphs.push(`Not measured in this run: ${listing(unmeasured.map((v) => v.target.short))}.`)
  const peers: Array<string> = []
  for (const base of baselines.filter((b) => b !== "plain")) {
    const faster: Array<string> = []
    const slower: Array<string> = []
    for (const s of summaries) {
      const r = s.ratios["arbor"]?.[base]
      if (r === undefined) continue
      ;(r.median < 1 ? faster : slower).push(`${s.workload} (${ratioText(r)})`)
    }
    if (faster.length + slower.length === 0) continue
    const parts = [
      ...(faster.length > 0 ? [`faster on ${listing(faster)}`] : []),
      ...(slower.length > 0 ? [`slower on ${listing(slower)}`] : [])
    ]
    peers.push(`- ${implNames[base]}: Arbor is ${parts.join("; ")}.`)
  }
  if (peers.length > 0) {
    paragraphs.push([
      "Against the peers (Arbor's headline form; time per unit of work, median of the per-round ratios; below 1× Arbor is faster):",
      ...peers
    ].join("\n"))
  }
  return paragraphs.join("\n\n")
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

/** The workloads the worker table compares, with what the row measures and its unit of work. */
const workerFigures: ReadonlyArray<{ readonly workload: WorkloadId; readonly what: string; readonly per: string }> = [
  { workload: "W4", what: "spawn until ready (a thread: isolate, modules, `init`)", per: "spawn" },
  { workload: "W1", what: "`tell` (encode, `postMessage`, decode), throughput", per: "msg" },
  { workload: "W2", what: "sequential `ask`, round trip", per: "ask" },
  { workload: "W5", what: "crash → supervisor restart → next reply (a fresh thread per restart)", per: "cycle" },
  { workload: "H", what: "hang → watchdog (100 ms / 500 ms) terminates the thread → new child answers", per: "cycle" }
]

/** A duration in ms, in the unit that reads best. */
const duration = (ms: number): string =>
  ms >= 1 ? `${num(ms, 1)} ms` : ms >= 1e-3 ? `${num(ms * 1e3, 2)} µs` : `${num(ms * 1e6, 0)} ns`

const perUnit = (cell: Cell | undefined, per: string): string => {
  if (cell === undefined) return "—"
  if (cell.unitMs === undefined) return cell.status ?? "—"
  const s = cell.unitMs
  return `${s.n > 1 ? `${duration(s.median)} (${duration(s.min)}–${duration(s.max)})` : duration(s.median)}/${per}`
}

/**
 * The costs of worker actors (`arbor:worker`, issue #15) beside the same workloads in-process
 * (the headline `arbor` form) from the same run: time per unit of work of both, the worker's ÷
 * the in-process one (per round, then the median), and memory per actor. Empty when no worker
 * row ran.
 */
export const workerTable = (summaries: ReadonlyArray<Summary>): string => {
  const lines: Array<string> = []
  for (const { workload, what, per } of workerFigures) {
    const s = summaries.find((x) => x.workload === workload)
    const worker = s?.cells["arbor:worker"]
    if (s === undefined || worker === undefined) continue
    const local = matrix[workload].includes("arbor")
    const inProcess = local ? perUnit(s.cells.arbor, per) : "n/a (in-process, a hang cannot be preempted: G12)"
    lines.push(`| ${workload} ${what} | ${inProcess} | ${perUnit(worker, per)} | ${local ? ratioText(s.vsHeadline["arbor:worker"]) : "—"} |`)
    if (workload === "W4" && worker.rss !== undefined) {
      const heap = s.cells.arbor?.heap
      const ratio = heap === undefined ? "—" : ratioText({ median: worker.rss.median / heap.median, min: worker.rss.median / heap.median, max: worker.rss.median / heap.median, n: 1 })
      lines.push(
        `| W4 memory per live actor (in-process: heap after GC; worker: the process's RSS, each thread an isolate) | ${heap === undefined ? "—" : range(heap, 0, (x) => bytes(x))} | ${range(worker.rss, 0, (x) => bytes(x))} RSS (parent heap ${bytes(worker.heap?.median ?? 0)}) | ${ratio} (medians) |`
      )
    }
  }
  if (lines.length === 0) return ""
  return [
    "| figure | in-process Arbor | worker actor | worker ÷ in-process |",
    "| --- | --- | --- | --- |",
    ...lines
  ].join("\n")
}
