/**
 * The one run loop of Arbor: an actor cell owns its mailbox (a ring buffer), its state and its
 * lifecycle. It runs handlers back to back while messages are waiting. A handler's effect runs in
 * a fiber of its own that ends with it; when that effect does not suspend, the loop goes on as for
 * a plain handler, in the same dispatcher turn. An idle actor holds no fiber.

 *
 * The cold parts live beside it: reply handles in `ask.ts`, handler results and their checks
 * in `handler.ts`, links, watches, monitors and what an actor's end tells whom in `exits.ts`,
 * and the handle users hold in `ref.ts`.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as References from "effect/References"
import * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import type { Overflow as ActorOverflow, Signal as ActorSignal } from "../Actor.ts"
import type { ActorRef } from "../ActorRef.ts"
import { MailboxFull } from "../Errors.ts"
import type { DeadLetterReason } from "../DeadLetter.ts"
import * as Reason from "../ExitReason.ts"
import type { ExitReason } from "../ExitReason.ts"
import type { Shutdown } from "../Durations.ts"
import { DeferredAsks, PendingAsk, ReplyHandle } from "./ask.ts"
import { announceExit } from "./exits.ts"
import type { Leftovers, Ties } from "./exits.ts"
import { asEffect, DeferReply, handlerDefect, handlerFailure, isThenable, Reply, Stop, thenableDefect } from "./handler.ts"
import { Ref } from "./ref.ts"
import type { ActorSystemService } from "../ActorSystem.ts"
import type { ActorMetrics } from "./metrics.ts"
import { actorAnnotations, reportCrash } from "./report.ts"
import { stateOf } from "./system.ts"
import { ActorTracing, currentSpan, enter, installedTracer, leave, tagOf } from "./tracing.ts"
import { Incarnation } from "../Tracing.ts"
import type { Runnable, SystemState } from "./system.ts"
import { IdleTimer, Timers } from "./timers.ts"

/** Mailbox overflow policies; see `Actor.MailboxOptions`. */
export type Overflow = ActorOverflow

/** A signal delivered to an actor's `onSignal` handler. */
export type Signal = ActorSignal

/** The normalized definition a cell runs. */
export interface CellBehavior {
  readonly init: (ctx: unknown) => Effect.Effect<unknown, unknown, unknown>
  readonly receive: (state: unknown, msg: unknown, ctx: unknown) => unknown
  readonly onSignal: ((state: unknown, signal: Signal, ctx: unknown) => unknown) | undefined
  readonly onStop: ((state: unknown, reason: ExitReason) => Effect.Effect<unknown, unknown, unknown>) | undefined
  readonly trapExit: boolean
  /** The idle timeout, validated: after how long, and the message to send (stop when absent). */
  readonly idle: { readonly afterMillis: number; readonly message: { readonly value: unknown } | undefined } | undefined
}

/** The handle given to `init` and handlers (`Actor.ActorContext`). */
export interface CellContext {
  readonly self: ActorRef<never>
  readonly system: ActorSystemService
  readonly timers: Timers
}

/**
 * The timer that sent a message (see `timers.ts`). Stale once its timer was cancelled or
 * re-armed: the generation check at dequeue, so a cancelled timer's message already waiting in
 * the mailbox is never handled.
 */
export interface TimerStamp {
  /** `true` once the timer that sent the message was cancelled or re-armed. */
  readonly done: boolean
  /** The message is about to be handled (a single-shot timer is no longer active). */
  delivered(): void
}

/** What rides along a message in the mailbox: the ask waiting for its reply, or the timer that sent it. */
export type Rider = PendingAsk | TimerStamp | undefined

/** A sender waiting for room in a full `"suspend"` mailbox. */
export interface Waiter {
  readonly msg: unknown
  readonly rep: Rider
  /** Resumes a suspended sender; `undefined` for a sender that could not wait. */
  readonly resume: ((effect: Effect.Effect<void>) => void) | undefined
  /** `true` for `ActorRef.send`: told with `ActorNotAlive` (no dead letter) if the actor ends first. */
  readonly ack: boolean
  /** The span current where it was sent, for a traced actor. */
  readonly parent: Tracer.AnySpan | undefined
}

type SysSignal =
  | { readonly _tag: "Stop"; readonly reason: ExitReason }
  | Signal

const enum Status {
  Running = 0,
  Stopping = 1,
  Finalizing = 2,
  Dead = 3,
  /** `init` is running: messages queue up, none is handled; a forced exit waits for the start. */
  Starting = 4
}

