/**
 * Fault injection for Arbor actors, seeded so a run can be replayed.
 *
 * A {@link FaultInjector} holds a seeded pseudo-random generator and a log of every fault it
 * injected. {@link define} builds an actor exactly like `Actor.make`, with faults wired in by a
 * {@link FaultPlan}: crash on the Nth message of each incarnation, drop or delay messages, make
 * the stop hook slow. {@link crash} crashes such an actor on demand with a chosen reason (its
 * reference type, {@link FaultyRef}, is what admits a crash: a plain actor's is a type error)
 * and completes once the actor has ended; {@link kill} kills any actor; {@link failStart} makes
 * any start effect fail its first K attempts. Every random decision comes from the injector, so
 * the same seed and the same sequence of events inject the same faults.
 *
 * Bad input is rejected where it is given: a malformed plan or definition throws
 * {@link InvalidFaultPlan} (or core's `InvalidActorDefinition`) from `define`, durations are read
 * by core's one decoder (`Durations.decode`), and a crash that cannot be carried out fails with
 * {@link InvalidCrashRequest} or `MailboxFull`.
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
 *   const third = yield* ActorRef.monitor(worker) // Failure(InjectedFault) on the 3rd job
 *   const next = yield* Actor.spawn(Worker)
 *   return [third, yield* Faults.crash(faults, next, "shutdown")] // ...then Shutdown, on demand
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @module
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Actor, ActorRef, Durations, Errors, ExitReason } from "@arbor/core"
import { dispatchOf, dispatchOfRef, mailboxOf } from "@arbor/core/internal/harness"

/**
 * How an injected crash ends the actor.
 *
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
 * A fault plan that cannot be carried out.
 *
 * A fault plan that cannot be carried out: `define`'s `injector` or `plan` (a key of the plan as
 * `field`), `failStart`'s or `flakyStart`'s options, or `makeInjector`'s seed.
 *
 * Thrown where the plan is given, as `Actor.make` throws `InvalidActorDefinition`.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidFaultPlan extends Data.TaggedError("InvalidFaultPlan")<{
  /** The function that was given the plan: `"define"`, `"failStart"`, `"flakyStart"`, `"makeInjector"`. */
  readonly operation: string
  /** The invalid field (`"delay"`, `"crashOnMessage"`, `"times"`, `"plan"`, `"injector"`, ...). */
  readonly field: string
  /** The value given. */
  readonly value: unknown
  /** What a valid value is. */
  readonly reason: string
}> {
  override get message(): string {
    return `Faults.${this.operation}: invalid ${this.field} (${describe(this.value)}): ${this.reason}`
  }
}

/**
 * A request {@link crash} (or {@link kill}) cannot carry out.
 *
 * A request {@link crash} (or {@link kill}) cannot carry out: `field` is `"ref"` (not an actor
 * reference, or — for `crash` — an actor not built with {@link define}), `"reason"` (not a
 * {@link CrashReason}) or `"injector"` (not made by {@link makeInjector}).
 *
 * Nothing was sent.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidCrashRequest extends Data.TaggedError("InvalidCrashRequest")<{
  /** The invalid argument: `"ref"`, `"reason"` or `"injector"`. */
  readonly field: "ref" | "reason" | "injector"
  /** The value given. */
  readonly value: unknown
  /** What is wrong with it. */
  readonly reason: string
}> {
  override get message(): string {
    return `Faults.crash: invalid ${this.field} (${describe(this.value)}): ${this.reason}`
  }
}

const describe = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u)
  if (ActorRef.isActorRef(u)) return String(u)
  if (typeof u === "object" && u !== null) return Array.isArray(u) ? "an array" : "an object"
  if (typeof u === "function") return "a function"
  return String(u)
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
 * A fault injector seeded with `seed` (mulberry32).
 *
 * Two injectors with the same seed make the same decisions in the same order.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeInjector = (seed: number): FaultInjector => {
  if (typeof seed !== "number" || !Number.isFinite(seed)) {
    throw new InvalidFaultPlan({ operation: "makeInjector", field: "seed", value: seed, reason: "must be a finite number" })
  }
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

const isInjector = (u: unknown): u is FaultInjector =>
  typeof u === "object" && u !== null && typeof (u as FaultInjector).random === "function" &&
  typeof (u as FaultInjector).record === "function" && Array.isArray((u as FaultInjector).log)

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
  /**
   * Messages wait this long (read from the `Clock`) before their handler runs. Read by core's
   * `Durations.decode`: a duration ≥ 0, or `"infinity"` (the message is never handled).
   */
  readonly delay?: Duration.Input
  /** Fraction (0–1) of messages delayed when `delay` is set. Default 1. */
  readonly delayRate?: number
  /**
   * The stop hook takes this much longer (read from the `Clock`). Read by `Durations.decode`: a
   * duration ≥ 0, or `"infinity"` (the hook never ends: the actor is stopped only by force).
   */
  readonly slowStop?: Duration.Input
  /** A name for the log. Default: the actor's label, or `"actor"`. */
  readonly target?: string
  /** Message faults (crash on Nth, drop, delay) apply only to messages this accepts. Default: all. */
  readonly only?: (msg: unknown) => boolean
}

