/**
 * The supervision engine shared by `Supervisor` and `DynamicSupervisor`: it owns a supervisor's
 * children (the only module that writes a child record), runs their starts, observes their
 * exits, stops them per their shutdown specs, keeps the restart intensity and the backoff, and
 * executes the plans of the one restart decision (`decide.ts`). Also: the supervisor actor
 * itself (its private channel, its `receive`, its bootstrap), and the event relay that lets a
 * nested supervisor report through its ancestors.
 *
 * The two supervisor modules keep only their public API and protocol; each public request
 * handler calls one method of the engine.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as PubSub from "effect/PubSub"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import { Actor, ActorRef, type ActorSystem, type Errors, ExitReason, Metrics, PrivateChannel, Reports, Tracing } from "@arbor/core"
import type { ChildSpec, ChildStatus, RestartType } from "../Child.ts"
import { isIgnore } from "../Child.ts"
import { ChildNotFound, ChildRunning, ChildStartFailed, UnknownRequest } from "../Errors.ts"
import type { SupervisionEvent } from "../SupervisionEvent.ts"
import { type ChildrenView, decide, dropsWhenStopped, type Plan, type Policy } from "./decide.ts"
import { RestartWindow } from "./intensity.ts"
import { report } from "./report.ts"
import type { ChildCounts, ChildInfo, Snapshot } from "./model.ts"
import { type Nested, NestedSpec, type ValidChild } from "./spec.ts"

// -----------------------------------------------------------------------------------------
// the event relay
// -----------------------------------------------------------------------------------------

/**
 * Where a nested supervisor reports: its path below the root and its parent's emitter. A relay
 * is offered only while the child's start runs (`open`), and only to the first supervisor
 * started there (`claimed`): a supervisor that an actor starts later, from a handler, is a new
 * root rather than a child of the actor's own supervisor.
 */
export interface Relay {
  path: ReadonlyArray<string>
  readonly emit: (event: SupervisionEvent) => void
  open: boolean
  claimed: boolean
  /**
   * Called by the supervisor that claims the relay with its label, before it reports anything:
   * a dynamic child whose id is still its number is named after that label here (and `path`
   * follows), so the nested supervisor's events carry the id its parent's events will carry.
   */
  readonly named: (label: string | undefined) => void
}

/** Provided by a supervisor around each child's start, so nested supervisors find their parent. */
export const ParentRelay = Context.Reference<Relay | undefined>("@arbor/supervisor/ParentRelay", {
  defaultValue: () => undefined
})

/** The relay offered to the supervisor being started, claimed by it; `undefined` for a root. */
const claimRelay = (label: string | undefined): Effect.Effect<Relay | undefined> =>
  Effect.gen(function*() {
    const relay = yield* ParentRelay
    if (relay === undefined || !relay.open || relay.claimed) return undefined
    relay.claimed = true
    relay.named(label)
    return relay
  })

/** Marks references that are Arbor supervisors (identity only; no state is shared). */
export const supervisorRefs = new WeakSet<object>()

/** The relay a supervisor offers around one start of child `rec` (its path is built on first use). */
class ChildRelay implements Relay {
  open = true
  claimed = false
  private at: ReadonlyArray<string> | undefined = undefined
  constructor(private readonly engine: Engine, private readonly rec: ChildRecord) {}
  get path(): ReadonlyArray<string> {
    return (this.at ??= [...this.engine.path, this.rec.spec.id])
  }
  set path(path: ReadonlyArray<string>) {
    this.at = path
  }
  get emit(): (event: SupervisionEvent) => void {
    return this.engine.emit
  }
  named(label: string | undefined): void {
    this.engine.name(this.rec, label)
    this.at = [...this.engine.path, this.rec.spec.id]
  }
}

const IGNORED: StartOutcome = { _tag: "Ignored" }

/** What a handler returns, as an Effect. */
const asEffect = (next: Next): Effect.Effect<Engine | Actor.Stop, never, any> =>
  Effect.isEffect(next) ? next : Effect.succeed(next)

// -----------------------------------------------------------------------------------------
// child records
// -----------------------------------------------------------------------------------------

/** A child as the supervisor tracks it. Written only by {@link Engine}. */
export interface ChildRecord {
  /** Its spec; only its `id` changes, once, when a numbered dynamic child is named (see `unnamed`). */
  spec: ValidChild
  /**
   * A dynamic child without a `childName`, whose id is still the number `"#n"` it was added
   * with: its first start names it `"label#n"` after the label of the supervisor that claims
   * its relay or, failing that, of the reference the start returns (an unlabelled one keeps
   * `"#n"`). Once named (or failed), the id stays for the child's lifetime.
   */
  unnamed: boolean
  /** Dynamic children: the per-child arguments. */
  readonly args: ReadonlyArray<unknown> | undefined
  ref: ActorRef.ActorRef<any> | undefined
  status: ChildStatus
  incarnation: number
  startedAt: number
  retryToken: number
  /** A `RetryRestart` with the current token is on its way (this child drives a restart). */
  retryPending: boolean
  backoff: ((now: number, input: unknown) => Effect.Effect<[unknown, Duration.Duration], unknown>) | undefined
}

