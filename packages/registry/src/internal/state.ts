/**
 * The state of one registry: names, groups, exit hooks, waiters, and the change hub.
 *
 * Every operation here is synchronous and runs to completion before any other fiber can
 * observe the maps, so there is no interleaving to reason about. Release on exit is driven by
 * `ActorRef.onExit`: the hook runs inside the actor's death, right after the actor is marked
 * dead and before any fiber waiting on it resumes. Reads also check `isAliveUnsafe`, so even
 * a caller that runs earlier in that same death (another exit hook) never sees a dead ref.
 *
 * @internal
 */
import { ActorRef } from "@arbor/core"
import type { ExitReason } from "@arbor/core"
import * as PubSub from "effect/PubSub"

/** Any actor reference; the registry never sends through it with a static type. */
export type AnyRef = ActorRef.ActorRef<never>

/** Why a name or a membership went away. */
export type Removal =
  | { readonly _tag: "Explicit" }
  | { readonly _tag: "Exited"; readonly reason: ExitReason.ExitReason }

/** A change, as published on the hub. */
export type Change =
  | { readonly _tag: "Registered"; readonly name: string; readonly ref: AnyRef; readonly metadata: unknown }
  | {
    readonly _tag: "Unregistered"
    readonly name: string
    readonly ref: AnyRef
    readonly metadata: unknown
    readonly cause: Removal
  }
  | { readonly _tag: "Joined"; readonly group: string; readonly ref: AnyRef; readonly metadata: unknown }
  | {
    readonly _tag: "Left"
    readonly group: string
    readonly ref: AnyRef
    readonly metadata: unknown
    readonly cause: Removal
  }

/** One registered name. */
export interface NameEntry {
  readonly name: string
  readonly ref: AnyRef
  readonly metadata: unknown
}

/** Everything the registry holds for one actor, and the hook that releases it. */
interface Tracking {
  readonly names: Set<string>
  readonly groups: Set<string>
  cancel: () => void
}

type Waiter = (ref: AnyRef) => void

const EXPLICIT: Removal = Object.freeze({ _tag: "Explicit" })
const noop = () => {}

export class RegistryState {
  private readonly nameTable = new Map<string, NameEntry>()
  /** group name → member → metadata, in join order. */
  private readonly groupTable = new Map<string, Map<AnyRef, unknown>>()
  private readonly tracked = new Map<AnyRef, Tracking>()
  private readonly waiters = new Map<string, Set<Waiter>>()

  constructor(readonly hub: PubSub.PubSub<Change>) {}

  get names(): number {
    return this.nameTable.size
  }

  get groups(): number {
    return this.groupTable.size
  }

  get watched(): number {
    return this.tracked.size
  }

  // ---------------------------------------------------------------------------------------
  // names
  // ---------------------------------------------------------------------------------------

  /** The live holder of `name`, if any. */
  lookup(name: string): NameEntry | undefined {
    const entry = this.nameTable.get(name)
    if (entry === undefined || !ActorRef.isAliveUnsafe(entry.ref)) return undefined
    return entry
  }

  /**
   * Registers `name` for `ref`. Returns `undefined` on success, the live holder when the name
   * is taken, or `"NotAlive"` when `ref` has already ended.
   */
  register(name: string, ref: AnyRef, metadata: unknown): NameEntry | "NotAlive" | undefined {
    if (!ActorRef.isAliveUnsafe(ref)) return "NotAlive"
    const current = this.nameTable.get(name)
    if (current !== undefined) {
      if (ActorRef.isAliveUnsafe(current.ref)) return current
      // the holder is dead but its exit hook has not run yet (we are inside its death)
      this.removeName(current, exitedCause(current.ref))
    }
    const entry: NameEntry = { name, ref, metadata }
    this.nameTable.set(name, entry)
    this.track(ref).names.add(name)
    this.publish({ _tag: "Registered", name, ref, metadata })
    // waking a waiter may run its fiber synchronously, re-entering the registry: the tables
    // are already consistent, and the set is detached first
    const waiting = this.waiters.get(name)
    if (waiting !== undefined) {
      this.waiters.delete(name)
      for (const wake of waiting) wake(ref)
    }
    return undefined
  }

  /** Removes `name` (only if held by `ref`, when given). Returns whether it was removed. */
  unregister(name: string, ref: AnyRef | undefined): boolean {
    const entry = this.nameTable.get(name)
    if (entry === undefined || (ref !== undefined && entry.ref !== ref)) return false
    if (!ActorRef.isAliveUnsafe(entry.ref)) {
      // already dead: its release is under way; report it as caused by the exit
      this.removeName(entry, exitedCause(entry.ref))
      return false
    }
    this.removeName(entry, EXPLICIT)
    return true
  }

