/**
 * The chaos run: clients place orders through the pipeline while a seeded fault injector
 * crashes random actors; supervision events are counted, the tree is rendered on every frame,
 * and at the end every acknowledged order is looked up in the store.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { ActorRef, ActorSystem, ExitReason, Reports } from "@arbor/core"
import { Observer } from "@arbor/observer"
import { Registry } from "@arbor/registry"
import { DynamicSupervisor, Supervisor } from "@arbor/supervisor"
import type { SupervisionEvent } from "@arbor/supervisor"
import { Faults } from "@arbor/testkit"
import type { Order } from "./system.ts"
import { Names, OrderStore, startTree } from "./system.ts"
import { renderFrame } from "./view.ts"

export interface ChaosOptions {
  readonly seconds: number
  readonly seed: number
  readonly clients: number
  /** Mean time between injected faults. */
  readonly faultEveryMillis: number
  /** Called with a rendering of the tree and the counters, every `frameEveryMillis`. */
  readonly onFrame?: (frame: string) => void
  readonly frameEveryMillis?: number
  /** Serve the live tree in a browser (`@arbor/observer`) with these options while the demo runs. */
  readonly observe?: Observer.ObserverOptions
  /** Called with the observer's address once it listens. */
  readonly onObserving?: (url: string) => void
  /** Frames with ANSI colours (default `true`); `false` for plain text. */
  readonly color?: boolean
}

/**
 * A recent event of the run, in the terms the live view prints: who crashed (or gave up), with
 * what, and who restarted it (once it has been).
 */
export interface Incident {
  readonly kind: "crash" | "give-up"
  /** The child (or supervisor) path, `/`-separated. */
  readonly path: string
  /** The exit reason (`failure(Error: …)`, `killed`), or what the supervisor exceeded. */
  readonly reason: string
  /** Milliseconds since the run started. */
  readonly atMillis: number
  /** The supervisor that started it again, once one has. */
  restartedBy?: string
  /** The incarnation it was started again as. */
  incarnation?: number
}

export interface Summary {
  readonly seed: number
  readonly seconds: number
  /** Crashes and failed starts injected (slowed messages are counted apart). */
  readonly faults: number
  readonly faultsByKind: Readonly<Record<string, number>>
  readonly slowedMessages: number
  readonly restarts: number
  readonly failedStarts: number
  readonly escalations: number
  readonly acknowledged: number
  readonly retriedAttempts: number
  readonly lost: number
  readonly storeSize: number
  readonly aliveAfterShutdown: number
  /** The newest incidents (at most 20), newest last. */
  readonly recent: ReadonlyArray<Incident>
}

export interface Stats {
  restarts: number
  failedStarts: number
  escalations: number
  acknowledged: number
  retriedAttempts: number
}

const orderTimeout = { timeout: "2 seconds" } as const

/**
 * The services the chaos run needs, over `system` (the actor system's layer, `ActorSystem.layer`
 * by default; a test passes `TestSystem.layer()` to drive the run with `TestSystem.advance`).
 * The demo shows crashes in its own live view and events line, so Arbor's crash reports (a log
 * record with a stack per crash, a hundred a second here) are turned off for the whole world.
 */
export const chaosWorld = (
  system: Layer.Layer<ActorSystem.ActorSystem> = ActorSystem.layer
): Layer.Layer<ActorSystem.ActorSystem | Registry.Registry | OrderStore> =>
  Layer.mergeAll(system, Registry.layer, OrderStore.layer).pipe(Layer.provideMerge(Layer.orDie(Reports.layer(false)))) as never

/** Runs the chaos demo in a world of its own (its actor system from `system`) and returns the summary. */
export const runChaos = (
  options: ChaosOptions,
  system: Layer.Layer<ActorSystem.ActorSystem> = ActorSystem.layer
): Effect.Effect<Summary, Observer.InvalidObserverOption | Observer.ObserverListenFailed> =>
  chaos(options).pipe(Effect.provide(chaosWorld(system)))

