/**
 * Names and groups for actors: a `Registry` service provided by a `Layer`.
 *
 * - **Typed keys.** A key carries its actor's protocol (and the type of the metadata stored
 *   with each registration), so a lookup returns an `ActorRef` of that protocol with no cast.
 *   The key's name string is its identity: define each key once and share it.
 * - **Unique names.** {@link register}, {@link unregister}, {@link lookup}. A taken name fails
 *   with {@link AlreadyRegistered}, which names the holder.
 * - **Released atomically on exit.** A name (and every group membership) is released inside
 *   the actor's death, before any monitor of that actor resumes: once an exit is observable,
 *   no lookup returns the dead ref, and the name can be taken again.
 * - **Naming at spawn.** {@link spawn} starts an actor and registers it in the same step, before
 *   anyone else holds its ref. Used as a supervisor child's `start`, every restart registers the
 *   new incarnation before it can receive a message from anyone else. {@link await} waits for a
 *   name to be (re)registered.
 * - **Groups.** {@link join}, {@link leave}, {@link members}, {@link broadcast}; members leave
 *   automatically when they exit. Joining twice is idempotent.
 * - **A change stream**: {@link changes}, including removals caused by crashes.
 *
 * Two registries share nothing: each `Registry.layer` builds a fresh one, and closing its scope
 * drops everything it held.
 *
 * @example
 * ```ts
 * import { Actor, ActorRef, ActorSystem } from "@arbor/core"
 * import { Registry } from "@arbor/registry"
 * import { Effect, Layer, Option } from "effect"
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
 * const CounterName = Registry.key<CounterMsg>()("counter")
 *
 * const program = Effect.gen(function*() {
 *   yield* Registry.spawn(CounterName, Counter)
 *   const counter = yield* Registry.lookup(CounterName) // Option<ActorRef<CounterMsg>>
 *   if (Option.isNone(counter)) return 0
 *   yield* ActorRef.tell(counter.value, { _tag: "Increment", by: 2 })
 *   return yield* ActorRef.ask(counter.value, { _tag: "Get" }) // number
 * }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(ActorSystem.layer, Registry.layer)))
 *
 * Effect.runPromise(program).then(console.log) // 2
 * ```
 *
 * @module
 * @since 0.1.0
 */
import { Actor, ActorRef, Durations, Errors } from "@arbor/core"
import type { ActorSystem, ExitReason } from "@arbor/core"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { RegistryState } from "./internal/state.ts"
import type { AnyRef, Change } from "./internal/state.ts"

// -----------------------------------------------------------------------------------------
// keys
// -----------------------------------------------------------------------------------------

const KeyTypeId = "~@arbor/registry/Key" as const
const GroupKeyTypeId = "~@arbor/registry/GroupKey" as const

/**
 * The name of a unique registration, typed with the protocol `Msg` of the actor it names and
 * the type `Meta` of the metadata stored with it.
 *
 * Build one with {@link key}.
 *
 * @category keys
 * @since 0.1.0
 */
export interface Key<in out Msg, in out Meta = undefined> {
  /** @internal */
  readonly [KeyTypeId]: { readonly _Msg: (_: Msg) => Msg; readonly _Meta: (_: Meta) => Meta }
  /** Tells a key from a group key. */
  readonly _tag: "Key"
  /** The name: the key's identity within a registry. */
  readonly name: string
}

/**
 * The name of a group, typed with the protocol `Msg` its members share and the type `Meta` of
 * the metadata stored with each membership.
 *
 * Build one with {@link group}. Groups and unique names live in separate namespaces.
 *
 * @category keys
 * @since 0.1.0
 */
export interface GroupKey<in out Msg, in out Meta = undefined> {
  /** @internal */
  readonly [GroupKeyTypeId]: { readonly _Msg: (_: Msg) => Msg; readonly _Meta: (_: Meta) => Meta }
  /** Tells a group key from a key. */
  readonly _tag: "GroupKey"
  /** The group's name: its identity within a registry. */
  readonly name: string
}

const variance = { _Msg: (_: never) => _, _Meta: (_: never) => _ }

const checkName = (name: unknown, what: string): string => {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`${what} name must be a non-empty string (got ${String(name)})`)
  }
  return name
}

/**
 * Defines a key for a unique name.
 *
 * Call it twice — `key<Msg>()("name")` — so the protocol is given explicitly; add a second type
 * argument to store typed metadata with each registration. Throws a `TypeError` if the name is not
 * a non-empty string.
 *
 * Keys compare by name: two keys with the same name denote the same registration, so define
 * each key once (next to its protocol) and share it.
 *
 * @example
 * ```ts
 * import type { Actor } from "@arbor/core"
 * import { Registry } from "@arbor/registry"
 *
 * type CacheMsg = Actor.Request<{ readonly _tag: "Get"; readonly key: string }, string | undefined>
 *
 * const Cache = Registry.key<CacheMsg>()("cache")
 * const Shard = Registry.key<CacheMsg, { readonly shard: number }>()("cache-shard-0")
 * ```
 *
 * @category keys
 * @since 0.1.0
 */
export const key = <Msg, Meta = undefined>() => (name: string): Key<Msg, Meta> =>
  Object.freeze({
    [KeyTypeId]: variance,
    _tag: "Key",
    name: checkName(name, "registry key"),
    toString: () => `Registry.Key(${name})`
  }) as unknown as Key<Msg, Meta>

