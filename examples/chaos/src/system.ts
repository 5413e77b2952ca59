/**
 * The order pipeline the chaos demo runs: a realistic supervision tree whose actors find each
 * other by name.
 *
 * ```
 * root (one-for-one)
 * ├─ ingest (rest-for-one): validator → enricher → writer   (a later stage depends on the earlier ones)
 * ├─ payments (one-for-all): gateway + reconciler            (a pair that must restart together)
 * └─ sessions (dynamic): one session actor per customer session, started on demand
 * ```
 *
 * A client asks a session to place an order; the session asks the validator, which passes the
 * order down the ingest stages to the writer, which records it in the `OrderStore` (standing in
 * for a database: it outlives every actor) and only then replies. The session also has the
 * payment gateway authorize the order. The client counts an order as acknowledged only when
 * the session replied, so an acknowledged order must be in the store — the demo checks it.
 *
 * Every worker is defined with `Faults.define`, so the injector can crash any of them on demand.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Actor, ActorRef } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Child, DynamicSupervisor, Supervisor } from "@arbor/supervisor"
import type { SupervisionEvent } from "@arbor/supervisor"
import { Faults } from "@arbor/testkit"

/** An order as clients submit it. */
export interface Order {
  readonly id: number
  readonly session: string
  readonly amount: number
}

/** The durable store the writer records orders in (a database in a real system). */
export class OrderStore extends Context.Service<OrderStore, {
  readonly put: (order: Order) => Effect.Effect<void>
  readonly has: (id: number) => boolean
  readonly size: () => number
}>()("@arbor/example-chaos/OrderStore") {
  static readonly layer = Layer.sync(OrderStore, () => {
    const orders = new Map<number, Order>()
    return OrderStore.of({
      put: (order) => Effect.sync(() => void orders.set(order.id, order)),
      has: (id) => orders.has(id),
      size: () => orders.size
    })
  })
}

const askTimeout = { timeout: "1 second" } as const

// --- protocols -----------------------------------------------------------------------------

/** The answer to a placed order. */
export interface Receipt {
  readonly id: number
  readonly enrichedBy: number
}

export type WriterMsg = Actor.Request<{ readonly _tag: "Write"; readonly order: Order; readonly region: string }, number>
export type EnricherMsg = Actor.Request<{ readonly _tag: "Enrich"; readonly order: Order }, Receipt>
export type ValidatorMsg = Actor.Request<{ readonly _tag: "Submit"; readonly order: Order }, Receipt>
export type GatewayMsg = Actor.Request<{ readonly _tag: "Authorize"; readonly order: Order }, "approved">
export type ReconcilerMsg = { readonly _tag: "Settled"; readonly id: number }
export type SessionMsg = Actor.Request<{ readonly _tag: "Place"; readonly order: Order }, Receipt>

export const Names = {
  validator: Registry.key<ValidatorMsg>()("validator"),
  enricher: Registry.key<EnricherMsg>()("enricher"),
  writer: Registry.key<WriterMsg>()("writer"),
  gateway: Registry.key<GatewayMsg>()("payment-gateway"),
  reconciler: Registry.key<ReconcilerMsg>()("reconciler"),
  session: (id: string) => Registry.key<SessionMsg>()(`session:${id}`)
}

/** Looks a name up and asks; a missing name is a typed failure the caller retries. */
class NameMissing extends Error {
  readonly _tag = "NameMissing"
}
const lookup = <Msg>(key: Registry.Key<Msg>) =>
  Effect.flatMap(Registry.lookup(key), (ref) => ref._tag === "Some" ? Effect.succeed(ref.value) : Effect.fail(new NameMissing(key.name)))

// --- behaviours ----------------------------------------------------------------------------

