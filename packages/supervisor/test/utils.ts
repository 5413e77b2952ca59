/**
 * Shared helpers of the @arbor/supervisor tests: the world, the wait and the clock step come
 * from the shared harness, `TestSystem` of `@arbor/testkit` (a fresh world with a `TestClock` per
 * test); here are a small worker actor whose starts and stops are written to a log, and an event
 * recorder.
 */
import { Deferred, Effect, Fiber } from "effect"
import type { Duration, Scope } from "effect"
import { Actor, ActorRef, ActorSystem, ExitReason } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import type { SupervisionEvent } from "@arbor/supervisor"
import { TestSystem } from "@arbor/testkit"

/** Runs a test program in its own world (`TestSystem.run`); the scope closes at the end. */
export const run: <A, E>(program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem>) => Promise<A> = (program) =>
  TestSystem.run(program)

/** Waits until nothing is left to run, never for time (`TestSystem.untilIdle`). */
export const untilIdle = TestSystem.untilIdle

/** Moves the `TestClock` and waits until the work it woke up has run (`TestSystem.advance`). */
export const advance: (duration: Duration.Input) => Effect.Effect<void, never, ActorSystem.ActorSystem> = TestSystem.advance

/** `true` once the fiber has completed. */
export const isDone = <A, E>(fiber: Fiber.Fiber<A, E>): boolean => fiber.pollUnsafe() !== undefined

/** A gate a start or a hook can wait on; the test opens it. */
export interface Gate {
  readonly wait: Effect.Effect<void>
  readonly open: Effect.Effect<void>
}

export const makeGate: Effect.Effect<Gate> = Effect.map(Deferred.make<void>(), (d) => ({
  wait: Deferred.await(d),
  open: Effect.asVoid(Deferred.succeed(d, undefined))
}))

// -----------------------------------------------------------------------------------------
// a worker
// -----------------------------------------------------------------------------------------

export type WorkerMsg =
  /** The handler fails with a typed error: the worker ends with `Failure`. */
  | { readonly _tag: "Fail"; readonly error: string }
  /** The handler throws (not an Effect): the worker ends with `Failure`. */
  | { readonly _tag: "Throw" }
  /** The handler stops the worker with `reason`. */
  | { readonly _tag: "Exit"; readonly reason: ExitReason.ExitReason }
  | Actor.Request<{ readonly _tag: "Ping" }, string>

export interface WorkerOptions {
  /** How long the stop hook takes (on the `Clock`). Default: no time. */
  readonly stopDelay?: Duration.Input
  /** Whether the start of incarnation `n` (1-based) fails, returns ignore, or waits on a gate. */
  readonly onStart?: (n: number) => "ok" | "fail" | "ignore" | Gate
}

export type Log = Array<string>

/** A worker that writes `stopping <id>` / `stopped <id>` from its stop hook. */
export const Worker = (id: string, log: Log, options?: WorkerOptions) =>
  Actor.make<WorkerMsg>()({
    init: () => Effect.succeed(id),
    receive: {
      Fail: (_s, m) => Effect.fail(m.error),
      Throw: () => {
        throw new Error(`${id} threw`)
      },
      Exit: (_s, m) => Actor.stop(m.reason),
      Ping: (s) => Actor.reply(`pong ${s}`, s)
    },
    onStop: (_s, reason) =>
      Effect.gen(function*() {
        log.push(`stopping ${id}`)
        if (options?.stopDelay !== undefined) yield* Effect.sleep(options.stopDelay)
        log.push(`stopped ${id} ${reason._tag}`)
      })
  })

/**
 * The start effect of worker `id`: logs `start <id>`, then (per `onStart`) spawns it, fails
 * with `"<id> cannot start"`, returns `Child.ignore`, or waits on a gate first.
 */
export const startWorker = (
  id: string,
  log: Log,
  options?: WorkerOptions
): Effect.Effect<ActorRef.ActorRef<WorkerMsg> | Child.Ignore, unknown, Scope.Scope | ActorSystem.ActorSystem> => {
  let n = 0
  return Effect.suspend((): Effect.Effect<
    ActorRef.ActorRef<WorkerMsg> | Child.Ignore,
    unknown,
    Scope.Scope | ActorSystem.ActorSystem
  > => {
    n++
    log.push(`start ${id}`)
    const mode = options?.onStart?.(n) ?? "ok"
    if (mode === "fail") return Effect.fail(`${id} cannot start`)
    if (mode === "ignore") return Effect.succeed(Child.ignore)
    const spawn = Actor.spawn(Worker(id, log, options), { label: id })
    return mode === "ok" ? spawn : Effect.andThen(mode.wait, spawn)
  })
}

