/**
 * A test world for Arbor, and the one way to wait until it has nothing left to run.
 *
 * {@link layer} builds a fresh `ActorSystem`, Effect's `TestClock` (time moves only with
 * `TestClock.adjust`) and a scheduler that counts the fiber tasks it has queued; {@link run}
 * runs a test program in such a world and closes its scope (stopping its actors) at the end.
 *
 * {@link untilIdle} waits until the world is **idle**: it completes at the first check, made
 * from a new macrotask (so every microtask queued before it has run), at which
 *
 * 1. the dispatcher of every built-in actor system made in the world (by `ActorSystem.make`,
 *    also when the world's `ActorSystem` is a wrapper around one — see {@link Options.system})
 *    has no actor queued to run and no turn pending, and
 * 2. no fiber task is queued on the world's scheduler — no fiber that was resumed, forked or
 *    that yielded is waiting for its turn;
 *
 * otherwise it checks again one macrotask later. What is left then is waiting: on the clock (a
 * `TestClock` sleep, a live timer), on I/O (a worker thread, a socket), or on another actor or
 * fiber that is itself waiting. It never waits for time to pass, so a test that needs a timer
 * moves the clock ({@link advance}). Work that never waits (a fiber that yields forever) keeps
 * the world busy: after 100 000 checks `untilIdle` dies with an error saying so.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef } from "@arbor/core"
 * import { TestSystem } from "@arbor/testkit"
 * import { Effect } from "effect"
 *
 * const Counter = Actor.make<{ readonly _tag: "Add" }>()({
 *   init: () => Effect.succeed(0),
 *   receive: { Add: (n) => n + 1 }
 * })
 *
 * const seen: Array<string> = []
 * await TestSystem.run(Effect.gen(function*() {
 *   const counter = yield* Actor.spawn(Counter)
 *   yield* ActorRef.tell(counter, { _tag: "Add" })
 *   yield* TestSystem.untilIdle // the message has been handled
 *   seen.push(`mailbox ${yield* ActorRef.mailboxSize(counter)}`)
 * }))
 * ```
 *
 * @module
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Scheduler from "effect/Scheduler"
import type * as Scope from "effect/Scope"
import { TestClock } from "effect/testing"
import { ActorSystem, Durations } from "@arbor/core"
import { isDispatcherIdle, isSystemIdle, type SystemState, SystemWatcher } from "@arbor/core/internal/harness"

/** How many checks {@link untilIdle} makes before it gives up on a world that never goes idle. */
const MAX_CHECKS = 100_000

/**
 * A scheduler that delegates to its parent (so fibers run exactly as they would without it)
 * and counts the tasks queued and not yet run.
 */
class CountingScheduler implements Scheduler.Scheduler {
  pending = 0
  /** The built-in actor systems made in this world (`ActorSystem.make`, wrapped or not). */
  readonly systems: Array<SystemState> = []
  constructor(readonly parent: Scheduler.Scheduler) {}
  get executionMode() {
    return this.parent.executionMode
  }
  shouldYield(fiber: Parameters<Scheduler.Scheduler["shouldYield"]>[0]): boolean {
    return this.parent.shouldYield(fiber)
  }
  makeDispatcher(): Scheduler.SchedulerDispatcher {
    const inner = this.parent.makeDispatcher()
    return {
      scheduleTask: (task, priority) => {
        this.pending++
        inner.scheduleTask(() => {
          this.pending--
          task()
        }, priority)
      },
      flush: () => inner.flush()
    }
  }
}

/** The counting scheduler of the current world, if it was built by {@link layer}. */
const Counter = Context.Reference<CountingScheduler | undefined>("@arbor/testkit/TestSystem/Counter", {
  defaultValue: () => undefined
})

/** Installs a counting scheduler over the current one, and records it for {@link untilIdle}. */
const counting: Layer.Layer<never> = Layer.effectContext(
  Effect.withFiber((fiber) => {
    const counter = new CountingScheduler(fiber.getRef(Scheduler.Scheduler))
    return Effect.succeed(
      Context.make(Scheduler.Scheduler, counter as Scheduler.Scheduler).pipe(
        Context.add(Counter, counter),
        Context.add(SystemWatcher, (state: SystemState) => void counter.systems.push(state))
      )
    )
  })
)

