/**
 * The client's scenario, against any cluster that can answer `Handle` and any way of killing and
 * restarting runners: steady requests to every actor, then a SIGKILL of the runner owning the
 * most actors, the failover to the survivors, the restart and the rebalance, then a drain of
 * the requests in flight. Every phase ends on what it waits for, or at its bound.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Clock from "effect/Clock"
import type { ActorView, Counts, Event, FrameData, RunnerView } from "./view.ts"
import { list } from "./view.ts"

/** How the scenario reaches the cluster. */
export interface Cluster {
  /** One attempt: actor `actor` handles request `id` and says which runner answered; fails on any error or timeout. */
  readonly handle: (actor: string, id: string) => Effect.Effect<{ readonly runner: string }, string>
  /** Sends SIGKILL to the named runner's process and waits until it is gone. */
  readonly kill: (runner: string) => Effect.Effect<void>
  /** Starts the named runner again (a new process) and waits until it is serving. */
  readonly restart: (runner: string) => Effect.Effect<void, string>
  /** The runners now. */
  readonly runners: () => ReadonlyArray<RunnerView>
}

export interface ScenarioOptions {
  readonly actors: ReadonlyArray<string>
  /** The longest the traffic runs, in seconds (the drain comes after). */
  readonly seconds: number
  readonly database: string
  /** Event times count from this moment (epoch milliseconds, as the `Clock` reads). Default: the scenario's start. */
  readonly origin?: number
  /** How long one attempt may take before it is retried. Default 4 s. */
  readonly attemptTimeoutMillis?: number
  /** Pause between two requests of one actor. Default 200 ms. */
  readonly pauseMillis?: number
  /** The longest the drain waits for requests in flight. Default 20 s. */
  readonly drainMillis?: number
  readonly onEvent?: (e: Event) => void
  readonly onFrame?: (frame: FrameData) => void
  readonly frameEveryMillis?: number
}

/** What the scenario saw; the journals say the rest. */
export interface Outcome {
  readonly issued: ReadonlyArray<string>
  readonly acknowledged: ReadonlySet<string>
  readonly retried: number
  readonly killed: { readonly runner: string; readonly at: number; readonly owned: ReadonlyArray<string> } | undefined
  readonly failover: ReadonlyArray<{ readonly actor: string; readonly afterMillis: number; readonly by: string }>
  readonly restarted: { readonly runner: string; readonly at: number } | undefined
  readonly rebalance: { readonly actors: ReadonlyArray<string>; readonly firstAfterMillis: number } | undefined
  readonly actors: ReadonlyArray<ActorView>
  readonly events: ReadonlyArray<Event>
}

interface Track {
  id: string
  owner: string | undefined
  lastAnsweredAt: number | undefined
  /** When the request now waiting was first sent, if one is waiting. */
  waitingSince: number | undefined
  acknowledged: number
  /** Whether the current waiting episode has reported a failed attempt already. */
  reportedFailure: boolean
}

