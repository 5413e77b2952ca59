/**
 * Typed errors of `@arbor/supervisor`.
 *
 * Each names the supervisor, the child and what is wrong.
 *
 * @module
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import type { ActorRef, ExitReason } from "@arbor/core"

const where = (supervisor: string | undefined) => (supervisor === undefined ? "" : ` in supervisor "${supervisor}"`)

/**
 * A child spec or supervisor option is invalid; nothing was started.
 *
 * `child` is the child id (`undefined` for a supervisor-level option), `field` the offending field.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidChildSpec extends Data.TaggedError("InvalidChildSpec")<{
  /** The label of the supervisor whose spec is invalid, if it has one. */
  readonly supervisor: string | undefined
  /** The child's id (its path, `"sub/worker"`, inside a nested spec); `undefined` for a supervisor option. */
  readonly child: string | undefined
  /** The offending field (`"restart"`, `"shutdown"`, `"intensity"`, ...). */
  readonly field: string
  /** The value that was given. */
  readonly value: unknown
  /** What the field must be. */
  readonly reason: string
}> {
  /** A readable description naming the supervisor, the child, the field and the value. */
  override get message(): string {
    const subject = this.child === undefined ? "supervisor option" : `child "${this.child}"`
    return `invalid ${subject} field ${this.field}${where(this.supervisor)}: ${this.reason} (got ${
      safeString(this.value)
    })`
  }
}

const safeString = (u: unknown): string => {
  try {
    return typeof u === "string" ? JSON.stringify(u) : JSON.stringify(u) ?? String(u)
  } catch {
    return String(u)
  }
}

/**
 * A child failed to start.
 *
 * At supervisor start this fails the whole start (children already started are stopped first, in
 * reverse order); from `startChild`/`restartChild` it is returned and nothing is kept. `cause` is
 * the start effect's failure (for a nested supervisor, its own `ChildStartFailed`). `E` is the
 * error type of the start (the template's, for a dynamic supervisor), so
 * `Cause.findErrorOption(e.cause)` is typed.
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildStartFailed<out E = unknown> extends Data.TaggedError("ChildStartFailed")<{
  /** The label of the supervisor, if it has one. */
  readonly supervisor: string | undefined
  /** The id of the child that failed to start. */
  readonly child: string
  /**
   * Why: the start effect's failure, typed with the start's error type `E` (a defect, or a
   * start that returned neither a reference nor `Child.ignore`, is a `Die` in it).
   */
  readonly cause: Cause.Cause<E>
}> {
  /** A readable description naming the supervisor and the child. */
  override get message(): string {
    return `child "${this.child}" failed to start${where(this.supervisor)}`
  }
}

/**
 * No child with that id (or reference) is known to the supervisor.
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildNotFound extends Data.TaggedError("ChildNotFound")<{
  /** The label of the supervisor, if it has one. */
  readonly supervisor: string | undefined
  /** The id (or printed reference) that was asked for. */
  readonly child: string
}> {
  /** A readable description naming the supervisor and the child. */
  override get message(): string {
    return `no child "${this.child}"${where(this.supervisor)}`
  }
}

/**
 * `startChild` with an id or name whose child is running (OTP's `already_started`).
 *
 * `startChild` with an id whose child is running (OTP's `already_started`); carries its ref —
 * typed with the template's reference for `DynamicSupervisor.startChild` of a named child (see
 * `DynamicSupervisor.startOrLookup` to get that ref without handling the error).
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildAlreadyStarted<out Ref = ActorRef.ActorRef<never>> extends Data.TaggedError("ChildAlreadyStarted")<{
  /** The label of the supervisor, if it has one. */
  readonly supervisor: string | undefined
  /** The child's id (for a named dynamic child, its name). */
  readonly child: string
  /** The running child. */
  readonly ref: Ref
}> {
  /** A readable description naming the supervisor and the child. */
  override get message(): string {
    return `child "${this.child}" is already started${where(this.supervisor)}`
  }
}

