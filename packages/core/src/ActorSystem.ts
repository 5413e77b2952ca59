/**
 * An actor world: the service every actor is spawned into.
 *
 * An actor world. Every actor is spawned into one `ActorSystem`, provided by a `Layer`; two
 * systems in one process share nothing (ids, dead letters, scheduling), so each test can build
 * a fresh world.
 *
 * @example
 * ```ts
 * import { Actor, ActorSystem } from "@arbor/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   // spawn actors here
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @module
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import type { Behavior, SpawnOptions } from "./Actor.ts"
import type { ActorRef } from "./ActorRef.ts"
import type { DeadLetter } from "./DeadLetter.ts"
import type { InvalidActorOptions, StartTimeout } from "./Errors.ts"
import * as Spawn from "./internal/spawn.ts"
import { register, SystemState } from "./internal/system.ts"

/**
 * What an actor system does: the operations `Actor.spawn` and this module's functions call.
 *
 * {@link layer} provides the built-in implementation ({@link make}); another implementation — a
 * test double, a recording or delegating wrapper — is another `Layer` of {@link ActorSystem}.
 *
 * The run loop itself (scheduling, ids, ask deadlines) stays inside the built-in
 * implementation: an actor spawned through a wrapper that delegates to it runs exactly as one
 * spawned directly. The dead letters the runtime produces for an actor (a message to it after
 * it ended, dropped by its mailbox's overflow policy, or left in its mailbox when it ended) go
 * through the `publishDeadLetter` of the service the actor was spawned through — whoever sends
 * the message — so a wrapper sees them as well as explicit calls; a wrapper that delegates to
 * the built-in `publishDeadLetter` has each one counted and published once. If that
 * `publishDeadLetter` throws or fails, the failure is logged and the sender is unaffected.
 *
 * @example
 * ```ts
 * import { ActorSystem } from "@arbor/core"
 * import { Effect, Layer } from "effect"
 *
 * // an actor system that counts spawns, delegating everything to the built-in one
 * let spawns = 0
 * const counting = Layer.effect(
 *   ActorSystem.ActorSystem,
 *   Effect.map(ActorSystem.make, (base) =>
 *     ActorSystem.ActorSystem.of({
 *       ...base,
 *       spawn: (behavior, options) => Effect.suspend(() => {
 *         spawns++
 *         return base.spawn(behavior, options)
 *       })
 *     }))
 * )
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ActorSystemService {
  /**
   * Spawns an actor into the calling fiber's `Scope`, with the caller's services (the contract
   * of `Actor.spawn`, which calls this).
   */
  readonly spawn: <Msg, IE, R>(
    behavior: Behavior<Msg, IE, R>,
    options?: SpawnOptions
  ) => Effect.Effect<ActorRef<Msg>, IE | InvalidActorOptions | StartTimeout, Scope.Scope | Exclude<R, Scope.Scope>>
  /** Subscribes to the system's dead letters for as long as the enclosing scope (see {@link deadLetters}). */
  readonly deadLetters: Effect.Effect<PubSub.Subscription<DeadLetter>, never, Scope.Scope>
  /**
   * Publishes a dead letter (see {@link publishDeadLetter}). The runtime calls this too, for
   * the dead letters of the actors spawned through this service.
   */
  readonly publishDeadLetter: (letter: DeadLetter) => Effect.Effect<void>
  /** How many actors spawned in this system have not yet ended (see {@link liveActors}). */
  readonly liveActors: Effect.Effect<number>
  /** How many dead letters were published since the system started (see {@link deadLetterCount}). */
  readonly deadLetterCount: Effect.Effect<number>
}

/**
 * The service key of the actor system.
 *
 * @category services
 * @since 0.1.0
 */
export class ActorSystem extends Context.Service<ActorSystem, ActorSystemService>()("@arbor/core/ActorSystem") {}

