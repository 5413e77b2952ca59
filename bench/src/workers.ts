/**
 * `pnpm --filter @arbor/bench run bench:workers`: the costs of `@arbor/worker` beside the
 * in-process figures (issue #15). Runs the built JavaScript (dist), as a published package
 * would; prints one table.
 *
 *   --scale X     multiply every size by X (default 1; the smoke test uses 0.02)
 *   --json        print the rows as JSON instead of a table
 *
 * Figures:
 * - spawn: time from spawn to a ready ref (a thread loads Node's worker, effect and Arbor);
 * - tell: throughput of `tell` then one final `ask` (messages per second);
 * - ask round trip: sequential `ask`s, median and p99 latency;
 * - hang restart: a supervised worker spins in `for(;;){}`; time until the supervisor's new
 *   child answers (watchdog detection + terminate + respawn), with a 100 ms / 500 ms heartbeat;
 * - memory: RSS growth per live actor (threads have their own V8 heap).
 */
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import type { SupervisionEvent } from "@arbor/supervisor"
import { Supervisor } from "@arbor/supervisor"
import { WorkerActor } from "@arbor/worker"
import { Effect, PubSub } from "effect"
import type * as Scope from "effect/Scope"
import { parseArgs } from "node:util"
import { Bench, BenchWorker } from "./workers-actor.ts"

type BenchRef = ActorRef.ActorRef<Actor.Request<{ readonly _tag: "Count" }, number> | { readonly _tag: "Bump" } | { readonly _tag: "Hang" }>
type Mode = "in-process" | "worker"

export interface WorkerRow {
  readonly figure: string
  readonly mode: Mode
  readonly size: number
  readonly value: number
  readonly unit: string
}

const heartbeat = { interval: "100 millis", timeout: "500 millis" } as const

const spawnIn = (mode: Mode): Effect.Effect<BenchRef, unknown, Scope.Scope | ActorSystem.ActorSystem> =>
  (mode === "worker" ? WorkerActor.spawn(BenchWorker, { heartbeat }) : Actor.spawn(Bench)) as never

const now = () => performance.now()

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const p99 = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!

const spawnFigure = (mode: Mode, n: number) =>
  Effect.gen(function*() {
    const times: Array<number> = []
    for (let i = 0; i < n; i++) {
      const t0 = now()
      const ref = yield* spawnIn(mode)
      yield* ActorRef.ask(ref, { _tag: "Count" }, { timeout: "30 seconds" })
      times.push(now() - t0)
      yield* ActorRef.stop(ref)
    }
    return { figure: "spawn to first reply", mode, size: n, value: median(times), unit: "ms (median)" } satisfies WorkerRow
  })

const tellFigure = (mode: Mode, n: number) =>
  Effect.gen(function*() {
    const ref = yield* spawnIn(mode)
    const t0 = now()
    for (let i = 0; i < n; i++) ActorRef.tellUnsafe(ref, { _tag: "Bump" })
    const count = yield* ActorRef.ask(ref, { _tag: "Count" }, { timeout: "60 seconds" })
    const ms = now() - t0
    if (count !== n) throw new Error(`tell: counted ${count} of ${n}`)
    yield* ActorRef.stop(ref)
    return { figure: "tell throughput", mode, size: n, value: Math.round(n / (ms / 1000)), unit: "msg/s" } satisfies WorkerRow
  })

const askFigures = (mode: Mode, n: number) =>
  Effect.gen(function*() {
    const ref = yield* spawnIn(mode)
    const times: Array<number> = []
    for (let i = 0; i < n; i++) {
      const t0 = now()
      yield* ActorRef.ask(ref, { _tag: "Count" }, { timeout: "30 seconds" })
      times.push(now() - t0)
    }
    yield* ActorRef.stop(ref)
    return [
      { figure: "ask round trip", mode, size: n, value: median(times) * 1000, unit: "µs (median)" },
      { figure: "ask round trip", mode, size: n, value: p99(times) * 1000, unit: "µs (p99)" }
    ] satisfies Array<WorkerRow>
  })

