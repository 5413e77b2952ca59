/**
 * A private PostgreSQL for the cluster's integration tests, `pnpm demo:cluster` and `.ci/run`.
 *
 * `startPostgres()` honours a `DATABASE_URL` the user gives. Without one it runs the machine's own
 * PostgreSQL server binaries (Debian's `postgresql-15`, found with `dpkg -L`, or
 * `/usr/lib/postgresql/<major>/bin`, or `ARBOR_PG_BIN`): `initdb` into a fresh temp directory (as the
 * `postgres` user when run as root, since initdb refuses root), `pg_ctl start` on a random free port
 * of 127.0.0.1 only (its Unix socket stays inside the temp directory), password authentication with a
 * random password, and one database. `stop()` stops the server and removes the directory; the same
 * happens when the process exits, and a small watchdog process does it if the process is killed
 * (SIGKILL included). When neither a `DATABASE_URL` nor the binaries exist it fails with
 * {@link PostgresUnavailable}, whose message names the Debian package to install.
 *
 * As a command (run with tsx):
 *
 *     tsx packages/cluster/scripts/pg.ts                 # prints DATABASE_URL=…, runs until Ctrl-C / SIGTERM
 *     tsx packages/cluster/scripts/pg.ts -- CMD ARGS…    # runs CMD with DATABASE_URL set, then stops;
 *                                                        # exits with CMD's exit code
 *
 * The server is tuned for throwaway test data (`fsync=off`, `synchronous_commit=off`,
 * `full_page_writes=off`): never point it at data that matters.
 */
import { spawn, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The shell command that installs the server binaries on Debian (named in {@link PostgresUnavailable}). */
export const installHint = "apt-get update && apt-get install -y postgresql-15"

/** Neither a usable `DATABASE_URL` nor PostgreSQL server binaries: the message says what to do. */
export class PostgresUnavailable extends Error {
  override readonly name = "PostgresUnavailable"
}

/** A PostgreSQL server the caller may use: a private one (stopped by `stop`) or the user's `DATABASE_URL`. */
export interface Postgres {
  /** `postgres://user:password@host:port/database`. Contains a password: do not log it (see {@link redact}). */
  readonly url: string
  /** `"private"`: started here; `"DATABASE_URL"`: the user's server, which `stop` leaves alone. */
  readonly source: "private" | "DATABASE_URL"
  /** The private server's data directory's parent (removed by `stop`); undefined for `DATABASE_URL`. */
  readonly dir: string | undefined
  /** Milliseconds spent in initdb, pg_ctl start and createdb (0 for `DATABASE_URL`). */
  readonly startMillis: number
  /** Stops a private server and removes its directory; idempotent; a no-op for `DATABASE_URL`. */
  readonly stop: () => Promise<void>
}

export interface StartOptions {
  /** Database to create in a private server (default `"arbor"`). Ignored for `DATABASE_URL`. */
  readonly database?: string
  /** Environment to read `DATABASE_URL` / `ARBOR_PG_BIN` from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void
  /**
   * Also stop on SIGINT/SIGTERM/SIGHUP, then re-raise the signal (default false; the command-line
   * mode sets it). Without it the server still stops at process exit and, via the watchdog, on a kill.
   */
  readonly signals?: boolean
  /** `max_connections` of a private server (default 200: each runner keeps several sessions). */
  readonly maxConnections?: number
}

/** `url` with its password replaced by `***`, for logs. */
export const redact = (url: string): string => {
  try {
    const u = new URL(url)
    if (u.password !== "") u.password = "***"
    return u.toString()
  } catch {
    return "<unparsable URL>"
  }
}

const validateUrl = (url: string): string => {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new PostgresUnavailable(
      `DATABASE_URL is not a URL (expected postgres://user:password@host:port/database)`
    )
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new PostgresUnavailable(
      `DATABASE_URL has scheme '${u.protocol.slice(0, -1)}', expected postgres:// or postgresql://`
    )
  }
  if (u.hostname === "") throw new PostgresUnavailable(`DATABASE_URL names no host (${redact(url)})`)
  return url
}

const hasServerBinaries = (dir: string): boolean =>
  ["initdb", "pg_ctl", "createdb"].every((b) => {
    try {
      fs.accessSync(path.join(dir, b), fs.constants.X_OK)
      return true
    } catch {
      return false
    }
  })

/**
 * The directory holding `initdb`, `pg_ctl` and `createdb`, or undefined. Looks at `ARBOR_PG_BIN`
 * (only there when set), then `dpkg -L postgresql-15`, then `/usr/lib/postgresql/<major>/bin`
 * (newest major first), then `PATH`.
 */
