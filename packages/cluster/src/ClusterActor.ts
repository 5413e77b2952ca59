/**
 * Hosting Arbor behaviours on the cluster.
 *
 * {@link host} turns the same `Actor.make` behaviour that runs locally into an effect/cluster
 * entity addressed by `(protocol name, id)`: the first message to an id activates it on the
 * runner that owns the id's shard; each activation runs an Arbor `Supervisor` whose one child
 * is the behaviour, so a crash restarts the actor **in place** (a new incarnation, same
 * activation) and the cluster never replays the message that crashed it
 * (`disableFatalDefects: true`). {@link singleton} runs a whole supervision subtree once in the
 * cluster.
 *
 * Reach a hosted actor with `ClusterRef.ref` / `ClusterRegistry.lookup`.
 *
 * @module
 * @since 0.1.0
 */
import type { ActorSystem } from "@arbor/core"
import { Actor, ActorRef, ExitReason } from "@arbor/core"
import type { Child } from "@arbor/supervisor"
import { Supervisor } from "@arbor/supervisor"
import type { SupervisionEvent } from "@arbor/supervisor"
import { Protocol } from "@arbor/worker"
import type { WorkerActor } from "@arbor/worker"
import * as Entity from "effect/cluster/Entity"
import * as Sharding from "effect/cluster/Sharding"
import * as Singleton from "effect/cluster/Singleton"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Rpc from "effect/rpc/Rpc"
import type * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { InvalidClusterOptions, RemoteActorError } from "./Errors.ts"
import { resolveIsolate, spawnIsolated } from "./internal/isolate.ts"
import type { ResolvedIsolate } from "./internal/isolate.ts"
import { Checker } from "./internal/options.ts"
import { entityOf, WATCH } from "./internal/wire.ts"
import type { WatchItem } from "./internal/wire.ts"

// -----------------------------------------------------------------------------------------
// options and events
// -----------------------------------------------------------------------------------------

/**
 * What the entity does when its in-entity supervisor gives up (restart intensity exceeded):
 * it answers every request with `RemoteActorError { kind: "Unavailable" }`, rebuilds the
 * supervisor after `delay`, and after `maxRebuilds` rebuilds within `window` stays
 * unavailable for the rest of the activation and reports it (a `GaveUp` event and an
 * `Effect.logError`). Times read the `Clock`.
 *
 * @category options
 * @since 0.1.0
 */
export interface RebuildOptions {
  /** Wait before rebuilding. Default 1 second. */
  readonly delay?: Duration.Input
  /** Rebuilds allowed within `window`; `0` gives up at the first escalation. Default 3. */
  readonly maxRebuilds?: number
  /** The window `maxRebuilds` counts in. Default 1 minute. */
  readonly window?: Duration.Input
}

/**
 * Options of {@link host}.
 *
 * @category options
 * @since 0.1.0
 */
export interface HostOptions {
  /**
   * The actor's restart type inside its activation, and what the cluster does with it:
   * `"permanent"` (default) is restarted after any exit and kept alive by the engine
   * (`Entity.keepAlive`): after a failover it is re-activated on a survivor without waiting
   * for traffic. `"transient"` (restarted after an abnormal exit) and `"temporary"` (never
   * restarted) are passivated after `maxIdleTime` without messages; one that ended and was not
   * restarted is started afresh by the next message.
   */
  readonly restart?: Child.RestartType
  /** The in-entity supervisor's restart intensity. Default 3. */
  readonly intensity?: number
  /** The in-entity supervisor's intensity window. Default 5 seconds. */
  readonly period?: Duration.Input
  /** The in-entity supervisor's `restartDelay` (see `SupervisorSpec`). Default: none. */
  readonly restartDelay?: Schedule.Schedule<unknown, unknown, never, never>
  /** Escalation: see {@link RebuildOptions}. */
  readonly rebuild?: RebuildOptions
  /**
   * Idle passivation of a `transient` / `temporary` actor: the activation ends after this long
   * without a message (the engine's `entityMaxIdleTime` when absent). Not allowed with
   * `"permanent"`, which is kept alive. A watching ref keeps its entity busy; see `RefOptions.watch`.
   */
  readonly maxIdleTime?: Duration.Input
  /** How long the entity waits for the hosted actor's reply to a request. Default 30 seconds. */
  readonly askTimeout?: Duration.Input
  /** How often the watch stream sends a heartbeat to watching refs. Default 1 second. */
  readonly watchHeartbeat?: Duration.Input
  /** Capacity of the engine's entity mailbox (the engine's default when absent). */
  readonly mailboxCapacity?: number
  /** Called with every {@link HostEvent}; exceptions are ignored. */
  readonly onEvent?: (event: HostEvent) => void
  /** Called with every supervision event of the in-entity supervisor; exceptions are ignored. */
  readonly onSupervisionEvent?: (event: SupervisionEvent.SupervisionEvent) => void
  /**
   * Run the actor in a worker thread inside each activation (see {@link WorkerIsolation}).
   * Without it the actor runs on the runner's event loop, which all the runner's entities
   * share: a handler that never yields (`for(;;){}`) stalls every entity of that runner until
   * the runner is failed over.
   */
  readonly isolate?: { readonly worker: WorkerIsolation }
}

