/**
 * Defining and spawning actors.
 *
 * An actor is a typed message protocol (a union of tagged messages), a private state, an
 * `init` that builds the state (and may fail with a typed error), one handler per message
 * variant, and optional hooks. Handlers run one at a time, in mailbox order. A handler returns
 * the next state — directly, or as an Effect that may use services, spawn actors, ask others,
 * sleep or fail:
 *
 * - `state` (or an `Effect` of it): carry on with this state;
 * - `Actor.reply(value, state)`: answer a request (the compiler checks the value's type and
 *   that every request handler replies);
 * - `Actor.stop(reason?)`: stop after this message (the stop hook runs).
 *
 * A handler that fails, dies or throws ends the actor with a `Failure` reason; its monitors,
 * links and supervisor learn why — as does one that returns a Promise (an `async` handler from
 * JavaScript), which Arbor never awaits. Nothing a handler does can crash the host process.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, ActorSystem } from "@arbor/core"
 * import { Effect } from "effect"
 *
 * type CounterMsg =
 *   | { readonly _tag: "Increment"; readonly by: number }
 *   | Actor.Request<{ readonly _tag: "Get" }, number>
 *
 * const Counter = Actor.make<CounterMsg>()({
 *   init: () => Effect.succeed(0),
 *   receive: {
 *     Increment: (count, msg) => count + msg.by,
 *     Get: (count) => Actor.reply(count, count)
 *   }
 * })
 *
 * const program = Effect.gen(function*() {
 *   const counter = yield* Actor.spawn(Counter, { label: "counter" })
 *   yield* ActorRef.tell(counter, { _tag: "Increment", by: 2 })
 *   return yield* ActorRef.ask(counter, { _tag: "Get" }) // number
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 *
 * Effect.runPromise(program).then(console.log) // 2
 * ```
 *
 * @module
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import type { ActorRef } from "./ActorRef.ts"
import * as ActorSystem from "./ActorSystem.ts"
import * as Durations from "./Durations.ts"
import { InvalidActorDefinition, InvalidActorOptions, StartTimeout } from "./Errors.ts"
import type { InvalidTimer } from "./Errors.ts"
import * as Reason from "./ExitReason.ts"
import type { ExitReason } from "./ExitReason.ts"
import type { CellBehavior } from "./internal/cell.ts"
import { dispatchOf } from "./internal/dispatch.ts"
import type { ReplyHandle as ReplyHandleImpl } from "./internal/ask.ts"
import { DeferReply as DeferReplyImpl, Reply as ReplyImpl, Stop as StopImpl } from "./internal/handler.ts"
import { BehaviorImpl } from "./internal/spawn.ts"

// -----------------------------------------------------------------------------------------
// protocols
// -----------------------------------------------------------------------------------------

/**
 * The phantom key that records a request's reply type.
 *
 * It is optional, so a plain object literal such as `{ _tag: "Get" }` is a valid request value.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export const ReplyTypeId = "~@arbor/core/Reply" as const

/**
 * Carries a reply type at the type level only.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export interface ReplyWitness<out A> {
  /** The reply type, as a phantom function type (never called, never present at run time). */
  readonly _A: (_: never) => A
}

/**
 * A request message: the message `M` whose answer is a `Reply`.
 *
 * `ActorRef.ask` infers the reply type from it, and the handler for it must return
 * `Actor.reply(value, state)` with a value of that type.
 *
 * @example
 * ```ts
 * import type { Actor } from "@arbor/core"
 * type CacheMsg =
 *   | { readonly _tag: "Set"; readonly key: string; readonly value: string }
 *   | Actor.Request<{ readonly _tag: "Get"; readonly key: string }, string | undefined>
 * ```
 *
 * @category protocols
 * @since 0.1.0
 */
export type Request<M, Reply> = M & {
  /** Type-level only: the reply type. Never set at run time. */
  readonly [ReplyTypeId]?: ReplyWitness<Reply>
}

/**
 * The reply type of a request message; `never` for a plain message.
 *
 * @category protocols
 * @since 0.1.0
 */