/**
 * `startChild` with an id whose spec is kept but not running (OTP's `already_present`): use
 * `restartChild`, or `deleteChild` first.
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildAlreadyPresent extends Data.TaggedError("ChildAlreadyPresent")<{
  /** The label of the supervisor, if it has one. */
  readonly supervisor: string | undefined
  /** The child's id. */
  readonly child: string
}> {
  /** A readable description naming the supervisor and the child. */
  override get message(): string {
    return `child "${this.child}" is already present (not running)${where(this.supervisor)}`
  }
}

/**
 * `restartChild`/`deleteChild` of a child that is running or being restarted.
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildRunning extends Data.TaggedError("ChildRunning")<{
  /** The label of the supervisor, if it has one. */
  readonly supervisor: string | undefined
  /** The child's id. */
  readonly child: string
  /** What the child is doing. */
  readonly status: "running" | "restarting"
}> {
  /** A readable description naming the supervisor, the child and its status. */
  override get message(): string {
    return `child "${this.child}" is ${this.status}${where(this.supervisor)}`
  }
}

/**
 * `Supervisor.childRef` of a child that has no running instance: it is being restarted
 * (`"restarting"`) or kept without one (`"not_running"`).
 *
 * `DynamicSupervisor.startOrLookup` fails with it (`"restarting"`) while the child of that name
 * waits for its restart.
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildNotRunning extends Data.TaggedError("ChildNotRunning")<{
  /** The label of the supervisor, if it has one. */
  readonly supervisor: string | undefined
  /** The child's id. */
  readonly child: string
  /** What the child is doing. */
  readonly status: "restarting" | "not_running"
}> {
  /** A readable description naming the supervisor, the child and its status. */
  override get message(): string {
    return `child "${this.child}" has no running instance (${this.status})${where(this.supervisor)}`
  }
}

/**
 * `DynamicSupervisor.startChild` beyond the supervisor's `maxChildren`.
 *
 * @category errors
 * @since 0.1.0
 */
export class MaxChildrenReached extends Data.TaggedError("MaxChildrenReached")<{
  /** The label of the supervisor, if it has one. */
  readonly supervisor: string | undefined
  /** Its `maxChildren`. */
  readonly maxChildren: number
}> {
  /** A readable description naming the supervisor and its limit. */
  override get message(): string {
    const subject = this.supervisor === undefined ? "the supervisor" : `supervisor "${this.supervisor}"`
    return `${subject} already has its maximum of ${this.maxChildren} children`
  }
}

/**
 * A message a supervisor does not accept from outside.
 *
 * A message a supervisor does not accept from outside: not one of its public requests (an
 * internal message such as `Boot`, a misspelt `_tag`, a value that is not a message).
 *
 * Only a caller that casts past the types can send one; the supervisor answers it with this error
 * (a plain `tell` is dropped) and is otherwise untouched.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnknownRequest extends Data.TaggedError("UnknownRequest")<{
  /** The label of the supervisor, if it has one. */
  readonly supervisor: string | undefined
  /** What was received: `with _tag "Boot"`, `of type number`, ... */
  readonly received: string
}> {
  /** A readable description naming the supervisor and what it received. */
  override get message(): string {
    const subject = this.supervisor === undefined ? "the supervisor" : `supervisor "${this.supervisor}"`
    return `${subject} does not accept a message ${this.received} (not one of its public requests)`
  }
}

/**
 * The root supervisor of an application ended on its own while the application was running.
 *
 * The root supervisor of an application (`Supervisor.layer`) ended on its own — it gave up
 * after too many restarts, an auto-shutdown ended it, or it was stopped from outside — while
 * the application was running.
 *
 * `Supervisor.launch` fails with it, so the program ends with the root's reason instead of running
 * on with a dead tree (OTP's permanent application).
 *
 * @category errors
 * @since 0.1.0
 */
export class RootExited extends Data.TaggedError("RootExited")<{
  /** The label of the root supervisor, if it has one. */
  readonly supervisor: string | undefined
  /** Why the root ended (`Shutdown` after giving up). */
  readonly reason: ExitReason.ExitReason
}> {
  /** A readable description naming the supervisor and its exit reason. */
  override get message(): string {
    const subject = this.supervisor === undefined ? "the root supervisor" : `root supervisor "${this.supervisor}"`
    return `${subject} ended (${this.reason._tag}) while the application was running`
  }
}
