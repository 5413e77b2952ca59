/**
 * Chaos soak (issue #7): an order pipeline runs under load while a seeded fault injector crashes
 * its actors, one crash after another, as fast as the tree heals. At the end the tree is torn
 * down and three figures are checked:
 *
 * - **acknowledged orders lost** — orders a client got a receipt for that are not in the store
 *   (must be 0; also 0 receipts for the wrong order);
 * - **actors alive after teardown** — `ActorSystem.liveActors` once the tree's scope is closed
 *   (must be 0);
 * - **heap after vs before**, each after a full GC: "before" is measured after a warm-up soak
 *   (so code and caches are loaded) has been torn down, "after" once the main soak has been torn
 *   down; growth must stay within 10 %.
 *
 * ```
 * root (one-for-one, never gives up)
 * ├─ ingest (rest-for-one): validator → enricher (flaky start) → writer → store
 * ├─ payments (one-for-all): gateway + reconciler
 * └─ sessions (dynamic, transient): one session per client session, started on demand
 * ```
 *
 * Run: `pnpm run soak [--crashes N] [--seed S] [--clients C] [--json] [--help]` (node with
 * --expose-gc; the script says so otherwise). Exit code 1 when a figure fails, 2 for a
 * command-line mistake (an unknown flag, a bad number), which is reported with the usage.
 */
import { pathToFileURL } from "node:url"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { Actor, ActorRef, ActorSystem, Reports } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Child, DynamicSupervisor, Supervisor } from "@arbor/supervisor"
import type { SupervisionEvent } from "@arbor/supervisor"
import { Faults } from "@arbor/testkit"
import { readFlags, UsageError, wholeFlag } from "./cli.ts"

// ------------------------------------------------------------------------------------------
// the pipeline
// ------------------------------------------------------------------------------------------

interface Order {
  readonly id: number
  readonly session: string
}

/** What the writer answers once the order is durable; travels back up the pipeline. */
interface Receipt {
  readonly id: number
}

type WriterMsg = Actor.Request<{ readonly _tag: "Write"; readonly order: Order }, Receipt>
type EnricherMsg = Actor.Request<{ readonly _tag: "Enrich"; readonly order: Order }, Receipt>
type ValidatorMsg = Actor.Request<{ readonly _tag: "Submit"; readonly order: Order }, Receipt>
type GatewayMsg = Actor.Request<{ readonly _tag: "Authorize"; readonly order: Order }, "approved">
type ReconcilerMsg = { readonly _tag: "Settled"; readonly id: number }
type SessionMsg = Actor.Request<{ readonly _tag: "Place"; readonly order: Order }, Receipt>

const Names = {
  validator: Registry.key<ValidatorMsg>()("validator"),
  enricher: Registry.key<EnricherMsg>()("enricher"),
  writer: Registry.key<WriterMsg>()("writer"),
  gateway: Registry.key<GatewayMsg>()("gateway"),
  reconciler: Registry.key<ReconcilerMsg>()("reconciler"),
  sessions: Registry.key<never>()("sessions"),
  session: (id: string) => Registry.key<SessionMsg>()(`session:${id}`)
}

/**
 * A set of order ids (ids are small whole numbers) in one byte each: the store and the
 * acknowledgements stay small, so the soak's own memory does not change how often the heap is
 * collected during a long run.
 */
class IdSet {
  private bytes = new Uint8Array(1024)
  size = 0
  add(id: number): void {
    while (id >= this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2)
      grown.set(this.bytes)
      this.bytes = grown
    }
    if (this.bytes[id] === 0) this.size++
    this.bytes[id] = 1
  }
  has(id: number): boolean {
    return this.bytes[id] === 1
  }
  *[Symbol.iterator](): IterableIterator<number> {
    for (let id = 0; id < this.bytes.length; id++) if (this.bytes[id] === 1) yield id
  }
}

const WORKER_NAMES = [Names.validator, Names.enricher, Names.writer, Names.gateway, Names.reconciler] as const

class NameMissing extends Error {
  readonly _tag = "NameMissing"
}

const lookup = <Msg>(key: Registry.Key<Msg>) =>
  Effect.flatMap(
    Registry.lookup(key),
    (ref) => (Option.isSome(ref) ? Effect.succeed(ref.value) : Effect.fail(new NameMissing(key.name)))
  )

const hop = { timeout: "1 second" } as const