const makeRecord = (spec: ValidChild, args?: ReadonlyArray<unknown>, unnamed = false): ChildRecord => ({
  spec,
  unnamed,
  args,
  ref: undefined,
  status: "not_running",
  incarnation: 0,
  startedAt: 0,
  retryToken: 0,
  retryPending: false,
  backoff: undefined
})

/** What `whichChildren` and snapshots report of one child. */
const childInfo = (rec: ChildRecord): ChildInfo => ({
  id: rec.spec.id,
  ref: rec.ref,
  status: rec.status,
  type: rec.spec.type,
  restart: rec.spec.restart,
  incarnation: rec.incarnation,
  ...(rec.args === undefined ? {} : { args: rec.args[0] })
})

// -----------------------------------------------------------------------------------------
// the private channel
// -----------------------------------------------------------------------------------------

/**
 * A supervisor's internal messages. They travel on {@link Internal}, a private channel that only
 * this package holds, so none of them is part of a supervisor's public protocol and none can be
 * forged by a caller that casts (issue #10.1).
 */
export type InternalMsg =
  /** Starts the children; sent once, by `Supervisor.start`. */
  | Actor.Request<{ readonly _tag: "Boot" }, Exit.Exit<void, ChildStartFailed>>
  /** A child ended on its own. */
  | { readonly _tag: "ChildExited"; readonly ref: ActorRef.ActorRef<any>; readonly reason: ExitReason.ExitReason }
  /** Another attempt at a pending restart; stale tokens are ignored. */
  | { readonly _tag: "RetryRestart"; readonly id: string; readonly token: number }
  /** The hub behind `Supervisor.events`. */
  | Actor.Request<{ readonly _tag: "Hub" }, PubSub.PubSub<SupervisionEvent>>

/** The private lane of supervisors' internal messages. */
export const Internal: PrivateChannel.PrivateChannel<InternalMsg> = PrivateChannel.make<InternalMsg>("supervisor")

/** What running a child's start gave. */
export type StartOutcome =
  | { readonly _tag: "Started"; readonly ref: ActorRef.ActorRef<any> }
  | { readonly _tag: "Ignored" }
  | { readonly _tag: "Failed"; readonly cause: Cause.Cause<unknown> }

/** What a supervisor handler returns: the engine (its state), a stop, or an effect of either. */
type Next = Engine | Actor.Stop | Effect.Effect<Engine | Actor.Stop, never, any>

/** A supervisor's validated options, as the engine uses them. */
export interface EngineConfig {
  readonly label: string | undefined
  readonly intensity: number
  readonly periodMillis: number
  readonly restartDelay: Schedule.Schedule<unknown, unknown, never, never> | undefined
  readonly onEvent: OnEvent | undefined
  readonly policy: Policy
  /** The services the supervisor was started with: its reports' and `onEvent` effects' logger and clock. */
  readonly services: Context.Context<never>
  /** The levels of its own reports. */
  readonly reports: Reports.ReportLevels
  /** Its `arbor_restarts` series, when metrics are on (`Metrics` of core). */
  readonly restarts: Metric.Metric<number, unknown> | undefined
}

/** An `onEvent` callback: synchronous, or returning an Effect the supervisor runs (detached). */
export type OnEvent = (event: SupervisionEvent) => void | Effect.Effect<unknown, unknown, never>

const describe = (u: unknown): string => {
  if (u === null) return "null"
  if (typeof u === "object") return `an object${"_tag" in u ? ` with _tag ${String(u._tag)}` : ""}`
  return `${typeof u} ${String(u)}`
}

// -----------------------------------------------------------------------------------------
// the engine
// -----------------------------------------------------------------------------------------

/** A supervisor's state: its children and everything the restart rules need. */
export class Engine {
  readonly window: RestartWindow
  /** The children in start order (a `Map` keeps insertion order). */
  private readonly children = new Map<string, ChildRecord>()
  /** The running children by instance. */
  private readonly byRef = new Map<ActorRef.ActorRef<any>, ChildRecord>()
  self!: ActorRef.ActorRef<any>
  /** The children as the decision reads them. */
  readonly view: ChildrenView = {
    get: (id) => this.children.get(id),
    all: () => [...this.children.values()]
  }

  /** A tracer is installed where the supervisor was started: its restarts have spans. */
  private readonly traced: boolean

  constructor(
    readonly config: EngineConfig,
    readonly path: ReadonlyArray<string>,
    private readonly parent: Relay | undefined,
    readonly hub: PubSub.PubSub<SupervisionEvent>,
    private readonly clock: Clock.Clock,
    initial: ReadonlyArray<ValidChild>
  ) {
    this.window = new RestartWindow(config.intensity, config.periodMillis)
    this.traced = Context.getOrUndefined(config.services, Tracer.Tracer) !== undefined
    for (const spec of initial) this.children.set(spec.id, makeRecord(spec))
  }