export type ReplyOf<M> = M extends {
  /** The reply witness of a request. */
  readonly [ReplyTypeId]?: infer W
} ? NonNullable<W> extends ReplyWitness<infer A> ? A : never
  : never

/**
 * The members of a protocol that are requests.
 *
 * @category protocols
 * @since 0.1.0
 */
export type RequestsOf<Msg> = Msg extends unknown ? ([ReplyOf<Msg>] extends [never] ? never : Msg) : never

/**
 * The `_tag`s of a tagged protocol.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type TagOf<Msg> = Msg extends {
  /** The variant's tag. */
  readonly _tag: infer T extends string
} ? T : never

/**
 * The reply type of sending `M` to an actor of protocol `Msg` (looked up by `_tag` for tagged
 * protocols).
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type ReplyFor<Msg, M> = M extends {
  /** The request's tag. */
  readonly _tag: infer T
} ? ReplyOf<
    Extract<RequestsOf<Msg>, {
      /** The tag to look up. */
      readonly _tag: T
    }>
  >
  : ReplyOf<RequestsOf<Msg>>

// -----------------------------------------------------------------------------------------
// handler results
// -----------------------------------------------------------------------------------------

/**
 * A request handler's answer: the reply value and the next state.
 *
 * Build it with {@link reply}.
 *
 * @category handlers
 * @since 0.1.0
 */
export interface Reply<out A, out S> {
  /** The answer sent to the asker. */
  readonly value: A
  /** The actor's next state. */
  readonly state: S
}

/**
 * A handler's decision to stop the actor.
 *
 * Build it with {@link stop}.
 *
 * @category handlers
 * @since 0.1.0
 */
export interface Stop {
  /** The reason the actor ends with. */
  readonly reason: ExitReason
}

/**
 * Answers a request and continues with `state`.
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * // inside a handler for Request<{ _tag: "Get" }, number> with state { count: number }
 * const handler = (state: { count: number }) => Actor.reply(state.count, state)
 * ```
 *
 * @category handlers
 * @since 0.1.0
 */
export const reply = <A, S>(value: A, state: S): Reply<A, S> => new ReplyImpl(value, state)

/**
 * Stops the actor after the current message, with `reason` (default `Normal`).
 *
 * The stop hook runs. A request answered by `stop` fails its asker with `ActorExited`.
 *
 * @category handlers
 * @since 0.1.0
 */
export const stop = (reason: ExitReason = Reason.normal): Stop => new StopImpl(reason)

/**
 * What a handler for a plain message may return.
 *
 * @category handlers
 * @since 0.1.0
 */
export type Next<S, R = any> = S | Stop | Effect.Effect<S | Stop, unknown, R>

/**
 * What a handler for a request with reply type `A` may return.
 *
 * @category handlers
 * @since 0.1.0
 */
export type Answer<A, S, R = any> =
  | Reply<A, S>
  | DeferredReply<A, S>
  | Stop
  | Effect.Effect<Reply<A, S> | DeferredReply<A, S> | Stop, unknown, R>

const DeferredReplyTypeId = "~@arbor/core/DeferredReply" as const
const ReplyHandleTypeId = "~@arbor/core/ReplyHandle" as const

/**
 * A request handler's decision to answer later; build it with {@link deferReply}.
 *
 * @category deferred replies
 * @since 0.1.0
 */
export interface DeferredReply<out A, out S> {
  /** Type-level only: the reply type and the state. */
  readonly [DeferredReplyTypeId]: {
    /** The reply type the handle accepts. */
    readonly _A: (_: never) => A
    /** The state the continuation returns. */
    readonly _S: (_: never) => S
  }
}

/**
 * The handle of one request that is answered later.
 *
 * The handle of one request answered later: {@link answer} it with the request's reply type
 * (and no other) — from a later handler of the actor, or from a fiber it forked.
 *
 * It answers at most once; see {@link deferReply}.
 *
 * @category deferred replies
 * @since 0.1.0
 */
export interface ReplyHandle<in A> {
  /** Type-level only: the reply type (contravariant: a handle for `A` takes only an `A`). */
  readonly [ReplyHandleTypeId]: {
    /** The reply type. */
    readonly _A: (_: A) => void
  }
}

