/**
 * The demo's run, once the command line is read (`main.ts`): the database, the three runner
 * processes, the client's scenario, the journals, the cleanup and the summary. Resolves with
 * the exit code: 0 only when no request was lost and nothing was left running, 1 otherwise or
 * when the demo could not run (no PostgreSQL, a runner that did not start).
 */
import * as Effect from "effect/Effect"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { countRecords } from "./actor.ts"
import type { Options } from "./cli.ts"
import { clientCluster } from "./client.ts"
import { openDatabase, PostgresUnavailable } from "./database.ts"
import type { Database } from "./database.ts"
import { freePort, killRunner, pidsLeft, startRunner, stopRunner, tail } from "./processes.ts"
import type { RunnerProcess } from "./processes.ts"
import * as Scenario from "./scenario.ts"
import { eventLine, plural, renderFrame, renderSummary, useColor } from "./view.ts"
import type { RunnerView, Summary } from "./view.ts"

const NAMES = ["runner-1", "runner-2", "runner-3"] as const
/** The cluster's tables are `arbor_demo_*`: never those of an application sharing a DATABASE_URL. */
const TABLE_PREFIX = "arbor_demo"

export const runDemo = async (options: Options): Promise<number> => {
  const color = useColor(process.stdout.isTTY, process.env)
  const live = options.live
  const dir = mkdtempSync(join(tmpdir(), "arbor-cluster-demo-"))
  const runners = new Map<string, RunnerProcess>()
  const restarting = new Set<string>()
  const ports = new Map<string, number>()
  const attempts = new Map<string, number>()
  const pids: Array<number> = []
  let database: Database | undefined
  let cleaned: Promise<string> | undefined

  /** Stops every runner this demo started (by pid) and the private PostgreSQL; removes the directory. */
  const cleanup = (): Promise<string> =>
    cleaned ??= (async () => {
      await Promise.all([...runners.values()].map((r) => stopRunner(r)))
      const stopped = database === undefined ? "" : await database.stop()
      rmSync(dir, { recursive: true, force: true })
      return stopped
    })()
  // Ctrl-C: the same cleanup, then the conventional exit code
  const onSignal = () => void cleanup().finally(() => process.exit(130))
  process.once("SIGINT", onSignal)
  process.once("SIGTERM", onSignal)

  const started = Date.now()
  const say = (text: string) => {
    if (!live) console.log(eventLine({ at: Date.now() - started, text }))
  }
  const launch = (name: string, db: Database) => {
    const n = (attempts.get(name) ?? 0) + 1
    attempts.set(name, n)
    const r = startRunner({ name, port: ports.get(name)!, databaseUrl: db.url, tablePrefix: TABLE_PREFIX, journal: join(dir, `journal-${name}-${n}.log`), dir }, n)
    runners.set(name, r)
    pids.push(r.pid)
    return r
  }
  const waitReady = (r: RunnerProcess) => {
    let timer: NodeJS.Timeout | undefined
    return Promise.race([
      r.ready,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${r.config.name} was not ready within 120s; its log ends with:\n${tail(r.log)}`)), 120_000)
      })
    ]).finally(() => clearTimeout(timer))
  }
  const runnerViews = (): ReadonlyArray<RunnerView> =>
    NAMES.map((name) => {
      const r = runners.get(name)!
      return { name, pid: r.pid, port: r.config.port, status: r.alive ? (restarting.has(name) ? "starting" : "up") : "killed" }
    })

  let drawn = 0
  const draw = (frame: string) => {
    const lines = frame.split("\n")
    // move the cursor back to the top of the previous frame and redraw it in place
    process.stdout.write((drawn > 0 ? `\x1b[${drawn}F` : "") + lines.map((l) => `${l}\x1b[K`).join("\n") + "\n\x1b[J")
    drawn = lines.length
  }

  try {
    try {
      database = await openDatabase(options.databaseUrl)
    } catch (e) {
      console.error(e instanceof PostgresUnavailable ? e.message : `could not start PostgreSQL: ${String((e as Error)?.message ?? e)}`)
      return 1
    }
    const db = database
    if (db.pid !== undefined) pids.push(db.pid)
    console.log(`Arbor cluster demo — 3 runners, ${options.actors} actors, at most ${options.seconds}s; storage: ${db.description}`)

    for (const name of NAMES) ports.set(name, await freePort())
    try {
      const first = NAMES.map((name) => launch(name, db))
      say(`starting ${first.map((r) => `${r.config.name} (pid ${r.pid}, 127.0.0.1:${r.config.port})`).join(", ")}`)
      await Promise.all(first.map(waitReady))
      say("the three runners are serving")
    } catch (e) {
      console.error(String((e as Error).message))
      return 1
    }

    const cluster: Omit<Scenario.Cluster, "handle"> = {
      runners: runnerViews,
      kill: (name) => Effect.promise(() => killRunner(runners.get(name)!)),
      restart: (name) =>
        Effect.tryPromise({
          try: async () => {
            ports.set(name, await freePort())
            restarting.add(name)
            try {
              await waitReady(launch(name, db))
            } finally {
              restarting.delete(name)
            }
          },
          catch: (e) => String((e as Error).message)
        })
    }
    const result = await Effect.runPromise(Effect.result(
      clientCluster(db.url, TABLE_PREFIX, (handle) =>
        Scenario.run({ ...cluster, handle }, {
          actors: Array.from({ length: options.actors }, (_, i) => String.fromCharCode(97 + i)),
          seconds: options.seconds,
          database: db.description,
          origin: started,
          onEvent: (e) => {
            if (!live) console.log(eventLine(e))
          },
          ...(live ? { onFrame: (f) => draw(renderFrame(f, { color })) } : {})
        }))
    ))
    if (result._tag === "Failure") {
      console.error(`the client could not join the cluster: ${result.failure}`)
      return 1
    }
    const outcome = result.success

    // every runner process's journal, the killed one's included (its writes outlive it)
    const journals = [...attempts.entries()].flatMap(([name, n]) => Array.from({ length: n }, (_, i) => join(dir, `journal-${name}-${i + 1}.log`)))
    const records = countRecords(journals.filter((f) => existsSync(f)).map((f) => readFileSync(f, "utf8")))
    const stopped = await cleanup()
    const left = (await pidsLeft(pids)).length
    const unacknowledged = outcome.issued.filter((id) => !outcome.acknowledged.has(id)).length
    const unrecorded = [...outcome.acknowledged].filter((id) => !records.has(id)).length
    const duplicates = [...records.values()].filter((n) => n > 1)
    const summary: Summary = {
      seconds: options.seconds,
      database: db.description,
      actors: options.actors,
      killed: outcome.killed,
      failover: outcome.failover,
      restarted: outcome.restarted,
      rebalance: outcome.rebalance,
      acknowledged: outcome.acknowledged.size,
      retried: outcome.retried,
      lost: unacknowledged + unrecorded,
      unacknowledged,
      unrecorded,
      duplicated: duplicates.length,
      duplicateRecords: duplicates.reduce((n, k) => n + k - 1, 0),
      processesLeft: left,
      cleanup: [
        `${plural([...attempts.values()].reduce((a, b) => a + b, 0), "runner process", "runner processes")} ended`,
        ...(stopped === "" ? [] : [stopped]),
        "the demo's directory removed"
      ].join("; ")
    }
    console.log("")
    console.log(renderSummary(summary, { color }))
    return summary.lost === 0 && left === 0 ? 0 : 1
  } finally {
    await cleanup()
    process.removeListener("SIGINT", onSignal)
    process.removeListener("SIGTERM", onSignal)
  }
}
