/**
 * The metrics of one system (see `Metrics.ts`): per-label metric handles, made once per label
 * (at most `maxLabels`, then `"other"`), updated synchronously with the system's services.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Metric from "effect/Metric"
import * as Metrics from "../Metrics.ts"

/** The handles one actor updates. */
export class ActorMetrics {
  private startedNanos = 0n
  constructor(
    private readonly services: Context.Context<never>,
    private readonly clock: Clock.Clock,
    private readonly handled: Metric.Metric<number, unknown>,
    private readonly depth: Metric.Metric<number, unknown>,
    private readonly duration: Metric.Metric<number, unknown>
  ) {}

  /** A message was taken; `waiting` are the messages still queued. */
  begin(waiting: number): void {
    this.handled.updateUnsafe(1, this.services)
    this.depth.updateUnsafe(waiting, this.services)
    this.startedNanos = this.clock.currentTimeNanosUnsafe()
  }

  /** The handler's result is in. */
  end(): void {
    const nanos = this.clock.currentTimeNanosUnsafe() - this.startedNanos
    this.duration.updateUnsafe(Number(nanos) / 1e9, this.services)
  }
}

/** A system's metrics; `undefined` when they are off. */
export class SystemMetrics {
  private readonly byLabel = new Map<string, ActorMetrics>()
  private readonly clock: Clock.Clock
  private live = 0

  constructor(private readonly services: Context.Context<never>, private readonly maxLabels: number) {
    this.clock = Context.get(services, Clock.Clock)
  }

  static make(services: Context.Context<never>): SystemMetrics | undefined {
    const enabled = Context.get(services, Metrics.Enabled)
    return enabled === undefined ? undefined : new SystemMetrics(services, enabled.maxLabels)
  }

  forActor(label: string | undefined): ActorMetrics {
    let key = label ?? "unlabelled"
    let found = this.byLabel.get(key)
    if (found !== undefined) return found
    if (this.byLabel.size >= this.maxLabels) {
      key = "other"
      found = this.byLabel.get(key)
      if (found !== undefined) return found
    }
    const attributes = { actor: key }
    found = new ActorMetrics(
      this.services,
      this.clock,
      Metric.withAttributes(Metrics.messagesHandled, attributes),
      Metric.withAttributes(Metrics.mailboxDepth, attributes),
      Metric.withAttributes(Metrics.handlerDuration, attributes)
    )
    this.byLabel.set(key, found)
    return found
  }

  liveChanged(delta: number): void {
    this.live += delta
    Metrics.actorsLive.updateUnsafe(this.live, this.services)
  }

  private readonly byReason = new Map<string, Metric.Metric<number, unknown>>()

  deadLetter(reason: string): void {
    let metric = this.byReason.get(reason)
    if (metric === undefined) this.byReason.set(reason, metric = Metric.withAttributes(Metrics.deadLetters, { reason }))
    metric.updateUnsafe(1, this.services)
  }
}