/**
 * Answers a request later, from another handler or from a forked fiber.
 *
 * Answers a request later (OTP's `{noreply, State}` and `gen_server:reply/2`, Akka's
 * `replyTo`): the handler returns `Actor.deferReply((handle) => next)`; `f` receives the
 * request's {@link ReplyHandle} and returns what a handler returns for a plain message (the
 * next state, `Actor.stop`, or an Effect of one).
 *
 * The actor goes on with other messages; the asker waits until someone calls {@link answer} with
 * the handle.
 *
 * - the handle accepts only the request's reply type;
 * - answering twice, or after the asker gave up (its `AskTimeout`, an interruption), does
 *   nothing (`answer` yields `false`);
 * - if the actor ends first, the asker fails with `ActorExited` as for any unanswered request;
 *   at its deadline it fails with `AskTimeout`.
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { Effect } from "effect"
 *
 * type Msg =
 *   | Actor.Request<{ readonly _tag: "Next" }, number>
 *   | { readonly _tag: "Publish"; readonly value: number }
 *
 * // askers of Next wait for the next published value
 * const Feed = Actor.make<Msg, ReadonlyArray<Actor.ReplyHandle<number>>>()({
 *   init: () => Effect.succeed([]),
 *   receive: {
 *     Next: (waiting) => Actor.deferReply((handle) => [...waiting, handle]),
 *     Publish: (waiting, msg) => Effect.as(Effect.forEach(waiting, (h) => Actor.answer(h, msg.value)), [])
 *   }
 * })
 * ```
 *
 * @category deferred replies
 * @since 0.1.0
 */
export const deferReply = <A, S>(
  f: (handle: ReplyHandle<A>) => Next<S>
): DeferredReply<A, S> => new DeferReplyImpl(f as (handle: unknown) => unknown) as unknown as DeferredReply<A, S>

/**
 * Answers a deferred request with `value`.
 *
 * Yields `true` when the asker got it; `false` when the request was already answered, its asker
 * gave up, or the actor ended (the asker was told).
 *
 * @category deferred replies
 * @since 0.1.0
 */
export const answer = <A>(handle: ReplyHandle<A>, value: NoInfer<A>): Effect.Effect<boolean> =>
  Effect.sync(() => (handle as unknown as ReplyHandleImpl).answer(value))

/**
 * {@link answer}, synchronously: for a handler that returns a plain state, or code outside Effect.
 *
 * @category deferred replies
 * @since 0.1.0
 */
export const answerUnsafe = <A>(handle: ReplyHandle<A>, value: NoInfer<A>): boolean =>
  (handle as unknown as ReplyHandleImpl).answer(value)

/**
 * What the handler for message `M` may return: {@link Answer} for requests, {@link Next}
 * otherwise.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type HandlerResult<M, S, R = any> = [ReplyOf<M>] extends [never] ? Next<S, R> : Answer<ReplyOf<M>, S, R>

/**
 * What `init`, every handler and `onSignal` receive about the actor they run for: its own
 * reference and the actor system it lives in.
 *
 * `init` receives it too, so an actor can watch or link other actors, or hand out its own
 * reference, before its first message. Messages sent to `self` during `init` wait in the mailbox
 * and are handled, in order, once `init` has completed; if `init` fails, the actor ends with
 * that failure (they become dead letters).
 *
 * @example
 * ```ts
 * import { Actor, ActorRef } from "@arbor/core"
 * import { Effect } from "effect"
 *
 * type Msg = { readonly _tag: "Hello" } | Actor.Request<{ readonly _tag: "Greeted" }, boolean>
 *
 * const Greeter = Actor.make<Msg>()({
 *   // the first message is queued by init itself
 *   init: (ctx) => Effect.as(ActorRef.tell(ctx.self, { _tag: "Hello" }), false),
 *   receive: {
 *     Hello: () => true,
 *     Greeted: (greeted) => Actor.reply(greeted, greeted)
 *   }
 * })
 * ```
 *
 * @category handlers
 * @since 0.1.0
 */
