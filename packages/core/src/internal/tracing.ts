/**
 * Tracing of actors (see `Tracing.ts`): an actor spawned where a tracer is installed (the
 * `Tracer` service is in its spawner's context and tracing is enabled) opens one span per
 * handled message, parented to the span that was current where the message was sent. Where no
 * tracer is installed, the cell holds no `ActorTracing` and pays one pointer check per message.
 *
 * The span "current where a message is sent" is the sending fiber's span or, for a message sent
 * from a synchronous handler (`ActorRef.tellUnsafe` from a handler that returns its state, which
 * runs outside any fiber of its own), the span of the message that handler is handling.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import type { ExitReason } from "../ExitReason.ts"

/** The span of the message being handled synchronously right now (set only by traced actors). */
let dispatching: Tracer.Span | undefined = undefined

/**
 * The span current where a message is being sent: the current fiber's span, else the span of
 * the synchronous handler running now; `undefined` when there is none.
 */
export const currentSpan = (): Tracer.AnySpan | undefined => {
  const fiber = Fiber.getCurrent()
  return (fiber === undefined ? undefined : fiber.cache.span) ?? dispatching
}

/** Makes `span` the synchronous handler's span; returns the previous one, for {@link leave}. */
export const enter = (span: Tracer.Span): Tracer.Span | undefined => {
  const previous = dispatching
  dispatching = span
  return previous
}

/** Restores the synchronous handler's span that {@link enter} replaced. */
export const leave = (previous: Tracer.Span | undefined): void => {
  dispatching = previous
}

/** The installed tracer in `services`, `undefined` when none is installed or tracing is disabled. */
export const installedTracer = (services: Context.Context<never>): Tracer.Tracer | undefined => {
  const tracer = Context.getOrUndefined(services, Tracer.Tracer)
  if (tracer === undefined || !Context.get(services, References.TracerEnabled)) return undefined
  return tracer
}

/** Names the tag of the message a wrapper carries (`PrivateChannel`'s envelope). */
export const wrappedTag: unique symbol = Symbol.for("@arbor/core/internal/wrappedTag")

/**
 * The `_tag` of a message (of the message a `PrivateChannel` envelope carries), `"message"` for
 * one without a string tag (a function `receive`'s).
 */
export const tagOf = (msg: unknown): string => {
  if (typeof msg === "object" && msg !== null) {
    const tag = (msg as { readonly _tag?: unknown })._tag
    if (typeof tag === "string") return tag
    const wrapped = (msg as { readonly [wrappedTag]?: unknown })[wrappedTag]
    if (typeof wrapped === "string") return wrapped
  }
  return "message"
}

/** The name of an actor in span names: its label, `"actor"` without one (ids would make names unbounded). */
export const spanActorName = (label: string | undefined): string => label === undefined || label === "" ? "actor" : label

const bigint0 = BigInt(0)


/** The tracer of one traced actor and what its spans carry. */
export class ActorTracing {
  private readonly clock: Clock.Clock
  private readonly timing: boolean
  private readonly name: string

  constructor(
    private readonly tracer: Tracer.Tracer,
    services: Context.Context<never>,
    private readonly id: number,
    private readonly label: string | undefined,
    private readonly incarnation: number | undefined
  ) {
    this.clock = Context.get(services, Clock.Clock)
    this.timing = Context.get(services, References.TracerTimingEnabled)
    this.name = spanActorName(label)
  }

  /** The last parent seen, by id, as {@link detached} made it (a run of messages from one sender shares it). */
  private lastParentId: string | undefined = undefined
  private lastDetached: Tracer.AnySpan | undefined = undefined

  /** `span` as a parent that refers to it by its ids only. */
  private detached(span: Tracer.AnySpan): Tracer.AnySpan {
    if (span._tag === "ExternalSpan") return span
    const id = span.spanId
    if (id === this.lastParentId) return this.lastDetached!
    const external = Tracer.externalSpan({ spanId: id, traceId: span.traceId, sampled: span.sampled })
    this.lastParentId = id
    this.lastDetached = external
    return external
  }

  private now(): bigint {
    return this.timing ? this.clock.currentTimeNanosUnsafe() : bigint0
  }

  /**
   * Opens the span of handling `msg`, a child of `parent` (the span current where it was sent).
   * The new span refers to its parent by its ids only (an external span): a span object keeps
   * its parent object, so two actors passing a message back and forth forever would otherwise
   * keep every span of the exchange reachable from the newest one.
   */
  begin(msg: unknown, parent: Tracer.AnySpan | undefined, request: boolean): Tracer.Span {
    const tag = tagOf(msg)
    const span = this.tracer.span({
      name: `${this.name}.${tag}`,
      parent: parent === undefined ? Option.none() : Option.some(this.detached(parent)),
      annotations: Context.empty(),
      links: [],
      startTime: this.now(),
      kind: "internal",
      root: parent === undefined,
      sampled: parent === undefined ? true : parent.sampled
    })
    span.attribute("arbor.actor.id", this.id)
    if (this.label !== undefined) span.attribute("arbor.actor.label", this.label)
    if (this.incarnation !== undefined) span.attribute("arbor.incarnation", this.incarnation)
    span.attribute("arbor.message", tag)
    if (request) span.attribute("arbor.request", true)
    return span
  }

  /** The message was handled. */
  end(span: Tracer.Span): void {
    span.end(this.now(), Exit.void)
  }

  /**
   * The actor ended while handling the message of `span`: a `Failure` fails the span with its
   * cause, `Killed` interrupts it; any other end (the handler chose to stop) is a success.
   */
  endWith(span: Tracer.Span, reason: ExitReason): void {
    const exit = reason._tag === "Failure"
      ? Exit.failCause(reason.cause)
      : reason._tag === "Killed"
      ? Exit.failCause(Cause.interrupt())
      : Exit.void
    span.end(this.now(), exit)
  }
}
