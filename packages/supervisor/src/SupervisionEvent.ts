/**
 * What a supervisor reports about its children.
 *
 * A supervisor reports the events of its whole subtree: `supervisor` is the path of child ids from
 * the root supervisor to the supervisor the event is about (`[]` for the root itself, `["db"]` for
 * the supervisor started as child `"db"` of the root, and so on).
 *
 * Events are delivered synchronously, at the moment they happen, to the `onEvent` callback of
 * the supervisor and of each of its ancestors, and published to the hubs behind
 * `Supervisor.events`. Beyond OTP, which reports these through its logger only.
 *
 * @module
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type { ActorRef, ExitReason } from "@arbor/core"

/**
 * A child's start completed; it is running.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildStarted {
  /** The event's kind. */
  readonly _tag: "ChildStarted"
  /** The path of the supervisor the child belongs to (`[]` for the root). */
  readonly supervisor: ReadonlyArray<string>
  /** The child's id. */
  readonly child: string
  /** The new instance. */
  readonly ref: ActorRef.ActorRef<never>
  /** How many times the child's start has been called, this one included. */
  readonly incarnation: number
  /** `true` when the supervisor started it again after an exit (a restart). */
  readonly restart: boolean
}

/**
 * A child's start returned `Child.ignore`.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildStartIgnored {
  /** The event's kind. */
  readonly _tag: "ChildStartIgnored"
  /** The path of the supervisor the child belongs to. */
  readonly supervisor: ReadonlyArray<string>
  /** The child's id. */
  readonly child: string
  /** How many times the child's start has been called, this one included. */
  readonly incarnation: number
}

/**
 * A child's start failed (failed, died, threw, or returned neither a reference nor
 * `Child.ignore`).
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildStartFailed {
  /** The event's kind. */
  readonly _tag: "ChildStartFailed"
  /** The path of the supervisor the child belongs to. */
  readonly supervisor: ReadonlyArray<string>
  /** The child's id. */
  readonly child: string
  /** How many times the child's start has been called, this one included. */
  readonly incarnation: number
  /** Why the start failed. */
  readonly cause: Cause.Cause<unknown>
}

/**
 * A child ended, for any reason, including when its supervisor stopped it.
 *
 * Reported at the moment it ended, before its supervisor reacts.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildExited {
  /** The event's kind. */
  readonly _tag: "ChildExited"
  /** The path of the supervisor the child belongs to. */
  readonly supervisor: ReadonlyArray<string>
  /** The child's id. */
  readonly child: string
  /** The instance that ended. */
  readonly ref: ActorRef.ActorRef<never>
  /** The incarnation that ended. */
  readonly incarnation: number
  /** Why it ended. */
  readonly reason: ExitReason.ExitReason
}

/**
 * The supervisor handled a child's own exit and decided not to restart it (temporary, or
 * transient with a clean reason).
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildNotRestarted {
  /** The event's kind. */
  readonly _tag: "ChildNotRestarted"
  /** The path of the supervisor the child belongs to. */
  readonly supervisor: ReadonlyArray<string>
  /** The child's id. */
  readonly child: string
  /** The instance that ended. */
  readonly ref: ActorRef.ActorRef<never>
  /** The incarnation that ended. */
  readonly incarnation: number
}

/**
 * A restart waits for a backoff delay (the supervisor's `restartDelay`).
 *
 * @category models
 * @since 0.1.0
 */
export interface RestartScheduled {
  /** The event's kind. */
  readonly _tag: "RestartScheduled"
  /** The path of the supervisor the child belongs to. */
  readonly supervisor: ReadonlyArray<string>
  /** The child whose exit (or failed restart) the restart is for. */
  readonly child: string
  /** The delay, in milliseconds of the `Clock`. */
  readonly delayMillis: number
}

/**
 * More restarts than the intensity allows within the period: the supervisor gives up, stops
 * its children and exits with `Shutdown`.
 *
 * @category models
 * @since 0.1.0
 */
export interface RestartIntensityExceeded {
  /** The event's kind. */
  readonly _tag: "RestartIntensityExceeded"
  /** The path of the supervisor that gives up. */
  readonly supervisor: ReadonlyArray<string>
  /** Its intensity. */
  readonly intensity: number
  /** Its period, in milliseconds. */
  readonly periodMillis: number
}

/**
 * A significant child's own exit shut the supervisor down (its `autoShutdown`).
 *
 * @category models
 * @since 0.1.0
 */
export interface AutoShutdown {
  /** The event's kind. */
  readonly _tag: "AutoShutdown"
  /** The path of the supervisor that shuts down. */
  readonly supervisor: ReadonlyArray<string>
  /** The significant child whose exit triggered it. */
  readonly child: string
}

/**
 * One supervision event.
 *
 * @category models
 * @since 0.1.0
 */
export type SupervisionEvent =
  | ChildStarted
  | ChildStartIgnored
  | ChildStartFailed
  | ChildExited
  | ChildNotRestarted
  | RestartScheduled
  | RestartIntensityExceeded
  | AutoShutdown
