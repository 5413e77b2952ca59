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
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { ActorRef } from "@arbor/core"
import { InvalidChildSpec } from "./Errors.ts"

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
 * A child spec; services `R` are what its start needs.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildSpec<R = never> {
  readonly id: string
  readonly start: Effect.Effect<ActorRef.ActorRef<any> | Ignore, unknown, R>
  readonly restart?: RestartType
  readonly shutdown?: Shutdown
  readonly type?: ChildType
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

/** A validated child spec. @internal */
export interface ValidChild<R = unknown> {
  readonly id: string
  readonly start: Effect.Effect<ActorRef.ActorRef<any> | Ignore, unknown, R>
  readonly restart: RestartType
  readonly shutdown: "brutal" | "infinity" | Duration.Duration
  readonly type: ChildType
  readonly significant: boolean
}

const RESTARTS: ReadonlyArray<string> = ["permanent", "transient", "temporary"]
const TYPES: ReadonlyArray<string> = ["worker", "supervisor"]

/** Decodes a shutdown spec; `undefined` when invalid. @internal */
export const decodeShutdown = (input: unknown): "brutal" | "infinity" | Duration.Duration | undefined => {
  if (input === "brutal" || input === "infinity") return input
  if (typeof input === "number" && !(Number.isFinite(input) && input >= 0)) return undefined
  if (typeof input !== "number" && typeof input !== "string" && typeof input !== "bigint" && !Duration.isDuration(input)) {
    if (typeof input !== "object" || input === null) return undefined
  }
  try {
    const d = Duration.fromInputUnsafe(input as Duration.Input)
    if (Duration.isNegative(d)) return undefined
    return Duration.isFinite(d) ? d : "infinity"
  } catch {
    return undefined
  }
}

/** Validates one child spec. @internal */
export const validate = (
  supervisor: string | undefined,
  spec: ChildSpec<unknown>,
  autoShutdown: "never" | "any-significant" | "all-significant"
): ValidChild | InvalidChildSpec => {
  const id = typeof spec === "object" && spec !== null ? spec.id : undefined
  const invalid = (field: string, value: unknown, reason: string) =>
    new InvalidChildSpec({ supervisor, child: typeof id === "string" ? id : undefined, field, value, reason })
  if (typeof spec !== "object" || spec === null) return invalid("spec", spec, "must be an object")
  if (typeof id !== "string" || id.length === 0) return invalid("id", id, "must be a non-empty string")
  if (typeof spec.start !== "object" || spec.start === null) {
    return invalid("start", spec.start, "must be an Effect that starts the child")
  }
  const restart = spec.restart ?? "permanent"
  if (!RESTARTS.includes(restart)) return invalid("restart", restart, `must be one of ${RESTARTS.join(", ")}`)
  const type = spec.type ?? "worker"
  if (!TYPES.includes(type)) return invalid("type", type, `must be one of ${TYPES.join(", ")}`)
  const rawShutdown = spec.shutdown ?? (type === "supervisor" ? "infinity" : "5 seconds")
  const shutdown = decodeShutdown(rawShutdown)
  if (shutdown === undefined) {
    return invalid("shutdown", rawShutdown, `must be "brutal", "infinity" or a non-negative duration`)
  }
  const significant = spec.significant ?? false
  if (typeof significant !== "boolean") return invalid("significant", significant, "must be a boolean")
  if (significant && restart === "permanent") {
    return invalid("significant", significant, "a permanent child cannot be significant (use transient or temporary)")
  }
  if (significant && autoShutdown === "never") {
    return invalid("significant", significant, `a significant child needs autoShutdown "any-significant" or "all-significant"`)
  }
  return { id, start: spec.start, restart, shutdown, type, significant }
}
