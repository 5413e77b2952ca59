/**
 * Child specs: how a supervisor starts, restarts and stops one child. Plain readonly data with
 * documented defaults, validated once when the supervisor starts (or at `startChild`), so a bad
 * spec fails with `InvalidChildSpec` naming the child and the field before anything starts.
 *
 * | field | default | meaning |
 * |---|---|---|
 * | `id` | required | unique among the supervisor's children |
 * | `start` | required | an Effect that spawns the child and returns its `ActorRef` (or `Child.ignore`) |
 * | `restart` | `"permanent"` | `"permanent"`: always restarted; `"transient"`: only after an abnormal exit (`Failure`, `Killed`); `"temporary"`: never, and its spec is dropped when it exits |
 * | `shutdown` | worker `"5 seconds"`, supervisor `"infinity"` | `"brutal"`: killed at once; a duration: asked to stop, killed when it has not ended in time; `"infinity"`: asked, and awaited |
 * | `type` | `"worker"` | `"supervisor"` for nested supervisors |
 * | `significant` | `false` | its own exit may shut the supervisor down (see `autoShutdown`); only for transient and temporary children |
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { ActorRef } from "@arbor/core"

/**
 * When a child is restarted: `"permanent"` always, `"transient"` only after an abnormal exit,
 * `"temporary"` never.
 *
 * @category models
 * @since 0.1.0
 */
export type RestartType = "permanent" | "transient" | "temporary"

/**
 * A worker or a nested supervisor.
 *
 * @category models
 * @since 0.1.0
 */
export type ChildType = "worker" | "supervisor"

/**
 * Where a child stands: `"running"` (an instance is alive), `"restarting"` (the supervisor is
 * restarting it: waiting for a backoff delay, or about to retry after a failed attempt) or
 * `"not_running"` (the spec is kept with no instance: its start returned `Child.ignore`, it was
 * terminated through the API, or it exited and was not restarted).
 *
 * @category models
 * @since 0.1.0
 */
export type ChildStatus = "running" | "restarting" | "not_running"

/**
 * How a child is stopped: `"brutal"` (killed at once, stop hook skipped), `"infinity"` (asked
 * to stop and awaited) or a duration (asked, then killed when it has not ended in time).
 *
 * @category models
 * @since 0.1.0
 */
export type Shutdown = "brutal" | "infinity" | Duration.Input

/**
 * What a start may return instead of a reference: "nothing to run, and that is not an error"
 * (OTP's `ignore`). A static child's spec is kept (not running); a temporary one is dropped.
 *
 * @category models
 * @since 0.1.0
 */
export interface Ignore {
  /** Always `"Ignore"`. */
  readonly _tag: "Ignore"
}

/**
 * The `Ignore` value.
 *
 * @category constructors
 * @since 0.1.0
 */
export const ignore: Ignore = Object.freeze({ _tag: "Ignore" as const })

/**
 * `true` if a start returned {@link ignore}.
 *
 * @category guards
 * @since 0.1.0
 */
export const isIgnore = (u: unknown): u is Ignore =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "Ignore"

/**
 * A child spec; services `R` are what its start needs. See the module documentation for the
 * defaults.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildSpec<R = never> {
  /** Unique among the supervisor's children; names the child in the API, events and errors. */
  readonly id: string
  /**
   * Spawns the child (in the scope the supervisor provides) and returns its reference, or
   * `Child.ignore`. Run again for every restart. Its failure is the child's start failure.
   */
  /** Runs inside the supervisor, whose own `Scope` it may use (the child is spawned into it). */
  readonly start: Effect.Effect<ActorRef.ActorRef<any> | Ignore, unknown, R | Scope.Scope>
  /** When to restart it. Default `"permanent"`. */
  readonly restart?: RestartType
  /** How to stop it. Default `"5 seconds"` for a worker, `"infinity"` for a supervisor. */
  readonly shutdown?: Shutdown
  /** Default `"worker"`. Nested supervisors use `"supervisor"` (see `Supervisor.child`). */
  readonly type?: ChildType
  /**
   * Default `false`. A significant child's own exit can shut the supervisor down, per its
   * `autoShutdown`. Only for transient and temporary children.
   */
  readonly significant?: boolean
}

/**
 * A worker child spec (the identity function, for type inference and readability).
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { Child } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * const Worker = Actor.make<{ readonly _tag: "Work" }>()({
 *   init: () => Effect.succeed(null),
 *   receive: { Work: (s) => s }
 * })
 *
 * const spec = Child.worker({ id: "worker", start: Actor.spawn(Worker), restart: "transient", shutdown: "2 seconds" })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const worker = <R>(spec: ChildSpec<R> & { readonly type?: "worker" }): ChildSpec<R> => spec
