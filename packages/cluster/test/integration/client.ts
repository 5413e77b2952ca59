/** Client-side helpers of the integration tests: one-shot asks and DOWN reasons. */
import { ActorRef } from "@arbor/core"
import type { ExitReason } from "@arbor/core"
import * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { ClusterRef, RemoteActorError, RemoteDown } from "../../src/index.ts"
import { Counter, Fragile, Keeper, Ledger } from "./fixtures/protocols.ts"

/** `ask Get` through a fresh, non-watching proxy; the result as an Exit (never fails). */
export const get = (protocol: typeof Counter | typeof Keeper | typeof Fragile, id: string, timeout: Duration.Input = "2 seconds") =>
  Effect.scoped(Effect.gen(function*() {
    const ref = yield* ClusterRef.ref(protocol as typeof Counter, id, { watch: false })
    return yield* ActorRef.ask(ref, { _tag: "Get" }, { timeout })
  })).pipe(Effect.exit)

/** `ask Total` of a ledger through a fresh, non-watching proxy, as an Exit. */
export const total = (id: string, timeout: Duration.Input = "2 seconds") =>
  Effect.scoped(Effect.gen(function*() {
    const ref = yield* ClusterRef.ref(Ledger, id, { watch: false })
    return yield* ActorRef.ask(ref, { _tag: "Total" }, { timeout })
  })).pipe(Effect.exit)

/** The value of a successful Exit, else undefined. */
export const value = <A>(exit: Exit.Exit<A, unknown>): A | undefined => Exit.isSuccess(exit) ? exit.value : undefined

const errorsOf = (cause: Cause.Cause<unknown>): Array<unknown> => {
  const out: Array<unknown> = []
  const seen = new Set<unknown>()
  const walk = (u: unknown, depth: number) => {
    if (depth > 6 || u === null || typeof u !== "object" || seen.has(u)) return
    seen.add(u)
    out.push(u)
    for (const v of Object.values(u)) walk(v, depth + 1)
    if (Cause.isCause(u)) for (const r of u.reasons) walk(r, depth + 1)
  }
  walk(cause, 0)
  return out
}

/** The `RemoteDown` inside an exit reason (a proxy's end), if any. */
export const remoteDown = (reason: ExitReason.ExitReason): RemoteDown | undefined =>
  reason._tag === "Failure" ? errorsOf(reason.cause).find((e): e is RemoteDown => e instanceof RemoteDown) : undefined

/** The `RemoteActorError` inside a failed Exit (an ask whose proxy ended with it), if any. */
export const remoteError = (exit: Exit.Exit<unknown, unknown>): RemoteActorError | undefined =>
  Exit.isFailure(exit) ? errorsOf(exit.cause).find((e): e is RemoteActorError => e instanceof RemoteActorError) : undefined
