/**
 * The README and the guides name only exports that exist: every `Namespace.member` they write
 * for one of Arbor's namespaces (`ActorSystem.liveActors`, `Supervisor.runMain`, …) is exported
 * by that namespace's module.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..")

/** Each namespace of a package's index (`export * as Actor from "./Actor.ts"`) and its module file. */
const namespaces = (): Map<string, string> => {
  const out = new Map<string, string>()
  for (const pkg of readdirSync(join(root, "packages"))) {
    const index = join(root, "packages", pkg, "src", "index.ts")
    if (!existsSync(index)) continue
    for (const m of readFileSync(index, "utf8").matchAll(/^export \* as (\w+) from "\.\/(\w+)\.ts"/gm)) {
      out.set(m[1]!, join(root, "packages", pkg, "src", `${m[2]}.ts`))
    }
  }
  return out
}

/** The names a module exports: declarations, `export { a as b }` and re-exports by name. */
const exportsOf = (file: string): Set<string> => {
  const source = readFileSync(file, "utf8")
  const names = new Set<string>()
  for (const m of source.matchAll(/^export (?:declare )?(?:const|function|type|interface|class|enum) (\w+)/gm)) names.add(m[1]!)
  for (const m of source.matchAll(/^export (?:type )?\{([^}]*)\}/gm)) {
    for (const part of m[1]!.split(",")) {
      const name = part.trim().split(/\s+as\s+/).pop()!.trim()
      if (name !== "") names.add(name)
    }
  }
  return names
}

const guides = (): Array<string> => [
  "README.md",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f))
]

describe("exports named in the docs", () => {
  const spaces = namespaces()

  it("reads the namespaces and their exports", () => {
    expect(exportsOf(spaces.get("ActorSystem")!)).toContain("liveActors")
    expect(exportsOf(spaces.get("Registry")!)).toContain("await")
  })

  it("every Namespace.member of README.md and docs/*.md is an export of that namespace", () => {
    const names = [...spaces.keys()].join("|")
    const missing = guides().flatMap((file) => {
      const text = readFileSync(join(root, file), "utf8")
      // not an Elixir function with its arity (`Supervisor.stop/3`) or a file (`Supervisor.js`)
      return [...text.matchAll(new RegExp(`(?<![\\w.@/])(${names})\\.([A-Za-z_]\\w*)(?![\\w/])`, "g"))]
        .filter((m) => !["js", "ts", "md"].includes(m[2]!))
        .filter((m) => !exportsOf(spaces.get(m[1]!)!).has(m[2]!))
        .map((m) => `${file}: ${m[1]}.${m[2]}`)
    })
    expect([...new Set(missing)]).toEqual([])
  })
})