// Handlers are generator functions made once (Effect.fnUntraced), not a new `Effect.gen`
// closure per message: V8 keeps a weak entry for every generator function ever created (on the
// generator prototype's user list) and compacts that list only under memory pressure, so a
// closure per message reads as heap growth proportional to the traffic.
const behaviors = (faults: Faults.FaultInjector, store: IdSet) => {
  const enrich = Effect.fnUntraced(function*(n: number, order: Order) {
    const writer = yield* lookup(Names.writer)
    const receipt = yield* ActorRef.ask(writer, { _tag: "Write", order }, hop)
    return Actor.reply(receipt, n + 1)
  })
  const submit = Effect.fnUntraced(function*(n: number, order: Order) {
    const enricher = yield* lookup(Names.enricher)
    const receipt = yield* ActorRef.ask(enricher, { _tag: "Enrich", order }, hop)
    return Actor.reply(receipt, n + 1)
  })
  const authorize = Effect.fnUntraced(function*(n: number, order: Order) {
    const reconciler = yield* lookup(Names.reconciler)
    yield* ActorRef.tell(reconciler, { _tag: "Settled", id: order.id })
    return Actor.reply("approved" as const, n + 1)
  })
  const placeOrder = Effect.fnUntraced(function*(n: number, order: Order) {
    const gateway = yield* lookup(Names.gateway)
    yield* ActorRef.ask(gateway, { _tag: "Authorize", order }, hop)
    const validator = yield* lookup(Names.validator)
    const receipt = yield* ActorRef.ask(validator, { _tag: "Submit", order }, hop)
    return Actor.reply(receipt, n + 1)
  })
  return {
    Writer: Faults.define<WriterMsg>()(faults, {}, {
      init: () => Effect.succeed(0),
      receive: {
        Write: (n, msg) => {
          store.add(msg.order.id) // durable first…
          return Actor.reply({ id: msg.order.id }, n + 1) // …then acknowledged
        }
      }
    }),
    Enricher: Faults.define<EnricherMsg>()(faults, {}, {
      init: () => Effect.succeed(0),
      receive: { Enrich: (n, msg) => enrich(n, msg.order) }
    }),
    Validator: Faults.define<ValidatorMsg>()(faults, {}, {
      init: () => Effect.succeed(0),
      receive: { Submit: (n, msg) => submit(n, msg.order) }
    }),
    Reconciler: Faults.define<ReconcilerMsg>()(faults, {}, {
      init: () => Effect.succeed(0),
      receive: { Settled: (n) => n + 1 }
    }),
    Gateway: Faults.define<GatewayMsg>()(faults, {}, {
      init: () => Effect.succeed(0),
      receive: { Authorize: (n, msg) => authorize(n, msg.order) }
    }),
    Session: (id: string) =>
      Faults.define<SessionMsg>()(faults, { target: `session:${id}` }, {
        init: () => Effect.succeed(0),
        receive: { Place: (n, msg) => placeOrder(n, msg.order) }
      })
  }
}

/** A start that succeeds the first time (so the tree comes up), then fails 10 % of its runs. */
const flakyAfterFirst = <A, E, R>(faults: Faults.FaultInjector, start: Effect.Effect<A, E, R>) => {
  let first = true
  const flaky = Faults.flakyStart(faults, start, { rate: 0.1, target: "enricher" })
  return Effect.suspend(() => {
    if (!first) return flaky
    first = false
    return start
  })
}

const startTree = (faults: Faults.FaultInjector, store: IdSet, onEvent: (e: SupervisionEvent.SupervisionEvent) => void) => {
  const b = behaviors(faults, store)
  return Supervisor.start({
    label: "root",
    strategy: "one-for-one",
    // the root never gives up: the subtrees below it escalate to it and are restarted whole
    intensity: 1_000_000_000,
    period: "1 second",
    onEvent,
    children: [
      Supervisor.child("ingest", {
        label: "ingest",
        strategy: "rest-for-one",
        intensity: 30,
        period: "1 second",
        children: [
          Child.worker({ id: "validator", start: Registry.spawn(Names.validator, b.Validator) }),
          Child.worker({ id: "enricher", start: flakyAfterFirst(faults, Registry.spawn(Names.enricher, b.Enricher)) }),
          Child.worker({ id: "writer", start: Registry.spawn(Names.writer, b.Writer) })
        ]
      }),
      Supervisor.child("payments", {
        label: "payments",
        strategy: "one-for-all",
        intensity: 30,
        period: "1 second",
        children: [
          Child.worker({ id: "gateway", start: Registry.spawn(Names.gateway, b.Gateway) }),
          Child.worker({ id: "reconciler", start: Registry.spawn(Names.reconciler, b.Reconciler) })
        ]
      }),
      {
        id: "sessions",
        type: "supervisor" as const,
        start: Effect.tap(
          DynamicSupervisor.start({
            label: "sessions",
            child: (id: string) => Registry.spawn(Names.session(id), b.Session(id)),
            restart: "transient",
            intensity: 100,
            period: "1 second",
            maxChildren: 1000
          }),
          (ref) => Effect.ignore(Registry.register(Names.sessions, ref as ActorRef.ActorRef<never>))
        )
      }
    ]
  })
}