/**
 * Defines a key for a group (Erlang's `pg`, Elixir's duplicate keys).
 *
 * Call it twice — `group<Msg>()("name")`. Throws a `TypeError` if the name is not a non-empty
 * string.
 *
 * @example
 * ```ts
 * import { Registry } from "@arbor/registry"
 *
 * type ListenerMsg = { readonly _tag: "Notify"; readonly text: string }
 *
 * const Listeners = Registry.group<ListenerMsg>()("listeners")
 * ```
 *
 * @category keys
 * @since 0.1.0
 */
export const group = <Msg, Meta = undefined>() => (name: string): GroupKey<Msg, Meta> =>
  Object.freeze({
    [GroupKeyTypeId]: variance,
    _tag: "GroupKey",
    name: checkName(name, "registry group"),
    toString: () => `Registry.GroupKey(${name})`
  }) as unknown as GroupKey<Msg, Meta>

/**
 * The metadata argument of an operation on a key with metadata type `Meta`.
 *
 * The metadata argument of an operation on a key with metadata type `Meta`: optional when
 * `Meta` admits `undefined` (the default), required otherwise.
 *
 * @category models
 * @since 0.1.0
 */
export type MetadataArg<Meta> = undefined extends Meta ? [metadata?: Meta] : [metadata: Meta]

// -----------------------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------------------

/**
 * The name is already registered to a live actor, `holder` (Elixir's
 * `{:error, {:already_registered, pid}}`).
 *
 * Registering a name to the actor that already holds it fails the same way.
 *
 * @category errors
 * @since 0.1.0
 */
export class AlreadyRegistered extends Data.TaggedError("AlreadyRegistered")<{
  /** The name that was asked for. */
  readonly name: string
  /** The live actor that holds it. */
  readonly holder: ActorRef.ActorRef<never>
}> {
  /** Names the name and its holder. */
  override get message(): string {
    return `the name "${this.name}" is already registered to ${String(this.holder)}`
  }
}

/**
 * {@link await} gave up: no live actor registered the name within `timeout`.
 *
 * @category errors
 * @since 0.1.0
 */
export class AwaitTimeout extends Data.TaggedError("AwaitTimeout")<{
  /** The name that was awaited. */
  readonly name: string
  /** How long {@link await} waited. */
  readonly timeout: Duration.Duration
}> {
  /** Names the name and the timeout. */
  override get message(): string {
    return `the name "${this.name}" was not registered within ${this.timeout.toString()}`
  }
}

// -----------------------------------------------------------------------------------------
// events
// -----------------------------------------------------------------------------------------

/**
 * Why a registration or a membership ended.
 *
 * Why a registration or a membership ended: removed by a call (`Explicit`), or released
 * because the actor ended (`Exited`, with its exit reason — crashes included).
 *
 * @category events
 * @since 0.1.0
 */
export type Removal =
  | {
    /** Removed by {@link unregister} or {@link leave}. */
    readonly _tag: "Explicit"
  }
  | {
    /** Released because the actor ended. */
    readonly _tag: "Exited"
    /** How the actor ended. */
    readonly reason: ExitReason.ExitReason
  }

/**
 * A name was registered.
 *
 * @category events
 * @since 0.1.0
 */
export interface Registered {
  /** The event's kind. */
  readonly _tag: "Registered"
  /** The name. */
  readonly name: string
  /** The actor now holding it. */
  readonly ref: ActorRef.ActorRef<never>
  /** The metadata given at registration. */
  readonly metadata: unknown
}

/**
 * A name was released: by {@link unregister} (`cause._tag === "Explicit"`) or because its
 * holder ended (`"Exited"`).
 *
 * @category events
 * @since 0.1.0
 */
export interface Unregistered {
  /** The event's kind. */
  readonly _tag: "Unregistered"
  /** The name. */
  readonly name: string
  /** The actor that held it. */
  readonly ref: ActorRef.ActorRef<never>
  /** The metadata given at registration. */
  readonly metadata: unknown
  /** Removed by a call, or released because the actor ended. */
  readonly cause: Removal
}

/**
 * An actor joined a group.
 *
 * @category events
 * @since 0.1.0
 */
export interface Joined {
  /** The event's kind. */
  readonly _tag: "Joined"
  /** The group's name. */
  readonly group: string
  /** The new member. */
  readonly ref: ActorRef.ActorRef<never>
  /** The metadata given when it joined. */
  readonly metadata: unknown
}

/**
 * An actor left a group: by {@link leave} (`cause._tag === "Explicit"`) or because it ended
 * (`"Exited"`).
 *
 * @category events
 * @since 0.1.0
 */
export interface Left {
  /** The event's kind. */
  readonly _tag: "Left"
  /** The group's name. */
  readonly group: string
  /** The former member. */
  readonly ref: ActorRef.ActorRef<never>
  /** The metadata given when it joined. */
  readonly metadata: unknown
  /** Removed by a call, or released because the actor ended. */
  readonly cause: Removal
}

/**
 * A change in a registry, as seen by {@link changes}.
 *
 * When an actor ends, the release of each of its names (`Unregistered`) comes before the release of
 * each of its memberships (`Left`).
 *
 * @category events
 * @since 0.1.0
 */
export type RegistryEvent = Registered | Unregistered | Joined | Left

// -----------------------------------------------------------------------------------------
// the service
// -----------------------------------------------------------------------------------------

