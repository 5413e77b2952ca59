/**
 * Renders the supervision tree, the run's counters and the recent events as lines of text, and
 * the final summary — with ANSI colours, or plain (`color: false`: no escape code at all, for a
 * stdout that is not a terminal or when `NO_COLOR` is set).
 */
import type { Supervisor } from "@arbor/supervisor"
import type { Incident, Stats, Summary } from "./chaos.ts"

/** How text is styled: ANSI colours, or none. */
export interface Style {
  readonly color: boolean
}

const palette = (style: Style) => {
  const color = (code: number) => (text: string) => (style.color ? `\x1b[${code}m${text}\x1b[0m` : text)
  return { green: color(32), yellow: color(33), grey: color(90), bold: color(1), red: color(31) }
}

/** `1 restart`, `2 restarts`, `0 restarts`. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "")
const pad = (s: string, n: number) => s + " ".repeat(Math.max(0, n - visible(s).length))

/** Whether a stdout gets colours: a terminal, and `NO_COLOR` unset or empty (https://no-color.org). */
export const useColor = (isTTY: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean =>
  isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === "")

const treeLines = (s: Supervisor.Snapshot, prefix: string, out: Array<string>, p: ReturnType<typeof palette>) => {
  const status = (t: string) => (t === "running" ? p.green(t) : t === "restarting" ? p.yellow(t) : p.grey(t))
  const budget = (b: Supervisor.Snapshot) => {
    const text = `restarts ${b.restartsInWindow}/${b.intensity} in ${b.periodMillis / 1000}s, budget ${b.remainingBudget}`
    return b.remainingBudget === 0 ? p.red(text) : b.remainingBudget <= b.intensity / 3 ? p.yellow(text) : text
  }
  const children = s.children
  if (s.kind === "dynamic-supervisor") {
    const running = children.filter((c) => c.status === "running").length
    const restarting = children.filter((c) => c.status === "restarting").length
    const restartsTotal = children.reduce((n, c) => n + Math.max(0, c.incarnation - 1), 0)
    out.push(
      `${prefix}└─ ${p.green(String(running))} ${running === 1 ? "session" : "sessions"} running` +
        `${restarting > 0 ? `, ${p.yellow(String(restarting))} restarting` : ""}, ${plural(restartsTotal, "restart")} among them`
    )
    return
  }
  children.forEach((c, i) => {
    const last = i === children.length - 1
    const branch = last ? "└─ " : "├─ "
    const name = pad(c.id, 12)
    if (c.supervisor !== undefined) {
      const kind = c.supervisor.kind === "dynamic-supervisor" ? "dynamic" : c.supervisor.strategy
      out.push(`${prefix}${branch}${p.bold(name)} ${pad(kind, 13)} ${pad(status(c.status), 12)} #${c.incarnation}  ${budget(c.supervisor)}`)
      treeLines(c.supervisor, prefix + (last ? "   " : "│  "), out, p)
    } else {
      out.push(`${prefix}${branch}${name} ${pad("worker", 13)} ${pad(status(c.status), 12)} #${c.incarnation}`)
    }
  })
}

/** One recent event in words: who crashed, with what, and who restarted it. */
export const incidentText = (i: Incident): string => {
  const at = `${(i.atMillis / 1000).toFixed(1)}s`
  // a chain of asks nests reasons deeply: keep the line to one terminal line
  const reason = i.reason.length > 80 ? `${i.reason.slice(0, 79)}…` : i.reason
  switch (i.kind) {
    case "crash":
      return `${at} ${i.path} crashed (${reason})` +
        (i.restartedBy !== undefined ? `, restarted by ${i.restartedBy} as #${i.incarnation}` : ", not restarted yet")
    case "give-up":
      return `${at} ${i.path} gave up (${reason})` +
        (i.restartedBy !== undefined ? `, restarted by ${i.restartedBy} as #${i.incarnation}` : ", escalated to its parent")
  }
}

/** What a frame shows beside the tree. */
export interface FrameStats extends Stats {
  readonly faults: number
  readonly elapsed: number
  readonly seconds: number
  readonly seed: number
  /** The newest incidents, newest last. */
  readonly recent: ReadonlyArray<Incident>
}

/** One frame of the live view. */
export const renderFrame = (snap: Supervisor.Snapshot | undefined, stats: FrameStats, style: Style = { color: true }): string => {
  const p = palette(style)
  const out: Array<string> = []
  out.push(p.bold(`Arbor chaos demo`) + p.grey(` — seed ${stats.seed} — ${stats.elapsed.toFixed(1)}s of ${stats.seconds}s`))
  if (snap === undefined) {
    out.push(p.red("root supervisor is down"))
  } else {
    const text = `restarts ${snap.restartsInWindow}/${snap.intensity} in ${snap.periodMillis / 1000}s, budget ${snap.remainingBudget}`
    out.push(`${p.bold(pad("root", 15))} ${pad(snap.strategy, 13)} ${pad(p.green("running"), 12)}     ${text}`)
    treeLines(snap, "", out, p)
  }
  out.push("")
  out.push(
    `${plural(stats.faults, "fault")} injected · ${plural(stats.restarts, "restart")} · ` +
      `${plural(stats.failedStarts, "failed start")} · ${plural(stats.escalations, "escalation")}`
  )
  out.push(`${plural(stats.acknowledged, "order")} acknowledged · ${plural(stats.retriedAttempts, "attempt")} retried`)
  const recent = stats.recent.slice(-3).reverse()
  if (recent.length === 0) out.push(p.grey("recent: nothing has crashed yet"))
  recent.forEach((i, k) => out.push(`${k === 0 ? "recent: " : "        "}${i.kind === "give-up" ? p.red(incidentText(i)) : incidentText(i)}`))
  return out.join("\n")
}

/** The summary printed at the end. */
export const renderSummary = (s: Summary, style: Style = { color: true }): string => {
  const p = palette(style)
  const kinds = Object.entries(s.faultsByKind).sort().map(([k, n]) => `${k} ${n}`).join(", ")
  const lost = s.lost === 0 ? p.green("0") : p.red(String(s.lost))
  return [
    p.bold("Summary"),
    `  seed                         ${s.seed} (replay with --seed ${s.seed})`,
    `  duration                     ${s.seconds}s`,
    `  faults injected              ${s.faults} (${kinds}; and ${plural(s.slowedMessages, "message")} slowed)`,
    `  restarts                     ${s.restarts} (${plural(s.failedStarts, "failed start attempt")}, retried)`,
    `  escalations                  ${s.escalations} (restart intensity exceeded, handed to the parent)`,
    `  requests acknowledged        ${s.acknowledged} (${plural(s.retriedAttempts, "attempt")} retried after a crash)`,
    `  acknowledged requests lost   ${lost} (every acknowledged order was found in the store: ${plural(s.storeSize, "order")})`,
    `  actors alive after shutdown  ${s.aliveAfterShutdown}`,
    ...(s.recent.length > 0
      ? [`  last events`, ...s.recent.slice(-3).map((i) => `    ${incidentText(i)}`)]
      : [])
  ].join("\n")
}
