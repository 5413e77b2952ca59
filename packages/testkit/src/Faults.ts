/**
 * Fault injection for Arbor actors, seeded so a run can be replayed.
 *
 * A {@link FaultInjector} holds a seeded pseudo-random generator and a log of every fault it
 * injected. {@link define} builds an actor exactly like `Actor.make`, with faults wired in by a
 * {@link FaultPlan}: crash on the Nth message of each incarnation, drop or delay messages, make
 * the stop hook slow. {@link crash} crashes such an actor on demand with a chosen reason, and
 * {@link failStart} makes any start effect fail its first K attempts. Every random decision
 * comes from the injector, so the same seed and the same sequence of events inject the same
 * faults.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, ActorSystem } from "@arbor/core"
 * import { Faults } from "@arbor/testkit"
 * import { Effect } from "effect"
 *
 * const faults = Faults.makeInjector(42)
 * const Worker = Faults.define<{ readonly _tag: "Job" }>()(faults, { crashOnMessage: 3 }, {
 *   init: () => Effect.succeed(0),
 *   receive: { Job: (n) => n + 1 }
 * })
 *
 * const program = Effect.gen(function*() {
 *   const worker = yield* Actor.spawn(Worker)
 *   for (let i = 0; i < 3; i++) yield* ActorRef.tell(worker, { _tag: "Job" })
 *   return yield* ActorRef.monitor(worker) // Failure(InjectedFault) on the 3rd job
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Actor, ActorRef, ExitReason } from "@arbor/core"

/**
 * How an injected crash ends the actor:
 * - `"failure"`: the handler fails with an `InjectedFault` error (reason `Failure`);
 * - `"defect"`: the handler dies with an `InjectedFault` defect (reason `Failure`);
 * - `"throw"`: the handler throws a non-Error value synchronously (reason `Failure`);
 * - `"normal"` / `"shutdown"`: the handler stops the actor with that reason;
 * - `"kill"`: the actor is killed from outside (reason `Killed`; only for {@link crash}).
 *
 * @category models
 * @since 0.1.0
 */
export type CrashReason = "failure" | "defect" | "throw" | "normal" | "shutdown" | "kill"

/**
 * The error (or defect) an injected crash fails with.
 *
 * @category errors
 * @since 0.1.0
 */
export class InjectedFault extends Data.TaggedError("InjectedFault")<{
  readonly target: string
  readonly detail: string
}> {
  override get message(): string {
    return `injected fault in ${this.target}: ${this.detail}`
  }
}

/**
 * One fault the injector injected.
 *
 * @category models
 * @since 0.1.0
 */
export interface InjectedFaultRecord {
  readonly kind: "crash" | "start-failure" | "drop" | "delay" | "slow-stop"
  readonly target: string
  readonly reason?: CrashReason
}

/**
 * A seeded source of faults and the log of those injected.
 *
 * @category models
 * @since 0.1.0
 */
export interface FaultInjector {
  readonly seed: number
  /** The next pseudo-random number in [0, 1). */
  random(): number
  /** A pseudo-random whole number in [0, n). */
  int(n: number): number
  /** A pseudo-random element of a non-empty array. */
  pick<A>(items: ReadonlyArray<A>): A
  /** Every fault injected so far, in order. */
  readonly log: ReadonlyArray<InjectedFaultRecord>
  /** Appends to the log (used by the instrumented actors). */
  record(fault: InjectedFaultRecord): void
}

/**
 * A fault injector seeded with `seed` (mulberry32). Two injectors with the same seed make the
 * same decisions in the same order.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeInjector = (seed: number): FaultInjector => {
  let a = seed >>> 0
  const log: Array<InjectedFaultRecord> = []
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    seed,
    random,
    int: (n) => Math.floor(random() * n),
    pick: (items) => {
      if (items.length === 0) throw new RangeError("pick needs a non-empty array")
      return items[Math.floor(random() * items.length)]!
    },
    log,
    record: (fault) => void log.push(fault)
  }
}

/**
 * The faults wired into an actor by {@link define}.
 *
 * @category models
 * @since 0.1.0
 */
