/**
 * The worker rows of docs/errors.md ("Worker actors" and "Protocols"): one test per row, named
 * like the row. Each also checks that no thread was left running.
 */
import { Actor, ActorRef, ExitReason } from "@arbor/core"
import { Supervisor } from "@arbor/supervisor"
import { Protocol, WorkerActor } from "@arbor/worker"
import { Cause, Effect, Exit, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Counter, CounterProtocol, CounterWorker, FailingInit, Overdrawn, SpinningInit } from "./fixtures/counter.ts"
import { run, steady } from "./utils.ts"

const counterModule = new URL("./fixtures/counter.ts", import.meta.url)

/** Spawns with these options and returns the error (the spawn must fail). */
const spawnError = (def: WorkerActor.WorkerActor<any>, options?: unknown) =>
  run(Effect.flip(WorkerActor.spawn(def, options as WorkerActor.SpawnOptions)))

const invalid = async (options: unknown, field: string, def: WorkerActor.WorkerActor<any> = CounterWorker) => {
  const error = await spawnError(def, options)
  expect(error._tag).toBe("InvalidWorkerOptions")
  expect((error as WorkerActor.InvalidWorkerOptions).field).toBe(field)
  expect(WorkerActor.liveThreads()).toBe(0)
  return error as WorkerActor.InvalidWorkerOptions
}

const withEntry = (module: unknown, exportName: unknown) =>
  WorkerActor.make(CounterProtocol, Counter, { module: module as string, export: exportName as string })

const protocolError = (f: () => unknown): Protocol.InvalidProtocol => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(Protocol.InvalidProtocol)
    return e as Protocol.InvalidProtocol
  }
  throw new Error("Protocol.make did not throw")
}