/**
 * `HostOptions.isolate.worker`: the hosted actor runs in a `node:worker_threads` thread of its
 * activation (`@arbor/worker`) behind an ordinary `ActorRef`. A hung handler blocks only that
 * thread: the heartbeat watchdog terminates it (the incarnation ends `Killed`) and the in-entity
 * supervisor restarts the actor in a fresh thread, while the runner's other entities go on
 * answering. The thread loads the behaviour from `entry`: a module exporting a
 * `WorkerActor.make(protocol, behavior, entry)` definition of the same protocol (the thread
 * checks the protocol's hash). The behaviour must need no services. Each activation costs a
 * thread, started when the activation starts.
 *
 * @category options
 * @since 0.1.0
 */
export interface WorkerIsolation {
  /** Where the thread finds the definition: its module (`import.meta.url`) and export name. */
  readonly entry: WorkerActor.Entry
  /** The watchdog (`@arbor/worker`'s default: a ping every 1 s, killed after 4 s without an answer). */
  readonly heartbeat?: WorkerActor.Heartbeat
  /** The thread's V8 heap limits; exceeding them ends the incarnation, not the runner. */
  readonly resourceLimits?: WorkerActor.ResourceLimits
  /** How long the thread may take to load the module and run `init`. Default 30 seconds. */
  readonly startTimeout?: Duration.Input
  /** How the thread's actor is stopped when the activation ends. Default 5 seconds. */
  readonly shutdown?: Actor.Shutdown
}

/**
 * What happens to a hosted entity, for logs and tests. `entity` is
 * `"<protocol name>/<entity id>"`; `activation` and `incarnation` are snowflake ids from the
 * engine (`Sharding.getSnowflake`), unique in the cluster.
 *
 * @category events
 * @since 0.1.0
 */
export type HostEvent =
  | { readonly _tag: "Activated"; readonly entity: string; readonly activation: string }
  | { readonly _tag: "IncarnationStarted"; readonly entity: string; readonly activation: string; readonly incarnation: string }
  | {
    readonly _tag: "IncarnationEnded"
    readonly entity: string
    readonly activation: string
    readonly incarnation: string
    readonly reason: ExitReason.ExitReason
    /** `"restarted"` when the in-entity supervisor restarts it, `"stopped"` otherwise. */
    readonly why: "restarted" | "stopped"
  }
  | { readonly _tag: "Unavailable"; readonly entity: string; readonly activation: string; readonly detail: string }
  | { readonly _tag: "Rebuilt"; readonly entity: string; readonly activation: string; readonly rebuilds: number }
  | { readonly _tag: "GaveUp"; readonly entity: string; readonly activation: string; readonly rebuilds: number }
  | { readonly _tag: "Passivated"; readonly entity: string; readonly activation: string }