// ------------------------------------------------------------------------------------------
// one soak run
// ------------------------------------------------------------------------------------------

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** Crashes to inject. */
  readonly crashes: number
  readonly seed: number
  /** Concurrent clients placing orders. */
  readonly clients: number
  /** Called now and then with the number of crashes injected so far. */
  readonly onProgress?: (crashes: number) => void
}

/** The outcome of one run (plain numbers: nothing of the run stays reachable). */
export interface SoakRun {
  readonly crashes: number
  readonly crashesByReason: Readonly<Record<string, number>>
  readonly restarts: number
  readonly failedStarts: number
  readonly escalations: number
  readonly acknowledged: number
  readonly retries: number
  readonly lost: number
  readonly misrouted: number
  readonly healTimeouts: number
  readonly treeDied: boolean
  readonly aliveAfterTeardown: number
  readonly millis: number
}

const REASONS = ["failure", "defect", "throw", "kill", "kill", "normal", "shutdown"] as const

/** Drives one tree through `crashes` injected crashes under load, then tears it down. */
export const runSoak = (options: SoakOptions): Effect.Effect<SoakRun> =>
  Effect.gen(function*() {
    const system = yield* ActorSystem.ActorSystem
    const faults = Faults.makeInjector(options.seed)
    const store = new IdSet() // the durable store: what the writer recorded
    const acked = new IdSet() // what clients got a receipt for
    const byReason: Record<string, number> = {}
    const stats = { restarts: 0, failedStarts: 0, escalations: 0, retries: 0, misrouted: 0, healTimeouts: 0 }
    let crashes = 0
    let treeDied = false
    const onEvent = (e: SupervisionEvent.SupervisionEvent) => {
      if (e._tag === "ChildStarted" && e.restart) stats.restarts++
      else if (e._tag === "ChildStartFailed") stats.failedStarts++
      else if (e._tag === "RestartIntensityExceeded") stats.escalations++
    }
    const started = Date.now()

    const scope = yield* Scope.make()
    const root = yield* Scope.provide(startTree(faults, store, onEvent), scope).pipe(Effect.orDie)
    let stopping = false
    let nextId = 1

    const sessionsRef = Effect.map(
      Registry.lookup(Names.sessions),
      Option.map((ref) => ref as unknown as DynamicSupervisor.DynamicSupervisorRef<string>)
    )

    /** One attempt: find (or start) the order's session and ask it to place the order. */
    const attempt = Effect.fnUntraced(function*(order: Order) {
      let session = yield* Registry.lookup(Names.session(order.session))
      if (Option.isNone(session)) {
        const sup = yield* sessionsRef
        if (Option.isSome(sup)) yield* Effect.ignore(DynamicSupervisor.startChild(sup.value, order.session))
        session = yield* Registry.lookup(Names.session(order.session))
      }
      if (Option.isNone(session)) return yield* Effect.fail(new NameMissing(order.session))
      return yield* ActorRef.ask(session.value, { _tag: "Place", order }, { timeout: "2 seconds" })
    })

    /** Places an order, retrying (same id) until a receipt comes back; gives up only when stopping. */
    const place = Effect.fnUntraced(function*(order: Order) {
      let attempts = 0
      while (true) {
        const result = yield* Effect.exit(attempt(order))
        if (Exit.isSuccess(result)) {
          if (result.value.id === order.id) acked.add(order.id)
          else stats.misrouted++
          return
        }
        stats.retries++
        if (stopping && ++attempts > 50) return // the tree is going away: this order was never acknowledged
        yield* Effect.sleep("1 millis")
      }
    })

    const client = (k: number) =>
      Effect.gen(function*() {
        let placed = 0
        while (!stopping) {
          const session = `c${k}-${Math.floor(placed / 50)}`
          yield* place({ id: nextId++, session })
          placed++
          if (placed % 50 === 0) {
            // the customer left: end the session through the API
            const old = yield* Registry.lookup(Names.session(session))
            const sup = yield* sessionsRef
            if (Option.isSome(old) && Option.isSome(sup)) yield* Effect.ignore(DynamicSupervisor.terminateChild(sup.value, old.value))
          }
          yield* Effect.yieldNow
        }
      })

    /** A live actor to crash: mostly named workers, sometimes a session, rarely a whole subtree. */
    const victim = Effect.gen(function*() {
      const r = faults.random()
      if (r < 0.01) {
        const snap = yield* Effect.option(Supervisor.snapshot(root))
        if (Option.isSome(snap)) {
          const subs = snap.value.children.filter((c) => c.ref !== undefined && c.status === "running")
          if (subs.length > 0) return { ref: faults.pick(subs).ref!, supervisor: true }
        }
      }
      if (r < 0.25) {
        const id = `c${faults.int(options.clients)}-${faults.int(4)}`
        const s = yield* Registry.lookup(Names.session(id))
        if (Option.isSome(s)) return { ref: s.value as ActorRef.ActorRef<any>, supervisor: false }
      }
      const ref = yield* Registry.lookup(faults.pick(WORKER_NAMES) as Registry.Key<any>)
      return Option.isSome(ref) ? { ref: ref.value as ActorRef.ActorRef<any>, supervisor: false } : undefined
    })

    /** Waits until every named worker is registered again (the tree has healed). */
    const healed = Effect.forEach(WORKER_NAMES, (key) =>
      Registry.await(key as Registry.Key<any>, "5 seconds").pipe(
        Effect.catch(() => Effect.sync(() => void stats.healTimeouts++))
      ), { discard: true })

    const chaos = Effect.gen(function*() {
      while (crashes < options.crashes) {
        if (!ActorRef.isAliveUnsafe(root)) {
          treeDied = true
          return
        }
        const target = yield* victim
        if (target === undefined) {
          yield* healed
          continue
        }
        const reason = target.supervisor ? "kill" : faults.pick(REASONS)
        // a supervisor is killed (it was not built with Faults.define); a worker crashes on demand
        yield* (target.supervisor ? Faults.kill(faults, target.ref) : Faults.crash(faults, target.ref, reason)).pipe(
          Effect.orDie
        )
        crashes++
        byReason[reason] = (byReason[reason] ?? 0) + 1
        yield* ActorRef.monitor(target.ref)
        yield* healed
        if (crashes % 5000 === 0) options.onProgress?.(crashes)
      }
    })

    const clients = yield* Effect.forkChild(
      Effect.forEach(Array.from({ length: options.clients }, (_, k) => k), client, { concurrency: "unbounded", discard: true })
    )
    yield* chaos
    stopping = true
    yield* Fiber.join(clients)
    yield* Scope.close(scope, Exit.void)

    let lost = 0
    for (const id of acked) if (!store.has(id)) lost++
    return {
      crashes,
      crashesByReason: byReason,
      restarts: stats.restarts,
      failedStarts: stats.failedStarts,
      escalations: stats.escalations,
      acknowledged: acked.size,
      retries: stats.retries,
      lost,
      misrouted: stats.misrouted,
      healTimeouts: stats.healTimeouts,
      treeDied,
      aliveAfterTeardown: (yield* system.liveActors),
      millis: Date.now() - started
    }
  }).pipe(Effect.provide(
    // thousands of crashes are the point here: their crash reports are turned off (the soak
    // counts every exit itself), so the report line stays the last line of stdout
    Layer.mergeAll(ActorSystem.layer, Layer.fresh(Registry.layer)).pipe(Layer.provideMerge(Layer.orDie(Reports.layer(false))))
  ))

