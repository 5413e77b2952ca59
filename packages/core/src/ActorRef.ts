/**
 * References to actors, and everything you can do with one: `tell`, `send`, `ask`, `stop`,
 * `kill`, `monitor`, `link`, `watch`.
 *
 * An `ActorRef<Msg>` accepts only the actor's protocol `Msg`. It names one incarnation: a
 * restarted actor has a new ref (use `@arbor/registry` for names that survive restarts).
 *
 * Messages from one sender to one receiver arrive in the order they were sent. System signals
 * (stop, exit and down notices) are handled before user messages that are waiting; `kill` acts
 * at once.
 *
 * @module
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { ReplyFor, RequestsOf } from "./Actor.ts"
import * as Durations from "./Durations.ts"
import { ActorNotAlive, AskTimeout, MailboxFull } from "./Errors.ts"
import type { AskError } from "./Errors.ts"
import * as Reason from "./ExitReason.ts"
import type { ExitReason } from "./ExitReason.ts"
import { PendingAsk } from "./internal/ask.ts"
import type { Cell } from "./internal/cell.ts"
import { MAX_TIMER_MILLIS } from "./internal/deadlines.ts"
import * as Exits from "./internal/exits.ts"
import * as Lifecycle from "./internal/lifecycle.ts"
import { Ref } from "./internal/ref.ts"
import { spanActorName, tagOf } from "./internal/tracing.ts"

const TypeId = "~@arbor/core/ActorRef" as const

/**
 * A reference to one incarnation of an actor whose protocol is `Msg`.
 *
 * @category models
 * @since 0.1.0
 */
export interface ActorRef<in Msg> {
  /** Type-level only: the protocol this actor accepts. */
  readonly [TypeId]: {
    /** The protocol (contravariant: a ref for `A | B` accepts where `A` is expected to be sent). */
    readonly _Msg: (_: Msg) => void
  }
  /** Unique within its `ActorSystem`; never reused. */
  readonly id: number
  /** The optional human-readable label given at spawn. */
  readonly label: string | undefined
}

/** The actor behind a reference (held privately by the reference). */
const cellOf = (ref: ActorRef<any>): Cell => Ref.cellOf(ref)

/**
 * `true` if `u` is an `ActorRef`.
 *
 * @category guards
 * @since 0.1.0
 */
export const isActorRef = (u: unknown): u is ActorRef<unknown> => u instanceof Ref

/**
 * Sends a message without waiting for it to be handled.
 *
 * Never fails: a message to an actor that is not alive, or one dropped by a bounded mailbox's
 * overflow policy, goes to dead letters. On a full mailbox with the `"suspend"` policy, the sender
 * waits for room; interrupting it then withdraws the message.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 * declare const counter: ActorRef.ActorRef<{ readonly _tag: "Increment"; readonly by: number }>
 * const increment = ActorRef.tell(counter, { _tag: "Increment", by: 1 })
 * ```
 *
 * @category messaging
 * @since 0.1.0
 */
export const tell = <Msg>(ref: ActorRef<Msg>, msg: NoInfer<Msg>): Effect.Effect<void> => {
  const cell = cellOf(ref)
  if (cell.overflow !== "suspend" || cell.capacity === Infinity) {
    return Effect.sync(() => tellUnsafe(ref, msg))
  }
  return Effect.callback<void>((resume) => {
    const result = cell.offer(msg, undefined, resume)
    if (result === "Waiting") return Effect.sync(() => cell.withdrawWaiter(resume))
    if (result !== undefined) cell.deadLetter(msg, result)
    resume(Effect.void)
  })
}

/**
 * The synchronous form of {@link tell}, for code that is not an Effect (for example a handler
 * that returns its next state directly).
 *
 * Never throws. It cannot wait: on a full `"suspend"` mailbox the message is accepted beyond the
 * capacity rather than lost.
 *
 * @category messaging
 * @since 0.1.0
 */
export const tellUnsafe = <Msg>(ref: ActorRef<Msg>, msg: NoInfer<Msg>): void => {
  const cell = cellOf(ref)
  const result = cell.offer(msg, undefined, undefined)
  if (result !== undefined && result !== "Waiting") {
    cell.deadLetter(msg, result)
  }
}

/**
 * Sends a message and acknowledges that it was enqueued.
 *
 * Sends a message and acknowledges that it was enqueued: fails with `ActorNotAlive` when the
 * actor is gone, with `MailboxFull` when a bounded mailbox refused it (`"fail"` and
 * `"dropNewest"` policies); waits for room under `"suspend"` (failing with `ActorNotAlive` if
 * the actor ends meanwhile; interrupting the sender withdraws the message).
 *
 * Once `send` succeeds the message is in the mailbox: it will be handled, or — if the actor ends
 * first — published as a dead letter.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 * import { Effect } from "effect"
 * declare const worker: ActorRef.ActorRef<{ readonly _tag: "Job"; readonly id: number }>
 * const submit = ActorRef.send(worker, { _tag: "Job", id: 1 }).pipe(
 *   Effect.catchTag("MailboxFull", () => Effect.log("worker is overloaded, try later"))
 * )
 * ```
 *
 * @category messaging
 * @since 0.1.0
 */
