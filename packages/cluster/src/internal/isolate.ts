/**
 * `ClusterActor.host`'s `isolate: { worker }`: the hosted actor runs in a worker thread of its
 * activation (`@arbor/worker`), so a handler that never yields blocks that thread only — the
 * watchdog terminates it and the in-entity supervisor restarts the actor — and not the runner's
 * event loop, which every other entity of the runner (and its shard-lock refresh) shares.
 */
import type { Actor, ActorRef, ActorSystem, Errors } from "@arbor/core"
import { Durations } from "@arbor/core"
import type { Protocol } from "@arbor/worker"
import { WorkerActor } from "@arbor/worker"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Checker } from "./options.ts"

/** What `isolate.worker` resolves to: the thread's entry and `WorkerActor.spawn`'s options. */
export interface ResolvedIsolate {
  readonly entry: WorkerActor.Entry
  readonly spawn: Omit<WorkerActor.SpawnOptions, "label">
}

const WORKER_KEYS = ["entry", "heartbeat", "resourceLimits", "startTimeout", "shutdown"]
const LIMIT_KEYS = ["maxOldGenerationSizeMb", "maxYoungGenerationSizeMb", "codeRangeSizeMb", "stackSizeMb"]

/**
 * Checks `isolate` when the layer is built (so a mistake is an `InvalidClusterOptions` then, not
 * an entity that cannot start its actor later): its one key `worker`, the entry (a `file:` URL
 * or absolute path, and a non-empty export name), and the thread options with
 * `@arbor/worker`'s rules (durations > 0, heartbeat timeout longer than its interval, resource
 * limits in MB > 0).
 */
export const resolveIsolate = (c: Checker, value: unknown): ResolvedIsolate | undefined => {
  const o = c.object("isolate", value, ["worker"])
  if (o === undefined) return undefined
  if (o.worker === undefined) return c.fail("isolate.worker", undefined, "is required: { entry: { module, export }, heartbeat?, resourceLimits?, startTimeout?, shutdown? }")
  const w = c.object("isolate.worker", o.worker, WORKER_KEYS)
  if (w === undefined) return undefined
  const e = c.object("isolate.worker.entry", w.entry, ["module", "export"])
  if (e === undefined) return w.entry === undefined ? c.fail("isolate.worker.entry", undefined, "is required: { module: import.meta.url, export: \"<name of a WorkerActor.make definition>\" }") : undefined
  const module = e.module
  const moduleOk = module instanceof URL ? module.protocol === "file:" : typeof module === "string" && (module.startsWith("file:") || module.startsWith("/"))
  if (!moduleOk) c.fail("isolate.worker.entry.module", module instanceof URL ? module.href : module, "must be a file: URL or an absolute path (e.g. import.meta.url)")
  if (typeof e.export !== "string" || e.export.length === 0) c.fail("isolate.worker.entry.export", e.export, "must be the non-empty name of the module's WorkerActor.make export")
  const hb = c.object("isolate.worker.heartbeat", w.heartbeat, ["interval", "timeout"])
  const interval = c.duration("isolate.worker.heartbeat.interval", hb?.interval, Duration.seconds(1))
  const timeout = c.duration("isolate.worker.heartbeat.timeout", hb?.timeout, Duration.seconds(4))
  if (!c.error && Duration.toMillis(timeout) <= Duration.toMillis(interval)) {
    c.fail("isolate.worker.heartbeat.timeout", hb?.timeout ?? "4 seconds", `must be longer than the heartbeat interval (${Duration.format(interval)})`)
  }
  const limits = c.object("isolate.worker.resourceLimits", w.resourceLimits, LIMIT_KEYS)
  for (const [key, mb] of Object.entries(limits ?? {})) {
    if (typeof mb !== "number" || !Number.isFinite(mb) || mb <= 0) c.fail(`isolate.worker.resourceLimits.${key}`, mb, "must be a finite number of MB > 0")
  }
  if (w.startTimeout !== undefined) c.duration("isolate.worker.startTimeout", w.startTimeout, Duration.seconds(30))
  if (w.shutdown !== undefined && w.shutdown !== "brutal" && Durations.decode(w.shutdown) === undefined) {
    c.fail("isolate.worker.shutdown", w.shutdown, "must be \"brutal\" or a duration")
  }
  if (c.error) return undefined
  const spawn: Record<string, unknown> = {}
  for (const key of ["heartbeat", "resourceLimits", "startTimeout", "shutdown"]) {
    if (w[key] !== undefined) spawn[key] = w[key]
  }
  return { entry: { module: module as string | URL, export: e.export as string }, spawn: spawn as ResolvedIsolate["spawn"] }
}

/**
 * The hosted actor's start with isolation: a worker thread that loads the `WorkerActor.make`
 * definition named by the entry (the thread checks that its protocol's hash is this one's) and
 * an ordinary `ActorRef` proxy for it, ending with the thread's reason (`Killed` after a hang,
 * `Failure(WorkerExited)` after an exit or OOM) — which the in-entity supervisor restarts like
 * any crash.
 */
export const spawnIsolated = (
  protocol: Protocol.Protocol<any, any, any>,
  behavior: Actor.Behavior<unknown, unknown, never>,
  isolate: ResolvedIsolate,
  label: string
): Effect.Effect<
  ActorRef.ActorRef<any>,
  WorkerActor.InvalidWorkerOptions | WorkerActor.WorkerStartFailed | Errors.InvalidActorOptions | Errors.StartTimeout,
  Scope.Scope | ActorSystem.ActorSystem
> => WorkerActor.spawn(WorkerActor.make(protocol, behavior as never, isolate.entry), { ...isolate.spawn, label })
