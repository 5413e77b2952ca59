/**
 * Actors in worker threads.
 *
 * A definition pairs a {@link Protocol.Protocol} with an ordinary
 * `Actor.make` behaviour and names where the thread finds it (module URL and export).
 * {@link spawn} runs it in a fresh `node:worker_threads` thread and returns an ordinary
 * `ActorRef`: a local proxy actor whose receive forwards each message to the thread and which
 * ends with the thread's exit reason; {@link child} is the same as a supervisor child spec.
 *
 * @module
 * @since 0.1.0
 */
import type { ActorSystem as ActorSystemNs } from "@arbor/core"
import { Actor, ActorRef, ActorSystem, Durations, Errors, ExitReason } from "@arbor/core"
import type { Child } from "@arbor/supervisor"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"
import { inspect } from "node:util"
import { Worker } from "node:worker_threads"
import * as Protocol from "./Protocol.ts"
import { bootstrap } from "./internal/wire.ts"
import type { Boot, ToParent, ToThread } from "./internal/wire.ts"

// -----------------------------------------------------------------------------------------
// definitions
// -----------------------------------------------------------------------------------------

const DefinitionKey = "~@arbor/worker/WorkerActor" as const

/**
 * An actor that can run in a worker thread.
 *
 * An actor that can run in a worker thread: its protocol, its behaviour (the same value
 * `Actor.spawn` runs in-process) and where the thread loads it from.
 *
 * @category definitions
 * @since 0.1.0
 */
export interface WorkerActor<in out Msg> {
  /** Marks a definition (checked by the thread, which loads it by name). */
  readonly [DefinitionKey]: true
  /** The protocol: the wire codec and the request tags. */
  readonly protocol: Protocol.Protocol<any, any, any>
  /** The behaviour, as for `Actor.spawn`. */
  readonly behavior: Actor.Behavior<Msg, unknown, never>
  /** The module that exports this definition: a `file:` URL (or a path). */
  readonly module: string | URL
  /** The name of the export. */
  readonly export: string
}

/**
 * Where the thread finds the definition: a module and the name of its export.
 *
 * Where the thread finds the definition: the module that exports it (pass `import.meta.url`
 * when the definition is in the same module) and the export's name.
 *
 * @category definitions
 * @since 0.1.0
 */
export interface Entry {
  /** The module: a `file:` URL or an absolute path. */
  readonly module: string | URL
  /** The export's name. */
  readonly export: string
}

/**
 * Defines an actor that can run in a worker thread.
 *
 * The behaviour's messages must be the protocol's type and it may need no services (the thread has
 * only an actor system). The definition must be exported under `entry.export` from `entry.module`,
 * which the thread imports.
 *
 * @example
 * ```ts
 * // counter.ts
 * import { Actor } from "@arbor/core"
 * import { Protocol, WorkerActor } from "@arbor/worker"
 * import { Effect, Schema } from "effect"
 *
 * export const CounterProtocol = Protocol.make("Counter", {
 *   Add: { payload: { n: Schema.Int } },
 *   Get: { reply: Schema.Int }
 * })
 * export const Counter = Actor.make<Protocol.Type<typeof CounterProtocol>>()({
 *   init: () => Effect.succeed(0),
 *   receive: { Add: (n, m) => n + m.n, Get: (n) => Actor.reply(n, n) }
 * })
 * // in-process: Actor.spawn(Counter); in a thread: WorkerActor.spawn(CounterWorker)
 * export const CounterWorker = WorkerActor.make(CounterProtocol, Counter, { module: import.meta.url, export: "CounterWorker" })
 * ```
 *
 * @category definitions
 * @since 0.1.0
 */
export const make = <P extends Protocol.Protocol<any, any, any>, IE>(
  protocol: P,
  behavior: Actor.Behavior<Protocol.Type<P>, IE, never>,
  entry: Entry
): WorkerActor<Protocol.Type<P>> => ({
  [DefinitionKey]: true,
  protocol,
  behavior: behavior as Actor.Behavior<Protocol.Type<P>, unknown, never>,
  module: entry?.module,
  export: entry?.export
})