/**
 * What a registry does: the untyped operations this module's typed functions call.
 *
 * What a registry does, on names as strings and refs of any protocol: the operations this
 * module's typed functions call (they add the keys' types, {@link spawn}'s naming at spawn,
 * {@link await}'s timeout and {@link broadcast}).
 *
 * {@link layer} provides the built-in, in-process implementation ({@link make}); another
 * implementation — a cluster-wide registry, a test double, a recording wrapper — is another `Layer`
 * of {@link Registry}.
 *
 * An implementation keeps the contract this module documents: names and memberships are
 * released when their actor ends, a lookup never returns an actor whose exit was observed, and
 * {@link changes} reports every change.
 *
 * @example
 * ```ts
 * import { Registry } from "@arbor/registry"
 * import { Effect, Layer } from "effect"
 *
 * // a registry that logs every registration, delegating everything to the built-in one
 * const logging = Layer.effect(
 *   Registry.Registry,
 *   Effect.map(Registry.make, (base) =>
 *     Registry.Registry.of({
 *       ...base,
 *       register: (name, ref, metadata) =>
 *         Effect.andThen(Effect.log(`register ${name}`), base.register(name, ref, metadata))
 *     }))
 * )
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface RegistryService {
  /** Registers `ref` under `name` (see {@link register}). */
  readonly register: (
    name: string,
    ref: ActorRef.ActorRef<never>,
    metadata: unknown
  ) => Effect.Effect<void, AlreadyRegistered | Errors.ActorNotAlive>
  /** Releases `name`, only if `ref` holds it when `ref` is given (see {@link unregister}). */
  readonly unregister: (name: string, ref: ActorRef.ActorRef<never> | undefined) => Effect.Effect<boolean>
  /** The live holder of `name` and its metadata (see {@link lookupEntry}). */
  readonly lookup: (name: string) => Effect.Effect<Option.Option<Registration<never, unknown>>>
  /** Waits, however long it takes, until a live actor holds `name` (see {@link await}). */
  readonly await: (name: string) => Effect.Effect<ActorRef.ActorRef<never>>
  /** Adds `ref` to `group` (see {@link join}). */
  readonly join: (group: string, ref: ActorRef.ActorRef<never>, metadata: unknown) => Effect.Effect<boolean, Errors.ActorNotAlive>
  /** Removes `ref` from `group` (see {@link leave}). */
  readonly leave: (group: string, ref: ActorRef.ActorRef<never>) => Effect.Effect<boolean>
  /** The live members of `group` with their metadata, in join order (see {@link memberships}). */
  readonly members: (group: string) => Effect.Effect<ReadonlyArray<Membership<never, unknown>>>
  /** Subscribes to the registry's changes (see {@link changes}). */
  readonly changes: Effect.Effect<Stream.Stream<RegistryEvent>, never, Scope.Scope>
  /** Counters, for diagnostics and tests. */
  readonly stats: Effect.Effect<Stats>
}

/**
 * A registry's counters, as read by `RegistryService.stats`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Stats {
  /** Names currently registered. */
  readonly names: number
  /** Groups with at least one member. */
  readonly groups: number
  /** Actors the registry holds an exit hook on (those with a name or a membership). */
  readonly watched: number
}

/**
 * The service key of the registry.
 *
 * @category services
 * @since 0.1.0
 */
export class Registry extends Context.Service<Registry, RegistryService>()("@arbor/registry/Registry") {}

/**
 * Builds the built-in, in-process registry, empty.
 *
 * Builds the built-in, in-process registry, empty; closing the enclosing scope drops every
 * name, membership and exit hook it held (the actors keep running) and ends every
 * {@link changes} stream.
 *
 * {@link layer} is this as a `Layer`; use `make` directly to build an implementation that delegates
 * to the built-in one.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make: Effect.Effect<RegistryService, never, Scope.Scope> = Effect.gen(function*() {
  const hub = yield* PubSub.unbounded<Change>()
  const state = new RegistryState(hub)
  yield* Effect.addFinalizer(() => Effect.sync(() => state.close()).pipe(Effect.andThen(PubSub.shutdown(hub))))
  const service: RegistryService = {
    register: (name, ref, metadata) =>
      Effect.suspend((): Effect.Effect<void, AlreadyRegistered | Errors.ActorNotAlive> => {
        const result = state.register(name, ref, metadata)
        if (result === undefined) return Effect.void
        if (result === "NotAlive") return Effect.fail(notAlive(ref))
        return Effect.fail(new AlreadyRegistered({ name, holder: result.ref }))
      }),
    unregister: (name, ref) => Effect.sync(() => state.unregister(name, ref)),
    lookup: (name) =>
      Effect.sync(() => {
        const entry = state.lookup(name)
        return entry === undefined ? Option.none() : Option.some(entry)
      }),
    await: (name) => awaitLive(state, name),
    join: (group, ref, metadata) =>
      Effect.suspend((): Effect.Effect<boolean, Errors.ActorNotAlive> => {
        const result = state.join(group, ref, metadata)
        return result === "NotAlive" ? Effect.fail(notAlive(ref)) : Effect.succeed(result)
      }),
    leave: (group, ref) => Effect.sync(() => state.leave(group, ref)),
    members: (group) => Effect.sync(() => state.members(group).map(([ref, metadata]) => ({ ref, metadata }))),
    changes: Effect.map(PubSub.subscribe(hub), (sub) => Stream.fromSubscription(sub) as Stream.Stream<RegistryEvent>),
    stats: Effect.sync(() => ({ names: state.names, groups: state.groups, watched: state.watched }))
  }
  builtins.set(service, state)
  return service
})

/** The states of the built-in registries, by service: {@link await}'s direct path (a wrapper has its own object). */
const builtins = new WeakMap<RegistryService, RegistryState>()