  get label(): string | undefined {
    return this.config.label
  }

  get size(): number {
    return this.children.size
  }

  find(id: string): ChildRecord | undefined {
    return this.children.get(id)
  }

  /** The child running as `ref`, if any. */
  findByRef(ref: unknown): ChildRecord | undefined {
    return this.byRef.get(ref as ActorRef.ActorRef<any>)
  }

  emit = (event: SupervisionEvent): void => {
    // only the supervisor an event is about reports it (its ancestors relay the event)
    if (event.supervisor === this.path) {
      // a child's exit is reported where the supervisor sees it, only when it did not cause it
      if (event._tag !== "ChildExited") report(this.config.services, this.config.reports, this.config.label, event)
      if (this.config.restarts !== undefined && event._tag === "ChildStarted" && event.restart) {
        this.config.restarts.updateUnsafe(1, this.config.services)
      }
    }
    try {
      const out = this.config.onEvent?.(event)
      // an Effect is run on its own; its failure, like a throw, is ignored
      if (Effect.isEffect(out)) Effect.runForkWith(this.config.services)(Effect.ignore(out))
    } catch {
      // an observer must not break supervision
    }
    PubSub.publishUnsafe(this.hub, event)
    this.parent?.emit(event)
  }

  // -------------------------------------------------------------------------------------
  // the record writes, all of them
  // -------------------------------------------------------------------------------------

  private insert(rec: ChildRecord): void {
    this.children.set(rec.spec.id, rec)
  }

  private drop(rec: ChildRecord): void {
    this.children.delete(rec.spec.id)
  }

  /**
   * Fixes the id of a child still `unnamed`: `"label#n"` after a non-empty `label`, else its
   * number `"#n"` as it is. Called before the first event that names the child's own start
   * outcome (and before a nested supervisor's first event), so every event names it the same.
   * The record is not in `children` yet (`add` inserts it after its start), so no key moves.
   */
  name(rec: ChildRecord, label: string | undefined): void {
    if (!rec.unnamed) return
    rec.unnamed = false
    if (label !== undefined && label !== "") rec.spec = { ...rec.spec, id: `${label}${rec.spec.id}` }
  }

  /** The instance has ended (on its own, or stopped): forget it. */
  private detach(rec: ChildRecord): void {
    if (rec.ref !== undefined) this.byRef.delete(rec.ref)
    rec.ref = undefined
    rec.status = "not_running"
  }

  /**
   * Runs a child's start; on success watches the child so that its own exit reaches this
   * supervisor. A start that fails, dies, throws or returns something that is neither a
   * reference nor `Child.ignore` is a failed start. The start runs in the supervisor actor's own
   * fiber (so a start that stops its supervisor is recognised as the supervisor's own code);
   * everything around it is plain code.
   */
  private start(rec: ChildRecord, restart: boolean): Effect.Effect<StartOutcome> {
    return Effect.suspend(() => {
      rec.incarnation++
      const incarnation = rec.incarnation
      const relay = new ChildRelay(this, rec)
      // the actors the start spawns carry the incarnation in their log annotations and spans
      const start = Effect.updateContext(
        rec.spec.start as Effect.Effect<unknown, unknown, never>,
        (context: Context.Context<never>) => Context.add(Context.add(context, ParentRelay, relay), Tracing.Incarnation, incarnation)
      )
      return Effect.matchCause(start, {
        onFailure: (cause) => this.started(rec, incarnation, relay, Exit.failCause(cause), restart),
        onSuccess: (value) => this.started(rec, incarnation, relay, Exit.succeed(value), restart)
      })
    })
  }

