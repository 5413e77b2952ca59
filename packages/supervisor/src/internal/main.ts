/**
 * The machinery of `Supervisor.runMain`: Effect's `Runtime.makeRunMain` with Node's signal
 * handling (as `@effect/platform-node`'s `NodeRuntime.runMain`, which declares Node >= 22.19),
 * written against a minimal process interface so tests can drive it with a fake one.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import { ActorSystem } from "@arbor/core"
import { Registry } from "@arbor/registry"

/** The signals that stop a program run by `runMain`. */
export const signals = ["SIGTERM", "SIGINT"] as const

/** What `runMain` uses of Node's `process`. */
export interface MainProcess {
  readonly once: (signal: typeof signals[number], listener: () => void) => unknown
  readonly removeListener: (signal: typeof signals[number], listener: () => void) => unknown
  readonly exit: (code: number) => void
}

/** The services `runMain` provides when the program does not provide its own. */
export const defaults: Layer.Layer<ActorSystem.ActorSystem | Registry.Registry> = Layer.mergeAll(
  ActorSystem.layer,
  Registry.layer
)

/**
 * `Supervisor.runMain` over `proc`: `main` (a Layer, run by `launch`, or an Effect) gets the
 * default services and runs as the main fiber. The first SIGTERM or SIGINT interrupts it (and
 * removes both listeners, so a second signal gets Node's default: the process ends at once);
 * when it ends, `proc.exit` gets 0 for a success or for an interruption a signal caused, else
 * Effect's default teardown code (1 for a failure, which is logged first). Anything that is
 * neither a Layer nor an Effect throws a `TypeError` before anything runs.
 */
export const runMainWith = (
  proc: MainProcess,
  launch: (app: Layer.Layer<unknown, unknown, ActorSystem.ActorSystem | Registry.Registry>) => Effect.Effect<unknown, unknown, ActorSystem.ActorSystem | Registry.Registry>
) =>
(main: unknown): void => {
  const program = Layer.isLayer(main)
    ? launch(main as Layer.Layer<unknown, unknown, ActorSystem.ActorSystem | Registry.Registry>)
    : Effect.isEffect(main)
    ? (main as Effect.Effect<unknown, unknown, ActorSystem.ActorSystem | Registry.Registry>)
    : undefined
  if (program === undefined) {
    const got = main === null || main === undefined
      ? String(main)
      : typeof main === "object"
      ? (Array.isArray(main) ? "an array" : "an object")
      : `a ${typeof main}`
    throw new TypeError(`Supervisor.runMain expects a Layer (the application) or an Effect (the program), got ${got}`)
  }
  Runtime.makeRunMain(({ fiber, teardown }) => {
    let signalled = false
    const onSignal = () => {
      signalled = true
      for (const s of signals) proc.removeListener(s, onSignal)
      fiber.interruptUnsafe(fiber.id)
    }
    for (const s of signals) proc.once(s, onSignal)
    fiber.addObserver((exit) => {
      for (const s of signals) proc.removeListener(s, onSignal)
      const drained = signalled && Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
      teardown(exit, (code) => proc.exit(drained ? 0 : code))
    })
  })(Effect.provide(program, defaults))
}