interface Resolved {
  readonly restart: Child.RestartType
  readonly intensity: number
  readonly period: Duration.Duration
  readonly restartDelay: Schedule.Schedule<unknown, unknown, never, never> | undefined
  readonly rebuildDelay: Duration.Duration
  readonly maxRebuilds: number
  readonly rebuildWindow: Duration.Duration
  readonly maxIdleTime: Duration.Duration | undefined
  readonly askTimeout: Duration.Duration
  readonly watchHeartbeat: Duration.Duration
  readonly mailboxCapacity: number | undefined
  readonly onEvent: ((event: HostEvent) => void) | undefined
  readonly onSupervisionEvent: ((event: SupervisionEvent.SupervisionEvent) => void) | undefined
  readonly isolate: ResolvedIsolate | undefined
}

const HOST_KEYS = [
  "restart",
  "intensity",
  "period",
  "restartDelay",
  "rebuild",
  "maxIdleTime",
  "askTimeout",
  "watchHeartbeat",
  "mailboxCapacity",
  "onEvent",
  "onSupervisionEvent",
  "isolate"
]

const resolveHost = (protocol: unknown, behavior: unknown, options: unknown): Resolved | InvalidClusterOptions => {
  const c = new Checker("ClusterActor.host")
  if (!Protocol.isProtocol(protocol)) return c.fail("protocol", protocol, "must be made by Protocol.make (@arbor/worker)") ?? c.error!
  for (const tag of protocol.tags) {
    if (tag.startsWith("Arbor/")) return c.fail("protocol", tag, "a message tag may not start with \"Arbor/\" (reserved)") ?? c.error!
  }
  if (typeof behavior !== "object" || behavior === null) {
    return c.fail("behavior", behavior, "must be made by Actor.make") ?? c.error!
  }
  const o = c.object("options", options, HOST_KEYS) ?? {}
  if (c.error) return c.error
  const restart = c.oneOf("restart", o.restart, ["permanent", "transient", "temporary"], "permanent")
  const intensity = c.int("intensity", o.intensity, 3, 0)
  const period = c.duration("period", o.period, Duration.seconds(5))
  const r = c.object("rebuild", o.rebuild, ["delay", "maxRebuilds", "window"]) ?? {}
  const rebuildDelay = c.duration("rebuild.delay", r.delay, Duration.seconds(1))
  const maxRebuilds = c.int("rebuild.maxRebuilds", r.maxRebuilds, 3, 0)
  const rebuildWindow = c.duration("rebuild.window", r.window, Duration.minutes(1))
  const maxIdleTime = o.maxIdleTime === undefined ? undefined : c.duration("maxIdleTime", o.maxIdleTime, Duration.minutes(1))
  if (maxIdleTime !== undefined && restart === "permanent") {
    c.fail("maxIdleTime", o.maxIdleTime, "a permanent actor is kept alive, never passivated: use restart \"transient\" or \"temporary\"")
  }
  const askTimeout = c.duration("askTimeout", o.askTimeout, Duration.seconds(30))
  const watchHeartbeat = c.duration("watchHeartbeat", o.watchHeartbeat, Duration.seconds(1))
  const mailboxCapacity = o.mailboxCapacity === undefined ? undefined : c.int("mailboxCapacity", o.mailboxCapacity, 1, 1)
  for (const key of ["onEvent", "onSupervisionEvent"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "function") c.fail(key, o[key], "must be a function")
  }
  if (o.restartDelay !== undefined && (typeof o.restartDelay !== "object" || o.restartDelay === null)) {
    c.fail("restartDelay", o.restartDelay, "must be a Schedule")
  }
  const isolate = resolveIsolate(c, o.isolate)
  if (c.error) return c.error
  return {
    isolate,
    restart,
    intensity,
    period,
    restartDelay: o.restartDelay as Resolved["restartDelay"],
    rebuildDelay,
    maxRebuilds,
    rebuildWindow,
    maxIdleTime,
    askTimeout,
    watchHeartbeat,
    mailboxCapacity,
    onEvent: o.onEvent as Resolved["onEvent"],
    onSupervisionEvent: o.onSupervisionEvent as Resolved["onSupervisionEvent"]
  }
}

// -----------------------------------------------------------------------------------------
// one activation
// -----------------------------------------------------------------------------------------

interface Current {
  readonly ref: ActorRef.ActorRef<any>
  readonly incarnation: string
}