  /** What a start's exit means for the child: records it, reports it, watches a started child. */
  private started(
    rec: ChildRecord,
    incarnation: number,
    relay: ChildRelay,
    exit: Exit.Exit<unknown, unknown>,
    restart: boolean
  ): StartOutcome {
    relay.open = false
    let cause: Cause.Cause<unknown> | undefined
    if (Exit.isFailure(exit)) cause = exit.cause
    else if (!isIgnore(exit.value) && !ActorRef.isActorRef(exit.value)) {
      cause = Cause.die(
        new TypeError(
          `the start of child "${rec.spec.id}" returned ${describe(exit.value)}, not an ActorRef or Child.ignore`
        )
      )
    }
    if (cause !== undefined) {
      this.name(rec, undefined)
      rec.ref = undefined
      this.emit({ _tag: "ChildStartFailed", supervisor: this.path, child: rec.spec.id, incarnation, cause })
      return { _tag: "Failed", cause }
    }
    const value = (exit as Exit.Success<unknown>).value
    if (isIgnore(value)) {
      this.name(rec, undefined)
      this.detach(rec)
      this.emit({ _tag: "ChildStartIgnored", supervisor: this.path, child: rec.spec.id, incarnation })
      return IGNORED
    }
    const ref = value as ActorRef.ActorRef<any>
    this.name(rec, ref.label)
    rec.ref = ref
    rec.status = "running"
    rec.startedAt = this.now()
    this.byRef.set(ref, rec)
    this.emit({ _tag: "ChildStarted", supervisor: this.path, child: rec.spec.id, ref, incarnation, restart })
    const self = this.self
    ActorRef.onExit(ref, (reason) => {
      const event: SupervisionEvent = { _tag: "ChildExited", supervisor: this.path, child: rec.spec.id, ref, incarnation, reason }
      this.emit(event)
      // only an exit the supervisor did not cause needs handling (a child it stopped was
      // detached first), and only while the supervisor lives (no dead letters); only such an
      // exit is reported too (a child it killed on purpose is no crash)
      if (rec.ref === ref && ActorRef.isAliveUnsafe(self)) {
        report(this.config.services, this.config.reports, this.config.label, event)
        PrivateChannel.tellUnsafe(Internal, self, { _tag: "ChildExited", ref, reason })
      }
    })
    return { _tag: "Started", ref }
  }

  /** Stops a running child per its shutdown spec and waits until it has ended; cancels its retry. */
  private stop(rec: ChildRecord): Effect.Effect<void> {
    return Effect.suspend(() => {
      const ref = rec.ref
      this.detach(rec)
      rec.retryToken++
      rec.retryPending = false
      if (ref === undefined) return Effect.void
      return Effect.asVoid(ActorRef.shutdown(ref, rec.spec.shutdown, ExitReason.shutdown()))
    })
  }

  /**
   * The backoff delay in milliseconds before restarting `rec`: the next delay of the
   * supervisor's `restartDelay` schedule (zero without one, or once the schedule is done).
   * `afterExit` is `true` when a running incarnation just exited (rather than a restart attempt
   * failing): if that incarnation ran for a whole intensity period, the schedule starts over.
   */
  private restartDelay(rec: ChildRecord, afterExit: boolean): Effect.Effect<number> {
    const schedule = this.config.restartDelay
    if (schedule === undefined) return Effect.succeed(0)
    return Effect.gen({ self: this }, function*(this: Engine) {
      const now = yield* Clock.currentTimeMillis
      if (rec.backoff === undefined || (afterExit && now - rec.startedAt >= this.config.periodMillis)) {
        rec.backoff = (yield* Schedule.toStep(schedule)) as ChildRecord["backoff"]
      }
      const step = yield* Effect.exit(Effect.suspend(() => rec.backoff!(now, undefined)))
      if (Exit.isFailure(step)) return 0 // the schedule is done: restart at once
      const millis = Duration.toMillis(step.value[1])
      return Number.isFinite(millis) && millis > 0 ? millis : 0
    })
  }

  /**
   * Schedules another attempt at the restart driven by `rec`: sends this supervisor a
   * `RetryRestart` with a fresh token, at once or, after reporting `RestartScheduled`, when
   * `millis` have passed on the `Clock` (unless the supervisor ends first). Stopping `rec`
   * cancels it (the token moves).
   */
  private retry(rec: ChildRecord, millis: number): Effect.Effect<void, never, any> {
    const self = this.self
    const msg = this.retryMessage(rec)
    if (millis <= 0) return Effect.sync(() => PrivateChannel.tellUnsafe(Internal, self, msg))
    this.emit({ _tag: "RestartScheduled", supervisor: this.path, child: rec.spec.id, delayMillis: millis })
    return Effect.asVoid(
      Effect.forkScoped(
        Effect.andThen(Effect.sleep(millis), Effect.sync(() => PrivateChannel.tellUnsafe(Internal, self, msg)))
      )
    )
  }

  /** A fresh token for another attempt at the restart `rec` drives: the `RetryRestart` to send. */
  private retryMessage(rec: ChildRecord): InternalMsg {
    rec.retryToken++
    rec.retryPending = true
    return { _tag: "RetryRestart", id: rec.spec.id, token: rec.retryToken }
  }

  // -------------------------------------------------------------------------------------
  // executing plans
  // -------------------------------------------------------------------------------------

  /** The time the engine decides at: read once per event handled, and passed down from there. */
  private now(): number {
    return this.clock.currentTimeMillisUnsafe()
  }

  private decide(event: Parameters<typeof decide>[1], now: number): Plan {
    return decide(this.view, event, this.config.policy, this.window, now)
  }

  /** Executes a plan of the restart decision. */
  private execute(plan: Plan, now: number): Next {
    switch (plan._tag) {
      case "Nothing":
      case "Terminate":
        return this
      case "GiveUp":
        this.window.add(now)
        return this.giveUp()
      case "NotRestarted": {
        const rec = this.children.get(plan.id)!
        if (plan.drop) this.drop(rec)
        return this
      }
      case "Restart":
        return this.restart(plan, now)
    }
  }