export interface FaultPlan {
  /** Crash while handling the Nth message (1-based) of each incarnation. */
  readonly crashOnMessage?: number
  /** How that crash ends the actor. Default `"failure"`. */
  readonly crashReason?: Exclude<CrashReason, "kill">
  /** Fraction (0–1) of messages dropped unhandled (a dropped request is never answered). */
  readonly dropRate?: number
  /** Messages wait this long (read from the `Clock`) before their handler runs. */
  readonly delay?: Duration.Input
  /** Fraction (0–1) of messages delayed when `delay` is set. Default 1. */
  readonly delayRate?: number
  /** The stop hook takes this much longer (read from the `Clock`). */
  readonly slowStop?: Duration.Input
  /** A name for the log. Default: the actor's label, or `"actor"`. */
  readonly target?: string
  /** Message faults (crash on Nth, drop, delay) apply only to messages this accepts. Default: all. */
  readonly only?: (msg: unknown) => boolean
}

class CrashNow {
  constructor(readonly reason: Exclude<CrashReason, "kill">) {}
}

const targetOf = (plan: FaultPlan, ctx: Actor.ActorContext<any>) =>
  plan.target ?? ctx.self.label ?? `actor #${ctx.self.id}`

const crashWith = (reason: Exclude<CrashReason, "kill">, target: string): unknown => {
  switch (reason) {
    case "failure":
      return Effect.fail(new InjectedFault({ target, detail: "failure" }))
    case "defect":
      return Effect.die(new InjectedFault({ target, detail: "defect" }))
    case "throw":
      // a non-Error value thrown synchronously, the rudest thing a handler can do
      throw { injected: true, target }
    case "normal":
      return Actor.stop(ExitReason.normal)
    case "shutdown":
      return Actor.stop(ExitReason.shutdown("injected"))
  }
}

/**
 * Defines an actor like `Actor.make<Msg>()(definition)`, with the faults of `plan` injected
 * by `injector`. The result also accepts {@link crash}.
 *
 * @category constructors
 * @since 0.1.0
 */
export const define = <Msg>() =>
<
  S,
  IE = never,
  IR = never,
  const H extends Actor.Handlers<Msg, S> | Actor.ReceiveFunction<Msg, S> = Actor.Handlers<Msg, S>
>(
  injector: FaultInjector,
  plan: FaultPlan,
  definition: Actor.Definition<Msg, S, IE, IR, H> & { readonly receive: Actor.NoExtraHandlers<Msg, H> }
): Actor.Behavior<Msg, IE, Exclude<IR | Actor.ServicesOfReceive<H>, Scope.Scope>> => {
  const receive = definition.receive as unknown
  const original: (s: unknown, m: unknown, c: Actor.ActorContext<Msg>) => unknown = typeof receive === "function"
    ? (receive as never)
    : (s, m, c) => {
      const handler = (receive as Record<string, (s: unknown, m: unknown, c: unknown) => unknown>)[
        (m as { _tag: string })._tag
      ]
      if (handler === undefined) throw new TypeError(`no handler for ${String((m as { _tag?: unknown })._tag)}`)
      return handler(s, m, c)
    }
  const counts = new WeakMap<object, number>()
  const delay = plan.delay === undefined ? undefined : Duration.fromInputUnsafe(plan.delay)
  const slowStop = plan.slowStop === undefined ? undefined : Duration.fromInputUnsafe(plan.slowStop)
  const wrapped = (state: S, msg: unknown, ctx: Actor.ActorContext<Msg>): unknown => {
    const target = targetOf(plan, ctx)
    if (msg instanceof CrashNow) {
      injector.record({ kind: "crash", target, reason: msg.reason })
      return crashWith(msg.reason, target)
    }
    if (plan.only !== undefined && !plan.only(msg)) return original(state, msg, ctx)
    const n = (counts.get(ctx.self) ?? 0) + 1
    counts.set(ctx.self, n)
    if (plan.crashOnMessage !== undefined && n === plan.crashOnMessage) {
      const reason = plan.crashReason ?? "failure"
      injector.record({ kind: "crash", target, reason })
      return crashWith(reason, target)
    }
    if (plan.dropRate !== undefined && plan.dropRate > 0 && injector.random() < plan.dropRate) {
      injector.record({ kind: "drop", target })
      return state
    }
    if (delay !== undefined && (plan.delayRate === undefined || injector.random() < plan.delayRate)) {
      injector.record({ kind: "delay", target })
      return Effect.andThen(Effect.sleep(delay), Effect.suspend(() => {
        const out = original(state, msg, ctx)
        return Effect.isEffect(out) ? out : Effect.succeed(out)
      }))
    }
    return original(state, msg, ctx)
  }
  const onStop = definition.onStop
  return Actor.make<Msg>()({
    ...definition,
    receive: wrapped as Actor.ReceiveFunction<Msg, S>,
    ...(slowStop === undefined
      ? {}
      : {
        onStop: (state: S, reason: ExitReason.ExitReason) => {
          injector.record({ kind: "slow-stop", target: plan.target ?? "actor" })
          return Effect.andThen(Effect.sleep(slowStop), onStop === undefined ? Effect.void : onStop(state, reason))
        }
      })
  }) as never
}