/** A worker child spec. */
export const worker = (
  id: string,
  log: Log,
  options?: WorkerOptions & {
    readonly restart?: Child.RestartType
    readonly shutdown?: Child.Shutdown
    readonly significant?: boolean
  }
): Child.ChildSpec<Scope.Scope | ActorSystem.ActorSystem, Child.StartResult, unknown, string, never> =>
  Child.worker({
    id,
    start: startWorker(id, log, options),
    ...(options?.restart === undefined ? {} : { restart: options.restart }),
    ...(options?.shutdown === undefined ? {} : { shutdown: options.shutdown }),
    ...(options?.significant === undefined ? {} : { significant: options.significant })
  })

// -----------------------------------------------------------------------------------------
// reading a supervisor
// -----------------------------------------------------------------------------------------

/** The running instance of child `id` (fails the test if it is not running). */
export const refOf = (sup: Supervisor.SupervisorRef, id: string) =>
  Effect.gen(function*() {
    const children = yield* Supervisor.whichChildren(sup)
    const found = children.find((c) => c.id === id)
    if (found?.ref === undefined) return yield* Effect.die(new Error(`child ${id} is not running`))
    return found.ref as ActorRef.ActorRef<WorkerMsg>
  })

/** The running instance of supervisor child `id`. */
export const supOf = (sup: Supervisor.SupervisorRef, id: string) =>
  Effect.map(refOf(sup, id), (ref) => ref as unknown as Supervisor.SupervisorRef)

/**
 * Makes the running instance of child `id` end with a failure and waits until it has ended;
 * the supervisor has the exit queued by then, so the next request to the supervisor is
 * answered after it reacted.
 */
export const crash = (sup: Supervisor.SupervisorRef, id: string, error = "boom") =>
  Effect.gen(function*() {
    const ref = yield* refOf(sup, id)
    yield* ActorRef.tell(ref, { _tag: "Fail", error })
    return yield* ActorRef.monitor(ref)
  })

/** Makes a worker end with `reason` (through its own handler) and waits until it has ended. */
export const exitWith = (ref: ActorRef.ActorRef<WorkerMsg>, reason: ExitReason.ExitReason) =>
  Effect.andThen(ActorRef.tell(ref, { _tag: "Exit", reason }), ActorRef.monitor(ref))

/** Records events and renders them compactly: `started sub/a#2 restart`, `exited a#1 Failure`. */
export const recorder = () => {
  const events: Array<SupervisionEvent.SupervisionEvent> = []
  const path = (e: { readonly supervisor: ReadonlyArray<string> }, child?: string) =>
    [...e.supervisor, ...(child === undefined ? [] : [child])].join("/") || "root"
  const render = (e: SupervisionEvent.SupervisionEvent): string => {
    switch (e._tag) {
      case "ChildStarted":
        return `started ${path(e, e.child)}#${e.incarnation}${e.restart ? " restart" : ""}`
      case "ChildStartIgnored":
        return `ignored ${path(e, e.child)}#${e.incarnation}`
      case "ChildStartFailed":
        return `start-failed ${path(e, e.child)}#${e.incarnation}`
      case "ChildExited":
        return `exited ${path(e, e.child)}#${e.incarnation} ${e.reason._tag}`
      case "ChildNotRestarted":
        return `not-restarted ${path(e, e.child)}#${e.incarnation}`
      case "RestartScheduled":
        return `scheduled ${path(e, e.child)} ${e.delayMillis}ms`
      case "RestartIntensityExceeded":
        return `gave-up ${path(e)}`
      case "AutoShutdown":
        return `auto-shutdown ${path(e)} by ${e.child}`
    }
  }
  return {
    events,
    onEvent: (e: SupervisionEvent.SupervisionEvent) => void events.push(e),
    lines: () => events.map(render),
    /** The rendered events since the last call. */
    take: (() => {
      let seen = 0
      return () => {
        const out = events.slice(seen).map(render)
        seen = events.length
        return out
      }
    })()
  }
}

/** `{ id: status }` for every child, in start order. */
export const statuses = (children: ReadonlyArray<Supervisor.ChildInfo>) =>
  Object.fromEntries([...children].reverse().map((c) => [c.id, c.status]))

export { ExitReason }
