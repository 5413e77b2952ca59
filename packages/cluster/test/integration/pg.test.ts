/**
 * The private PostgreSQL of scripts/pg.ts, started for real: reachable on 127.0.0.1 only, stopped
 * and removed by `stop`, by the end of a wrapped command, and by its watchdog when the owning
 * process is killed with SIGKILL.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { findBinDir, startPostgres } from "../../scripts/pg.ts"
import { killOwn, listening, Proc, until } from "./harness.ts"

const script = fileURLToPath(new URL("../../scripts/pg.ts", import.meta.url))
const tsx = "tsx"
const noBinaries = findBinDir() === undefined

afterEach(killOwn)

/** The script as a command, without the caller's DATABASE_URL (so it always starts its own server). */
const cli = (args: ReadonlyArray<string>) => {
  const env = { ...process.env }
  delete env["DATABASE_URL"]
  const child = spawn(process.execPath, ["--import", tsx, script, ...args], { stdio: ["ignore", "pipe", "pipe"], env })
  return new Proc("pg.ts", child, Date.now())
}

const startedLine = async (p: Proc): Promise<{ port: number; dir: string }> => {
  const line = await until(() => /on 127\.0\.0\.1:(\d+), database \w+, directory (\S+),/.exec(p.stderr) ?? undefined, 30_000, `pg.ts started\n${p.stderr}`)
  return { port: Number(line[1]), dir: line[2]! }
}

describe.skipIf(noBinaries)("private PostgreSQL (scripts/pg.ts)", () => {
  it("starts on 127.0.0.1 with its own directory; stop() stops it and removes the directory", async () => {
    const pg = await startPostgres({ env: { PATH: process.env["PATH"] ?? "" }, database: "it_pg" })
    try {
      const url = new URL(pg.url)
      expect(pg.source).toBe("private")
      expect(url.hostname).toBe("127.0.0.1")
      expect(url.pathname).toBe("/it_pg")
      expect(url.password.length).toBeGreaterThan(10)
      expect(fs.existsSync(pg.dir!)).toBe(true)
      expect(await listening(Number(url.port))).toBe(true)
      // Only loopback: the server was told listen_addresses=127.0.0.1 (nothing else binds it).
      const conf = fs.readFileSync(`${pg.dir}/data/postmaster.opts`, "utf8")
      expect(conf).toContain("listen_addresses=127.0.0.1")
      await pg.stop()
      expect(fs.existsSync(pg.dir!)).toBe(false)
      expect(await listening(Number(url.port))).toBe(false)
    } finally {
      await pg.stop()
    }
  })

  it("as a command: runs CMD with DATABASE_URL set, exits with its code, and stops the server", async () => {
    const p = cli(["--", "sh", "-c", 'echo "url=$DATABASE_URL"; exit 7'])
    await p.exited
    expect(p.exit?.code).toBe(7)
    const url = /url=(postgres:\/\/\S+)/.exec(p.lines.map((l) => String(l.msg["text"])).join("\n"))?.[1]
    expect(url).toBeDefined()
    const { port, dir } = await startedLine(p)
    expect(Number(new URL(url!).port)).toBe(port)
    expect(await listening(port)).toBe(false)
    expect(fs.existsSync(dir)).toBe(false)
  })

  it("killed with SIGKILL, its watchdog stops the server and removes the directory", async () => {
    const p = cli([])
    const { port, dir } = await startedLine(p)
    expect(await listening(port)).toBe(true)
    await p.kill("SIGKILL")
    await until(async () => !(await listening(port)) && !fs.existsSync(dir), 10_000, "server gone after SIGKILL")
  })

  it("SIGTERM stops the server and removes the directory", async () => {
    const p = cli([])
    const { port, dir } = await startedLine(p)
    await p.kill("SIGTERM")
    expect(p.exit?.signal).toBe("SIGTERM")
    expect(await listening(port)).toBe(false)
    expect(fs.existsSync(dir)).toBe(false)
  })
})