/**
 * Crashes an actor built with {@link define}, with `reason`. The crash is a message: it is
 * handled after the messages already waiting (`"kill"` acts at once). Completes when the crash
 * has been delivered (not when the actor has ended: use `ActorRef.monitor` for that).
 *
 * @category injection
 * @since 0.1.0
 */
export const crash = <Msg>(
  injector: FaultInjector,
  ref: ActorRef.ActorRef<Msg>,
  reason: CrashReason = "failure"
): Effect.Effect<void> =>
  reason === "kill"
    ? Effect.suspend(() => {
      injector.record({ kind: "crash", target: ref.label ?? `actor #${ref.id}`, reason })
      return Effect.asVoid(Effect.forkDetach(ActorRef.kill(ref)))
    })
    : Effect.sync(() => ActorRef.tellUnsafe(ref as ActorRef.ActorRef<unknown>, new CrashNow(reason)))

/**
 * A start effect that fails its first `times` runs with `InjectedFault` (then runs `start`):
 * for a supervised child, the first `times` start attempts fail.
 *
 * @category injection
 * @since 0.1.0
 */
export const failStart = <A, E, R>(
  injector: FaultInjector,
  start: Effect.Effect<A, E, R>,
  options: { readonly times: number; readonly target?: string }
): Effect.Effect<A, E | InjectedFault, R> => {
  let failures = 0
  const target = options.target ?? "start"
  return Effect.suspend((): Effect.Effect<A, E | InjectedFault, R> => {
    if (failures < options.times) {
      failures++
      injector.record({ kind: "start-failure", target })
      return Effect.fail(new InjectedFault({ target, detail: `start attempt ${failures} of ${options.times} failing` }))
    }
    return start
  })
}

/**
 * A start effect that fails with probability `rate` on each run, decided by the injector. The
 * first `spareFirst` runs (default 0) always go through — `spareFirst: 1` makes only restarts
 * flaky, so a supervisor's own start is not at risk.
 *
 * @category injection
 * @since 0.1.0
 */
export const flakyStart = <A, E, R>(
  injector: FaultInjector,
  start: Effect.Effect<A, E, R>,
  options: { readonly rate: number; readonly target?: string; readonly spareFirst?: number }
): Effect.Effect<A, E | InjectedFault, R> => {
  const target = options.target ?? "start"
  let runs = 0
  return Effect.suspend((): Effect.Effect<A, E | InjectedFault, R> => {
    runs++
    if (runs > (options.spareFirst ?? 0) && injector.random() < options.rate) {
      injector.record({ kind: "start-failure", target })
      return Effect.fail(new InjectedFault({ target, detail: "flaky start" }))
    }
    return start
  })
}