/**
 * Options of {@link layer} and {@link run}.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /**
   * `"test"` (default): Effect's `TestClock`, moved only by `TestClock.adjust`. `"live"`: the
   * real clock, for tests that wait on real time (worker threads' heartbeats, say).
   */
  readonly clock?: "test" | "live"
  /**
   * With the `TestClock`: how long (in real time) a test may wait on a sleep without moving the
   * clock before the `TestClock` logs its "not advancing the test clock" warning. Default 1 second
   * (Effect's). Read by `Durations.decode`. Not allowed with `clock: "live"`.
   */
  readonly warningDelay?: Duration.Input
  /**
   * The `ActorSystem` layer of the world (default `ActorSystem.layer`), built over the world's
   * clock and counting scheduler: for instance a recording or delegating wrapper built on
   * `ActorSystem.make`. {@link untilIdle} watches every built-in system made while it is built,
   * so it sees the dispatcher behind such a wrapper; an implementation that does not run its
   * actors on a system made by `ActorSystem.make` in this world makes `untilIdle` die.
   */
  readonly system?: Layer.Layer<ActorSystem.ActorSystem>
}

/**
 * A fresh test world: an actor system, a clock and the scheduler {@link untilIdle} reads.
 *
 * A fresh test world: an `ActorSystem`, the clock chosen by `options` (`TestClock` by default)
 * and the counting scheduler {@link untilIdle} reads.
 *
 * Each build is a new, independent world. To test code that needs more services, provide their
 * layers on top of it (for example `Layer.provideMerge(Registry.layer, TestSystem.layer())`).
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { TestSystem } from "@arbor/testkit"
 * import { Effect } from "effect"
 *
 * const Idle = Actor.make<never>()({ init: () => Effect.succeed(0), receive: {} })
 * const program = Actor.spawn(Idle).pipe(Effect.scoped, Effect.provide(TestSystem.layer()))
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options?: Options): Layer.Layer<ActorSystem.ActorSystem> => {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`TestSystem.layer: options must be an object { clock?: "test" | "live" } (got ${String(options)})`)
  }
  const clock = options?.clock ?? "test"
  const system = options?.system ?? ActorSystem.layer
  if (!Layer.isLayer(system as unknown)) {
    throw new TypeError(`TestSystem.layer: system must be a Layer of ActorSystem (got ${String(system)})`)
  }
  if (clock !== "test" && clock !== "live") {
    throw new TypeError(`TestSystem.layer: clock must be "test" or "live" (got ${String(clock)})`)
  }
  let warningDelay: Duration.Duration | undefined
  if (options?.warningDelay !== undefined) {
    if (clock === "live") throw new TypeError(`TestSystem.layer: warningDelay applies to the TestClock, not to clock: "live"`)
    warningDelay = Durations.decode(options.warningDelay)
    if (warningDelay === undefined) {
      throw new TypeError(
        `TestSystem.layer: warningDelay must be a duration ≥ 0 (as Durations.decode reads it), got ${String(options.warningDelay)}`
      )
    }
  }
  // the TestClock wraps the counting scheduler (it reads the scheduler it is built over), so
  // its own wait for woken sleepers keeps working and every task still goes through the count
  // the system is built over the TestClock, so what it times itself (the dead-letter report's
  // summaries) moves with the test's clock too
  const world = clock === "test"
    ? system.pipe(Layer.provideMerge(
      TestClock.layer(warningDelay === undefined ? undefined : { warningDelay }).pipe(Layer.provide(counting))
    ))
    : system
  return Layer.provideMerge(world, counting)
}

/**
 * Runs a test program in a fresh world ({@link layer}); the program's scope closes at the end,
 * stopping the actors spawned in it.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef } from "@arbor/core"
 * import { TestSystem } from "@arbor/testkit"
 * import { Effect } from "effect"
 *
 * const Echo = Actor.make<Actor.Request<{ readonly _tag: "Echo"; readonly text: string }, string>>()({
 *   init: () => Effect.succeed(undefined),
 *   receive: { Echo: (s, m) => Actor.reply(m.text, s) }
 * })
 *
 * const answer = await TestSystem.run(Effect.gen(function*() {
 *   const echo = yield* Actor.spawn(Echo)
 *   return yield* ActorRef.ask(echo, { _tag: "Echo", text: "hi" })
 * })) // "hi"
 * ```
 *
 * @category running
 * @since 0.1.0
 */
