/**
 * What an actor's end tells whom. An actor's ties — its links, the actors it watches and that
 * watch it, its exit callbacks and monitors — live in one `Ties` record, made on first use
 * (most actors have none). `ActorRef.link`, `unlink`, `watch`, `onExit` and `monitor` write
 * them; the run loop calls `announceExit` once, when the actor has died.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { ActorExited, ActorNotAlive } from "../Errors.ts"
import * as Reason from "../ExitReason.ts"
import type { ExitReason } from "../ExitReason.ts"
import { PendingAsk } from "./ask.ts"
import type { DeferredAsks } from "./ask.ts"
import type { Cell, Rider, Waiter } from "./cell.ts"

/** Called once with an actor's exit reason. */
export type ExitObserver = (reason: ExitReason) => void

/** Everyone an actor's end concerns. */
export class Ties {
  /** Linked actors (links are symmetric: each side holds the other). */
  links: Set<Cell> | undefined = undefined
  /** Actors that receive a `Down` signal when this one ends. */
  watchers: Set<Cell> | undefined = undefined
  /** Actors this one watches (so that its own end removes it from their `watchers`). */
  watching: Set<Cell> | undefined = undefined
  /** Exit callbacks (`ActorRef.onExit`), run before any waiting fiber is resumed. */
  callbacks: Array<ExitObserver> | undefined = undefined
  /** Monitors (`ActorRef.monitor`), run last, in registration order. */
  observers: Array<ExitObserver> | undefined = undefined
}

const tiesOf = (cell: Cell): Ties => (cell.ties ??= new Ties())

/**
 * Calls `observer` once with the exit reason; at once if the actor is already dead. A
 * `callback` (`ActorRef.onExit`) runs before the dying actor's waiting asks fail; a monitor
 * after. Returns the cancellation.
 */
export const observe = (cell: Cell, observer: ExitObserver, callback: boolean): () => void => {
  if (!cell.isAlive()) {
    observer(cell.exitReason!)
    return noop
  }
  const ties = tiesOf(cell)
  const list = callback ? (ties.callbacks ??= []) : (ties.observers ??= [])
  list.push(observer)
  return () => {
    const i = list.indexOf(observer)
    if (i >= 0) list.splice(i, 1)
  }
}

/** `watcher` receives a `Down` signal when `target` ends (at once if it already has). */
export const watch = (watcher: Cell, target: Cell): void => {
  if (!target.isAlive()) {
    watcher.signal({ _tag: "Down", actor: target.self, reason: target.exitReason! })
    return
  }
  if (!watcher.isAlive()) return
  ;(tiesOf(target).watchers ??= new Set()).add(watcher)
  ;(tiesOf(watcher).watching ??= new Set()).add(target)
}

/** Links two actors both ways. Linking to an actor that already ended delivers its exit at once. */
export const link = (a: Cell, b: Cell): void => {
  if (a === b) return
  if (!a.isAlive() || !b.isAlive()) {
    if (!b.isAlive()) exitSignal(a, b, b.exitReason!)
    if (!a.isAlive()) exitSignal(b, a, a.exitReason!)
    return
  }
  ;(tiesOf(a).links ??= new Set()).add(b)
  ;(tiesOf(b).links ??= new Set()).add(a)
}

export const unlink = (a: Cell, b: Cell): void => {
  a.ties?.links?.delete(b)
  b.ties?.links?.delete(a)
}

/** An exit signal from a linked actor: trapped as a message, ignored if normal, else fatal. */
const exitSignal = (to: Cell, from: Cell, reason: ExitReason): void => {
  if (!to.isAlive()) return
  if (to.behavior.trapExit) {
    to.signal({ _tag: "Exit", from: from.self, reason })
    return
  }
  if (Reason.propagatesToLinks(reason)) to.forceExit(reason)
}