/** The state of one activation of a hosted entity. */
class Activation {
  current: Current | undefined = undefined
  status: "running" | "unavailable" | "failed" = "running"
  supervisor: ActorRef.ActorRef<any> | undefined = undefined
  /** The actor ended and its supervisor will not restart it: the next message starts it. */
  idle = false
  closing = false
  lastWhy: "restarted" | "stopped" = "restarted"
  lastDetail = ""
  readonly rebuildTimes: Array<number> = []
  readonly waiters: Array<() => void> = []
  readonly subscribers = new Set<Queue.Queue<WatchItem, any>>()

  constructor(
    readonly entity: string,
    readonly activation: string,
    readonly options: Resolved
  ) {}

  event(event: HostEvent): void {
    try {
      this.options.onEvent?.(event)
    } catch {
      // an observer's exception is ignored
    }
  }

  publish(item: WatchItem): void {
    for (const q of this.subscribers) Queue.offerUnsafe(q, item)
  }

  wake(): void {
    for (const w of this.waiters.splice(0)) w()
  }

  error(kind: RemoteActorError["kind"], detail: string, incarnation = "", why?: RemoteActorError["why"]): RemoteActorError {
    return new RemoteActorError({
      kind,
      entity: this.entity,
      activation: this.activation,
      incarnation,
      detail,
      ...(why === undefined ? {} : { why })
    })
  }
}

// -----------------------------------------------------------------------------------------
// hosting
// -----------------------------------------------------------------------------------------

/**
 * Hosts `behavior` as the cluster entity of `protocol`: the entity type is the protocol's
 * name, and every id is one virtual actor, activated by its first message on the runner that
 * owns the id's shard. Provide the layer on every runner that may host the protocol
 * (a `Cluster.layer` with `runner`, or the in-memory one).
 *
 * Each activation:
 * - starts an Arbor `Supervisor` (one-for-one; `intensity`, `period`, `restartDelay`) whose one
 *   child spawns the behaviour; every (re)start takes a fresh **incarnation** id;
 * - forwards each message to the current incarnation: requests with `ActorRef.ask` (bounded by
 *   `askTimeout`), plain messages with `ActorRef.send`; the reply carries the activation and
 *   incarnation ids, failures cross as `RemoteActorError`;
 * - a crash restarts the actor in place; the message that crashed it is never replayed
 *   (`disableFatalDefects: true`); its asker gets `ActorExited`;
 * - streams every incarnation's start and end to watching refs (the internal, forked
 *   `Arbor/Watch` stream), with a heartbeat every `watchHeartbeat`;
 * - `restart: "permanent"` keeps the entity alive (`Entity.keepAlive`); the others are
 *   passivated after `maxIdleTime`.
 *
 * Fails (building the layer) with `InvalidClusterOptions` for a bad option; nothing is
 * registered then.
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { ClusterActor } from "@arbor/cluster"
 * import { Protocol } from "@arbor/worker"
 * import { Effect, Schema } from "effect"
 *
 * const CounterProtocol = Protocol.make("Counter", {
 *   Add: { payload: { n: Schema.Int } },
 *   Get: { reply: Schema.Int }
 * })
 * const Counter = Actor.make<Protocol.Type<typeof CounterProtocol>>()({
 *   init: () => Effect.succeed(0),
 *   receive: { Add: (n, m) => n + m.n, Get: (n) => Actor.reply(n, n) }
 * })
 * // on every runner: Layer<never, InvalidClusterOptions, Sharding | ActorSystem>
 * const CounterLive = ClusterActor.host(CounterProtocol, Counter, { restart: "transient", maxIdleTime: "5 minutes" })
 * ```
 *
 * @category hosting
 * @since 0.1.0
 */
export const host = <P extends Protocol.Protocol<any, any, any>, IE, R>(
  protocol: P,
  behavior: Actor.Behavior<Protocol.Type<P>, IE, R>,
  options?: HostOptions
): Layer.Layer<never, InvalidClusterOptions, Sharding.Sharding | ActorSystem.ActorSystem | Exclude<R, Scope.Scope>> =>
  Layer.unwrap(Effect.suspend(() => {
    const resolved = resolveHost(protocol, behavior, options)
    if (resolved instanceof InvalidClusterOptions) return Effect.fail(resolved)
    const entity = entityOf(protocol)
    const build = buildActivation(protocol, behavior as Actor.Behavior<unknown, unknown, never>, resolved)
    return Effect.succeed(entity.toLayer(build as never, {
      disableFatalDefects: true,
      concurrency: 1,
      ...(resolved.maxIdleTime === undefined ? {} : { maxIdleTime: resolved.maxIdleTime }),
      ...(resolved.mailboxCapacity === undefined ? {} : { mailboxCapacity: resolved.mailboxCapacity })
    }) as Layer.Layer<never>)
  })) as never

