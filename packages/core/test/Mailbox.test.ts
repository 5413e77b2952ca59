import { describe, expect, it } from "vitest"
import { Effect, Exit, Fiber } from "effect"
import { Actor, ActorRef, ExitReason } from "@arbor/core"
import { collectDeadLetters, isDone, makeGate, run, untilIdle } from "./utils.ts"
import type { Gate } from "./utils.ts"

// -----------------------------------------------------------------------------------------
// a recorder whose first message can hold it on a gate, so messages pile up behind it
// -----------------------------------------------------------------------------------------

type Msg =
  | { readonly _tag: "Hold"; readonly gate: Gate }
  | { readonly _tag: "Item"; readonly n: number }
  | Actor.Request<{ readonly _tag: "Ask"; readonly n: number }, number>
  | Actor.Request<{ readonly _tag: "Log" }, ReadonlyArray<string>>

const log = (s: ReadonlyArray<string>, entry: string): ReadonlyArray<string> => [...s, entry]

const Recorder = Actor.make<Msg>()({
  init: () => Effect.succeed<ReadonlyArray<string>>([]),
  receive: {
    Hold: (s, m) => Effect.as(m.gate.wait, log(s, "hold")),
    Item: (s, m) => log(s, `item ${m.n}`),
    Ask: (s, m) => Actor.reply(m.n, log(s, `ask ${m.n}`)),
    Log: (s) => Actor.reply(s, s)
  },
  onSignal: (s, signal) =>
    log(s, signal._tag === "Down" ? `down ${signal.reason._tag}` : `exit ${signal.reason._tag}`),
  trapExit: true
})

const item = (n: number): Msg => ({ _tag: "Item", n })