/** Result of one step of work. */
const CONTINUE = 0
const IDLE = 1
const EFFECT = 2
const TERMINATE = 3
/** A handler effect suspended: its fiber carries on, and the actor with it when it completes. */
const SUSPENDED = 4
type Step = typeof CONTINUE | typeof IDLE | typeof EFFECT | typeof TERMINATE | typeof SUSPENDED

/** Units of work a cell runs when its suspended handler effect completes, before it yields to the dispatcher. */
const RESUME_BUDGET = 512

/**
 * The effect a cell's handler-effect fibers run: records the fiber as the actor's own, then runs
 * the waiting handler effect. Made once per cell, on its first handler effect.
 */
const enterEffectOf = (cell: Cell): Effect.Effect<unknown, unknown> =>
  Effect.withFiber((fiber) => {
    cell.fiber = fiber
    const effect = cell.pendingEffect!
    cell.pendingEffect = undefined
    return effect as Effect.Effect<unknown, unknown>
  })

export class Cell implements Runnable {
  readonly id: number
  readonly label: string | undefined
  readonly system: SystemState
  /** The normalized definition this cell runs (also read by `harness.ts` for `@arbor/testkit`). */
  readonly behavior: CellBehavior
  /** The reference users hold (never the cell itself). */
  readonly self: ActorRef<never>
  /** What `init` and handlers receive as their `ctx`. */
  readonly ctx: CellContext
  /** The spawner's services (set by {@link spawnedWith}). */
  services!: Context.Context<never>
  /** The incarnation its supervisor gave the start that spawned it (`Tracing.Incarnation`). */
  incarnation: number | undefined = undefined
  /** Its tracer and span attributes, `undefined` when no tracer is installed (see `tracing.ts`). */
  private tracing: ActorTracing | undefined = undefined
  private contextCache: Context.Context<never> | undefined = undefined
  /** The contexts of handler effects by message tag (their log annotations name the tag); made on first use. */
  private tagContexts: Map<string, Context.Context<never>> | undefined = undefined
  private resourceScope: Scope.Closeable | undefined = undefined
  /** Registered in the spawner's scope: closing that scope stops this actor (per `shutdown`). */
  lifetime: Scope.Closeable | undefined
  /** How closing the spawner's scope stops this actor (its spawn's shutdown spec). */
  shutdown: Shutdown = "brutal"

  state: unknown = undefined
  private status: Status = Status.Starting
  /** The fiber running `init` while it runs (so `init` stopping its own actor does not wait for itself). */
  initFiber: Fiber.Fiber<unknown, unknown> | undefined = undefined
  private timersImpl: Timers | undefined = undefined
  /** The idle timeout, while the actor runs with one. */
  idle: IdleTimer | undefined = undefined
  exitReason: ExitReason | undefined = undefined

  // mailbox: a growable ring buffer of messages with a parallel ring of reply handles (and, for
  // a traced actor only, one of the spans current where each message was sent)
  private buf: Array<unknown> = EMPTY
  private reps: Array<Rider> = EMPTY as Array<Rider>
  private parents: Array<Tracer.AnySpan | undefined> | undefined = undefined
  private head = 0
  private size = 0
  /** User messages taken from the mailbox and given to the handler (read by observers). */
  received = 0
  /** This actor's metric handles (`Metrics`), `undefined` when metrics are off. */
  private readonly metrics: ActorMetrics | undefined
  readonly capacity: number
  readonly overflow: Overflow
  private waiters: Array<Waiter> | undefined = undefined
  private sys: Array<SysSignal> | undefined = undefined

  /** `true` while the cell is queued in the dispatcher or a fiber is working for it. */
  private scheduled = false
  fiber: Fiber.Fiber<unknown, unknown> | undefined = undefined
  private forced: ExitReason | undefined = undefined
  /** Reply handle of the message whose effect is running. */
  private current: PendingAsk | undefined = undefined
  /** The message being handled (for its handler effect's log annotations). */
  private handling: unknown = undefined
  /** The span of the message being handled, while a traced actor handles one. */
  private span: Tracer.Span | undefined = undefined
  /** Requests answered later (`Actor.deferReply`) and not answered yet; made on first use. */
  private deferred: DeferredAsks | undefined = undefined
  /** The handler effect about to run (read by the cell's `enterEffect`). */
  pendingEffect: Effect.Effect<unknown, unknown, unknown> | undefined = undefined
  /** What the cell's handler-effect fibers run, and their observer; made on first use. */
  private enterEffect: Effect.Effect<unknown, unknown> | undefined = undefined
  private effectObserver: ((exit: Exit.Exit<unknown, unknown>) => void) | undefined = undefined

  private stopRequest: { reason: ExitReason; hook: boolean } | undefined = undefined