/** The chaos run in the world it is given ({@link chaosWorld}); {@link runChaos} provides one. */
export const chaos = (
  options: ChaosOptions
): Effect.Effect<Summary, Observer.InvalidObserverOption | Observer.ObserverListenFailed, ActorSystem.ActorSystem | Registry.Registry | OrderStore> =>
  Effect.gen(function*() {
    const faults = Faults.makeInjector(options.seed)
    const stats: Stats = { restarts: 0, failedStarts: 0, escalations: 0, acknowledged: 0, retriedAttempts: 0 }
    const acked: Array<number> = []
    const clock = yield* Clock.Clock
    const startedAt = clock.currentTimeMillisUnsafe()
    const recent: Array<Incident> = []
    const open = new Map<string, Incident>() // incidents not yet followed by a start, by path
    const note = (incident: Incident) => {
      recent.push(incident)
      if (recent.length > 20) recent.shift()
      open.set(incident.path, incident)
    }
    const onEvent = (e: SupervisionEvent.SupervisionEvent) => {
      const sup = e.supervisor.length === 0 ? "root" : e.supervisor.join("/")
      const atMillis = clock.currentTimeMillisUnsafe() - startedAt
      if (e._tag === "ChildStarted") {
        if (e.restart) stats.restarts++
        const path = [...e.supervisor, e.child].join("/")
        const incident = open.get(path)
        if (incident !== undefined) {
          incident.restartedBy = sup
          incident.incarnation = e.incarnation
          open.delete(path)
        }
      } else if (e._tag === "ChildStartFailed") stats.failedStarts++
      else if (e._tag === "ChildExited" && ExitReason.isAbnormal(e.reason)) {
        note({ kind: "crash", path: [...e.supervisor, e.child].join("/"), reason: ExitReason.format(e.reason), atMillis })
      } else if (e._tag === "RestartIntensityExceeded") {
        stats.escalations++
        note({
          kind: "give-up",
          path: sup,
          reason: `more than ${e.intensity === 1 ? "1 restart" : `${e.intensity} restarts`} in ${e.periodMillis / 1000}s`,
          atMillis
        })
      }
    }
    const system = yield* ActorSystem.ActorSystem
    const store = yield* OrderStore

    yield* Effect.scoped(Effect.gen(function*() {
      const { root, sessions } = yield* startTree(faults, onEvent)
      if (options.observe !== undefined) {
        const observer = yield* Observer.serve(root, options.observe)
        options.onObserving?.(observer.url)
      }
      const start = yield* Clock.currentTimeMillis
      const deadline = start + options.seconds * 1000
      const running = Effect.map(Clock.currentTimeMillis, (now) => now < deadline)
      let nextOrder = 1

      const placeOrder = (sessionId: string, order: Order): Effect.Effect<void, never, any> =>
        Effect.gen(function*() {
          while (true) {
            const found = yield* Registry.lookup(Names.session(sessionId))
            let ref = found._tag === "Some" ? found.value : undefined
            if (ref === undefined) {
              const sup = sessions()
              if (sup !== undefined && ActorRef.isAliveUnsafe(sup)) {
                yield* Effect.ignore(DynamicSupervisor.startChild(sup, sessionId))
              }
              const again = yield* Registry.lookup(Names.session(sessionId))
              ref = again._tag === "Some" ? again.value : undefined
            }
            if (ref !== undefined) {
              const result = yield* Effect.exit(ActorRef.ask(ref, { _tag: "Place", order }, orderTimeout))
              if (result._tag === "Success") {
                acked.push(order.id)
                stats.acknowledged++
                return
              }
            }
            // not acknowledged: the order is retried (same id) until it is, or time is up
            stats.retriedAttempts++
            if (!(yield* running)) return
            yield* Effect.sleep("10 millis")
          }
        })

      const client = (c: number) =>
        Effect.gen(function*() {
          let placed = 0
          while (yield* running) {
            const sessionId = `c${c}-${Math.floor(placed / 40)}`
            const order: Order = { id: nextOrder++, session: sessionId, amount: 1 + (placed % 97) }
            yield* placeOrder(sessionId, order)
            placed++
            if (placed % 40 === 0) {
              // the session is over: its customer left
              const old = yield* Registry.lookup(Names.session(sessionId))
              const sup = sessions()
              if (old._tag === "Some" && sup !== undefined) {
                yield* Effect.ignore(DynamicSupervisor.terminateChild(sup, old.value))
              }
            }
            yield* Effect.sleep("2 millis")
          }
        })

      const victims = Effect.gen(function*() {
        const snap = yield* Effect.option(Supervisor.snapshot(root))
        const workers: Array<ActorRef.ActorRef<any>> = []
        const supervisors: Array<ActorRef.ActorRef<any>> = []
        const walk = (s: Supervisor.Snapshot) => {
          for (const child of s.children) {
            if (child.ref === undefined || child.status !== "running") continue
            if (child.supervisor !== undefined) {
              supervisors.push(child.ref)
              walk(child.supervisor)
            } else workers.push(child.ref)
          }
        }
        if (snap._tag === "Some") walk(snap.value)
        return { workers, supervisors }
      })

      const chaos = Effect.gen(function*() {
        while (yield* running) {
          yield* Effect.sleep(Math.max(1, Math.round(options.faultEveryMillis * (0.5 + faults.random()))))
          const { workers, supervisors } = yield* victims
          if (workers.length === 0) continue
          // mostly workers; now and then a whole supervisor is killed
          if (supervisors.length > 0 && faults.random() < 0.04) {
            yield* Effect.orDie(Faults.kill(faults, faults.pick(supervisors)))
            continue
          }
          const reason = faults.pick(["failure", "defect", "throw", "kill", "kill"] as const)
          // every worker is built with Faults.define; crash waits until the victim has ended
          yield* Effect.orDie(Faults.crash(faults, faults.pick(workers) as Faults.FaultyRef, reason))
        }
      })

      const frames = Effect.gen(function*() {
        const onFrame = options.onFrame
        if (onFrame === undefined) return
        while (yield* running) {
          const snap = yield* Effect.option(Supervisor.snapshot(root))
          const now = yield* Clock.currentTimeMillis
          onFrame(renderFrame(snap._tag === "Some" ? snap.value : undefined, {
            ...stats,
            faults: faults.log.filter((f) => f.kind !== "delay").length,
            elapsed: (now - start) / 1000,
            seconds: options.seconds,
            seed: options.seed,
            recent
          }, { color: options.color ?? true }))
          yield* Effect.sleep(options.frameEveryMillis ?? 100)
        }
      })

      const workers = yield* Effect.forkChild(
        Effect.all([
          Effect.forEach(Array.from({ length: options.clients }, (_, i) => i), client, { concurrency: "unbounded" }),
          chaos,
          frames
        ], { concurrency: "unbounded" })
      )
      yield* Fiber.join(workers)
    }))

    const lost = acked.filter((id) => !store.has(id)).length
    const faultsByKind: Record<string, number> = {}
    let slowedMessages = 0
    for (const f of faults.log) {
      if (f.kind === "delay") {
        slowedMessages++
        continue
      }
      const k = f.kind === "crash" ? `crash:${f.reason}` : f.kind
      faultsByKind[k] = (faultsByKind[k] ?? 0) + 1
    }
    return {
      seed: options.seed,
      seconds: options.seconds,
      faults: faults.log.length - slowedMessages,
      faultsByKind,
      slowedMessages,
      restarts: stats.restarts,
      failedStarts: stats.failedStarts,
      escalations: stats.escalations,
      acknowledged: stats.acknowledged,
      retriedAttempts: stats.retriedAttempts,
      lost,
      storeSize: store.size(),
      aliveAfterShutdown: (yield* system.liveActors),
      recent
    }
  }) as never // startTree's spec errors cannot happen for the demo's fixed tree
