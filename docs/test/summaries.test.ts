/**
 * The API reference's namespace pages list each export with the first paragraph of its doc
 * comment (typedoc's `useFirstParagraphOfCommentAsSummary`), and the package pages list each
 * module with the first paragraph of its overview: each of those paragraphs must be a one-line
 * summary — one sentence, short — with the details in the paragraphs after it.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..")
/** The longest summary that still reads as one line on a namespace page. */
const maxLength = 140

/**
 * Packages this check does not cover yet: `@arbor/cluster` is being written on its own branch
 * (issue #12 predates it); its summaries are its author's to bring under this check.
 */
const notYet = new Set(["cluster"])

/**
 * The rendered modules of every package: its public modules (`src/*.ts`), and the internal
 * modules they re-export from (`export type { Strategy } from "./internal/model.ts"`).
 */
const modules = (): Array<string> =>
  readdirSync(join(root, "packages")).filter((pkg) => !notYet.has(pkg)).flatMap((pkg) => {
    let files: Array<string>
    try {
      files = readdirSync(join(root, "packages", pkg, "src"))
    } catch {
      return []
    }
    const publicModules = files.filter((f) => f.endsWith(".ts")).map((f) => join("packages", pkg, "src", f))
    const reexported = publicModules.flatMap((file) =>
      [...readFileSync(join(root, file), "utf8").matchAll(/^export [^;\n]* from "\.\/(internal\/[\w-]+\.ts)"/gm)]
        .map((m) => join("packages", pkg, "src", m[1]!))
    )
    return [...new Set([...publicModules, ...reexported])]
  })

/** The text of a doc comment's first paragraph: up to a blank line, a tag or a code fence. */
const firstParagraph = (body: string): string => {
  const lines = body.split("\n").map((l) => l.replace(/^\s*\*\s?/, ""))
  if (lines.length === 1) return lines[0]!.trim()
  const out: Array<string> = []
  for (const line of lines.slice(1)) {
    if (line.trim() === "" || line.startsWith("@") || line.startsWith("```")) break
    out.push(line.trim())
  }
  return out.join(" ")
}

/** How many sentences a paragraph has: ends of sentences outside code spans and parentheses. */
export const sentences = (text: string): number => {
  const plain = text
    .replace(/`[^`]*`/g, "x")
    .replace(/\{@link [^}]*\}/g, "x")
    .replace(/\b(e\.g|i\.e|etc|vs|cf)\./g, "x")
  let depth = 0
  let count = 0
  for (let i = 0; i < plain.length; i++) {
    const ch = plain[i]!
    if (ch === "(") depth++
    else if (ch === ")") depth = Math.max(0, depth - 1)
    else if (depth === 0 && ".!?".includes(ch) && /^(\s+\S|\s*$)/.test(plain.slice(i + 1))) count++
  }
  return Math.max(count, 1)
}

interface Summary {
  readonly where: string
  readonly text: string
}

/** The summaries typedoc renders: the module overview and every exported member's comment. */
const summaries = (file: string): Array<Summary> => {
  const source = readFileSync(join(root, file), "utf8")
  const out: Array<Summary> = []
  // names exported by a separate statement (`export { awaitName as await }`): their declarations render
  const exportedLater = new Set(
    [...source.matchAll(/^export \{([^}]*)\}(?! from)/gm)].flatMap((m) => m[1]!.split(",").map((n) => n.trim().split(/\s+/)[0]!))
  )
  const declaration =
    /\/\*\*((?:(?!\*\/)[\s\S])*?)\*\/\s*(export|declare|import|(?:const|function|type|interface|class) (\w+))/g
  for (const m of source.matchAll(declaration)) {
    const isModule = m[2] === "import" || /@module|@packageDocumentation/.test(m[1]!)
    if (m[2] === "import" && !isModule) continue
    if (m[3] !== undefined && !exportedLater.has(m[3])) continue
    if (/@internal\b/.test(m[1]!)) continue // not rendered (excludeInternal)
    const line = source.slice(0, m.index).split("\n").length
    out.push({ where: `${file}:${line}`, text: firstParagraph(m[1]!) })
  }
  return out
}

describe("API reference summaries", () => {
  const all = modules().flatMap(summaries)

  it("finds the modules and their exports", () => {
    expect(modules()).toContain(join("packages", "core", "src", "Actor.ts"))
    expect(modules()).toContain(join("packages", "supervisor", "src", "internal", "model.ts"))
    expect(all.length).toBeGreaterThan(300)
  })

  it("counts sentences outside code, links and parentheses", () => {
    expect(sentences("Sends a message. Never fails.")).toBe(2)
    expect(sentences("Ends it (reason `Killed`. Or not.) at once.")).toBe(1)
    expect(sentences("Decodes `a. B` and {@link x.Y}, e.g. `1. 2`.")).toBe(1)
  })

  it("every export's first paragraph, and every module overview's, is a one-line summary: one sentence of at most 140 characters", () => {
    const long = all
      .filter((s) => sentences(s.text) > 1 || s.text.length > maxLength)
      .map((s) => `${s.where}: ${s.text}`)
    expect(long).toEqual([])
  })
})
