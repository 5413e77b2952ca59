/**
 * What a supervisor reports about its children. A supervisor reports the events of its whole
 * subtree: `supervisor` is the path of child ids from the root supervisor to the supervisor
 * the event is about (`[]` for the root itself).
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type { ActorRef, ExitReason } from "@arbor/core"

/**
 * One supervision event.
 *
 * - `ChildStarted`: a child's start completed (`restart` is `true` when the supervisor
 *   started it again after an exit).
 * - `ChildStartIgnored`: a start returned `Child.ignore`.
 * - `ChildStartFailed`: a start failed.
 * - `ChildExited`: a child ended, for any reason, including when its supervisor stopped it.
 *   Reported at the moment it ended, before its supervisor reacts.
 * - `ChildNotRestarted`: the supervisor handled a child's own exit and decided not to restart
 *   it (temporary, or transient with a clean reason).
 * - `RestartScheduled`: a restart waits for the backoff delay.
 * - `RestartIntensityExceeded`: more restarts than the intensity allows within the period; the
 *   supervisor stops its children and exits with `Shutdown`.
 * - `AutoShutdown`: a significant child's exit shut the supervisor down.
 *
 * @category models
 * @since 0.1.0
 */
export type SupervisionEvent =
  | {
    readonly _tag: "ChildStarted"
    readonly supervisor: ReadonlyArray<string>
    readonly child: string
    readonly ref: ActorRef.ActorRef<never>
    readonly incarnation: number
    readonly restart: boolean
  }
  | {
    readonly _tag: "ChildStartIgnored"
    readonly supervisor: ReadonlyArray<string>
    readonly child: string
    readonly incarnation: number
  }
  | {
    readonly _tag: "ChildStartFailed"
    readonly supervisor: ReadonlyArray<string>
    readonly child: string
    readonly incarnation: number
    readonly cause: Cause.Cause<unknown>
  }
  | {
    readonly _tag: "ChildExited"
    readonly supervisor: ReadonlyArray<string>
    readonly child: string
    readonly ref: ActorRef.ActorRef<never>
    readonly incarnation: number
    readonly reason: ExitReason.ExitReason
  }
  | {
    readonly _tag: "ChildNotRestarted"
    readonly supervisor: ReadonlyArray<string>
    readonly child: string
    readonly ref: ActorRef.ActorRef<never>
    readonly incarnation: number
  }
  | {
    readonly _tag: "RestartScheduled"
    readonly supervisor: ReadonlyArray<string>
    readonly child: string
    readonly delayMillis: number
  }
  | {
    readonly _tag: "RestartIntensityExceeded"
    readonly supervisor: ReadonlyArray<string>
    readonly intensity: number
    readonly periodMillis: number
  }
  | {
    readonly _tag: "AutoShutdown"
    readonly supervisor: ReadonlyArray<string>
    readonly child: string
  }