  /** Gives up: reports, then stops (the stop hook stops the children). */
  private giveUp(): Actor.Stop {
    this.emit({
      _tag: "RestartIntensityExceeded",
      supervisor: this.path,
      intensity: this.config.intensity,
      periodMillis: this.config.periodMillis
    })
    return Actor.stop(ExitReason.shutdown())
  }

  /**
   * Executes a restart plan. Without a child to stop and without a backoff schedule (a
   * one-for-one restart, say) the only Effect is the start itself: the plan's bookkeeping runs as
   * plain code in the handler, which returns the start followed by {@link afterGroupStart}.
   */
  private restart(plan: Plan & { readonly _tag: "Restart" }, now: number): Next {
    if (!this.traced) return this.runRestart(plan, now)
    // a span per restart (stopping the group, starting it again), a child of the span current in
    // the supervisor's handler: the span of the exit notice, whose parent is the crashed message's
    const child = [...this.path, plan.driver].join("/")
    const attributes: Record<string, unknown> = { "arbor.supervisor": this.path.join("/"), "arbor.child": child }
    if (this.label !== undefined) attributes["arbor.supervisor.label"] = this.label
    return Effect.withSpan(Effect.suspend(() => asEffect(this.runRestart(plan, now))), `restart ${child}`, { attributes })
  }

  private runRestart(plan: Plan & { readonly _tag: "Restart" }, now: number): Next {
    const driver = this.children.get(plan.driver)!
    driver.retryPending = false
    if (plan.count) this.window.add(now)
    if (plan.stop.length > 0 || (this.config.restartDelay !== undefined && plan.next !== "now")) {
      return this.restartAfterStops(plan, driver)
    }
    for (const id of plan.drop) this.drop(this.children.get(id)!)
    for (const id of plan.group) this.children.get(id)!.status = "restarting"
    if (plan.next === "retry") {
      PrivateChannel.tellUnsafe(Internal, this.self, this.retryMessage(driver))
      return this
    }
    return this.startGroup(plan.group, 0)
  }

  /** {@link restart} when it stops children first or waits for a backoff delay. */
  private restartAfterStops(plan: Plan & { readonly _tag: "Restart" }, driver: ChildRecord): Effect.Effect<Engine | Actor.Stop, never, any> {
    return Effect.gen({ self: this }, function*(this: Engine) {
      for (const id of plan.stop) yield* this.stop(this.children.get(id)!)
      for (const id of plan.drop) this.drop(this.children.get(id)!)
      for (const id of plan.group) this.children.get(id)!.status = "restarting"
      switch (plan.next) {
        case "retry":
          yield* this.retry(driver, yield* this.restartDelay(driver, false))
          return this
        case "start": {
          const delay = yield* this.restartDelay(driver, true)
          if (delay > 0) {
            yield* this.retry(driver, delay)
            return this
          }
          return yield* asEffect(this.startGroup(plan.group, 0))
        }
        case "now":
          return yield* asEffect(this.startGroup(plan.group, 0))
      }
    })
  }

  /**
   * Starts the children of a restart in order, from `group[from]`. A failed start counts as
   * another restart, and (as OTP's `try_again`) the child that failed drives another attempt at
   * its own part of the plan: under one-for-all the children restarted in this round are
   * stopped again and the whole group is retried; under rest-for-one the children before the
   * failed one stay up and it and the ones after it are retried. The attempt comes at once, or
   * after the next backoff delay.
   */
  private startGroup(group: ReadonlyArray<string>, from: number): Next {
    for (let i = from; i < group.length; i++) {
      const rec = this.children.get(group[i]!)
      if (rec === undefined) continue // dropped meanwhile
      return Effect.flatMap(this.start(rec, true), (outcome) => {
        const next = this.afterGroupStart(rec, outcome)
        return asEffect(next === undefined ? this.startGroup(group, i + 1) : next)
      })
    }
    return this
  }

  /** One start of a restart's group done: `undefined` to go on with the next child. */
  private afterGroupStart(rec: ChildRecord, outcome: StartOutcome): Next | undefined {
    if (outcome._tag === "Started") return undefined
    if (outcome._tag === "Ignored") {
      if (dropsWhenStopped(this.config.policy, rec.spec.restart)) this.drop(rec)
      return undefined
    }
    rec.status = "restarting"
    const now = this.now()
    return this.execute(this.decide({ _tag: "RestartFailed", id: rec.spec.id }, now), now)
  }

  // -------------------------------------------------------------------------------------
  // what the supervisor actor handles
  // -------------------------------------------------------------------------------------