/**
 * A layer that builds a fresh, empty registry ({@link make}).
 *
 * Closing the layer's scope drops every name, membership and exit hook it held (the actors keep
 * running), and ends every {@link changes} stream.
 *
 * Effect builds one layer value once per program (layers are memoized), so providing
 * `Registry.layer` twice in one program shares one registry; provide
 * `Layer.fresh(Registry.layer)` for an independent one.
 *
 * @example
 * ```ts
 * import { ActorSystem } from "@arbor/core"
 * import { Registry } from "@arbor/registry"
 * import { Effect, Layer } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   // spawn, register, look up...
 * }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(ActorSystem.layer, Registry.layer)))
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<Registry> = Layer.effect(Registry, make)

const asRef = <Msg>(ref: AnyRef): ActorRef.ActorRef<Msg> => ref as unknown as ActorRef.ActorRef<Msg>

const notAlive = (ref: AnyRef) => new Errors.ActorNotAlive({ actor: { id: ref.id, label: ref.label } })

// -----------------------------------------------------------------------------------------
// unique names
// -----------------------------------------------------------------------------------------

/**
 * Registers `ref` under `key`, with optional metadata (required when the key's metadata type
 * does not admit `undefined`).
 *
 * The name is released when the actor ends, or by {@link unregister}.
 *
 * - fails with {@link AlreadyRegistered} (naming the holder) if a live actor holds the name —
 *   including `ref` itself;
 * - fails with `ActorNotAlive` if `ref` has already ended;
 * - one actor may hold several names.
 *
 * To name an actor from its first message on (and on every restart), prefer {@link spawn}.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 * import { Registry } from "@arbor/registry"
 * import { Effect } from "effect"
 *
 * type LoggerMsg = { readonly _tag: "Log"; readonly line: string }
 * const Logger = Registry.key<LoggerMsg, { readonly level: string }>()("logger")
 * declare const logger: ActorRef.ActorRef<LoggerMsg>
 *
 * const program = Registry.register(Logger, logger, { level: "info" }).pipe(
 *   Effect.catchTag("AlreadyRegistered", (e) => Effect.log(`taken by ${e.holder}`))
 * )
 * ```
 *
 * @category names
 * @since 0.1.0
 */
export const register = <Msg, Meta>(
  key: Key<Msg, Meta>,
  ref: ActorRef.ActorRef<NoInfer<Msg>>,
  ...metadata: MetadataArg<Meta>
): Effect.Effect<void, AlreadyRegistered | Errors.ActorNotAlive, Registry> =>
  Registry.use((registry) => registry.register(key.name, ref as unknown as AnyRef, metadata[0]))

/**
 * Releases a name.
 *
 * With `ref`, releases it only if `ref` still holds it — so an old incarnation's cleanup cannot
 * release the name of its successor. Completes with `true` if this call released the name, `false`
 * if it was not registered (or held by another actor, or already being released because its holder
 * ended).
 *
 * @example
 * ```ts
 * import { Registry } from "@arbor/registry"
 *
 * const Worker = Registry.key<{ readonly _tag: "Work" }>()("worker")
 * const release = Registry.unregister(Worker) // Effect<boolean, never, Registry>
 * ```
 *
 * @category names
 * @since 0.1.0
 */
export const unregister = <Msg, Meta>(
  key: Key<Msg, Meta>,
  ref?: ActorRef.ActorRef<NoInfer<Msg>>
): Effect.Effect<boolean, never, Registry> =>
  Registry.use((registry) => registry.unregister(key.name, ref as unknown as AnyRef | undefined))

/**
 * Looks a name up: `Option.some` of the live actor that holds it, typed by the key;
 * `Option.none` if the name is free.
 *
 * Never returns an actor whose exit has been observed (by a monitor, a supervisor, or the change
 * stream).
 *
 * A ref names one incarnation: after a restart, look the name up again (or use {@link await}).
 *
 * @example
 * ```ts
 * import { Actor, ActorRef } from "@arbor/core"
 * import { Registry } from "@arbor/registry"
 * import { Effect, Option } from "effect"
 *
 * type CounterMsg = Actor.Request<{ readonly _tag: "Get" }, number>
 * const Counter = Registry.key<CounterMsg>()("counter")
 *
 * const current = Effect.gen(function*() {
 *   const counter = yield* Registry.lookup(Counter) // Option<ActorRef<CounterMsg>>
 *   return Option.isSome(counter) ? yield* ActorRef.ask(counter.value, { _tag: "Get" }) : 0
 * })
 * ```
 *
 * @category names
 * @since 0.1.0
 */
export const lookup = <Msg, Meta>(key: Key<Msg, Meta>): Effect.Effect<Option.Option<ActorRef.ActorRef<Msg>>, never, Registry> =>
  Registry.use((registry) =>
    Effect.map(registry.lookup(key.name), Option.map((entry) => asRef<Msg>(entry.ref)))
  )

/**
 * A registration as returned by {@link lookupEntry}: the holder and its metadata.
 *
 * @category models
 * @since 0.1.0
 */
export interface Registration<Msg, Meta> {
  /** The name. */
  readonly name: string
  /** The live actor holding it. */
  readonly ref: ActorRef.ActorRef<Msg>
  /** The metadata given at registration. */
  readonly metadata: Meta
}