/**
 * Builds the built-in actor system: a new, independent world (ids start at 1, no dead letters,
 * no actors) with its own dispatcher.
 *
 * {@link layer} is this as a `Layer`; use `make` directly to build an implementation that delegates
 * to the built-in one.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make: Effect.Effect<ActorSystemService> = Effect.map(
  Effect.zip(PubSub.unbounded<DeadLetter>(), Effect.context<never>()),
  ([hub, services]) => makeService(hub, services)
)

const makeService = (hub: PubSub.PubSub<DeadLetter>, services: Context.Context<never>): ActorSystemService => {
  // the building fiber's services: the dead-letter report reads its clock and logger there
  const state = new SystemState(hub, services)
  const service: ActorSystemService = {
    spawn: (behavior, options) => Spawn.spawn(state, ActorSystem, service, behavior, options) as never,
    deadLetters: PubSub.subscribe(hub),
    publishDeadLetter: (letter) => Effect.sync(() => state.publishDeadLetter(letter)),
    liveActors: Effect.sync(() => state.liveActors),
    deadLetterCount: Effect.sync(() => state.deadLetterCount)
  }
  register(service, state)
  return service
}

/**
 * A layer that builds a fresh actor system ({@link make}).
 *
 * Each time it is built — for instance once per test — it makes a new, independent world: ids start
 * at 1, no dead letters, no actors.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, ActorSystem } from "@arbor/core"
 * import { Effect } from "effect"
 *
 * const Echo = Actor.make<Actor.Request<{ readonly _tag: "Echo"; readonly text: string }, string>>()({
 *   init: () => Effect.succeed(undefined),
 *   receive: { Echo: (s, m) => Actor.reply(m.text, s) }
 * })
 *
 * const main = Effect.gen(function*() {
 *   const echo = yield* Actor.spawn(Echo)
 *   return yield* ActorRef.ask(echo, { _tag: "Echo", text: "hi" })
 * }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<ActorSystem> = Layer.effect(ActorSystem, make)

/**
 * Subscribes to the system's dead letters: messages that could not be delivered (recipient,
 * message, why).
 *
 * The subscription lives as long as the enclosing scope; take from it with `PubSub.take`.
 *
 * @example
 * ```ts
 * import { ActorSystem } from "@arbor/core"
 * import { Effect, PubSub } from "effect"
 *
 * const firstDeadLetter = Effect.gen(function*() {
 *   const letters = yield* ActorSystem.deadLetters
 *   return yield* PubSub.take(letters)
 * })
 * ```
 *
 * @category dead letters
 * @since 0.1.0
 */
export const deadLetters: Effect.Effect<PubSub.Subscription<DeadLetter>, never, ActorSystem | Scope.Scope> = ActorSystem.use((system) =>
  system.deadLetters
)

/**
 * Publishes a dead letter for a message a transport can no longer deliver.
 *
 * Publishes a dead letter for a message that a transport held on behalf of `letter.recipient`
 * and can no longer deliver (for example a message forwarded to a worker thread that died
 * before taking it).
 *
 * Actors never need this: the runtime publishes their dead letters itself.
 *
 * @category dead letters
 * @since 0.1.0
 */
export const publishDeadLetter = (letter: DeadLetter): Effect.Effect<void, never, ActorSystem> =>
  ActorSystem.use((system) => system.publishDeadLetter(letter))

/**
 * How many dead letters the system has published since it started.
 *
 * How many dead letters the system has published since it started (every one published on
 * {@link deadLetters}, whether or not anyone subscribed).
 *
 * @category dead letters
 * @since 0.1.0
 */
export const deadLetterCount: Effect.Effect<number, never, ActorSystem> = ActorSystem.use((system) =>
  system.deadLetterCount
)

/**
 * How many actors of the system have not yet ended.
 *
 * How many actors spawned in the system have not yet ended (an actor counts from the end of
 * its `init` until it has ended) — for diagnostics and for tests that check nothing was left
 * running.
 *
 * @category diagnostics
 * @since 0.1.0
 */
export const liveActors: Effect.Effect<number, never, ActorSystem> = ActorSystem.use((system) =>
  system.liveActors
)