export const behaviors = (faults: Faults.FaultInjector) => {
  // faults that hit requests in flight: the writer is sometimes slow (so kills land mid-write)
  // and every incarnation crashes while handling its 400th write
  const Writer = Faults.define<WriterMsg>()(faults, { delay: "3 millis", delayRate: 0.2, crashOnMessage: 400 }, {
    init: () => Effect.succeed({ written: 0 }),
    receive: {
      Write: (s, msg) =>
        Effect.gen(function*() {
          const store = yield* OrderStore
          yield* store.put(msg.order) // durable first…
          return Actor.reply(s.written + 1, { written: s.written + 1 }) // …then acknowledge
        })
    }
  })
  const Enricher = Faults.define<EnricherMsg>()(faults, {}, {
    init: () => Effect.succeed({ enriched: 0 }),
    receive: {
      Enrich: (s, msg) =>
        Effect.gen(function*() {
          const writer = yield* lookup(Names.writer)
          const n = yield* ActorRef.ask(writer, { _tag: "Write", order: msg.order, region: "eu" }, askTimeout)
          return Actor.reply({ id: msg.order.id, enrichedBy: n }, { enriched: s.enriched + 1 })
        })
    }
  })
  const Validator = Faults.define<ValidatorMsg>()(faults, { crashOnMessage: 700, crashReason: "defect" }, {
    init: () => Effect.succeed({ accepted: 0 }),
    receive: {
      Submit: (s, msg) =>
        Effect.gen(function*() {
          if (!(msg.order.amount > 0)) return yield* Effect.fail(new Error(`invalid amount ${msg.order.amount}`))
          const enricher = yield* lookup(Names.enricher)
          const receipt = yield* ActorRef.ask(enricher, { _tag: "Enrich", order: msg.order }, askTimeout)
          return Actor.reply(receipt, { accepted: s.accepted + 1 })
        })
    }
  })
  const Reconciler = Faults.define<ReconcilerMsg>()(faults, {}, {
    init: () => Effect.succeed({ settled: 0 }),
    receive: { Settled: (s) => ({ settled: s.settled + 1 }) }
  })
  const Gateway = Faults.define<GatewayMsg>()(faults, { delay: "2 millis", delayRate: 0.1 }, {
    init: () => Effect.succeed({ authorized: 0 }),
    receive: {
      Authorize: (s, msg) =>
        Effect.gen(function*() {
          const reconciler = yield* lookup(Names.reconciler)
          yield* ActorRef.tell(reconciler, { _tag: "Settled", id: msg.order.id })
          return Actor.reply("approved" as const, { authorized: s.authorized + 1 })
        })
    }
  })
  const Session = (id: string) =>
    Faults.define<SessionMsg>()(faults, { target: `session:${id}` }, {
      init: () => Effect.succeed({ placed: 0 }),
      receive: {
        Place: (s, msg) =>
          Effect.gen(function*() {
            const validator = yield* lookup(Names.validator)
            const gateway = yield* lookup(Names.gateway)
            yield* ActorRef.ask(gateway, { _tag: "Authorize", order: msg.order }, askTimeout)
            const receipt = yield* ActorRef.ask(validator, { _tag: "Submit", order: msg.order }, askTimeout)
            return Actor.reply(receipt, { placed: s.placed + 1 })
          })
      }
    })
  return { Writer, Enricher, Validator, Reconciler, Gateway, Session }
}

/** Starts the whole tree; returns the root supervisor and the session supervisor. */
export const startTree = (faults: Faults.FaultInjector, onEvent: (event: SupervisionEvent.SupervisionEvent) => void) =>
  Effect.gen(function*() {
    const b = behaviors(faults)
    const sessions = { current: undefined as DynamicSupervisor.DynamicSupervisorRef<string> | undefined }
    const root = yield* Supervisor.start({
      label: "root",
      strategy: "one-for-one",
      intensity: 40,
      period: "5 seconds",
      onEvent,
      children: [
        Supervisor.child("ingest", {
          label: "ingest",
          strategy: "rest-for-one",
          intensity: 8,
          period: "2 seconds",
          children: [
            Child.worker({ id: "validator", start: Registry.spawn(Names.validator, b.Validator) }),
            // the enricher's restarts are flaky: some fail and are retried (its first start is spared)
            Child.worker({
              id: "enricher",
              start: Faults.flakyStart(faults, Registry.spawn(Names.enricher, b.Enricher), { rate: 0.2, target: "enricher", spareFirst: 1 })
            }),
            Child.worker({ id: "writer", start: Registry.spawn(Names.writer, b.Writer) })
          ]
        }),
        Supervisor.child("payments", {
          label: "payments",
          strategy: "one-for-all",
          intensity: 6,
          period: "2 seconds",
          children: [
            Child.worker({ id: "gateway", start: Registry.spawn(Names.gateway, b.Gateway) }),
            Child.worker({ id: "reconciler", start: Registry.spawn(Names.reconciler, b.Reconciler) })
          ]
        }),
        {
          id: "sessions",
          type: "supervisor",
          start: Effect.tap(
            DynamicSupervisor.start({
              label: "sessions",
              child: (id: string) => Registry.spawn(Names.session(id), b.Session(id)),
              restart: "transient",
              intensity: 30,
              period: "2 seconds",
              maxChildren: 64
            }),
            (ref) => Effect.sync(() => void (sessions.current = ref))
          )
        }
      ]
    })
    return { root, sessions: () => sessions.current }
  })