/**
 * Like {@link lookup}, with the metadata stored at registration.
 *
 * @example
 * ```ts
 * import { Registry } from "@arbor/registry"
 * import { Effect, Option } from "effect"
 *
 * const Shard = Registry.key<{ readonly _tag: "Put" }, { readonly range: string }>()("shard-1")
 *
 * const range = Registry.lookupEntry(Shard).pipe(
 *   Effect.map(Option.map((entry) => entry.metadata.range))
 * )
 * ```
 *
 * @category names
 * @since 0.1.0
 */
export const lookupEntry = <Msg, Meta>(
  key: Key<Msg, Meta>
): Effect.Effect<Option.Option<Registration<Msg, Meta>>, never, Registry> =>
  Registry.use((registry) =>
    Effect.map(
      registry.lookup(key.name),
      Option.map((entry) => ({ name: entry.name, ref: asRef<Msg>(entry.ref), metadata: entry.metadata as Meta }))
    )
  )

const awaitLive = (state: RegistryState, name: string): Effect.Effect<AnyRef> =>
  Effect.suspend(() => {
    const entry = state.lookup(name)
    if (entry !== undefined) return Effect.succeed(entry.ref)
    return Effect.callback<AnyRef>((resume) => {
      const cancel = state.addWaiter(name, (ref) => resume(Effect.succeed(ref)))
      return Effect.sync(cancel)
    }).pipe(
      // the actor may have ended between its registration and this fiber resuming
      Effect.flatMap((ref) => ActorRef.isAliveUnsafe(ref) ? Effect.succeed(ref) : awaitLive(state, name))
    )
  })

/**
 * Waits until a live actor holds the name and returns it — at once if one does.
 *
 * Use it after a crash to get the restarted incarnation. Fails with {@link AwaitTimeout} when `timeout`
 * (read from the `Clock`, so `TestClock` drives it) elapses first; `"infinity"` waits forever.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 * import { Registry } from "@arbor/registry"
 * import { Effect } from "effect"
 *
 * type WorkerMsg = { readonly _tag: "Work" }
 * const Worker = Registry.key<WorkerMsg>()("worker")
 *
 * const afterRestart = Effect.gen(function*() {
 *   const worker = yield* Registry.await(Worker, "5 seconds") // ActorRef<WorkerMsg>
 *   yield* ActorRef.tell(worker, { _tag: "Work" })
 * })
 * ```
 *
 * @category names
 * @since 0.1.0
 */
const awaitName = <Msg, Meta>(
  key: Key<Msg, Meta>,
  timeout: Duration.Input | "infinity"
): Effect.Effect<ActorRef.ActorRef<Msg>, AwaitTimeout, Registry> =>
  Registry.use((registry) => {
    const name = key.name
    if (timeout === "infinity") return registry.await(name) as Effect.Effect<ActorRef.ActorRef<Msg>>
    const duration = decodeTimeout(timeout)
    if (duration === undefined) {
      return Effect.die(new TypeError(`invalid timeout for Registry.await: ${String(timeout)}`))
    }
    if (!Duration.isFinite(duration)) return registry.await(name) as Effect.Effect<ActorRef.ActorRef<Msg>>
    const state = builtins.get(registry)
    if (state !== undefined) return awaitWithin(state, name, duration) as Effect.Effect<ActorRef.ActorRef<Msg>, AwaitTimeout>
    return Effect.timeoutOrElse(registry.await(name) as Effect.Effect<ActorRef.ActorRef<Msg>>, {
      duration,
      orElse: () => Effect.fail(new AwaitTimeout({ name, timeout: duration }))
    })
  })

/** Timeouts given as strings, decoded once each (a program passes the same few literals over and over). */
const decodedTimeouts = new Map<string, Duration.Duration | undefined>()

const decodeTimeout = (timeout: unknown): Duration.Duration | undefined => {
  if (typeof timeout !== "string") return Durations.decode(timeout)
  const known = decodedTimeouts.get(timeout)
  if (known !== undefined || decodedTimeouts.has(timeout)) return known
  if (decodedTimeouts.size >= 64) decodedTimeouts.clear()
  const decoded = Durations.decode(timeout)
  decodedTimeouts.set(timeout, decoded)
  return decoded
}

/** `setTimeout` cannot wait longer than this. */
const MAX_TIMER_MILLIS = 2 ** 31 - 1

let liveClock: Clock.Clock | undefined
/** `true` for Effect's default clock (real time, whose sleeps are `setTimeout`). */
const isLiveClock = (clock: Clock.Clock): boolean => {
  liveClock ??= Effect.runSync(Clock.clockWith((c) => Effect.succeed(c)))
  return clock === liveClock || clock.constructor === liveClock.constructor
}

/**
 * {@link await} on the built-in registry with a finite timeout: the live holder at once when
 * there is one (no timer at all); else a waiter and, on the live clock, one Node timer for the
 * deadline (no racing fiber); on any other clock (`TestClock`, a custom one) Effect's own
 * timeout, so virtual time drives it.
 */
const awaitWithin = (state: RegistryState, name: string, duration: Duration.Duration): Effect.Effect<AnyRef, AwaitTimeout> =>
  Effect.suspend(() => {
    const entry = state.lookup(name)
    if (entry !== undefined) return Effect.succeed(entry.ref)
    return Effect.withFiber((fiber) => {
      const millis = Duration.toMillis(duration)
      if (millis > MAX_TIMER_MILLIS || !isLiveClock(fiber.getRef(Clock.Clock))) {
        return Effect.timeoutOrElse(awaitLive(state, name), {
          duration,
          orElse: () => Effect.fail(new AwaitTimeout({ name, timeout: duration }))
        })
      }
      return awaitUntil(state, name, duration, performance.now() + millis)
    })
  })

