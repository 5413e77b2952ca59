/**
 * What the observer page shows, as plain JSON-ready data: the tree built from a supervisor
 * `Snapshot` plus counters read from each running actor, and the recent-events feed built from
 * `SupervisionEvent`s. Pure functions of their inputs (the rates take the previous sample and
 * the time elapsed), so they are tested without a server.
 *
 * @internal
 */
import { ActorRef, ExitReason } from "@arbor/core"
import type { Supervisor, SupervisionEvent } from "@arbor/supervisor"

/** One node of the tree as the page renders it. */
export interface NodeView {
  /** The child id (`label` of the root supervisor, or `"root"`). */
  readonly id: string
  /** Child ids from the root down to this node (`[]` for the root). */
  readonly path: ReadonlyArray<string>
  /** `"supervisor"`, `"dynamic-supervisor"` or `"worker"`. */
  readonly kind: "supervisor" | "dynamic-supervisor" | "worker"
  /** The supervisor's label, when it has one. */
  readonly label?: string
  /** Running, restarting, or not running. */
  readonly status: string
  /** How many times the child's start ran (absent for the root). */
  readonly incarnation?: number
  /** The child's restart type (absent for the root). */
  readonly restart?: string
  /** Supervisors: strategy. */
  readonly strategy?: string
  /** Supervisors: intensity. */
  readonly intensity?: number
  /** Supervisors: period in milliseconds. */
  readonly periodMillis?: number
  /** Supervisors: restarts counted in the current window. */
  readonly restartsInWindow?: number
  /** Supervisors: restarts left before the supervisor gives up. */
  readonly remainingBudget?: number
  /** Running actors: messages waiting in the mailbox. */
  readonly mailbox?: number
  /** Running actors: messages handled per second since the previous sample. */
  readonly rate?: number
  /** Children shown (at most the observer's `maxChildren` per supervisor). */
  readonly children?: ReadonlyArray<NodeView>
  /** Children left out of `children` (beyond `maxChildren`). */
  readonly hiddenChildren?: number
}

/** The previous reading of each actor's handled-message counter, to compute rates. */
export type Samples = Map<ActorRef.ActorRef<any>, number>

/** A sampler: reads depth and counters of running refs, remembering this tick's counts. */
export interface Sampler {
  readonly previous: Samples
  readonly next: Samples
  /** Seconds since the previous sample (0 for the first). */
  readonly seconds: number
}

const sample = (ref: ActorRef.ActorRef<any> | undefined, s: Sampler): { mailbox?: number; rate?: number } => {
  if (ref === undefined || !ActorRef.isAliveUnsafe(ref)) return {}
  const count = ActorRef.messagesReceivedUnsafe(ref)
  s.next.set(ref, count)
  const before = s.previous.get(ref)
  const mailbox = ActorRef.mailboxSizeUnsafe(ref)
  return before === undefined || s.seconds <= 0
    ? { mailbox }
    : { mailbox, rate: Math.round(((count - before) / s.seconds) * 10) / 10 }
}

const supervisorFields = (snap: Supervisor.Snapshot) => ({
  kind: snap.kind,
  ...(snap.label !== undefined ? { label: snap.label } : {}),
  strategy: snap.strategy,
  intensity: snap.intensity,
  periodMillis: snap.periodMillis,
  restartsInWindow: snap.restartsInWindow,
  remainingBudget: snap.remainingBudget
})

const childrenOf = (snap: Supervisor.Snapshot, sampler: Sampler, maxChildren: number) => {
  const shown = snap.children.slice(0, maxChildren).map((child): NodeView => {
    const base = {
      id: child.id,
      path: [...snap.path, child.id],
      status: child.status,
      incarnation: child.incarnation,
      restart: child.restart,
      ...sample(child.ref, sampler)
    }
    if (child.supervisor !== undefined) {
      return { ...base, ...supervisorFields(child.supervisor), ...childrenOf(child.supervisor, sampler, maxChildren) }
    }
    return { ...base, kind: child.type === "supervisor" ? "supervisor" : "worker" }
  })
  const hidden = snap.children.length - shown.length
  return hidden > 0 ? { children: shown, hiddenChildren: hidden } : { children: shown }
}

