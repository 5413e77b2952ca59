/**
 * Measures `@arbor/cluster` on this machine and prints a Markdown table
 * (`pnpm --filter @arbor/cluster measure`):
 *
 * - kill -9 failover over `--runs` runs (default 10): two bundled runners on PostgreSQL with the
 *   "test" timing preset; the owner of one of 12 actors is killed; the time from the kill until
 *   every actor it hosted answers from the survivor, until the first one does, and until a
 *   watching ref's monitor reports DOWN;
 * - ask latency (sequential, one ref) and throughput (16 askers on 16 refs) through a remote
 *   ref vs a local one (the same handlers spawned in this process);
 * - runner start time (spawn → its layer is built and it listens) and memory (RSS).
 *
 * PostgreSQL: the user's DATABASE_URL, else a private server (scripts/pg.ts). Each failover run
 * gets a fresh database. Everything it starts is stopped at the end.
 */
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import type { Protocol } from "@arbor/worker"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as os from "node:os"
import { ClusterRef } from "../src/index.ts"
import { get, remoteDown, value } from "../test/integration/client.ts"
import { overlaps, owners, spread, TestCluster } from "../test/integration/cluster.ts"
import { bundleRunner } from "../test/integration/fixtures/bundle.ts"
import { Counter } from "../test/integration/fixtures/protocols.ts"
import { killOwn, until } from "../test/integration/harness.ts"
import type { Proc } from "../test/integration/harness.ts"
import { redact, startPostgres } from "./pg.ts"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a whole number ≥ 1`)
  return v
}
const RUNS = arg("runs", 10)
const SEQUENTIAL_ASKS = arg("asks", 2000)
const THROUGHPUT_MS = arg("throughput-ms", 3000)
const log = (line: string) => process.stderr.write(`${line}\n`)

const quantile = (xs: ReadonlyArray<number>, q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!
}
const dist = (xs: ReadonlyArray<number>, unit: string, digits = 0) =>
  xs.length === 0
    ? "–"
    : `${[Math.min(...xs), quantile(xs, 0.5), quantile(xs, 0.9), Math.max(...xs)].map((x) => x.toFixed(digits)).join(" / ")} ${unit}`
const mb = (bytes: number) => bytes / 1024 / 1024

/** The local twin of the fixture's counter (no side table): the same handlers in this process. */
const LocalCounter = Actor.make<Protocol.Type<typeof Counter>>()({
  init: () => Effect.succeed(0),
  receive: {
    Add: (n, m) => n + m.n,
    Get: (n) => Actor.reply({ pid: process.pid, count: n }, n),
    Crash: () => {
      throw new Error("boom")
    }
  }
})

/** Latency of `n` sequential asks (ms each) and asks/s of 16 askers on 16 refs for `ms`. */
const askLoad = (refs: ReadonlyArray<ActorRef.ActorRef<Protocol.Type<typeof Counter>>>, n: number, ms: number) =>
  Effect.gen(function*() {
    const one = refs[0]!
    for (let i = 0; i < 200; i++) yield* ActorRef.ask(one, { _tag: "Get" }, { timeout: "10 seconds" })
    const lat: Array<number> = []
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      yield* ActorRef.ask(one, { _tag: "Get" }, { timeout: "10 seconds" })
      lat.push(performance.now() - t0)
    }
    let done = 0
    const end = performance.now() + ms
    const t0 = performance.now()
    yield* Effect.forEach(refs, (ref) =>
      Effect.gen(function*() {
        while (performance.now() < end) {
          yield* ActorRef.ask(ref, { _tag: "Get" }, { timeout: "10 seconds" })
          done++
        }
      }), { concurrency: "unbounded", discard: true })
    return { lat, perSecond: done / ((performance.now() - t0) / 1000) }
  })

interface FailoverRun {
  readonly moved: number
  readonly all: number
  readonly first: number
  readonly down: number | undefined
  readonly fromDead: number
  readonly overlaps: number
}

const main = async () => {
  const pg = await startPostgres({ database: "arbor_measure", log })
  const bundle = await bundleRunner()
  log(`measure: PostgreSQL ${redact(pg.url)} (${pg.source}); runner bundle ${mb(bundle.bytes).toFixed(1)} MB`)
  const starts: Array<{ fresh: number; existing: number; rss: number }> = []
  const runs: Array<FailoverRun> = []
  let latency: { remote: { lat: Array<number>; perSecond: number }; local: { lat: Array<number>; perSecond: number }; rssBefore: number; rssAfter: number } | undefined
  try {
    // ---- runner start time and memory: 5 × (first runner on a fresh database, then a second one)
    for (let i = 0; i < 5; i++) {
      const t = await TestCluster.make(`start${i}`, pg.url, bundle.entry)
      try {
        const a = await t.runner("runner-a")
        const b = await t.runner("runner-b")
        const ready = (p: Proc) => p.of("ready")[0]!
        starts.push({ fresh: ready(a).at - a.spawnedAt, existing: ready(b).at - b.spawnedAt, rss: Number(ready(b).msg["rss"]) })
        log(`start ${i + 1}/5: fresh ${ready(a).at - a.spawnedAt} ms, existing ${ready(b).at - b.spawnedAt} ms`)
      } finally {
        await killOwn()
        await t.close()
      }
    }

    // ---- latency and throughput: one runner; remote refs from this process vs local actors
    {
      const t = await TestCluster.make("latency", pg.url, bundle.entry)
      try {
        const r = await t.runner("runner", { stats: true })
        const ids = Array.from({ length: 16 }, (_, i) => `l${i}`)
        await until(async () => (await owners(t, Counter, ids)).size === ids.length, 30_000, "latency actors answer")
        await until(() => r.of("stats").length > 0, 5_000, "a stats line")
        const rssBefore = Number(r.of("stats").at(-1)!.msg["rss"])
        const remote = await t.run(Effect.gen(function*() {
          const refs = yield* Effect.forEach(ids, (id) => ClusterRef.ref(Counter, id))
          return yield* askLoad(refs, SEQUENTIAL_ASKS, THROUGHPUT_MS)
        }))
        const seen = r.of("stats").length
        await until(() => r.of("stats").length > seen, 5_000, "a stats line after the load")
        const rssAfter = Number(r.of("stats").at(-1)!.msg["rss"])
        const local = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
          const refs = yield* Effect.forEach(ids, () => Actor.spawn(LocalCounter))
          return yield* askLoad(refs, SEQUENTIAL_ASKS, THROUGHPUT_MS)
        })).pipe(Effect.provide(ActorSystem.layer)))
        latency = { remote, local, rssBefore, rssAfter }
        log(`latency: remote median ${quantile(remote.lat, 0.5).toFixed(2)} ms, local ${quantile(local.lat, 0.5).toFixed(3)} ms`)
      } finally {
        await killOwn()
        await t.close()
      }
    }

    // ---- kill -9 failover
    for (let i = 0; i < RUNS; i++) {
      const t = await TestCluster.make(`fo${i}`, pg.url, bundle.entry)
      try {
        const [a, b] = await Promise.all([t.runner("runner-a"), t.runner("runner-b")])
        const ids = Array.from({ length: 12 }, (_, k) => `c${k}`)
        const before = await spread(t, Counter, ids, a, b)
        const victim = before.get("c0") === a.pid ? a : b
        const survivor = victim === a ? b : a
        const moved = ids.filter((id) => before.get(id) === victim.pid)
        const run = await t.run(Effect.gen(function*() {
          // a watching ref to an actor of the victim, and its monitor
          const watched = yield* ClusterRef.ref(Counter, "c0")
          let downAt: number | undefined
          const monitor = yield* Effect.forkChild(Effect.map(ActorRef.monitor(watched), (reason) => {
            downAt = Date.now()
            return reason
          }))
          const killedAt = yield* Effect.promise(() => victim.kill("SIGKILL"))
          let fromDead = 0
          const answered = yield* Effect.forEach(moved, (id) =>
            Effect.gen(function*() {
              for (;;) {
                const v = value(yield* get(Counter, id, "1 second"))
                if (v?.pid === victim.pid) fromDead++
                if (v?.pid === survivor.pid) return Date.now() - killedAt
                if (Date.now() - killedAt > 60_000) return Number.NaN
                yield* Effect.sleep("50 millis")
              }
            }), { concurrency: "unbounded" })
          const reason = yield* Fiber.join(monitor).pipe(Effect.timeout("30 seconds"), Effect.option)
          const down = reason._tag === "Some" && remoteDown(reason.value) !== undefined && downAt !== undefined ? downAt - killedAt : undefined
          return { killedAt, answered, down, fromDead }
        }))
        const rows = await t.incarnations()
        const o = overlaps(rows, (pid) => pid === victim.pid ? run.killedAt : undefined).length
        const r: FailoverRun = {
          moved: moved.length,
          all: Math.max(...run.answered),
          first: Math.min(...run.answered),
          down: run.down,
          fromDead: run.fromDead,
          overlaps: o
        }
        runs.push(r)
        log(`failover ${i + 1}/${RUNS}: ${r.moved} moved, all answered after ${r.all} ms (first ${r.first} ms), DOWN after ${r.down ?? "–"} ms, ${r.fromDead} replies from the dead runner, ${r.overlaps} overlaps`)
      } finally {
        await killOwn()
        await t.close()
      }
    }
  } finally {
    await killOwn()
    bundle.remove()
    await pg.stop()
  }

  // ---- the table
  const node = process.version
  const rows: Array<[string, string]> = []
  rows.push([`kill -9 failover: kill → every moved actor answers from the survivor (${runs.length} runs; min / median / p90 / max)`, dist(runs.map((r) => r.all), "ms")])
  rows.push(["kill -9 failover: kill → the first moved actor answers", dist(runs.map((r) => r.first), "ms")])
  rows.push(["kill -9: kill → a watching ref's monitor gets DOWN (RemoteDown)", dist(runs.flatMap((r) => r.down === undefined ? [] : [r.down]), "ms")])
  rows.push(["actors moved per run (of 12)", runs.map((r) => r.moved).join(", ")])
  rows.push(["replies from the killed runner after the kill / overlapping incarnations", `${runs.reduce((n, r) => n + r.fromDead, 0)} / ${runs.reduce((n, r) => n + r.overlaps, 0)}`])
  if (latency !== undefined) {
    const { remote, local } = latency
    rows.push([`ask latency, sequential, one ref (${SEQUENTIAL_ASKS} asks; min / median / p90 / max): remote ref`, dist(remote.lat, "ms", 2)])
    rows.push(["ask latency, sequential, one ref: local ref", dist(local.lat, "ms", 3)])
    rows.push([`ask throughput, 16 askers on 16 refs for ${THROUGHPUT_MS / 1000} s: remote / local`, `${remote.perSecond.toFixed(0)} / ${local.perSecond.toFixed(0)} asks/s`])
    rows.push(["runner RSS: idle with 16 actors / after the load", `${mb(latency.rssBefore).toFixed(0)} / ${mb(latency.rssAfter).toFixed(0)} MB`])
  }
  rows.push(["runner start, spawn → ready, first on a fresh database (creates the tables; 5 runs)", dist(starts.map((s) => s.fresh), "ms")])
  rows.push(["runner start, spawn → ready, tables already there (5 runs)", dist(starts.map((s) => s.existing), "ms")])
  rows.push(["runner RSS when ready", dist(starts.map((s) => mb(s.rss)), "MB")])
  rows.push(["runner bundle (esbuild, all chunks)", `${mb(bundle.bytes).toFixed(1)} MB`])
  console.log(`\nMeasured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? "?"}), load average ${os.loadavg()[0]!.toFixed(2)}, Node ${node}, PostgreSQL ${pg.source === "private" ? "private (scripts/pg.ts)" : "DATABASE_URL"}, "test" timing preset.\n`)
  console.log("| Measure | Value |")
  console.log("|---|---|")
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`)
}

main().then(
  () => process.exit(0),
  async (e) => {
    console.error(e)
    await killOwn()
    process.exit(1)
  }
)
