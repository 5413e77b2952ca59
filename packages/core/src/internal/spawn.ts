/**
 * Spawning: a definition's options resolved and checked, the cell made, `init` run (at once
 * when it has already completed, else in a fiber with its start timeout), and the started
 * actor registered in its spawner's scope. The default `ActorSystem` implementation's `spawn`
 * runs this with its own system state; `Actor.spawn` calls through the service.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import type { MailboxOptions, Overflow, SpawnOptions } from "../Actor.ts"
import type { ActorRef } from "../ActorRef.ts"
import * as Durations from "../Durations.ts"
import { InvalidActorOptions, StartTimeout } from "../Errors.ts"
import * as Reason from "../ExitReason.ts"
import type { ActorSystemService } from "../ActorSystem.ts"
import { Cell } from "./cell.ts"
import type { CellBehavior } from "./cell.ts"
import { asEffect } from "./handler.ts"
import * as Lifecycle from "./lifecycle.ts"
import type { SystemState } from "./system.ts"

const BehaviorTypeId = "~@arbor/core/Behavior" as const

/** What `Actor.make` builds and an `Actor.Behavior` is at run time. */
export class BehaviorImpl {
  readonly [BehaviorTypeId] = undefined as never
  /** The resolved options when `spawn` is given none (computed once). */
  defaults: Resolved | InvalidActorOptions | undefined = undefined
  constructor(readonly cell: CellBehavior, readonly mailbox: MailboxOptions | undefined) {}
}

const OVERFLOWS: ReadonlyArray<string> = ["suspend", "dropNewest", "dropOldest", "fail"]
const defaultShutdown = Duration.seconds(5)

interface Resolved {
  readonly capacity: number
  readonly overflow: Overflow
  readonly startTimeout: Duration.Duration | undefined
  readonly shutdown: Lifecycle.ShutdownSpec
}

const resolveOptions = (
  label: string | undefined,
  mailbox: MailboxOptions | undefined,
  options: SpawnOptions | undefined
): Resolved | InvalidActorOptions => {
  const invalid = (field: string, value: unknown, reason: string) =>
    new InvalidActorOptions({ label, field, value, reason })
  if (label !== undefined && typeof label !== "string") return invalid("label", label, "must be a string")
  let capacity = Infinity
  let overflow: Overflow = "suspend"
  if (mailbox !== undefined) {
    if (typeof mailbox !== "object" || mailbox === null) {
      return invalid("mailbox", mailbox, "must be an object { capacity, overflow? }")
    }
    const c = mailbox.capacity
    if (typeof c !== "number" || !Number.isInteger(c) || c < 1) {
      return invalid("mailbox.capacity", c, "must be a whole number ≥ 1")
    }
    capacity = c
    if (mailbox.overflow !== undefined) {
      if (!OVERFLOWS.includes(mailbox.overflow)) {
        return invalid("mailbox.overflow", mailbox.overflow, `must be one of ${OVERFLOWS.join(", ")}`)
      }
      overflow = mailbox.overflow
    }
  }
  let startTimeout: Duration.Duration | undefined
  if (options?.startTimeout !== undefined) {
    const d = Durations.decode(options.startTimeout)
    if (d === undefined) {
      return invalid("startTimeout", options.startTimeout, "must be a non-negative duration")
    }
    startTimeout = Duration.isFinite(d) ? d : undefined
  }
  let shutdown: Lifecycle.ShutdownSpec = defaultShutdown
  if (options?.shutdown !== undefined) {
    const s = Durations.decodeShutdown(options.shutdown)
    if (s === undefined) {
      return invalid("shutdown", options.shutdown, `must be "brutal", "infinity" or a non-negative duration`)
    }
    shutdown = s
  }
  return { capacity, overflow, startTimeout, shutdown }
}

/**
 * Spawns `behavior` (an `Actor.Behavior`) into the calling fiber's `Scope`, in `system`: the
 * actor runs with the caller's services. See `Actor.spawn` for the contract.
 */
