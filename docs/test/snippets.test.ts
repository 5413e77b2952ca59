/**
 * The documentation's promise: a snippet works when pasted. Every ```ts block of the guides
 * that is followed by an "Output:" ```text block is written to a file, run with Node (through
 * tsx), and its output must be exactly the documented one — leaving out the lines of Effect's
 * default logger (Arbor's crash and supervision reports are on by default and timestamped; a
 * record is its `[hh:mm:ss.mmm] LEVEL (#n): …` line and the indented or `}` lines after it).
 */
import { execFile } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..")
const files = ["README.md", "docs/getting-started.md", "docs/actors.md", "docs/testing.md", "docs/registry.md", "docs/supervision.md"]
const outDir = join(root, ".tmp", "snippets")

interface Snippet {
  readonly file: string
  readonly index: number
  readonly code: string
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
  const re = /```ts\n((?:(?!```)[\s\S])*)```\s*\n+Output:\s*\n+```text\n((?:(?!```)[\s\S])*)```/g
  let m: RegExpExecArray | null
  let index = 0
  while ((m = re.exec(text)) !== null) found.push({ file, index: index++, code: m[1]!, output: m[2]! })
  return found
}

const all = files.flatMap(snippets)

/** stdout without the records of Effect's default logger (see the module comment). */
const withoutLogRecords = (stdout: string): string => {
  const out: Array<string> = []
  let inRecord = false
  for (const line of stdout.split("\n")) {
    if (/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] [A-Z]+ \(#\d+\):/.test(line)) {
      inRecord = true
      continue
    }
    if (inRecord && (/^\s/.test(line) || line === "}")) continue
    inRecord = false
    out.push(line)
  }
  return out.join("\n")
}

/** Every snippet starts at once (each pays tsx's start-up); each test awaits its own run. */
const runs = new Map<Snippet, Promise<string>>()
const start = (s: Snippet): Promise<string> => {
  mkdirSync(outDir, { recursive: true })
  const path = join(outDir, `${s.file.replace(/[/.]/g, "_")}_${s.index}.ts`)
  writeFileSync(path, s.code)
  return new Promise((resolve, reject) =>
    execFile(join(root, "node_modules", ".bin", "tsx"), ["--conditions=@arbor/source", path], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000
    }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout))))
}

describe("documentation snippets run and print what the docs say", () => {
  it("finds the snippets", () => {
    expect(all.filter((s) => s.file === "docs/getting-started.md").length).toBeGreaterThanOrEqual(2)
  })
  for (const s of all) {
    it(`${s.file} snippet ${s.index + 1}`, async () => {
      if (runs.size === 0) for (const each of all) runs.set(each, start(each))
      expect(withoutLogRecords(await runs.get(s)!)).toBe(s.output)
    }, 90_000)
  }
})
