/**
 * The race test of issue #4: a named child crashes and is restarted by a supervisor in a tight
 * loop, a fixed number of times, while other fibers look its name up and ask it things.
 *
 * - zero lookups return a dead incarnation (checked in the same synchronous step as the lookup);
 * - each incarnation is registered before its supervisor sees it (checked in `onEvent`);
 * - every ask either gets a reply or a typed error, and none waits for its timeout;
 * - the change stream shows the name strictly alternating registered / released-by-crash.
 *
 * Bounded: CYCLES crashes, no real sleeps; the only timeouts are there to turn a bug into a
 * typed failure instead of a hang.
 */
import { Actor, ActorRef } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { TestSystem } from "@arbor/testkit"
import { Child, Supervisor } from "@arbor/supervisor"
import { Effect, Exit, Fiber, Layer, Option, Stream } from "effect"
import { describe, expect, it } from "vitest"

const CYCLES = 300
const ASKERS = 8
const WATCHERS = 2

/** A small seeded PRNG (mulberry32), so every run interleaves the same way. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

type WorkerMsg =
  | Actor.Request<{ readonly _tag: "Get" }, number>
  | { readonly _tag: "Crash" }

const WorkerKey = Registry.key<WorkerMsg>()("worker")

describe("race: a named child crashing and restarting under a supervisor", () => {
  it(`S24 ${CYCLES} crash/restart cycles: no lookup returns a dead incarnation, no ask hangs`, async () => {
    let incarnations = 0
    // init and the stop hook suspend, so starting and stopping span several scheduler turns:
    // lookups and asks land while an incarnation is stopping and while the name is free
    const Worker = Actor.make<WorkerMsg>()({
      init: () => Effect.yieldNow.pipe(Effect.andThen(Effect.sync(() => ++incarnations))),
      receive: {
        Get: (n) => Actor.reply(n, n),
        Crash: () => Effect.fail("crash" as const)
      },
      onStop: () => Effect.yieldNow
    })
    const incarnationOf = new Map<ActorRef.ActorRef<never>, number>()

    const stats = {
      lookups: 0,
      found: 0,
      absent: 0,
      deadFound: 0,
      replies: 0,
      wrongIncarnation: 0,
      typedErrors: new Map<string, number>(),
      askTimeouts: 0,
      startedUnregistered: 0,
      restarts: 0
    }

    const program = Effect.gen(function*() {
      const context = yield* Effect.context<Registry.Registry>()
      /** A lookup and a liveness check in one synchronous step: nothing can run in between. */
      const lookupNow = (): Option.Option<ActorRef.ActorRef<WorkerMsg>> => {
        const found = Effect.runSync(Effect.provideContext(Registry.lookup(WorkerKey), context))
        stats.lookups++
        if (Option.isSome(found)) {
          stats.found++
          if (!ActorRef.isAliveUnsafe(found.value)) stats.deadFound++
        } else {
          stats.absent++
        }
        return found
      }

      const changes = yield* Registry.changes

      yield* Supervisor.start({
        strategy: "one-for-one",
        intensity: CYCLES * 2,
        period: "1 hour",
        children: [Child.worker({ id: "worker", start: Registry.spawn(WorkerKey, Worker), shutdown: "brutal" })],
        onEvent: (event) => {
          if (event._tag !== "ChildStarted") return
          if (event.restart) stats.restarts++
          incarnationOf.set(event.ref, incarnations)
          // the supervisor sees the new incarnation only once it holds the name
          const holder = lookupNow()
          if (Option.isNone(holder) || holder.value !== event.ref) stats.startedUnregistered++
        }
      })

      let done = false
      const asker = (seed: number) =>
        Effect.gen(function*() {
          const random = prng(seed)
          while (!done) {
            const found = lookupNow()
            if (Option.isNone(found)) {
              yield* Registry.await(WorkerKey, "5 seconds")
              continue
            }
            const exit = yield* Effect.exit(ActorRef.ask(found.value, { _tag: "Get" }, { timeout: "5 seconds" }))
            if (Exit.isSuccess(exit)) {
              stats.replies++
              if (exit.value !== incarnationOf.get(found.value)) stats.wrongIncarnation++
            } else {
              const error = Exit.findErrorOption(exit)
              if (Option.isNone(error)) return yield* Effect.die(new Error("ask ended without a typed error"))
              const tag = error.value._tag
              if (tag === "AskTimeout") stats.askTimeouts++
              stats.typedErrors.set(tag, (stats.typedErrors.get(tag) ?? 0) + 1)
            }
            // a reply resumes this fiber inside the worker's drain; yielding now and then keeps
            // the askers from ping-ponging with the worker for a whole dispatcher turn
            if (random() < 0.5) yield* Effect.yieldNow
          }
        })
      // lookups only, between every other fiber's steps: these catch the restart window
      const watcher = Effect.gen(function*() {
        while (!done) {
          lookupNow()
          yield* Effect.yieldNow
        }
      })
      const fibers = yield* Effect.forEach(
        [...Array.from({ length: ASKERS }, (_, i) => asker(i + 1)), ...Array.from({ length: WATCHERS }, () => watcher)],
        (f) => Effect.forkChild(f)
      )

      const random = prng(0)
      for (let i = 0; i < CYCLES; i++) {
        const current = yield* Registry.await(WorkerKey, "5 seconds")
        // crash it at a varying point among the askers' requests
        for (let k = Math.floor(random() * 4); k > 0; k--) yield* Effect.yieldNow
        yield* ActorRef.tell(current, { _tag: "Crash" })
        const reason = yield* ActorRef.monitor(current)
        expect(reason._tag).toBe("Failure")
      }
      const last = yield* Registry.await(WorkerKey, "5 seconds")
      done = true
      yield* Fiber.joinAll(fibers)

      // CYCLES + 1 registrations and CYCLES releases caused by the crashes, strictly alternating
      const events = yield* changes.pipe(Stream.take(2 * CYCLES + 1), Stream.runCollect)
      return { last, events }
    })

    const { last, events } = await Effect.runPromise(
      program.pipe(Effect.scoped, Effect.provide(Layer.merge(TestSystem.layer({ clock: "live" }), Registry.layer)))
    )

    expect(incarnations).toBe(CYCLES + 1)
    expect(stats.restarts).toBe(CYCLES)
    expect(stats.deadFound).toBe(0)
    expect(stats.startedUnregistered).toBe(0)
    expect(stats.askTimeouts).toBe(0)
    expect(stats.wrongIncarnation).toBe(0)
    // the race was really run: lookups hit live incarnations and restart windows, and asks
    // were caught by crashes
    console.log(`registry race: ${JSON.stringify({ ...stats, typedErrors: Object.fromEntries(stats.typedErrors) })}`)
    expect(stats.found).toBeGreaterThan(0)
    expect(stats.absent).toBeGreaterThan(0)
    expect(stats.replies).toBeGreaterThan(0)
    expect(stats.typedErrors.get("ActorExited") ?? 0).toBeGreaterThan(0)
    // the only typed errors an ask may see here: the incarnation ended before replying
    for (const tag of stats.typedErrors.keys()) expect(["ActorExited", "ActorNotAlive"]).toContain(tag)

    expect(events.length).toBe(2 * CYCLES + 1)
    events.forEach((e, i) => {
      if (i % 2 === 0) {
        expect(e._tag).toBe("Registered")
      } else {
        expect(e._tag).toBe("Unregistered")
        if (e._tag === "Unregistered") {
          expect(e.cause._tag).toBe("Exited")
          expect(e.ref).toBe(events[i - 1]!.ref)
        }
      }
    })
    expect(events[2 * CYCLES]!.ref).toBe(last)
  })
})