/** Waits for a live holder of `name` until `deadline` (`performance.now()` milliseconds). */
const awaitUntil = (
  state: RegistryState,
  name: string,
  duration: Duration.Duration,
  deadline: number
): Effect.Effect<AnyRef, AwaitTimeout> =>
  Effect.callback<AnyRef, AwaitTimeout>((resume) => {
    let cancel: () => void = () => {}
    const timer = setTimeout(() => {
      cancel()
      resume(Effect.fail(new AwaitTimeout({ name, timeout: duration })))
    }, Math.max(0, Math.ceil(deadline - performance.now())))
    cancel = state.addWaiter(name, (ref) => {
      clearTimeout(timer)
      resume(Effect.succeed(ref))
    })
    return Effect.sync(() => {
      clearTimeout(timer)
      cancel()
    })
  }).pipe(
    // the actor may have ended between its registration and this fiber resuming
    Effect.flatMap((ref) => ActorRef.isAliveUnsafe(ref) ? Effect.succeed(ref) : awaitUntil(state, name, duration, deadline))
  )

export { awaitName as await }

/**
 * Options of {@link spawn}: `Actor.spawn`'s options and the registration's metadata.
 *
 * Options of {@link spawn}: `Actor.spawn`'s options, plus the registration's metadata
 * (required when the key's metadata type does not admit `undefined`).
 *
 * The label defaults to the key's name.
 *
 * @category spawning
 * @since 0.1.0
 */
export type SpawnOptions<Meta> = Actor.SpawnOptions &
  (undefined extends Meta ? {
      /** The registration's metadata. */
      readonly metadata?: Meta
    }
    : {
      /** The registration's metadata. */
      readonly metadata: Meta
    })

/**
 * The options argument of {@link spawn}: optional when the key needs no metadata.
 *
 * @category spawning
 * @since 0.1.0
 */
export type SpawnArgs<Meta> = undefined extends Meta ? [options?: SpawnOptions<Meta>] : [options: SpawnOptions<Meta>]

/**
 * Spawns an actor and registers it under `key` in the same step.
 *
 * Spawns an actor (as `Actor.spawn`, into the current scope) and registers it under `key` in
 * the same step, before its ref is returned: nobody else can send it a message while it is
 * unnamed.
 *
 * This is the `start` of a named supervisor child — each restart registers the new incarnation
 * before the supervisor (or anyone else) sees it.
 *
 * Fails with {@link AlreadyRegistered} if a live actor holds the name: checked before
 * spawning (nothing is started), and again after `init` (a registration that won the race
 * during `init` wins: the new actor is stopped, then the spawn fails). Fails with `init`'s
 * error or the options' errors as `Actor.spawn` does.
 *
 * @example
 * ```ts
 * import { Actor, ActorSystem } from "@arbor/core"
 * import { Registry } from "@arbor/registry"
 * import { Effect, Layer } from "effect"
 *
 * type PingMsg = Actor.Request<{ readonly _tag: "Ping" }, "pong">
 * const Pinger = Actor.make<PingMsg>()({
 *   init: () => Effect.succeed(undefined),
 *   receive: { Ping: (s) => Actor.reply("pong" as const, s) }
 * })
 * const PingerName = Registry.key<PingMsg, { readonly zone: string }>()("pinger")
 *
 * const program = Effect.gen(function*() {
 *   const pinger = yield* Registry.spawn(PingerName, Pinger, { metadata: { zone: "eu" } })
 *   // as a supervisor child: Child.worker({ id: "pinger", start: Registry.spawn(PingerName, Pinger, ...) })
 *   return pinger
 * }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(ActorSystem.layer, Registry.layer)))
 * ```
 *
 * @category spawning
 * @since 0.1.0
 */
export const spawn = <Msg, Meta, IE, R>(
  key: Key<Msg, Meta>,
  behavior: Actor.Behavior<NoInfer<Msg>, IE, R>,
  ...options: SpawnArgs<Meta>
): Effect.Effect<
  ActorRef.ActorRef<Msg>,
  IE | Errors.InvalidActorOptions | Errors.StartTimeout | AlreadyRegistered,
  Scope.Scope | ActorSystem.ActorSystem | Registry | Exclude<R, Scope.Scope>
> =>
  Effect.suspend(() => {
    const given = options[0] as (Actor.SpawnOptions & { readonly metadata?: unknown }) | undefined
    const spawnOptions: Actor.SpawnOptions = given === undefined ? { label: key.name } : { label: key.name, ...given }
    return named(key, Actor.spawn(behavior as Actor.Behavior<Msg, IE, R>, spawnOptions), ...([given?.metadata] as MetadataArg<Meta>))
  })

