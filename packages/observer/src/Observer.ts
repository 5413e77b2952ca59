/**
 * The live supervision tree in a browser.
 *
 * The live supervision tree in a browser: a small `node:http` server that serves one
 * self-contained page (inline CSS and script, no CDN, nothing built at run time) and pushes the
 * tree to it over Server-Sent Events.
 *
 * **What the page shows.** Every node of the tree under the watched supervisor: status,
 * incarnation, a supervisor's restarts in its window and remaining budget, each running actor's
 * mailbox depth and message rate; totals (restarts, crashes, escalations, events per second);
 * and a feed of recent supervision events — who crashed and with what, who restarted it, who
 * gave up.
 *
 * **How it stays cheap.** The server subscribes once to `Supervisor.events` of the watched
 * supervisor. Updates are coalesced: at most one per `interval` (default 250 ms), and only while
 * a page is connected. An update re-reads the tree with `Supervisor.snapshot` (one request per
 * supervisor) only when a supervision event arrived since the previous one (or once a second,
 * since restart windows slide); otherwise it only re-reads each running actor's mailbox depth and
 * handled-message counter, synchronously, without messaging any actor. A flood of events (a
 * restart storm) becomes one update per interval carrying the newest `feedSize` events and a
 * count of the ones left out; a page that reads slowly (more than 1 MiB unread) is skipped until it has
 * caught up and is then sent the whole state again, so the server never buffers without bound.
 *
 * **Access.** Bound to `127.0.0.1` by default; requests whose `Host` header is not a loopback
 * name are refused while bound to loopback (DNS rebinding). Read-only: `GET` (and `HEAD`) of
 * `/`, `/events` and `/state.json`; anything else is refused. With a `token`, every request must
 * carry it as `Authorization: Bearer <token>` or as the query parameter `?token=<token>` (the
 * page passes its own `?token=` on to the event stream), else it is answered 401.
 *
 * @example
 * ```ts
 * import { Actor, ActorSystem } from "@arbor/core"
 * import { Observer } from "@arbor/observer"
 * import { Child, Supervisor } from "@arbor/supervisor"
 * import { Effect, Layer } from "effect"
 *
 * const Worker = Actor.make<{ readonly _tag: "Work" }>()({
 *   init: () => Effect.succeed(0),
 *   receive: { Work: (n) => n + 1 }
 * })
 *
 * const Root = Supervisor.start({
 *   label: "root",
 *   strategy: "one-for-one",
 *   children: [Child.worker({ id: "worker", start: Actor.spawn(Worker) })]
 * })
 *
 * // serve the page at http://127.0.0.1:7070/ for as long as the layer lives
 * const program = Effect.gen(function*() {
 *   const observer = yield* Observer.Observer
 *   console.log(`observer at ${observer.url}`)
 *   yield* Effect.never
 * }).pipe(Effect.provide(Observer.layer(Root, { port: 7070 }).pipe(Layer.provideMerge(ActorSystem.layer))))
 * ```
 *
 * @module
 * @since 0.1.0
 */
import { timingSafeEqual } from "node:crypto"
import * as http from "node:http"
import { isIP } from "node:net"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import { type ActorRef, Durations, ExitReason } from "@arbor/core"
import { Supervisor } from "@arbor/supervisor"
import type { SupervisionEvent } from "@arbor/supervisor"
import { page } from "./internal/page.ts"
import { type FeedEntry, feedEntry, type NodeView, refsOf, resample, type Samples, treeView } from "./internal/view.ts"

/**
 * Options of {@link serve} and {@link layer}; every field is optional.
 *
 * @category models
 * @since 0.1.0
 */