  /** Links, watches, exit callbacks and monitors (see `exits.ts`); made on first use. */
  ties: Ties | undefined = undefined

  constructor(
    system: SystemState,
    service: ActorSystemService,
    behavior: CellBehavior,
    label: string | undefined,
    capacity: number,
    overflow: Overflow
  ) {
    this.system = system
    this.id = system.allocateId()
    this.label = label
    this.behavior = behavior
    this.capacity = capacity
    this.overflow = overflow
    this.self = new Ref(this) as unknown as ActorRef<never>
    this.metrics = system.metrics?.forActor(label)
    this.ctx = new Ctx(this, service)
  }

  /** `true` when a tracer is installed where the actor was spawned: its messages have spans. */
  get traced(): boolean {
    return this.tracing !== undefined
  }

  /**
   * Records the spawner's services: what the actor runs with, the incarnation its supervisor
   * gave it, and whether it is traced (a tracer is installed in them).
   */
  spawnedWith(services: Context.Context<never>): void {
    this.services = services
    // actors spawned in a row from one fiber share its context: read it once for all of them
    if (services !== spawnedFrom.services) {
      spawnedFrom.services = services
      spawnedFrom.incarnation = Context.get(services, Incarnation)
      spawnedFrom.tracer = installedTracer(services)
    }
    this.incarnation = spawnedFrom.incarnation
    const tracer = spawnedFrom.tracer
    if (tracer !== undefined) this.tracing = new ActorTracing(tracer, services, this.id, this.label, this.incarnation)
  }

  /**
   * Publishes a dead letter of this actor (a message to it that was dropped or never handled)
   * through the `ActorSystem` service it was spawned through (`ctx.system`, the service its
   * spawner saw): straight into the built-in state when that service is the built-in one, else
   * by running that service's `publishDeadLetter` with the spawner's services, so a wrapper sees
   * the runtime's dead letters too. Only undeliverable messages come here: no per-message cost.
   * A `publishDeadLetter` that throws or fails is logged, never thrown at the sender.
   */
  deadLetter(message: unknown, reason: DeadLetterReason): void {
    const letter = { recipient: this.self, message, reason }
    const service = this.ctx.system
    if (stateOf(service) === this.system) return this.system.publishDeadLetter(letter)
    Effect.runForkWith(this.services)(
      Effect.catchCause(
        Effect.suspend(() => service.publishDeadLetter(letter)),
        (cause) => Effect.logError(`ActorSystem.publishDeadLetter failed for a dead letter of ${this.description}`, cause)
      )
    )
  }

  /** The actor's timers (`ctx.timers`), made on first use. */
  get timers(): Timers {
    return (this.timersImpl ??= new Timers(this))
  }

  /** `true` when nothing is queued or running: what the idle timeout waits for. */
  isIdle(): boolean {
    return this.status === Status.Running && !this.scheduled && this.size === 0 && (this.sys?.length ?? 0) === 0
  }

  /**
   * `init` completed with `state`: the actor starts handling what was queued meanwhile. A forced
   * exit (a kill, a linked actor's exit signal) that arrived during `init` takes effect now.
   */
  start(state: unknown): void {
    this.state = state
    this.status = Status.Running
    this.system.liveActors++
    if (this.system.metrics !== undefined) this.system.metrics.liveChanged(1)
    const idle = this.behavior.idle
    if (idle !== undefined) this.idle = new IdleTimer(this, idle.afterMillis, idle.message)
    const forced = this.forced
    if (forced !== undefined) {
      this.forced = undefined
      this.forceExit(forced)
      return
    }
    if (this.size > 0 || (this.sys !== undefined && this.sys.length > 0)) this.wake()
  }

  /**
   * `init` failed, died or was interrupted: the actor never started and ends with `reason`
   * (anyone who obtained its reference from `init` sees it end; what was queued becomes dead
   * letters). `init`'s resources were already released by the spawn.
   */
  abortStart(reason: ExitReason): void {
    if (this.status !== Status.Starting) return
    this.forced = undefined
    this.markDead(reason)
  }

  /** `true` while `init` runs. */
  isStarting(): boolean {
    return this.status === Status.Starting
  }

  /**
   * Owns this actor's resources and the actors it spawned; closed when it ends. Made on first
   * use, so an actor whose `init` and handlers never need a scope pays nothing for it.
   */
  get resources(): Scope.Closeable {
    return (this.resourceScope ??= Scope.makeUnsafe())
  }

