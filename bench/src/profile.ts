/**
 * Summarises a V8 `.cpuprofile` (as written by `node --cpu-prof`): the frames with the most
 * self time, merged by function and location.
 */
import * as fs from "node:fs"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly hitCount?: number
  readonly children?: ReadonlyArray<number>
}

interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly startTime: number
  readonly endTime: number
  readonly samples?: ReadonlyArray<number>
}

export interface Frame {
  readonly name: string
  readonly where: string
  readonly selfPct: number
  /** Share of samples with this frame anywhere on the stack (recursion counted once). */
  readonly totalPct: number
}

const shortUrl = (url: string): string => {
  const i = url.lastIndexOf("/node_modules/")
  if (i >= 0) return url.slice(i + "/node_modules/".length).replace(/^\.pnpm\/[^/]+\/node_modules\//, "")
  // a run's pinned build (snapshot.ts) is shown where it was built from, so `match: "packages/"` finds it
  const pinned = /\/bench\/dist\/snapshot\/([a-z-]+)\//.exec(url)
  if (pinned !== null) return `packages/${pinned[1]}/dist/${url.slice(pinned.index + pinned[0].length)}`
  const j = url.indexOf("/packages/")
  if (j >= 0) return url.slice(j + 1)
  const k = url.indexOf("/bench/")
  if (k >= 0) return url.slice(k + 1)
  return url.replace(/^file:\/\//, "")
}

const frameKey = (node: ProfileNode): { key: string; name: string; where: string } => {
  const { functionName, url, lineNumber } = node.callFrame
  const name = functionName === "" ? "(anonymous)" : functionName
  const where = url === "" ? "" : `${shortUrl(url)}:${lineNumber + 1}`
  return { key: `${name}@${where}`, name, where }
}

/**
 * The frames of a profile, by self time (`by: "self"`) or by time with the frame on the stack
 * (`by: "total"`); `match` keeps only frames whose location contains it.
 */
export const topFrames = (
  file: string,
  limit = 20,
  options: { readonly by?: "self" | "total"; readonly match?: string } = {}
): Array<Frame> => {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const isChild = new Set(profile.nodes.flatMap((n) => n.children ?? []))
  const stats = new Map<string, { name: string; where: string; self: number; total: number }>()
  let all = 0
  // walk the tree keeping the set of frames on the current stack, so recursion counts once
  const walk = (id: number, onStack: Map<string, number>): number => {
    const node = byId.get(id)!
    const { key, name, where } = frameKey(node)
    let entry = stats.get(key)
    if (entry === undefined) stats.set(key, entry = { name, where, self: 0, total: 0 })
    const self = node.hitCount ?? 0
    entry.self += self
    all += self
    onStack.set(key, (onStack.get(key) ?? 0) + 1)
    let subtree = self
    for (const c of node.children ?? []) subtree += walk(c, onStack)
    const depth = onStack.get(key)! - 1
    if (depth === 0) {
      onStack.delete(key)
      entry.total += subtree
    } else {
      onStack.set(key, depth)
    }
    return subtree
  }
  for (const n of profile.nodes) if (!isChild.has(n.id)) walk(n.id, new Map())
  const by = options.by ?? "self"
  return [...stats.values()]
    .filter((e) => options.match === undefined || e.where.includes(options.match))
    .sort((a, b) => (by === "self" ? b.self - a.self : b.total - a.total))
    .slice(0, limit)
    .map((e) => ({
      name: e.name,
      where: e.where,
      selfPct: (100 * e.self) / Math.max(1, all),
      totalPct: (100 * e.total) / Math.max(1, all)
    }))
}

export const formatFrames = (frames: ReadonlyArray<Frame>): string =>
  ["  self  total", ...frames.map((f) => `${f.selfPct.toFixed(1).padStart(5)}% ${f.totalPct.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`)]
    .join("\n")