export interface ActorContext<Msg> {
  /** The actor's own reference (during `init` too). */
  readonly self: ActorRef<Msg>
  /** The actor's timers: keyed single-shot and periodic timers that send it its own messages. */
  readonly timers: Timers<Msg>
  /** The actor system the actor lives in (the `ActorSystem` service). */
  readonly system: ActorSystem.ActorSystemService
}

/**
 * A timer's key: a non-empty string, a finite number or a symbol.
 *
 * One timer per key and actor.
 *
 * @category timers
 * @since 0.1.0
 */
export type TimerKey = string | number | symbol

/**
 * Options of {@link Timers.startPeriodic}.
 *
 * @category timers
 * @since 0.1.0
 */
export interface PeriodicOptions {
  /** When the first message is sent. Default: one `interval` after the start. */
  readonly initialDelay?: Duration.Input
}

/**
 * An actor's keyed single-shot and periodic timers, which send it its own messages.
 *
 * An actor's timers (`ctx.timers`, in `init` and every handler): keyed timers that send the
 * actor one of its own messages after a delay (single-shot) or every interval (periodic), on
 * the `Clock` — so `TestClock` drives them in tests.
 *
 * - Starting a timer with a key that is armed cancels the previous one (re-arming).
 * - No message of a cancelled or re-armed timer is ever handled, even one already waiting in
 *   the mailbox when the timer was cancelled.
 * - A single-shot timer is active until its message is handled; a periodic one until cancelled.
 * - Every timer is cancelled when the actor ends; a restarted actor starts with none.
 * - A periodic timer waits `interval` after each send (fixed delay): a busy actor gets no burst.
 *
 * An invalid key or duration fails the call with `InvalidTimer` (nothing is armed): durations
 * are read by `Durations.decode` and must be finite (an interval also > 0).
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { Effect } from "effect"
 *
 * type Msg = { readonly _tag: "Tick" } | { readonly _tag: "Pause" } | Actor.Request<{ readonly _tag: "Ticks" }, number>
 *
 * const Ticker = Actor.make<Msg, number>()({
 *   init: (ctx) => Effect.as(ctx.timers.startPeriodic("tick", { _tag: "Tick" }, "1 second"), 0),
 *   receive: {
 *     Tick: (n) => n + 1,
 *     Pause: (n, _msg, ctx) => Effect.as(ctx.timers.cancel("tick"), n),
 *     Ticks: (n) => Actor.reply(n, n)
 *   }
 * })
 * ```
 *
 * @category timers
 * @since 0.1.0
 */
export interface Timers<in Msg> {
  /** Sends `message` to the actor once, after `delay` (≥ 0); re-arms `key` if it is armed. */
  readonly startSingle: (key: TimerKey, message: Msg, delay: Duration.Input) => Effect.Effect<void, InvalidTimer>
  /**
   * Sends `message` to the actor every `interval` (> 0), the first time after
   * `options.initialDelay` (default: `interval`); re-arms `key` if it is armed.
   */
  readonly startPeriodic: (
    key: TimerKey,
    message: Msg,
    interval: Duration.Input,
    options?: PeriodicOptions
  ) => Effect.Effect<void, InvalidTimer>
  /** Cancels the timer `key` (nothing happens if it is not armed); its waiting message is skipped. */
  readonly cancel: (key: TimerKey) => Effect.Effect<void, InvalidTimer>
  /** Cancels every timer of the actor. */
  readonly cancelAll: Effect.Effect<void>
  /** `true` while the timer `key` is armed (a single-shot one: until its message is handled). */
  readonly isActive: (key: TimerKey) => Effect.Effect<boolean, InvalidTimer>
}

/**
 * Stops an actor, or sends it a message, after a while without messages (passivation).
 *
 * The idle timeout of a definition (passivation): when the actor has received no message for
 * `after`, it is sent `message` — or, without one, stopped with reason `Normal` (its stop hook
 * runs).
 *
 * Every message received restarts the wait; so does the idle message itself, so an actor that
 * ignores it gets it again after another `after`.
 *
 * @category timers
 * @since 0.1.0
 */