export interface ObserverOptions {
  /** The TCP port, an integer 0–65535; `0` picks a free one (read it from {@link ObserverService.port}). Default `7070`. */
  readonly port?: number
  /** The address to bind: an IPv4/IPv6 literal or a host name. Default `"127.0.0.1"` (this machine only). */
  readonly host?: string
  /**
   * A bearer token every request must carry (`Authorization: Bearer <token>` or `?token=`):
   * 16–512 characters of letters, digits and `-._~+/=`. Default: none (anyone who can reach the
   * address can read the page).
   */
  readonly token?: string
  /**
   * The time between two updates pushed to the pages: a duration (read by core's
   * `Durations.decode`: a number of milliseconds, `"250 millis"`, `{ seconds: 1 }`, ...) from
   * 50 ms to 60 seconds. Default 250 ms.
   */
  readonly interval?: Duration.Input
  /** How many recent events the feed keeps and one update carries at most, an integer 1–10 000. Default `200`. */
  readonly feedSize?: number
  /** How many children of one supervisor the page lists (the rest are counted), an integer 1–10 000. Default `200`. */
  readonly maxChildren?: number
  /** The page's title. Default `"Arbor observer"`. */
  readonly title?: string
}

/**
 * An option of {@link serve} / {@link layer} is invalid; nothing was started.
 *
 * `option` names it, `value` is what was given and `reason` what is expected.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidObserverOption extends Data.TaggedError("InvalidObserverOption")<{
  /** The option at fault (`"port"`, `"host"`, `"token"`, ...; `"options"` for the whole object). */
  readonly option: string
  /** The value given. */
  readonly value: unknown
  /** What the option must be. */
  readonly reason: string
}> {
  /** A readable description naming the option, the value and what is expected. */
  override get message(): string {
    return `observer option ${this.option} ${this.reason} (got ${describe(this.value)})`
  }
}

/**
 * The server could not listen on the address (port in use, address not on this machine,
 * permission denied).
 *
 * `code` is Node's error code (`"EADDRINUSE"`, ...).
 *
 * @category errors
 * @since 0.1.0
 */
export class ObserverListenFailed extends Data.TaggedError("ObserverListenFailed")<{
  /** The host it tried to bind. */
  readonly host: string
  /** The port it tried to bind. */
  readonly port: number
  /** Node's error code, when there is one. */
  readonly code: string | undefined
  /** Node's error message. */
  readonly detail: string
}> {
  /** A readable description naming the address and Node's error. */
  override get message(): string {
    return `observer could not listen on ${this.host}:${this.port}: ${this.detail}`
  }
}

/**
 * A running observer.
 *
 * @category models
 * @since 0.1.0
 */
export interface ObserverService {
  /** The page's address, `http://host:port/` (without the token). */
  readonly url: string
  /** The bound host. */
  readonly host: string
  /** The bound port (the one picked when `port` was `0`). */
  readonly port: number
  /** How many pages are connected to the event stream now. */
  readonly connections: () => number
  /** How many updates were pushed so far (each one to every connected page). */
  readonly updates: () => number
}

/**
 * The service of a running observer, provided by {@link layer}.
 *
 * @category services
 * @since 0.1.0
 */
export class Observer extends Context.Service<Observer, ObserverService>()("@arbor/observer/Observer") {}

/** Valid options with their defaults. */
interface Config {
  readonly port: number
  readonly host: string
  readonly token: string | undefined
  readonly interval: number
  readonly feedSize: number
  readonly maxChildren: number
  readonly title: string
}

const known = new Set(["port", "host", "token", "interval", "feedSize", "maxChildren", "title"])
const hostName = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/
const tokenChars = /^[A-Za-z0-9\-._~+/=]{16,512}$/

const integer = (option: string, value: unknown, min: number, max: number): number | InvalidObserverOption =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max
    ? value
    : new InvalidObserverOption({ option, value, reason: `must be an integer from ${min} to ${max}` })

