/**
 * The one restart decision (internal/decide.ts) as a pure function: children, event, policy,
 * intensity and time in; a plan out. The engine only executes plans.
 */
import { describe, expect, it } from "vitest"
import { Cause } from "effect"
import { ExitReason } from "@arbor/core"
import type { ChildStatus, RestartType } from "../src/Child.ts"
import { type ChildView, decide, type Policy } from "../src/internal/decide.ts"

const child = (
  id: string,
  restart: RestartType = "permanent",
  options: { readonly status?: ChildStatus; readonly significant?: boolean; readonly retryPending?: boolean } = {}
): ChildView => {
  const status = options.status ?? "running"
  return {
    spec: { id, restart, significant: options.significant ?? false },
    ref: status === "running" ? {} : undefined,
    status,
    retryPending: options.retryPending ?? false
  }
}

const view = (children: ReadonlyArray<ChildView>) => ({
  get: (id: string) => children.find((c) => c.spec.id === id),
  all: () => children
})

const policy = (p: Partial<Policy>): Policy => ({ kind: "static", strategy: "one-for-one", autoShutdown: "never", ...p })
const room = { wouldExceed: () => false }
const full = { wouldExceed: () => true }
const crash = ExitReason.failure(Cause.fail("boom"))

describe("the restart decision", () => {
  it("S5 one-for-all: stops the running others in reverse order, drops the temporary ones, restarts the rest in order", () => {
    const children = [child("a"), child("t", "temporary"), child("b", "permanent", { status: "not_running" }), child("c")]
    const exited = { ...children[0]!, ref: undefined, status: "not_running" as const }
    const plan = decide(view([exited, ...children.slice(1)]), { _tag: "Exited", id: "a", reason: crash }, policy({ strategy: "one-for-all" }), room, 0)
    expect(plan).toEqual({
      _tag: "Restart",
      driver: "a",
      count: true,
      stop: ["c", "t"],
      drop: ["t"],
      group: ["a", "b", "c"],
      next: "start",
      afterExit: true
    })
  })

  it("S5 rest-for-one: only the exited child and the ones after it", () => {
    const children = [child("a"), child("b", "permanent", { status: "not_running" }), child("c")]
    const plan = decide(view(children), { _tag: "Exited", id: "b", reason: crash }, policy({ strategy: "rest-for-one" }), room, 0)
    expect(plan).toMatchObject({ _tag: "Restart", stop: ["c"], group: ["b", "c"] })
  })

  it("S6 a restart beyond the intensity gives up; a failed restart attempt is counted first", () => {
    const children = [child("a", "permanent", { status: "not_running" })]
    expect(decide(view(children), { _tag: "Exited", id: "a", reason: crash }, policy({}), full, 0)).toEqual({ _tag: "GiveUp" })
    expect(decide(view(children), { _tag: "RestartFailed", id: "a" }, policy({}), full, 0)).toEqual({ _tag: "GiveUp" })
    expect(decide(view(children), { _tag: "RestartFailed", id: "a" }, policy({}), room, 0)).toMatchObject({
      _tag: "Restart",
      count: true,
      next: "retry"
    })
  })

  it("S4 a temporary child, or any dynamic child, is dropped when it is not restarted; a transient static one is kept", () => {
    const t = [child("t", "temporary", { status: "not_running" })]
    const tr = [child("x", "transient", { status: "not_running" })]
    expect(decide(view(t), { _tag: "Exited", id: "t", reason: crash }, policy({}), room, 0)).toMatchObject({ drop: true })
    expect(decide(view(tr), { _tag: "Exited", id: "x", reason: ExitReason.normal }, policy({}), room, 0)).toMatchObject({
      _tag: "NotRestarted",
      drop: false
    })
    expect(decide(view(tr), { _tag: "Exited", id: "x", reason: ExitReason.normal }, policy({ kind: "dynamic" }), room, 0))
      .toMatchObject({ _tag: "NotRestarted", drop: true })
  })

  it("S12 all-significant fires on the last significant child's own exit; any-significant on the first", () => {
    const s1 = child("s1", "transient", { status: "not_running", significant: true })
    const s2 = child("s2", "transient", { significant: true })
    const normal = ExitReason.normal
    const all = policy({ autoShutdown: "all-significant" })
    expect(decide(view([s1, s2]), { _tag: "Exited", id: "s1", reason: normal }, all, room, 0)).toMatchObject({ autoShutdown: false })
    const s2gone = { ...s2, ref: undefined, status: "not_running" as const }
    expect(decide(view([s1, s2gone]), { _tag: "Exited", id: "s1", reason: normal }, all, room, 0)).toMatchObject({ autoShutdown: true })
    expect(decide(view([s1, s2]), { _tag: "Exited", id: "s1", reason: normal }, policy({ autoShutdown: "any-significant" }), room, 0))
      .toMatchObject({ autoShutdown: true })
  })

  it("S15 a retry that is no longer pending is stale; terminating the driver of a pending restart cancels its group", () => {
    const a = child("a", "permanent", { status: "restarting", retryPending: true })
    const b = child("b", "permanent", { status: "restarting" })
    const oneForAll = policy({ strategy: "one-for-all" })
    expect(decide(view([{ ...a, retryPending: false }, b]), { _tag: "Retry", id: "a" }, oneForAll, room, 0)).toEqual({ _tag: "Nothing" })
    expect(decide(view([a, b]), { _tag: "Terminate", id: "a" }, oneForAll, room, 0)).toEqual({
      _tag: "Terminate",
      id: "a",
      cancel: ["b"],
      drop: false
    })
  })
})
