/**
 * Child specs: how a supervisor starts, restarts and stops one child.
 *
 * Plain readonly data with documented defaults, validated once when the supervisor starts (or at
 * `startChild`), so a bad spec fails with `InvalidChildSpec` naming the child and the field before
 * anything starts.
 *
 * | field | default | meaning |
 * |---|---|---|
 * | `id` | required | unique among the supervisor's children |
 * | `start` | required | an Effect that spawns the child and returns its `ActorRef` (or `Child.ignore`) |
 * | `restart` | `"permanent"` | `"permanent"`: always restarted; `"transient"`: only after an abnormal exit (`Failure`, `Killed`); `"temporary"`: never, and its spec is dropped when it exits |
 * | `shutdown` | worker `"5 seconds"`, supervisor `"infinity"` | `"brutal"`: killed at once; a duration: asked to stop, killed when it has not ended in time; `"infinity"`: asked, and awaited |
 * | `type` | `"worker"` | `"supervisor"` for nested supervisors |
 * | `significant` | `false` | its own exit may shut the supervisor down (see `autoShutdown`); only for transient and temporary children |
 * | `name` | none | a `Registry` key: every incarnation is registered under it as it starts (as `Registry.spawn` does), so the name is re-taken on each restart; needs the `Registry` service (as does any spec whose type may carry a name) |
 *
 * **Typed handles.** A spec carries the type of what its `start` returns (`ActorRef<CounterMsg>`
 * for `start: Actor.spawn(Counter)`) and its id as a literal type, so a supervisor started with
 * it answers `Supervisor.childRef(sup, "counter")` with an `ActorRef<CounterMsg>`, and a
 * misspelt id does not compile.
 *
 * @module
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { ActorRef } from "@arbor/core"
import type { Registry } from "@arbor/registry"

/**
 * When a child is restarted: `"permanent"` always, `"transient"` only after an abnormal exit,
 * `"temporary"` never.
 *
 * @category models
 * @since 0.1.0
 */
export type RestartType = "permanent" | "transient" | "temporary"

/**
 * A worker or a nested supervisor.
 *
 * @category models
 * @since 0.1.0
 */
export type ChildType = "worker" | "supervisor"

/**
 * Where a child stands: running, restarting or not running.
 *
 * Where a child stands: `"running"` (an instance is alive), `"restarting"` (the supervisor is
 * restarting it: waiting for a backoff delay, or about to retry after a failed attempt) or
 * `"not_running"` (the spec is kept with no instance: its start returned `Child.ignore`, it was
 * terminated through the API, or it exited and was not restarted).
 *
 * @category models
 * @since 0.1.0
 */
export type ChildStatus = "running" | "restarting" | "not_running"

/**
 * How a child is stopped: brutal, infinity, or a timeout then a kill.
 *
 * How a child is stopped: `"brutal"` (killed at once, stop hook skipped), `"infinity"` (asked
 * to stop and awaited) or a duration (asked, then killed when it has not ended in time).
 *
 * @category models
 * @since 0.1.0
 */
export type Shutdown = "brutal" | "infinity" | Duration.Input

/**
 * What a start may return instead of a reference: "nothing to run, and that is not an error"
 * (OTP's `ignore`).
 *
 * A static child's spec is kept (not running); a temporary one is dropped.
 *
 * @category models
 * @since 0.1.0
 */
export interface Ignore {
  /** Always `"Ignore"`. */
  readonly _tag: "Ignore"
}

/**
 * The `Ignore` value.
 *
 * @category constructors
 * @since 0.1.0
 */
export const ignore: Ignore = Object.freeze({ _tag: "Ignore" as const })

/**
 * `true` if a start returned {@link ignore}.
 *
 * @category guards
 * @since 0.1.0
 */
export const isIgnore = (u: unknown): u is Ignore =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "Ignore"