/** What was still waiting in a dead actor's mailbox. */
export interface Leftovers {
  /** The reply handle of the message whose handler was running. */
  readonly current: PendingAsk | undefined
  /** The requests deferred by `Actor.deferReply` and not answered yet. */
  readonly deferred: DeferredAsks | undefined
  readonly buf: ReadonlyArray<unknown>
  readonly reps: ReadonlyArray<Rider>
  readonly head: number
  readonly size: number
  readonly waiters: ReadonlyArray<Waiter> | undefined
}

/**
 * The actor `cell` has died with `reason` (its status is already `Dead`; `ties` and `left`
 * were detached from it). First the runtime's own bookkeeping, which runs no user code: unlink
 * and signal linked actors, queue `Down` notices to watchers, leave the spawner's scope
 * (`lifetime`). Then what may resume other fibers synchronously (and so run their code): exit
 * callbacks, dead letters, failed asks, woken senders, and last the monitors. So by the time
 * anyone learns that this actor ended, every link and watcher has been signalled.
 */
export const announceExit = (
  cell: Cell,
  reason: ExitReason,
  ties: Ties | undefined,
  lifetime: Scope.Closeable | undefined,
  left: Leftovers | undefined
): void => {
  // 1. links, watchers, watched targets, the spawner's scope
  if (ties !== undefined) {
    const watching = ties.watching
    if (watching !== undefined) for (const target of watching) target.ties?.watchers?.delete(cell)
    const links = ties.links
    if (links !== undefined) {
      for (const other of links) {
        other.ties?.links?.delete(cell)
        exitSignal(other, cell, reason)
      }
    }
    const watchers = ties.watchers
    if (watchers !== undefined) {
      for (const watcher of watchers) {
        watcher.ties?.watching?.delete(cell)
        watcher.signal({ _tag: "Down", actor: cell.self, reason })
      }
    }
  }
  if (lifetime !== undefined) Scope.closeUnsafe(lifetime, Exit.void)

  // 2. exit callbacks (`ActorRef.onExit`: supervisors, registries), before any fiber resumes,
  //    so no code woken by this death can see a supervisor or registry that does not know of it
  if (ties?.callbacks !== undefined) runObservers(ties.callbacks, reason)

  // 3. every message still waiting becomes a dead letter; every waiting ask learns why
  if (left !== undefined) failLeftovers(cell, reason, left)

  // 4. monitors, in registration order
  if (ties?.observers !== undefined) runObservers(ties.observers, reason)
}

const failLeftovers = (cell: Cell, reason: ExitReason, left: Leftovers): void => {
  const exited = () => new ActorExited({ actor: cell.description, reason })
  if (left.current !== undefined) left.current.fail(exited())
  if (left.deferred !== undefined) left.deferred.failAll(exited)
  const { buf, head, reps, size } = left
  const mask = buf.length - 1
  for (let k = 0; k < size; k++) {
    const j = (head + k) & mask
    const rep = reps[j]
    if (rep instanceof PendingAsk) {
      if (!rep.done) rep.fail(exited())
    } else if (rep === undefined) {
      // (a timer's message is dropped with its timer)
      cell.deadLetter(buf[j], "Exited")
    }
  }
  if (left.waiters !== undefined) {
    for (const w of left.waiters) {
      if (w.rep instanceof PendingAsk) w.rep.fail(exited())
      else if (w.rep !== undefined) continue // a timer's message: dropped with its timer
      else if (!w.ack) cell.deadLetter(w.msg, "Exited")
      if (w.resume !== undefined) {
        // an `ack` waiter is a `send`, whose resume accepts `ActorNotAlive`
        if (w.ack) (w.resume as (e: Effect.Effect<void, ActorNotAlive>) => void)(Effect.fail(notAlive(cell)))
        else w.resume(Effect.void)
      }
    }
  }
}

const runObservers = (observers: ReadonlyArray<ExitObserver>, reason: ExitReason): void => {
  for (const observer of observers) {
    try {
      observer(reason)
    } catch {
      // an observer must not be able to break the death of an actor
    }
  }
}

/** The error of an operation on an actor that is not alive. */
export const notAlive = (cell: Cell) => new ActorNotAlive({ actor: cell.description })

const noop = () => {}
