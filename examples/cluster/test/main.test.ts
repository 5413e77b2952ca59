/**
 * `pnpm demo:cluster`'s command itself, without PostgreSQL: `--help`, and a machine with neither
 * a DATABASE_URL nor PostgreSQL's server binaries (the demo says which package to install and
 * starts nothing). A whole run needs PostgreSQL: packages/cluster/test/integration/demo.test.ts.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..", "..")

const demo = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, ["--import", "tsx", "--conditions=@arbor/source", "examples/cluster/src/main.ts", ...args], {
      cwd: root,
      timeout: 60_000,
      env: { ...process.env, ...env }
    }, (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })))

describe("pnpm demo:cluster (the command)", () => {
  it("--help prints the usage and exits 0", async () => {
    const { code, stdout } = await demo(["--help"], {})
    expect(code).toBe(0)
    expect(stdout).toMatch(/^usage: pnpm demo:cluster \[--seconds 90\]/)
    expect(stdout).toContain("--database-url URL")
  })

  it("neither a DATABASE_URL nor PostgreSQL's binaries: names the Debian package to install, exit 1, nothing started", async () => {
    const { code, stdout, stderr } = await demo([], { DATABASE_URL: "", ARBOR_PG_BIN: "/nonexistent/bin" })
    expect(code).toBe(1)
    expect(stderr).toContain("apt-get update && apt-get install -y postgresql-15")
    expect(stderr).toContain("DATABASE_URL=postgres://")
    expect(stdout).not.toMatch(/starting runner/)
  })
})
