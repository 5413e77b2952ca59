import { execFile } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const tsx = createRequire(import.meta.url).resolve("tsx/cli")
const script = fileURLToPath(new URL("./fixtures/exits-by-itself.ts", import.meta.url))

describe("WorkerActor: no leaked handles", () => {
  it("a process that used worker actors (a hang and a restart included) exits by itself", async () => {
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      // the timeout is a backstop only: a leaked handle would keep the child alive until it
      const child = execFile(process.execPath, [tsx, "--conditions=@arbor/source", script], { timeout: 60_000 }, (_e, stdout, stderr) =>
        resolve({ code: child.exitCode, stdout, stderr }))
    })
    expect(out.stderr).toBe("")
    expect(out.code).toBe(0)
    // the program's own lines are JSON; the rest of stdout is what Arbor logs (the dead-letter
    // report for the message that was in flight to the hung worker it killed)
    const lines = out.stdout.trim().split("\n").filter((l) => l.startsWith("{\"")).map((l) => JSON.parse(l))
    expect(lines[0]).toMatchObject({ n: 1, reason: "Killed" })
    expect(lines[1]).toEqual({ threadsAfter: 0 })
  })
})