const buildActivation = (
  protocol: Protocol.Protocol<any, any, any>,
  behavior: Actor.Behavior<unknown, unknown, never>,
  o: Resolved
) =>
  Effect.gen(function*() {
    const address = yield* Entity.CurrentAddress
    const sharding = yield* Sharding.Sharding
    const scope = yield* Effect.scope
    const clock = yield* Clock.Clock
    // callbacks (an actor's end) fork with the activation's services: its Clock, its logger
    const context = yield* Effect.context<never>()
    const fork = Effect.runForkWith(context)
    const entityName = `${protocol.name}/${address.entityId}`
    const act = new Activation(entityName, String(yield* sharding.getSnowflake), o)

    const child: Child.ChildSpec<any> = {
      id: "actor",
      restart: o.restart,
      start: Effect.gen(function*() {
        const ref = o.isolate === undefined
          ? yield* Actor.spawn(behavior, { label: entityName })
          : yield* spawnIsolated(protocol, behavior, o.isolate, entityName)
        const incarnation = String(yield* sharding.getSnowflake)
        act.current = { ref, incarnation }
        act.idle = false
        ActorRef.onExit(ref, (reason) => {
          if (act.current?.ref === ref) act.current = undefined
          if (act.closing) return
          const restarts = o.restart === "permanent" || (o.restart === "transient" && ExitReason.isAbnormal(reason))
          const why = restarts ? "restarted" : "stopped"
          act.lastWhy = why
          act.lastDetail = `incarnation ${incarnation} ended: ${ExitReason.format(reason)}`
          if (!restarts) act.idle = true
          act.publish({ _tag: "Down", activation: act.activation, incarnation, why, detail: act.lastDetail })
          act.event({ _tag: "IncarnationEnded", entity: entityName, activation: act.activation, incarnation, reason, why })
          act.wake()
        })
        act.publish({ _tag: "Up", activation: act.activation, incarnation })
        act.event({ _tag: "IncarnationStarted", entity: entityName, activation: act.activation, incarnation })
        act.wake()
        return ref
      })
    }

    const startSupervisor: Effect.Effect<void> = Effect.gen(function*() {
      const supScope = yield* Scope.fork(scope)
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: o.intensity,
        period: o.period,
        children: [child],
        label: `${entityName} supervisor`,
        ...(o.restartDelay === undefined ? {} : { restartDelay: o.restartDelay }),
        ...(o.onSupervisionEvent === undefined ? {} : { onEvent: o.onSupervisionEvent })
      }).pipe(Scope.provide(supScope)) as Effect.Effect<ActorRef.ActorRef<any>, unknown>
      act.supervisor = sup
      act.status = "running"
      ActorRef.onExit(sup, (reason) => {
        if (act.closing) return
        act.supervisor = undefined
        act.current = undefined
        fork(Effect.andThen(Scope.close(supScope, Exit.void), escalate(ExitReason.format(reason))))
      })
    }).pipe(Effect.catchCause((cause) => escalate(`the supervisor did not start: ${String(cause)}`)))

    /** The in-entity supervisor gave up: unavailable, then rebuild after a delay, or give up. */
    const escalate = (detail: string): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (act.closing) return Effect.void
        act.status = "unavailable"
        act.publish({ _tag: "Unavailable", activation: act.activation, detail })
        act.event({ _tag: "Unavailable", entity: entityName, activation: act.activation, detail })
        act.wake()
        const now = clock.currentTimeMillisUnsafe()
        const windowStart = now - Duration.toMillis(o.rebuildWindow)
        while (act.rebuildTimes.length > 0 && act.rebuildTimes[0]! < windowStart) act.rebuildTimes.shift()
        if (act.rebuildTimes.length >= o.maxRebuilds) {
          act.status = "failed"
          act.event({ _tag: "GaveUp", entity: entityName, activation: act.activation, rebuilds: act.rebuildTimes.length })
          return Effect.logError(
            `@arbor/cluster: ${entityName} gave up after ${act.rebuildTimes.length} rebuilds within ${
              Duration.format(o.rebuildWindow)
            }; it answers Unavailable until its activation ends (${detail})`
          )
        }
        act.rebuildTimes.push(now)
        return Effect.sleep(o.rebuildDelay).pipe(
          Effect.andThen(Effect.suspend(() => act.closing ? Effect.void : startSupervisor)),
          Effect.andThen(Effect.sync(() => {
            if (act.status === "running") {
              act.event({ _tag: "Rebuilt", entity: entityName, activation: act.activation, rebuilds: act.rebuildTimes.length })
              act.wake()
            }
          })),
          Effect.forkIn(scope),
          Effect.asVoid
        )
      })

    /** The current incarnation: waits for a restart in progress, starts an idle actor. */
    const current: Effect.Effect<Current, RemoteActorError> = Effect.suspend(() => {
      if (act.closing) return Effect.fail(act.error("Unavailable", "the activation is ending (passivated, rebalanced or shut down)"))
      if (act.status !== "running") {
        return Effect.fail(act.error("Unavailable", `the in-entity supervisor gave up (${act.status})`))
      }
      if (act.current !== undefined) return Effect.succeed(act.current)
      if (act.idle && act.supervisor !== undefined) {
        const sup = act.supervisor as Supervisor.SupervisorRef
        act.idle = false
        return Supervisor.deleteChild(sup, "actor").pipe(
          Effect.ignore,
          Effect.andThen(Supervisor.startChild(sup, child)),
          Effect.catchCause(() => Effect.void),
          Effect.andThen(current)
        )
      }
      return Effect.callback<Current, RemoteActorError>((resume) => {
        act.waiters.push(() => resume(current))
      })
    })

    const mapAskError = (cur: Current) => (e: { readonly _tag: string }): RemoteActorError => {
      switch (e._tag) {
        case "ActorNotAlive":
        case "ActorExited":
          return act.error(e._tag, act.lastDetail || `incarnation ${cur.incarnation} ended`, cur.incarnation, act.lastWhy)
        case "AskTimeout":
          return act.error("AskTimeout", `no reply within ${Duration.format(o.askTimeout)}`, cur.incarnation)
        default:
          return act.error("MailboxFull", "the hosted actor's mailbox refused the message", cur.incarnation)
      }
    }

    const handlers: Record<string, (request: any) => unknown> = {}
    for (const tag of protocol.tags) {
      const isRequest = protocol.requests.has(tag)
      handlers[tag] = (request: { readonly payload: object }) =>
        Effect.gen(function*() {
          const cur = yield* current
          const msg = { ...request.payload, _tag: tag }
          if (isRequest) {
            const value = yield* ActorRef.ask(cur.ref, msg as never, { timeout: o.askTimeout }).pipe(
              Effect.mapError(mapAskError(cur))
            )
            return { value, activation: act.activation, incarnation: cur.incarnation }
          }
          yield* ActorRef.send(cur.ref, msg).pipe(Effect.mapError(mapAskError(cur)))
          return { activation: act.activation, incarnation: cur.incarnation }
        })
    }
    handlers[WATCH] = () =>
      Rpc.fork(Stream.callback<WatchItem>((queue) =>
        Effect.gen(function*() {
          act.subscribers.add(queue)
          yield* Effect.addFinalizer(() => Effect.sync(() => act.subscribers.delete(queue)))
          if (act.current !== undefined) {
            Queue.offerUnsafe(queue, { _tag: "Up", activation: act.activation, incarnation: act.current.incarnation })
          } else if (act.status !== "running") {
            Queue.offerUnsafe(queue, { _tag: "Unavailable", activation: act.activation, detail: "the in-entity supervisor gave up" })
          } else if (act.idle) {
            // a watch is a message too: an actor that ended without restart starts afresh (its Up follows)
            yield* Effect.forkScoped(Effect.ignore(current))
          }
          yield* Effect.sleep(o.watchHeartbeat).pipe(
            Effect.andThen(Effect.sync(() => Queue.offerUnsafe(queue, { _tag: "Heartbeat", activation: act.activation }))),
            Effect.forever,
            Effect.forkScoped
          )
        })
      ))

    act.event({ _tag: "Activated", entity: entityName, activation: act.activation })
    if (o.restart === "permanent") yield* Entity.keepAlive(true)
    yield* startSupervisor
    // runs before the supervisor's own finalizer (finalizers run newest first): watchers hear
    // that this activation ended, not that its actor was stopped
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        act.closing = true
        const inc = act.current?.incarnation ?? ""
        act.publish({
          _tag: "Down",
          activation: act.activation,
          incarnation: inc,
          why: "moved",
          detail: "the activation ended (passivated, rebalanced or shut down)"
        })
        for (const q of act.subscribers) Queue.endUnsafe(q)
        act.subscribers.clear()
        act.event({ _tag: "Passivated", entity: entityName, activation: act.activation })
        act.status = "failed"
        act.wake()
      })
    )
    return handlers
  })

