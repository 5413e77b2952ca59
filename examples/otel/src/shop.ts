/**
 * A small traced application: an HTTP endpoint in front of a supervised actor.
 *
 * `GET /orders?item=…` asks the `orders` actor (a supervisor's child) to place an order; its
 * handler tells the `audit` actor to record it and replies with the order's number. An order
 * without an item makes the handler die: the request answers 500, the supervisor restarts
 * `orders`, and the next request is served by the new incarnation. With a tracer installed (see
 * `main.ts`: OpenTelemetry's SDK through `@effect/opentelemetry`), each request is one trace:
 * the HTTP span, the `ask`, the handler's span, the `audit` handler's span, and for the crash the
 * supervisor's handling of the exit and its `restart` span.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Actor, ActorRef } from "@arbor/core"
import type { ActorSystem } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import { Effect } from "effect"
import type { Context, Scope } from "effect"

/** The audit trail: counts the orders it was told about. */
export type AuditMsg =
  | { readonly _tag: "Record"; readonly order: number; readonly item: string }
  | Actor.Request<{ readonly _tag: "Count" }, number>

export const Audit = Actor.make<AuditMsg>()({
  init: () => Effect.succeed(0),
  receive: {
    Record: (n, m) => Effect.as(Effect.logInfo(`order ${m.order}: ${m.item}`), n + 1),
    Count: (n) => Actor.reply(n, n)
  }
})

/** Places orders; an order without an item is a bug that crashes it. */
export type OrdersMsg = Actor.Request<{ readonly _tag: "Place"; readonly item: string }, number>

/** `onStart` gets each incarnation's own (typed) reference as it starts. */
export const orders = (audit: ActorRef.ActorRef<AuditMsg>, onStart: (self: ActorRef.ActorRef<OrdersMsg>) => void) =>
  Actor.make<OrdersMsg>()({
    init: (ctx) => Effect.sync(() => (onStart(ctx.self), 0)),
    receive: {
      Place: (placed, m) =>
        Effect.gen(function*() {
          if (m.item === "") return yield* Effect.die(new Error("an order without an item"))
          const order = placed + 1
          yield* ActorRef.tell(audit, { _tag: "Record", order, item: m.item })
          return Actor.reply(order, order)
        })
    }
  })

/** The running shop: where it listens, its supervisor (for its events) and its audit actor. */
export interface Shop {
  readonly port: number
  readonly supervisor: Supervisor.SupervisorRef
  readonly audit: ActorRef.ActorRef<AuditMsg>
}

/**
 * Starts the audit actor, the `shop` supervisor with its `orders` child, and the HTTP server on
 * 127.0.0.1 (`port` 0: a free one), all in the current scope.
 */
export const start = (port = 0): Effect.Effect<Shop, never, Scope.Scope | ActorSystem.ActorSystem> =>
  Effect.gen(function*() {
    const audit = yield* Actor.spawn(Audit, { label: "audit" })
    // the current incarnation of `orders`: each one hands out its own reference in `init`
    let current: ActorRef.ActorRef<OrdersMsg> | undefined
    const ordersChild = Actor.spawn(orders(audit, (self) => (current = self)), { label: "orders" })
    const supervisor = yield* Supervisor.start({
      label: "shop",
      strategy: "one-for-one",
      children: [Child.worker({ id: "orders", start: ordersChild })]
    })
    const services = yield* Effect.context<never>()
    const server = http.createServer((req, res) => respond(services, () => current, req, res))
    yield* Effect.acquireRelease(
      Effect.callback<void>((resume) => {
        server.listen(port, "127.0.0.1", () => resume(Effect.void))
      }),
      () => Effect.callback<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
    )
    return { port: (server.address() as AddressInfo).port, supervisor, audit }
  }).pipe(Effect.orDie) // a bad spec or option is a bug of this example

/** Serves one request, in a server span of its own (`GET /orders`). */
const respond = (
  services: Context.Context<never>,
  current: () => ActorRef.ActorRef<OrdersMsg> | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse
): void => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1")
  const route = Effect.gen(function*() {
    if (req.method !== "GET" || url.pathname !== "/orders") return { status: 404, body: "not found\n" }
    const ref = current()
    if (ref === undefined) return { status: 503, body: "orders is restarting\n" }
    return yield* ActorRef.ask(ref, { _tag: "Place", item: url.searchParams.get("item") ?? "" }).pipe(
      Effect.map((order) => ({ status: 200, body: `order ${order}\n` })),
      Effect.catch((error) =>
        Effect.succeed({ status: error._tag === "ActorExited" ? 500 : 503, body: `failed: ${error._tag}\n` })
      )
    )
  }).pipe(
    Effect.tap(({ status }) => Effect.annotateCurrentSpan("http.response.status_code", status)),
    Effect.withSpan(`${req.method} ${url.pathname}`, {
      kind: "server",
      attributes: { "http.request.method": req.method, "url.path": url.pathname, "url.query": url.search.slice(1) }
    })
  )
  Effect.runPromiseWith(services)(route).then(({ body, status }) => {
    res.writeHead(status, { "content-type": "text/plain" })
    res.end(body)
  })
}