export const run = (cluster: Cluster, options: ScenarioOptions): Effect.Effect<Outcome> =>
  Effect.gen(function*() {
    const attemptTimeout = options.attemptTimeoutMillis ?? 4000
    const pause = options.pauseMillis ?? 200
    const drainMillis = options.drainMillis ?? 20_000
    const start = options.origin ?? (yield* Clock.currentTimeMillis)
    const now = () => Clock.currentTimeMillis.pipe(Effect.map((t) => t - start))
    const tracks = options.actors.map((id): Track => ({ id, owner: undefined, lastAnsweredAt: undefined, waitingSince: undefined, acknowledged: 0, reportedFailure: false }))
    const events: Array<Event> = []
    const issued: Array<string> = []
    const acknowledged = new Set<string>()
    const counts = { acknowledged: 0, retried: 0 }
    let phase = "warming up: every actor answers once"
    let traffic = true
    /** When the drain ends: no retry after it. */
    let drainEnd = Number.POSITIVE_INFINITY
    let killed: Outcome["killed"]
    let restarted: Outcome["restarted"]
    const failover: Array<{ actor: string; afterMillis: number; by: string }> = []
    const movedBack: Array<string> = []
    let firstBack: number | undefined
    let lastMove = 0

    const emit = (at: number, text: string) => {
      const e = { at, text }
      events.push(e)
      options.onEvent?.(e)
    }

    /** One actor's requests, one at a time, each retried with the same id until it is acknowledged. */
    const client = (t: Track) =>
      Effect.gen(function*() {
        let n = 0
        while (traffic) {
          const id = `${t.id}-${++n}`
          issued.push(id)
          t.waitingSince = yield* now()
          t.reportedFailure = false
          while (true) {
            const attempt = yield* Effect.result(
              cluster.handle(t.id, id).pipe(
                Effect.timeoutOrElse({ duration: attemptTimeout, orElse: () => Effect.fail(`no answer within ${attemptTimeout / 1000}s`) })
              )
            )
            const at = yield* now()
            if (attempt._tag === "Success") {
              acknowledged.add(id)
              counts.acknowledged++
              t.acknowledged++
              const by = attempt.success.runner
              if (t.owner !== undefined && by !== t.owner) {
                lastMove = at
                if (killed !== undefined && restarted === undefined && t.owner === killed.runner) {
                  failover.push({ actor: t.id, afterMillis: at - killed.at, by })
                  emit(at, `${t.id} answered from ${by} (it was on ${t.owner}; ${((at - killed.at) / 1000).toFixed(1)}s after the kill)`)
                } else if (restarted !== undefined && by === restarted.runner) {
                  if (!movedBack.includes(t.id)) movedBack.push(t.id)
                  firstBack ??= at
                  emit(at, `${t.id} moved from ${t.owner} to ${by} (rebalance, ${((at - restarted.at) / 1000).toFixed(1)}s after the restart)`)
                } else {
                  emit(at, `${t.id} moved from ${t.owner} to ${by}`)
                }
              }
              t.owner = by
              t.lastAnsweredAt = at
              t.waitingSince = undefined
              break
            }
            counts.retried++
            if (!t.reportedFailure) {
              t.reportedFailure = true
              const why = attempt.failure.length > 90 ? `${attempt.failure.slice(0, 89)}…` : attempt.failure
              emit(at, `${t.id}: attempt failed (${why}); retrying request ${id}`)
            }
            // a retry after the drain's end would never be counted: give up, it is reported lost
            if (!traffic && at > drainEnd) return
            yield* Effect.sleep(250)
          }
          yield* Effect.sleep(pause)
        }
      })
    const frame = (elapsed: number): FrameData => ({
      elapsed,
      seconds: options.seconds,
      phase,
      runners: cluster.runners(),
      actors: tracks.map((t) => ({ ...t })),
      counts: { ...counts } satisfies Counts,
      recent: events.slice(-4)
    })

    const clients = yield* Effect.forEach(tracks, (t) => Effect.forkChild(client(t)))
    const drawer = options.onFrame === undefined ? undefined : yield* Effect.forkChild(Effect.forever(
      Effect.gen(function*() {
        options.onFrame!(frame(yield* now()))
        yield* Effect.sleep(options.frameEveryMillis ?? 250)
      })
    ))

    // the phases' bounds count from the start of the traffic, whatever the origin of the times
    const t0 = yield* now()
    const limit = t0 + options.seconds * 1000
    const bound = (fraction: number) => t0 + options.seconds * 1000 * fraction
    /** Waits until `done()` holds (checked every 100 ms) or the time is `until`; true when it held. */
    const waitFor = (done: () => boolean, until: number) =>
      Effect.gen(function*() {
        while (!done()) {
          if ((yield* now()) >= until) return false
          yield* Effect.sleep(100)
        }
        return true
      })
    const ownedBy = (runner: string) => tracks.filter((t) => t.owner === runner).map((t) => t.id).sort()

    // 1. every actor answers once, and a moment more of steady traffic
    const warm = yield* waitFor(() => tracks.every((t) => t.owner !== undefined), bound(0.3))
    if (warm) yield* Effect.sleep(2000)
    emit(yield* now(), warm ? `every actor answered: ${cluster.runners().map((r) => `${r.name} owns ${ownedBy(r.name).join(" ") || "none"}`).join("; ")}` : "not every actor answered in time; going on")

    // 2. SIGKILL the runner that owns the most actors
    const victim = [...cluster.runners()].sort((a, b) => ownedBy(b.name).length - ownedBy(a.name).length)[0]!
    const owned = ownedBy(victim.name)
    yield* cluster.kill(victim.name)
    killed = { runner: victim.name, at: yield* now(), owned }
    phase = `${victim.name} killed with SIGKILL; waiting for ${owned.length === 0 ? "nothing" : list(owned)} to answer from the survivors`
    emit(killed.at, `killed ${victim.name} (pid ${victim.pid}) with SIGKILL; it owned ${owned.length === 0 ? "no actor" : list(owned)}`)
    const failedOver = yield* waitFor(() => owned.every((id) => failover.some((f) => f.actor === id)), bound(0.65))
    emit(yield* now(), owned.length === 0
      ? "failover: nothing to move"
      : failedOver
      ? `failover done: ${list(owned)} answered from the survivors`
      : `failover not complete by ${(bound(0.65) / 1000).toFixed(0)}s: ${owned.filter((id) => !failover.some((f) => f.actor === id)).join(" ")} still waiting`)

    // 3. restart it, and wait for the rebalance: an actor back on it, then 3 s without a move
    phase = `restarting ${victim.name}`
    yield* Effect.sleep(1000)
    emit(yield* now(), `starting ${victim.name} again`)
    const restartedOk = yield* Effect.result(cluster.restart(victim.name))
    if (restartedOk._tag === "Failure") {
      emit(yield* now(), `could not restart ${victim.name}: ${restartedOk.failure}`)
    } else {
      restarted = { runner: victim.name, at: yield* now() }
      phase = `${victim.name} restarted; waiting for the rebalance`
      emit(restarted.at, `${victim.name} is serving again (pid ${cluster.runners().find((r) => r.name === victim.name)?.pid}); the shards rebalance`)
      yield* Effect.gen(function*() {
        while (true) {
          const t = yield* now()
          if (t >= limit) return
          if (firstBack !== undefined && t - lastMove >= 3000) return
          yield* Effect.sleep(100)
        }
      })
      emit(yield* now(), firstBack === undefined
        ? `no actor moved to ${victim.name} by the end`
        : `rebalance done: ${cluster.runners().map((r) => `${r.name} owns ${ownedBy(r.name).join(" ") || "none"}`).join("; ")}`)
    }

    // 4. no new requests; the ones in flight get up to drainMillis
    traffic = false
    const stopAt = yield* now()
    drainEnd = stopAt + drainMillis
    phase = "traffic stopped; waiting for the requests in flight"
    emit(stopAt, `traffic stopped; ${plural(tracks.filter((t) => t.waitingSince !== undefined).length)} in flight`)
    yield* Effect.raceFirst(
      Effect.asVoid(Fiber.joinAll(clients)),
      Effect.sleep(drainMillis + attemptTimeout + 1000)
    )
    yield* Fiber.interruptAll(clients)
    if (drawer !== undefined) {
      options.onFrame!(frame(yield* now()))
      yield* Fiber.interrupt(drawer)
    }
    return {
      issued,
      acknowledged,
      retried: counts.retried,
      killed,
      failover: failover.slice().sort((a, b) => a.actor < b.actor ? -1 : 1),
      restarted,
      rebalance: firstBack === undefined || restarted === undefined ? undefined : { actors: movedBack.slice().sort(), firstAfterMillis: firstBack - restarted.at },
      actors: tracks.map((t) => ({ ...t })),
      events
    }
  })

const plural = (n: number) => `${n} ${n === 1 ? "request" : "requests"}`