/** Validates the options (all of them, before anything starts). */
const validate = (options: unknown): Config | InvalidObserverOption => {
  if (options === undefined) options = {}
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return new InvalidObserverOption({ option: "options", value: options, reason: "must be an object" })
  }
  const o = options as Record<string, unknown>
  for (const key of Object.keys(o)) {
    if (!known.has(key)) {
      return new InvalidObserverOption({ option: key, value: o[key], reason: `is not an option (options: ${[...known].join(", ")})` })
    }
  }
  const port = o.port === undefined ? 7070 : integer("port", o.port, 0, 65535)
  if (port instanceof InvalidObserverOption) return port
  const host = o.host === undefined ? "127.0.0.1" : o.host
  if (typeof host !== "string" || (isIP(host) === 0 && !hostName.test(host))) {
    return new InvalidObserverOption({ option: "host", value: host, reason: "must be an IP address or a host name" })
  }
  const token = o.token
  if (token !== undefined && (typeof token !== "string" || !tokenChars.test(token))) {
    return new InvalidObserverOption({
      option: "token",
      value: typeof token === "string" ? `<${token.length} characters>` : token,
      reason: "must be 16 to 512 characters of letters, digits and -._~+/="
    })
  }
  let interval = 250
  if (o.interval !== undefined) {
    const d = Durations.decode(o.interval)
    const ms = d === undefined ? Number.NaN : Duration.toMillis(d)
    if (!(ms >= 50 && ms <= 60_000)) {
      return new InvalidObserverOption({
        option: "interval",
        value: o.interval,
        reason: "must be a duration (as Durations.decode reads it) from 50 millis to 60 seconds"
      })
    }
    interval = ms
  }
  const feedSize = o.feedSize === undefined ? 200 : integer("feedSize", o.feedSize, 1, 10_000)
  if (feedSize instanceof InvalidObserverOption) return feedSize
  const maxChildren = o.maxChildren === undefined ? 200 : integer("maxChildren", o.maxChildren, 1, 10_000)
  if (maxChildren instanceof InvalidObserverOption) return maxChildren
  const title = o.title === undefined ? "Arbor observer" : o.title
  if (typeof title !== "string" || title.length === 0 || title.length > 200) {
    return new InvalidObserverOption({ option: "title", value: title, reason: "must be a string of 1 to 200 characters" })
  }
  return { port, host, token, interval, feedSize, maxChildren, title }
}

const describe = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u)
  if (typeof u === "number" || typeof u === "boolean" || typeof u === "bigint" || u === undefined || u === null) return String(u)
  if (Array.isArray(u)) return "an array"
  return typeof u === "object" ? "an object" : typeof u
}

const loopbackHosts = new Set(["127.0.0.1", "localhost", "::1", "[::1]"])
const isLoopback = (host: string) => loopbackHosts.has(host) || host.startsWith("127.")

/** The mutable state the request handlers read and the update loop writes. */
class Hub {
  readonly clients = new Set<Client>()
  /** Events received since the previous update, newest last (at most twice `feedSize`). */
  pending: Array<{ readonly event: SupervisionEvent.SupervisionEvent; readonly at: number }> = []
  pendingDropped = 0
  /** The newest `feedSize` feed entries, newest last. */
  recent: Array<FeedEntry> = []
  dirty = true
  seq = 0
  updates = 0
  totals = { restarts: 0, crashes: 0, escalations: 0, events: 0, eventRate: 0 }
  tree: NodeView | undefined = undefined
  treeError: string | undefined = undefined
  constructor(readonly config: Config, readonly rootName: string) {}

  /** Counts an event and keeps it for the next update; formatting waits until it is sent. */
  record(event: SupervisionEvent.SupervisionEvent, at: number): void {
    this.totals.events++
    this.dirty = true
    switch (event._tag) {
      case "ChildStarted":
        if (event.restart) this.totals.restarts++
        break
      case "ChildExited":
        if (ExitReason.isAbnormal(event.reason)) this.totals.crashes++
        break
      case "ChildStartFailed":
        this.totals.crashes++
        break
      case "RestartIntensityExceeded":
      case "AutoShutdown":
        this.totals.escalations++
        break
    }
    this.pending.push({ event, at })
    if (this.pending.length > 2 * this.config.feedSize) {
      // under a flood keep only the newest: drop the older half in one go
      this.pendingDropped += this.pending.length - this.config.feedSize
      this.pending = this.pending.slice(this.pending.length - this.config.feedSize)
    }
  }