export const send = <Msg>(ref: ActorRef<Msg>, msg: NoInfer<Msg>): Effect.Effect<void, ActorNotAlive | MailboxFull> =>
  Effect.callback<void, ActorNotAlive | MailboxFull>((resume) => {
    const cell = cellOf(ref)
    const result = cell.offer(msg, undefined, cell.overflow === "suspend" ? resume : undefined, true)
    if (result === "Waiting") return Effect.sync(() => cell.withdrawWaiter(resume))
    if (result === undefined) resume(Effect.void)
    else if (result === "NotAlive") resume(Effect.fail(new ActorNotAlive({ actor: cell.description })))
    else resume(Effect.fail(new MailboxFull({ actor: cell.description, capacity: cell.capacity })))
  })

/**
 * Options of {@link ask}.
 *
 * @category messaging
 * @since 0.1.0
 */
export interface AskOptions {
  /** How long to wait for the reply. Default: 5 seconds. `"infinity"` waits forever. */
  readonly timeout?: Duration.Input | "infinity"
}

const defaultAskTimeout = Duration.seconds(5)
const defaultAskMillis = Duration.toMillis(defaultAskTimeout)

/**
 * Sends a request and waits for its reply, whose type is inferred from the request.
 *
 * - fails at once with `ActorNotAlive` if the target is not alive;
 * - fails with `ActorExited` (carrying the exit reason) as soon as the target ends without
 *   replying — it does not wait for the timeout;
 * - fails with `AskTimeout` after `timeout` (default 5 s, read from the `Clock`); a reply
 *   that arrives later is dropped;
 * - fails with `MailboxFull` if a bounded mailbox refused or dropped the request;
 * - interrupting the asker withdraws the request if it is still queued.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef } from "@arbor/core"
 * type Msg = Actor.Request<{ readonly _tag: "Get" }, number>
 * declare const counter: ActorRef.ActorRef<Msg>
 * const get = ActorRef.ask(counter, { _tag: "Get" }, { timeout: "1 second" }) // Effect<number, AskError>
 * ```
 *
 * @category messaging
 * @since 0.1.0
 */
export const ask = <Msg, const M extends RequestsOf<Msg>>(
  ref: ActorRef<Msg>,
  msg: M,
  options?: AskOptions
): Effect.Effect<ReplyFor<Msg, M>, AskError> => {
  const cell = cellOf(ref)
  const timeout = options?.timeout
  let duration = defaultAskTimeout
  let millis = defaultAskMillis
  if (timeout !== undefined) {
    const decoded = Durations.decode(timeout)
    if (decoded === undefined) {
      // a programming error: a defect of the returned effect, never a throw at the call site
      return Effect.die(new Cause.IllegalArgumentError(`ActorRef.ask: invalid timeout ${String(timeout)}`))
    }
    duration = decoded
    if (!Duration.isFinite(duration)) return traced(cell, msg, request(cell, msg, undefined, 0))
    millis = Duration.toMillis(duration)
  }
  return traced(cell, msg, Effect.withFiber((fiber) => {
    // On the live clock the timeout is a deadline in the system's queue for that timeout (one
    // Node timer per queue, no racing fiber); any other clock (TestClock, a custom one) goes
    // through Effect's own timeout.
    if (millis <= MAX_TIMER_MILLIS && isLiveClock(fiber.getRef(Clock.Clock))) {
      return request(cell, msg, duration, millis)
    }
    return Effect.timeoutOrElse(request(cell, msg, undefined, 0), {
      duration,
      orElse: () => Effect.fail(new AskTimeout({ actor: cell.description, timeout: duration }))
    })
  }))
}

/** An ask of a traced actor (see `Tracing`) runs in a span of its own covering the round trip. */
const traced = <A, E>(cell: Cell, msg: unknown, ask: Effect.Effect<A, E>): Effect.Effect<A, E> => {
  // not a reference (from JavaScript): the ask's own effect fails with the defect, never this call
  if (cell === undefined || !cell.traced) return ask
  const tag = tagOf(msg)
  const attributes: Record<string, unknown> = { "arbor.actor.id": cell.id, "arbor.message": tag }
  if (cell.label !== undefined) attributes["arbor.actor.label"] = cell.label
  return Effect.withSpan(ask, `ask ${spanActorName(cell.label)}.${tag}`, { kind: "client", attributes })
}