  /**
   * Services for effects run on the actor's behalf: the spawner's, plus the actor's own `Scope`,
   * its own log annotations (id, label, incarnation) instead of its spawner's, and neither its
   * spawner's span nor its incarnation.
   */
  get context(): Context.Context<never> {
    return (this.contextCache ??= ownContext(
      Context.add(this.services, Scope.Scope, this.resources),
      actorAnnotations(this.id, this.label, this.incarnation)
    ))
  }

  /**
   * The context of the handler effect of the message being handled: {@link context} with the
   * message's tag in the log annotations (one context per tag, made once) and, while traced, the
   * message's span as the current span.
   */
  private handlerContext(): Context.Context<never> {
    const msg = this.handling
    let context = this.context
    if (msg !== undefined) {
      const tag = tagOf(msg)
      const contexts = this.tagContexts ??= new Map()
      let tagged = contexts.get(tag)
      if (tagged === undefined) {
        tagged = Context.add(context, References.CurrentLogAnnotations, {
          ...actorAnnotations(this.id, this.label, this.incarnation),
          "arbor.message": tag
        })
        // tags are the protocol's; a cast one-off tag is not kept beyond a bound
        if (contexts.size < 256) contexts.set(tag, tagged)
      }
      context = tagged
    }
    return this.span === undefined ? context : Context.add(context, Tracer.ParentSpan, this.span)
  }

  get description() {
    return { id: this.id, label: this.label }
  }

  isAlive(): boolean {
    return this.status !== Status.Dead
  }

  isRunning(): boolean {
    return this.status === Status.Running
  }

  mailboxSize(): number {
    return this.size + (this.waiters?.length ?? 0)
  }

  // ---------------------------------------------------------------------------------------
  // sending
  // ---------------------------------------------------------------------------------------

  /**
   * Delivers a message. `resume` is given by senders that can suspend (the `"suspend"`
   * policy); without it a full `"suspend"` mailbox accepts the message beyond its capacity
   * (a synchronous sender cannot wait). Returns `undefined` when the message was accepted,
   * `"Waiting"` when the sender must wait for `resume`, else why it was not delivered.
   */
  offer(
    msg: unknown,
    rep: Rider,
    resume: ((effect: Effect.Effect<void>) => void) | undefined,
    ack = false
  ): DeadLetterReason | "Waiting" | undefined {
    if (this.status === Status.Dead) return "NotAlive"
    if (this.size >= this.capacity || this.waiters !== undefined) {
      switch (this.overflow) {
        case "suspend": {
          ;(this.waiters ??= []).push({ msg, rep, resume, ack, parent: this.tracing === undefined ? undefined : currentSpan() })
          this.wake()
          return resume === undefined ? undefined : "Waiting"
        }
        case "dropNewest":
          if (this.size >= this.capacity) return "DroppedNewest"
          break
        case "fail":
          if (this.size >= this.capacity) return "MailboxFull"
          break
        case "dropOldest": {
          if (this.size >= this.capacity) {
            const oldMsg = this.buf[this.head]
            const oldRep = this.reps[this.head]
            this.buf[this.head] = undefined
            this.reps[this.head] = undefined
            if (this.parents !== undefined) this.parents[this.head] = undefined
            this.head = (this.head + 1) & (this.buf.length - 1)
            this.size--
            if (oldRep instanceof PendingAsk) {
              oldRep.fail(new MailboxFull({ actor: this.description, capacity: this.capacity }))
            } else if (oldRep === undefined || !oldRep.done) this.deadLetter(oldMsg, "DroppedOldest")
          }
          break
        }
      }
    }
    this.push(msg, rep, this.tracing === undefined ? undefined : currentSpan())
    this.wake()
    return undefined
  }

  /**
   * Removes a suspended sender's message that has not entered the mailbox yet (its sender was
   * interrupted). Only on the slow path: a full `"suspend"` mailbox.
   */
  withdrawWaiter(resume: (effect: Effect.Effect<void>) => void): void {
    const waiters = this.waiters
    if (waiters === undefined) return
    for (let k = 0; k < waiters.length; k++) {
      if (waiters[k]!.resume === resume) {
        waiters.splice(k, 1)
        if (waiters.length === 0) this.waiters = undefined
        return
      }
    }
  }

  private push(msg: unknown, rep: Rider, parent: Tracer.AnySpan | undefined): void {
    if (this.size === this.buf.length) this.grow()
    const i = (this.head + this.size) & (this.buf.length - 1)
    this.buf[i] = msg
    this.reps[i] = rep
    if (this.parents !== undefined) this.parents[i] = parent
    this.size++
  }