describe("G17 mailboxes are unbounded by default; bounded ones apply their overflow policy", () => {
  it("G17 an unbounded mailbox accepts every message while the actor is busy", async () => {
    const out = await run(Effect.gen(function*() {
      const gate = yield* makeGate
      const r = yield* Actor.spawn(Recorder)
      yield* ActorRef.tell(r, { _tag: "Hold", gate })
      yield* untilIdle
      for (let n = 0; n < 10_000; n++) yield* ActorRef.tell(r, item(n))
      const waiting = yield* ActorRef.mailboxSize(r)
      yield* gate.open
      const entries = yield* ActorRef.ask(r, { _tag: "Log" })
      return { waiting, entries }
    }))
    expect(out.waiting).toBe(10_000)
    expect(out.entries.length).toBe(10_001)
    expect(out.entries.slice(0, 3)).toEqual(["hold", "item 0", "item 1"])
    expect(out.entries[10_000]).toBe("item 9999")
  })

  it("G17 suspend: a sender to a full mailbox waits for room (backpressure), then delivers in order", async () => {
    const out = await run(Effect.gen(function*() {
      const gate = yield* makeGate
      const r = yield* Actor.spawn(Recorder, { mailbox: { capacity: 2, overflow: "suspend" } })
      yield* ActorRef.tell(r, { _tag: "Hold", gate })
      yield* untilIdle
      yield* ActorRef.tell(r, item(1))
      yield* ActorRef.tell(r, item(2))
      const third = yield* Effect.forkChild(ActorRef.tell(r, item(3)))
      const fourth = yield* Effect.forkChild(ActorRef.send(r, item(4)))
      yield* untilIdle
      const blocked = [yield* isDone(third), yield* isDone(fourth)]
      yield* gate.open
      yield* Fiber.join(third)
      yield* Fiber.join(fourth)
      return { blocked, entries: yield* ActorRef.ask(r, { _tag: "Log" }) }
    }))
    expect(out.blocked).toEqual([false, false])
    expect(out.entries).toEqual(["hold", "item 1", "item 2", "item 3", "item 4"])
  })

  it("G17 suspend is the default policy of a bounded mailbox; the definition's mailbox applies", async () => {
    const Bounded = Actor.make<Msg>()({
      init: () => Effect.succeed<ReadonlyArray<string>>([]),
      receive: {
        Hold: (s, m) => Effect.as(m.gate.wait, log(s, "hold")),
        Item: (s, m) => log(s, `item ${m.n}`),
        Ask: (s, m) => Actor.reply(m.n, s),
        Log: (s) => Actor.reply(s, s)
      },
      mailbox: { capacity: 1 }
    })
    const out = await run(Effect.gen(function*() {
      const gate = yield* makeGate
      const r = yield* Actor.spawn(Bounded)
      yield* ActorRef.tell(r, { _tag: "Hold", gate })
      yield* untilIdle
      yield* ActorRef.tell(r, item(1))
      const second = yield* Effect.forkChild(ActorRef.tell(r, item(2)))
      yield* untilIdle
      const blocked = !(yield* isDone(second))
      // a spawn option overrides the definition's mailbox
      const free = yield* Actor.spawn(Bounded, { mailbox: { capacity: 100 } })
      yield* ActorRef.tell(free, { _tag: "Hold", gate: yield* makeGate })
      yield* untilIdle
      yield* ActorRef.tell(free, item(1))
      yield* ActorRef.tell(free, item(2))
      yield* gate.open
      yield* Fiber.join(second)
      yield* ActorRef.kill(free)
      return { blocked, entries: yield* ActorRef.ask(r, { _tag: "Log" }) }
    }))
    expect(out.blocked).toBe(true)
    expect(out.entries).toEqual(["hold", "item 1", "item 2"])
  })

  it("G17 suspend: an interrupted waiting sender's message is withdrawn; a waiting send fails if the actor ends", async () => {
    const out = await run(Effect.gen(function*() {
      const gate = yield* makeGate
      const r = yield* Actor.spawn(Recorder, { mailbox: { capacity: 1 } })
      yield* ActorRef.tell(r, { _tag: "Hold", gate })
      yield* untilIdle
      yield* ActorRef.tell(r, item(1))
      const withdrawn = yield* Effect.forkChild(ActorRef.tell(r, item(2)))
      yield* untilIdle
      yield* Fiber.interrupt(withdrawn)
      yield* gate.open
      const entries = yield* ActorRef.ask(r, { _tag: "Log" })

      const gate2 = yield* makeGate
      yield* ActorRef.tell(r, { _tag: "Hold", gate: gate2 })
      yield* untilIdle
      yield* ActorRef.tell(r, item(3))
      const sending = yield* Effect.forkChild(Effect.flip(ActorRef.send(r, item(4))))
      yield* untilIdle
      yield* ActorRef.kill(r)
      return { entries, sendError: yield* Fiber.join(sending) }
    }))
    expect(out.entries).toEqual(["hold", "item 1"])
    expect(out.sendError._tag).toBe("ActorNotAlive")
  })

  it("G17 dropNewest: a message to a full mailbox is dropped to dead letters; send fails with MailboxFull", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* collectDeadLetters
      const gate = yield* makeGate
      const r = yield* Actor.spawn(Recorder, { mailbox: { capacity: 2, overflow: "dropNewest" } })
      yield* ActorRef.tell(r, { _tag: "Hold", gate })
      yield* untilIdle
      for (let n = 1; n <= 4; n++) yield* ActorRef.tell(r, item(n))
      const sendError = yield* Effect.flip(ActorRef.send(r, item(5)))
      const askError = yield* Effect.flip(ActorRef.ask(r, { _tag: "Ask", n: 6 }))
      yield* gate.open
      return { sendError, askError, entries: yield* ActorRef.ask(r, { _tag: "Log" }), letters: yield* letters }
    }))
    expect(out.entries).toEqual(["hold", "item 1", "item 2"])
    expect(out.letters.map((l) => [l.message, l.reason])).toEqual([
      [item(3), "DroppedNewest"],
      [item(4), "DroppedNewest"]
    ])
    expect(out.sendError._tag).toBe("MailboxFull")
    expect(out.askError._tag).toBe("MailboxFull")
  })

  it("G17 dropOldest: the oldest waiting message makes room; a request pushed out fails with MailboxFull", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* collectDeadLetters
      const gate = yield* makeGate
      const r = yield* Actor.spawn(Recorder, { mailbox: { capacity: 2, overflow: "dropOldest" } })
      yield* ActorRef.tell(r, { _tag: "Hold", gate })
      yield* untilIdle
      const pushedOut = yield* Effect.forkChild(Effect.flip(ActorRef.ask(r, { _tag: "Ask", n: 0 })))
      yield* untilIdle
      for (let n = 1; n <= 4; n++) yield* ActorRef.tell(r, item(n))
      const askError = yield* Fiber.join(pushedOut)
      yield* gate.open
      return { askError, entries: yield* ActorRef.ask(r, { _tag: "Log" }), letters: yield* letters }
    }))
    expect(out.askError._tag).toBe("MailboxFull")
    expect(out.entries).toEqual(["hold", "item 3", "item 4"])
    expect(out.letters.map((l) => [l.message, l.reason])).toEqual([
      [item(1), "DroppedOldest"],
      [item(2), "DroppedOldest"]
    ])
  })

  it("G17 fail: send and ask fail with MailboxFull; tell routes the message to dead letters", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* collectDeadLetters
      const gate = yield* makeGate
      const r = yield* Actor.spawn(Recorder, { label: "strict", mailbox: { capacity: 1, overflow: "fail" } })
      yield* ActorRef.tell(r, { _tag: "Hold", gate })
      yield* untilIdle
      yield* ActorRef.send(r, item(1))
      const sendError = yield* Effect.flip(ActorRef.send(r, item(2)))
      const askError = yield* Effect.flip(ActorRef.ask(r, { _tag: "Ask", n: 3 }))
      const tellExit = yield* Effect.exit(ActorRef.tell(r, item(4)))
      yield* gate.open
      return {
        sendError,
        askError,
        tellExit,
        entries: yield* ActorRef.ask(r, { _tag: "Log" }),
        letters: yield* letters
      }
    }))
    expect(out.sendError).toMatchObject({ _tag: "MailboxFull", capacity: 1 })
    expect(out.sendError.message).toContain("strict")
    expect(out.askError._tag).toBe("MailboxFull")
    expect(Exit.isSuccess(out.tellExit)).toBe(true)
    expect(out.entries).toEqual(["hold", "item 1"])
    expect(out.letters.map((l) => [l.message, l.reason])).toEqual([[item(4), "MailboxFull"]])
  })
})

