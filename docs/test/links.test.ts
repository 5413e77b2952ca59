/**
 * Every relative link of the README, the guides and the packages' and examples' READMEs points
 * to a file that exists (an example's README, a guide, a source file), so a reader who follows
 * one from GitHub or from a checkout never lands on a 404.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..")

const readmes = (dir: string): Array<string> =>
  readdirSync(join(root, dir)).map((d) => join(dir, d, "README.md")).filter((f) => existsSync(join(root, f)))

const documents = (): Array<string> => [
  "README.md",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f)),
  ...readmes("packages"),
  ...readmes("examples"),
  "conformance/README.md"
].filter((f) => existsSync(join(root, f)))

/** The relative link targets of a markdown text, outside code blocks: `[text](target)`, without the `#anchor`. */
export const relativeLinks = (markdown: string): Array<string> =>
  markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "")
    .split("\n")
    .flatMap((line) => [...line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!))
    .filter((target) => !/^[a-z][a-z+.-]*:/i.test(target) && !target.startsWith("#"))
    .map((target) => decodeURIComponent(target.split("#")[0]!))

describe("documentation links", () => {
  it("reads links, not code", () => {
    expect(relativeLinks("see [a](docs/a.md#x), [b](https://x.y) and `[c](nope.md)`\n```\n[d](no.md)\n```")).toEqual(["docs/a.md"])
  })

  it("every relative link of README.md, docs/*.md and the packages' and examples' READMEs resolves to a file", () => {
    const files = documents()
    expect(files).toContain("README.md")
    expect(files.length).toBeGreaterThan(20)
    const broken = files.flatMap((file) =>
      relativeLinks(readFileSync(join(root, file), "utf8"))
        .filter((target) => !existsSync(join(root, dirname(file), target)))
        .map((target) => `${file} -> ${target}`)
    )
    expect(broken).toEqual([])
  })
})
