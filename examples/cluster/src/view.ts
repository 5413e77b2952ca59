/**
 * What the demo prints: the live frame (which runner owns which actor, the counters, the recent
 * events), the event lines of the plain output and the summary — with ANSI colours, or plain
 * (`color: false`: not one escape code, for a stdout that is not a terminal or when `NO_COLOR` is
 * set).
 */

/** How text is styled: ANSI colours, or none. */
export interface Style {
  readonly color: boolean
}

/** Whether a stdout gets colours: a terminal, and `NO_COLOR` unset or empty (https://no-color.org). */
export const useColor = (isTTY: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean =>
  isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === "")

const palette = (style: Style) => {
  const color = (code: number) => (text: string) => (style.color ? `\x1b[${code}m${text}\x1b[0m` : text)
  return { green: color(32), yellow: color(33), grey: color(90), bold: color(1), red: color(31) }
}

/** `1 request`, `2 requests`, `0 requests`. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** `a`, `a and b`, `a, b and c`. */
export const list = (items: ReadonlyArray<string>): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`

// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "")
const pad = (s: string, n: number) => s + " ".repeat(Math.max(0, n - visible(s).length))

/** Seconds since the demo's start, one decimal: `12.3s`. */
export const at = (millis: number): string => `${(millis / 1000).toFixed(1)}s`

/** A runner process as the demo sees it. */
export interface RunnerView {
  readonly name: string
  readonly pid: number | undefined
  readonly port: number
  readonly status: "starting" | "up" | "killed" | "stopped"
}

/** An actor as the client sees it: who answered it last. */
export interface ActorView {
  readonly id: string
  /** The runner whose actor answered the last request, if any has been answered. */
  readonly owner: string | undefined
  /** Milliseconds since the start when its last request was acknowledged. */
  readonly lastAnsweredAt: number | undefined
  /** A request to it has been waiting since then (retries included), if one is waiting. */
  readonly waitingSince: number | undefined
  readonly acknowledged: number
}

/** The client's counters so far. */
export interface Counts {
  readonly acknowledged: number
  /** Attempts sent again after an attempt failed or timed out. */
  readonly retried: number
}

/** One line of the event log: when (ms since the start) and what. */
export interface Event {
  readonly at: number
  readonly text: string
}

/** What one frame of the live view shows. */
export interface FrameData {
  readonly elapsed: number
  readonly seconds: number
  readonly phase: string
  readonly runners: ReadonlyArray<RunnerView>
  readonly actors: ReadonlyArray<ActorView>
  readonly counts: Counts
  readonly recent: ReadonlyArray<Event>
}

/** One line of the plain output: `  12.3s runner-2 killed with SIGKILL …`. */
export const eventLine = (e: Event): string => `${pad(at(e.at), 7)} ${e.text}`

/** The actors each runner owns (as last answered), sorted: `{ "runner-1": ["a", "d"], … }`. */
export const ownership = (actors: ReadonlyArray<ActorView>): Map<string, Array<string>> => {
  const owned = new Map<string, Array<string>>()
  for (const a of actors) {
    if (a.owner === undefined) continue
    const ids = owned.get(a.owner) ?? []
    ids.push(a.id)
    owned.set(a.owner, ids)
  }
  for (const ids of owned.values()) ids.sort()
  return owned
}

/** One line per runner: its status and the actors whose last answer came from it. */
export const ownershipLines = (runners: ReadonlyArray<RunnerView>, actors: ReadonlyArray<ActorView>, now: number, style: Style = { color: true }): Array<string> => {
  const p = palette(style)
  const owned = ownership(actors)
  const status = (s: RunnerView["status"]) => (s === "up" ? p.green(s) : s === "killed" ? p.red(s) : s === "starting" ? p.yellow(s) : p.grey(s))
  const lines = runners.map((r) => {
    const ids = owned.get(r.name) ?? []
    const mine = actors.filter((a) => ids.includes(a.id))
    const text = ids.map((id) => {
      const a = mine.find((x) => x.id === id)!
      // an actor whose request has waited over a second: its owner may be gone
      return a.waitingSince !== undefined && now - a.waitingSince > 1000 ? p.yellow(`${id}?`) : id
    })
    return `${pad(p.bold(r.name), 9)} ${pad(r.pid === undefined ? "" : `pid ${r.pid}`, 10)} ${pad(`127.0.0.1:${r.port}`, 16)} ${pad(status(r.status), 9)} ` +
      `${pad(plural(ids.length, "actor"), 10)} ${text.join(" ")}`
  })
  const unknown = actors.filter((a) => a.owner === undefined).map((a) => a.id)
  if (unknown.length > 0) lines.push(p.grey(`not answered yet: ${unknown.join(" ")}`))
  return lines
}

/** One frame of the live view. */
export const renderFrame = (d: FrameData, style: Style = { color: true }): string => {
  const p = palette(style)
  const out: Array<string> = []
  out.push(p.bold(`${at(d.elapsed)}`) + p.grey(` (the scenario ends by ${d.seconds}s)`) + ` — phase: ${d.phase}`)
  out.push("")
  out.push(...ownershipLines(d.runners, d.actors, d.elapsed, style))
  out.push("")
  const waiting = d.actors.filter((a) => a.waitingSince !== undefined && d.elapsed - a.waitingSince > 1000).length
  out.push(
    `${plural(d.counts.acknowledged, "request")} acknowledged · ${plural(d.counts.retried, "attempt")} retried` +
      (waiting > 0 ? ` · ${p.yellow(plural(waiting, "actor"))} waiting over 1s` : "")
  )
  const recent = d.recent.slice(-4).reverse()
  recent.forEach((e, k) => out.push(`${k === 0 ? "recent: " : "        "}${at(e.at)} ${e.text}`))
  return out.join("\n")
}

/** What the summary reports. */
export interface Summary {
  readonly seconds: number
  readonly database: string
  readonly actors: number
  readonly killed: { readonly runner: string; readonly at: number; readonly owned: ReadonlyArray<string> } | undefined
  /** Milliseconds from the kill until each actor the dead runner owned answered from a survivor. */
  readonly failover: ReadonlyArray<{ readonly actor: string; readonly afterMillis: number; readonly by: string }>
  readonly restarted: { readonly runner: string; readonly at: number } | undefined
  /** Actors whose answers came from the restarted runner after the restart, and when the first did. */
  readonly rebalance: { readonly actors: ReadonlyArray<string>; readonly firstAfterMillis: number } | undefined
  readonly acknowledged: number
  readonly retried: number
  /** Requests never acknowledged, plus acknowledged ones no actor recorded. */
  readonly lost: number
  readonly unacknowledged: number
  readonly unrecorded: number
  /** Requests recorded by the actors more than once, and the extra records. */
  readonly duplicated: number
  readonly duplicateRecords: number
  readonly processesLeft: number
  readonly cleanup: string
}

/** The summary printed at the end. */
export const renderSummary = (s: Summary, style: Style = { color: true }): string => {
  const p = palette(style)
  const lost = s.lost === 0 ? p.green("0") : p.red(String(s.lost))
  const range = (ms: ReadonlyArray<number>) => {
    const lo = Math.min(...ms), hi = Math.max(...ms)
    return lo === hi ? `${(lo / 1000).toFixed(1)}s` : `${(lo / 1000).toFixed(1)}–${(hi / 1000).toFixed(1)}s`
  }
  const failover = s.killed === undefined
    ? "no runner was killed"
    : s.failover.length === 0
    ? `${s.killed.runner} owned ${s.killed.owned.length === 0 ? "no actor" : list(s.killed.owned)}; none answered from a survivor`
    : `${list(s.failover.map((f) => f.actor))} answered from the survivors ${range(s.failover.map((f) => f.afterMillis))} after the kill` +
      (s.failover.length < s.killed.owned.length ? p.red(` (${s.killed.owned.length - s.failover.length} did not)`) : "")
  const rebalance = s.restarted === undefined
    ? "the runner was not restarted"
    : s.rebalance === undefined
    ? p.yellow(`no actor moved to ${s.restarted.runner} before the end`)
    : `${plural(s.rebalance.actors.length, "actor")} (${list(s.rebalance.actors)}) moved to ${s.restarted.runner}, the first ${(s.rebalance.firstAfterMillis / 1000).toFixed(1)}s after its restart`
  return [
    p.bold("Summary"),
    `  storage                  ${s.database}`,
    `  runners                  3` +
      (s.killed === undefined ? "" : `; ${s.killed.runner} killed with SIGKILL at ${at(s.killed.at)}`) +
      (s.restarted === undefined ? "" : `, restarted at ${at(s.restarted.at)}`),
    `  failover                 ${failover}`,
    `  rebalance                ${rebalance}`,
    `  requests acknowledged    ${s.acknowledged} (to ${plural(s.actors, "actor")})`,
    `  attempts retried         ${s.retried} (sent again after an attempt failed or timed out)`,
    `  requests lost            ${lost} (${plural(s.unacknowledged, "request")} never acknowledged, ${plural(s.unrecorded, "acknowledged request")} no actor recorded)`,
    `  requests duplicated      ${s.duplicated} (recorded by the actors more than once: ${plural(s.duplicateRecords, "extra record")}; delivery is at least once)`,
    `  processes left running   ${s.processesLeft === 0 ? "0" : p.red(String(s.processesLeft))}`,
    `  cleanup                  ${s.cleanup}`
  ].join("\n")
}
