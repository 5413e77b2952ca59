/**
 * Renders the supervision tree and the run's counters as lines of text (with ANSI colours),
 * and the final summary.
 */
import type { Supervisor } from "@arbor/supervisor"
import type { Stats, Summary } from "./chaos.ts"

const color = (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m`
const green = (t: string) => color(32, t)
const yellow = (t: string) => color(33, t)
const grey = (t: string) => color(90, t)
const bold = (t: string) => color(1, t)
const red = (t: string) => color(31, t)

const pad = (s: string, n: number) => s + " ".repeat(Math.max(0, n - visible(s).length))
// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "")

const status = (s: string) => (s === "running" ? green(s) : s === "restarting" ? yellow(s) : grey(s))

const budget = (s: Supervisor.Snapshot) => {
  const text = `restarts ${s.restartsInWindow}/${s.intensity} in ${s.periodMillis / 1000}s, budget ${s.remainingBudget}`
  return s.remainingBudget === 0 ? red(text) : s.remainingBudget <= s.intensity / 3 ? yellow(text) : text
}

const treeLines = (s: Supervisor.Snapshot, prefix: string, out: Array<string>) => {
  const children = s.children
  if (s.kind === "dynamic-supervisor") {
    const running = children.filter((c) => c.status === "running").length
    const restarting = children.filter((c) => c.status === "restarting").length
    const restartsTotal = children.reduce((n, c) => n + Math.max(0, c.incarnation - 1), 0)
    out.push(`${prefix}└─ ${green(String(running))} sessions running${restarting > 0 ? `, ${yellow(String(restarting))} restarting` : ""}, ${restartsTotal} restarts among them`)
    return
  }
  children.forEach((c, i) => {
    const last = i === children.length - 1
    const branch = last ? "└─ " : "├─ "
    const name = pad(c.id, 12)
    if (c.supervisor !== undefined) {
      const kind = c.supervisor.kind === "dynamic-supervisor" ? "dynamic" : c.supervisor.strategy
      out.push(`${prefix}${branch}${bold(name)} ${pad(kind, 13)} ${pad(status(c.status), 12)} #${c.incarnation}  ${budget(c.supervisor)}`)
      treeLines(c.supervisor, prefix + (last ? "   " : "│  "), out)
    } else {
      out.push(`${prefix}${branch}${name} ${pad("worker", 13)} ${pad(status(c.status), 12)} #${c.incarnation}`)
    }
  })
}

export interface FrameStats extends Stats {
  readonly faults: number
  readonly elapsed: number
  readonly seconds: number
  readonly seed: number
}

export const renderFrame = (snap: Supervisor.Snapshot | undefined, stats: FrameStats): string => {
  const out: Array<string> = []
  out.push(bold(`Arbor chaos demo`) + grey(` — seed ${stats.seed} — ${stats.elapsed.toFixed(1)}s of ${stats.seconds}s`))
  if (snap === undefined) {
    out.push(red("root supervisor is down"))
  } else {
    out.push(`${bold(pad("root", 15))} ${pad(snap.strategy, 13)} ${pad(green("running"), 12)}     ${budget(snap)}`)
    treeLines(snap, "", out)
  }
  out.push("")
  out.push(
    `faults injected ${bold(String(stats.faults))} · restarts ${bold(String(stats.restarts))} · failed starts ${stats.failedStarts} · escalations ${bold(String(stats.escalations))}`
  )
  out.push(`orders acknowledged ${bold(String(stats.acknowledged))} · attempts retried ${stats.retriedAttempts}`)
  return out.join("\n")
}

export const renderSummary = (s: Summary): string => {
  const kinds = Object.entries(s.faultsByKind).sort().map(([k, n]) => `${k} ${n}`).join(", ")
  const lost = s.lost === 0 ? green("0") : red(String(s.lost))
  return [
    bold("Summary"),
    `  seed                         ${s.seed} (replay with --seed ${s.seed})`,
    `  duration                     ${s.seconds}s`,
    `  faults injected              ${s.faults} (${kinds}; and ${s.slowedMessages} messages slowed)`,
    `  restarts                     ${s.restarts} (failed start attempts ${s.failedStarts}, retried)`,
    `  escalations                  ${s.escalations} (restart intensity exceeded, handed to the parent)`,
    `  requests acknowledged        ${s.acknowledged} (attempts retried after a crash ${s.retriedAttempts})`,
    `  acknowledged requests lost   ${lost} (every acknowledged order was found in the store: ${s.storeSize} orders)`,
    `  actors alive after shutdown  ${s.aliveAfterShutdown}`
  ].join("\n")
}
