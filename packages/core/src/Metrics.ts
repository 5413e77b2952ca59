/**
 * Actor metrics through Effect's `Metric`, off unless turned on.
 *
 * Actor metrics through Effect's `Metric` (so any Effect metrics exporter reads them), off
 * unless {@link layer} is provided under `ActorSystem.layer`. When off, an actor pays one
 * pointer check per message.
 *
 * | metric | type | attributes |
 * |---|---|---|
 * | `arbor_messages_handled` | counter | `actor` |
 * | `arbor_mailbox_depth` | gauge (messages waiting when a message is taken) | `actor` |
 * | `arbor_handler_duration_seconds` | histogram (from taking a message to its handler's result, by the `Clock`) | `actor` |
 * | `arbor_actors_live` | gauge | — |
 * | `arbor_dead_letters` | counter | `reason` (`NotAlive`, `Exited`, `DroppedNewest`, `DroppedOldest`, `MailboxFull`) |
 * | `arbor_restarts` | counter (by `@arbor/supervisor`) | `supervisor` (its label, else its path) |
 *
 * **Bounded cardinality.** `actor` is the actor's label (`"unlabelled"` without one). Labels are
 * user data (a label per session would be unbounded), so each system keeps at most `maxLabels`
 * distinct values (default 64): actors with further labels are counted under `"other"`. The
 * supervisor attribute is bounded by the tree's supervisors.
 *
 * @example
 * ```ts
 * import { ActorSystem, Metrics } from "@arbor/core"
 * import { Layer } from "effect"
 *
 * const World = ActorSystem.layer.pipe(Layer.provide(Metrics.layer({ maxLabels: 32 })))
 * ```
 *
 * @module
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"

/**
 * Options of {@link layer}.
 *
 * @category models
 * @since 0.1.0
 */
export interface MetricsOptions {
  /** Distinct `actor` attribute values per system before further labels count as `"other"`; an integer 1–10 000. Default 64. */
  readonly maxLabels?: number
}

/**
 * Whether metrics are on, and their options (a `Context.Reference`: off unless provided).
 *
 * @category services
 * @since 0.1.0
 */
export const Enabled: Context.Reference<{ readonly maxLabels: number } | undefined> = Context.Reference<
  { readonly maxLabels: number } | undefined
>("@arbor/core/Metrics", { defaultValue: () => undefined })

/**
 * A {@link layer} option is invalid: `field` names it.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidMetricsOptions extends Data.TaggedError("InvalidMetricsOptions")<{
  /** The option at fault. */
  readonly field: string
  /** The value given. */
  readonly value: unknown
  /** What is expected. */
  readonly reason: string
}> {
  /** A readable description naming the option. */
  override get message(): string {
    return `metrics option ${this.field} ${this.reason} (got ${String(this.value)})`
  }
}

/**
 * Turns actor metrics on for the systems built over this layer.
 *
 * Fails with {@link InvalidMetricsOptions} for a bad option.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options?: MetricsOptions): Layer.Layer<never, InvalidMetricsOptions> =>
  Layer.effectContext(Effect.suspend(() => {
    if (options !== undefined && (typeof options !== "object" || options === null)) {
      return Effect.fail(new InvalidMetricsOptions({ field: "options", value: options, reason: "must be an object" }))
    }
    const maxLabels = options?.maxLabels ?? 64
    if (typeof maxLabels !== "number" || !Number.isInteger(maxLabels) || maxLabels < 1 || maxLabels > 10_000) {
      return Effect.fail(new InvalidMetricsOptions({ field: "maxLabels", value: maxLabels, reason: "must be an integer from 1 to 10000" }))
    }
    return Effect.succeed(Context.make(Enabled, { maxLabels }))
  }))

/**
 * Messages handed to a handler.
 *
 * @category metrics
 * @since 0.1.0
 */
export const messagesHandled = Metric.counter("arbor_messages_handled", {
  description: "messages taken from a mailbox and handed to the actor's handler",
  incremental: true
})

/**
 * Messages waiting in the mailbox when the actor takes one.
 *
 * @category metrics
 * @since 0.1.0
 */
export const mailboxDepth = Metric.gauge("arbor_mailbox_depth", { description: "messages waiting in the mailbox when one is taken" })

/**
 * Time from taking a message to its handler's result (seconds, by the `Clock`).
 *
 * @category metrics
 * @since 0.1.0
 */
export const handlerDuration = Metric.histogram("arbor_handler_duration_seconds", {
  description: "time from taking a message to its handler's result",
  boundaries: Metric.exponentialBoundaries({ start: 0.000_01, factor: 4, count: 12 })
})

/**
 * Actors alive in the system.
 *
 * @category metrics
 * @since 0.1.0
 */
export const actorsLive = Metric.gauge("arbor_actors_live", { description: "actors spawned and not yet ended" })

/**
 * Undeliverable messages, by reason.
 *
 * @category metrics
 * @since 0.1.0
 */
export const deadLetters = Metric.counter("arbor_dead_letters", { description: "messages that could not be delivered", incremental: true })

/**
 * Restarts made by supervisors (updated by `@arbor/supervisor`), by supervisor.
 *
 * @category metrics
 * @since 0.1.0
 */
export const restarts = Metric.counter("arbor_restarts", { description: "children restarted by a supervisor", incremental: true })
