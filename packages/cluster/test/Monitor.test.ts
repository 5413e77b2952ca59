/**
 * Location-transparent refs: a ref stands for one remote incarnation; monitor, watch, link and
 * the local Registry work on it as on a local actor, and its end carries a typed `RemoteDown`
 * reason (restarted / moved / noconnection / stopped). Time is the TestClock's.
 */
import { Actor, ActorRef, Errors, ExitReason } from "@arbor/core"
import type { Actor as ActorNs } from "@arbor/core"
import { ClusterActor, ClusterRef, ClusterRegistry, RemoteDown } from "@arbor/cluster"
import { Registry } from "@arbor/registry"
import { TestSystem } from "@arbor/testkit"
import { Cause, Effect, Exit, Layer, Option, Scope } from "effect"
import { describe, expect, it } from "vitest"
import { Counter, CounterProtocol } from "./fixtures/counter.ts"
import type { CounterMsg } from "./fixtures/counter.ts"
import { run } from "./utils.ts"

const downOf = (reason: ExitReason.ExitReason | undefined): RemoteDown | undefined => {
  if (reason?._tag !== "Failure") return undefined
  const e = Cause.squash(reason.cause)
  return e instanceof RemoteDown ? e : undefined
}

describe("ClusterRef: monitors report the remote incarnation's end", () => {
  it("an in-entity crash: monitor reports RemoteDown(restarted); a new ref reaches the new incarnation in the same activation", async () => {
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a")
        yield* ActorRef.tell(a, { _tag: "Add", n: 2 })
        yield* ActorRef.tell(a, { _tag: "Crash", message: "boom" })
        const reason = yield* ActorRef.monitor(a)
        const again = yield* ClusterRef.ref(CounterProtocol, "a")
        const n = yield* ActorRef.ask(again, { _tag: "Get" })
        return { down: downOf(reason), n }
      }),
      ClusterActor.host(CounterProtocol, Counter)
    )
    expect(out.down?.why).toBe("restarted")
    expect(out.down?.entity).toBe("Counter/a")
    expect(out.down?.detail).toContain("boom")
    expect(out.n).toBe(0) // fresh state, no replay of the crashing message
  })

  it("a reply from a newer activation is delivered, then the ref ends with RemoteDown(moved)", async () => {
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a", { watch: false })
        yield* ActorRef.tell(a, { _tag: "Add", n: 3 })
        const first = yield* ActorRef.ask(a, { _tag: "Get" })
        for (let i = 0; i < 3; i++) yield* TestSystem.advance("10 seconds") // idle: passivated
        const second = yield* ActorRef.ask(a, { _tag: "Get" }) // re-activates it elsewhere (fresh state)
        const reason = yield* ActorRef.monitor(a)
        return { first, second, down: downOf(reason) }
      }),
      ClusterActor.host(CounterProtocol, Counter, { restart: "transient", maxIdleTime: "15 seconds" })
    )
    expect(out.first).toBe(3)
    expect(out.second).toBe(0)
    expect(out.down?.why).toBe("moved")
  })

  it("the activation ends while watched (its host leaves): monitor reports RemoteDown(moved)", async () => {
    const out = await run(Effect.gen(function*() {
      const hostScope = yield* Scope.make()
      yield* Layer.buildWithScope(ClusterActor.host(CounterProtocol, Counter), hostScope)
      const a = yield* ClusterRef.ref(CounterProtocol, "a")
      yield* ActorRef.ask(a, { _tag: "Get" })
      yield* Effect.forkChild(Scope.close(hostScope, Exit.void))
      for (let i = 0; i < 10 && ActorRef.isAliveUnsafe(a); i++) yield* TestSystem.advance("1 second")
      const reason = yield* ActorRef.monitor(a)
      return downOf(reason)
    }))
    expect(out?.why).toBe("moved")
  })

  it("silence for downAfter (no watch item, no heartbeat): RemoteDown(noconnection)", async () => {
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a", { downAfter: "2 seconds" })
        yield* TestSystem.advance("1 second")
        const aliveAfter1s = ActorRef.isAliveUnsafe(a)
        yield* TestSystem.advance("2 seconds")
        return { aliveAfter1s, down: downOf(ActorRef.exitReasonUnsafe(a)) }
      }),
      ClusterActor.host(CounterProtocol, Counter, { watchHeartbeat: "1 hour" })
    )
    expect(out.aliveAfter1s).toBe(true)
    expect(out.down?.why).toBe("noconnection")
  })

  it("heartbeats keep a watching ref alive without traffic", async () => {
    const alive = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a", { downAfter: "3 seconds" })
        for (let i = 0; i < 20; i++) yield* TestSystem.advance("1 second")
        return ActorRef.isAliveUnsafe(a)
      }),
      ClusterActor.host(CounterProtocol, Counter, { watchHeartbeat: "1 second" })
    )
    expect(alive).toBe(true)
  })

  it("a lookup while the in-entity supervisor has given up fails with RemoteDown(stopped)", async () => {
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a")
        yield* ActorRef.tell(a, { _tag: "Crash", message: "once" }) // intensity 0: gives up at once
        yield* ActorRef.monitor(a)
        yield* TestSystem.untilIdle
        return yield* ClusterRef.ref(CounterProtocol, "a").pipe(Effect.flip)
      }),
      ClusterActor.host(CounterProtocol, Counter, { intensity: 0, rebuild: { delay: "1 hour" } })
    )
    expect(out).toBeInstanceOf(RemoteDown)
    expect((out as RemoteDown).why).toBe("stopped")
  })
})