export const findBinDir = (env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const explicit = env["ARBOR_PG_BIN"]
  if (explicit !== undefined && explicit !== "") return hasServerBinaries(explicit) ? explicit : undefined
  const dpkg = spawnSync("dpkg", ["-L", "postgresql-15"], { encoding: "utf8" })
  if (dpkg.status === 0) {
    const initdb = dpkg.stdout.split("\n").find((l) => l.endsWith("/bin/initdb"))
    if (initdb !== undefined && hasServerBinaries(path.dirname(initdb))) return path.dirname(initdb)
  }
  const root = "/usr/lib/postgresql"
  const majors = fs.existsSync(root)
    ? fs.readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a))
    : []
  for (const m of majors) {
    const dir = path.join(root, m, "bin")
    if (hasServerBinaries(dir)) return dir
  }
  for (const dir of (env["PATH"] ?? "").split(path.delimiter)) {
    if (dir !== "" && hasServerBinaries(dir)) return dir
  }
  return undefined
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address()
      const port = typeof addr === "object" && addr !== null ? addr.port : 0
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))))
    })
  })

interface RunAs {
  readonly argv: (cmd: string, args: ReadonlyArray<string>) => [string, Array<string>]
  readonly uid: number | undefined
  readonly gid: number | undefined
}

const runAs = (): RunAs => {
  if (process.getuid?.() !== 0) return { argv: (c, a) => [c, [...a]], uid: undefined, gid: undefined }
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" })
  const u = id("-u")
  const g = id("-g")
  if (u.status !== 0 || g.status !== 0) {
    throw new PostgresUnavailable(
      "running as root, but initdb refuses root and there is no 'postgres' user to run it as; " +
        `install Debian's package (${installHint}), which creates it, or run as an ordinary user`
    )
  }
  return {
    argv: (c, a) => ["runuser", ["-u", "postgres", "--", c, ...a]],
    uid: Number(u.stdout.trim()),
    gid: Number(g.stdout.trim())
  }
}