export interface IdleTimeout<Msg> {
  /** How long without a message counts as idle: a finite duration > 0. */
  readonly after: Duration.Input
  /** The message the idle actor is sent; absent: the actor stops with `Normal`. */
  readonly message?: Msg
}

/**
 * One handler per `_tag` of the protocol.
 *
 * A missing variant does not compile.
 *
 * @category handlers
 * @since 0.1.0
 */
export type Handlers<Msg, S> = {
  readonly [K in TagOf<Msg>]: (
    state: S,
    msg: Extract<Msg, {
      /** The handled variant's tag. */
      readonly _tag: K
    }>,
    ctx: ActorContext<Msg>
  ) => HandlerResult<
    Extract<Msg, {
      /** The handled variant's tag. */
      readonly _tag: K
    }>,
    S
  >
}

/**
 * Rejects handlers for tags that are not in the protocol.
 *
 * Rejects handlers for tags that are not in the protocol (a misspelt or stale handler would
 * otherwise compile and never run): each extra key must be `never`.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type NoExtraHandlers<Msg, H> = H extends (...args: ReadonlyArray<any>) => any ? unknown
  : { readonly [K in Exclude<keyof H, TagOf<Msg>>]: never }

/**
 * A single handler for every message (for protocols that are not tagged unions).
 *
 * A request must be answered with {@link reply}.
 *
 * @category handlers
 * @since 0.1.0
 */
export type ReceiveFunction<Msg, S> = (
  state: S,
  msg: Msg,
  ctx: ActorContext<Msg>
) =>
  | Next<S>
  | Reply<unknown, S>
  | DeferredReply<unknown, S>
  | Effect.Effect<S | Stop | Reply<unknown, S> | DeferredReply<unknown, S>, unknown, any>

/**
 * A signal from the runtime, delivered to `onSignal`.
 *
 * A signal from the runtime, delivered to `onSignal`:
 * - `Exit`: a linked actor ended (only when `trapExit` is set);
 * - `Down`: an actor watched with `ActorRef.watch` ended.
 *
 * @category handlers
 * @since 0.1.0
 */
export type Signal =
  | {
    /** A linked actor ended. */
    readonly _tag: "Exit"
    /** The linked actor that ended. */
    readonly from: ActorRef<never>
    /** Why it ended. */
    readonly reason: ExitReason
  }
  | {
    /** A watched actor ended. */
    readonly _tag: "Down"
    /** The watched actor that ended. */
    readonly actor: ActorRef<never>
    /** Why it ended. */
    readonly reason: ExitReason
  }

// -----------------------------------------------------------------------------------------
// definitions
// -----------------------------------------------------------------------------------------

/**
 * A bounded mailbox and what happens when it is full.
 *
 * A bounded mailbox and what happens when it is full:
 * - `"suspend"` (default): the sender waits until there is room (backpressure);
 * - `"dropNewest"`: the new message is dropped (to dead letters);
 * - `"dropOldest"`: the oldest waiting message is dropped to make room (an ask among them
 *   fails with `MailboxFull`);
 * - `"fail"`: `ActorRef.send` and `ActorRef.ask` fail with `MailboxFull`; `ActorRef.tell`
 *   routes the message to dead letters.
 *
 * @category definitions
 * @since 0.1.0
 */
export interface MailboxOptions {
  /** How many messages may wait; a whole number ≥ 1. */
  readonly capacity: number
  /** What happens when the mailbox is full. Default: `"suspend"`. */
  readonly overflow?: Overflow
}

/**
 * What a full bounded mailbox does with one more message; see {@link MailboxOptions}.
 *
 * @category definitions
 * @since 0.1.0
 */
export type Overflow = "suspend" | "dropNewest" | "dropOldest" | "fail"

/**
 * The definition of an actor; see {@link make}.
 *
 * @category definitions
 * @since 0.1.0
 */