  /** The events received since the previous call, formatted (at most `feedSize`), and how many were left out. */
  takePending(): { events: Array<FeedEntry>; dropped: number } {
    let raw = this.pending
    let dropped = this.pendingDropped
    if (raw.length > this.config.feedSize) {
      dropped += raw.length - this.config.feedSize
      raw = raw.slice(raw.length - this.config.feedSize)
    }
    this.pending = []
    this.pendingDropped = 0
    return { events: raw.map((r) => feedEntry(r.event, r.at, this.rootName)), dropped }
  }

  state(events: ReadonlyArray<FeedEntry>, dropped: number, at: number) {
    return {
      seq: this.seq,
      at,
      feedSize: this.config.feedSize,
      totals: this.totals,
      tree: this.tree ?? null,
      ...(this.treeError !== undefined ? { treeError: this.treeError } : {}),
      events,
      eventsDropped: dropped
    }
  }
}

/** One connected page. */
class Client {
  /** `true` once updates were skipped for it: it is sent the whole state when it has caught up. */
  behind = false
  constructor(readonly res: http.ServerResponse) {}
}

/** Bytes a page may have unread before its updates are skipped (it is sent the whole state once it has read them). */
const maxUnread = 1 << 20

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

const sendHello = (hub: Hub, client: Client, at: number) => {
  client.behind = false
  client.res.write(sse("hello", hub.state(hub.recent, 0, at)))
}

const authorized = (config: Config, req: http.IncomingMessage, url: URL): boolean => {
  if (config.token === undefined) return true
  const header = req.headers.authorization
  const given = header !== undefined && header.startsWith("Bearer ") ? header.slice(7) : url.searchParams.get("token") ?? ""
  const a = Buffer.from(given)
  const b = Buffer.from(config.token)
  return a.length === b.length && timingSafeEqual(a, b)
}

const handler = (hub: Hub, now: () => number) => (req: http.IncomingMessage, res: http.ServerResponse): void => {
  const config = hub.config
  const refuse = (status: number, text: string, headers: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers })
    res.end(text + "\n")
  }
  let url: URL
  try {
    url = new URL(req.url ?? "/", "http://observer.invalid")
  } catch {
    return refuse(400, "bad request")
  }
  if (isLoopback(config.host)) {
    const host = (req.headers.host ?? "").replace(/:\d+$/, "")
    if (!loopbackHosts.has(host) && !host.startsWith("127.")) return refuse(403, "this observer only answers loopback host names")
  }
  if (req.method !== "GET" && req.method !== "HEAD") return refuse(405, "the observer is read-only", { allow: "GET, HEAD" })
  if (!authorized(config, req, url)) return refuse(401, "a valid bearer token is required", { "www-authenticate": "Bearer" })
  const common = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer"
  }
  switch (url.pathname) {
    case "/": {
      res.writeHead(200, {
        ...common,
        "content-type": "text/html; charset=utf-8",
        "content-security-policy":
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
      })
      res.end(req.method === "HEAD" ? undefined : page(config.title))
      return
    }
    case "/state.json": {
      res.writeHead(200, { ...common, "content-type": "application/json" })
      res.end(req.method === "HEAD" ? undefined : JSON.stringify(hub.state(hub.recent, 0, now())))
      return
    }
    case "/events": {
      res.writeHead(200, { ...common, "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive" })
      if (req.method === "HEAD") return void res.end()
      res.write("retry: 1000\n\n")
      const client = new Client(res)
      hub.clients.add(client)
      hub.dirty = true
      res.on("close", () => hub.clients.delete(client))
      sendHello(hub, client, now())
      return
    }
    default:
      return refuse(404, "not found (the observer serves /, /events and /state.json)")
  }
}