// -----------------------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------------------

/**
 * An invalid option or definition given to {@link spawn} or {@link child}; nothing was
 * started.
 *
 * `field` names it (`"module"`, `"export"`, `"heartbeat.interval"`,
 * `"resourceLimits.maxOldGenerationSizeMb"`, …).
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidWorkerOptions extends Data.TaggedError("InvalidWorkerOptions")<{
  /** The label given, if any. */
  readonly label: string | undefined
  /** The invalid field. */
  readonly field: string
  /** The value given. */
  readonly value: unknown
  /** What a valid value is. */
  readonly reason: string
}> {
  override get message(): string {
    return `invalid worker option ${this.field} (${String(this.value)}): ${this.reason}`
  }
}

/**
 * The thread could not start the actor.
 *
 * The thread could not start the actor: the module or export could not be loaded, the
 * protocol's hash differs between the two sides, the actor's `init` failed (its cause is
 * carried), or the thread did not report ready within `startTimeout`.
 *
 * The thread is terminated.
 *
 * @category errors
 * @since 0.1.0
 */
export class WorkerStartFailed extends Data.TaggedError("WorkerStartFailed")<{
  /** The label given, if any. */
  readonly label: string | undefined
  /** What happened, as text. */
  readonly detail: string
  /** The `init` failure's cause, decoded, when the actor's `init` failed. */
  readonly cause?: Cause.Cause<unknown>
}> {
  override get message(): string {
    return `worker ${this.label ?? "(unlabelled)"} did not start: ${this.detail}`
  }
}

/**
 * The thread ended without its actor reporting an exit reason.
 *
 * The thread ended without its actor reporting an exit reason: `kind` is `"exit"` (it called
 * `process.exit(exitCode)`, or ended its event loop), `"oom"` (V8 ran out of heap under
 * `resourceLimits`: `ERR_WORKER_OUT_OF_MEMORY`) or `"uncaught"` (an exception outside any
 * handler, e.g. thrown from a timer; `error` carries it).
 *
 * The proxy ends with `Failure(WorkerExited)`.
 *
 * @category errors
 * @since 0.1.0
 */
export class WorkerExited extends Data.TaggedError("WorkerExited")<{
  /** The proxy's label, if any. */
  readonly label: string | undefined
  /** How the thread ended. */
  readonly kind: "exit" | "oom" | "uncaught"
  /** The thread's exit code, when it is known. */
  readonly exitCode: number | undefined
  /** What happened, as text. */
  readonly detail: string
  /** The uncaught error (`kind: "uncaught"`), as the thread reported it. */
  readonly error?: unknown
}> {
  override get message(): string {
    return `worker ${this.label ?? "(unlabelled)"} exited (${this.kind}${
      this.exitCode === undefined ? "" : `, code ${this.exitCode}`
    }): ${this.detail}`
  }
}

// -----------------------------------------------------------------------------------------
// options
// -----------------------------------------------------------------------------------------

/**
 * The heartbeat watchdog, which ends a thread whose event loop is blocked.
 *
 * The heartbeat watchdog: the proxy pings the thread every `interval`; a thread that has not
 * answered for `timeout` (its event loop is blocked: a synchronous loop, a long synchronous
 * computation) is terminated and the proxy ends with `Killed`.
 *
 * A hang is detected within `timeout + interval`. Timers read the `Clock`.
 *
 * @category options
 * @since 0.1.0
 */
export interface Heartbeat {
  /** Default 1 second. */
  readonly interval?: Duration.Input
  /** Default 4 seconds (a hang is detected within 5 s). Must be longer than `interval`. */
  readonly timeout?: Duration.Input
}

