/**
 * Private channels: a lane into an actor's mailbox that only the holder of a capability can
 * use.
 *
 * A framework actor (a supervisor, say) keeps its internal messages — boot, child exits,
 * retries — off its public protocol: its `ActorRef` type admits only the public requests, and a
 * caller that casts past the types (plain JavaScript) cannot forge an internal message either,
 * because only a message sent through the channel object is recognised as one.
 *
 * A message sent on a channel travels in the actor's ordinary mailbox (same order, same
 * overflow policy, same dead-letter rules) wrapped in an envelope that names the channel and the
 * recipient; the actor's `receive` function opens it with {@link open}. An envelope is good only
 * for the actor it was sent to and only with the channel that made it, so one seen elsewhere (as
 * a dead letter, say) cannot be replayed into another actor.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, PrivateChannel } from "@arbor/core"
 * import { Effect } from "effect"
 *
 * type Public = Actor.Request<{ readonly _tag: "Get" }, number>
 * type Internal = { readonly _tag: "Tick" }
 * const internal = PrivateChannel.make<Internal>() // kept module-private
 *
 * const Ticker = Actor.make<Public>()({
 *   init: () => Effect.succeed(0),
 *   receive: (n: number, msg: Public, ctx: Actor.ActorContext<Public>) => {
 *     const own = PrivateChannel.open(internal, msg, ctx.self)
 *     if (own !== undefined) return n + 1 // a Tick
 *     return msg._tag === "Get" ? Actor.reply(n, n) : n
 *   }
 * })
 *
 * const program = Effect.gen(function*() {
 *   const ticker = yield* Actor.spawn(Ticker)
 *   yield* PrivateChannel.tell(internal, ticker, { _tag: "Tick" })
 *   return yield* ActorRef.ask(ticker, { _tag: "Get" }) // 1
 * })
 * ```
 *
 * @module
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type { ReplyFor, RequestsOf } from "./Actor.ts"
import * as ActorRef from "./ActorRef.ts"
import type { AskError } from "./Errors.ts"
import { tagOf, wrappedTag } from "./internal/tracing.ts"

const TypeId = "~@arbor/core/PrivateChannel" as const

/**
 * The capability to send messages of type `I` on one private lane.
 *
 * Whoever holds it can send; keep it module-private.
 *
 * @category models
 * @since 0.1.0
 */
export interface PrivateChannel<in out I> {
  /** Type-level only: the channel's message type. */
  readonly [TypeId]: {
    /** The message type (invariant). */
    readonly _I: (_: I) => I
  }
  /** A label for debugging. */
  readonly label: string | undefined
}

class ChannelImpl {
  readonly [TypeId] = undefined as never
  constructor(readonly label: string | undefined) {}
}

/** A message in transit on a channel, good only for `target`. */
class Envelope {
  constructor(readonly channel: ChannelImpl, readonly target: unknown, readonly message: unknown) {}
  /** Its message's tag, for span names and log annotations. */
  get [wrappedTag](): string {
    return tagOf(this.message)
  }
  toString(): string {
    return `PrivateChannel.Envelope(${this.channel.label ?? "private"})`
  }
  toJSON(): unknown {
    return { _id: "PrivateChannel.Envelope", channel: this.channel.label }
  }
}

/**
 * A new channel: distinct from every other, even one of the same message type.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <I>(label?: string): PrivateChannel<I> => new ChannelImpl(label) as unknown as PrivateChannel<I>

const wrap = (channel: PrivateChannel<any>, ref: ActorRef.ActorRef<any>, msg: unknown): never =>
  new Envelope(channel as unknown as ChannelImpl, ref, msg) as never

/**
 * {@link ActorRef.tellUnsafe} on the channel: delivers `msg` to `ref`'s mailbox (a dead letter if
 * it cannot be delivered).
 *
 * Never throws.
 *
 * @category messaging
 * @since 0.1.0
 */
export const tellUnsafe = <I>(channel: PrivateChannel<I>, ref: ActorRef.ActorRef<any>, msg: NoInfer<I>): void =>
  ActorRef.tellUnsafe(ref, wrap(channel, ref, msg))

/**
 * {@link ActorRef.tell} on the channel.
 *
 * @category messaging
 * @since 0.1.0
 */
export const tell = <I>(channel: PrivateChannel<I>, ref: ActorRef.ActorRef<any>, msg: NoInfer<I>): Effect.Effect<void> =>
  ActorRef.tell(ref, wrap(channel, ref, msg))

/**
 * {@link ActorRef.ask} on the channel: the actor answers it with `Actor.reply` as any request.
 *
 * @category messaging
 * @since 0.1.0
 */
export const ask = <I, const M extends RequestsOf<I>>(
  channel: PrivateChannel<I>,
  ref: ActorRef.ActorRef<any>,
  msg: M,
  options?: ActorRef.AskOptions
): Effect.Effect<ReplyFor<I, M>, AskError> =>
  ActorRef.ask(ref as ActorRef.ActorRef<any>, wrap(channel, ref, msg), options) as Effect.Effect<ReplyFor<I, M>, AskError>

/**
 * Opens a received message of this channel, or gives `undefined` for anything else.
 *
 * Opens a received message: the message sent on `channel` to `self` (the receiving actor,
 * `ctx.self`), or `undefined` when `msg` is anything else — a public message, an envelope of
 * another channel, or one addressed to another actor.
 *
 * @category receiving
 * @since 0.1.0
 */
export const open = <I>(channel: PrivateChannel<I>, msg: unknown, self: ActorRef.ActorRef<any>): I | undefined =>
  msg instanceof Envelope && msg.channel === (channel as unknown) && msg.target === self ? msg.message as I : undefined

/**
 * `true` when `msg` is an envelope of some private channel.
 *
 * `true` when `msg` is an envelope of some private channel (whether or not it can be opened
 * here): a receiver can tell a forged or misrouted internal message from a public one.
 *
 * @category receiving
 * @since 0.1.0
 */
export const isEnvelope = (msg: unknown): boolean => msg instanceof Envelope