  /** A child ended on its own. */
  onChildExited(ref: ActorRef.ActorRef<any>, reason: ExitReason.ExitReason): Next {
    const rec = this.byRef.get(ref)
    if (rec === undefined) return this // stale: the supervisor stopped or replaced that incarnation
    this.detach(rec)
    const now = this.now()
    const plan = this.decide({ _tag: "Exited", id: rec.spec.id, reason }, now)
    const next = this.execute(plan, now)
    if (plan._tag === "NotRestarted") {
      this.emit({ _tag: "ChildNotRestarted", supervisor: this.path, child: rec.spec.id, ref, incarnation: rec.incarnation })
      if (plan.autoShutdown) {
        this.emit({ _tag: "AutoShutdown", supervisor: this.path, child: rec.spec.id })
        return Actor.stop(ExitReason.shutdown())
      }
    }
    return next
  }

  /** A retry of a pending restart is due. */
  onRetry(id: string, token: number): Next {
    const rec = this.children.get(id)
    if (rec === undefined || rec.retryToken !== token) return this // stale
    const now = this.now()
    return this.execute(this.decide({ _tag: "Retry", id }, now), now)
  }

  /** Starts the children in order; on a failure stops the ones started, in reverse order. */
  boot(): Effect.Effect<Exit.Exit<void, ChildStartFailed>> {
    return Effect.gen({ self: this }, function*(this: Engine) {
      const started: Array<ChildRecord> = []
      for (const rec of [...this.children.values()]) {
        const outcome = yield* this.start(rec, false)
        if (outcome._tag === "Failed") {
          for (let i = started.length - 1; i >= 0; i--) yield* this.stop(started[i]!)
          return Exit.fail(new ChildStartFailed({ supervisor: this.label, child: rec.spec.id, cause: outcome.cause }))
        }
        if (outcome._tag === "Ignored" && dropsWhenStopped(this.config.policy, rec.spec.restart)) this.drop(rec)
        else if (outcome._tag === "Started") started.push(rec)
      }
      return Exit.void
    })
  }

  /**
   * Adds a child and starts it (`startChild` of both kinds): kept when it started, or when it
   * was ignored and is kept when not running; nothing is kept when it failed. With `unnamed`
   * (a dynamic child without a `childName`, whose `spec.id` is its number `"#n"`), the start
   * names the child after its label (see {@link ChildRecord.unnamed}).
   */
  add(
    spec: ValidChild,
    args?: ReadonlyArray<unknown>,
    unnamed = false
  ): Effect.Effect<Exit.Exit<ActorRef.ActorRef<any> | undefined, ChildStartFailed>> {
    const rec = makeRecord(spec, args, unnamed)
    return Effect.map(this.start(rec, false), (outcome) => {
      if (
        outcome._tag === "Started" ||
        (outcome._tag === "Ignored" && !dropsWhenStopped(this.config.policy, spec.restart))
      ) this.insert(rec)
      return this.result(rec.spec.id, outcome)
    })
  }

  /** A start's outcome as a request's answer: the ref, `undefined` when ignored, or the failure. */
  private result(id: string, outcome: StartOutcome): Exit.Exit<ActorRef.ActorRef<any> | undefined, ChildStartFailed> {
    switch (outcome._tag) {
      case "Started":
        return Exit.succeed(outcome.ref)
      case "Ignored":
        return Exit.succeed(undefined)
      case "Failed":
        return Exit.fail(new ChildStartFailed({ supervisor: this.label, child: id, cause: outcome.cause }))
    }
  }

  /** `terminateChild`: stops the child without restarting it, cancelling a restart it drives. */
  terminate(rec: ChildRecord): Effect.Effect<void> {
    return Effect.suspend(() => {
      const plan = this.decide({ _tag: "Terminate", id: rec.spec.id }, this.now())
      if (plan._tag !== "Terminate") return Effect.void
      return Effect.map(this.stop(rec), () => {
        for (const id of plan.cancel) this.children.get(id)!.status = "not_running"
        if (plan.drop) this.drop(rec)
      })
    })
  }

  /** `restartChild`: starts a kept child that is not running (no retry, no intensity cost). */
  restartChild(id: string): Effect.Effect<Exit.Exit<ActorRef.ActorRef<any> | undefined, RestartChildError>> {
    const rec = this.children.get(id)
    if (rec === undefined) return Effect.succeed(Exit.fail(new ChildNotFound({ supervisor: this.label, child: id })))
    if (rec.status !== "not_running") {
      return Effect.succeed(Exit.fail(new ChildRunning({ supervisor: this.label, child: id, status: rec.status })))
    }
    return Effect.map(this.start(rec, false), (outcome) => this.result(id, outcome))
  }

  /** `deleteChild`: removes the spec of a child that is not running. */
  deleteChild(id: string): Exit.Exit<void, ChildNotFound | ChildRunning> {
    const rec = this.children.get(id)
    if (rec === undefined) return Exit.fail(new ChildNotFound({ supervisor: this.label, child: id }))
    if (rec.status !== "not_running") {
      return Exit.fail(new ChildRunning({ supervisor: this.label, child: id, status: rec.status }))
    }
    this.drop(rec)
    return Exit.void
  }