  /** Calls `wake` with the ref at the next registration of `name`. Returns a canceller. */
  addWaiter(name: string, wake: Waiter): () => void {
    let set = this.waiters.get(name)
    if (set === undefined) {
      set = new Set()
      this.waiters.set(name, set)
    }
    set.add(wake)
    return () => {
      const current = this.waiters.get(name)
      if (current === undefined) return
      current.delete(wake)
      if (current.size === 0) this.waiters.delete(name)
    }
  }

  private removeName(entry: NameEntry, cause: Removal): void {
    this.nameTable.delete(entry.name)
    const t = this.tracked.get(entry.ref)
    if (t !== undefined) {
      t.names.delete(entry.name)
      this.untrackIfIdle(entry.ref, t)
    }
    this.publish({ _tag: "Unregistered", name: entry.name, ref: entry.ref, metadata: entry.metadata, cause })
  }

  // ---------------------------------------------------------------------------------------
  // groups
  // ---------------------------------------------------------------------------------------

  /** Adds `ref` to `group`. Returns `false` if it already was a member, `"NotAlive"` if it ended. */
  join(group: string, ref: AnyRef, metadata: unknown): boolean | "NotAlive" {
    if (!ActorRef.isAliveUnsafe(ref)) return "NotAlive"
    let members = this.groupTable.get(group)
    if (members === undefined) {
      members = new Map()
      this.groupTable.set(group, members)
    } else if (members.has(ref)) {
      return false
    }
    members.set(ref, metadata)
    this.track(ref).groups.add(group)
    this.publish({ _tag: "Joined", group, ref, metadata })
    return true
  }

  /** Removes `ref` from `group`. Returns whether it was a member. */
  leave(group: string, ref: AnyRef): boolean {
    const members = this.groupTable.get(group)
    if (members === undefined || !members.has(ref)) return false
    const alive = ActorRef.isAliveUnsafe(ref)
    this.removeMember(group, members, ref, alive ? EXPLICIT : exitedCause(ref))
    return alive
  }

  /** Live members of `group` with their metadata, in join order. */
  members(group: string): Array<readonly [AnyRef, unknown]> {
    const members = this.groupTable.get(group)
    const out: Array<readonly [AnyRef, unknown]> = []
    if (members === undefined) return out
    for (const entry of members) {
      if (ActorRef.isAliveUnsafe(entry[0])) out.push(entry)
    }
    return out
  }

  private removeMember(group: string, members: Map<AnyRef, unknown>, ref: AnyRef, cause: Removal): void {
    const metadata = members.get(ref)
    members.delete(ref)
    if (members.size === 0) this.groupTable.delete(group)
    const t = this.tracked.get(ref)
    if (t !== undefined) {
      t.groups.delete(group)
      this.untrackIfIdle(ref, t)
    }
    this.publish({ _tag: "Left", group, ref, metadata, cause })
  }

  // ---------------------------------------------------------------------------------------
  // exit hooks
  // ---------------------------------------------------------------------------------------

  private track(ref: AnyRef): Tracking {
    let t = this.tracked.get(ref)
    if (t === undefined) {
      const fresh: Tracking = { names: new Set(), groups: new Set(), cancel: noop }
      this.tracked.set(ref, fresh)
      // `ref` is alive (checked by every caller), so the hook does not fire here
      fresh.cancel = ActorRef.onExit(ref, (reason) => this.released(ref, reason))
      t = fresh
    }
    return t
  }

  private untrackIfIdle(ref: AnyRef, t: Tracking): void {
    if (t.names.size > 0 || t.groups.size > 0) return
    this.tracked.delete(ref)
    t.cancel()
  }

  /** The exit hook: runs synchronously inside the actor's death. */
  private released(ref: AnyRef, reason: ExitReason.ExitReason): void {
    const t = this.tracked.get(ref)
    if (t === undefined) return
    this.tracked.delete(ref)
    const cause: Removal = { _tag: "Exited", reason }
    for (const name of t.names) {
      const entry = this.nameTable.get(name)
      if (entry === undefined || entry.ref !== ref) continue
      this.nameTable.delete(name)
      this.publish({ _tag: "Unregistered", name, ref, metadata: entry.metadata, cause })
    }
    for (const group of t.groups) {
      const members = this.groupTable.get(group)
      if (members === undefined || !members.has(ref)) continue
      const metadata = members.get(ref)
      members.delete(ref)
      if (members.size === 0) this.groupTable.delete(group)
      this.publish({ _tag: "Left", group, ref, metadata, cause })
    }
  }

  /** Drops every exit hook; called when the registry's scope closes. */
  close(): void {
    for (const t of this.tracked.values()) t.cancel()
    this.tracked.clear()
    this.nameTable.clear()
    this.groupTable.clear()
    this.waiters.clear()
  }

  private publish(change: Change): void {
    PubSub.publishUnsafe(this.hub, change)
  }
}

const exitedCause = (ref: AnyRef): Removal => {
  const reason = ActorRef.exitReasonUnsafe(ref)
  return reason === undefined ? EXPLICIT : { _tag: "Exited", reason }
}
