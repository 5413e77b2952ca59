/**
 * Failures inside one entity on a real runner process: a crash is restarted in place by the
 * in-entity supervisor (new incarnation, same activation, a monitor gets DOWN, the crashing
 * message is not replayed), and exceeding the in-entity restart intensity makes the entity
 * unavailable, rebuilt once, then given up — while the runner and its other entities go on.
 */
import { ActorRef } from "@arbor/core"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { afterEach, describe, expect, it } from "vitest"
import { ClusterRef } from "../../src/index.ts"
import { get, remoteDown, remoteError, value } from "./client.ts"
import type { TestCluster } from "./cluster.ts"
import { testCluster } from "./context.ts"
import { Counter, Fragile } from "./fixtures/protocols.ts"
import { killOwn, until } from "./harness.ts"
import type { Line, Proc } from "./harness.ts"

let tc: TestCluster | undefined
afterEach(async () => {
  await killOwn()
  await tc?.close()
  tc = undefined
})

const hostEvents = (p: Proc, entity: string): Array<Record<string, unknown>> =>
  p.of("host").map((l: Line) => l.msg["ev"] as Record<string, unknown>).filter((e) => e["entity"] === entity)

describe("inside an entity (PostgreSQL, one runner)", () => {
  it("a crash: new incarnation in the same activation, a monitor gets DOWN(restarted), fresh state, no replay", async () => {
    tc = await testCluster("crash")
    const t = tc
    const runner = await t.runner("runner")
    const entity = `${Counter.name}/x`
    const result = await t.run(Effect.gen(function*() {
      const ref = yield* ClusterRef.ref(Counter, "x")
      yield* ActorRef.tell(ref, { _tag: "Add", n: 5 })
      const before = yield* ActorRef.ask(ref, { _tag: "Get" }, { timeout: "10 seconds" })
      const down = yield* Effect.forkChild(ActorRef.monitor(ref))
      yield* ActorRef.tell(ref, { _tag: "Crash" })
      const reason = yield* Fiber.join(down).pipe(Effect.timeout("10 seconds"))
      const fresh = yield* ClusterRef.ref(Counter, "x")
      const after = yield* ActorRef.ask(fresh, { _tag: "Get" }, { timeout: "10 seconds" })
      return { before, reason, after }
    }))
    expect(result.before).toEqual({ pid: runner.pid, count: 5 })
    expect(remoteDown(result.reason)?.why).toBe("restarted")
    expect(result.after).toEqual({ pid: runner.pid, count: 0 })

    await new Promise((r) => setTimeout(r, 1500)) // room for a replay, were there one
    const events = hostEvents(runner, entity)
    const activated = events.filter((e) => e["_tag"] === "Activated")
    const started = events.filter((e) => e["_tag"] === "IncarnationStarted")
    const ended = events.filter((e) => e["_tag"] === "IncarnationEnded")
    expect(activated).toHaveLength(1)
    expect(started).toHaveLength(2)
    expect(new Set(started.map((e) => e["activation"]))).toEqual(new Set([activated[0]!["activation"]]))
    expect(started[0]!["incarnation"]).not.toBe(started[1]!["incarnation"])
    expect(ended).toHaveLength(1)
    expect(ended[0]).toMatchObject({ why: "restarted", incarnation: started[0]!["incarnation"] })
    expect(String(ended[0]!["reason"])).toContain("boom")
    // the side table agrees: two incarnations on this runner, the first ended, one after the other
    const rows = await t.incarnations(entity)
    expect(rows.map((r) => r.pid)).toEqual([runner.pid, runner.pid])
    expect(rows[0]!.ended).toBeDefined()
    expect(rows[0]!.ended!).toBeLessThanOrEqual(rows[1]!.started)
    expect(runner.alive).toBe(true)
  })

  it("restart intensity exceeded inside an entity: Unavailable, rebuilt after the delay, then given up; the runner and its other entities go on", async () => {
    tc = await testCluster("intensity")
    const t = tc
    const runner = await t.runner("runner")
    const entity = `${Fragile.name}/f`
    // The proxy forwards one message at a time: the Get after the Crash returns (with whatever
    // answer) only once the Crash was handed to the entity, so the scope may close then.
    const tellCrash = Effect.scoped(Effect.gen(function*() {
      const ref = yield* ClusterRef.ref(Fragile, "f", { watch: false })
      yield* ActorRef.send(ref, { _tag: "Crash" })
      yield* Effect.exit(ActorRef.ask(ref, { _tag: "Get" }, { timeout: "10 seconds" }))
    }))
    const waitHost = (tag: string, n: number) =>
      until(() => hostEvents(runner, entity).filter((e) => e["_tag"] === tag).length >= n, 15_000, `${n} × ${tag} for ${entity}\n${runner.tail()}`)

    expect(value(await t.run(get(Fragile, "f", "10 seconds")))).toEqual({ pid: runner.pid, count: 0 })
    // intensity 1: the first crash is restarted, the second exceeds it
    await t.run(tellCrash)
    await waitHost("IncarnationStarted", 2)
    await t.run(tellCrash)
    await waitHost("Unavailable", 1)
    const unavailable = remoteError(await t.run(get(Fragile, "f", "10 seconds")))
    const rebuilt = hostEvents(runner, entity).some((e) => e["_tag"] === "Rebuilt")
    if (!rebuilt) expect(unavailable?.kind).toBe("Unavailable")
    // rebuilt after 1 s: a new supervisor, a new incarnation that answers
    await waitHost("Rebuilt", 1)
    expect(value(await t.run(get(Fragile, "f", "10 seconds")))).toEqual({ pid: runner.pid, count: 0 })
    // exceeding it again: maxRebuilds 1 within the window is used up, so the entity gives up
    await t.run(tellCrash)
    await waitHost("IncarnationStarted", 4)
    await t.run(tellCrash)
    await waitHost("GaveUp", 1)
    const gaveUp = remoteError(await t.run(get(Fragile, "f", "10 seconds")))
    expect(gaveUp?.kind).toBe("Unavailable")
    // the runner lives, and another entity on it answers
    expect(runner.alive).toBe(true)
    expect(value(await t.run(get(Counter, "other", "10 seconds")))).toEqual({ pid: runner.pid, count: 0 })
    expect(hostEvents(runner, entity).filter((e) => e["_tag"] === "Rebuilt")).toHaveLength(1)
  })
})