  /**
   * Stops every running child: in reverse start order, one at a time (a supervisor), or all at
   * once (a dynamic supervisor, whose children have no order).
   */
  stopAll(concurrently: boolean): Effect.Effect<void> {
    const all = [...this.children.values()]
    if (concurrently) return Effect.forEach(all, (rec) => this.stop(rec), { concurrency: "unbounded", discard: true })
    return Effect.gen({ self: this }, function*(this: Engine) {
      for (let i = all.length - 1; i >= 0; i--) {
        if (all[i]!.ref !== undefined) yield* this.stop(all[i]!)
      }
    })
  }

  /** The children as `whichChildren` reports them, in start order. */
  infos(): Array<ChildInfo> {
    return Array.from(this.children.values(), childInfo)
  }

  /** OTP's counts; `specs` is the number of children kept unless given. */
  count(specs?: number): ChildCounts {
    let active = 0
    let supervisors = 0
    for (const c of this.children.values()) {
      if (c.ref !== undefined) active++
      if (c.spec.type === "supervisor") supervisors++
    }
    const n = this.children.size
    return { specs: specs ?? n, active, supervisors, workers: n - supervisors }
  }

  /** This supervisor's snapshot (its own children only; `Supervisor.snapshot` nests the rest). */
  snapshot(kind: Snapshot["kind"]): Snapshot {
    const restarts = this.window.count(this.now())
    return {
      kind,
      label: this.label,
      path: this.path,
      strategy: this.config.policy.strategy,
      intensity: this.config.intensity,
      periodMillis: this.config.periodMillis,
      restartsInWindow: restarts,
      remainingBudget: Math.max(0, this.config.intensity - restarts),
      children: this.infos()
    }
  }
}

/** The errors of `restartChild`. */
export type RestartChildError = ChildNotFound | ChildRunning | ChildStartFailed

// -----------------------------------------------------------------------------------------
// the supervisor actor
// -----------------------------------------------------------------------------------------

/** One handler per public request of protocol `P`; the state is the engine. */
export type Requests<P extends { readonly _tag: string }> = {
  readonly [K in P["_tag"]]: (engine: Engine, msg: Extract<P, { readonly _tag: K }>) => unknown
}

/**
 * A supervisor's `receive`: messages on {@link Internal} go to the engine, public requests to
 * `requests`; anything else (a forged internal message, a misspelt tag, a non-message from plain
 * JavaScript) is answered with `UnknownRequest` — dropped when it was told — and changes nothing.
 */
const receiveWith = <P extends { readonly _tag: string }>(requests: Requests<P>) =>
(engine: Engine, msg: unknown, ctx: { readonly self: ActorRef.ActorRef<any> }): unknown => {
  const own = PrivateChannel.open(Internal, msg, ctx.self)
  if (own !== undefined) {
    switch (own._tag) {
      case "Boot":
        return Effect.map(engine.boot(), (result) => Actor.reply(result, engine))
      case "ChildExited":
        return engine.onChildExited(own.ref, own.reason)
      case "RetryRestart":
        return engine.onRetry(own.id, own.token)
      case "Hub":
        return Actor.reply(engine.hub, engine)
    }
  }
  const tag = typeof msg === "object" && msg !== null ? (msg as { readonly _tag?: unknown })._tag : undefined
  const table = requests as Record<string, (e: Engine, m: unknown) => unknown>
  const handler = typeof tag === "string" && Object.hasOwn(table, tag) ? table[tag] : undefined
  if (handler === undefined) {
    const received = typeof tag === "string" ? `with _tag "${tag}"` : describe(msg)
    return Actor.reply(Exit.fail(new UnknownRequest({ supervisor: engine.label, received })), engine)
  }
  return handler(engine, msg)
}

/** The options both supervisor kinds take from their user's spec, as given. */
export interface CommonOptions {
  readonly label?: string | undefined
  readonly restartDelay?: Schedule.Schedule<unknown, unknown, never, never> | undefined
  readonly onEvent?: OnEvent | undefined
  readonly reports?: Partial<Reports.ReportLevels> | false | undefined
}

/** The options both supervisor kinds are started with. */
export interface LaunchOptions<P extends { readonly _tag: string }> {
  readonly kind: Snapshot["kind"]
  /** The user's spec (its label, backoff and observer are taken as given). */
  readonly spec: CommonOptions
  /** The validated restart intensity. */
  readonly intensity: { readonly intensity: number; readonly periodMillis: number }
  readonly policy: Policy
  readonly children: ReadonlyArray<ValidChild>
  readonly requests: Requests<P>
}

/**
 * Starts a supervisor actor (both kinds): claims the parent's relay, makes the hub and the
 * engine, spawns the actor (its stop hook stops the children), and for a static supervisor
 * boots its children — on a failed boot the supervisor is stopped and `start` fails.
 */