// -----------------------------------------------------------------------------------------
// singletons
// -----------------------------------------------------------------------------------------

/**
 * Options of {@link singleton}.
 *
 * @category options
 * @since 0.1.0
 */
export interface SingletonOptions {
  /** After the subtree's root supervisor ends (it gave up), wait this long and start it again. Default 1 second. */
  readonly restartDelay?: Duration.Input
  /** The engine's shard group of the singleton. Default `"default"`. */
  readonly shardGroup?: string
}

/**
 * Runs a supervision subtree once in the whole cluster (OTP's distributed application): the
 * runner that owns the singleton's shard starts `Supervisor.start(spec)`; when that runner
 * leaves or dies, another one starts it (state is not carried over). If the subtree's root
 * gives up, it is started again after `restartDelay`. Provide the layer on every runner.
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { ClusterActor } from "@arbor/cluster"
 * import { Child } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * const Janitor = Actor.make<{ readonly _tag: "Sweep" }>()({ init: () => Effect.succeed(0), receive: { Sweep: (n) => n + 1 } })
 * const JanitorLive = ClusterActor.singleton("janitor", {
 *   strategy: "one-for-one",
 *   children: [Child.worker({ id: "janitor", start: Actor.spawn(Janitor) })]
 * })
 * ```
 *
 * @category hosting
 * @since 0.1.0
 */
