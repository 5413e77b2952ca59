/**
 * What user code returns, and how the runtime reads it: the `Reply` and `Stop` results of a
 * handler, and the checks that turn a wrong return value (a Promise, a non-Effect) into a
 * defect of the actor rather than a crash of the host.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Reason from "../ExitReason.ts"
import type { ExitReason } from "../ExitReason.ts"

/** A request's reply produced by a handler: `Actor.reply(value, state)`. */
export class Reply<out A, out S> {
  constructor(readonly value: A, readonly state: S) {}
}

/**
 * A request handler's decision to answer later: `Actor.deferReply(f)`. The run loop makes the
 * request's reply handle, calls `f` with it and continues with what `f` returns.
 */
export class DeferReply {
  constructor(readonly f: (handle: unknown) => unknown) {}
}

/** A handler's decision to stop: `Actor.stop(reason)`. */
export class Stop {
  constructor(readonly reason: ExitReason) {}
}

/**
 * The exit reason of an actor whose handler, signal handler or handler effect ended with
 * `cause`. Interruptions alone mean the handler interrupted itself (a forced exit is handled
 * before this): a `Failure`, so the stop hook runs and links see an abnormal exit.
 */
export const handlerFailure = (cause: Cause.Cause<unknown>): ExitReason =>
  Reason.fromCause(cause, Reason.failure(cause))

/** The exit reason of a handler that threw `defect`. */
export const handlerDefect = (defect: unknown): ExitReason => handlerFailure(Cause.die(defect))

/** `true` for a Promise or any other value with a `then` method. */
export const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === "object" && u !== null && typeof (u as { then?: unknown }).then === "function"

/**
 * The defect of user code (`what`: "a handler", "init", "the stop hook") that returned a
 * Promise instead of a state or an Effect. A rejection handler is attached first, so the
 * Promise's failure can never reach the host as an unhandled rejection.
 */
export const thenableDefect = (value: PromiseLike<unknown>, what: string): TypeError => {
  try {
    value.then(undefined, noop)
  } catch {
    // a hostile thenable: nothing more to do with it
  }
  return new TypeError(
    `${what} returned a Promise (or another thenable), which Arbor does not await: ` +
      "return the next state, Actor.reply / Actor.stop, or an Effect (wrap async code in Effect.promise or Effect.tryPromise)"
  )
}

/** What user code that must return an Effect returned, as an Effect: anything else is a defect. */
export const asEffect = (out: unknown, what: string): Effect.Effect<unknown, unknown, unknown> => {
  if (Effect.isEffect(out)) return out
  if (isThenable(out)) return Effect.die(thenableDefect(out, what))
  return Effect.die(new TypeError(`${what} must return an Effect (got ${describeValue(out)})`))
}

const describeValue = (u: unknown): string => {
  if (u === null) return "null"
  if (typeof u === "object") return Array.isArray(u) ? "an array" : "an object"
  if (typeof u === "function") return "a function"
  return typeof u === "string" ? `the string ${JSON.stringify(u)}` : `${typeof u} ${String(u)}`
}

const noop = () => {}