/**
 * V8 heap limits of the thread.
 *
 * V8 heap limits of the thread (`node:worker_threads` `resourceLimits`); a thread that
 * exceeds them ends with `Failure(WorkerExited { kind: "oom" })`, the parent's heap unaffected.
 *
 * @category options
 * @since 0.1.0
 */
export interface ResourceLimits {
  /** The old generation's maximum size, in MB. */
  readonly maxOldGenerationSizeMb?: number
  /** The young generation's maximum size, in MB. */
  readonly maxYoungGenerationSizeMb?: number
  /** The code range's size, in MB. */
  readonly codeRangeSizeMb?: number
  /** The thread's default stack size, in MB. */
  readonly stackSizeMb?: number
}

/**
 * Options of {@link spawn}.
 *
 * @category options
 * @since 0.1.0
 */
export interface SpawnOptions {
  /** A label for the proxy and the thread's actor (errors, dead letters, snapshots). */
  readonly label?: string
  /** The watchdog's settings. */
  readonly heartbeat?: Heartbeat
  /** Heap limits of the thread. */
  readonly resourceLimits?: ResourceLimits
  /** How long the thread may take to load the module and run `init`. Default 30 seconds. */
  readonly startTimeout?: Duration.Input
  /**
   * How the proxy is stopped when its scope closes (as `Actor.spawn`'s `shutdown`): a graceful
   * stop asks the thread's actor to stop, and the thread is terminated when it has not ended in
   * time. Default 5 seconds.
   */
  readonly shutdown?: Actor.Shutdown
}

interface Resolved {
  readonly label: string | undefined
  readonly module: string
  readonly export: string
  readonly intervalMillis: number
  readonly timeoutMillis: number
  readonly resourceLimits: ResourceLimits | undefined
  readonly startTimeout: Duration.Duration
  readonly shutdown: Actor.Shutdown
}

const LIMIT_KEYS: ReadonlyArray<keyof ResourceLimits> = [
  "maxOldGenerationSizeMb",
  "maxYoungGenerationSizeMb",
  "codeRangeSizeMb",
  "stackSizeMb"
]

/** The keys of {@link SpawnOptions}; {@link child} also takes `restart`, which it keeps for the spec. */
const OPTION_KEYS: ReadonlyArray<string> = ["label", "heartbeat", "resourceLimits", "startTimeout", "shutdown"]

/** A finite duration > 0 in milliseconds, read by core's one decoder (`Durations.decode`). */
const positiveMillis = (input: unknown): number | undefined => {
  const d = Durations.decode(input)
  if (d === undefined || !Duration.isFinite(d)) return undefined
  const ms = Duration.toMillis(d)
  return ms > 0 ? ms : undefined
}