describe("ClusterRef: the proxy is an ordinary ActorRef (links, watch, Registry)", () => {
  it("link and watch: a linked actor ends with the RemoteDown reason, a trapping watcher is told; no distributed link back", async () => {
    const out = await run(
      Effect.gen(function*() {
        const signals: Array<ActorNs.Signal> = []
        const Observer = Actor.make<{ readonly _tag: "Noop" }>()({
          init: () => Effect.succeed(0),
          trapExit: true,
          receive: { Noop: (s) => s },
          onSignal: (s, signal) => {
            signals.push(signal)
            return s
          }
        })
        const Plain = Actor.make<{ readonly _tag: "Noop" }>()({ init: () => Effect.succeed(0), receive: { Noop: (s) => s } })
        // 1. the remote side ends: local linked actors end with its reason
        const a = yield* ClusterRef.ref(CounterProtocol, "a")
        const observer = yield* Actor.spawn(Observer)
        const linked = yield* Actor.spawn(Plain)
        yield* ActorRef.link(linked, a)
        yield* ActorRef.watch(observer, a)
        yield* ActorRef.tell(a, { _tag: "Crash", message: "remote" })
        const reason = yield* ActorRef.monitor(a)
        const linkedReason = yield* ActorRef.monitor(linked)
        yield* TestSystem.untilIdle
        // 2. the local side ends: the proxy ends with it, the remote actor does not
        const b = yield* ClusterRef.ref(CounterProtocol, "b")
        yield* ActorRef.tell(b, { _tag: "Add", n: 5 })
        yield* ActorRef.ask(b, { _tag: "Get" })
        const local = yield* Actor.spawn(Plain)
        yield* ActorRef.link(local, b)
        yield* ActorRef.kill(local)
        const proxyReason = yield* ActorRef.monitor(b)
        const b2 = yield* ClusterRef.ref(CounterProtocol, "b")
        const remoteCount = yield* ActorRef.ask(b2, { _tag: "Get" })
        return { reason, linkedReason, signals, proxyReason, remoteCount }
      }),
      ClusterActor.host(CounterProtocol, Counter)
    )
    expect(downOf(out.reason)?.why).toBe("restarted")
    expect(out.linkedReason).toBe(out.reason)
    expect(out.signals.map((s) => s._tag)).toEqual(["Down"])
    expect(out.signals[0]!.reason).toBe(out.reason)
    expect(out.proxyReason._tag).toBe("Killed")
    expect(out.remoteCount).toBe(5) // the remote actor never heard of the local link
  })

  it("the local Registry names a proxy; the name is freed when the remote incarnation is down", async () => {
    const key = Registry.key<CounterMsg>()("counter-a")
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a")
        yield* Registry.register(key, a)
        const found = yield* Registry.lookup(key)
        const n = yield* ActorRef.ask(Option.getOrThrow(found), { _tag: "Get" })
        yield* ActorRef.tell(a, { _tag: "Crash", message: "gone" })
        yield* ActorRef.monitor(a)
        const after = yield* Registry.lookup(key)
        return { same: Option.getOrUndefined(found) === a, n, freed: Option.isNone(after) }
      }).pipe(Effect.provide(Registry.layer)),
      ClusterActor.host(CounterProtocol, Counter)
    )
    expect(out).toEqual({ same: true, n: 0, freed: true })
  })

  it("an ask in flight when the incarnation ends fails with ActorExited(Failure(RemoteDown)), not a timeout", async () => {
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a")
        return yield* ActorRef.ask(a, { _tag: "CrashAsk", message: "in flight" }, { timeout: "1 hour" }).pipe(Effect.flip)
      }),
      ClusterActor.host(CounterProtocol, Counter)
    )
    expect(out).toBeInstanceOf(Errors.ActorExited)
    expect(downOf((out as Errors.ActorExited).reason)?.why).toBe("restarted")
  })
})

describe("ClusterRegistry", () => {
  it("lookup caches the live proxy per (protocol, id) and replaces a dead one", async () => {
    const out = await run(
      Effect.gen(function*() {
        const a1 = yield* ClusterRegistry.lookup(CounterProtocol, "a")
        const a2 = yield* ClusterRegistry.lookup(CounterProtocol, "a")
        const b = yield* ClusterRegistry.lookup(CounterProtocol, "b")
        const size = yield* ClusterRegistry.ClusterRegistry.use((r) => r.size)
        yield* ActorRef.tell(a1, { _tag: "Crash", message: "x" })
        yield* ActorRef.monitor(a1)
        const a3 = yield* ClusterRegistry.lookup(CounterProtocol, "a")
        const n = yield* ActorRef.ask(a3, { _tag: "Get" })
        return { same: a1 === a2, distinct: a1 !== b, size, replaced: a3 !== a1 && ActorRef.isAliveUnsafe(a3), n }
      }).pipe(Effect.provide(ClusterRegistry.layer)),
      ClusterActor.host(CounterProtocol, Counter)
    )
    expect(out).toEqual({ same: true, distinct: true, size: 2, replaced: true, n: 0 })
  })
})

describe("persisted messages", () => {
  it("a persisted request with a primary key is processed once: a duplicate gets the first reply", async () => {
    const out = await run(
      Effect.gen(function*() {
        const a = yield* ClusterRef.ref(CounterProtocol, "a", { watch: false })
        const first = yield* ActorRef.ask(a, { _tag: "Bump", key: "k1", n: 5 })
        const duplicate = yield* ActorRef.ask(a, { _tag: "Bump", key: "k1", n: 5 })
        const other = yield* ActorRef.ask(a, { _tag: "Bump", key: "k2", n: 1 })
        return { first, duplicate, other, count: yield* ActorRef.ask(a, { _tag: "Get" }) }
      }),
      ClusterActor.host(CounterProtocol, Counter)
    )
    expect(out).toEqual({ first: 5, duplicate: 5, other: 6, count: 6 })
  })
})
