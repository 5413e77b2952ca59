/**
 * The thread side: loads the definition, spawns its behaviour as the thread's one actor in an
 * actor system of its own, forwards the parent's messages to it, answers heartbeats on the
 * thread's event loop, reports dead letters and the actor's exit reason.
 *
 * @internal
 */
import { Actor, ActorRef, ActorSystem, ExitReason } from "@arbor/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as PubSub from "effect/PubSub"
import type { MessagePort } from "node:worker_threads"
import * as Protocol from "../Protocol.ts"
import type { Boot, ToParent, ToThread } from "./wire.ts"

interface Definition {
  readonly "~@arbor/worker/WorkerActor": true
  readonly protocol: Protocol.Protocol<any, any, any>
  readonly behavior: Actor.Behavior<unknown, unknown, never>
}

const isDefinition = (u: unknown): u is Definition =>
  typeof u === "object" && u !== null && (u as Record<string, unknown>)["~@arbor/worker/WorkerActor"] === true

/** Entry point, called by the bootstrap. */
export const run = async (boot: Boot, port: MessagePort): Promise<void> => {
  const post = (m: ToParent) => port.postMessage(m)
  const mod = await import(boot.module) as Record<string, unknown>
  const def = mod[boot.export]
  if (!isDefinition(def)) {
    post({
      t: "start-failed",
      detail: `export "${boot.export}" of ${boot.module} is not a WorkerActor.make(...) definition (got ${typeof def})`
    })
    return
  }
  if (def.protocol.hash !== boot.hash) {
    post({
      t: "start-failed",
      detail: `protocol ${def.protocol.name} in the thread has hash ${def.protocol.hash}, the parent speaks ${boot.hash}`
    })
    return
  }
  const codec = Protocol.codec(def.protocol)
  const program = Effect.gen(function*() {
    const letters = yield* ActorSystem.deadLetters
    const started = yield* Effect.exit(
      Actor.spawn(def.behavior, boot.label === undefined ? { shutdown: "infinity" } : { label: boot.label, shutdown: "infinity" })
    )
    if (Exit.isFailure(started)) {
      post({ t: "start-failed", detail: Cause.pretty(started.cause), cause: codec.encodeCause(started.cause) })
      return
    }
    const actor = started.value
    /** seqs of the messages given to the actor, in mailbox order, not yet known to be taken */
    let pending: Array<number> = []
    let acked = 0
    /** the last seq received while the actor was alive */
    let lastSeq = 0
    let closed = false
    const seqOf = new WeakMap<object, number>()
    const computeAck = (): number => {
      const taken = pending.length - Effect.runSync(ActorRef.mailboxSize(actor))
      if (taken > 0) {
        acked = pending[taken - 1]!
        pending = pending.slice(taken)
      }
      return acked
    }
    const reportLetters = (batch: ReadonlyArray<{ readonly recipient: unknown; readonly message: unknown; readonly reason: string }>) => {
      for (const letter of batch) {
        if (letter.recipient !== actor || typeof letter.message !== "object" || letter.message === null) continue
        const seq = seqOf.get(letter.message)
        if (seq === undefined) continue
        const i = pending.indexOf(seq)
        if (i >= 0) pending.splice(i, 1)
        post({ t: "dead", seq, reason: letter.reason })
      }
    }
    const violation = (error: Protocol.ProtocolError) => Effect.runFork(ActorRef.stop(actor, ExitReason.fail(error)))
    port.on("message", (m: ToThread) => {
      // after the actor ended, nothing is taken: the parent dead-letters what it sent since
      if (closed) return
      switch (m.t) {
        case "ping":
          post({ t: "pong", ack: computeAck() })
          return
        case "stop":
          Effect.runFork(ActorRef.stop(actor, codec.decodeExitReason(m.reason)))
          return
        case "tell":
        case "ask": {
          const decoded = codec.decodeMessage(m.msg)
          if (Exit.isFailure(decoded)) {
            violation(Cause.squash(decoded.cause) as Protocol.ProtocolError)
            return
          }
          const msg = decoded.value as { readonly _tag: string }
          seqOf.set(msg, m.seq)
          pending.push(m.seq)
          lastSeq = m.seq
          if (m.t === "tell") {
            ActorRef.tellUnsafe(actor as ActorRef.ActorRef<unknown>, msg)
            return
          }
          const seq = m.seq
          Effect.runFork(
            Effect.flatMap(Effect.exit(ActorRef.ask(actor as ActorRef.ActorRef<any>, msg as never, { timeout: "infinity" })), (exit) =>
              Effect.sync(() => {
                // a failed ask means the actor ended: its exit is reported below
                if (Exit.isFailure(exit)) return
                const encoded = codec.encodeReply(msg._tag, exit.value)
                if (Exit.isFailure(encoded)) {
                  violation(Cause.squash(encoded.cause) as Protocol.ProtocolError)
                  return
                }
                post({ t: "reply", seq, value: encoded.value, ack: computeAck() })
              }))
          )
          return
        }
      }
    })
    post({ t: "ready", hash: def.protocol.hash })
    const reporter = yield* Effect.forkChild(
      Effect.forever(Effect.map(PubSub.takeAll(letters), reportLetters))
    )
    const reason = yield* ActorRef.monitor(actor)
    closed = true
    yield* Fiber.interrupt(reporter)
    reportLetters(yield* PubSub.takeUpTo(letters, Number.POSITIVE_INFINITY))
    // what the actor did not dead-letter, it took
    post({ t: "exited", reason: codec.encodeExitReason(reason), ack: lastSeq })
  }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
  await Effect.runPromise(program)
  port.close()
}