export const launch = <P extends { readonly _tag: string }>(
  options: LaunchOptions<P>
): Effect.Effect<ActorRef.ActorRef<P>, ChildStartFailed, Scope.Scope | ActorSystem.ActorSystem> =>
  Effect.gen(function*() {
    const label = options.spec.label
    const parent = yield* claimRelay(label)
    const hub = yield* PubSub.unbounded<SupervisionEvent>()
    const clock = yield* Clock.Clock
    const services = yield* Effect.context<never>()
    const inherited = Context.get(services, Reports.Reports)
    const levels = options.spec.reports === undefined ? inherited : Reports.merge(inherited, options.spec.reports)
    const config: EngineConfig = {
      label,
      intensity: options.intensity.intensity,
      periodMillis: options.intensity.periodMillis,
      restartDelay: options.spec.restartDelay,
      onEvent: options.spec.onEvent,
      policy: options.policy,
      services,
      // validated with the spec: merge cannot fail here
      reports: levels instanceof Reports.InvalidReportLevels ? inherited : levels,
      restarts: Context.get(services, Metrics.Enabled) === undefined
        ? undefined
        : Metric.withAttributes(Metrics.restarts, { supervisor: label ?? ((parent?.path ?? []).join("/") || "root") })
    }
    const engine = new Engine(config, parent?.path ?? [], parent, hub, clock, options.children)
    const behavior = Actor.make<P>()({
      init: () => Effect.succeed(engine),
      receive: receiveWith(options.requests) as never,
      onStop: (e: Engine) => e.stopAll(options.kind === "dynamic-supervisor")
    })
    const ref = yield* Effect.orDie(
      Actor.spawn(behavior, { shutdown: "infinity", ...(label === undefined ? {} : { label }) })
    )
    engine.self = ref
    supervisorRefs.add(ref)
    if (options.kind === "supervisor") {
      const booted = yield* PrivateChannel.ask(Internal, ref, { _tag: "Boot" }, { timeout: "infinity" }).pipe(
        Effect.catch((error) => Effect.die(error))
      )
      if (Exit.isFailure(booted)) {
        yield* ActorRef.stop(ref)
        return yield* booted
      }
    }
    return ref
  }) as never

/** A public request as the module functions build it (its reply slot is added by `ask`). */
export type RequestBody = { readonly _tag: string; readonly [field: string]: unknown }

/** Asks supervisor `sup` a public request and waits without a deadline (supervisors answer). */
export const request = <A>(sup: ActorRef.ActorRef<any>, msg: RequestBody): Effect.Effect<A, Errors.AskError> =>
  ActorRef.ask(sup, msg as never, { timeout: "infinity" }) as Effect.Effect<A, Errors.AskError>

/** {@link request} for the requests answered with an `Exit`: its failure becomes the effect's. */
export const requestExit = <A, E>(
  sup: ActorRef.ActorRef<any>,
  msg: RequestBody
): Effect.Effect<A, E | Errors.AskError> => Effect.flatten(request<Exit.Exit<A, E>>(sup, msg))

/** The hub of supervisor `sup` (for `Supervisor.events`). */
export const hubOf = (sup: ActorRef.ActorRef<any>): Effect.Effect<PubSub.PubSub<SupervisionEvent>, Errors.AskError> =>
  PrivateChannel.ask(Internal, sup, { _tag: "Hub" }, { timeout: "infinity" })

/** The options of `Supervisor.child` / `DynamicSupervisor.child`. */
export interface NestedOptions {
  readonly name?: ChildSpec["name"] | undefined
  readonly restart?: RestartType | undefined
  readonly shutdown?: ChildSpec["shutdown"] | undefined
  readonly significant?: boolean | undefined
}

/** The options of a nested supervisor's child spec when none are given: no name. */
export interface NoOptions extends NestedOptions {
  readonly name?: undefined
}

/**
 * A nested supervisor's spec with its label defaulted to its child id (`Supervisor.child("jobs",
 * …)` is labelled "jobs" in events, reports and errors unless its spec says otherwise). Anything
 * that is not a plain object is left as it is, for the validation to name.
 */
export const labelledBy = <S>(id: string, spec: S): S =>
  typeof spec === "object" && spec !== null && !Array.isArray(spec) && (spec as { label?: unknown }).label === undefined
    ? { ...spec, label: id }
    : spec

/** A child spec that runs a nested supervisor of either kind, carrying its spec for validation. */
export const nestedChild = <R>(
  id: string,
  nested: Nested,
  start: Effect.Effect<ActorRef.ActorRef<any>, unknown, any>,
  options: NestedOptions | undefined
): ChildSpec<R> => ({
  id,
  type: "supervisor",
  start,
  ...(options?.restart === undefined ? {} : { restart: options.restart }),
  ...(options?.name === undefined ? {} : { name: options.name }),
  ...(options?.shutdown === undefined ? {} : { shutdown: options.shutdown }),
  ...(options?.significant === undefined ? {} : { significant: options.significant }),
  [NestedSpec]: nested
} as ChildSpec<R>)