  private grow(): void {
    const n = this.buf.length === 0 ? 8 : this.buf.length * 2
    const buf = new Array<unknown>(n)
    const reps = new Array<Rider>(n)
    const mask = this.buf.length - 1
    for (let k = 0; k < this.size; k++) {
      const j = (this.head + k) & mask
      buf[k] = this.buf[j]
      reps[k] = this.reps[j]
    }
    if (this.tracing !== undefined) {
      const parents = new Array<Tracer.AnySpan | undefined>(n)
      const old = this.parents
      if (old !== undefined) for (let k = 0; k < this.size; k++) parents[k] = old[(this.head + k) & mask]
      this.parents = parents
    }
    this.buf = buf
    this.reps = reps
    this.head = 0
  }

  private wake(): void {
    if (!this.scheduled && this.status !== Status.Dead) {
      this.scheduled = true
      this.system.dispatcher.schedule(this)
    }
  }

  /** Enqueues a system signal; handled before any waiting user message. */
  signal(s: SysSignal): void {
    if (this.status === Status.Dead) return
    ;(this.sys ??= []).push(s)
    this.wake()
  }

  // ---------------------------------------------------------------------------------------
  // the run loop
  // ---------------------------------------------------------------------------------------

  drain(budget: number): number {
    let n = 0
    while (n < budget) {
      let step: Step
      try {
        step = this.step()
        if (step !== CONTINUE) step = this.proceed(step)
      } catch (defect) {
        // a bug in the runtime or a hostile value (handlers' own throws are caught in `step`):
        // end this actor, never the dispatcher or the host process
        this.scheduled = false
        this.forceExit(Reason.fromCause(Cause.die(defect)))
        return n + 1
      }
      n++
      if (step !== CONTINUE) return n
    }
    this.system.dispatcher.schedule(this)
    return n
  }

  /**
   * Carries a step other than `CONTINUE` as far as it goes without waiting: runs handler effects
   * (in a fiber of their own, back in the caller as soon as one completes), ends the actor.
   * `CONTINUE` when the next message may be taken now; else `IDLE`: the cell is idle, or a
   * fiber of its own (a suspended handler effect, the stop hook) carries on.
   */
  private proceed(step: Step): Step {
    while (step === EFFECT) step = this.runEffect()
    if (step === CONTINUE) return CONTINUE
    if (step === TERMINATE) {
      if (this.endsWithoutEffects()) {
        // no stop hook to run and no resources to release: end here, without a fiber
        const request = this.stopRequest!
        this.stopRequest = undefined
        this.scheduled = false
        this.finalizeDetached(request.reason)
      } else {
        this.startTermination()
      }
    } else if (step === IDLE) {
      this.scheduled = false
      this.handling = undefined
    }
    // SUSPENDED: `scheduled` stays set while the handler's fiber runs; its observer resumes
    return IDLE
  }

  /** Takes one unit of work: a system signal first, else the oldest user message. */
  private step(): Step {
    if (this.status !== Status.Running || this.forced !== undefined) return IDLE
    const sys = this.sys
    if (sys !== undefined && sys.length > 0) return this.handleSignal(sys.shift()!)
    if (this.size === 0) return IDLE
    const i = this.head
    const msg = this.buf[i]
    let rep = this.reps[i]
    this.buf[i] = undefined
    this.reps[i] = undefined
    let parent: Tracer.AnySpan | undefined
    if (this.parents !== undefined) {
      parent = this.parents[i]
      this.parents[i] = undefined
    }
    this.head = (i + 1) & (this.buf.length - 1)
    this.size--
    if (this.waiters !== undefined) this.admitWaiter()
    if (rep !== undefined) {
      if (rep.done) return CONTINUE // withdrawn by its asker, or sent by a cancelled timer
      if (!(rep instanceof PendingAsk)) {
        rep.delivered()
        rep = undefined
      }
    }
    if (this.idle !== undefined) this.idle.touch()
    this.received++
    if (this.metrics !== undefined) this.metrics.begin(this.size)
    this.handling = msg
    if (this.tracing !== undefined) return this.receiveTraced(msg, rep as PendingAsk | undefined, parent)
    return this.receive(msg, rep as PendingAsk | undefined)
  }

  /** Calls the handler for `msg` and settles its result; a throw is the actor's defect. */
  private receive(msg: unknown, rep: PendingAsk | undefined): Step {
    let out: unknown
    try {
      out = this.behavior.receive(this.state, msg, this.ctx)
    } catch (defect) {
      this.current = rep
      return this.requestStop(handlerDefect(defect), true)
    }
    return this.settle(out, rep)
  }