const request = <A>(
  cell: Cell,
  msg: unknown,
  timeout: Duration.Duration | undefined,
  millis: number
): Effect.Effect<A, AskError> =>
  Effect.callback<A, AskError>((resume) => {
    const pending = new PendingAsk(resume)
    const result = cell.offer(msg, pending, undefined)
    if (result !== undefined) {
      pending.withdraw()
      if (result === "NotAlive") resume(Effect.fail(new ActorNotAlive({ actor: cell.description })))
      else resume(Effect.fail(new MailboxFull({ actor: cell.description, capacity: cell.capacity })))
      return
    }
    if (timeout !== undefined) {
      pending.target = cell
      pending.timeout = timeout
      cell.system.expireAfter(millis, pending)
    }
    return Effect.sync(() => pending.withdraw())
  })

let liveClock: Clock.Clock | undefined
/** `true` for Effect's default clock (real time, timers are `setTimeout`). */
const isLiveClock = (clock: Clock.Clock): boolean => {
  liveClock ??= Effect.runSync(Clock.clockWith((c) => Effect.succeed(c)))
  // the default clock is one instance: one comparison per ask in the common case
  return clock === liveClock || clock.constructor === liveClock.constructor
}

/**
 * Asks the actor to stop gracefully and waits until it has ended.
 *
 * Asks the actor to stop gracefully with `reason` (default `Shutdown`) and waits until it has
 * ended: the message being handled completes, waiting messages become dead letters (waiting
 * asks fail with `ActorExited`), the stop hook runs, resources are released.
 *
 * Completes with the exit reason, at once if the actor had already ended. Called from the actor's
 * own handler, it does not wait (the actor stops after the handler returns).
 *
 * @example
 * ```ts
 * import { ActorRef, ExitReason } from "@arbor/core"
 * declare const worker: ActorRef.ActorRef<never>
 * const retire = ActorRef.stop(worker, ExitReason.shutdown("scaling down")) // Effect<ExitReason>
 * ```
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const stop = <Msg>(ref: ActorRef<Msg>, reason: ExitReason = Reason.shutdown()): Effect.Effect<ExitReason> =>
  Lifecycle.stop(cellOf(ref), reason)

/**
 * Ends the actor by force and waits until it has ended (reason `Killed`).
 *
 * The stop hook does not run; resource finalizers do. A handler is interrupted at its next
 * suspension point; a handler stuck in a synchronous loop cannot be interrupted in one JavaScript
 * thread.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 * import { Effect } from "effect"
 * declare const stuck: ActorRef.ActorRef<never>
 * // ask politely first, force after 2 seconds (what ActorRef.shutdown(stuck, "2 seconds") does)
 * const end = ActorRef.stop(stuck).pipe(
 *   Effect.timeoutOrElse({ duration: "2 seconds", orElse: () => ActorRef.kill(stuck) })
 * )
 * ```
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const kill = <Msg>(ref: ActorRef<Msg>): Effect.Effect<ExitReason> => Lifecycle.kill(cellOf(ref))

/**
 * Stops an actor per an OTP shutdown spec: brutal, infinity, or a timeout then a kill.
 *
 * OTP's shutdown specs: `"brutal"` kills at once; `"infinity"` asks to stop and waits; a
 * duration asks to stop, then kills when it has not ended in time.
 *
 * Completes with the exit reason. Timeouts read the `Clock`.
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const shutdown = <Msg>(
  ref: ActorRef<Msg>,
  how: "brutal" | "infinity" | Duration.Input,
  reason: ExitReason = Reason.shutdown()
): Effect.Effect<ExitReason> => {
  const spec = Durations.decodeShutdown(how)
  if (spec === undefined) return Effect.die(new TypeError(`invalid shutdown spec: ${String(how)}`))
  return Lifecycle.shutdown(cellOf(ref), spec, reason)
}

/**
 * Waits for the actor to end and yields its exit reason; at once if it already has.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 * import { Effect } from "effect"
 * declare const worker: ActorRef.ActorRef<never>
 * const report = Effect.gen(function*() {
 *   const reason = yield* ActorRef.monitor(worker)
 *   console.log(`worker ended: ${reason._tag}`)
 * })
 * ```
 *
 * @category monitoring
 * @since 0.1.0
 */
export const monitor = <Msg>(ref: ActorRef<Msg>): Effect.Effect<ExitReason> => Lifecycle.awaitExit(cellOf(ref))

