/**
 * Location-transparent refs to hosted actors.
 *
 * {@link ref} gives an ordinary `ActorRef<Msg>` for `(protocol, id)`: a local proxy actor whose
 * `receive` forwards each message over the cluster to the entity (wherever it lives) and
 * which stands for **one remote incarnation**: it ends with `Failure(RemoteDown)` when that
 * incarnation ends — restarted in place, moved (passivated, rebalanced, failed over),
 * unreachable, or stopped. So `ActorRef.tell/send/ask/monitor/watch/onExit/link` and the
 * local `Registry` work on it unchanged. There are no distributed links: a link to the proxy
 * is local (the linked actor ends when the remote incarnation is down; the remote actor never
 * hears of the link).
 *
 * @module
 * @since 0.1.0
 */
import type { ActorSystem } from "@arbor/core"
import { Actor, ActorRef, ExitReason, Reports } from "@arbor/core"
import { Protocol } from "@arbor/worker"
import type * as Sharding from "effect/cluster/Sharding"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { InvalidClusterOptions, RemoteActorError, RemoteDown } from "./Errors.ts"
import type { DownWhy } from "./Errors.ts"
import { Checker } from "./internal/options.ts"
import { entityOf, WATCH } from "./internal/wire.ts"
import type { WatchItem } from "./internal/wire.ts"

/**
 * Options of {@link ref}.
 *
 * @category options
 * @since 0.1.0
 */
export interface RefOptions {
  /**
   * Watch the remote incarnation (default `true`): the proxy holds the entity's internal watch
   * stream and ends with `RemoteDown` as soon as the incarnation ends, even without traffic.
   * A watch keeps the entity busy, so it is never passivated while watched. With `false` the
   * proxy learns of a new incarnation only from the next reply (and a crash only from the
   * next request's error).
   */
  readonly watch?: boolean
  /** With `watch`: no item (heartbeats included) for this long ⇒ `RemoteDown("noconnection")`. Default 5 seconds. */
  readonly downAfter?: Duration.Input
  /** A label for the proxy (errors, dead letters, snapshots). Default `"<protocol>/<id>"`. */
  readonly label?: string
}

interface Binding {
  activation: string
  incarnation: string
}

class Link {
  bound: Binding | undefined = undefined
  reason: ExitReason.ExitReason | undefined = undefined
  guard: ActorRef.ActorRef<never> | undefined = undefined
  lastSeen = 0
  readonly boundWaiters: Array<() => void> = []

  constructor(readonly entity: string) {}

  bind(b: Binding): void {
    if (this.bound !== undefined) return
    this.bound = { ...b }
    for (const w of this.boundWaiters.splice(0)) w()
  }

  /** The bound incarnation is gone: the proxy ends at once with `Failure(RemoteDown)`. */
  down(why: DownWhy, detail: string): void {
    if (this.reason !== undefined) return
    this.reason = ExitReason.fail(
      new RemoteDown({
        entity: this.entity,
        activation: this.bound?.activation ?? "",
        incarnation: this.bound?.incarnation ?? "",
        why,
        detail
      })
    )
    for (const w of this.boundWaiters.splice(0)) w()
    // the guard's end travels the link to the proxy at once, interrupting a blocked handler
    if (this.guard !== undefined) Effect.runFork(ActorRef.stop(this.guard, this.reason))
  }

  /** Compares an origin (a reply, a watch item) with the bound incarnation. */
  check(activation: string, incarnation: string): void {
    if (this.bound === undefined) {
      this.bind({ activation, incarnation })
      return
    }
    if (this.bound.activation !== activation) {
      this.down("moved", `a newer activation (${activation}) answers: the actor moved`)
    } else if (this.bound.incarnation !== incarnation) {
      this.down("restarted", `a newer incarnation (${incarnation}) answers: the actor was restarted`)
    }
  }
}

const Guard = Actor.make<never>()({ init: () => Effect.succeed(0), receive: {} })

