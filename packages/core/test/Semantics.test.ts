import { readdirSync, readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"

/**
 * docs/semantics.md is the written contract; each guarantee `### G<n> ...` must be proven by at
 * least one test whose name starts with `G<n> `, and every such test must point to a guarantee.
 */
const docUrl = new URL("../../../docs/semantics.md", import.meta.url)
const testDir = new URL("./", import.meta.url)

const documented = (): Map<number, string> => {
  const doc = readFileSync(docUrl, "utf8")
  const out = new Map<number, string>()
  for (const match of doc.matchAll(/^### G(\d+) (.+)$/gm)) out.set(Number(match[1]), match[2]!)
  return out
}

const tested = (): Map<number, Array<string>> => {
  const out = new Map<number, Array<string>>()
  for (const file of readdirSync(testDir)) {
    if (!file.endsWith(".test.ts") || file === "Semantics.test.ts") continue
    const source = readFileSync(new URL(file, testDir), "utf8")
    for (const match of source.matchAll(/\bit(?:\.each\([\s\S]*?\))?\(\s*["'`]G(\d+) ([^"'`]+)/g)) {
      const n = Number(match[1])
      out.set(n, [...(out.get(n) ?? []), `${file}: ${match[2]}`])
    }
  }
  return out
}

describe("docs/semantics.md and the tests point to each other", () => {
  it("every guarantee G1..Gn is documented once, in order, and has at least one test", () => {
    const docs = documented()
    const tests = tested()
    expect(docs.size).toBeGreaterThanOrEqual(22)
    expect([...docs.keys()]).toEqual(Array.from({ length: docs.size }, (_, i) => i + 1))
    const untested = [...docs.keys()].filter((n) => !tests.has(n)).map((n) => `G${n} ${docs.get(n)}`)
    expect(untested).toEqual([])
  })

  it("every test that names a guarantee names a documented one", () => {
    const docs = documented()
    const orphans = [...tested().entries()].filter(([n]) => !docs.has(n)).flatMap(([, names]) => names)
    expect(orphans).toEqual([])
  })
})
