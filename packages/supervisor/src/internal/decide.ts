/**
 * The restart decision, as one pure function for both supervisor kinds:
 * `(children, event, policy, intensity window, now) → plan`. It reads the child records and
 * never writes them; the engine (`engine.ts`) executes the plan and is the only writer of child
 * records.
 *
 * OTP's rules, coded once here:
 * - which exits are restarted (`permanent` always, `transient` after an abnormal exit,
 *   `temporary` never) — {@link needsRestart};
 * - which children are dropped rather than kept once they stop running (OTP's `del_child/2`:
 *   temporary children, and every child of a dynamic supervisor) — {@link dropsWhenStopped};
 * - which children a restart stops and starts again (the strategy, `strategy.ts`);
 * - when a restart exceeds the intensity (the sliding window, `intensity.ts`);
 * - when a significant child's exit shuts the supervisor down (`autoShutdown`).
 *
 * @internal
 */
import { ExitReason } from "@arbor/core"
import type { ChildStatus, RestartType } from "../Child.ts"
import type { AutoShutdownName } from "./spec.ts"
import type { StrategyName } from "./strategy.ts"
import { plan as strategyPlan } from "./strategy.ts"

/** A child as the decision reads it (a child record, read-only). */
export interface ChildView {
  readonly spec: {
    readonly id: string
    readonly restart: RestartType
    readonly significant: boolean
  }
  readonly ref: unknown
  readonly status: ChildStatus
  /** A retry of a restart driven by this child is on its way. */
  readonly retryPending: boolean
}

/** The children of a supervisor, in start order, addressed by id. */
export interface ChildrenView {
  readonly get: (id: string) => ChildView | undefined
  /** Every child, in start order. */
  readonly all: () => ReadonlyArray<ChildView>
}

/** The supervisor options the decision depends on. */
export interface Policy {
  /** `"dynamic"`: a dynamic supervisor (one-for-one; a child that stops running is dropped). */
  readonly kind: "static" | "dynamic"
  readonly strategy: StrategyName
  readonly autoShutdown: AutoShutdownName
}

/** The restart intensity as the decision reads it. */
export interface IntensityView {
  /** `true` when one more restart at `now` exceeds the intensity. */
  readonly wouldExceed: (now: number) => boolean
}

/** What happened. */
export type Event =
  /** A running child ended on its own (the supervisor did not stop it). */
  | { readonly _tag: "Exited"; readonly id: string; readonly reason: ExitReason.ExitReason }
  /** An attempt at restarting child `id`, part of a restart, failed to start. */
  | { readonly _tag: "RestartFailed"; readonly id: string }
  /** A scheduled retry of the restart driven by child `id` is due. */
  | { readonly _tag: "Retry"; readonly id: string }
  /** `terminateChild(id)`. */
  | { readonly _tag: "Terminate"; readonly id: string }

/** What to do, executed by the engine step by step in the order of the fields. */
export type Plan =
  /** Nothing (a stale retry). */
  | { readonly _tag: "Nothing" }
  /**
   * The child is not restarted: keep it (not running) or drop it, report it, and maybe shut
   * the supervisor down (its exit was the auto-shutdown trigger).
   */
  | { readonly _tag: "NotRestarted"; readonly id: string; readonly drop: boolean; readonly autoShutdown: boolean }
  /** One more restart exceeds the intensity: give up (stop every child, end with `Shutdown`). */
  | { readonly _tag: "GiveUp" }
  /**
   * Restart: count one restart (`count`), stop the running children of the strategy's range
   * (`stop`, in stop order), drop the ones that are not kept (`drop`), mark the others of the
   * range restarting (`group`, in start order), then — per `next` — start the group now
   * (after the backoff delay if there is one: `"start"`), or leave it to a retry driven by
   * `driver` (`"retry"`, after the next backoff delay).
   */
  | {
    readonly _tag: "Restart"
    readonly driver: string
    readonly count: boolean
    readonly stop: ReadonlyArray<string>
    readonly drop: ReadonlyArray<string>
    readonly group: ReadonlyArray<string>
    /** `"start"`: start now or after the delay; `"retry"`: after the delay via a retry; `"now"`: start now. */
    readonly next: "start" | "retry" | "now"
    /** For the backoff: `true` when a running incarnation just exited. */
    readonly afterExit: boolean
  }
  /**
   * `terminateChild`: stop the child, cancel the restart it was driving (`cancel`: the others
   * of its group waiting for it are no longer restarting), and keep or drop it.
   */
  | { readonly _tag: "Terminate"; readonly id: string; readonly cancel: ReadonlyArray<string>; readonly drop: boolean }