/**
 * A location-transparent ref to the actor `id` of `protocol` (hosted somewhere with
 * `ClusterActor.host`), spawned into the current `Scope`. With `watch` (the default) it
 * returns once it is bound to the actor's current incarnation (activating it if needed);
 * without, it binds to the incarnation of the first reply.
 *
 * - `ActorRef.ask` → the entity → `ActorRef.ask` on the hosted actor; the reply comes back to
 *   the asker. A reply from a newer incarnation is delivered, then the proxy ends with
 *   `RemoteDown` (`"moved"` or `"restarted"`).
 * - `ActorRef.tell` / `send` → sent without waiting for the remote (`send` acknowledges the
 *   proxy's mailbox, not the remote actor). Order is kept per proxy: one message at a time.
 * - The proxy ends with `Failure(RemoteDown)` when its incarnation ends, and with
 *   `Failure(RemoteActorError)` when the entity reports `AskTimeout`, `MailboxFull`,
 *   `Unavailable` or a transport failure; an ask in flight then fails with `ActorExited`
 *   carrying that reason.
 *
 * @example
 * ```ts
 * import { ActorRef } from "@arbor/core"
 * import { ClusterRef } from "@arbor/cluster"
 * import { Protocol } from "@arbor/worker"
 * import { Effect, Schema } from "effect"
 *
 * const CounterProtocol = Protocol.make("Counter", { Add: { payload: { n: Schema.Int } }, Get: { reply: Schema.Int } })
 * const program = Effect.gen(function*() {
 *   const counter = yield* ClusterRef.ref(CounterProtocol, "user-42")
 *   yield* ActorRef.tell(counter, { _tag: "Add", n: 1 })
 *   return yield* ActorRef.ask(counter, { _tag: "Get" }, { timeout: "5 seconds" })
 * })
 * ```
 *
 * @category refs
 * @since 0.1.0
 */
export const ref = <P extends Protocol.Protocol<any, any, any>>(
  protocol: P,
  id: string,
  options?: RefOptions
): Effect.Effect<
  ActorRef.ActorRef<Protocol.Type<P>>,
  InvalidClusterOptions | RemoteDown,
  Sharding.Sharding | ActorSystem.ActorSystem | Scope.Scope