const run = (as: RunAs, cmd: string, args: ReadonlyArray<string>, env?: NodeJS.ProcessEnv) => {
  const [c, a] = as.argv(cmd, args)
  const r = spawnSync(c, a, { encoding: "utf8", env: env ?? process.env, timeout: 60_000 })
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` }
}

/**
 * Gives a PostgreSQL URL: the user's `DATABASE_URL` when set, else a private server started from
 * the machine's binaries (see the module comment). Rejects with {@link PostgresUnavailable} when
 * neither is possible.
 */
export const startPostgres = async (options: StartOptions = {}): Promise<Postgres> => {
  const env = options.env ?? process.env
  const log = options.log ?? (() => {})
  const given = env["DATABASE_URL"]
  if (given !== undefined && given !== "") {
    const url = validateUrl(given)
    log(`pg: using DATABASE_URL ${redact(url)}`)
    return { url, source: "DATABASE_URL", dir: undefined, startMillis: 0, stop: async () => {} }
  }
  const database = options.database ?? "arbor"
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) {
    throw new PostgresUnavailable(`database name '${database}' must match [a-z_][a-z0-9_]* (at most 63 characters)`)
  }
  const bin = findBinDir(env)
  if (bin === undefined) {
    const where = env["ARBOR_PG_BIN"] ? `ARBOR_PG_BIN=${env["ARBOR_PG_BIN"]}` : "dpkg -L postgresql-15, /usr/lib/postgresql/*/bin or PATH"
    throw new PostgresUnavailable(
      `no DATABASE_URL is set and no PostgreSQL server binaries (initdb, pg_ctl, createdb) were found in ${where}; ` +
        `install Debian's package: ${installHint} (or set DATABASE_URL=postgres://user:password@host:port/database)`
    )
  }
  const as = runAs()
  const t0 = performance.now()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arbor-pg-"))
  const data = path.join(dir, "data")
  let stopped = false
  let watchdog: number | undefined

  const pgCtl = path.join(bin, "pg_ctl")
  const stopSync = (mode: "fast" | "immediate") => {
    if (stopped) return
    stopped = true
    process.removeListener("exit", onExit)
    for (const s of signalNames) process.removeListener(s, onSignal)
    if (watchdog !== undefined) {
      try {
        process.kill(watchdog, "SIGKILL")
      } catch {
        // already gone
      }
    }
    if (fs.existsSync(path.join(data, "postmaster.pid"))) run(as, pgCtl, ["-D", data, "-m", mode, "-w", "-t", "20", "stop"])
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const onExit = () => stopSync("immediate")
  const signalNames = options.signals === true ? (["SIGINT", "SIGTERM", "SIGHUP"] as const) : []
  const onSignal = (sig: NodeJS.Signals) => {
    stopSync("fast")
    process.kill(process.pid, sig)
  }
  process.once("exit", onExit)
  for (const s of signalNames) process.once(s, onSignal)

  try {
    if (as.uid !== undefined && as.gid !== undefined) fs.chownSync(dir, as.uid, as.gid)
    fs.chmodSync(dir, 0o700)
    const password = randomBytes(18).toString("base64url")
    const pwfile = path.join(dir, "pwfile")
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 })
    if (as.uid !== undefined && as.gid !== undefined) fs.chownSync(pwfile, as.uid, as.gid)
    const init = run(as, path.join(bin, "initdb"), [
      "-D", data, "-U", "postgres", "-A", "scram-sha-256", `--pwfile=${pwfile}`,
      "-E", "UTF8", "--locale=C", "--no-sync"
    ])
    fs.rmSync(pwfile, { force: true })
    if (!init.ok) throw new PostgresUnavailable(`initdb (${bin}) failed:\n${init.out}`)

    // The watchdog: stops the server and removes the directory once this process is gone, however it ended.
    const [wc, wa] = as.argv(pgCtl, ["-D", data, "-m", "immediate", "-w", "-t", "20", "stop"])
    const dog = spawn(
      "sh",
      ["-c", 'while kill -0 "$1" 2>/dev/null; do sleep 0.5; done; shift; "$@" >/dev/null 2>&1; rm -rf "$0"', dir, String(process.pid), wc, ...wa],
      { detached: true, stdio: "ignore" }
    )
    dog.unref()
    watchdog = dog.pid

    let port = 0
    let started = false
    let lastLog = ""
    for (let attempt = 0; attempt < 5 && !started; attempt++) {
      port = await freePort()
      const conf = [
        "-c listen_addresses=127.0.0.1", `-p ${port}`, `-k ${dir}`, "-c fsync=off", "-c synchronous_commit=off",
        "-c full_page_writes=off", `-c max_connections=${options.maxConnections ?? 200}`, "-c shared_buffers=32MB"
      ].join(" ")
      const logFile = path.join(dir, "log")
      const r = run(as, pgCtl, ["-D", data, "-l", logFile, "-w", "-t", "30", "-o", conf, "start"])
      started = r.ok
      if (!started) {
        lastLog = `${r.out}\n${fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : ""}`
        // Another process took the port between freePort and the bind: try another one.
        if (!/could not bind|already in use|another server might be running/i.test(lastLog)) break
      }
    }
    if (!started) throw new PostgresUnavailable(`pg_ctl start (${bin}) failed:\n${lastLog}`)
    const pgEnv = { ...process.env, PGPASSWORD: password }
    const created = run(as, path.join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", database], pgEnv)
    if (!created.ok) throw new PostgresUnavailable(`createdb ${database} failed:\n${created.out}`)
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/${database}`
    const startMillis = performance.now() - t0
    log(`pg: private PostgreSQL (${bin}) on 127.0.0.1:${port}, database ${database}, directory ${dir}, started in ${startMillis.toFixed(0)} ms`)
    return { url, source: "private", dir, startMillis, stop: async () => stopSync("fast") }
  } catch (e) {
    stopSync("immediate")
    throw e
  }
}

// ---------------------------------------------------------------- command line
const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const sep = argv.indexOf("--")
  const cmd = sep >= 0 ? argv.slice(sep + 1) : []
  let pg: Postgres
  try {
    pg = await startPostgres({ signals: cmd.length === 0, log: (l) => console.error(l) })
  } catch (e) {
    console.error(`pg: ${e instanceof Error ? e.message : String(e)}`)
    return 2
  }
  if (cmd.length === 0) {
    console.log(`DATABASE_URL=${pg.url}`)
    console.error("pg: running; Ctrl-C or SIGTERM stops it and removes its directory")
    await new Promise<never>(() => {
      setInterval(() => {}, 1 << 30)
    })
    return 0
  }
  console.error(`pg: + DATABASE_URL=${redact(pg.url)} ${cmd.join(" ")}`)
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: "inherit", env: { ...process.env, DATABASE_URL: pg.url } })
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig)
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(s, forward(s))
  const code = await new Promise<number>((resolve) => {
    child.once("error", (e) => {
      console.error(`pg: cannot run ${cmd[0]}: ${e.message}`)
      resolve(127)
    })
    child.once("exit", (c, s) => resolve(c ?? (s !== null ? 128 + (os.constants.signals[s] ?? 0) : 1)))
  })
  await pg.stop()
  console.error(`pg: stopped (command exited ${code})`)
  return code
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code))
}