/**
 * Registers what `start` returns under `key` in the same step.
 *
 * Registers what `start` returns under `key`, in the same step, before the ref is handed on:
 * the naming of {@link spawn} for any start effect (a supervisor's `start`, a nested
 * supervisor, a worker actor).
 *
 * A supervisor child or a `Supervisor.start` given a `name` uses it, so every restart registers the
 * new incarnation before anyone else receives it.
 *
 * Fails with {@link AlreadyRegistered} if a live actor holds the name: checked before `start`
 * runs (nothing is started), and again once it returned (a registration that won the race
 * meanwhile wins: the new actor is stopped, then this fails). A result that is not an
 * `ActorRef` (a supervisor child's `Child.ignore`) is passed on unregistered.
 *
 * @example
 * ```ts
 * import { Actor, ActorSystem } from "@arbor/core"
 * import { Registry } from "@arbor/registry"
 * import { Effect, Layer } from "effect"
 *
 * type PingMsg = Actor.Request<{ readonly _tag: "Ping" }, "pong">
 * const Pinger = Actor.make<PingMsg>()({
 *   init: () => Effect.succeed(undefined),
 *   receive: { Ping: (s) => Actor.reply("pong" as const, s) }
 * })
 * const PingerName = Registry.key<PingMsg>()("pinger")
 *
 * const program = Registry.named(PingerName, Actor.spawn(Pinger)).pipe(
 *   Effect.scoped,
 *   Effect.provide(Layer.mergeAll(ActorSystem.layer, Registry.layer))
 * )
 * ```
 *
 * @category spawning
 * @since 0.1.0
 */
export const named = <Msg, Meta, A, E, R>(
  key: Key<Msg, Meta>,
  start: Effect.Effect<A, E, R>,
  ...metadata: MetadataArg<Meta>
): Effect.Effect<A, E | AlreadyRegistered, R | Registry> =>
  Registry.use((registry) => {
    const name = key.name
    const state = builtins.get(registry)
    if (state !== undefined) return namedIn(state, name, start, metadata[0])
    return Effect.flatMap(registry.lookup(name), (taken) => {
      if (Option.isSome(taken)) return Effect.fail(new AlreadyRegistered({ name, holder: taken.value.ref }))
      return Effect.flatMap(start, (value) => {
        if (!ActorRef.isActorRef(value)) return Effect.succeed(value)
        // registered in the same step as `start` returns, before anyone else holds the ref
        return registry.register(name, value as unknown as AnyRef, metadata[0]).pipe(
          Effect.as(value),
          Effect.catchTags({
            // it ended before anyone could reach it: there is nothing to name
            ActorNotAlive: () => Effect.succeed(value),
            // a registration won the race during the start: it wins, the new actor is stopped
            AlreadyRegistered: (e) => Effect.andThen(ActorRef.stop(value as ActorRef.ActorRef<unknown>), Effect.fail(e))
          })
        )
      })
    })
  })

/**
 * {@link named} on the built-in registry, reading and writing its tables directly (the same
 * steps as through the service, without an effect per step: a named child's every restart
 * goes through here).
 */
const namedIn = <A, E, R>(
  state: RegistryState,
  name: string,
  start: Effect.Effect<A, E, R>,
  metadata: unknown
): Effect.Effect<A, E | AlreadyRegistered, R> =>
  Effect.suspend(() => {
    const taken = state.lookup(name)
    if (taken !== undefined) return Effect.fail(new AlreadyRegistered({ name, holder: taken.ref }))
    return Effect.flatMap(start, (value): Effect.Effect<A, AlreadyRegistered> => {
      if (!ActorRef.isActorRef(value)) return Effect.succeed(value)
      // registered in the same step as `start` returns, before anyone else holds the ref
      const result = state.register(name, value as unknown as AnyRef, metadata)
      // `"NotAlive"`: it ended before anyone could reach it, there is nothing to name
      if (result === undefined || result === "NotAlive") return Effect.succeed(value)
      // a registration won the race during the start: it wins, the new actor is stopped
      const error = new AlreadyRegistered({ name, holder: result.ref })
      return Effect.andThen(ActorRef.stop(value as ActorRef.ActorRef<unknown>), Effect.fail(error))
    })
  })

/**
 * `true` if `u` is a registry {@link Key} (built with {@link key}).
 *
 * @category keys
 * @since 0.1.0
 */
export const isKey = (u: unknown): u is Key<unknown, unknown> =>
  typeof u === "object" && u !== null && KeyTypeId in u && (u as { readonly _tag?: unknown })._tag === "Key" &&
  typeof (u as { readonly name?: unknown }).name === "string"

// -----------------------------------------------------------------------------------------
// groups
// -----------------------------------------------------------------------------------------

/**
 * Adds `ref` to a group, with optional metadata (required when the group's metadata type does
 * not admit `undefined`).
 *
 * Completes with `true` if it joined, `false` if it already was a member: joining twice is
 * idempotent — the actor is listed once, keeps its first metadata, and one {@link leave} removes
 * it. Fails with `ActorNotAlive` if `ref` has already ended. The membership ends when the actor
 * ends.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 * import { Registry } from "@arbor/registry"
 *
 * type ListenerMsg = { readonly _tag: "Notify"; readonly text: string }
 * const Listeners = Registry.group<ListenerMsg>()("listeners")
 * declare const listener: ActorRef.ActorRef<ListenerMsg>
 *
 * const subscribe = Registry.join(Listeners, listener) // Effect<boolean, ActorNotAlive, Registry>
 * ```
 *
 * @category groups
 * @since 0.1.0
 */
export const join = <Msg, Meta>(
  group: GroupKey<Msg, Meta>,
  ref: ActorRef.ActorRef<NoInfer<Msg>>,
  ...metadata: MetadataArg<Meta>
): Effect.Effect<boolean, Errors.ActorNotAlive, Registry> =>
  Registry.use((registry) => registry.join(group.name, ref as unknown as AnyRef, metadata[0]))