// ------------------------------------------------------------------------------------------
// the command
// ------------------------------------------------------------------------------------------

/** The soak's figures and verdict. */
export interface SoakReport extends SoakRun {
  readonly seed: number
  readonly clients: number
  readonly warmupCrashes: number
  readonly heapColdBytes: number
  readonly heapBeforeBytes: number
  readonly heapAfterBytes: number
  readonly heapGrowth: number
  readonly ok: boolean
  readonly failures: ReadonlyArray<string>
}

const fullGc = async () => {
  const gc = (globalThis as { gc?: () => void }).gc!
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}

/** Runs a warm-up soak, then the soak, and checks the figures. Needs `global.gc` (node --expose-gc). */
export const soak = async (options: Omit<SoakOptions, "onProgress"> & { readonly onProgress?: (n: number) => void }): Promise<SoakReport> => {
  if (typeof (globalThis as { gc?: unknown }).gc !== "function") {
    throw new Error("the soak measures the heap after a full GC: run node with --expose-gc (pnpm run soak does)")
  }
  // keeps Node alive while fibers wait on each other
  const keepAlive = setInterval(() => {}, 1000)
  try {
    await fullGc()
    const heapCold = process.memoryUsage().heapUsed
    const warmupCrashes = Math.min(2000, Math.max(1000, Math.floor(options.crashes / 10)))
    await Effect.runPromise(runSoak({ ...options, crashes: warmupCrashes, seed: options.seed + 1 }))
    await fullGc()
    const heapBefore = process.memoryUsage().heapUsed
    const run = await Effect.runPromise(runSoak(options))
    await fullGc()
    const heapAfter = process.memoryUsage().heapUsed
    const heapGrowth = (heapAfter - heapBefore) / heapBefore
    const failures: Array<string> = []
    if (run.lost > 0) failures.push(`${run.lost} acknowledged orders lost`)
    if (run.misrouted > 0) failures.push(`${run.misrouted} receipts for the wrong order`)
    if (run.aliveAfterTeardown > 0) failures.push(`${run.aliveAfterTeardown} actors alive after teardown`)
    if (heapGrowth > 0.1) failures.push(`heap grew ${(heapGrowth * 100).toFixed(1)} % (limit 10 %)`)
    if (run.treeDied) failures.push("the root supervisor died")
    if (run.crashes < options.crashes) failures.push(`only ${run.crashes} of ${options.crashes} crashes injected`)
    return {
      ...run,
      seed: options.seed,
      clients: options.clients,
      warmupCrashes,
      heapColdBytes: heapCold,
      heapBeforeBytes: heapBefore,
      heapAfterBytes: heapAfter,
      heapGrowth,
      ok: failures.length === 0,
      failures
    }
  } finally {
    clearInterval(keepAlive)
  }
}

