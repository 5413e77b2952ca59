/**
 * What `@arbor/testkit` needs from core's internals, and nothing more. It is the one internal
 * module the package exports (`@arbor/core/internal/harness`); it is not part of Arbor's API,
 * may change with any release, and is meant for `@arbor/testkit` only:
 *
 * - {@link dispatchOf}: the dispatch `Actor.make` builds from a `receive`, so `Faults.define`
 *   wraps core's own dispatch instead of a copy;
 * - {@link dispatchOfRef}: the dispatch an actor runs, so `Faults.crash` can tell an actor
 *   built by `Faults.define` from any other;
 * - {@link mailboxOf}: how many messages wait in an actor's mailbox and how many it holds, so
 *   `Faults.crash` reports a full bounded mailbox instead of waiting on it;
 * - {@link isDispatcherIdle}: whether a system's dispatcher has an actor queued to run, and
 *   {@link SystemWatcher} / {@link isSystemIdle}: the same for each built-in system made in a
 *   test world (so a wrapper built on `ActorSystem.make` is seen too), for `TestSystem.untilIdle`.
 *
 * @internal
 */
import type { ActorRef } from "../ActorRef.ts"
import type { ActorSystemService } from "../ActorSystem.ts"
import type { Dispatch } from "./dispatch.ts"
import { Ref } from "./ref.ts"
import { type SystemState, stateOf } from "./system.ts"

export { type SystemState, SystemWatcher } from "./system.ts"

export { type Dispatch, dispatchOf } from "./dispatch.ts"

/** The dispatch the actor behind `ref` runs; `undefined` when `ref` is not an actor reference. */
export const dispatchOfRef = (ref: ActorRef<any>): Dispatch | undefined =>
  ref instanceof Ref ? Ref.cellOf(ref).behavior.receive : undefined

/**
 * The messages waiting in the actor's mailbox (senders suspended on a full one included) and its
 * capacity (`Infinity` when unbounded); `undefined` when `ref` is not an actor reference.
 */
export const mailboxOf = (ref: ActorRef<any>): { readonly size: number; readonly capacity: number } | undefined => {
  if (!(ref instanceof Ref)) return undefined
  const cell = Ref.cellOf(ref)
  return { size: cell.mailboxSize(), capacity: cell.capacity }
}

/**
 * `true` when the system's dispatcher has no actor queued and no turn pending; `undefined` when
 * `system` is not the built-in implementation (whose dispatcher this module can read).
 */
export const isDispatcherIdle = (system: ActorSystemService): boolean | undefined =>
  stateOf(system)?.dispatcher.idle

/** `true` when the dispatcher of the built-in system on `state` has no actor queued and no turn pending. */
export const isSystemIdle = (state: SystemState): boolean => state.dispatcher.idle