  /**
   * {@link step}'s handler call in a traced actor: opens the message's span (a child of the span
   * current where it was sent), which is the current span while the handler runs synchronously
   * and while its effect runs; it ends when the handler's result is applied, or when the actor
   * ends first (`markDead`).
   */
  private receiveTraced(msg: unknown, rep: PendingAsk | undefined, parent: Tracer.AnySpan | undefined): Step {
    const span = this.tracing!.begin(msg, parent, rep !== undefined)
    this.span = span
    const previous = enter(span)
    try {
      return this.receive(msg, rep)
    } finally {
      leave(previous)
    }
  }

  private admitWaiter(): void {
    const waiters = this.waiters!
    const w = waiters.shift()!
    if (waiters.length === 0) this.waiters = undefined
    this.push(w.msg, w.rep, w.parent)
    if (w.resume !== undefined) w.resume(Effect.void)
  }

  private handleSignal(s: SysSignal): Step {
    this.handling = undefined
    switch (s._tag) {
      case "Stop":
        return this.requestStop(s.reason, true)
      case "Exit":
      case "Down": {
        const handler = this.behavior.onSignal
        if (handler === undefined) return CONTINUE
        let out: unknown
        try {
          out = handler(this.state, s, this.ctx)
        } catch (defect) {
          return this.requestStop(handlerDefect(defect), true)
        }
        return this.settle(out, undefined)
      }
    }
  }

  /** Interprets what a handler returned. */
  private settle(out: unknown, rep: PendingAsk | undefined): Step {
    if (Effect.isEffect(out)) {
      if (Exit.isExit(out)) {
        if (Exit.isFailure(out)) {
          this.current = rep
          return this.requestStop(handlerFailure(out.cause), true)
        }
        return this.apply(out.value, rep)
      }
      this.current = rep
      this.pendingEffect = out
      return EFFECT
    }
    return this.apply(out, rep)
  }

  private apply(value: unknown, rep: PendingAsk | undefined): Step {
    if (this.metrics !== undefined) this.metrics.end()
    if (this.span !== undefined && handled(value)) {
      this.tracing!.end(this.span)
      this.span = undefined
    }
    if (value instanceof Reply) {
      if (isThenable(value.state)) return this.thenable(value.state, rep)
      this.state = value.state
      if (rep !== undefined) rep.succeed(value.value)
      return CONTINUE
    }
    if (value instanceof Stop) {
      this.current = rep
      return this.requestStop(value.reason, true)
    }
    if (value instanceof DeferReply) return this.deferReply(value, rep)
    if (isThenable(value)) return this.thenable(value, rep)
    this.state = value
    return CONTINUE
  }

  /**
   * A request handler answers later: its ask is kept (failed with `ActorExited` if the actor
   * ends first), and the handler's continuation gets the handle and returns the next state.
   */
  private deferReply(value: DeferReply, rep: PendingAsk | undefined): Step {
    let owner: DeferredAsks | undefined
    if (rep !== undefined && !rep.done) {
      owner = this.deferred ??= new DeferredAsks()
      owner.add(rep)
    }
    let out: unknown
    try {
      out = value.f(new ReplyHandle(rep, owner))
    } catch (defect) {
      return this.requestStop(handlerDefect(defect), true)
    }
    return this.settle(out, undefined)
  }

  /** A handler returned a Promise (an `async` handler from JS): a defect of this actor. */
  private thenable(value: PromiseLike<unknown>, rep: PendingAsk | undefined): Step {
    this.current = rep
    return this.requestStop(handlerDefect(thenableDefect(value, "a handler")), true)
  }

  private requestStop(reason: ExitReason, hook: boolean): Step {
    this.stopRequest = { reason, hook }
    return TERMINATE
  }

  /**
   * Runs the handler effect `pendingEffect` in a fiber of its own, with the actor's services.
   * `runForkWith` evaluates synchronously: an effect that does not suspend has completed when it
   * returns, and its result is settled here, in the caller's loop. Only an effect that really
   * suspends leaves the fiber running (`SUSPENDED`); its observer continues the actor. The fiber
   * records itself in `cell.fiber` as its first instruction, so the handler's synchronous part is
   * already the actor's own (`ActorRef.stop(self)`) and a `kill` interrupts it.
   */
  private runEffect(): Step {
    // the message's own context: its tag in the log annotations, its span while traced
    const fiber = Effect.runForkWith(this.handlerContext())(this.enterEffect ??= enterEffectOf(this))
    const exit = fiber.pollUnsafe()
    if (exit !== undefined) {
      if (this.fiber === fiber) this.fiber = undefined
      return this.afterEffect(exit)
    }
    fiber.addObserver(this.effectObserver ??= (exit) => this.effectSettled(exit))
    return SUSPENDED
  }

