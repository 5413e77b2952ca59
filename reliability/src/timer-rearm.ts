/**
 * Timer re-arms leave nothing behind (issue #12, item 3): one actor re-arms the same timer key
 * `--rearms` times (default 1e5: half single-shot, half periodic) on the live clock, each re-arm
 * cancelling the previous timer, and the heap is measured after a full GC before and after,
 * while the actor is alive with its timer armed. A warm-up of 2e4 re-arms first loads code and
 * caches. Growth must stay within 10 %, and a last re-arm must still fire (the re-arms were real).
 *
 * Run: `node --expose-gc --import tsx --conditions=@arbor/source reliability/src/timer-rearm.ts [--rearms N] [--json]`;
 * an unknown flag or a bad `--rearms` is reported with the usage, exit code 2.
 * No timing is measured or asserted.
 */
import { pathToFileURL } from "node:url"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { readFlags, UsageError, wholeFlag } from "./cli.ts"

/** What one run measured. */
export interface RearmReport {
  readonly rearms: number
  readonly heapBeforeBytes: number
  readonly heapAfterBytes: number
  readonly heapGrowth: number
  /** Messages the last armed timer delivered (1). */
  readonly fired: number
  readonly failures: ReadonlyArray<string>
}

type Msg =
  | { readonly _tag: "Rearm"; readonly n: number; readonly periodic: boolean; readonly last: boolean }
  | { readonly _tag: "Fired"; readonly n: number }

const settle = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)))

const heapAfterGc = async (): Promise<number> => {
  const gc = (globalThis as { gc?: () => void }).gc!
  for (let i = 0; i < 4; i++) {
    await settle()
    gc()
  }
  return process.memoryUsage().heapUsed
}

export const measure = async (rearms: number): Promise<RearmReport> => {
  if (typeof (globalThis as { gc?: unknown }).gc !== "function") {
    throw new Error("the re-arm check measures the heap after a full GC: run node with --expose-gc")
  }
  let fired = 0
  const Rearmer = (done: Deferred.Deferred<void>) =>
    Actor.make<Msg, null>()({
      init: () => Effect.succeed(null),
      receive: {
        Rearm: (s, msg, ctx) => {
          // a far-off delay, except for the last re-arm of each kind, which must fire
          const delay = msg.last ? "1 millis" : "1 hour"
          const arm = msg.periodic
            ? ctx.timers.startPeriodic("k", { _tag: "Fired", n: msg.n }, delay)
            : ctx.timers.startSingle("k", { _tag: "Fired", n: msg.n }, delay)
          return Effect.as(arm, s)
        },
        Fired: (s, _msg, ctx) => {
          fired++
          return Effect.as(Effect.andThen(ctx.timers.cancelAll, Deferred.succeed(done, undefined)), s)
        }
      }
    })
  const rearm = (actor: ActorRef.ActorRef<Msg>, n: number, periodic: boolean, last: boolean) =>
    Effect.gen(function*() {
      for (let i = 0; i < n; i++) {
        ActorRef.tellUnsafe(actor, { _tag: "Rearm", n: i, periodic, last: last && i === n - 1 })
        // let the actor keep up, so the mailbox does not hold the whole burst
        if (i % 1000 === 999) yield* Effect.promise(settle)
      }
      yield* Effect.promise(settle)
    })
  // the heap is measured while the actor is alive, with its timer armed
  const { heapBefore, heapAfter } = await Effect.runPromise(
    Effect.gen(function*() {
      const done = yield* Deferred.make<void>()
      const actor = yield* Actor.spawn(Rearmer(done))
      yield* rearm(actor, 10_000, false, false)
      yield* rearm(actor, 10_000, true, false)
      const heapBefore = yield* Effect.promise(heapAfterGc)
      yield* rearm(actor, rearms / 2, false, false)
      yield* rearm(actor, rearms / 2, true, false)
      const heapAfter = yield* Effect.promise(heapAfterGc)
      // the re-arms were real: the last one fires
      yield* rearm(actor, 1, false, true)
      yield* Deferred.await(done)
      return { heapBefore, heapAfter }
    }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
  )
  const heapGrowth = (heapAfter - heapBefore) / heapBefore
  const failures: Array<string> = []
  if (heapGrowth > 0.1) failures.push(`heap grew ${(heapGrowth * 100).toFixed(1)} % (limit 10 %)`)
  if (fired !== 1) failures.push(`the last armed timer delivered ${fired} messages, expected 1`)
  return { rearms, heapBeforeBytes: heapBefore, heapAfterBytes: heapAfter, heapGrowth, fired, failures }
}

const usage = `usage: node --expose-gc --import tsx --conditions=@arbor/source reliability/src/timer-rearm.ts [--rearms N] [--json]
  --rearms N   re-arms to measure, half single-shot and half periodic (whole number ≥ 2, default 100000)
  --json       print the report as one JSON object
  --help       this text`

const flags = { rearms: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } } as const

const main = async () => {
  const values = readFlags(process.argv.slice(2), flags)
  if (values.help === true) return void console.log(usage)
  const rearms = wholeFlag("rearms", values.rearms, 100_000, 2)
  const report = await measure(rearms)
  console.log(
    values.json
      ? JSON.stringify(report)
      : `${report.rearms} re-arms (single-shot, then periodic): heap ${report.heapBeforeBytes} → ${report.heapAfterBytes} bytes ` +
        `(${(report.heapGrowth * 100).toFixed(1)} %), ${report.failures.length === 0 ? "ok" : report.failures.join("; ")}`
  )
  process.exitCode = report.failures.length === 0 ? 0 : 1
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main().catch((e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n${usage}`)
      process.exitCode = 2
      return
    }
    console.error(e instanceof Error ? e.message : e)
    process.exitCode = 1
  })
}
