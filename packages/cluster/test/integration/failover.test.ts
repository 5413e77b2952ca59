/**
 * kill -9 of a runner (two runners on PostgreSQL, "test" timing preset): the actors it hosted
 * answer from the survivor within a bound, no reply ever comes from the dead runner, no two
 * incarnations of one actor are alive at once (counted in the side table), and a permanent actor
 * is re-activated on the survivor without any traffic while a transient one is not.
 */
import { afterEach, describe, expect, it } from "vitest"
import { get, value } from "./client.ts"
import { overlaps, owners, spread } from "./cluster.ts"
import type { TestCluster } from "./cluster.ts"
import { testCluster } from "./context.ts"
import { Counter, Keeper } from "./fixtures/protocols.ts"
import { killOwn, until } from "./harness.ts"

/** Bound on kill → the survivor answering (the study measured 3.3–7.0 s; lock expiry is 6 s). */
const FAILOVER_BOUND_MS = 25_000

let tc: TestCluster | undefined
afterEach(async () => {
  await killOwn()
  await tc?.close()
  tc = undefined
})

describe("kill -9 failover (PostgreSQL, two runners)", () => {
  it("the survivor answers for every actor of the killed runner within the bound; none answers from the dead runner; no double activation", async () => {
    tc = await testCluster("failover")
    const t = tc
    const [a, b] = await Promise.all([t.runner("runner-a"), t.runner("runner-b")])
    const ids = Array.from({ length: 12 }, (_, i) => `c${i}`)
    const before = await spread(t, Counter, ids, a, b)
    const victim = before.get("c0") === a.pid ? a : b
    const survivor = victim === a ? b : a
    const moved = ids.filter((id) => before.get(id) === victim.pid)
    const stayed = ids.filter((id) => before.get(id) === survivor.pid)

    const killedAt = await victim.kill("SIGKILL")
    const fromDead: Array<{ id: string; at: number }> = []
    const answeredAfter = new Map<string, number>()
    await Promise.all(moved.map((id) =>
      until(async () => {
        const v = value(await t.run(get(Counter, id, "1 second")))
        if (v?.pid === victim.pid) fromDead.push({ id, at: Date.now() })
        if (v?.pid === survivor.pid) return answeredAfter.set(id, Date.now() - killedAt)
        return undefined
      }, FAILOVER_BOUND_MS, `${id} answered by the survivor after kill -9`, 100)
    ))
    // the survivor's own actors never stopped answering from it
    const after = await owners(t, Counter, stayed)
    expect([...after.values()].every((pid) => pid === survivor.pid)).toBe(true)
    expect(after.size).toBe(stayed.length)

    expect(fromDead).toEqual([])
    expect(Math.max(...answeredAfter.values())).toBeLessThan(FAILOVER_BOUND_MS)
    const rows = await t.incarnations()
    expect(overlaps(rows, (pid) => pid === victim.pid ? killedAt : undefined)).toEqual([])
    // the dead runner started nothing after its kill; each moved actor lives again on the survivor only
    expect(rows.filter((r) => r.pid === victim.pid && r.started > killedAt)).toEqual([])
    for (const id of moved) {
      const mine = rows.filter((r) => r.entity === `${Counter.name}/${id}` && r.started > killedAt)
      expect(mine.map((r) => r.pid)).toEqual([survivor.pid])
    }
    console.log(`failover: ${moved.length} actors moved; kill → survivor answers: ${[...answeredAfter.values()].sort((x, y) => x - y).join(", ")} ms`)
  })

  it("a permanent actor is re-activated on the survivor without traffic; a transient one is not", async () => {
    tc = await testCluster("keepalive")
    const t = tc
    const [a, b] = await Promise.all([t.runner("runner-a"), t.runner("runner-b")])
    const keepers = Array.from({ length: 8 }, (_, i) => `k${i}`)
    const counters = Array.from({ length: 8 }, (_, i) => `t${i}`)
    const keeperOwners = await spread(t, Keeper, keepers, a, b)
    const victim = keeperOwners.get("k0") === a.pid ? a : b
    const survivor = victim === a ? b : a
    const counterOwners = await spread(t, Counter, counters, a, b)
    const movedKeepers = keepers.filter((id) => keeperOwners.get(id) === victim.pid)
    const idleCounters = counters.filter((id) => counterOwners.get(id) === victim.pid)

    const killedAt = await victim.kill("SIGKILL")
    // no message is sent from here until the keepers are back
    const reactivated = await until(async () => {
      const rows = (await t.incarnations()).filter((r) => r.pid === survivor.pid && r.started > killedAt)
      const back = movedKeepers.filter((id) => rows.some((r) => r.entity === `${Keeper.name}/${id}`))
      return back.length === movedKeepers.length ? rows : undefined
    }, FAILOVER_BOUND_MS, `every permanent actor of the killed runner re-activated on the survivor (${movedKeepers.join(", ")})`, 250)
    await new Promise((r) => setTimeout(r, 2000))
    const rows = await t.incarnations()
    const counterRowsAfter = rows.filter((r) => r.started > killedAt && r.entity.startsWith(`${Counter.name}/`))
    expect(counterRowsAfter).toEqual([])
    expect(overlaps(rows, (pid) => pid === victim.pid ? killedAt : undefined)).toEqual([])
    // each re-activated keeper is there exactly once, and answers from the survivor
    for (const id of movedKeepers) {
      expect(reactivated.filter((r) => r.entity === `${Keeper.name}/${id}`)).toHaveLength(1)
    }
    const now = await owners(t, Keeper, movedKeepers)
    expect([...now.values()]).toEqual(movedKeepers.map(() => survivor.pid))
    expect(idleCounters.length).toBeGreaterThan(0)
  })
})
