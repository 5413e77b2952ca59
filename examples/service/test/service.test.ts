/**
 * The service as a real process: start it, send requests, send SIGTERM while a job is in
 * flight, and check that the job is answered, the tree stops, and the exit code is 0.
 */
import { spawn } from "node:child_process"
import { request } from "node:http"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const dir = join(import.meta.dirname, "..")

const get = (port: number, path: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    request({ port, path }, (res) => {
      let body = ""
      res.on("data", (c) => (body += c)).on("end", () => resolve({ status: res.statusCode ?? 0, body: body.trim() }))
    }).on("error", reject).end()
  })

describe("examples/service", () => {
  it("answers sessions by name and pool jobs; SIGTERM drains the request in flight and exits 0", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@arbor/source", "src/main.ts"], {
      cwd: dir,
      env: { ...process.env, PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    child.stdout.on("data", (c) => (out += c))
    child.stderr.on("data", (c) => (out += c))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "listening on" within 20 s:\n${out}`)), 20_000)
        child.stdout.on("data", () => {
          const m = /listening on (\d+)/.exec(out)
          if (m !== null) (clearTimeout(timer), resolve(Number(m[1])))
        })
      })
      expect(await get(port, "/session/alice")).toEqual({ status: 200, body: "1" })
      expect(await get(port, "/session/alice")).toEqual({ status: 200, body: "2" }) // the same session, found by name
      expect(await get(port, "/session/bob")).toEqual({ status: 200, body: "1" })
      expect(await get(port, "/square/7")).toEqual({ status: 200, body: "49" })
      expect((await get(port, "/square/-1")).status).toBe(500) // the worker crashed; it is restarted
      expect(await get(port, "/square/8")).toEqual({ status: 200, body: "64" })
      const inFlight = get(port, "/square/9") // 200 ms of work
      await new Promise((r) => setTimeout(r, 50))
      child.kill("SIGTERM")
      expect(await inFlight).toEqual({ status: 200, body: "81" })
      expect(await exited).toBe(0)
      expect(out).toMatch(/listening on \d+[\s\S]*stopped/)
    } finally {
      child.kill("SIGKILL")
    }
  })
})
