/**
 * Summarises a V8 `.cpuprofile` (as written by `node --cpu-prof`): the frames with the most
 * self time, merged by function and location.
 */
import * as fs from "node:fs"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly hitCount?: number
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
}

const shortUrl = (url: string): string => {
  const i = url.lastIndexOf("/node_modules/")
  if (i >= 0) return url.slice(i + "/node_modules/".length).replace(/^\.pnpm\/[^/]+\/node_modules\//, "")
  const j = url.indexOf("/packages/")
  if (j >= 0) return url.slice(j + 1)
  const k = url.indexOf("/bench/")
  if (k >= 0) return url.slice(k + 1)
  return url.replace(/^file:\/\//, "")
}

export const topFrames = (file: string, limit = 20): Array<Frame> => {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile
  const hits = new Map<string, { name: string; where: string; n: number }>()
  let total = 0
  for (const node of profile.nodes) {
    const n = node.hitCount ?? 0
    total += n
    const { functionName, url, lineNumber } = node.callFrame
    const name = functionName === "" ? "(anonymous)" : functionName
    const where = url === "" ? "" : `${shortUrl(url)}:${lineNumber + 1}`
    const key = `${name}@${where}`
    const entry = hits.get(key)
    if (entry === undefined) hits.set(key, { name, where, n })
    else entry.n += n
  }
  return [...hits.values()]
    .sort((a, b) => b.n - a.n)
    .slice(0, limit)
    .map((e) => ({ name: e.name, where: e.where, selfPct: (100 * e.n) / Math.max(1, total) }))
}

export const formatFrames = (frames: ReadonlyArray<Frame>): string =>
  frames.map((f) => `${f.selfPct.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`).join("\n")
