/**
 * Why an actor ended: a closed union, the vocabulary that supervisors, links and
 * monitors reason about.
 *
 * | reason | OTP equivalent | meaning |
 * |---|---|---|
 * | `Normal` | `normal` | the actor chose to stop (a handler returned {@link Actor.stop} with no reason) |
 * | `Shutdown` | `shutdown` / `{shutdown, T}` | it was asked to stop (by `ActorRef.stop`, its scope closing, or its supervisor); may carry a payload |
 * | `Failure` | any other term | a handler or hook failed with a typed error, died with a defect or threw; carries the full `Cause` |
 * | `Killed` | `killed` | it was forced to stop (`ActorRef.kill`, brutal kill, a shutdown timeout); its stop hook did not run |
 *
 * Effect's `Exit`/`Cause` are mapped onto this union in exactly one place:
 * {@link fromExit}.
 *
 * @module
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"

/**
 * The actor stopped on its own, gracefully.
 *
 * @category models
 * @since 0.1.0
 */
export interface Normal {
  /** Discriminant. */
  readonly _tag: "Normal"
}

/**
 * The actor was asked to stop.
 *
 * `payload` distinguishes OTP's `{shutdown, T}` from a bare `shutdown`; both count as a clean exit
 * for restart decisions.
 *
 * @category models
 * @since 0.1.0
 */
export interface Shutdown {
  /** Discriminant. */
  readonly _tag: "Shutdown"
  /** Why the stop was requested (OTP's `T` in `{shutdown, T}`); absent for a bare shutdown. */
  readonly payload?: unknown
}

/**
 * The actor failed: a typed error, a defect, or a thrown value.
 *
 * `cause` is the full Effect `Cause`; `error` is its first typed error or defect, for quick
 * matching.
 *
 * @category models
 * @since 0.1.0
 */
export interface Failure {
  /** Discriminant. */
  readonly _tag: "Failure"
  /** The full cause: typed errors, defects and any interruptions alongside them. */
  readonly cause: Cause.Cause<unknown>
  /** The cause's first typed error, else its first defect (a thrown value), else `undefined`. */
  readonly error: unknown
}

/**
 * The actor was terminated by force; its stop hook was skipped (resource finalizers still ran).
 *
 * @category models
 * @since 0.1.0
 */
export interface Killed {
  /** Discriminant. */
  readonly _tag: "Killed"
}

/**
 * Why an actor ended.
 *
 * @category models
 * @since 0.1.0
 */
export type ExitReason = Normal | Shutdown | Failure | Killed

/**
 * The `Normal` reason.
 *
 * @category constructors
 * @since 0.1.0
 */
export const normal: ExitReason = Object.freeze({ _tag: "Normal" })

/**
 * The `Killed` reason.
 *
 * @category constructors
 * @since 0.1.0
 */
export const killed: ExitReason = Object.freeze({ _tag: "Killed" })

const bareShutdown: Shutdown = Object.freeze({ _tag: "Shutdown" })

/**
 * A `Shutdown` reason, optionally carrying a payload (OTP's `{shutdown, T}`).
 *
 * @example
 * ```ts
 * import { ExitReason } from "@arbor/core"
 * ExitReason.shutdown()            // { _tag: "Shutdown" }
 * ExitReason.shutdown("rebalance") // { _tag: "Shutdown", payload: "rebalance" }
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const shutdown = (...payload: [] | [unknown]): ExitReason =>
  payload.length === 0 ? bareShutdown : { _tag: "Shutdown", payload: payload[0] }

/**
 * A `Failure` reason from a `Cause`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const failure = (cause: Cause.Cause<unknown>): ExitReason => ({
  _tag: "Failure",
  cause,
  error: firstError(cause)
})

/**
 * A `Failure` reason from a typed error value.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fail = (error: unknown): ExitReason => failure(Cause.fail(error))

/**
 * A `Failure` reason from a defect (an unexpected thrown value).
 *
 * @category constructors
 * @since 0.1.0
 */
export const die = (defect: unknown): ExitReason => failure(Cause.die(defect))

const firstError = (cause: Cause.Cause<unknown>): unknown => {
  for (const reason of cause.reasons) {
    if (reason._tag === "Fail") return reason.error
  }
  for (const reason of cause.reasons) {
    if (reason._tag === "Die") return reason.defect
  }
  return undefined
}

/**
 * Maps an Effect `Exit` onto an exit reason — the one place where this mapping lives.
 *
 * - success → `Normal`
 * - a cause with a typed error or a defect → `Failure` (interruptions alongside are kept in the
 *   cause; `error` is the first typed error, else the first defect)
 * - a cause made only of interruptions → `interrupted`, default `Killed`. The runtime passes
 *   `Killed` (or a linked actor's reason) when the actor was interrupted by force, and a
 *   `Failure` carrying the interruption when a handler interrupted itself.
 *
 * @example
 * ```ts
 * import { ExitReason } from "@arbor/core"
 * import { Exit } from "effect"
 * ExitReason.fromExit(Exit.succeed(1))     // { _tag: "Normal" }
 * ExitReason.fromExit(Exit.fail("boom"))   // { _tag: "Failure", error: "boom", cause }
 * ExitReason.fromExit(Exit.interrupt())    // { _tag: "Killed" }
 * ```
 *
 * @category conversions
 * @since 0.1.0
 */
export const fromExit = (exit: Exit.Exit<unknown, unknown>, interrupted: ExitReason = killed): ExitReason => {
  if (Exit.isSuccess(exit)) return normal
  return fromCause(exit.cause, interrupted)
}

/**
 * Maps a `Cause` onto an exit reason; see {@link fromExit}.
 *
 * @category conversions
 * @since 0.1.0
 */
export const fromCause = (cause: Cause.Cause<unknown>, interrupted: ExitReason = killed): ExitReason =>
  Cause.hasInterruptsOnly(cause) ? interrupted : failure(cause)

/**
 * `true` for every reason except `Normal`: the reasons that end a linked actor.
 *
 * `true` for every reason except `Normal`: the reasons that end a linked actor that does not
 * trap exits (Erlang's rule: only `normal` is harmless to links).
 *
 * @category predicates
 * @since 0.1.0
 */
export const propagatesToLinks = (reason: ExitReason): boolean => reason._tag !== "Normal"

/**
 * `true` for the reasons OTP calls abnormal for restart decisions: `Failure` and `Killed`.
 *
 * `Normal` and `Shutdown` (with or without payload) are clean exits, so a transient child that ends
 * with them is not restarted.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isAbnormal = (reason: ExitReason): boolean => reason._tag === "Failure" || reason._tag === "Killed"

/**
 * A short human-readable rendering: `normal`, `shutdown`, `shutdown(payload)`, `killed`,
 * `failure(<error>)`.
 *
 * @category conversions
 * @since 0.1.0
 */
export const format = (reason: ExitReason): string => {
  switch (reason._tag) {
    case "Normal":
      return "normal"
    case "Killed":
      return "killed"
    case "Shutdown":
      return "payload" in reason ? `shutdown(${describe(reason.payload)})` : "shutdown"
    case "Failure":
      return `failure(${describe(reason.error)})`
  }
}

const describe = (u: unknown): string => {
  if (u instanceof Error) return u.message === "" ? u.name : `${u.name}: ${u.message}`
  if (typeof u === "object" && u !== null && "_tag" in u) return String((u as { _tag: unknown })._tag)
  if (typeof u === "string") return u
  try {
    return JSON.stringify(u) ?? String(u)
  } catch {
    return String(u)
  }
}