export const spawn = (
  system: SystemState,
  key: Context.Key<unknown, ActorSystemService>,
  own: ActorSystemService,
  behavior: unknown,
  options: SpawnOptions | undefined
): Effect.Effect<ActorRef<never>, unknown, unknown> =>
  Effect.withFiber((fiber) => {
    const impl = behavior as BehaviorImpl
    const label = options?.label
    const resolved = options === undefined
      ? (impl.defaults ??= resolveOptions(undefined, impl.mailbox, undefined))
      : resolveOptions(label, options.mailbox ?? impl.mailbox, options)
    if (resolved instanceof InvalidActorOptions) return Effect.fail(resolved)
    const services = fiber.context
    const parent = Context.getUnsafe(services, Scope.Scope)
    // `ctx.system` is the service the spawner sees (a wrapper's, when this one is wrapped)
    const service = Context.getOrElse(services, key, () => own)
    const cell = new Cell(system, service, impl.cell, label, resolved.capacity, resolved.overflow)
    cell.spawnedWith(services)
    // fast path: an `init` that returns an already-completed effect starts the actor at once
    if (resolved.startTimeout === undefined) {
      let init: Effect.Effect<unknown, unknown, unknown>
      try {
        init = asEffect(impl.cell.init(cell.ctx), "init")
      } catch (defect) {
        cell.abortStart(Reason.fromCause(Cause.die(defect)))
        return Effect.die(defect)
      }
      if (Exit.isExit(init)) {
        if (Exit.isFailure(init)) {
          cell.abortStart(Reason.fromCause(init.cause))
          return init as unknown as Effect.Effect<never>
        }
        return Exit.succeed(started(cell, init.value, parent, resolved.shutdown))
      }
      return runInit(cell, init, resolved, label, parent)
    }
    return runInit(cell, Effect.suspend(() => asEffect(impl.cell.init(cell.ctx), "init")), resolved, label, parent)
  })

/** Runs an `init` that needs the runtime (it suspends, uses services, or has a start timeout). */
const runInit = (
  cell: Cell,
  init: Effect.Effect<unknown, unknown, unknown>,
  resolved: Resolved,
  label: string | undefined,
  parent: Scope.Scope
): Effect.Effect<ActorRef<never>, unknown> => {
  let run = Effect.provideContext(
    Effect.withFiber((fiber) => {
      // `init` stopping or killing its own actor must not wait for itself (see `Lifecycle.isSelf`)
      cell.initFiber = fiber
      return init
    }) as Effect.Effect<unknown, unknown, never>,
    cell.context
  )
  const timeout = resolved.startTimeout
  if (timeout !== undefined) {
    run = Effect.timeoutOrElse(run, {
      duration: timeout,
      orElse: () => Effect.fail(new StartTimeout({ label, timeout }))
    })
  }
  // Only `init` itself is interruptible: when the spawner is interrupted while `init` is
  // suspended, the interruption ends `init` and what it acquired is released here, before the
  // spawn ends; nor can an interruption fall between a completed `init` and the actor's start.
  return Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(Effect.exit(restore(run)), (exit) => {
      cell.initFiber = undefined
      if (Exit.isFailure(exit)) {
        return Effect.andThen(
          Scope.close(cell.resources, exit),
          Effect.suspend(() => {
            cell.abortStart(Reason.fromCause(exit.cause))
            return Effect.failCause(exit.cause)
          })
        )
      }
      return Effect.succeed(started(cell, exit.value, parent, resolved.shutdown))
    })
  )
}

/**
 * The actor's `init` completed: it is alive, and registered in the spawner's scope so that
 * closing the scope stops it (per its shutdown spec). The registration is one finalizer on a
 * child scope of the spawner's, which the actor closes — removing it — when it ends first.
 */
const started = (
  cell: Cell,
  state: unknown,
  parent: Scope.Scope,
  shutdown: Lifecycle.ShutdownSpec
): ActorRef<never> => {
  const lifetime = Scope.forkUnsafe(parent)
  cell.lifetime = lifetime
  const open = lifetime.state._tag === "Empty"
  if (open) {
    cell.shutdown = shutdown
    lifetime.state = {
      _tag: "Open",
      finalizerKey: cell,
      // bound, not a closure: an idle actor's registration is part of what every actor costs
      finalizer: endLifetime.bind(cell),
      finalizers: undefined
    }
  }
  cell.start(state)
  // the spawner's scope had already closed: the actor must not outlive it
  if (!open) cell.requestGracefulStop(Reason.shutdown())
  return cell.self
}

/** The finalizer of an actor's registration in its spawner's scope (`this` is the actor's cell). */
function endLifetime(this: Cell): Effect.Effect<void> {
  return this.isAlive() ? Effect.asVoid(Lifecycle.shutdown(this, this.shutdown, Reason.shutdown())) : Effect.void
}