describe("bad input: worker options (WorkerActor.spawn, WorkerActor.child)", () => {
  it("worker definition not made by WorkerActor.make", async () => {
    await invalid(undefined, "definition", { behavior: Counter } as never)
    await invalid(undefined, "definition", null as never)
  })
  it("worker module that is not a file URL or an absolute path", async () => {
    for (const m of ["./counter.ts", "https://example.com/x.js", 42, undefined, new URL("https://example.com/x.js")]) {
      await invalid(undefined, "module", withEntry(m, "CounterWorker"))
    }
  })
  it("worker export that is empty or not a string", async () => {
    for (const e of ["", 3, undefined]) await invalid(undefined, "export", withEntry(counterModule, e))
  })
  it("worker heartbeat that is not an object", async () => {
    for (const h of [5, "1 second", null]) await invalid({ heartbeat: h }, "heartbeat")
  })
  it("worker heartbeat interval that is zero, negative, infinite or unparseable", async () => {
    // read by core's one duration decoder: what it rejects (a mistyped unit, a negative part) is rejected here too
    for (const i of [0, -5, Infinity, "soon", "infinity", true, { seconds: 5, secs: 1 }, [1, -5], { seconds: -1, minutes: 1 }]) {
      await invalid({ heartbeat: { interval: i } }, "heartbeat.interval")
    }
  })
  it("worker heartbeat timeout that is zero, negative, infinite or unparseable", async () => {
    for (const t of [0, -1, Infinity, "later"]) await invalid({ heartbeat: { timeout: t } }, "heartbeat.timeout")
  })
  it("worker heartbeat timeout not longer than its interval", async () => {
    const error = await invalid({ heartbeat: { interval: "1 second", timeout: "1 second" } }, "heartbeat.timeout")
    expect(error.reason).toContain("longer than heartbeat.interval")
    await invalid({ heartbeat: { interval: "10 seconds" } }, "heartbeat.timeout")
  })
  it("worker resourceLimits that is not an object", async () => {
    for (const r of [64, "64mb", null]) await invalid({ resourceLimits: r }, "resourceLimits")
  })
  it("worker resourceLimits with an unknown key", async () => {
    await invalid({ resourceLimits: { maxHeapMb: 64 } }, "resourceLimits.maxHeapMb")
  })
  it("worker resourceLimits with a value that is not a positive number", async () => {
    for (const v of [0, -64, NaN, Infinity, "64"]) {
      await invalid({ resourceLimits: { maxOldGenerationSizeMb: v } }, "resourceLimits.maxOldGenerationSizeMb")
    }
  })
  it("worker startTimeout that is zero, negative, infinite or unparseable", async () => {
    for (const t of [0, -1, "infinity", "whenever"]) await invalid({ startTimeout: t }, "startTimeout")
  })
  it("worker label that is not a string", async () => {
    await invalid({ label: 7 }, "label")
  })
  it("worker options that are not an object", async () => {
    await invalid(5, "options")
  })
  it("worker option that does not exist (a misspelt key)", async () => {
    const error = await invalid({ heartBeat: { interval: "1 second" } }, "heartBeat")
    expect(error.reason).toContain("heartbeat")
    await invalid({ heartbeat: { intervall: "1 second" } }, "heartbeat.intervall")
    // a child's options are spawn options plus restart; restart is the spec's, not a spawn option
    const viaChild = await run(Effect.flip(WorkerActor.child("w", CounterWorker, { restart: "transient", resourceLimit: {} } as never).start))
    expect((viaChild as WorkerActor.InvalidWorkerOptions).field).toBe("resourceLimit")
    expect(WorkerActor.liveThreads()).toBe(0)
  })
  it("worker child restart that is not a restart type", async () => {
    const error = await run(Effect.flip(Supervisor.start({
      strategy: "one-for-one",
      children: [WorkerActor.child("w", CounterWorker, { restart: "sometimes" as never })]
    })))
    expect(error._tag).toBe("InvalidChildSpec")
    expect((error as { field?: string }).field).toBe("restart")
    expect(WorkerActor.liveThreads()).toBe(0)
  })
  it("worker shutdown that is not a shutdown spec", async () => {
    const error = await spawnError(CounterWorker, { shutdown: -3 })
    expect(error._tag).toBe("InvalidActorOptions")
    expect(WorkerActor.liveThreads()).toBe(0)
  })
  it("worker module that cannot be loaded", async () => {
    const error = await spawnError(withEntry(new URL("./fixtures/missing.ts", import.meta.url), "X"), steady)
    expect(error._tag).toBe("WorkerStartFailed")
    expect((error as WorkerActor.WorkerStartFailed).detail).toContain("missing.ts")
    expect(WorkerActor.liveThreads()).toBe(0)
  })
  it("worker export that is missing or not a definition", async () => {
    // three threads at once: each case is independent, the count is checked once all have ended
    const names = ["Nope", "NotADefinition", "Counter"]
    const errors = await Promise.all(names.map((e) => spawnError(withEntry(counterModule, e), steady)))
    errors.forEach((error, i) => {
      expect(error._tag).toBe("WorkerStartFailed")
      expect((error as WorkerActor.WorkerStartFailed).detail).toContain(`export "${names[i]}"`)
    })
    expect(WorkerActor.liveThreads()).toBe(0)
  })
  it("worker protocol that differs from the thread's (hash mismatch)", async () => {
    const Other = Protocol.make("Counter", { Add: { payload: { n: Schema.Int } } }, { version: 2 })
    const def = WorkerActor.make(Other, Actor.make<Protocol.Type<typeof Other>>()({
      init: () => Effect.succeed(0),
      receive: { Add: (n) => n }
    }), { module: counterModule, export: "CounterWorker" })
    const error = await spawnError(def, steady)
    expect(error._tag).toBe("WorkerStartFailed")
    expect((error as WorkerActor.WorkerStartFailed).detail).toContain("hash")
    expect(WorkerActor.liveThreads()).toBe(0)
  })
  it("worker thread that does not report ready within startTimeout", async () => {
    // the thread never gets ready (its init spins, if it got that far): the timeout ends the
    // spawn, and terminate ends the thread whatever it is doing
    const error = await spawnError(SpinningInit, { ...steady, startTimeout: "500 millis", label: "spinner" }) as WorkerActor.WorkerStartFailed
    expect(error._tag).toBe("WorkerStartFailed")
    expect(error.label).toBe("spinner")
    expect(error.detail).toContain("did not report ready within")
    expect(WorkerActor.liveThreads()).toBe(0)
  })
  it("worker whose init fails in the thread", async () => {
    const error = await spawnError(FailingInit, steady) as WorkerActor.WorkerStartFailed
    expect(error._tag).toBe("WorkerStartFailed")
    expect(Cause.squash(error.cause!)).toBeInstanceOf(Overdrawn)
    expect(WorkerActor.liveThreads()).toBe(0)
  })
})