const resolve = (def: WorkerActor<any>, options: SpawnOptions | undefined): Resolved | InvalidWorkerOptions => {
  const label = options?.label
  const invalid = (field: string, value: unknown, reason: string) =>
    new InvalidWorkerOptions({ label: typeof label === "string" ? label : undefined, field, value, reason })
  if (typeof def !== "object" || def === null || def[DefinitionKey] !== true) {
    return invalid("definition", def, "must be made by WorkerActor.make")
  }
  if (!Protocol.isProtocol(def.protocol)) return invalid("protocol", def.protocol, "must be made by Protocol.make")
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    return invalid("options", options, "must be an object")
  }
  if (options !== undefined) {
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.includes(key)) return invalid(key, (options as Record<string, unknown>)[key], `is not a worker option (${OPTION_KEYS.join(", ")})`)
    }
  }
  if (label !== undefined && typeof label !== "string") return invalid("label", label, "must be a string")
  let module: string
  const m: unknown = def.module
  if (m instanceof URL) {
    if (m.protocol !== "file:") return invalid("module", m.href, "must be a file: URL")
    module = m.href
  } else if (typeof m === "string" && m.startsWith("file:")) {
    module = m
  } else if (typeof m === "string" && m.startsWith("/")) {
    module = pathToFileURL(m).href
  } else {
    return invalid("module", m, "must be a file: URL or an absolute path (e.g. import.meta.url)")
  }
  if (typeof def.export !== "string" || def.export.length === 0) {
    return invalid("export", def.export, "must be the non-empty name of the module's export")
  }
  const hb: unknown = options?.heartbeat
  if (hb !== undefined && (typeof hb !== "object" || hb === null)) {
    return invalid("heartbeat", hb, "must be an object { interval?, timeout? }")
  }
  const heartbeat = hb as Heartbeat | undefined
  if (heartbeat !== undefined) {
    for (const key of Object.keys(heartbeat)) {
      if (key !== "interval" && key !== "timeout") {
        return invalid(`heartbeat.${key}`, (heartbeat as Record<string, unknown>)[key], "is not a heartbeat setting (interval, timeout)")
      }
    }
  }
  let intervalMillis = 1000
  if (heartbeat?.interval !== undefined) {
    const ms = positiveMillis(heartbeat.interval)
    if (ms === undefined) return invalid("heartbeat.interval", heartbeat.interval, "must be a finite duration > 0")
    intervalMillis = ms
  }
  let timeoutMillis = 4000
  if (heartbeat?.timeout !== undefined) {
    const ms = positiveMillis(heartbeat.timeout)
    if (ms === undefined) return invalid("heartbeat.timeout", heartbeat.timeout, "must be a finite duration > 0")
    timeoutMillis = ms
  }
  if (timeoutMillis <= intervalMillis) {
    return invalid(
      "heartbeat.timeout",
      heartbeat?.timeout ?? `${timeoutMillis} millis`,
      `must be longer than heartbeat.interval (${intervalMillis} ms)`
    )
  }
  const rl: unknown = options?.resourceLimits
  if (rl !== undefined) {
    if (typeof rl !== "object" || rl === null) return invalid("resourceLimits", rl, "must be an object")
    for (const [key, value] of Object.entries(rl)) {
      if (!LIMIT_KEYS.includes(key as keyof ResourceLimits)) {
        return invalid(`resourceLimits.${key}`, value, `is not a resource limit (${LIMIT_KEYS.join(", ")})`)
      }
      if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
        return invalid(`resourceLimits.${key}`, value, "must be a finite number of MB > 0")
      }
    }
  }
  let startTimeout = Duration.seconds(30)
  if (options?.startTimeout !== undefined) {
    const ms = positiveMillis(options.startTimeout)
    if (ms === undefined) return invalid("startTimeout", options.startTimeout, "must be a finite duration > 0")
    startTimeout = Duration.millis(ms)
  }
  return {
    label,
    module,
    export: def.export,
    intervalMillis,
    timeoutMillis,
    resourceLimits: rl as ResourceLimits | undefined,
    startTimeout,
    shutdown: options?.shutdown ?? "5 seconds"
  }
}

// -----------------------------------------------------------------------------------------
// the thread's entry
// -----------------------------------------------------------------------------------------

const TS = /\.[cm]?tsx?$/

/** This module's sibling `internal/runner` (`.ts` under the source condition, `.js` in dist). */
const runnerUrl = (): string => {
  const here = import.meta.url
  const ext = /\.([cm]?[jt]s)$/.exec(new URL(here).pathname)?.[1] ?? "js"
  return new URL(`./internal/runner.${ext}`, here).href
}

const tsxFor = (module: string): string | undefined => {
  for (const from of [module, pathToFileURL(`${process.cwd()}/`).href, import.meta.url]) {
    try {
      return pathToFileURL(createRequire(from).resolve("tsx/esm/api")).href
    } catch {
      // try the next place
    }
  }
  return undefined
}

// -----------------------------------------------------------------------------------------
// the proxy
// -----------------------------------------------------------------------------------------