const listen = (config: Config, hub: Hub, now: () => number) =>
  Effect.callback<http.Server, ObserverListenFailed>((resume) => {
    const server = http.createServer(handler(hub, now))
    const onError = (error: NodeJS.ErrnoException) =>
      resume(Effect.fail(
        new ObserverListenFailed({ host: config.host, port: config.port, code: error.code, detail: error.message })
      ))
    server.once("error", onError)
    server.listen(config.port, config.host, () => {
      server.off("error", onError)
      // a failing socket after start must never reach the host as an uncaught exception
      server.on("error", () => {})
      resume(Effect.succeed(server))
    })
  })

const close = (server: http.Server, hub: Hub) =>
  Effect.callback<void>((resume) => {
    for (const client of hub.clients) client.res.end()
    hub.clients.clear()
    server.close(() => resume(Effect.void))
    server.closeAllConnections()
  })

interface Memo {
  refs: Map<string, ActorRef.ActorRef<any>>
  samples: Samples
  sampledAt: number
  snapshotAt: number
  events: number
}

/** Re-reads the tree with a snapshot when something happened (or once a second), else only samples it. */
const refresh = (root: ActorRef.ActorRef<any>, hub: Hub, memo: Memo, at: number) =>
  Effect.gen(function*() {
    const seconds = memo.sampledAt === 0 ? 0 : (at - memo.sampledAt) / 1000
    hub.totals.eventRate = seconds > 0 ? Math.round((hub.totals.events - memo.events) / seconds) : 0
    memo.events = hub.totals.events
    const sampler = { previous: memo.samples, next: new Map() as Samples, seconds }
    if (hub.dirty || at - memo.snapshotAt >= 1000 || hub.tree === undefined) {
      hub.dirty = false
      memo.snapshotAt = at
      const snap = yield* Effect.result(Supervisor.snapshot(root))
      if (snap._tag === "Success") {
        hub.tree = treeView(root, snap.success, sampler, hub.config.maxChildren)
        hub.treeError = undefined
        memo.refs = refsOf(root, snap.success, hub.config.maxChildren)
      } else {
        hub.tree = undefined
        hub.treeError = `the supervisor is not running (${snap.failure.message})`
        memo.refs = new Map()
      }
    } else if (hub.tree !== undefined) {
      hub.tree = resample(hub.tree, memo.refs, sampler)
    }
    memo.samples = sampler.next
    memo.sampledAt = at
  })

/** One update: take the events received since the previous one; while a page is connected, refresh and push. */
const update = (root: ActorRef.ActorRef<any>, hub: Hub, memo: Memo) =>
  Effect.gen(function*() {
    const at = yield* Clock.currentTimeMillis
    if (hub.clients.size === 0 && hub.pending.length === 0) return
    const { events, dropped } = hub.takePending()
    if (events.length > 0) {
      hub.recent = hub.recent.concat(events)
      if (hub.recent.length > hub.config.feedSize) hub.recent = hub.recent.slice(hub.recent.length - hub.config.feedSize)
    }
    if (hub.clients.size === 0) return
    yield* refresh(root, hub, memo, at)
    hub.seq++
    hub.updates++
    let message: string | undefined
    for (const client of hub.clients) {
      if (client.res.writableLength > maxUnread) {
        client.behind = true // a page that does not read: skip it rather than buffer without bound
      } else if (client.behind) {
        sendHello(hub, client, at)
      } else {
        client.res.write(message ??= sse("update", hub.state(events, dropped, at)))
      }
    }
  })