export const singleton = <const S extends Supervisor.AnySupervisorSpec>(
  name: string,
  spec: S,
  options?: SingletonOptions
): Layer.Layer<never, InvalidClusterOptions, Sharding.Sharding | ActorSystem.ActorSystem | Supervisor.ServicesOfSpec<S>> =>
  Layer.unwrap(Effect.suspend(() => {
    const c = new Checker("ClusterActor.singleton")
    if (typeof name !== "string" || name.length === 0) c.fail("name", name, "must be a non-empty string")
    if (typeof spec !== "object" || spec === null) c.fail("spec", spec, "must be a SupervisorSpec")
    const o = c.object("options", options, ["restartDelay", "shardGroup"]) ?? {}
    const delay = c.duration("restartDelay", o.restartDelay, Duration.seconds(1))
    if (o.shardGroup !== undefined && (typeof o.shardGroup !== "string" || o.shardGroup.length === 0)) {
      c.fail("shardGroup", o.shardGroup, "must be a non-empty string")
    }
    if (c.error) return Effect.fail(c.error)
    const run = Effect.scoped(Effect.gen(function*() {
      const sup = yield* Supervisor.start(spec)
      return yield* ActorRef.monitor(sup)
    })).pipe(
      Effect.exit,
      Effect.flatMap((exit) =>
        Effect.logWarning(`@arbor/cluster: singleton ${name} ended (${
          Exit.isSuccess(exit) ? ExitReason.format(exit.value) : String(exit.cause)
        }); starting it again in ${Duration.format(delay)}`)
      ),
      Effect.andThen(Effect.sleep(delay)),
      Effect.forever
    )
    return Effect.succeed(
      Singleton.make(name, run as Effect.Effect<never>, o.shardGroup === undefined ? undefined : { shardGroup: o.shardGroup as string })
    )
  })) as never
