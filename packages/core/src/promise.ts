/**
 * Arbor for code that is not written in Effect: an actor system driven with Promises.
 *
 * `makeSystem()` builds a fresh actor world (as `ActorSystem.layer` does) with a scope of
 * its own. Actors are defined with `Actor.make` as usual; `spawn`, `ask`, `stop`, `monitor`
 * return Promises, `tell` returns nothing. A Promise that fails rejects with the same tagged
 * error classes the Effect API fails with (`AskTimeout`, `ActorNotAlive`, `ActorExited`,
 * `MailboxFull`, `InvalidActorOptions`, `init`'s own error, …), so `error._tag` and
 * `instanceof` work as in Effect code. `close()` stops every actor spawned through the system
 * (newest first, each per its `shutdown` option) and releases the world.
 *
 * Supervision trees have the same facade in `@arbor/supervisor/promise` (`supervise`).
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { makeSystem } from "@arbor/core/promise"
 * import { Effect } from "effect"
 *
 * type CounterMsg =
 *   | { readonly _tag: "Increment"; readonly by: number }
 *   | Actor.Request<{ readonly _tag: "Get" }, number>
 *
 * const Counter = Actor.make<CounterMsg>()({
 *   init: () => Effect.succeed(0),
 *   receive: {
 *     Increment: (n, msg) => n + msg.by,
 *     Get: (n) => Actor.reply(n, n)
 *   }
 * })
 *
 * const system = makeSystem()
 * const counter = await system.spawn(Counter, { label: "counter" })
 * system.tell(counter, { _tag: "Increment", by: 2 })
 * console.log(await system.ask(counter, { _tag: "Get" })) // 2
 * await system.close()
 * ```
 *
 * @module @arbor/core/promise
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Scope from "effect/Scope"
import * as Actor from "./Actor.ts"
import type { ReplyFor, RequestsOf } from "./Actor.ts"
import * as ActorRef from "./ActorRef.ts"
import * as Core from "./ActorSystem.ts"
import type { ExitReason } from "./ExitReason.ts"

/**
 * A call on a system that was closed: nothing was started or sent.
 *
 * @category errors
 * @since 0.1.0
 */
export class SystemClosed extends Data.TaggedError("SystemClosed")<{
  /** The operation that was called (`spawn`, `ask`, `run`, …). */
  readonly operation: string
}> {
  /** A readable description naming the operation. */
  override get message(): string {
    return `${this.operation}: the actor system was closed`
  }
}

/**
 * An actor system driven with Promises; see the module documentation.
 *
 * `R` are the services the system's layer provides to actors (none by default).
 *
 * @category models
 * @since 0.1.0
 */
export interface PromiseSystem<R = never> {
  /**
   * Spawns an actor and resolves with its reference once `init` has completed; rejects with
   * `init`'s error, `InvalidActorOptions` or `StartTimeout`. The actor lives until it ends or
   * the system is closed.
   */
  readonly spawn: <Msg, IE>(behavior: Actor.Behavior<Msg, IE, R>, options?: Actor.SpawnOptions) => Promise<ActorRef.ActorRef<Msg>>
  /** Sends a message without waiting; never throws (an undeliverable message is a dead letter). */
  readonly tell: <Msg>(ref: ActorRef.ActorRef<Msg>, msg: NoInfer<Msg>) => void
  /**
   * Sends a request and resolves with its reply (typed from the request); rejects with
   * `ActorNotAlive`, `ActorExited`, `AskTimeout` (default 5 seconds) or `MailboxFull`.
   */
  readonly ask: <Msg, const M extends RequestsOf<Msg>>(
    ref: ActorRef.ActorRef<Msg>,
    msg: M,
    options?: ActorRef.AskOptions
  ) => Promise<ReplyFor<Msg, M>>
  /** Stops an actor gracefully (default reason `Shutdown`) and resolves with its exit reason. */
  readonly stop: <Msg>(ref: ActorRef.ActorRef<Msg>, reason?: ExitReason) => Promise<ExitReason>
  /** Resolves with the actor's exit reason when it ends (at once if it has). */
  readonly monitor: <Msg>(ref: ActorRef.ActorRef<Msg>) => Promise<ExitReason>
  /**
   * Runs any Effect in the system: with its services, and with its scope, so actors and
   * supervisors started there live until the system is closed. Rejects with the effect's error.
   */
  readonly run: <A, E>(effect: Effect.Effect<A, E, R | Core.ActorSystem | Scope.Scope>) => Promise<A>
  /** Actors of this system that have not ended. */
  readonly liveActors: () => number
  /**
   * Stops every actor started through the system (newest first, each per its `shutdown`
   * option) and releases the world. Later calls reject with `SystemClosed`; closing twice is a
   * no-op.
   */
  readonly close: () => Promise<void>
}

/**
 * Options of {@link makeSystem}.
 *
 * @category constructors
 * @since 0.1.0
 */
export interface SystemOptions<R> {
  /**
   * Services for the actors (a database client, a config, `Reports.layer(...)`): a layer built
   * once, before the actor system, which sees its services too.
   */
  readonly layer?: Layer.Layer<R, unknown>
}

/**
 * Builds a fresh actor system driven with Promises.
 *
 * Every call builds an independent world.
 *
 * @example
 * ```ts
 * import { makeSystem } from "@arbor/core/promise"
 * const system = makeSystem()
 * // ... system.spawn, system.ask ...
 * await system.close()
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeSystem = <R = never>(options?: SystemOptions<R>): PromiseSystem<R> => {
  // the user's layer is built first and also given to the actor system (e.g. `Reports.layer`)
  const layer = (options?.layer === undefined
    ? Core.layer
    : Layer.provideMerge(Core.layer, options.layer)) as Layer.Layer<R | Core.ActorSystem, unknown>
  const runtime = ManagedRuntime.make(layer)
  const scope = Scope.makeUnsafe()
  let closed: Promise<void> | undefined
  // the world's counters, read once the first call has built it (before that, no actor exists)
  let world: Core.ActorSystemService | undefined
  const capture = Core.ActorSystem.useSync((s) => {
    world = s
  })
  const run = <A, E>(operation: string, effect: Effect.Effect<A, E, R | Core.ActorSystem | Scope.Scope>): Promise<A> =>
    closed !== undefined
      ? Promise.reject(new SystemClosed({ operation }))
      : runtime.runPromise(
        Effect.andThen(world === undefined ? capture : Effect.void, Scope.provide(effect, scope)) as Effect.Effect<
          A,
          E,
          R | Core.ActorSystem
        >
      )
  return {
    spawn: (behavior, spawnOptions) => run("spawn", Actor.spawn(behavior, spawnOptions)),
    tell: (ref, msg) => ActorRef.tellUnsafe(ref, msg),
    ask: (ref, msg, askOptions) => run("ask", ActorRef.ask(ref, msg, askOptions)),
    stop: (ref, reason) => run("stop", ActorRef.stop(ref, reason)),
    monitor: (ref) => run("monitor", ActorRef.monitor(ref)),
    run: (effect) => run("run", effect),
    liveActors: () => (world === undefined ? 0 : Effect.runSync(world.liveActors)),
    close: () =>
      (closed ??= Effect.runPromise(Scope.close(scope, Exit.void)).then(() => runtime.dispose()))
  }
}