/**
 * Starts an observer of a supervisor's whole subtree in the current scope.
 *
 * Starts an observer of `supervisor` (a supervisor or dynamic supervisor, and its whole subtree)
 * in the current scope; closing the scope stops the server and ends every open page stream.
 *
 * Fails with `InvalidObserverOption` (nothing started) or `ObserverListenFailed`.
 *
 * @example
 * ```ts
 * import { Observer } from "@arbor/observer"
 * import type { Supervisor } from "@arbor/supervisor"
 * import { Effect } from "effect"
 *
 * declare const root: Supervisor.SupervisorRef
 *
 * const watched = Effect.gen(function*() {
 *   const observer = yield* Observer.serve(root, { port: 0 })
 *   console.log(`open ${observer.url}`)
 * })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const serve = (
  supervisor: ActorRef.ActorRef<any>,
  options?: ObserverOptions
): Effect.Effect<ObserverService, InvalidObserverOption | ObserverListenFailed, Scope.Scope> =>
  Effect.suspend((): Effect.Effect<ObserverService, InvalidObserverOption | ObserverListenFailed, Scope.Scope> => {
    const config = validate(options)
    return config instanceof InvalidObserverOption ? Effect.fail(config) : start(supervisor, config)
  })

const start = (supervisor: ActorRef.ActorRef<any>, config: Config) =>
  Effect.gen(function*() {
    const rootName = supervisor.label ?? "root"
    const hub = new Hub(config, rootName)
    const clock = yield* Clock.Clock
    const now = () => clock.currentTimeMillisUnsafe()
    // a supervisor that is not running has no events; the page then says so
    const subscription = yield* Effect.option(Supervisor.events(supervisor))
    if (subscription._tag === "Some") {
      yield* Effect.forkScoped(Effect.forever(Effect.flatMap(PubSub.takeAll(subscription.value), (batch) =>
        Effect.sync(() => {
          const at = now()
          for (const event of batch) hub.record(event, at)
        }))))
    }
    const server = yield* Effect.acquireRelease(listen(config, hub, now), (s) => close(s, hub))
    const memo: Memo = { refs: new Map(), samples: new Map(), sampledAt: 0, snapshotAt: 0, events: 0 }
    // the first page to connect gets a tree at once
    yield* refresh(supervisor, hub, memo, now())
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(config.interval), update(supervisor, hub, memo))))
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : config.port
    const shown = config.host.includes(":") ? `[${config.host}]` : config.host
    const service: ObserverService = {
      url: `http://${shown}:${port}/`,
      host: config.host,
      port,
      connections: () => hub.clients.size,
      updates: () => hub.updates
    }
    return service
  })

/**
 * A layer that serves the observer of a supervisor for as long as the layer lives.
 *
 * A layer that starts the supervisor (or takes a running one) and serves its observer for as
 * long as the layer lives: one line to mount it in an app.
 *
 * @example
 * ```ts
 * import { Observer } from "@arbor/observer"
 * import { Supervisor } from "@arbor/supervisor"
 *
 * const ObserverLive = Observer.layer(Supervisor.start({ strategy: "one-for-one", children: [] }), { port: 0 })
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = <E = never, R = never>(
  supervisor: ActorRef.ActorRef<any> | Effect.Effect<ActorRef.ActorRef<any>, E, R>,
  options?: ObserverOptions
): Layer.Layer<Observer, E | InvalidObserverOption | ObserverListenFailed, Exclude<R, Scope.Scope>> =>
  Layer.effect(
    Observer,
    Effect.suspend((): Effect.Effect<ObserverService, E | InvalidObserverOption | ObserverListenFailed, R | Scope.Scope> => {
      const config = validate(options)
      if (config instanceof InvalidObserverOption) return Effect.fail(config)
      const ref = Effect.isEffect(supervisor) ? supervisor as Effect.Effect<ActorRef.ActorRef<any>, E, R> : Effect.succeed(supervisor)
      return Effect.flatMap(ref, (r) => start(r, config))
    })
  ) as never
