/**
 * Waiting for actors to end, and the three ways of stopping one (OTP's shutdown specs).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Reason from "../ExitReason.ts"
import type { ExitReason } from "../ExitReason.ts"
import type { Shutdown } from "../Durations.ts"
import type { Cell } from "./cell.ts"
import { observe } from "./exits.ts"

/** Completes with the actor's exit reason when it ends; at once if it already has. */
export const awaitExit = (cell: Cell): Effect.Effect<ExitReason> =>
  Effect.callback<ExitReason>((resume) => {
    const cancel = observe(cell, (reason) => resume(Effect.succeed(reason)), false)
    return Effect.sync(cancel)
  })

/** `true` when the calling fiber is the actor's own (a handler or hook of that actor). */
export const isSelf = (cell: Cell): boolean => {
  const current = Fiber.getCurrent()
  return current !== undefined && (current === cell.fiber || current === cell.initFiber)
}

/**
 * How an actor is stopped: forced at once, asked and awaited, or asked then forced after a
 * timeout. Decoded from user input by `Durations.decodeShutdown`.
 */
export type ShutdownSpec = Shutdown

export const kill = (cell: Cell): Effect.Effect<ExitReason> =>
  Effect.suspend(() => {
    cell.forceExit(Reason.killed)
    if (!isSelf(cell)) return awaitExit(cell)
    // from the actor's own `init`, the kill takes effect when `init` completes: `init` goes on
    return cell.isStarting() ? Effect.succeed(Reason.killed) : Effect.never
  })

export const stop = (cell: Cell, reason: ExitReason): Effect.Effect<ExitReason> =>
  Effect.suspend(() => {
    cell.requestGracefulStop(reason)
    return isSelf(cell) ? Effect.succeed(reason) : awaitExit(cell)
  })

/**
 * Stops an actor per a shutdown spec and completes with its exit reason. A timeout reads the
 * `Clock`, so `TestClock` drives it.
 */
export const shutdown = (cell: Cell, spec: ShutdownSpec, reason: ExitReason): Effect.Effect<ExitReason> => {
  if (spec === "brutal") return kill(cell)
  if (spec === "infinity") return stop(cell, reason)
  return Effect.suspend(() => {
    if (!cell.isAlive()) return Effect.succeed(cell.exitReason!)
    cell.requestGracefulStop(reason)
    return awaitExit(cell).pipe(
      Effect.timeoutOrElse({ duration: spec, orElse: () => kill(cell) })
    )
  })
}
