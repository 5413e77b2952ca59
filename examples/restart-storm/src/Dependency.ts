/**
 * An external dependency (a database, an index) that can go down for a while. Workers read its
 * state through the `Clock`, so a test drives outages with `TestClock`.
 */
import { Clock, Data, Duration, Effect } from "effect"

export class DependencyDown extends Data.TaggedError("DependencyDown")<{ readonly dependency: string }> {
  override get message(): string {
    return `${this.dependency} is down`
  }
}

export interface Dependency {
  readonly name: string
  /** Fails with `DependencyDown` while an outage lasts. */
  readonly check: Effect.Effect<void, DependencyDown>
  /** Starts an outage now, lasting `duration` (or until the end of the run). */
  readonly outage: (duration: Duration.Input | "forever") => Effect.Effect<void>
}

export const make = (name: string): Dependency => {
  let downFrom = Infinity
  let downUntil = Infinity
  return {
    name,
    check: Effect.flatMap(Clock.currentTimeMillis, (now) =>
      now >= downFrom && now < downUntil ? Effect.fail(new DependencyDown({ dependency: name })) : Effect.void),
    outage: (duration) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        downFrom = now
        downUntil = duration === "forever" ? Infinity : now + Duration.toMillis(Duration.fromInputUnsafe(duration))
      })
  }
}