/** The tree view of a root snapshot. */
export const treeView = (
  root: ActorRef.ActorRef<any>,
  snap: Supervisor.Snapshot,
  sampler: Sampler,
  maxChildren: number
): NodeView => ({
  id: snap.label ?? "root",
  path: [],
  status: "running",
  ...sample(root, sampler),
  ...supervisorFields(snap),
  ...childrenOf(snap, sampler, maxChildren)
})

/** Refreshes the counters of a tree view without a new snapshot (same structure, new samples). */
export const resample = (view: NodeView, refs: ReadonlyMap<string, ActorRef.ActorRef<any>>, sampler: Sampler): NodeView => {
  const ref = refs.get(view.path.join("/"))
  const counters = sample(ref, sampler)
  const { mailbox: _m, rate: _r, ...rest } = view
  return {
    ...rest,
    ...counters,
    ...(view.children !== undefined ? { children: view.children.map((c) => resample(c, refs, sampler)) } : {})
  }
}

/** The refs of a snapshot's running actors by path (`""` for the root). */
export const refsOf = (root: ActorRef.ActorRef<any>, snap: Supervisor.Snapshot, maxChildren: number): Map<string, ActorRef.ActorRef<any>> => {
  const out = new Map<string, ActorRef.ActorRef<any>>([["", root]])
  const walk = (s: Supervisor.Snapshot) => {
    for (const child of s.children.slice(0, maxChildren)) {
      if (child.ref !== undefined) out.set([...s.path, child.id].join("/"), child.ref)
      if (child.supervisor !== undefined) walk(child.supervisor)
    }
  }
  walk(snap)
  return out
}

/** One line of the recent-events feed. */
export interface FeedEntry {
  /** Clock time of the event, milliseconds. */
  readonly at: number
  /** The event's tag. */
  readonly tag: SupervisionEvent.SupervisionEvent["_tag"]
  /** `"crash"` (abnormal exit, failed start), `"restart"`, `"give-up"` (escalation, auto-shutdown) or `"info"`. */
  readonly severity: "crash" | "restart" | "give-up" | "info"
  /** The path of the child (or supervisor) the event is about, `/`-separated. */
  readonly path: string
  /** What happened, in words: who crashed with what, who restarted it. */
  readonly text: string
}

const join = (rootName: string, path: ReadonlyArray<string>) => (path.length === 0 ? rootName : path.join("/"))

/** The feed entry of one supervision event, `rootName` naming the root supervisor. */
export const feedEntry = (event: SupervisionEvent.SupervisionEvent, at: number, rootName: string): FeedEntry => {
  const sup = join(rootName, event.supervisor)
  const child = "child" in event ? [...event.supervisor, event.child].join("/") : sup
  const entry = (severity: FeedEntry["severity"], text: string): FeedEntry => ({ at, tag: event._tag, severity, path: child, text })
  switch (event._tag) {
    case "ChildStarted":
      return event.restart
        ? entry("restart", `${sup} restarted ${event.child} (incarnation ${event.incarnation})`)
        : entry("info", `${sup} started ${event.child}`)
    case "ChildExited":
      return ExitReason.isAbnormal(event.reason)
        ? entry("crash", `${child} crashed: ${ExitReason.format(event.reason)} (incarnation ${event.incarnation})`)
        : entry("info", `${child} exited: ${ExitReason.format(event.reason)} (incarnation ${event.incarnation})`)
    case "ChildStartFailed":
      return entry("crash", `${sup} could not start ${event.child}: ${ExitReason.format(ExitReason.failure(event.cause))}`)
    case "ChildStartIgnored":
      return entry("info", `${sup}: ${event.child}'s start returned ignore`)
    case "ChildNotRestarted":
      return entry("info", `${sup} did not restart ${event.child} (its restart type does not ask for it)`)
    case "RestartScheduled":
      return entry("info", `${sup} restarts ${event.child} in ${event.delayMillis} ms`)
    case "RestartIntensityExceeded":
      return entry(
        "give-up",
        `${sup} gave up: more than ${event.intensity} restart${event.intensity === 1 ? "" : "s"} in ${event.periodMillis} ms; escalating to its parent`
      )
    case "AutoShutdown":
      return entry("give-up", `${sup} shut down: significant child ${event.child} exited`)
  }
}