export interface Definition<Msg, S, IE, IR, H> {
  /**
   * Builds the initial state. Runs before `spawn` returns; its failure fails the spawn (and
   * ends the actor with that failure). Receives the actor's context: `self`, the system.
   */
  readonly init: (ctx: ActorContext<Msg>) => Effect.Effect<S, IE, IR>
  /** One handler per message `_tag`, or one function for all messages. */
  readonly receive: H
  /** Handles `Exit` signals of linked actors (with `trapExit`) and `Down` signals. */
  readonly onSignal?: (state: S, signal: Signal, ctx: ActorContext<Msg>) => Next<S>
  /**
   * Runs when the actor stops gracefully (a handler stopped it, it was asked to stop, or it
   * failed), with the exit reason. Skipped when it is killed. Its failures are ignored.
   */
  readonly onStop?: (state: S, reason: ExitReason) => Effect.Effect<unknown, unknown, any>
  /** Receive linked actors' exits as `Exit` signals instead of ending with them. */
  readonly trapExit?: boolean
  /** Bounded mailbox; unbounded when absent. */
  readonly mailbox?: MailboxOptions
  /** Sends a message to, or stops, an actor that has received nothing for a while. */
  readonly idleTimeout?: IdleTimeout<Msg>
}

/**
 * A spawnable actor definition for protocol `Msg`, whose `init` may fail with `InitE`, and
 * which needs services `R`.
 *
 * @category definitions
 * @since 0.1.0
 */
export interface Behavior<in Msg, out InitE = never, out R = never> {
  /** Type-level only: the protocol, init error and services of the definition. */
  readonly [BehaviorTypeId]: {
    /** The protocol (contravariant). */
    readonly _Msg: (_: Msg) => void
    /** The error `init` may fail with. */
    readonly _InitE: () => InitE
    /** The services the actor needs. */
    readonly _R: () => R
  }
}

const BehaviorTypeId = "~@arbor/core/Behavior" as const

/**
 * The services that the handlers `H` need.
 *
 * The services that the handlers `H` (a handler table or a single `receive` function) need:
 * the union of the requirements of the effects they return.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type ServicesOfReceive<H> = H extends (...args: ReadonlyArray<any>) => infer Out
  ? Out extends Effect.Effect<any, any, infer R> ? R : never
  : {
    [K in keyof H]: H[K] extends (...args: ReadonlyArray<any>) => infer Out
      ? Out extends Effect.Effect<any, any, infer R> ? R : never
      : never
  }[keyof H]

/**
 * The default of `make`'s `State` parameter: the state type is inferred from `init` and the
 * handlers.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export interface InferState {
  /** A brand no user state has. */
  readonly "~@arbor/core/InferState": "InferState"
}

/**
 * What `make<Msg, State>()` returns: a function of the definition.
 *
 * With `State` left out, the state type `S` is inferred; with `State` given, `init` must build a
 * `State` and every handler receives one.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type Make<Msg, State> = [State] extends [InferState] ? <
    S,
    IE,
    IR,
    const H extends Handlers<Msg, S> | ReceiveFunction<Msg, S>,
    SR
  >(definition: DefinitionInput<Msg, S, IE, IR, H, SR>) => Behavior<Msg, IE, BehaviorServices<IR, H, SR>>
  : <IE, IR, const H extends Handlers<Msg, State> | ReceiveFunction<Msg, State>, SR>(
    definition: DefinitionInput<Msg, State, IE, IR, H, SR>
  ) => Behavior<Msg, IE, BehaviorServices<IR, H, SR>>

/**
 * The services a definition needs.
 *
 * The services a definition needs: those of `init` (`IR`), of the handlers' effects and of the
 * stop hook (`SR`), less the actor's own `Scope`; a parameter nothing was inferred for (`unknown`,
 * as `SR` without a stop hook) counts as none.
 *
 * (`make`'s type parameters have no defaults: a default stops TypeScript from inferring the
 * state from an `init` that takes the context.)
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type BehaviorServices<IR, H, SR> = Exclude<
  Known<IR> | Known<ServicesOfReceive<H>> | Known<SR>,
  Scope.Scope
>

/** `never` for `unknown` (a type parameter nothing was inferred for). */
type Known<R> = unknown extends R ? never : R

