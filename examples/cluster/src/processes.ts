/**
 * The demo's runner processes: each one a `node` child running `runner.ts` (through tsx, so the
 * workspace's TypeScript sources run as they are), its output in a log file, started, killed
 * with SIGKILL, restarted and stopped by pid — never by name.
 */
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { appendFileSync, closeSync, openSync, readFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"

/** A free TCP port on 127.0.0.1 (the kernel's pick; released before the runner binds it). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))))
    })
  })

/** What a runner process needs to know. */
export interface RunnerConfig {
  readonly name: string
  readonly port: number
  readonly databaseUrl: string
  /** The cluster's table prefix. */
  readonly tablePrefix: string
  /** The file its actors append the request ids they handle to. */
  readonly journal: string
  /** The directory for its log file. */
  readonly dir: string
}

/** A started runner process. */
export interface RunnerProcess {
  readonly config: RunnerConfig
  readonly child: ChildProcess
  readonly pid: number
  readonly log: string
  /** Resolves when the runner printed `ready` (it is registered and serving), rejects when it exited first. */
  readonly ready: Promise<void>
  /** Resolves with the exit code or signal once the process has ended. */
  readonly exited: Promise<string>
  alive: boolean
}

const runnerModule = join(import.meta.dirname, "runner.ts")

/** The last lines of a log file, for an error message. */
export const tail = (file: string, lines = 15): string => {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n")
  } catch {
    return "(no log)"
  }
}

/** Starts `runner.ts` as a child process; its stdout and stderr go to `<dir>/<name>-<n>.log`. */
export const startRunner = (config: RunnerConfig, attempt: number): RunnerProcess => {
  const log = join(config.dir, `${config.name}-${attempt}.log`)
  const fd = openSync(log, "a")
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@arbor/source", runnerModule], {
    cwd: join(import.meta.dirname, ".."),
    // the URL travels in the environment, never on a command line (where `ps` shows it)
    env: {
      ...process.env,
      ARBOR_DEMO_RUNNER: config.name,
      ARBOR_DEMO_PORT: String(config.port),
      ARBOR_DEMO_DATABASE_URL: config.databaseUrl,
      ARBOR_DEMO_TABLE_PREFIX: config.tablePrefix,
      ARBOR_DEMO_JOURNAL: config.journal
    },
    stdio: ["ignore", "pipe", fd]
  })
  closeSync(fd)
  if (child.pid === undefined) throw new Error(`could not start ${config.name}`)
  const exited = new Promise<string>((resolve) =>
    child.once("exit", (code, signal) => {
      p.alive = false
      resolve(signal ?? `code ${code}`)
    })
  )
  const ready = new Promise<void>((resolve, reject) => {
    // stdout goes to the log too; the line `ready` says the runner is serving
    let seen = ""
    child.stdout!.setEncoding("utf8")
    child.stdout!.on("data", (chunk: string) => {
      appendFileSync(log, chunk)
      seen = (seen + chunk).slice(-64)
      if (/(^|\n)ready\n/.test(seen)) resolve()
    })
    void exited.then((how) => reject(new Error(`${config.name} exited (${how}) before it was ready; its log ${log} ends with:\n${tail(log)}`)))
  })
  // a rejection nobody awaits (the runner died after it was ready) is not an error here
  ready.catch(() => undefined)
  const p: RunnerProcess = { config, child, pid: child.pid, log, ready, exited, alive: true }
  return p
}

/** Sends SIGKILL to the runner's pid and waits until it is gone. */
export const killRunner = async (r: RunnerProcess): Promise<void> => {
  if (r.alive) r.child.kill("SIGKILL")
  await r.exited
}

/** Stops a runner: SIGTERM (it leaves the cluster), SIGKILL after `graceMillis`. */
export const stopRunner = async (r: RunnerProcess, graceMillis = 5000): Promise<void> => {
  if (!r.alive) return
  r.child.kill("SIGTERM")
  const timer = setTimeout(() => r.alive && r.child.kill("SIGKILL"), graceMillis)
  await r.exited
  clearTimeout(timer)
}

/**
 * Whether a pid still names a live process (signal 0 checks without sending anything). A zombie —
 * a process that has exited and waits for its parent to collect it — is not alive.
 */
export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; the state follows the last ")"
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
  } catch {
    return true // no /proc (not Linux): signal 0 is the answer
  }
}

/**
 * The pids still alive once each has had up to `graceMillis` to finish exiting. A server that
 * `pg_ctl stop -w` reports stopped has removed its pid file but may still be in its exit path
 * for a moment; it is not "left running".
 */
export const pidsLeft = async (pids: ReadonlyArray<number>, graceMillis = 5000): Promise<Array<number>> => {
  const until = Date.now() + graceMillis
  let left = pids.filter(pidAlive)
  while (left.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    left = left.filter(pidAlive)
  }
  return left
}
