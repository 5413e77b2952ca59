/**
 * The models both supervisor kinds share: strategy and auto-shutdown names, what
 * `whichChildren`, `countChildren` and `snapshot` answer. Public through `Supervisor` (re-exported
 * there); kept here so that the engine does not import `Supervisor.ts`.
 *
 * @internal
 */
import type { ActorRef } from "@arbor/core"
import type { ChildStatus, ChildType, RestartType } from "../Child.ts"

/**
 * How a supervisor restarts children when one exits.
 *
 * `"one-for-one"` (only that child),
 * `"one-for-all"` (all children) or `"rest-for-one"` (that child and the ones started after
 * it).
 *
 * @category models
 * @since 0.1.0
 */
export type Strategy = "one-for-one" | "one-for-all" | "rest-for-one"

/**
 * When significant children shut the supervisor down.
 *
 * `"never"` (default), `"any-significant"`
 * (when any significant child exits on its own and is not restarted) or `"all-significant"`
 * (when the last significant child that was running or restarting does).
 *
 * @category models
 * @since 0.1.0
 */
export type AutoShutdown = "never" | "any-significant" | "all-significant"

/**
 * One entry of `Supervisor.whichChildren`; `Ref` is the child's reference type.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildInfo<Ref = ActorRef.ActorRef<any>> {
  /**
   * The child's id. A dynamic child's is its registry name when its template has a `name`
   * (`"session/alice"`), else the child's label and its number in start order (`"session#1"`;
   * `"#2"` for an unlabelled child), fixed by its first start.
   */
  readonly id: string
  /** The running instance; `undefined` when the child is not running. */
  readonly ref: Ref | undefined
  /** Running, restarting, or kept without an instance. */
  readonly status: ChildStatus
  /** Worker or supervisor. */
  readonly type: ChildType
  /** The child's restart type. */
  readonly restart: RestartType
  /** How many times this spec's start has been called (successful or not). */
  readonly incarnation: number
  /** Dynamic children: the arguments the child was started with. */
  readonly args?: unknown
}

/**
 * One entry of `DynamicSupervisor.whichChildren`: a {@link ChildInfo} with the arguments the
 * child was started with, typed as the template's.
 *
 * @category models
 * @since 0.1.0
 */
export interface DynamicChildInfo<Args, Ref = ActorRef.ActorRef<any>> extends ChildInfo<Ref> {
  /** The arguments the child was started with. */
  readonly args: Args
}

/**
 * The result of `Supervisor.countChildren`, as OTP counts.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildCounts {
  /** Child specs kept (for a dynamic supervisor: 1, its template, as in OTP). */
  readonly specs: number
  /** Children running now. */
  readonly active: number
  /** Children of type supervisor, running or not. */
  readonly supervisors: number
  /** Children of type worker, running or not. */
  readonly workers: number
}

/**
 * A point-in-time view of a supervisor and (through `Supervisor.snapshot`) its whole subtree.
 *
 * @category models
 * @since 0.1.0
 */
export interface Snapshot {
  /** Which kind of supervisor this is. */
  readonly kind: "supervisor" | "dynamic-supervisor"
  /** The supervisor's label, if it has one. */
  readonly label: string | undefined
  /** Child ids from the root supervisor down to this one (`[]` for the root). */
  readonly path: ReadonlyArray<string>
  /** Its strategy (`"one-for-one"` for a dynamic supervisor). */
  readonly strategy: Strategy
  /** Its maximum restarts within the period. */
  readonly intensity: number
  /** Its intensity period, in milliseconds. */
  readonly periodMillis: number
  /** Restarts counted in the current window. */
  readonly restartsInWindow: number
  /** Restarts still allowed in the current window before the supervisor gives up. */
  readonly remainingBudget: number
  /** Its children, in start order. */
  readonly children: ReadonlyArray<ChildSnapshot>
}

/**
 * A child in a `Snapshot`.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildSnapshot extends ChildInfo {
  /** The nested snapshot of a running supervisor child. */
  readonly supervisor?: Snapshot
}

