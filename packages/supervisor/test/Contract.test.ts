import { readdirSync, readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"

/**
 * docs/supervision-contract.md is the written contract of the supervisors; each guarantee
 * `### S<n> ...` must be proven by at least one test of this directory whose name starts with
 * `S<n> `, every such test must point to a guarantee, and every test here names one.
 */
const docUrl = new URL("../../../docs/supervision-contract.md", import.meta.url)
const testDir = new URL("./", import.meta.url)
const self = "Contract.test.ts"

const documented = (): Map<number, string> => {
  const doc = readFileSync(docUrl, "utf8")
  const out = new Map<number, string>()
  // a number documented twice is caught by the order check
  for (const match of doc.matchAll(/^### S(\d+) (.+)$/gm)) out.set(Number(match[1]), match[2]!)
  return out
}

/** Every test of this directory (`it(...)` and `it.each(...)(...)`), by file, with its name as written. */
const tests = (): Array<{ readonly file: string; readonly name: string }> => {
  const out: Array<{ file: string; name: string }> = []
  for (const file of readdirSync(testDir)) {
    if (!file.endsWith(".test.ts") || file === self) continue
    const source = readFileSync(new URL(file, testDir), "utf8")
    for (const match of source.matchAll(/\bit(?:\.each\([\s\S]*?\))?\(\s*["'`]([^"'`]*)/g)) {
      out.push({ file, name: match[1]! })
    }
  }
  return out
}

const tested = (): Map<number, Array<string>> => {
  const out = new Map<number, Array<string>>()
  for (const { file, name } of tests()) {
    const match = /^S(\d+) /.exec(name)
    if (match === null) continue
    const n = Number(match[1])
    out.set(n, [...(out.get(n) ?? []), `${file}: ${name}`])
  }
  return out
}

describe("docs/supervision-contract.md and the supervisor tests point to each other", () => {
  it("every guarantee S1..Sn is documented once, in order, and has at least one test", () => {
    const doc = readFileSync(docUrl, "utf8")
    const headings = [...doc.matchAll(/^### S(\d+) /gm)].map((m) => Number(m[1]))
    expect(headings.length).toBeGreaterThanOrEqual(22)
    expect(headings).toEqual(Array.from({ length: headings.length }, (_, i) => i + 1))
    const docs = documented()
    const byNumber = tested()
    const untested = [...docs.keys()].filter((n) => !byNumber.has(n)).map((n) => `S${n} ${docs.get(n)}`)
    expect(untested).toEqual([])
  })

  it("every test that names a guarantee names a documented one", () => {
    const docs = documented()
    const orphans = [...tested().entries()].filter(([n]) => !docs.has(n)).flatMap(([, names]) => names)
    expect(orphans).toEqual([])
  })

  it("every supervisor test is named after the guarantee it proves", () => {
    const all = tests()
    expect(all.length).toBeGreaterThan(50)
    const unnamed = all.filter((t) => !/^S\d+ /.test(t.name)).map((t) => `${t.file}: ${t.name}`)
    expect(unnamed, "start the test's name with the S-number of docs/supervision-contract.md it proves").toEqual([])
  })

  it("the contract's cross-references (S<n> in its text) point to guarantees it has", () => {
    const doc = readFileSync(docUrl, "utf8")
    const docs = documented()
    const dangling = [...new Set([...doc.matchAll(/\bS(\d+)\b/g)].map((m) => Number(m[1])))].filter((n) => !docs.has(n))
    expect(dangling).toEqual([])
  })
})
