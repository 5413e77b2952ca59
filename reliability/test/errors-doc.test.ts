/**
 * `docs/errors.md` and the bad-input test files stay in step: every row of the matrix names a
 * test of one of them, and every test of them has a row.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..")

/** The last cell of every table row, when it is one backticked test name. */
const rows = (markdown: string): Array<string> =>
  markdown.split("\n")
    .filter((line) => line.startsWith("|") && !line.startsWith("|---") && !line.startsWith("| Input"))
    .map((line) => line.trim().replace(/\|$/, "").split("|").pop()!.trim())
    .map((cell) => /^`([^`]+)`$/.exec(cell)?.[1] ?? `(not a test name: ${cell})`)

const tests = (source: string): Array<string> => [...source.matchAll(/^\s+it\("([^"]+)"/gm)].map((m) => m[1]!)

describe("docs/errors.md", () => {
  const documented = rows(readFileSync(join(root, "docs", "errors.md"), "utf8"))
  const written = [
    join(import.meta.dirname, "bad-input.test.ts"),
    join(root, "packages", "worker", "test", "bad-input.test.ts"),
    join(root, "packages", "cluster", "test", "bad-input.test.ts"),
    join(root, "packages", "observer", "test", "bad-input.test.ts"),
    join(root, "packages", "testkit", "test", "bad-input.test.ts"),
    join(root, "packages", "core", "test", "bad-input.test.ts")
  ].flatMap((file) => tests(readFileSync(file, "utf8")))

  it("has rows", () => {
    expect(documented.length).toBeGreaterThan(50)
  })
  it("every row names a test of one of the bad-input test files", () => {
    expect(documented.filter((name) => !written.includes(name))).toEqual([])
  })
  it("every test of those files has a row", () => {
    expect(written.filter((name) => !documented.includes(name))).toEqual([])
  })
  it("no row is listed twice", () => {
    expect(documented.filter((name, i) => documented.indexOf(name) !== i)).toEqual([])
  })
})