class CrashNow {
  constructor(readonly reason: Exclude<CrashReason, "kill">) {}
  toString(): string {
    return `Faults.CrashRequest(${this.reason})`
  }
}

const CrashRequestTypeId = "~@arbor/testkit/CrashRequest" as const

/**
 * The message {@link crash} sends.
 *
 * It is part of the protocol of every actor built with {@link define} — so such an actor's
 * reference admits a crash — and it cannot be built outside this module.
 *
 * @category models
 * @since 0.1.0
 */
export interface CrashRequest {
  /** Type-level only: marks the crash request. */
  readonly [CrashRequestTypeId]: "CrashRequest"
}

/**
 * A reference to an actor built with {@link define} for protocol `Msg`.
 *
 * A reference to an actor built with {@link define} for protocol `Msg`: what `Actor.spawn`
 * returns for such a behavior, and what {@link crash} accepts.
 *
 * A plain `ActorRef<Msg>` is not one (a type error); a reference read back from a supervisor
 * (`whichChildren`, a snapshot) is cast to it by the caller, and checked at run time.
 *
 * @category models
 * @since 0.1.0
 */
export type FaultyRef<Msg = never> = ActorRef.ActorRef<Msg | CrashRequest>

/** The dispatch functions of the actors built by {@link define}: how `crash` recognises one. */
const faulty = new WeakSet<object>()

const CRASH_REASONS: ReadonlyArray<string> = ["failure", "defect", "throw", "normal", "shutdown", "kill"]
const PLAN_KEYS: ReadonlyArray<string> = [
  "crashOnMessage",
  "crashReason",
  "dropRate",
  "delay",
  "delayRate",
  "slowStop",
  "target",
  "only"
]

interface CheckedPlan {
  readonly delay: Duration.Duration | undefined
  readonly slowStop: Duration.Duration | undefined
}