describe("bad input: messages and replies across the boundary", () => {
  it("message that does not match its schema", async () => {
    const out = await run(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, steady)
      // a type-correct value that fails the schema's check (Int)
      yield* ActorRef.tell(ref, { _tag: "Add", n: 1.5 })
      const ask = yield* Effect.exit(ActorRef.ask(ref, { _tag: "Get" }, { timeout: "20 seconds" }))
      return { ask, reason: yield* ActorRef.monitor(ref) }
    }))
    expect(Exit.isFailure(out.ask)).toBe(true)
    const error = Cause.squash((out.reason as ExitReason.ExitReason & { cause: Cause.Cause<unknown> }).cause)
    expect(error).toBeInstanceOf(Protocol.ProtocolError)
    expect((error as Protocol.ProtocolError).what).toBe("message Add")
    expect(WorkerActor.liveThreads()).toBe(0)
  })
  it("reply that does not match its schema", async () => {
    const out = await run(Effect.gen(function*() {
      const ref = yield* WorkerActor.spawn(CounterWorker, steady)
      const error = yield* Effect.flip(ActorRef.ask(ref, { _tag: "BadReply" }, { timeout: "20 seconds" }))
      return { error, reason: yield* ActorRef.monitor(ref) }
    }))
    expect(out.error._tag).toBe("ActorExited")
    const error = Cause.squash((out.reason as ExitReason.ExitReason & { cause: Cause.Cause<unknown> }).cause)
    expect(error).toBeInstanceOf(Protocol.ProtocolError)
    expect((error as Protocol.ProtocolError).what).toBe("reply to BadReply")
    expect(WorkerActor.liveThreads()).toBe(0)
  })
})

describe("bad input: protocols (Protocol.make)", () => {
  it("protocol name that is empty or not a string", () => {
    expect(protocolError(() => Protocol.make("", { A: {} })).field).toBe("name")
    expect(protocolError(() => Protocol.make(5 as never, { A: {} })).field).toBe("name")
  })
  it("protocol messages that are not an object, or none", () => {
    expect(protocolError(() => Protocol.make("P", null as never)).field).toBe("messages")
    expect(protocolError(() => Protocol.make("P", {})).field).toBe("messages")
  })
  it("protocol message spec that is not an object or has an unknown key", () => {
    expect(protocolError(() => Protocol.make("P", { A: 3 as never })).field).toBe("A")
    expect(protocolError(() => Protocol.make("P", { A: { replies: Schema.Int } as never })).field).toBe("A.replies")
  })
  it("protocol payload that is not a field map of schemas", () => {
    expect(protocolError(() => Protocol.make("P", { A: { payload: 3 as never } })).field).toBe("A.payload")
    expect(protocolError(() => Protocol.make("P", { A: { payload: { n: 3 as never } } })).field).toBe("A.payload.n")
  })
  it("protocol payload with a _tag field", () => {
    expect(protocolError(() => Protocol.make("P", { A: { payload: { _tag: Schema.String } } })).field).toBe("A.payload._tag")
  })
  it("protocol reply that is not a schema", () => {
    expect(protocolError(() => Protocol.make("P", { A: { reply: "number" as never } })).field).toBe("A.reply")
  })
  it("protocol persisted flag that is not a boolean, or a primaryKey without it", () => {
    expect(protocolError(() => Protocol.make("P", { A: { persisted: "yes" as never } })).field).toBe("A.persisted")
    expect(protocolError(() => Protocol.make("P", { A: { primaryKey: "id" as never, persisted: true } })).field).toBe("A.primaryKey")
    expect(protocolError(() => Protocol.make("P", { A: { payload: { id: Schema.String }, primaryKey: (p) => p.id } })).field).toBe(
      "A.primaryKey"
    )
    // well-formed: accepted, and part of the hash
    const plain = Protocol.make("P", { A: { payload: { id: Schema.String } } })
    const stored = Protocol.make("P", { A: { payload: { id: Schema.String }, persisted: true, primaryKey: (p) => p.id } })
    expect(stored.hash).not.toBe(plain.hash)
  })
  it("protocol version that is not a whole number", () => {
    expect(protocolError(() => Protocol.make("P", { A: {} }, { version: 1.5 })).field).toBe("version")
  })
  it("protocol errors that is not a schema", () => {
    expect(protocolError(() => Protocol.make("P", { A: {} }, { errors: { _tag: "Overdrawn" } as never })).field).toBe("errors")
  })
})
