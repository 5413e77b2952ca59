/**
 * Issue #12's promise: the README, the guides and the examples use typed handles — no line casts
 * to an `ActorRef` type: a `git grep -n` of the cast (" as " followed by "ActorRef") over README.md,
 * docs and examples prints nothing. This file spells the needle in two parts, so it holds too.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..")
const needle = " as " + "ActorRef"

const walk = (dir: string): Array<string> =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name)
    if (name === "node_modules" || name === "api" || name.startsWith(".")) return []
    return statSync(join(root, path)).isDirectory() ? walk(path) : [path]
  })

describe("typed handles in the docs and examples", () => {
  it("no line of README.md, docs/ or examples/ casts to an ActorRef type", () => {
    const files = ["README.md", ...walk("docs"), ...walk("examples")]
      .filter((f) => /\.(md|ts|js|mjs)$/.test(f))
    expect(files.length).toBeGreaterThan(30)
    const casts = files.flatMap((file) =>
      readFileSync(join(root, file), "utf8").split("\n")
        .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
        .filter(({ line }) => line.includes(needle))
        .map(({ at, line }) => `${at}: ${line.trim()}`)
    )
    expect(casts).toEqual([])
  })
})