const restartFigure = (n: number) =>
  Effect.gen(function*() {
    const times: Array<number> = []
    const sup = yield* Supervisor.start({
      strategy: "one-for-one",
      intensity: n + 1,
      period: "1 hour",
      children: [WorkerActor.child("w", BenchWorker, { heartbeat })]
    })
    const events = yield* Supervisor.events(sup)
    for (let i = 0; i < n; i++) {
      const ref = (yield* Supervisor.whichChildren(sup))[0]!.ref as BenchRef
      yield* ActorRef.ask(ref, { _tag: "Count" }, { timeout: "30 seconds" })
      const t0 = now()
      ActorRef.tellUnsafe(ref, { _tag: "Hang" })
      let e: SupervisionEvent.SupervisionEvent
      do e = yield* PubSub.take(events)
      while (e._tag !== "ChildStarted")
      const fresh = (yield* Supervisor.whichChildren(sup))[0]!.ref as BenchRef
      yield* ActorRef.ask(fresh, { _tag: "Count" }, { timeout: "30 seconds" })
      times.push(now() - t0)
    }
    return {
      figure: "hang → new child answers (heartbeat 100 ms / 500 ms)",
      mode: "worker",
      size: n,
      value: median(times),
      unit: "ms (median)"
    } satisfies WorkerRow
  })

const gc = () => (globalThis as { gc?: () => void }).gc?.()

const memoryFigure = (mode: Mode, n: number) =>
  Effect.gen(function*() {
    gc()
    const before = process.memoryUsage().rss
    const refs: Array<BenchRef> = []
    for (let i = 0; i < n; i++) refs.push(yield* spawnIn(mode))
    for (const r of refs) yield* ActorRef.ask(r, { _tag: "Count" }, { timeout: "30 seconds" })
    gc()
    const after = process.memoryUsage().rss
    for (const r of refs) yield* ActorRef.stop(r)
    return { figure: "RSS per live actor", mode, size: n, value: (after - before) / n / 1024, unit: "KiB" } satisfies WorkerRow
  })

/** Runs every figure at `scale` (1 = the documented sizes). */
export const runWorkerBench = (scale: number): Promise<Array<WorkerRow>> => {
  const size = (n: number) => Math.max(1, Math.round(n * scale))
  return Effect.gen(function*() {
    const rows: Array<WorkerRow> = []
    for (const mode of ["in-process", "worker"] as const) {
      rows.push(yield* spawnFigure(mode, size(mode === "worker" ? 10 : 1000)))
      rows.push(yield* tellFigure(mode, size(100_000)))
      rows.push(...yield* askFigures(mode, size(5_000)))
      rows.push(yield* memoryFigure(mode, size(mode === "worker" ? 8 : 10_000)))
    }
    rows.push(yield* restartFigure(size(10)))
    return rows
  }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer), Effect.runPromise)
}

const fmt = (v: number) => v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(2)

export const table = (rows: ReadonlyArray<WorkerRow>): string =>
  [
    "| Figure | Mode | Size | Value | Unit |",
    "|---|---|---:|---:|---|",
    ...rows.map((r) => `| ${r.figure} | ${r.mode} | ${r.size} | ${fmt(r.value)} | ${r.unit} |`)
  ].join("\n")

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/(?=[^/]+$)/, ""))
if (isMain) {
  const { values } = parseArgs({ options: { scale: { type: "string" }, json: { type: "boolean" } } })
  const scale = values.scale === undefined ? 1 : Number(values.scale)
  if (!(scale > 0)) {
    console.error("usage: bench:workers [--scale X (> 0)] [--json]")
    process.exit(1)
  }
  const rows = await runWorkerBench(scale)
  console.log(values.json === true ? JSON.stringify(rows) : `node ${process.version}, scale ${scale}\n\n${table(rows)}`)
}
