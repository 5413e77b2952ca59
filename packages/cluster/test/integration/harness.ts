/**
 * Runner processes for the integration tests: spawn a bundled fixture, read its JSON lines on
 * stdout, wait for readiness, kill it. Every process is tracked by the test that spawned it, and
 * `killOwn()` (run in `afterEach`) kills exactly those pids — never anything found by name. A
 * fixture also exits by itself when its parent (the vitest worker) is gone, so a killed test run
 * leaves no runner behind.
 */
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import * as net from "node:net"

/** One JSON line a fixture printed, with the time (`Date.now()`) this process read it. */
export interface Line {
  readonly at: number
  readonly msg: { readonly t: string; readonly [k: string]: unknown }
}

/** A spawned fixture process. */
export class Proc {
  readonly lines: Array<Line> = []
  stderr = ""
  exit: { readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly at: number } | undefined
  readonly exited: Promise<void>
  private readonly listeners = new Set<() => void>()

  constructor(readonly name: string, readonly child: ChildProcess, readonly spawnedAt: number) {
    let buf = ""
    child.stdout!.setEncoding("utf8")
    child.stdout!.on("data", (chunk: string) => {
      buf += chunk
      let nl: number
      while ((nl = buf.indexOf("\n")) >= 0) {
        const text = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        if (text.trim() === "") continue
        let msg: Line["msg"]
        try {
          msg = JSON.parse(text)
        } catch {
          msg = { t: "text", text }
        }
        this.lines.push({ at: Date.now(), msg })
        for (const l of [...this.listeners]) l()
      }
    })
    child.stderr!.setEncoding("utf8")
    child.stderr!.on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-20_000)
    })
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exit = { code, signal, at: Date.now() }
        for (const l of [...this.listeners]) l()
        resolve()
      })
    })
  }

  get pid(): number {
    return this.child.pid!
  }

  get alive(): boolean {
    return this.exit === undefined
  }

  /** The first line (already read or coming) matching `pred`; rejects after `timeoutMs` or when the process exits first. */
  waitFor(pred: (msg: Line["msg"]) => boolean, timeoutMs: number, what: string): Promise<Line> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.lines.find((l) => pred(l.msg))
        if (hit !== undefined) return done(() => resolve(hit))
        if (this.exit !== undefined) {
          return done(() => reject(new Error(`${this.name} (pid ${this.pid}) exited (${this.exit!.code ?? this.exit!.signal}) before ${what}\n${this.tail()}`)))
        }
      }
      const timer = setTimeout(() => done(() => reject(new Error(`${this.name} (pid ${this.pid}): no ${what} within ${timeoutMs} ms\n${this.tail()}`))), timeoutMs)
      const done = (f: () => void) => {
        clearTimeout(timer)
        this.listeners.delete(check)
        f()
      }
      this.listeners.add(check)
      check()
    })
  }

  /** The lines whose `t` is `t`. */
  of(t: string): Array<Line> {
    return this.lines.filter((l) => l.msg.t === t)
  }

  /** Sends `signal` (default SIGKILL) and waits until the process has exited; returns the time the signal was sent. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<number> {
    const at = Date.now()
    if (this.alive) this.child.kill(signal)
    await this.exited
    return at
  }

  tail(): string {
    const out = this.lines.slice(-10).map((l) => JSON.stringify(l.msg)).join("\n")
    return `--- last stdout lines:\n${out}\n--- stderr:\n${this.stderr.slice(-3000)}`
  }
}

const own = new Set<Proc>()

/**
 * Spawns `node <entry> <json config>` with the current Node binary, and waits for its
 * `{"t":"ready"}` line (within `readyTimeoutMs`, default 30 s).
 */
export const spawnFixture = async (options: {
  readonly name: string
  readonly entry: string
  readonly config: Record<string, unknown>
  readonly env?: NodeJS.ProcessEnv
  readonly readyTimeoutMs?: number
  /** Wait for the ready line (default true). */
  readonly ready?: boolean
}): Promise<Proc> => {
  const child = spawn(process.execPath, [options.entry, JSON.stringify(options.config)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env }
  })
  const proc = new Proc(options.name, child, Date.now())
  own.add(proc)
  void proc.exited.then(() => own.delete(proc))
  if (options.ready !== false) await proc.waitFor((m) => m.t === "ready", options.readyTimeoutMs ?? 30_000, "ready line")
  return proc
}

/** Kills (SIGKILL) every process this test module spawned that is still alive, and waits for them. */
export const killOwn = async (): Promise<void> => {
  await Promise.all([...own].map((p) => p.kill("SIGKILL")))
}

// A vitest worker that exits without running afterEach still takes its own runners down.
process.once("exit", () => {
  for (const p of own) {
    try {
      p.child.kill("SIGKILL")
    } catch {
      // gone
    }
  }
})

/** A port on 127.0.0.1 that was free a moment ago. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address()
      const port = typeof addr === "object" && addr !== null ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })

/** Resolves when `pred()` holds (checked every `everyMs`), rejects after `timeoutMs` with `what`. */
export const until = async <A>(
  pred: () => A | undefined | false | Promise<A | undefined | false>,
  timeoutMs: number,
  what: string,
  everyMs = 50
): Promise<A> => {
  const end = Date.now() + timeoutMs
  for (;;) {
    const a = await pred()
    if (a !== undefined && a !== false) return a
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port })
    s.once("connect", () => {
      s.destroy()
      resolve(true)
    })
    s.once("error", () => resolve(false))
  })