  /** A suspended handler effect completed: the actor goes on from its result. */
  private effectSettled(exit: Exit.Exit<unknown, unknown>): void {
    this.fiber = undefined
    if (this.status === Status.Dead || this.status === Status.Finalizing) return
    let step: Step
    try {
      step = this.proceed(this.afterEffect(exit))
    } catch (defect) {
      this.scheduled = false
      this.forceExit(Reason.fromCause(Cause.die(defect)))
      return
    }
    // the actor goes on at once, in the stack of whatever resumed the effect (as a fiber would):
    // what waits is handled before that code goes on; past the budget the dispatcher takes over
    if (step === CONTINUE) this.drain(RESUME_BUDGET)
  }

  /**
   * What a completed handler effect leads to. A forced exit (kill, a link's exit signal) that
   * arrived while it ran ends the actor now, with a result applied first when the effect completed
   * all the same (it was uninterruptible); any other failure is the actor's failure.
   */
  private afterEffect(exit: Exit.Exit<unknown, unknown>): Step {
    const rep = this.current
    if (Exit.isFailure(exit)) {
      if (this.forced !== undefined) return this.endForced()
      return this.requestStop(handlerFailure(exit.cause), true)
    }
    this.current = undefined
    const step = this.apply(exit.value, rep)
    if (this.forced !== undefined) return this.endForced()
    return step
  }

  /** Ends the actor with the forced exit that arrived while its handler effect ran. */
  private endForced(): Step {
    this.stopRequest = undefined
    this.pendingEffect = undefined
    if (this.status < Status.Finalizing) this.finalizeDetached(this.forced!)
    return IDLE
  }

  /** Ends gracefully in a fiber: the stop hook (interruptible by a forced exit), then finalization. */
  private startTermination(): void {
    const request = this.stopRequest!
    this.stopRequest = undefined
    const fiber = Effect.runForkWith(this.context)(Effect.withFiber((self) => {
      this.fiber = self
      return this.terminate(request.reason, request.hook)
    }))
    fiber.addObserver((exit) => this.onFiberExit(fiber, exit))
  }

  private onFiberExit(fiber: Fiber.Fiber<unknown, unknown>, exit: Exit.Exit<unknown, unknown>): void {
    if (this.fiber === fiber) this.fiber = undefined
    if (this.status === Status.Dead || this.status === Status.Finalizing) return
    if (Exit.isFailure(exit)) {
      // interrupted from outside: a forced exit (kill, or an exit signal from a link)
      this.finalizeDetached(this.forced ?? Reason.fromExit(exit))
    }
  }