/**
 * Registers a callback called once, synchronously, with the exit reason when the actor ends
 * (at once if it already has).
 *
 * Returns a function that cancels the registration. For integrations (registries, supervisors);
 * prefer {@link monitor} in Effect code.
 *
 * Exit callbacks run as the actor ends, after its links and watchers are signalled and before
 * any waiting fiber resumes — before its pending asks fail and before {@link monitor}s
 * complete, whatever the order of registration. So code woken by the death (an asker, a
 * monitor) never sees a supervisor or registry that does not know of it yet.
 *
 * @category monitoring
 * @since 0.1.0
 */
export const onExit = <Msg>(ref: ActorRef<Msg>, callback: (reason: ExitReason) => void): () => void =>
  Exits.observe(cellOf(ref), callback, true)

/**
 * `watcher` receives a `Down` signal in its `onSignal` handler when `target` ends (at once if
 * it already has).
 *
 * Watching twice is the same as once; a watcher that ends stops watching. Unlike {@link link},
 * watching never ends the watcher.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, ExitReason } from "@arbor/core"
 * import { Effect } from "effect"
 *
 * const Janitor = Actor.make<{ readonly _tag: "Tick" }>()({
 *   init: () => Effect.succeed(0),
 *   receive: { Tick: (n) => n },
 *   onSignal: (downs, signal) => (signal._tag === "Down" ? downs + 1 : downs)
 * })
 * declare const janitor: ActorRef.ActorRef<{ readonly _tag: "Tick" }>
 * declare const worker: ActorRef.ActorRef<never>
 * const observe = ActorRef.watch(janitor, worker)
 * ```
 *
 * @category monitoring
 * @since 0.1.0
 */
export const watch = <A, B>(watcher: ActorRef<A>, target: ActorRef<B>): Effect.Effect<void> =>
  Effect.sync(() => Exits.watch(cellOf(watcher), cellOf(target)))

/**
 * Links two actors both ways: an abnormal end of one ends the other.
 *
 * Links two actors both ways: when one ends with any reason other than `Normal`, the other
 * ends with the same reason (its stop hook skipped) — unless it traps exits, in which case it
 * receives an `Exit` signal in `onSignal`.
 *
 * Linking to an actor that already ended delivers its exit at once.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 * declare const connection: ActorRef.ActorRef<never>
 * declare const session: ActorRef.ActorRef<never>
 * // if either fails, the other ends too
 * const bind = ActorRef.link(connection, session)
 * ```
 *
 * @category monitoring
 * @since 0.1.0
 */
export const link = <A, B>(a: ActorRef<A>, b: ActorRef<B>): Effect.Effect<void> =>
  Effect.sync(() => Exits.link(cellOf(a), cellOf(b)))

/**
 * Removes a link made with {@link link}.
 *
 * @category monitoring
 * @since 0.1.0
 */
export const unlink = <A, B>(a: ActorRef<A>, b: ActorRef<B>): Effect.Effect<void> =>
  Effect.sync(() => Exits.unlink(cellOf(a), cellOf(b)))

/**
 * `true` while the actor has not ended (including while it is stopping).
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const isAlive = <Msg>(ref: ActorRef<Msg>): Effect.Effect<boolean> => Effect.sync(() => cellOf(ref).isAlive())

/**
 * The synchronous form of {@link isAlive}.
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const isAliveUnsafe = <Msg>(ref: ActorRef<Msg>): boolean => cellOf(ref).isAlive()

/**
 * The exit reason of an actor that has ended, `undefined` while it is alive.
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const exitReasonUnsafe = <Msg>(ref: ActorRef<Msg>): ExitReason | undefined => cellOf(ref).exitReason

/**
 * How many messages are waiting in the actor's mailbox (including senders waiting for room).
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const mailboxSize = <Msg>(ref: ActorRef<Msg>): Effect.Effect<number> =>
  Effect.sync(() => cellOf(ref).mailboxSize())

/**
 * {@link mailboxSize}, read synchronously (for observers sampling many actors at once).
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const mailboxSizeUnsafe = <Msg>(ref: ActorRef<Msg>): number => cellOf(ref).mailboxSize()

/**
 * How many messages the actor has handed to its handler so far.
 *
 * How many messages the actor has taken from its mailbox and handed to its handler so far (a
 * monotonic counter, read without messaging the actor; requests withdrawn by their asker before
 * handling are not counted).
 *
 * Two reads some time apart give the actor's message rate; a restarted child is a new actor whose
 * count starts at 0.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 *
 * declare const ref: ActorRef.ActorRef<{ readonly _tag: "Ping" }>
 * const before = ActorRef.messagesReceivedUnsafe(ref)
 * // ... one second later
 * const perSecond = ActorRef.messagesReceivedUnsafe(ref) - before
 * ```
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const messagesReceivedUnsafe = <Msg>(ref: ActorRef<Msg>): number => cellOf(ref).received
