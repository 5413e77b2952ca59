/**
 * What an ask's deadline does to a real Node process (a child process, real time): a pending ask
 * keeps it alive until it settles; settled asks leave no timer that would keep it alive.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const fixture = fileURLToPath(new URL("./fixtures/pending-ask.ts", import.meta.url))

const node = (mode: string) =>
  new Promise<{ code: number | string; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--conditions=@arbor/source", fixture, mode],
      // generous: the machine is shared; a process held by a one-hour timer is killed at 60 s
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : error.killed ? "killed" : typeof error.code === "number" ? error.code : -1,
          stdout,
          stderr
        })
    )
  })

describe("G22 ask deadlines and the Node process", () => {
  it("G22 a pending ask keeps the Node process alive until it times out with AskTimeout", async () => {
    const out = await node("pending")
    expect(out.stderr).toBe("")
    expect(out).toMatchObject({ code: 0, stdout: "AskTimeout\n" })
  }, 90_000)

  it("G22 once no ask is pending, no timer of Arbor's keeps the process alive", async () => {
    const out = await node("settled")
    expect(out.stderr).toBe("")
    expect(out).toMatchObject({ code: 0, stdout: "settled\n" })
  }, 90_000)
})
