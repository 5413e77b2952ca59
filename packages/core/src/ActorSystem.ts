/**
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
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import type { DeadLetter } from "./DeadLetter.ts"
import { SystemState } from "./internal/system.ts"

/**
 * What an actor system exposes: counters for diagnostics and tests.
 *
 * @category models
 * @since 0.1.0
 */
export interface ActorSystemService {
  /** Actors spawned in this system that have not yet ended. */
  readonly liveActors: number
  /** Dead letters published since the system started. */
  readonly deadLetterCount: number
}

/**
 * The service key of the actor system.
 *
 * @category services
 * @since 0.1.0
 */
export class ActorSystem extends Context.Service<ActorSystem, ActorSystemService>()("@arbor/core/ActorSystem") {}

/**
 * A layer that builds a fresh actor system. Each time it is built — for instance once per
 * test — it makes a new, independent world: ids start at 1, no dead letters, no actors.
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
export const layer: Layer.Layer<ActorSystem> = Layer.effect(
  ActorSystem,
  Effect.map(
    Effect.zip(PubSub.unbounded<DeadLetter>(), Effect.context<never>()),
    ([hub, services]) => new SystemState(hub, services)
  )
)

/** @internal */
export const state: Effect.Effect<SystemState, never, ActorSystem> = ActorSystem.useSync((s) => s as SystemState)

/**
 * Subscribes to the system's dead letters: messages that could not be delivered (recipient,
 * message, why). The subscription lives as long as the enclosing scope; take from it with
 * `PubSub.take`.
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
export const deadLetters: Effect.Effect<PubSub.Subscription<DeadLetter>, never, ActorSystem | Scope.Scope> = Effect
  .flatMap(state, (s) => PubSub.subscribe(s.deadLetters))

/**
 * Publishes a dead letter for a message that a transport held on behalf of `letter.recipient`
 * and can no longer deliver (for example a message forwarded to a worker thread that died
 * before taking it). Actors never need this: the runtime publishes their dead letters itself.
 *
 * @category dead letters
 * @since 0.1.0
 */
export const publishDeadLetter = (letter: DeadLetter): Effect.Effect<void, never, ActorSystem> =>
  Effect.map(state, (s) => s.publishDeadLetter(letter))