describe("G18 system signals are handled before waiting user messages", () => {
  it("G18 a stop request overtakes the user messages waiting in the mailbox", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* collectDeadLetters
      const gate = yield* makeGate
      let seen: ReadonlyArray<string> = []
      const Watching = Actor.make<Msg>()({
        init: () => Effect.succeed<ReadonlyArray<string>>([]),
        receive: {
          Hold: (s, m) => Effect.as(m.gate.wait, log(s, "hold")),
          Item: (s, m) => log(s, `item ${m.n}`),
          Ask: (s, m) => Actor.reply(m.n, s),
          Log: (s) => Actor.reply(s, s)
        },
        onStop: (s) => Effect.sync(() => (seen = s))
      })
      const r = yield* Actor.spawn(Watching)
      yield* ActorRef.tell(r, { _tag: "Hold", gate })
      yield* ActorRef.tell(r, item(1))
      yield* ActorRef.tell(r, item(2))
      yield* untilIdle
      const stopping = yield* Effect.forkChild(ActorRef.stop(r))
      yield* untilIdle
      yield* gate.open
      const reason = yield* Fiber.join(stopping)
      return { reason, seen, letters: yield* letters }
    }))
    expect(out.reason).toEqual(ExitReason.shutdown())
    expect(out.seen).toEqual(["hold"])
    expect(out.letters.map((l) => l.message)).toEqual([item(1), item(2)])
  })

  it("G18 down and exit notices overtake the user messages waiting in the mailbox", async () => {
    const entries = await run(Effect.gen(function*() {
      const gate = yield* makeGate
      const watcher = yield* Actor.spawn(Recorder)
      const watched = yield* Actor.spawn(Recorder)
      const linked = yield* Actor.spawn(Recorder)
      yield* ActorRef.watch(watcher, watched)
      yield* ActorRef.link(watcher, linked)
      yield* ActorRef.tell(watcher, { _tag: "Hold", gate })
      yield* untilIdle
      yield* ActorRef.tell(watcher, item(1))
      yield* ActorRef.tell(watcher, item(2))
      yield* ActorRef.kill(watched)
      yield* ActorRef.stop(linked)
      yield* gate.open
      return yield* ActorRef.ask(watcher, { _tag: "Log" })
    }))
    expect(entries).toEqual(["hold", "down Killed", "exit Shutdown", "item 1", "item 2"])
  })

  it("G18 kill acts at once, ahead of waiting messages and signals", async () => {
    const out = await run(Effect.gen(function*() {
      const letters = yield* collectDeadLetters
      const r = yield* Actor.spawn(Recorder)
      for (let n = 0; n < 5; n++) yield* ActorRef.tell(r, item(n))
      const stopping = yield* Effect.forkChild(ActorRef.stop(r))
      // no dispatcher turn in between: nothing has been handled yet
      const reason = yield* ActorRef.kill(r)
      return { reason, stopped: yield* Fiber.join(stopping), letters: yield* letters }
    }))
    expect(out.reason).toEqual(ExitReason.killed)
    expect(out.stopped).toEqual(ExitReason.killed)
    expect(out.letters.length).toBe(5)
  })
})
