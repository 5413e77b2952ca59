/**
 * Issue #10.1: a supervisor's internal messages (boot, child exits, restart retries, the event
 * hub) are not part of its public type, and a caller that casts past the types cannot make a
 * supervisor act on one.
 */
import { describe, expect, expectTypeOf, it } from "vitest"
import { Cause, Effect, Exit, PubSub } from "effect"
import { ActorRef, ActorSystem, ExitReason } from "@arbor/core"
import { DynamicSupervisor, Supervisor } from "@arbor/supervisor"
import { type Log, refOf, run, startWorker, untilIdle, worker } from "./utils.ts"

const liveActors = ActorSystem.liveActors

/** The error inside a reply `Exit.fail(error)`, else `undefined`. */
const errorOf = (reply: unknown): any =>
  Exit.isExit(reply) && Exit.isFailure(reply) ? (reply.cause.reasons[0] as any)?.error : undefined

/** What a plain-JavaScript caller can do: send anything. */
const forge = (ref: ActorRef.ActorRef<any>, msg: unknown) => ActorRef.ask(ref, msg as never, { timeout: "1 second" })

const forgeries = (ref: ActorRef.ActorRef<any>, child: ActorRef.ActorRef<any>) => [
  { _tag: "Boot" },
  { _tag: "ChildExited", ref: child, reason: ExitReason.failure(Cause.fail("forged")) },
  { _tag: "RetryRestart", id: "a", token: 0 },
  { _tag: "RetryRestart", id: "#1", token: 1 },
  { _tag: "Hub" },
  { _tag: "constructor" },
  { _tag: "toString" },
  { nope: true },
  null,
  42,
  "Boot",
  ref
]

describe("a supervisor's internal messages are private", () => {
  it("S21 the public protocol of both supervisor kinds admits only the public requests", () => {
    expectTypeOf<Supervisor.Protocol["_tag"]>().toEqualTypeOf<
      "StartChild" | "TerminateChild" | "RestartChild" | "DeleteChild" | "ChildRef" | "WhichChildren" | "CountChildren" | "Snapshot"
    >()
    expectTypeOf<DynamicSupervisor.Protocol<string>["_tag"]>().toEqualTypeOf<
      "StartChild" | "TerminateChild" | "WhichChildren" | "CountChildren" | "Snapshot"
    >()
    const typeOnly = (sup: Supervisor.SupervisorRef, dyn: DynamicSupervisor.DynamicSupervisorRef<string>) => {
      // @ts-expect-error Boot is internal
      void ActorRef.ask(sup, { _tag: "Boot" })
      // @ts-expect-error RetryRestart is internal
      void ActorRef.tell(sup, { _tag: "RetryRestart", id: "#1", token: 0 })
      // @ts-expect-error ChildExited is internal
      void ActorRef.tell(sup, { _tag: "ChildExited", ref: sup, reason: ExitReason.normal })
      // @ts-expect-error Hub is internal
      void ActorRef.ask(sup, { _tag: "Hub" })
      // @ts-expect-error RetryRestart is internal
      void ActorRef.tell(dyn, { _tag: "RetryRestart", id: "#1", token: 0 })
      // @ts-expect-error ChildExited is internal
      void ActorRef.tell(dyn, { _tag: "ChildExited", ref: dyn, reason: ExitReason.normal })
      // @ts-expect-error Hub is internal
      void ActorRef.ask(dyn, { _tag: "Hub" })
      // the public requests still compile
      void ActorRef.ask(sup, { _tag: "WhichChildren" })
      void ActorRef.ask(dyn, { _tag: "CountChildren" })
    }
    expect(typeof typeOnly).toBe("function")
  })

  it("S21 a forged internal message sent to a Supervisor is answered with UnknownRequest and changes nothing", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-all",
        label: "root",
        children: [worker("a", log), worker("b", log)]
      })
      const a = yield* refOf(sup, "a")
      const before = { live: yield* liveActors, children: yield* Supervisor.whichChildren(sup) }
      const replies: Array<unknown> = []
      for (const msg of forgeries(sup, a)) {
        replies.push(yield* forge(sup, msg))
        ActorRef.tellUnsafe(sup as ActorRef.ActorRef<any>, msg as never) // told: dropped
      }
      yield* untilIdle
      return {
        before,
        after: { live: yield* liveActors, children: yield* Supervisor.whichChildren(sup) },
        replies,
        alive: yield* ActorRef.isAlive(sup),
        log: [...log]
      }
    }))
    expect(out.alive).toBe(true)
    expect(out.after).toEqual(out.before) // same refs, same incarnations, no extra actor
    expect(out.log).toEqual(["start a", "start b"]) // nothing started twice, nothing stopped
    for (const reply of out.replies) {
      expect(errorOf(reply)?._tag).toBe("UnknownRequest")
      expect(errorOf(reply)?.supervisor).toBe("root")
    }
    expect(String(errorOf(out.replies[0]).message)).toContain(`with _tag "Boot"`)
  })

  it("S21 a forged internal message sent to a DynamicSupervisor is answered with UnknownRequest and changes nothing", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* DynamicSupervisor.start({ child: (name: string) => startWorker(name, log), label: "dyn" })
      const child = (yield* DynamicSupervisor.startChild(sup, "x"))!
      const before = { live: yield* liveActors, children: yield* DynamicSupervisor.whichChildren(sup) }
      const tags: Array<string> = []
      for (const msg of forgeries(sup, child)) {
        const reply = yield* forge(sup, msg)
        tags.push(errorOf(reply)?._tag)
        ActorRef.tellUnsafe(sup as ActorRef.ActorRef<any>, msg as never)
      }
      // a public request with a malformed payload is answered, not a crash
      const terminate = yield* forge(sup, { _tag: "TerminateChild", ref: { not: "a ref" } })
      yield* untilIdle
      return {
        before,
        after: { live: yield* liveActors, children: yield* DynamicSupervisor.whichChildren(sup) },
        tags,
        terminate: errorOf(terminate)?._tag,
        alive: yield* ActorRef.isAlive(sup),
        log: [...log]
      }
    }))
    expect(out.alive).toBe(true)
    expect(out.after).toEqual(out.before)
    expect(out.log).toEqual(["start x"])
    expect(new Set(out.tags)).toEqual(new Set(["UnknownRequest"]))
    expect(out.terminate).toBe("ChildNotFound")
  })

  it("S21 the framework's own use of the private channel still works: boot, restarts and events", async () => {
    const log: Log = []
    const out = await run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [worker("a", log)] })
      const events = yield* Supervisor.events(sup)
      const a = yield* refOf(sup, "a")
      yield* ActorRef.tell(a, { _tag: "Fail", error: "x" })
      yield* ActorRef.monitor(a)
      const children = yield* Supervisor.whichChildren(sup)
      return { incarnation: children[0]!.incarnation, events: yield* PubSub.takeAll(events) }
    }))
    expect(out.incarnation).toBe(2)
    expect(out.events.map((e: { readonly _tag: string }) => e._tag)).toEqual(["ChildExited", "ChildStarted"])
  })
})
