import { describe, expect, expectTypeOf, it } from "vitest"
import { Cause, Effect, Exit, Scope } from "effect"
import { Actor, ActorRef, ExitReason } from "@arbor/core"
import { run } from "./utils.ts"

describe("G13 exit reasons are a closed union, mapped from Exit/Cause in one place", () => {
  it("G13 the union has exactly four members (compile-time)", () => {
    expectTypeOf<ExitReason.ExitReason["_tag"]>().toEqualTypeOf<"Normal" | "Shutdown" | "Failure" | "Killed">()
    const exhaustive = (r: ExitReason.ExitReason): string => {
      switch (r._tag) {
        case "Normal":
        case "Shutdown":
        case "Failure":
        case "Killed":
          return r._tag
        default: {
          const never: never = r
          return never
        }
      }
    }
    expect(exhaustive(ExitReason.normal)).toBe("Normal")
  })

  it("G13 fromExit: success is Normal, a typed error or defect is Failure, interruption alone is Killed", () => {
    const error = new Error("typed")
    expect(ExitReason.fromExit(Exit.succeed(1))).toEqual(ExitReason.normal)

    const failed = ExitReason.fromExit(Exit.fail(error))
    expect(failed._tag).toBe("Failure")
    expect(failed._tag === "Failure" && failed.error).toBe(error)
    expect(failed._tag === "Failure" && Cause.hasFails(failed.cause)).toBe(true)

    const died = ExitReason.fromExit(Exit.die("defect"))
    expect(died._tag === "Failure" && died.error).toBe("defect")
    expect(died._tag === "Failure" && Cause.hasDies(died.cause)).toBe(true)

    expect(ExitReason.fromExit(Exit.interrupt(1))).toEqual(ExitReason.killed)
    expect(ExitReason.fromExit(Exit.interrupt(1), ExitReason.shutdown())).toEqual(ExitReason.shutdown())
  })

  it("G13 fromCause: a typed error wins over a defect, and interruptions alongside keep it a Failure", () => {
    const mixed = Cause.combine(Cause.combine(Cause.interrupt(1), Cause.die("defect")), Cause.fail("typed"))
    const reason = ExitReason.fromCause(mixed)
    expect(reason._tag).toBe("Failure")
    expect(reason._tag === "Failure" && reason.error).toBe("typed")
    expect(reason._tag === "Failure" && reason.cause).toBe(mixed)
    expect(ExitReason.fromCause(Cause.interrupt())).toEqual(ExitReason.killed)
  })

  it("G13 constructors, predicates and format", () => {
    expect(ExitReason.shutdown()).toEqual({ _tag: "Shutdown" })
    expect(ExitReason.shutdown("rebalance")).toEqual({ _tag: "Shutdown", payload: "rebalance" })
    expect(ExitReason.fail("e")).toMatchObject({ _tag: "Failure", error: "e" })
    expect(ExitReason.die("d")).toMatchObject({ _tag: "Failure", error: "d" })

    const all = [
      ExitReason.normal,
      ExitReason.shutdown(),
      ExitReason.shutdown({ reason: "move" }),
      ExitReason.fail(new TypeError("bad")),
      ExitReason.die("corrupt"),
      ExitReason.killed
    ]
    expect(all.map(ExitReason.isAbnormal)).toEqual([false, false, false, true, true, true])
    expect(all.map(ExitReason.propagatesToLinks)).toEqual([false, true, true, true, true, true])
    expect(all.map(ExitReason.format)).toEqual([
      "normal",
      "shutdown",
      `shutdown({"reason":"move"})`,
      "failure(TypeError: bad)",
      "failure(corrupt)",
      "killed"
    ])
  })

  it("G13 every way an actor ends maps to exactly one reason", async () => {
    type Msg =
      | { readonly _tag: "Stop" }
      | { readonly _tag: "StopWith"; readonly payload: unknown }
      | { readonly _tag: "Fail" }
      | { readonly _tag: "Die" }
      | { readonly _tag: "Throw" }
      | { readonly _tag: "InterruptSelf" }
      | { readonly _tag: "InterruptSelfLater" }
      | { readonly _tag: "Hang" }
    const hooks: Array<string> = []
    const Mortal = Actor.make<Msg>()({
      init: () => Effect.succeed(0),
      receive: {
        Stop: () => Actor.stop(),
        StopWith: (_s, m) => Actor.stop(ExitReason.shutdown(m.payload)),
        Fail: () => Effect.fail("typed"),
        Die: () => Effect.die("defect"),
        Throw: () => {
          throw "thrown"
        },
        InterruptSelf: () => Effect.failCause(Cause.interrupt()),
        InterruptSelfLater: () => Effect.andThen(Effect.yieldNow, Effect.interrupt),
        Hang: () => Effect.never
      },
      onStop: (_s, reason) => Effect.sync(() => hooks.push(reason._tag))
    })
    const endedBy = (msg: Msg | undefined, how: (ref: ActorRef.ActorRef<Msg>) => Effect.Effect<unknown>) =>
      Effect.gen(function*() {
        const ref = yield* Actor.spawn(Mortal)
        if (msg) yield* ActorRef.tell(ref, msg)
        yield* how(ref)
        return yield* ActorRef.monitor(ref)
      })
    const wait = () => Effect.void
    const out = await run(Effect.gen(function*() {
      const scope = yield* Scope.make()
      const scoped = yield* Actor.spawn(Mortal).pipe(Scope.provide(scope))
      yield* Scope.close(scope, Exit.void)
      return {
        stop: yield* endedBy({ _tag: "Stop" }, wait),
        stopWith: yield* endedBy({ _tag: "StopWith", payload: 7 }, wait),
        fail: yield* endedBy({ _tag: "Fail" }, wait),
        die: yield* endedBy({ _tag: "Die" }, wait),
        thrown: yield* endedBy({ _tag: "Throw" }, wait),
        interruptSelf: yield* endedBy({ _tag: "InterruptSelf" }, wait),
        interruptSelfLater: yield* endedBy({ _tag: "InterruptSelfLater" }, wait),
        stopped: yield* endedBy(undefined, (ref) => ActorRef.stop(ref)),
        killed: yield* endedBy({ _tag: "Hang" }, (ref) => ActorRef.kill(ref)),
        scoped: ActorRef.exitReasonUnsafe(scoped)
      }
    }))
    expect(out.stop).toEqual(ExitReason.normal)
    expect(out.stopWith).toEqual(ExitReason.shutdown(7))
    expect(ExitReason.format(out.fail)).toBe("failure(typed)")
    expect(ExitReason.format(out.die)).toBe("failure(defect)")
    expect(ExitReason.format(out.thrown)).toBe("failure(thrown)")
    // a handler that interrupts itself was not killed by anyone: it failed
    expect(out.interruptSelf._tag).toBe("Failure")
    expect(out.interruptSelfLater._tag).toBe("Failure")
    expect(out.stopped).toEqual(ExitReason.shutdown())
    expect(out.killed).toEqual(ExitReason.killed)
    expect(out.scoped).toEqual(ExitReason.shutdown())
    // the stop hook ran for every reason but Killed
    expect(hooks).toEqual(["Shutdown", "Normal", "Shutdown", "Failure", "Failure", "Failure", "Failure", "Failure", "Shutdown"])
  })
})
