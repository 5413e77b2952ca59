/**
 * docs/cluster.md names a test for each claim: every test name it quotes exists in
 * packages/cluster/test (a name ending in "…" is quoted by its beginning).
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const testDir = import.meta.dirname
// code blocks are not quotes
const doc = readFileSync(join(testDir, "..", "..", "..", "docs", "cluster.md"), "utf8").replace(/```[\s\S]*?```/g, "")

const files = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".test.ts") ? [p] : []
  })
const names = files(testDir).flatMap((f) => [...readFileSync(f, "utf8").matchAll(/^\s+it\("([^"]+)"/gm)].map((m) => m[1]!))

/** Backticked spans that read like a test name: five words or more, no code. */
const quoted = [...doc.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)
  .filter((s) => s.split(" ").length >= 5 && !/[{}=]|^\w+\.\w+\(/.test(s))

describe("docs/cluster.md", () => {
  it("quotes test names", () => {
    expect(quoted.length).toBeGreaterThan(20)
  })
  it("every test name it quotes exists", () => {
    const missing = quoted.filter((q) => {
      const text = q.replace(/\s+/g, " ")
      return text.endsWith("…") ? !names.some((n) => n.startsWith(text.slice(0, -1).trimEnd())) : !names.includes(text)
    })
    expect(missing).toEqual([])
  })
})
