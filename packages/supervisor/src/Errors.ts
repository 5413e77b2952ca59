/**
 * Typed errors of `@arbor/supervisor`. Each names the supervisor, the child and what is wrong.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import type { ActorRef } from "@arbor/core"

const where = (supervisor: string | undefined) => (supervisor === undefined ? "" : ` in supervisor "${supervisor}"`)

/**
 * A child spec or supervisor option is invalid; nothing was started. `child` is the child id
 * (`undefined` for a supervisor-level option), `field` the offending field.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidChildSpec extends Data.TaggedError("InvalidChildSpec")<{
  readonly supervisor: string | undefined
  readonly child: string | undefined
  readonly field: string
  readonly value: unknown
  readonly reason: string
}> {
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
 * A child failed to start. At supervisor start this fails the whole start (children already
 * started are stopped first, in reverse order); from `startChild`/`restartChild` it is
 * returned and nothing is kept. `cause` is the start effect's failure (for a nested supervisor,
 * its own `ChildStartFailed`).
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildStartFailed extends Data.TaggedError("ChildStartFailed")<{
  readonly supervisor: string | undefined
  readonly child: string
  readonly cause: Cause.Cause<unknown>
}> {
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
  readonly supervisor: string | undefined
  readonly child: string
}> {
  override get message(): string {
    return `no child "${this.child}"${where(this.supervisor)}`
  }
}

/**
 * `startChild` with an id whose child is running (OTP's `already_started`); carries its ref.
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildAlreadyStarted extends Data.TaggedError("ChildAlreadyStarted")<{
  readonly supervisor: string | undefined
  readonly child: string
  readonly ref: ActorRef.ActorRef<never>
}> {
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
  readonly supervisor: string | undefined
  readonly child: string
}> {
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
  readonly supervisor: string | undefined
  readonly child: string
  readonly status: "running" | "restarting"
}> {
  override get message(): string {
    return `child "${this.child}" is ${this.status}${where(this.supervisor)}`
  }
}

/**
 * `DynamicSupervisor.startChild` beyond the supervisor's `maxChildren`.
 *
 * @category errors
 * @since 0.1.0
 */
export class MaxChildrenReached extends Data.TaggedError("MaxChildrenReached")<{
  readonly supervisor: string | undefined
  readonly maxChildren: number
}> {
  override get message(): string {
    return `the supervisor${where(this.supervisor)} already has its maximum of ${this.maxChildren} children`
  }
}