/**
 * What a child's start may return: a reference, or {@link ignore}.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type StartResult = ActorRef.ActorRef<any> | Ignore

/**
 * The protocol of the actor a start returning `A` runs (`any` when it is not known).
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type MsgOf<A> = 0 extends (1 & A) ? any : A extends ActorRef.ActorRef<infer Msg> ? Msg : never

/**
 * The reference a start returning `A` gives when it starts a child (`A` without `Ignore`).
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type RefOf<A> = Exclude<A, Ignore>

/**
 * What `startChild` / `restartChild` succeed with for a start returning `A`.
 *
 * What `startChild` / `restartChild` succeed with for a start returning `A`: its reference,
 * or `undefined` when the start may return `Child.ignore`.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type Started<A> = Exclude<A, Ignore> | (Ignore extends A ? undefined : never)

/**
 * A child spec.
 *
 * `R`: the services its start needs; `A`: what its start returns (the child's `ActorRef` type, and
 * `Ignore` if it may ignore); `E`: how its start fails; `Id`: its id, as a literal type when
 * written as one; `N`: the type of its `name` — `never` when it definitely has none (what {@link
 * worker} gives without a `name`). A spec that may carry a name (the default `N`) needs the
 * `Registry` service (see {@link ServicesOf}). See the module documentation for the defaults.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildSpec<
  R = never,
  A extends StartResult = StartResult,
  E = unknown,
  Id extends string = string,
  N extends Registry.Key<any, undefined> = Registry.Key<MsgOf<A>, undefined>
> {
  /** Unique among the supervisor's children; names the child in the API, events and errors. */
  readonly id: Id
  /**
   * Spawns the child (in the scope the supervisor provides) and returns its reference, or
   * `Child.ignore`. Run again for every restart. Its failure is the child's start failure.
   * Runs inside the supervisor, whose own `Scope` it may use (the child is spawned into it).
   */
  readonly start: Effect.Effect<A, E, R | Scope.Scope>
  /** When to restart it. Default `"permanent"`. */
  readonly restart?: RestartType
  /** How to stop it. Default `"5 seconds"` for a worker, `"infinity"` for a supervisor. */
  readonly shutdown?: Shutdown
  /** Default `"worker"`. Nested supervisors use `"supervisor"` (see `Supervisor.child`). */
  readonly type?: ChildType
  /**
   * Default `false`. A significant child's own exit can shut the supervisor down, per its
   * `autoShutdown`. Only for transient and temporary children.
   */
  readonly significant?: boolean
  /**
   * A `Registry` key the child is registered under each time it starts, before the supervisor
   * (or anyone else) sees the new incarnation — so the name is re-taken on every restart. A
   * start while a live actor holds the name fails with `AlreadyRegistered` (in
   * `ChildStartFailed`). Needs the `Registry` service; the key's protocol must be the child's.
   */
  readonly name?: N
}

/**
 * Any child spec (the constraint of a supervisor's `children`).
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type Any = ChildSpec<any, any, any, string, any>

/**
 * The services the start of child spec `C` needs.
 *
 * The services the start of child spec `C` needs (its `Scope` excluded: the supervisor gives
 * it one), plus `Registry` when `C` may have a name (its type has a `name`, optional or not,
 * that is not `undefined` or `never`).
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type ServicesOf<C> = C extends { readonly start: Effect.Effect<any, any, infer R> }
  ? Exclude<R, Scope.Scope> | Named<NameIn<C>, Registry.Registry>
  : never

/**
 * How the start of child spec `C` fails (and `AlreadyRegistered` when it may have a name).
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type ErrorOf<C> = C extends { readonly start: Effect.Effect<any, infer E, any> }
  ? E | Named<NameIn<C>, Registry.AlreadyRegistered>
  : never

/**
 * What the start of child spec `C` returns.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type ResultOf<C> = C extends { readonly start: Effect.Effect<infer A, any, any> } ? A : never

/**
 * The children of a supervisor as a record from id to reference type, computed from its
 * `children` (what `Supervisor.childRef` answers).
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type RefsOf<Children extends ReadonlyArray<Any>> = {
  readonly [C in Children[number] as C["id"]]: RefOf<ResultOf<C>>
}

/**
 * A worker child spec, with its id and reference type inferred.
 *
 * A worker child spec (the identity function, for type inference and readability): the id is
 * kept as a literal type and the reference type is inferred from `start`.
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { Child } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * const Worker = Actor.make<{ readonly _tag: "Work" }>()({
 *   init: () => Effect.succeed(null),
 *   receive: { Work: (s) => s }
 * })
 *
 * const spec = Child.worker({ id: "worker", start: Actor.spawn(Worker), restart: "transient", shutdown: "2 seconds" })
 * // ChildSpec<ActorSystem, ActorRef<{ readonly _tag: "Work" }>, InvalidActorOptions | StartTimeout, "worker">
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const worker = <
  const Id extends string,
  A extends StartResult,
  E = never,
  R = never,
  N extends Registry.Key<MsgOf<A>, undefined> | undefined = undefined
>(
  spec: ChildSpec<R, A, E, Id> & { readonly type?: "worker"; readonly name?: N }
): ChildSpec<
  R | Named<N, Registry.Registry>,
  A,
  E | Named<N, Registry.AlreadyRegistered>,
  Id,
  NoInfer<Exclude<N, undefined>>
> => spec as never

/**
 * `T` when a `name` of type `N` may be given, `never` when there is definitely none (`N` is
 * `never` or `undefined`).
 *
 * A name that is only maybe there (`Key | undefined`, an optional `name`) counts as given: whoever
 * starts the spec must provide `Registry`.
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type Named<N, T> = [N] extends [never] ? never : [N] extends [undefined] ? never : T

/**
 * The type of the `name` in options or spec `O`, optional or not (`undefined` when its type
 * has no `name`).
 *
 * @category type plumbing
 * @since 0.1.0
 */
export type NameIn<O> = O extends unknown
  ? "name" extends keyof O ? O extends { readonly name?: infer K } ? K : undefined : undefined
  : never