export const run = <A, E>(
  program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>,
  options?: Options
): Promise<A> => Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(layer(options))))

/**
 * Waits until the world has nothing left to run (see the module documentation for the exact
 * rule).
 *
 * Dies with a `TypeError` when the world was not built by {@link layer} (it cannot see the
 * scheduler then) or when its `ActorSystem` runs on no system made by `ActorSystem.make` while the
 * world was built, and with an `Error` when the world is still busy after 100 000 checks.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef } from "@arbor/core"
 * import { TestSystem } from "@arbor/testkit"
 * import { Effect } from "effect"
 *
 * declare const worker: ActorRef.ActorRef<{ readonly _tag: "Job" }>
 * const handled = Effect.andThen(ActorRef.tell(worker, { _tag: "Job" }), TestSystem.untilIdle)
 * ```
 *
 * @category waiting
 * @since 0.1.0
 */
export const untilIdle: Effect.Effect<void, never, ActorSystem.ActorSystem> = Effect.withFiber((fiber) => {
  const counter = fiber.getRef(Counter)
  const system = Context.getUnsafe(fiber.context, ActorSystem.ActorSystem)
  if (counter === undefined) {
    return Effect.die(
      new TypeError(
        "TestSystem.untilIdle needs a world built by TestSystem.layer (or TestSystem.run): " +
          "it reads that world's scheduler and the built-in actor system's dispatcher"
      )
    )
  }
  if (counter.systems.length === 0 && isDispatcherIdle(system) === undefined) {
    return Effect.die(
      new TypeError(
        "TestSystem.untilIdle: this world's ActorSystem runs on no system made by ActorSystem.make " +
          "while the world was built, so there is no dispatcher to watch (build the implementation " +
          "on ActorSystem.make, and pass its layer as TestSystem.layer's system option)"
      )
    )
  }
  const idle = () => counter.pending === 0 && isDispatcherIdle(system) !== false && counter.systems.every(isSystemIdle)
  return Effect.callback<void>((resume) => {
    let checks = 0
    let timer: ReturnType<typeof setImmediate> | undefined
    const check = () => {
      timer = undefined
      if (idle()) return resume(Effect.void)
      if (++checks >= MAX_CHECKS) {
        return resume(Effect.die(
          new Error(
            `TestSystem.untilIdle: the world is still busy after ${MAX_CHECKS} checks ` +
              "(an actor or fiber that never waits, e.g. a loop of Effect.yieldNow?)"
          )
        ))
      }
      timer = setImmediate(check)
    }
    timer = setImmediate(check)
    return Effect.sync(() => {
      if (timer !== undefined) clearImmediate(timer)
    })
  })
})

/**
 * Moves the `TestClock` by `duration` (waking the sleeps due meanwhile, in order), then waits
 * {@link untilIdle}.
 *
 * `duration` is read by core's `Durations.decode` and must be finite: a value it rejects (`-1`,
 * `NaN`, `"soon"`, `{ secs: 5 }` — which Effect alone would read as zero) or `"infinity"` makes
 * `advance` die with a `TypeError` naming the value, and the clock does not move.
 *
 * @example
 * ```ts
 * import { TestSystem } from "@arbor/testkit"
 * const afterTimeout = TestSystem.advance("5 seconds")
 * ```
 *
 * @category waiting
 * @since 0.1.0
 */
export const advance = (duration: Duration.Input): Effect.Effect<void, never, ActorSystem.ActorSystem> => {
  const decoded = Durations.decode(duration)
  if (decoded === undefined || !Duration.isFinite(decoded)) {
    return Effect.die(
      new TypeError(
        `TestSystem.advance: duration must be a finite duration ≥ 0 (as Durations.decode reads it), got ${describe(duration)}`
      )
    )
  }
  return Effect.andThen(TestClock.adjust(decoded), untilIdle)
}

const describe = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u)
  if (typeof u === "object" && u !== null && !Duration.isDuration(u)) {
    try {
      return JSON.stringify(u)
    } catch {
      return String(u)
    }
  }
  return String(u)
}