/** Text for anything a thread threw; never throws (a cloned error may have no prototype). */
const describeError = (error: unknown): string => {
  const message = typeof error === "object" && error !== null ? (error as { message?: unknown }).message : undefined
  if (typeof message === "string") return message
  try {
    return typeof error === "string" ? error : inspect(error, { depth: 3 })
  } catch {
    return "(an error that cannot be described)"
  }
}

let live = 0

/**
 * How many worker threads this module started that have not exited yet.
 *
 * The number of worker threads this module started that have not exited yet (a diagnostic:
 * after the scope that spawned them closes, it is back to what it was).
 *
 * @category diagnostics
 * @since 0.1.0
 */
export const liveThreads = (): number => live

/** One thread and what the proxy knows of it. */
class Host {
  worker: Worker | undefined = undefined
  self: ActorRef.ActorRef<unknown> | undefined = undefined
  /** Why the thread (or its actor) ended; set once. */
  reason: ExitReason.ExitReason | undefined = undefined
  /** The proxy is stopping on request (its onStop or finalizer runs): a thread end is expected. */
  stopping = false
  lastPong = 0
  seq = 0
  /** Messages posted and not yet known to be taken by the thread's actor. */
  readonly unacked = new Map<number, unknown>()
  readonly deaths: Array<() => void> = []
  onReady: ((m: ToParent & { t: "ready" | "start-failed" }) => void) | undefined = undefined
  /**
   * The requests forwarded and not answered yet, by seq: their tag (to decode the reply) and how
   * to answer the asker (the handle of `Actor.deferReply`). If the proxy ends first, core fails their askers
   * with `ActorExited` carrying the proxy's reason.
   */
  readonly asks = new Map<number, { readonly tag: string; readonly handle: Actor.ReplyHandle<unknown> }>()
  exitCode: number | undefined = undefined
  readonly exited: Promise<void>
  private markExited!: () => void

  constructor(
    readonly options: Resolved,
    readonly codec: Protocol.Codec,
    readonly requests: ReadonlySet<string>,
    readonly clock: Clock.Clock,
    readonly system: ActorSystemNs.ActorSystem["Service"]
  ) {
    this.exited = new Promise((resolve) => {
      this.markExited = resolve
    })
  }

  post(m: ToThread): void {
    this.worker?.postMessage(m)
  }

  ack(upTo: number): void {
    for (const seq of this.unacked.keys()) {
      if (seq > upTo) break
      this.unacked.delete(seq)
    }
  }

  /** The thread or its actor ended with `reason`: the proxy ends with it too. */
  die(reason: ExitReason.ExitReason, terminate: boolean): void {
    if (this.reason !== undefined) return
    this.reason = reason
    if (terminate) void this.worker?.terminate()
    // the proxy ends with `reason`: core fails the askers still waiting with ActorExited(reason)
    this.asks.clear()
    for (const f of this.deaths.splice(0)) f()
    if (this.self !== undefined && !this.stopping) Effect.runFork(ActorRef.stop(this.self, reason))
  }

  deadLetterUnacked(): Effect.Effect<void, never, ActorSystemNs.ActorSystem> {
    const self = this.self
    const messages = [...this.unacked.values()]
    this.unacked.clear()
    if (self === undefined || messages.length === 0) return Effect.void
    return Effect.forEach(
      messages,
      (message) => ActorSystem.publishDeadLetter({ recipient: self as ActorRef.ActorRef<never>, message, reason: "Exited" }),
      { discard: true }
    )
  }