/**
 * Removes `ref` from a group.
 *
 * Completes with `true` if it was a member.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 * import { Registry } from "@arbor/registry"
 *
 * type ListenerMsg = { readonly _tag: "Notify"; readonly text: string }
 * const Listeners = Registry.group<ListenerMsg>()("listeners")
 * declare const listener: ActorRef.ActorRef<ListenerMsg>
 *
 * const unsubscribe = Registry.leave(Listeners, listener) // Effect<boolean, never, Registry>
 * ```
 *
 * @category groups
 * @since 0.1.0
 */
export const leave = <Msg, Meta>(
  group: GroupKey<Msg, Meta>,
  ref: ActorRef.ActorRef<NoInfer<Msg>>
): Effect.Effect<boolean, never, Registry> =>
  Registry.use((registry) => registry.leave(group.name, ref as unknown as AnyRef))

/**
 * The live members of a group, in join order (empty if it has none).
 *
 * @example
 * ```ts
 * import { Registry } from "@arbor/registry"
 *
 * const Listeners = Registry.group<{ readonly _tag: "Notify"; readonly text: string }>()("listeners")
 * const listeners = Registry.members(Listeners) // Effect<ReadonlyArray<ActorRef<ListenerMsg>>>
 * ```
 *
 * @category groups
 * @since 0.1.0
 */
export const members = <Msg, Meta>(
  group: GroupKey<Msg, Meta>
): Effect.Effect<ReadonlyArray<ActorRef.ActorRef<Msg>>, never, Registry> =>
  Registry.use((registry) => Effect.map(registry.members(group.name), (all) => all.map((m) => asRef<Msg>(m.ref))))

/**
 * A group membership as returned by {@link memberships}: the member and its metadata.
 *
 * @category models
 * @since 0.1.0
 */
export interface Membership<Msg, Meta> {
  /** The live member. */
  readonly ref: ActorRef.ActorRef<Msg>
  /** The metadata given when it joined. */
  readonly metadata: Meta
}

/**
 * Like {@link members}, with the metadata stored when each member joined.
 *
 * @example
 * ```ts
 * import { Registry } from "@arbor/registry"
 * import { Effect } from "effect"
 *
 * const Replicas = Registry.group<{ readonly _tag: "Sync" }, { readonly region: string }>()("replicas")
 * const regions = Registry.memberships(Replicas).pipe(
 *   Effect.map((all) => all.map((m) => m.metadata.region))
 * )
 * ```
 *
 * @category groups
 * @since 0.1.0
 */
export const memberships = <Msg, Meta>(
  group: GroupKey<Msg, Meta>
): Effect.Effect<ReadonlyArray<Membership<Msg, Meta>>, never, Registry> =>
  Registry.use((registry) => registry.members(group.name) as Effect.Effect<ReadonlyArray<Membership<Msg, Meta>>>)

/**
 * Sends `msg` to every live member of a group and completes with how many it reached (whose
 * mailbox accepted it).
 *
 * The members are those at the time of the call, in join order; each send is `ActorRef.send`: it
 * waits for room in a full `"suspend"` mailbox, and a member that ended or whose bounded mailbox
 * refused the message is skipped (not counted). Never fails.
 *
 * @example
 * ```ts
 * import { Registry } from "@arbor/registry"
 *
 * type ListenerMsg = { readonly _tag: "Notify"; readonly text: string }
 * const Listeners = Registry.group<ListenerMsg>()("listeners")
 *
 * const notifyAll = Registry.broadcast(Listeners, { _tag: "Notify", text: "deploy done" }) // Effect<number>
 * ```
 *
 * @category groups
 * @since 0.1.0
 */
export const broadcast = <Msg, Meta>(
  group: GroupKey<Msg, Meta>,
  msg: NoInfer<Msg>
): Effect.Effect<number, never, Registry> =>
  Registry.use((registry) =>
    Effect.flatMap(registry.members(group.name), (targets) => {
      if (targets.length === 0) return Effect.succeed(0)
      let reached = 0
      return Effect.forEach(
        targets,
        ({ ref }) =>
          Effect.match(ActorRef.send(asRef<Msg>(ref), msg), {
            onFailure: () => {},
            onSuccess: () => {
              reached++
            }
          }),
        { discard: true }
      ).pipe(Effect.map(() => reached))
    })
  )

// -----------------------------------------------------------------------------------------
// changes
// -----------------------------------------------------------------------------------------

/**
 * Subscribes to the registry's changes and returns them as a `Stream`.
 *
 * The subscription is taken when this effect runs — every change after that point is in the stream,
 * even if the stream is run later — and lasts as long as the enclosing `Scope`. The stream ends
 * when the registry is closed.
 *
 * Removals caused by an actor's end (a crash included) appear as `Unregistered` / `Left` with
 * `cause: { _tag: "Exited", reason }`.
 *
 * @example
 * ```ts
 * import { Registry } from "@arbor/registry"
 * import { Effect, Stream } from "effect"
 *
 * const logCrashes = Effect.gen(function*() {
 *   const changes = yield* Registry.changes
 *   yield* changes.pipe(
 *     Stream.filter((e) => e._tag === "Unregistered" && e.cause._tag === "Exited"),
 *     Stream.runForEach((e) => Effect.log(`released after exit: ${e._tag}`)),
 *     Effect.forkScoped
 *   )
 * })
 * ```
 *
 * @category changes
 * @since 0.1.0
 */
export const changes: Effect.Effect<Stream.Stream<RegistryEvent>, never, Registry | Scope.Scope> = Registry.use((
  registry
) => registry.changes)
