import { describe, expect, it } from "vitest"
import { Effect, PubSub } from "effect"
import { Actor, ActorRef, ActorSystem, PrivateChannel } from "@arbor/core"
import { run, untilIdle } from "./utils.ts"

type Public = Actor.Request<{ readonly _tag: "Get" }, ReadonlyArray<string>>
type Internal =
  | { readonly _tag: "Note"; readonly text: string }
  | Actor.Request<{ readonly _tag: "Secret" }, string>

const internal = PrivateChannel.make<Internal>("test")

/** Records what reached it on each lane; a public message it does not know is ignored. */
const Recorder = Actor.make<Public>()({
  init: () => Effect.succeed<ReadonlyArray<string>>([]),
  receive: (log: ReadonlyArray<string>, msg: Public, ctx: Actor.ActorContext<Public>) => {
    const own = PrivateChannel.open(internal, msg, ctx.self)
    if (own !== undefined) {
      return own._tag === "Note" ? [...log, `private ${own.text}`] : Actor.reply("s3cret", log)
    }
    const m = msg as { readonly _tag?: unknown }
    if (m?._tag === "Get") return Actor.reply(log, log)
    return [...log, `public ${String(m?._tag)}${PrivateChannel.isEnvelope(msg) ? " (foreign envelope)" : ""}`]
  }
})

describe("PrivateChannel", () => {
  it("messages on the channel reach the actor's receive opened; asks on it are answered", async () => {
    const out = await run(Effect.gen(function*() {
      const ref = yield* Actor.spawn(Recorder)
      yield* PrivateChannel.tell(internal, ref, { _tag: "Note", text: "a" })
      PrivateChannel.tellUnsafe(internal, ref, { _tag: "Note", text: "b" })
      const secret = yield* PrivateChannel.ask(internal, ref, { _tag: "Secret" })
      return { secret, log: yield* ActorRef.ask(ref, { _tag: "Get" }) }
    }))
    expect(out).toEqual({ secret: "s3cret", log: ["private a", "private b"] })
  })

  it("a forged message with the same shape arrives as a public message, not an internal one", async () => {
    const log = await run(Effect.gen(function*() {
      const ref = yield* Actor.spawn(Recorder)
      // what a plain-JS caller that casts can do
      ActorRef.tellUnsafe(ref as ActorRef.ActorRef<any>, { _tag: "Note", text: "forged" })
      return yield* ActorRef.ask(ref, { _tag: "Get" })
    }))
    expect(log).toEqual(["public Note"])
  })

  it("an envelope is good only for its recipient and its channel", async () => {
    const other = PrivateChannel.make<Internal>("other")
    const log = await run(Effect.gen(function*() {
      const a = yield* Actor.spawn(Recorder)
      const b = yield* Actor.spawn(Recorder)
      // capture an envelope addressed to `a` from the dead letters of a dead actor, replay it to `b`
      const dead = yield* Actor.spawn(Recorder)
      yield* ActorRef.stop(dead)
      const letters = yield* ActorSystem.deadLetters
      PrivateChannel.tellUnsafe(internal, dead, { _tag: "Note", text: "late" })
      yield* untilIdle
      const captured = (yield* PubSub.take(letters)).message
      ActorRef.tellUnsafe(b as ActorRef.ActorRef<any>, captured)
      PrivateChannel.tellUnsafe(other, b, { _tag: "Note", text: "wrong channel" })
      yield* untilIdle
      void a
      return yield* ActorRef.ask(b, { _tag: "Get" })
    }))
    expect(log).toEqual(["public undefined (foreign envelope)", "public undefined (foreign envelope)"])
  })
})
