/**
 * The documentation's promise: a snippet works when pasted. Every ```ts (or plain-JavaScript
 * ```js) block of the guides that is followed by an "Output:" ```text block is written to a
 * file, run with Node (through tsx), and its output must be exactly the documented one. Log
 * records Effect's default logger prints among the output (Arbor's crash reports, with a time
 * stamp and a stack) are compared by their first line only, without the time stamp and fiber
 * id: `ERROR: crash report: …`.
 */
import { execFile } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { availableParallelism } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { splitLogRecords } from "../../integration/log-records.ts"

const root = join(import.meta.dirname, "..", "..")
const files = ["README.md", "docs/getting-started.md", "docs/actors.md", "docs/testing.md", "docs/registry.md", "docs/supervision.md", "docs/promise.md"]
const outDir = join(root, ".tmp", "snippets")

interface Snippet {
  readonly file: string
  readonly index: number
  readonly code: string
  /** `ts` or `js` (a plain-JavaScript snippet runs as an `.mjs` file). */
  readonly lang: string
  readonly output: string
}

const snippets = (file: string): Array<Snippet> => {
  let text: string
  try {
    text = readFileSync(join(root, file), "utf8")
  } catch {
    return []
  }
  const found: Array<Snippet> = []
  const re = /```(ts|js)\n((?:(?!```)[\s\S])*)```\s*\n+Output:\s*\n+```text\n((?:(?!```)[\s\S])*)```/g
  let m: RegExpExecArray | null
  let index = 0
  while ((m = re.exec(text)) !== null) found.push({ file, index: index++, lang: m[1]!, code: m[2]!, output: m[3]! })
  return found
}

const all = files.flatMap(snippets)

/**
 * Snippets run a few at a time (each pays tsx's start-up; all at once on a loaded 2-core machine
 * starved them past any timeout); each test awaits its own run.
 */
const runs = new Map<Snippet, Promise<string>>()
const parallel = Math.max(2, availableParallelism())
let running = 0
const waiting: Array<() => void> = []
const slot = (): Promise<void> =>
  running < parallel ? (running++, Promise.resolve()) : new Promise((resolve) => waiting.push(resolve))
const release = (): void => {
  const next = waiting.shift()
  if (next !== undefined) next()
  else running--
}
const start = async (s: Snippet): Promise<string> => {
  mkdirSync(outDir, { recursive: true })
  const path = join(outDir, `${s.file.replace(/[/.]/g, "_")}_${s.index}.${s.lang === "js" ? "mjs" : "ts"}`)
  writeFileSync(path, s.code)
  await slot()
  try {
    return await new Promise((resolve, reject) =>
      execFile(join(root, "node_modules", ".bin", "tsx"), ["--conditions=@arbor/source", path], {
        cwd: root,
        encoding: "utf8",
        timeout: 120_000
      }, (error, stdout, stderr) =>
        error
          ? reject(new Error(`${error.message}${error.killed ? ` (killed: ${error.signal})` : ""}\n${stderr}`))
          : resolve(shorten(stdout))))
  } finally {
    release()
  }
}

/** The output with each log record shortened to its first line, without time stamp and fiber id. */
const shorten = (stdout: string): string => splitLogRecords(stdout).shortened

describe("documentation snippets run and print what the docs say", () => {
  it("finds the snippets", () => {
    expect(all.filter((s) => s.file === "docs/getting-started.md").length).toBeGreaterThanOrEqual(2)
  })
  for (const s of all) {
    it(`${s.file} snippet ${s.index + 1}`, async () => {
      if (runs.size === 0) {
        for (const each of all) {
          const run = start(each)
          run.catch(() => {}) // its own test reports the failure; not an unhandled rejection meanwhile
          runs.set(each, run)
        }
      }
      expect(await runs.get(s)!).toBe(s.output)
    }, 600_000)
  }
})
