/**
 * The demo's PostgreSQL: the URL the user gave (`--database-url` or `DATABASE_URL`), else a
 * private server from this machine's binaries, started and removed by the cluster package's
 * `scripts/pg.ts` (a random 127.0.0.1 port, a random password, a temporary directory).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { PostgresUnavailable, redact, startPostgres } from "../../../packages/cluster/scripts/pg.ts"

export { PostgresUnavailable }

/** A database the runners and the client share. */
export interface Database {
  /** Carries a password: passed to the runners in their environment, never printed. */
  readonly url: string
  /** What the demo prints about it (no password). */
  readonly description: string
  /** The private server's postmaster pid (undefined for the user's server). */
  readonly pid: number | undefined
  /** Stops a private server and removes its directory; says what it did ("" for the user's server). */
  readonly stop: () => Promise<string>
}

export const openDatabase = async (url: string | undefined): Promise<Database> => {
  const pg = await startPostgres({ env: { ...process.env, DATABASE_URL: url ?? "" }, database: "arbor_demo" })
  if (pg.source === "DATABASE_URL") {
    return { url: pg.url, description: `PostgreSQL at ${redact(pg.url)}`, pid: undefined, stop: async () => "" }
  }
  const port = new URL(pg.url).port
  let pid: number | undefined
  try {
    pid = Number(readFileSync(join(pg.dir!, "data", "postmaster.pid"), "utf8").split("\n")[0])
  } catch {
    pid = undefined
  }
  return {
    url: pg.url,
    description: `a private PostgreSQL on 127.0.0.1:${port} (started in ${(pg.startMillis / 1000).toFixed(1)}s)`,
    pid,
    stop: async () => {
      await pg.stop()
      return "the private PostgreSQL stopped and its directory removed"
    }
  }
}