  attach(worker: Worker): void {
    this.worker = worker
    worker.on("message", (m: ToParent) => {
      switch (m.t) {
        case "ready":
        case "start-failed":
          this.onReady?.(m)
          return
        case "pong":
          this.lastPong = this.clock.currentTimeMillisUnsafe()
          this.ack(m.ack)
          return
        case "reply": {
          this.ack(m.ack)
          const pending = this.asks.get(m.seq)
          if (pending === undefined || this.reason !== undefined) return
          this.asks.delete(m.seq)
          const decoded = this.codec.decodeReply(pending.tag, m.value)
          if (Exit.isFailure(decoded)) {
            // a reply the protocol does not describe: the proxy fails, as the thread's actor would
            this.die(ExitReason.fail(Cause.squash(decoded.cause)), true)
            return
          }
          // answered at once; an asker that gave up (its deadline) drops it
          Actor.answerUnsafe(pending.handle, decoded.value)
          return
        }
        case "dead": {
          const message = this.unacked.get(m.seq)
          this.unacked.delete(m.seq)
          const self = this.self
          if (message !== undefined && self !== undefined) {
            Effect.runFork(Effect.provideService(
              ActorSystem.publishDeadLetter({ recipient: self as ActorRef.ActorRef<never>, message, reason: "Exited" }),
              ActorSystem.ActorSystem,
              this.system
            ))
          }
          return
        }
        case "exited":
          this.ack(m.ack)
          this.die(this.codec.decodeExitReason(m.reason), false)
          return
      }
    })
    worker.on("error", (error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code
      const detail = describeError(error)
      const exited = code === "ERR_WORKER_OUT_OF_MEMORY"
        ? new WorkerExited({ label: this.options.label, kind: "oom", exitCode: undefined, detail })
        : new WorkerExited({ label: this.options.label, kind: "uncaught", exitCode: undefined, detail, error })
      this.onReady?.({ t: "start-failed", detail: exited.message })
      this.die(ExitReason.fail(exited), false)
    })
    live++
    worker.on("exit", (code: number) => {
      live--
      this.exitCode = code
      this.onReady?.({ t: "start-failed", detail: `the thread exited with code ${code} before it was ready` })
      this.die(
        ExitReason.fail(
          new WorkerExited({
            label: this.options.label,
            kind: "exit",
            exitCode: code,
            detail: `the thread exited with code ${code} without its actor ending`
          })
        ),
        false
      )
      this.markExited()
    })
  }

  /** Terminates the thread (if it still runs) and waits until it has exited. */
  terminate(): Promise<void> {
    if (this.worker === undefined) return Promise.resolve()
    void this.worker.terminate()
    return this.exited
  }
}

/** Runs in the proxy's `init`, with the proxy's own `Scope`: the thread, its listeners, the watchdog. */
const startThread = (host: Host, def: WorkerActor<any>): Effect.Effect<void, WorkerStartFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const o = host.options
    const runner = runnerUrl()
    const needsTsx = TS.test(new URL(runner).pathname) || TS.test(new URL(o.module).pathname)
    const tsx = needsTsx ? tsxFor(o.module) : undefined
    if (needsTsx && tsx === undefined) {
      return yield* Effect.fail(
        new WorkerStartFailed({
          label: o.label,
          detail: `${o.module} is TypeScript: the thread needs tsx to load it (install tsx, or point module at built JavaScript)`
        })
      )
    }
    const boot: Boot = {
      runner,
      tsx,
      module: o.module,
      export: o.export,
      hash: def.protocol.hash,
      label: o.label
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        const worker = new Worker(bootstrap, {
          eval: true,
          workerData: { "~arbor": boot },
          // the package's own TypeScript sources resolve other @arbor packages to sources too
          execArgv: TS.test(new URL(runner).pathname) ? ["--conditions=@arbor/source"] : [],
          ...(o.resourceLimits === undefined ? {} : { resourceLimits: o.resourceLimits }),
          ...(o.label === undefined ? {} : { name: o.label })
        })
        host.attach(worker)
        return worker
      }),
      // kill, a failed start, the end of a stop: the thread is gone before the proxy has ended,
      // and what it had not taken becomes dead letters
      () =>
        Effect.andThen(
          Effect.promise(() => host.terminate()),
          Effect.provideService(host.deadLetterUnacked(), ActorSystem.ActorSystem, host.system)
        )
    )
    const ready = Effect.callback<void, WorkerStartFailed>((resume) => {
      host.onReady = (m) => {
        host.onReady = undefined
        if (m.t === "ready") {
          resume(Effect.void)
        } else {
          resume(Effect.fail(
            new WorkerStartFailed({
              label: o.label,
              detail: m.detail,
              ...(m.cause === undefined ? {} : { cause: host.codec.decodeCause(m.cause) })
            })
          ))
        }
      }
    })
    yield* Effect.timeoutOrElse(ready, {
      duration: o.startTimeout,
      orElse: () =>
        Effect.fail(
          new WorkerStartFailed({
            label: o.label,
            detail: `the thread did not report ready within ${Duration.format(o.startTimeout)}`
          })
        )
    })
    host.lastPong = host.clock.currentTimeMillisUnsafe()
    // the watchdog: reads the Clock, so a TestClock drives it
    yield* Effect.forkScoped(Effect.gen(function*() {
      while (host.reason === undefined) {
        yield* Effect.sleep(o.intervalMillis)
        if (host.reason !== undefined) return
        if (host.clock.currentTimeMillisUnsafe() - host.lastPong > o.timeoutMillis) {
          host.die(ExitReason.killed, true)
          return
        }
        host.post({ t: "ping" })
      }
    }))
  })

