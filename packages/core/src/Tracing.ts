/**
 * Tracing through Effect's own `Tracer`: a span for every handled message.
 *
 * Tracing through Effect's own `Tracer`: install any tracer (`@effect/opentelemetry`'s
 * `NodeSdk.layer`, or `Layer.succeed(Tracer.Tracer, …)`) where actors are spawned and every
 * handled message gets a span.
 *
 * - **handler span** `<label>.<Tag>` (`actor.<Tag>` for an unlabelled actor): one per message an
 *   actor handles, from taking it out of the mailbox to its handler's result, parented to the span
 *   that was current where the message was sent (`tell`, `tellUnsafe`, `send`, or the `ask`
 *   span). The trace context rides in the mailbox entry. Inside the handler it is the current
 *   span, so a handler's own `Effect.withSpan` and the messages it sends are its children
 *   (also for a handler that returns its next state and sends with `ActorRef.tellUnsafe`). It
 *   fails with the handler's cause when the handler fails; attributes `arbor.actor.id`,
 *   `arbor.actor.label`, `arbor.incarnation` (for a supervisor's child), `arbor.message` (the
 *   tag) and `arbor.request` (`true` for an `ask`).
 * - **ask span** `ask <label>.<Tag>` (kind `client`): covers an `ask`'s round trip, including
 *   waiting for room and for the reply; attributes `arbor.actor.id`, `arbor.actor.label`,
 *   `arbor.message`.
 * - **restart span** `restart <child path>` (from `@arbor/supervisor`): a supervisor's restart of
 *   a child (stopping the group, starting it again), a child of the supervisor's own handler span,
 *   whose parent is the span of the message whose handler crashed.
 *
 * An actor is traced when a tracer is installed in the context it is spawned with
 * (`Effect.withTracerEnabled(false)` turns it off); otherwise it opens no span and pays one
 * pointer check per message. A handler never runs under its spawner's span: with no tracer
 * installed, a span a handler opens itself is a root span.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, ActorSystem } from "@arbor/core"
 * import { Effect, Layer, Tracer } from "effect"
 *
 * declare const tracer: Tracer.Tracer // e.g. from @effect/opentelemetry
 * const World = Layer.merge(ActorSystem.layer, Layer.succeed(Tracer.Tracer, tracer))
 * ```
 *
 * @module
 * @since 0.1.0
 */
import * as Context from "effect/Context"

/**
 * The incarnation of a supervisor's child, provided while the child's start runs.
 *
 * The incarnation of a supervisor's child (1 for its first start, 2 after its first restart, …),
 * provided by the supervisor while the child's start runs.
 *
 * An actor spawned there carries it in its log annotations (`arbor.incarnation`) and span
 * attributes; an actor does not pass it on to the actors it spawns itself.
 *
 * @category observability
 * @since 0.1.0
 */
export const Incarnation: Context.Reference<number | undefined> = Context.Reference<number | undefined>(
  "@arbor/core/Tracing/Incarnation",
  { defaultValue: () => undefined }
)