const usage = `usage: pnpm run soak [--crashes N] [--seed S] [--clients C] [--json]
  --crashes N   crashes to inject (whole number, default 100000)
  --seed S      the fault injector's seed (whole number, default 7)
  --clients C   concurrent clients placing orders (whole number ≥ 1, default 8)
  --json        print the report as one JSON object
  --help        this text`

const flags = {
  crashes: { type: "string" },
  seed: { type: "string" },
  clients: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" }
} as const

const readArgs = (argv: ReadonlyArray<string>) => {
  const values = readFlags(argv, flags)
  return {
    help: values.help === true,
    crashes: wholeFlag("crashes", values.crashes, 100_000, 0),
    seed: wholeFlag("seed", values.seed, 7, 0),
    clients: wholeFlag("clients", values.clients, 8, 1),
    json: values.json === true
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

const main = async () => {
  const args = readArgs(process.argv.slice(2))
  if (args.help) return void console.log(usage)
  const report = await soak({
    crashes: args.crashes,
    seed: args.seed,
    clients: args.clients,
    ...(args.json ? {} : { onProgress: (n: number) => console.error(`  ${n} crashes…`) })
  })
  if (args.json) console.log(JSON.stringify(report))
  else {
    const perSecond = Math.round(report.crashes / (report.millis / 1000))
    console.log(`soak: ${report.crashes} crashes in ${(report.millis / 1000).toFixed(1)} s (${perSecond}/s), seed ${report.seed}, ${report.clients} clients`)
    console.log(`  crashes by reason: ${Object.entries(report.crashesByReason).map(([k, v]) => `${k} ${v}`).join(", ")}`)
    console.log(`  restarts ${report.restarts}, failed starts ${report.failedStarts}, escalations ${report.escalations}, heal timeouts ${report.healTimeouts}`)
    console.log(`  orders acknowledged ${report.acknowledged} (retried attempts ${report.retries})`)
    console.log(`acknowledged orders lost:     ${report.lost}${report.misrouted > 0 ? ` (+${report.misrouted} misrouted receipts)` : ""}`)
    console.log(`actors alive after teardown:  ${report.aliveAfterTeardown}`)
    console.log(
      `heap (after full GC):         before ${mb(report.heapBeforeBytes)}, after ${mb(report.heapAfterBytes)} (${
        report.heapGrowth >= 0 ? "+" : ""
      }${(report.heapGrowth * 100).toFixed(1)} %; cold start ${mb(report.heapColdBytes)}, warm-up ${report.warmupCrashes} crashes)`
    )
    console.log(report.ok ? "soak: OK" : `soak: FAILED — ${report.failures.join("; ")}`)
  }
  process.exitCode = report.ok ? 0 : 1
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n${usage}`)
      process.exitCode = 2
      return
    }
    console.error(e instanceof Error ? e.message : e)
    process.exitCode = 1
  })
}