const makeProxy = (host: Host, def: WorkerActor<any>) =>
  Actor.make<unknown>()({
    init: () => startThread(host, def),
    receive: (state: void, msg: unknown) => {
      if (host.reason !== undefined) {
        // the thread ended and the proxy is stopping: this message was never forwarded (a
        // request fails with ActorExited; a plain message becomes a dead letter)
        if (!isRequest(host, msg)) host.unacked.set(++host.seq, msg)
        return Actor.stop(host.reason)
      }
      const encoded = host.codec.encodeMessage(msg)
      if (Exit.isFailure(encoded)) {
        // like a local actor given a message it has no handler for: the proxy fails
        return Effect.failCause(encoded.cause)
      }
      const seq = ++host.seq
      if (!isRequest(host, msg)) {
        host.unacked.set(seq, msg)
        host.post({ t: "tell", seq, msg: encoded.value })
        return state
      }
      const tag = (msg as { readonly _tag: string })._tag
      // pipelined: the proxy takes the next message at once; the reply, correlated by seq, answers
      // this asker whenever it comes (each ask keeps its own deadline)
      return Actor.deferReply((handle: Actor.ReplyHandle<unknown>) => {
        host.asks.set(seq, { tag, handle })
        host.post({ t: "ask", seq, msg: encoded.value })
        return state
      })
    },
    onStop: (_state: void, reason: ExitReason.ExitReason) =>
      Effect.gen(function*() {
        if (host.reason === undefined) {
          // asked to stop: the thread's actor stops gracefully first
          host.stopping = true
          host.post({ t: "stop", reason: host.codec.encodeExitReason(reason) })
          yield* Effect.callback<void>((resume) => {
            if (host.reason !== undefined) return resume(Effect.void)
            host.deaths.push(() => resume(Effect.void))
          })
        }
      })
  })

const isRequest = (host: Host, msg: unknown): boolean =>
  typeof msg === "object" && msg !== null && typeof (msg as { readonly _tag?: unknown })._tag === "string" &&
  host.requests.has((msg as { readonly _tag: string })._tag)

// -----------------------------------------------------------------------------------------
// spawning
// -----------------------------------------------------------------------------------------

