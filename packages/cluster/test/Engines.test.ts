/**
 * Engines (docs/cluster.md "Node versions"): the in-memory cluster needs neither
 * `@effect/platform-node` (which declares Node >= 22.19) nor `@effect/sql-pg`, so it runs on the
 * machine's Node, 20 included. The child process refuses to load either package.
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

describe("engines", () => {
  it("the in-memory cluster runs without loading @effect/platform-node or @effect/sql-pg", () => {
    const args = ["--conditions=@arbor/source", "--import", "tsx", "--import", fixture("no-platform.mjs")]
    const run = (script: string) => spawnSync(process.execPath, [...args, script], { encoding: "utf8", timeout: 60_000 })
    const memory = run(fixture("in-memory-main.ts"))
    expect(memory.stderr).not.toContain("blocked")
    expect(memory.stdout).toContain("answer 42")
    expect(memory.status).toBe(0)
    // the hook does block them: a program that imports the socket transport fails
    const blocked = spawnSync(process.execPath, [...args, "-e", "await import('@effect/platform-node')", "--input-type=module"], {
      encoding: "utf8",
      timeout: 60_000,
      cwd: fileURLToPath(new URL("..", import.meta.url))
    })
    expect(blocked.status).not.toBe(0)
    expect(blocked.stderr).toContain("blocked: @effect/platform-node")
  })
})