> =>
  Effect.suspend((): Effect.Effect<
    ActorRef.ActorRef<Protocol.Type<P>>,
    InvalidClusterOptions | RemoteDown,
    Sharding.Sharding | ActorSystem.ActorSystem | Scope.Scope
  > => {
    const c = new Checker("ClusterRef.ref")
    if (!Protocol.isProtocol(protocol)) c.fail("protocol", protocol, "must be made by Protocol.make (@arbor/worker)")
    if (typeof id !== "string" || id.length === 0) c.fail("id", id, "must be a non-empty string")
    const o = c.object("options", options, ["watch", "downAfter", "label"]) ?? {}
    if (o.watch !== undefined && typeof o.watch !== "boolean") c.fail("watch", o.watch, "must be a boolean")
    const downAfter = c.duration("downAfter", o.downAfter, Duration.seconds(5))
    if (o.label !== undefined && typeof o.label !== "string") c.fail("label", o.label, "must be a string")
    if (c.error) return Effect.fail(c.error)
    const watch = o.watch !== false
    const entityName = `${protocol.name}/${id}`
    const label = (o.label as string | undefined) ?? entityName
    const link = new Link(entityName)
    const entity = entityOf(protocol)
    const requests = protocol.requests

    const transport = (detail: string) =>
      new RemoteActorError({
        kind: "Transport",
        entity: entityName,
        activation: link.bound?.activation ?? "",
        incarnation: link.bound?.incarnation ?? "",
        detail
      })

    /** A failed call: a gone incarnation ends the proxy with RemoteDown, anything else with the error. */
    const onFailure = (cause: Cause.Cause<unknown>): Effect.Effect<never, unknown> => {
      const error = Cause.findErrorOption(cause)
      if (error._tag === "Some") {
        const e = error.value
        if (e instanceof RemoteActorError) {
          if ((e.kind === "ActorExited" || e.kind === "ActorNotAlive") && e.incarnation !== "") {
            if (link.bound === undefined) link.bind({ activation: e.activation, incarnation: e.incarnation })
            if (link.bound!.incarnation === e.incarnation) {
              link.down(e.why ?? "restarted", e.detail)
              return Effect.never
            }
            link.check(e.activation, e.incarnation)
            return Effect.never
          }
          return Effect.fail(e)
        }
        return Effect.fail(transport(describe(e)))
      }
      return Effect.failCause(cause)
    }

    const proxy = Actor.make<unknown>()({
      init: (ctx) =>
        Effect.gen(function*() {
          const clientFor = yield* entity.client
          const client = clientFor(id) as unknown as Record<string, (payload?: unknown, options?: unknown) => any>
          // the guard's end is the proxy's mechanism, not a crash: no report of its own
          const reports = yield* Reports.Reports
          const guard = yield* Actor.spawn(Guard, { label: `${label} guard`, shutdown: "brutal" }).pipe(
            Effect.provideService(Reports.Reports, { ...reports, crash: false })
          )
          link.guard = guard
          yield* ActorRef.link(ctx.self, guard)
          if (watch) {
            const clock = yield* Clock.Clock
            link.lastSeen = clock.currentTimeMillisUnsafe()
            const onItem = (item: WatchItem) =>
              Effect.sync(() => {
                link.lastSeen = clock.currentTimeMillisUnsafe()
                switch (item._tag) {
                  case "Up":
                    link.check(item.activation, item.incarnation)
                    return
                  case "Down":
                    if (link.bound === undefined) return
                    if (item.why === "moved" ? link.bound.activation === item.activation : link.bound.incarnation === item.incarnation) {
                      link.down(item.why, item.detail)
                    }
                    return
                  case "Unavailable":
                    if (link.bound === undefined || link.bound.activation === item.activation) {
                      link.down("stopped", `the in-entity supervisor gave up: ${item.detail}`)
                    }
                    return
                  case "Heartbeat":
                    if (link.bound !== undefined && link.bound.activation !== item.activation) {
                      link.down("moved", `a newer activation (${item.activation}) answers the watch: the actor moved`)
                    }
                    return
                }
              })
            yield* Stream.runForEach(client[WATCH]!() as Stream.Stream<WatchItem, unknown>, onItem).pipe(
              Effect.exit,
              Effect.flatMap((exit) =>
                Effect.sync(() => {
                  if (Exit.isSuccess(exit)) return link.down("noconnection", "the watch stream ended")
                  const error = Cause.findErrorOption(exit.cause)
                  if (error._tag === "Some" && (error.value as { _tag?: unknown })._tag === "EntityNotAssignedToRunner") {
                    // the entity's shard is no longer where the activation was
                    return link.down("moved", "the entity is no longer assigned to the runner that hosted it")
                  }
                  link.down("noconnection", `the watch stream failed: ${Cause.pretty(exit.cause)}`)
                })
              ),
              Effect.forkScoped
            )
            // the silence detector: reads the Clock
            const millis = Duration.toMillis(downAfter)
            yield* Effect.gen(function*() {
              while (link.reason === undefined) {
                yield* Effect.sleep(Math.max(1, Math.floor(millis / 4)))
                if (clock.currentTimeMillisUnsafe() - link.lastSeen >= millis) {
                  link.down("noconnection", `nothing heard from the entity for ${Duration.format(downAfter)}`)
                }
              }
            }).pipe(Effect.forkScoped)
            // bound to the current incarnation before the ref is handed out
            yield* Effect.callback<void>((resume) => {
              if (link.bound !== undefined || link.reason !== undefined) return resume(Effect.void)
              link.boundWaiters.push(() => resume(Effect.void))
            })
            if (link.bound === undefined && link.reason !== undefined) {
              return yield* Effect.fail(Cause.squash((link.reason as ExitReason.Failure).cause) as RemoteDown)
            }
          }
          return client
        }),
      receive: (client, msg: unknown) => {
        if (link.reason !== undefined) return Actor.stop(link.reason)
        const tag = (msg as { readonly _tag?: unknown } | null)?._tag
        const call = typeof tag === "string" ? client[tag] : undefined
        if (call === undefined || tag === WATCH) {
          return Effect.die(new TypeError(`${entityName}: ${String(tag)} is not a message of protocol ${protocol.name}`))
        }
        const { _tag: _, ...payload } = msg as Record<string, unknown>
        if (!requests.has(tag as string)) {
          // sent without waiting for the remote actor (a persisted one once stored)
          return Effect.as(Effect.catchCause(call(payload, { discard: true }) as Effect.Effect<void>, onFailure), client)
        }
        return Effect.map(
          Effect.catchCause(call(payload) as Effect.Effect<{ value: unknown; activation: string; incarnation: string }>, onFailure),
          (reply) =>
            Actor.deferReply<unknown, typeof client>((handle) => {
              // the reply is delivered even when it comes from a newer incarnation; then the proxy ends
              Actor.answerUnsafe(handle, reply.value)
              link.check(reply.activation, reply.incarnation)
              return client
            })
        )
      }
    })

    return Actor.spawn(proxy, { label }) as Effect.Effect<
      ActorRef.ActorRef<Protocol.Type<P>>,
      RemoteDown,
      Sharding.Sharding | ActorSystem.ActorSystem | Scope.Scope
    >
  })

const describe = (e: unknown): string => {
  if (e instanceof Error) return `${e.name}: ${e.message}`
  if (typeof e === "object" && e !== null && "_tag" in e) return String((e as { _tag: unknown })._tag)
  return String(e)
}
