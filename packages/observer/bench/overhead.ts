/**
 * Does the observer slow the tree it watches? Restarts per second of a supervisor whose four
 * children are killed one after the other as fast as possible, measured
 *
 * - `none`: without an observer;
 * - `idle`: with an observer attached and no page connected;
 * - `watched`: with an observer attached and one page connected (a separate Node process reading
 *   the event stream, so the reader's work is not counted against the tree).
 *
 * Wall-clock rates swing with the machine's load; restarts per CPU-second of this process are
 * printed too, and are the steadier figure on a shared machine.
 *
 * The three run in turn, `--rounds` times (default 15) for `--seconds` each (default 0.5; short rounds, interleaved, so that a noisy machine hits all three alike); the
 * medians and their ratios to `none` are printed.
 *
 * `pnpm --filter @arbor/observer bench [--seconds 0.5] [--rounds 15]`
 */
import { spawn } from "node:child_process"
import { parseArgs } from "node:util"
import { Effect, Layer } from "effect"
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { Observer } from "@arbor/observer"
import { Child, Supervisor } from "@arbor/supervisor"

const usage = "usage: overhead.ts [--seconds S > 0] [--rounds N ≥ 1]"
const usageError = (problem: string): never => {
  console.error(`${problem}\n${usage}`)
  process.exit(2)
}
const flags = { seconds: { type: "string" }, rounds: { type: "string" } } as const
const readFlags = () => {
  const argv = process.argv.slice(2)
  try {
    return parseArgs({ args: argv[0] === "--" ? argv.slice(1) : argv, options: flags, strict: true, allowPositionals: false }).values
  } catch (e) {
    const error = e as { code?: string; message?: string }
    const quoted = /'([^']+)'/.exec(error.message ?? "")?.[1]
    return usageError(
      error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
        ? `unknown flag ${quoted}; valid flags: --seconds, --rounds`
        : error.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL"
        ? `unexpected argument ${quoted} (every argument is a --flag)`
        : `${quoted?.split(" ")[0] ?? "a flag"} needs a value`
    )
  }
}
const values = readFlags()
const seconds = Number(values.seconds ?? 0.5)
const rounds = Number(values.rounds ?? 15)
if (!(seconds > 0) || !Number.isFinite(seconds)) usageError(`--seconds needs a number > 0 (got ${JSON.stringify(values.seconds)})`)
if (!Number.isInteger(rounds) || rounds < 1) usageError(`--rounds needs a whole number ≥ 1 (got ${JSON.stringify(values.rounds)})`)

const Worker = Actor.make<{ readonly _tag: "Work" }>()({
  init: () => Effect.succeed(0),
  receive: { Work: (n) => n + 1 }
})

type Mode = "none" | "idle" | "watched"

const reader = (url: string) =>
  Effect.acquireRelease(
    Effect.callback<ReturnType<typeof spawn>>((resume) => {
      const child = spawn(process.execPath, [
        "-e",
        `fetch(${JSON.stringify(url + "events")}).then(async (r) => { let n = 0; for await (const c of r.body) { if (n++ === 0) console.log("connected") } })`
      ], { stdio: ["ignore", "pipe", "inherit"] })
      child.stdout!.once("data", () => resume(Effect.succeed(child)))
    }),
    (child) => Effect.sync(() => child.kill())
  )

const measure = (mode: Mode) =>
  Effect.gen(function*() {
    const current = new Map<string, ActorRef.ActorRef<any>>()
    const root = yield* Supervisor.start({
      label: "root",
      strategy: "one-for-one",
      intensity: 100_000_000,
      period: "1 second",
      onEvent: (e) => {
        if (e._tag === "ChildStarted") current.set(e.child, e.ref as ActorRef.ActorRef<any>)
      },
      children: Array.from({ length: 4 }, (_, i) => Child.worker({ id: `w${i}`, start: Actor.spawn(Worker) }))
    })
    if (mode !== "none") {
      const observer = yield* Observer.serve(root, { port: 0 })
      if (mode === "watched") {
        yield* reader(observer.url)
        while (observer.connections() === 0) yield* Effect.sleep("10 millis")
      }
    }
    const started = performance.now()
    const cpu = process.cpuUsage()
    let done = 0
    while (performance.now() - started < seconds * 1000) {
      const ref = current.get(`w${done % 4}`)!
      if (!ActorRef.isAliveUnsafe(ref)) {
        yield* Effect.yieldNow
        continue
      }
      yield* ActorRef.kill(ref)
      done++
    }
    const used = process.cpuUsage(cpu)
    return { wall: done / ((performance.now() - started) / 1000), cpu: done / ((used.user + used.system) / 1e6) }
  }).pipe(Effect.scoped, Effect.provide(Layer.fresh(ActorSystem.layer)))

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

const results: Record<Mode, Array<{ wall: number; cpu: number }>> = { none: [], idle: [], watched: [] }
for (const mode of ["none", "idle", "watched"] as const) await Effect.runPromise(measure(mode)) // warm-up
for (let r = 0; r < rounds; r++) {
  for (const mode of ["none", "idle", "watched"] as const) {
    results[mode].push(await Effect.runPromise(measure(mode)))
  }
}
const base = { wall: median(results.none.map((x) => x.wall)), cpu: median(results.none.map((x) => x.cpu)) }
console.log(`restarts per second of wall time and per CPU-second of this process; medians of ${rounds} interleaved rounds of ${seconds} s (node ${process.version})`)
console.log(`  ${"".padEnd(8)} ${"wall".padStart(8)} ${"ratio".padStart(7)}  ${"per CPU s".padStart(9)} ${"ratio".padStart(7)}`)
for (const mode of ["none", "idle", "watched"] as const) {
  const wall = median(results[mode].map((x) => x.wall))
  const cpu = median(results[mode].map((x) => x.cpu))
  console.log(
    `  ${mode.padEnd(8)} ${Math.round(wall).toString().padStart(8)} ${("×" + (wall / base.wall).toFixed(2)).padStart(7)}  ${Math.round(cpu).toString().padStart(9)} ${("×" + (cpu / base.cpu).toFixed(2)).padStart(7)}`
  )
}