/**
 * Starts `def` in a new worker thread and returns its proxy `ActorRef` once the thread's
 * actor has run `init`.
 *
 * The proxy is an ordinary local actor spawned into the current `Scope`: `tell`, `ask` (with its
 * deadline), `stop`, `kill`, `monitor`, `link`, registry names and supervisors work as for any
 * actor. It ends with the thread's exit reason:
 *
 * - the thread's actor ended (a handler threw, failed, or stopped): that reason, cause decoded;
 * - the thread exited (`process.exit`), ran out of memory, or threw outside a handler:
 *   `Failure(WorkerExited)`;
 * - the thread stopped answering heartbeats (a hang): it is terminated, reason `Killed`;
 * - `kill`: the thread is terminated at once (true preemption), reason `Killed`.
 *
 * Messages forwarded to a thread that died before taking them become dead letters; asks in
 * flight fail with `ActorExited` carrying the reason.
 *
 * @category spawning
 * @since 0.1.0
 */
export const spawn = <Msg>(
  def: WorkerActor<Msg>,
  options?: SpawnOptions
): Effect.Effect<
  ActorRef.ActorRef<Msg>,
  InvalidWorkerOptions | WorkerStartFailed | Errors.InvalidActorOptions | Errors.StartTimeout,
  Scope.Scope | ActorSystemNs.ActorSystem
> =>
  Effect.suspend((): Effect.Effect<
    ActorRef.ActorRef<Msg>,
    InvalidWorkerOptions | WorkerStartFailed | Errors.InvalidActorOptions | Errors.StartTimeout,
    Scope.Scope | ActorSystemNs.ActorSystem
  > => {
    const resolved = resolve(def, options)
    if (resolved instanceof InvalidWorkerOptions) return Effect.fail(resolved)
    return Effect.gen(function*() {
      const clock = yield* Clock.Clock
      const system = yield* ActorSystem.ActorSystem
      const host = new Host(resolved, Protocol.codec(def.protocol), def.protocol.requests, clock, system)
      const proxy = makeProxy(host, def)
      const ref = yield* Actor.spawn(proxy, {
        ...(resolved.label === undefined ? {} : { label: resolved.label }),
        shutdown: resolved.shutdown
      }).pipe(Effect.onError(() => Effect.promise(() => host.terminate())))
      host.self = ref
      // the thread may have ended between its ready report and now
      if (host.reason !== undefined) Effect.runFork(ActorRef.stop(ref, host.reason))
      return ref as ActorRef.ActorRef<Msg>
    })
  })

/**
 * Options of {@link child}: {@link SpawnOptions} and the child spec's `restart` and
 * `shutdown`.
 *
 * @category spawning
 * @since 0.1.0
 */
export interface ChildOptions extends SpawnOptions {
  /** The child's restart type. Default `"permanent"`. */
  readonly restart?: Child.RestartType
}

/**
 * A supervisor child spec that runs `def` in a worker thread (see {@link spawn}).
 *
 * Every thread death is a child exit with its reason, so strategies, restart intensity and
 * `restartDelay` apply exactly as for an in-process child; each restart starts a fresh thread.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@arbor/supervisor"
 * import { WorkerActor } from "@arbor/worker"
 * declare const CounterWorker: WorkerActor.WorkerActor<any>
 * const tree = Supervisor.start({
 *   strategy: "one-for-one",
 *   intensity: 3,
 *   period: "10 seconds",
 *   children: [WorkerActor.child("counter", CounterWorker, { heartbeat: { interval: "200 millis", timeout: "1 second" } })]
 * })
 * ```
 *
 * @category spawning
 * @since 0.1.0
 */
export const child = <Msg>(id: string, def: WorkerActor<Msg>, options?: ChildOptions): Child.ChildSpec<ActorSystemNs.ActorSystem, ActorRef.ActorRef<any>, unknown, string, never> => {
  // `restart` belongs to the spec (the supervisor validates it); the rest are spawn options
  let spawnOptions: unknown = options
  if (typeof options === "object" && options !== null && "restart" in options) {
    const { restart: _restart, ...rest } = options
    spawnOptions = rest
  }
  return {
    id,
    start: spawn(def, spawnOptions as SpawnOptions | undefined),
    ...(options?.restart === undefined ? {} : { restart: options.restart }),
    ...(options?.shutdown === undefined ? {} : { shutdown: options.shutdown })
  }
}