/** Validates `define`'s injector and plan (throws `InvalidFaultPlan` naming the field). */
const checkPlan = (injector: unknown, plan: unknown): CheckedPlan => {
  const invalid = (field: string, value: unknown, reason: string): never => {
    throw new InvalidFaultPlan({ operation: "define", field, value, reason })
  }
  if (!isInjector(injector)) invalid("injector", injector, "must be a FaultInjector (Faults.makeInjector(seed))")
  if (typeof plan !== "object" || plan === null || Array.isArray(plan)) {
    return invalid("plan", plan, "must be an object (a FaultPlan; {} for none)")
  }
  const p = plan as Record<string, unknown>
  for (const key of Object.keys(p)) {
    if (!PLAN_KEYS.includes(key)) invalid(key, p[key], `is not a FaultPlan key (known: ${PLAN_KEYS.join(", ")})`)
  }
  const n = p["crashOnMessage"]
  if (n !== undefined && (typeof n !== "number" || !Number.isInteger(n) || n < 1)) {
    invalid("crashOnMessage", n, "must be a whole number ≥ 1 (the 1-based message of each incarnation)")
  }
  const r = p["crashReason"]
  if (r !== undefined && (typeof r !== "string" || r === "kill" || !CRASH_REASONS.includes(r))) {
    invalid("crashReason", r, "must be one of failure, defect, throw, normal, shutdown")
  }
  for (const key of ["dropRate", "delayRate"]) {
    const rate = p[key]
    if (rate !== undefined && (typeof rate !== "number" || !(rate >= 0 && rate <= 1))) {
      invalid(key, rate, "must be a number from 0 to 1")
    }
  }
  const duration = (key: "delay" | "slowStop"): Duration.Duration | undefined => {
    const input = p[key]
    if (input === undefined) return undefined
    return Durations.decode(input) ??
      invalid(key, input, "must be a duration ≥ 0 (as Durations.decode reads it: \"250 millis\", 250, { seconds: 1 }, \"infinity\")")
  }
  if (p["target"] !== undefined && typeof p["target"] !== "string") invalid("target", p["target"], "must be a string")
  if (p["only"] !== undefined && typeof p["only"] !== "function") {
    invalid("only", p["only"], "must be a function (msg) => boolean")
  }
  return { delay: duration("delay"), slowStop: duration("slowStop") }
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
 * by `injector`.
 *
 * Messages are dispatched by core's own dispatch (the one `Actor.make` builds). The actor's
 * protocol also admits a {@link CrashRequest}, so its references are {@link FaultyRef}s and {@link
 * crash} accepts them.
 *
 * Throws `InvalidActorDefinition` for a malformed `definition` (the same check as
 * `Actor.make`) and {@link InvalidFaultPlan} for a bad `injector` or `plan`: an unknown key, a
 * `crashOnMessage` that is not a whole number ≥ 1, a rate outside 0–1, a `delay` or `slowStop`
 * that `Durations.decode` rejects (negative, `NaN`, the number `Infinity`, `{ secs: 5 }`).
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
): Actor.Behavior<Msg | CrashRequest, IE, Exclude<IR | Actor.ServicesOfReceive<H>, Scope.Scope>> => {
  // the definition is checked exactly as Actor.make checks it (throws InvalidActorDefinition)
  Actor.make<Msg>()(definition as never)
  const { delay, slowStop } = checkPlan(injector, plan)
  const original = dispatchOf(definition.receive) as (s: unknown, m: unknown, c: Actor.ActorContext<Msg>) => unknown
  const counts = new WeakMap<object, number>()
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
  faulty.add(wrapped)
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
 * Crashes an actor built with {@link define} and completes with its exit reason.
 *
 * Crashes an actor built with {@link define}, with `reason`, and completes with its exit reason
 * once it has ended (it monitors the actor before sending).
 *
 * The crash is a message: it is handled after the messages already waiting (`"kill"` acts at once),
 * so `crash` waits for those.
 *
 * - an actor that has already ended: completes at once with its exit reason; nothing is injected;
 * - a bounded mailbox that is full (any overflow policy): fails with `MailboxFull`; nothing is
 *   sent, nothing logged (it never waits for room, never drops a waiting message);
 * - a reference to an actor not built with `define` (a type error in TypeScript, possible from
 *   JavaScript or by casting): fails with {@link InvalidCrashRequest} (`field: "ref"`), as for
 *   an unknown `reason` or an `injector` not made by {@link makeInjector}. Use {@link kill} for
 *   any actor.
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { Faults } from "@arbor/testkit"
 * import { Effect } from "effect"
 *
 * const faults = Faults.makeInjector(1)
 * const Worker = Faults.define<{ readonly _tag: "Job" }>()(faults, {}, {
 *   init: () => Effect.succeed(0),
 *   receive: { Job: (n) => n + 1 }
 * })
 * const crashed = Effect.gen(function*() {
 *   const worker = yield* Actor.spawn(Worker)
 *   return yield* Faults.crash(faults, worker, "defect") // Failure(InjectedFault), worker dead
 * })
 * ```
 *
 * @category injection
 * @since 0.1.0
 */
export const crash = (
  injector: FaultInjector,
  ref: ActorRef.ActorRef<CrashRequest>,
  reason: CrashReason = "failure"
): Effect.Effect<ExitReason.ExitReason, InvalidCrashRequest | Errors.MailboxFull> =>
  Effect.suspend((): Effect.Effect<ExitReason.ExitReason, InvalidCrashRequest | Errors.MailboxFull> => {
    const invalid = (field: InvalidCrashRequest["field"], value: unknown, why: string) =>
      Effect.fail(new InvalidCrashRequest({ field, value, reason: why }))
    if (!isInjector(injector)) return invalid("injector", injector, "must be a FaultInjector (Faults.makeInjector(seed))")
    if (typeof reason !== "string" || !CRASH_REASONS.includes(reason)) {
      return invalid("reason", reason, `must be one of ${CRASH_REASONS.join(", ")}`)
    }
    const dispatch = ActorRef.isActorRef(ref) ? dispatchOfRef(ref) : undefined
    if (dispatch === undefined) return invalid("ref", ref, "must be an ActorRef")
    if (!faulty.has(dispatch)) {
      return invalid(
        "ref",
        ref,
        "is not an actor built with Faults.define: only those can be crashed on demand (Faults.kill kills any actor)"
      )
    }
    if (!ActorRef.isAliveUnsafe(ref)) return Effect.succeed(ActorRef.exitReasonUnsafe(ref)!)
    if (reason === "kill") return killNow(injector, ref)
    const mailbox = mailboxOf(ref)!
    if (mailbox.size >= mailbox.capacity) {
      return Effect.fail(new Errors.MailboxFull({ actor: { id: ref.id, label: ref.label }, capacity: mailbox.capacity }))
    }
    // monitor first, then send: the exit cannot be missed, whenever it happens
    return Effect.callback<ExitReason.ExitReason>((resume) => {
      const cancel = ActorRef.onExit(ref, (exit) => resume(Effect.succeed(exit)))
      ActorRef.tellUnsafe(ref as ActorRef.ActorRef<unknown>, new CrashNow(reason))
      return Effect.sync(cancel)
    })
  })

/**
 * Kills any actor and completes with its exit reason once it has ended.
 *
 * Kills any actor (reason `Killed`, its stop hook skipped) and completes with its exit reason
 * once it has ended; the kill is logged as a `"kill"` crash.
 *
 * An actor that has already ended: completes at once with its exit reason, nothing logged. Fails
 * with {@link InvalidCrashRequest} when `ref` is not an actor reference or `injector` is not an
 * injector.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 * import { Faults } from "@arbor/testkit"
 *
 * declare const supervisor: ActorRef.ActorRef<never>
 * const faults = Faults.makeInjector(7)
 * const killed = Faults.kill(faults, supervisor) // Effect<ExitReason>: Killed
 * ```
 *
 * @category injection
 * @since 0.1.0
 */
export const kill = (
  injector: FaultInjector,
  ref: ActorRef.ActorRef<any>
): Effect.Effect<ExitReason.ExitReason, InvalidCrashRequest> =>
  Effect.suspend((): Effect.Effect<ExitReason.ExitReason, InvalidCrashRequest> => {
    if (!isInjector(injector)) {
      return Effect.fail(
        new InvalidCrashRequest({ field: "injector", value: injector, reason: "must be a FaultInjector (Faults.makeInjector(seed))" })
      )
    }
    if (!ActorRef.isActorRef(ref)) {
      return Effect.fail(new InvalidCrashRequest({ field: "ref", value: ref, reason: "must be an ActorRef" }))
    }
    if (!ActorRef.isAliveUnsafe(ref)) return Effect.succeed(ActorRef.exitReasonUnsafe(ref)!)
    return killNow(injector, ref)
  })

const killNow = (injector: FaultInjector, ref: ActorRef.ActorRef<any>): Effect.Effect<ExitReason.ExitReason> => {
  injector.record({ kind: "crash", target: ref.label ?? `actor #${ref.id}`, reason: "kill" })
  return ActorRef.kill(ref)
}

/**
 * Validates `failStart`'s / `flakyStart`'s arguments (throws `InvalidFaultPlan` naming the field):
 * `"count"` a whole number ≥ 0, `"rate"` a number from 0 to 1; a `?` marks an optional one.
 */
const checkStartOptions = (
  operation: "failStart" | "flakyStart",
  injector: unknown,
  start: unknown,
  options: unknown,
  fields: Record<string, "count" | "count?" | "rate">
): void => {
  const invalid = (field: string, value: unknown, reason: string): never => {
    throw new InvalidFaultPlan({ operation, field, value, reason })
  }
  if (!isInjector(injector)) invalid("injector", injector, "must be a FaultInjector (Faults.makeInjector(seed))")
  if (!Effect.isEffect(start)) invalid("start", start, "must be an Effect (the start to make fail)")
  if (typeof options !== "object" || options === null) invalid("options", options, "must be an object")
  const o = options as Record<string, unknown>
  for (const [field, kind] of Object.entries(fields)) {
    const value = o[field]
    if (kind === "count?" && value === undefined) continue
    if (kind === "rate") {
      if (typeof value !== "number" || !(value >= 0 && value <= 1)) invalid(field, value, "must be a number from 0 to 1")
    } else if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      invalid(field, value, "must be a whole number ≥ 0")
    }
  }
  if (o["target"] !== undefined && typeof o["target"] !== "string") invalid("target", o["target"], "must be a string")
}