  /** Graceful end: runs the stop hook (interruptible by a forced exit), then finalizes. */
  private terminate(reason: ExitReason, hook: boolean): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.status = Status.Stopping
      const onStop = this.behavior.onStop
      if (!hook || onStop === undefined) return this.finalize(reason)
      return Effect.suspend(() => asEffect(onStop(this.state, reason), "the stop hook")).pipe(
        // a forced exit interrupts the hook (then `onFiberExit` finalizes); any other failure of
        // the hook is ignored: the actor ends with `reason` all the same
        Effect.catchCause((cause) =>
          this.forced !== undefined && Cause.hasInterruptsOnly(cause) ? Effect.failCause(cause) : Effect.void
        ),
        Effect.andThen(this.finalize(reason))
      ) as Effect.Effect<void>
    })
  }

  /** Releases resources (uninterruptibly), then marks the actor dead. */
  private finalize(reason: ExitReason): Effect.Effect<void> {
    return Effect.uninterruptible(
      Effect.suspend(() => {
        this.status = Status.Finalizing
        return this.resourceScope === undefined ? Effect.void : Scope.close(this.resourceScope, Exit.void)
      }).pipe(Effect.ensuring(Effect.sync(() => this.markDead(reason))))
    )
  }

  /** `true` when ending needs no effect: no stop hook will run and there is nothing to release. */
  private endsWithoutEffects(): boolean {
    const request = this.stopRequest!
    return (!request.hook || this.behavior.onStop === undefined) && this.resourceScope === undefined
  }

  /** Finalizes outside of any running fiber of this cell (idle kill, interrupted fiber). */
  private finalizeDetached(reason: ExitReason): void {
    this.status = Status.Finalizing
    const close = this.resourceScope === undefined ? undefined : Scope.closeUnsafe(this.resourceScope, Exit.void)
    if (close === undefined) {
      this.markDead(reason)
      return
    }
    const fiber = Effect.runForkWith(this.context)(Effect.exit(close))
    fiber.addObserver(() => this.markDead(reason))
  }

  /**
   * Ends the actor by force with `reason`: interrupts whatever it is running (a handler or its
   * stop hook); the stop hook does not run. Used by `kill` (reason `Killed`) and by exit
   * signals from links.
   */
  forceExit(reason: ExitReason): void {
    if (this.status === Status.Dead || this.status === Status.Finalizing) return
    if (this.forced !== undefined) return
    this.forced = reason
    // during `init` nothing of the actor runs yet: the exit takes effect when `init` completes
    if (this.status === Status.Starting) return
    const fiber = this.fiber
    if (fiber !== undefined) {
      fiber.interruptUnsafe()
      return
    }
    this.finalizeDetached(reason)
  }

  /** Asks the actor to stop gracefully: after its current message, before waiting ones. */
  requestGracefulStop(reason: ExitReason): void {
    this.signal({ _tag: "Stop", reason })
  }

  /** The actor has ended: detaches what its end must announce, then announces it (`exits.ts`). */
  private markDead(reason: ExitReason): void {
    if (this.status === Status.Dead) return
    const wasStarted = this.status !== Status.Starting
    this.status = Status.Dead
    this.exitReason = reason
    if (wasStarted) {
      this.system.liveActors--
      if (this.system.metrics !== undefined) this.system.metrics.liveChanged(-1)
    }
    if (this.timersImpl !== undefined) this.timersImpl.cancelAllUnsafe()
    if (this.idle !== undefined) {
      this.idle.cancel()
      this.idle = undefined
    }
    reportCrash(this.services, this.id, this.label, reason)
    this.sys = undefined
    this.state = undefined
    this.handling = undefined
    this.parents = undefined
    const ties = this.ties
    this.ties = undefined
    const lifetime = this.lifetime
    this.lifetime = undefined
    const span = this.span
    if (span === undefined) return announceExit(this, reason, ties, lifetime, this.takeLeftovers())
    // ended while handling a message: its span ends with the reason, and is the current span of
    // what the end announces (a supervisor's exit notice, an exit signal), so a restart is traced
    // as a consequence of the message whose handler crashed
    this.span = undefined
    this.tracing!.endWith(span, reason)
    const previous = enter(span)
    try {
      announceExit(this, reason, ties, lifetime, this.takeLeftovers())
    } finally {
      leave(previous)
    }
  }

  /** Empties the mailbox; what was waiting in it (`undefined` when nothing was). */
  private takeLeftovers(): Leftovers | undefined {
    const current = this.current
    const waiters = this.waiters
    const size = this.size
    const deferred = this.deferred
    const left = current === undefined && size === 0 && waiters === undefined && deferred === undefined
      ? undefined
      : { current, deferred, buf: this.buf, reps: this.reps, head: this.head, size, waiters }
    this.current = undefined
    this.deferred = undefined
    this.waiters = undefined
    this.buf = EMPTY
    this.reps = EMPTY as Array<Rider>
    this.head = 0
    this.size = 0
    return left
  }
}

const EMPTY: Array<unknown> = []

/** What the last spawn read from its spawner's services (see `Cell.spawnedWith`). */
const spawnedFrom: {
  services: Context.Context<never> | undefined
  incarnation: number | undefined
  tracer: Tracer.Tracer | undefined
} = { services: undefined, incarnation: undefined, tracer: undefined }

/**
 * `true` when a handler's result ends the handling of its message: not a deferred reply (its
 * continuation is still part of it), nor a Promise (which fails the actor: the span ends with that).
 */
const handled = (value: unknown): boolean =>
  !(value instanceof DeferReply) && !isThenable(value) && !(value instanceof Reply && isThenable(value.state))

/**
 * A cell's `ctx`: one small object per actor, its `timers` a getter on the shared prototype (an
 * object literal with a getter would cost each actor a closure and a dictionary-mode object).
 */
class Ctx implements CellContext {
  readonly self: ActorRef<never>
  readonly #cell: Cell
  constructor(cell: Cell, readonly system: ActorSystemService) {
    this.self = cell.self
    this.#cell = cell
  }
  get timers(): Timers {
    return this.#cell.timers
  }
}

/**
 * `context` with the actor's own log annotations, and without its spawner's span and
 * incarnation (a handler's spans and spawns must not look like its spawner's).
 */
const ownContext = (context: Context.Context<never>, annotations: Record<string, unknown>): Context.Context<never> => {
  let own = Context.add(context, References.CurrentLogAnnotations, annotations)
  if (Context.getOrUndefined(own, Tracer.ParentSpan) !== undefined) own = Context.omit(Tracer.ParentSpan)(own)
  if (Context.get(own, Incarnation) !== undefined) own = Context.add(own, Incarnation, undefined)
  return own
}