/**
 * The definition `make` accepts: a {@link Definition} whose handler table has no extra tags and
 * whose stop hook's services are inferred.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type DefinitionInput<Msg, S, IE, IR, H, SR> = Definition<Msg, S, IE, IR, H> & {
  /** Runs when the actor stops gracefully; see {@link Definition}. */
  readonly onStop?: (state: S, reason: ExitReason) => Effect.Effect<unknown, unknown, SR>
  /** The handlers; a tag outside the protocol does not compile. */
  readonly receive: NoExtraHandlers<Msg, H>
}

/**
 * Defines an actor for protocol `Msg`.
 *
 * Call it twice — `make<Msg>()({...})` — so the protocol is given and the state, errors and
 * services are inferred; or `make<Msg, State>()({...})` to state the state type (then `init` must
 * build a `State`, and handlers need no annotations even when the initial value would infer too
 * narrow a type, such as `[]` or `null`).
 *
 * `init` receives the actor's {@link ActorContext} (its own reference, the system), as every
 * handler does.
 *
 * A malformed definition (possible from JavaScript or by casting: `init` that is not a
 * function, `receive` that is neither a handler table nor a function, a handler that is not a
 * function, hooks of the wrong type) is rejected at once: `make` throws
 * `InvalidActorDefinition` naming the field. Handlers, `init` and `onStop` must not return a
 * Promise (an `async` function): Arbor does not await it, and treats it as a defect of the actor.
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { Effect } from "effect"
 *
 * type Msg = { readonly _tag: "Ping" } | Actor.Request<{ readonly _tag: "Count" }, number>
 *
 * const Pinger = Actor.make<Msg>()({
 *   init: () => Effect.succeed({ pings: 0 }),
 *   receive: {
 *     Ping: (s) => ({ pings: s.pings + 1 }),
 *     Count: (s) => Actor.reply(s.pings, s)
 *   },
 *   onStop: (s, reason) => Effect.log(`stopped after ${s.pings} pings`, reason)
 * })
 *
 * // the state type stated: `[]` alone would infer `never[]`
 * type Log = { readonly _tag: "Add"; readonly line: string } | Actor.Request<{ readonly _tag: "Lines" }, ReadonlyArray<string>>
 * const Logger = Actor.make<Log, ReadonlyArray<string>>()({
 *   init: () => Effect.succeed([]),
 *   receive: {
 *     Add: (lines, msg) => [...lines, msg.line],
 *     Lines: (lines) => Actor.reply(lines, lines)
 *   }
 * })
 * ```
 *
 * @category definitions
 * @since 0.1.0
 */
export const make = <Msg, State = InferState>(): Make<Msg, State> => makeBehavior as unknown as Make<Msg, State>

const makeBehavior = (definition: Definition<unknown, unknown, unknown, unknown, unknown>): BehaviorImpl => {
  validateDefinition(definition)
  return new BehaviorImpl(
    {
      init: definition.init as CellBehavior["init"],
      receive: dispatchOf(definition.receive),
      onSignal: definition.onSignal as CellBehavior["onSignal"],
      onStop: definition.onStop as CellBehavior["onStop"],
      trapExit: definition.trapExit === true,
      idle: idleOf(definition.idleTimeout)
    },
    definition.mailbox
  )
}

/**
 * Rejects a malformed definition where it is written (from JavaScript the types protect no one):
 * throws `InvalidActorDefinition` naming the field.
 */