/**
 * A start effect that fails its first `times` runs with `InjectedFault`.
 *
 * A start effect that fails its first `times` runs with `InjectedFault` (then runs `start`):
 * for a supervised child, the first `times` start attempts fail.
 *
 * Throws {@link InvalidFaultPlan} when `times` is not a whole number ≥ 0 (or another argument is
 * malformed).
 *
 * @category injection
 * @since 0.1.0
 */
export const failStart = <A, E, R>(
  injector: FaultInjector,
  start: Effect.Effect<A, E, R>,
  options: { readonly times: number; readonly target?: string }
): Effect.Effect<A, E | InjectedFault, R> => {
  checkStartOptions("failStart", injector, start, options, { times: "count" })
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
 * A start effect that fails with probability `rate` on each run, decided by the injector.
 *
 * The first `spareFirst` runs (default 0) always go through — `spareFirst: 1` makes only restarts
 * flaky, so a supervisor's own start is not at risk. Throws {@link InvalidFaultPlan} when `rate` is
 * not a number from 0 to 1 or `spareFirst` not a whole number ≥ 0.
 *
 * @category injection
 * @since 0.1.0
 */
export const flakyStart = <A, E, R>(
  injector: FaultInjector,
  start: Effect.Effect<A, E, R>,
  options: { readonly rate: number; readonly target?: string; readonly spareFirst?: number }
): Effect.Effect<A, E | InjectedFault, R> => {
  checkStartOptions("flakyStart", injector, start, options, { rate: "rate", spareFirst: "count?" })
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
