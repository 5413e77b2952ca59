/**
 * `pnpm demo:cluster` from end to end: a real run of the demo (examples/cluster) as a user
 * starts it — its own private PostgreSQL from the machine's binaries (or, without binaries, the
 * run's database through --database-url), three runner processes, a SIGKILL, the failover and
 * the rebalance — with a stdout that is not a terminal. It must end by itself, exit 0, lose
 * nothing and leave nothing running.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { describe, expect, inject, it } from "vitest"
import { findBinDir } from "../../scripts/pg.ts"

const root = join(import.meta.dirname, "..", "..", "..", "..")

describe("pnpm demo:cluster", () => {
  it("kills a runner, its actors answer from the survivors, it rejoins; nothing lost, nothing left running", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "1" }
    delete env.DATABASE_URL
    const args = ["--import", "tsx", "--conditions=@arbor/source", "examples/cluster/src/main.ts", "--seconds", "60"]
    if (findBinDir() === undefined) args.push("--database-url", inject("databaseUrl"))
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, args, { cwd: root, env, encoding: "utf8", timeout: 170_000 }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })))
    const context = `exit ${code}\n${stdout}\n${stderr}`
    expect(code, context).toBe(0)
    // plain output: event lines, then the summary; not one escape code
    expect(stdout).not.toMatch(/\x1b/)
    expect(stdout).toMatch(/^\d+\.\ds +the three runners are serving$/m)
    const killed = /killed (runner-\d) \(pid (\d+)\) with SIGKILL; it owned (.+)$/m.exec(stdout)
    expect(killed, context).not.toBeNull()
    const [, victim, pid] = killed!
    // each actor the dead runner owned answered from a survivor, never from the dead one
    expect(stdout).toMatch(/failover done: .+ answered from the survivors/)
    const answeredAfter = [...stdout.matchAll(/^\S+ +(\w) answered from (runner-\d) \(it was on (runner-\d);/gm)]
    expect(answeredAfter.length).toBeGreaterThan(0)
    for (const [, , by, was] of answeredAfter) {
      expect(by).not.toBe(victim)
      expect(was).toBe(victim)
    }
    // it came back and took actors again
    expect(stdout).toMatch(new RegExp(`^\\S+ +${victim} is serving again \\(pid \\d+\\)`, "m"))
    expect(stdout).toMatch(new RegExp(`^\\S+ +\\w moved from runner-\\d to ${victim} \\(rebalance`, "m"))
    expect(stdout).toMatch(/^Summary$/m)
    expect(stdout).toMatch(/^ {2}requests lost {12}0 \(/m)
    expect(stdout).toMatch(/^ {2}requests duplicated {6}\d+ \(/m)
    expect(stdout).toMatch(/^ {2}processes left running {3}0$/m)
    const acknowledged = Number(/^ {2}requests acknowledged {4}(\d+)/m.exec(stdout)?.[1])
    expect(acknowledged).toBeGreaterThan(100)
    // the killed runner is gone for good, and so is everything else the demo started
    expect(() => process.kill(Number(pid), 0)).toThrow()
    expect(stdout).not.toMatch(/postgres:\/\/[^\s]*:[^*\s]+@/) // no password printed
  }, 180_000)
})
