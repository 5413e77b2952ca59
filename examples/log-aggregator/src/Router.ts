/**
 * The router receives every event and forwards it to the processor for its severity. It finds
 * processors by name in the registry, so it keeps working across their restarts: while a
 * processor is being restarted its name is free, and `Registry.await` waits for the next
 * incarnation.
 *
 * Its mailbox is bounded and suspends senders when full: when the error processor holds the
 * router up, producers feel it.
 */
import { Actor, ActorRef } from "@arbor/core"
import { Registry } from "@arbor/registry"
import type { Faults } from "@arbor/testkit"
import { Effect } from "effect"
import type { LogEvent } from "./LogEvent.ts"
import { ErrorProcessor, type ProcessorMsg, WarningProcessor } from "./Processor.ts"

export type RouterMsg = LogEvent

export const RouterName = Registry.key<RouterMsg>()("router")

const forward = (key: Registry.Key<ProcessorMsg | Faults.CrashRequest>, event: LogEvent, routed: number) =>
  Effect.gen(function*() {
    const target = yield* Registry.await(key, "1 second")
    // suspends while the error processor's mailbox is full; never for warnings (dropNewest)
    yield* ActorRef.tell(target, { _tag: "Process", event })
    return routed + 1
  })

export const router = (mailbox: Actor.MailboxOptions) =>
  Actor.make<RouterMsg>()({
    init: () => Effect.succeed(0),
    receive: {
      Warning: (routed, event) => forward(WarningProcessor, event, routed),
      Error: (routed, event) => forward(ErrorProcessor, event, routed)
    },
    mailbox
  })