const validateDefinition = (definition: unknown): void => {
  const invalid = (field: string, value: unknown, reason: string) => {
    throw new InvalidActorDefinition({ field, value, reason })
  }
  if (typeof definition !== "object" || definition === null) {
    return invalid("definition", definition, "must be an object { init, receive, ... }")
  }
  const d = definition as Record<string, unknown>
  if (typeof d["init"] !== "function") {
    invalid(
      "init",
      d["init"],
      Effect.isEffect(d["init"])
        ? "must be a function returning an Effect (`init: () => Effect.succeed(state)`), not an Effect"
        : "must be a function returning an Effect"
    )
  }
  const receive = d["receive"]
  if (typeof receive !== "function") {
    if (typeof receive !== "object" || receive === null || Array.isArray(receive)) {
      invalid("receive", receive, "must be an object of handlers (one per message _tag) or a function")
    }
    for (const [tag, handler] of Object.entries(receive as object)) {
      if (typeof handler !== "function") invalid(`receive.${tag}`, handler, "must be a function (the handler)")
    }
  }
  for (const hook of ["onSignal", "onStop"] as const) {
    if (d[hook] !== undefined && typeof d[hook] !== "function") invalid(hook, d[hook], "must be a function")
  }
  if (d["trapExit"] !== undefined && typeof d["trapExit"] !== "boolean") {
    invalid("trapExit", d["trapExit"], "must be a boolean")
  }
  const idle = d["idleTimeout"]
  if (idle !== undefined) {
    if (typeof idle !== "object" || idle === null) {
      invalid("idleTimeout", idle, "must be an object { after, message? }")
    }
    const after = Durations.decode((idle as Record<string, unknown>)["after"])
    if (after === undefined || !Duration.isFinite(after) || Duration.isZero(after)) {
      invalid("idleTimeout.after", (idle as Record<string, unknown>)["after"], "must be a finite duration > 0")
    }
  }
}

const idleOf = (idle: IdleTimeout<unknown> | undefined): CellBehavior["idle"] =>
  idle === undefined ? undefined : {
    afterMillis: Duration.toMillis(Durations.decode(idle.after)!),
    message: "message" in idle && idle.message !== undefined ? { value: idle.message } : undefined
  }

// -----------------------------------------------------------------------------------------
// spawning
// -----------------------------------------------------------------------------------------

/**
 * How an actor is stopped when the scope it was spawned in closes.
 *
 * How an actor is stopped when the scope it was spawned in closes: `"brutal"` (killed at
 * once), `"infinity"` (asked, and awaited however long it takes) or a duration (asked, then
 * killed if it has not ended in time).
 *
 * @category spawning
 * @since 0.1.0
 */
export type Shutdown = "brutal" | "infinity" | Duration.Input

/**
 * Options of {@link spawn}.
 *
 * @category spawning
 * @since 0.1.0
 */
export interface SpawnOptions {
  /** A human-readable label, shown in errors, dead letters and snapshots. Not unique. */
  readonly label?: string
  /** Overrides the definition's mailbox. */
  readonly mailbox?: MailboxOptions
  /** Fails the spawn with `StartTimeout` if `init` has not completed within this time. */
  readonly startTimeout?: Duration.Input
  /** How the actor is stopped when its scope closes. Default: 5 seconds. */
  readonly shutdown?: Shutdown
}

/**
 * Spawns an actor into the current `Scope` and returns its reference once `init` has
 * completed.
 *
 * Closing the scope stops the actors spawned in it, newest first (each per its `shutdown` option).
 * Handler effects run with the spawner's services, and with a `Scope` of the actor's own: resources
 * acquired there, and actors spawned from handlers, live as long as the actor.
 *
 * Fails with `init`'s error, with `InvalidActorOptions` when an option is invalid (nothing is
 * started), or with `StartTimeout`.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, ActorSystem } from "@arbor/core"
 * import { Effect } from "effect"
 *
 * const Echo = Actor.make<Actor.Request<{ readonly _tag: "Echo"; readonly text: string }, string>>()({
 *   init: () => Effect.succeed(undefined),
 *   receive: { Echo: (s, msg) => Actor.reply(msg.text, s) }
 * })
 *
 * const program = Effect.gen(function*() {
 *   const echo = yield* Actor.spawn(Echo, { label: "echo", mailbox: { capacity: 100 } })
 *   return yield* ActorRef.ask(echo, { _tag: "Echo", text: "hi" }, { timeout: "1 second" })
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @category spawning
 * @since 0.1.0
 */
export const spawn = <Msg, IE, R>(
  behavior: Behavior<Msg, IE, R>,
  options?: SpawnOptions
): Effect.Effect<
  ActorRef<Msg>,
  IE | InvalidActorOptions | StartTimeout,
  Scope.Scope | ActorSystem.ActorSystem | Exclude<R, Scope.Scope>
> => ActorSystem.ActorSystem.use((system) => system.spawn(behavior, options))