/** `true` when a child with this restart type must be restarted after exiting with `reason`. */
export const needsRestart = (restart: RestartType, reason: ExitReason.ExitReason): boolean =>
  restart === "permanent" || (restart === "transient" && ExitReason.isAbnormal(reason))

/**
 * OTP's `del_child/2`: a child that stops running and is not restarted is dropped when it is
 * temporary or a dynamic supervisor's child; otherwise its spec is kept, not running.
 */
export const dropsWhenStopped = (policy: Policy, restart: RestartType): boolean =>
  policy.kind === "dynamic" || restart === "temporary"

/** The one restart decision. */
export const decide = (
  children: ChildrenView,
  event: Event,
  policy: Policy,
  intensity: IntensityView,
  now: number
): Plan => {
  const child = children.get(event.id)
  if (child === undefined) return { _tag: "Nothing" }
  switch (event._tag) {
    case "Exited": {
      if (!needsRestart(child.spec.restart, event.reason)) {
        const drop = dropsWhenStopped(policy, child.spec.restart)
        return {
          _tag: "NotRestarted",
          id: event.id,
          drop,
          autoShutdown: child.spec.significant && autoShutdownTriggered(children, child, policy)
        }
      }
      if (intensity.wouldExceed(now)) return { _tag: "GiveUp" }
      return restart(children, child, policy, { count: true, next: "start", afterExit: true })
    }
    case "RestartFailed": {
      // counted first, as OTP does when it tries again: if that exceeds the intensity, the
      // children restarted in this round are stopped with all the others
      if (intensity.wouldExceed(now)) return { _tag: "GiveUp" }
      return restart(children, child, policy, { count: true, next: "retry", afterExit: false })
    }
    case "Retry": {
      if (!child.retryPending || child.status !== "restarting") return { _tag: "Nothing" }
      // children of the range that run (restarted in a failed round, or through the API) are
      // stopped again, then the whole range starts in order
      return restart(children, child, policy, { count: false, next: "now", afterExit: false })
    }
    case "Terminate": {
      const cancel: Array<string> = []
      if (child.status === "restarting" && child.retryPending) {
        // the other children of its group, waiting for the same restart, stop being restarted
        const all = children.all()
        const steps = strategyPlan(policy.strategy, all.map(running), all.indexOf(child))
        for (const i of steps.start) {
          const c = all[i]!
          if (c !== child && c.status === "restarting" && c.ref === undefined && !c.retryPending) cancel.push(c.spec.id)
        }
      }
      return { _tag: "Terminate", id: event.id, cancel, drop: dropsWhenStopped(policy, child.spec.restart) }
    }
  }
}

const running = (c: ChildView) => ({ id: c.spec.id, running: c.ref !== undefined })

/** The strategy's range for `driver`: what to stop, drop and restart. */
const restart = (
  children: ChildrenView,
  driver: ChildView,
  policy: Policy,
  how: { readonly count: boolean; readonly next: "start" | "retry" | "now"; readonly afterExit: boolean }
): Plan => {
  const id = driver.spec.id
  if (policy.strategy === "one-for-one") {
    return { _tag: "Restart", driver: id, stop: [], drop: [], group: [id], ...how }
  }
  const all = children.all()
  const steps = strategyPlan(policy.strategy, all.map(running), all.indexOf(driver))
  const stop = steps.stop.map((i) => all[i]!)
  // children stopped by a group restart that are not kept (temporary ones) are dropped
  const dropped = new Set(stop.filter((c) => dropsWhenStopped(policy, c.spec.restart)))
  return {
    _tag: "Restart",
    driver: id,
    stop: stop.map((c) => c.spec.id),
    drop: [...dropped].map((c) => c.spec.id),
    group: steps.start.map((i) => all[i]!).filter((c) => !dropped.has(c)).map((c) => c.spec.id),
    ...how
  }
}

/** Whether the exit of significant child `exited` (not restarted) shuts the supervisor down. */
const autoShutdownTriggered = (children: ChildrenView, exited: ChildView, policy: Policy): boolean => {
  switch (policy.autoShutdown) {
    case "never":
      return false
    case "any-significant":
      return true
    case "all-significant":
      return !children.all().some((c) => c !== exited && c.spec.significant && c.status !== "not_running")
  }
}
