/**
 * The service of examples/service written as a user had to before issue #12 (the "before" of
 * its closing note): refs dug out of whichChildren with casts, start-or-lookup by parsing a
 * Cause, hand-made timers with generation counters and public messages only to arm them, the
 * tree wired into a Layer by hand, and signal handling written out. Type-checked, not run.
 */
import { createServer } from "node:http"
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Child, DynamicSupervisor, Supervisor } from "@arbor/supervisor"
import { Cause, Effect, Exit, Fiber, Layer, Option, Runtime } from "effect"

// a session: counts hits; a hand-made idle timer (a forked sleep and a generation counter, so
// a stale expiry is ignored), armed by a public message because init cannot reach `self`
type SessionMsg =
  | { readonly _tag: "Arm"; readonly self: ActorRef.ActorRef<SessionMsg> }
  | { readonly _tag: "Expire"; readonly generation: number }
  | Actor.Request<{ readonly _tag: "Hit" }, number>
interface SessionState {
  readonly hits: number
  readonly generation: number
  readonly self: ActorRef.ActorRef<SessionMsg> | undefined
  readonly timer: Fiber.Fiber<void> | undefined
}
const SessionName = (user: string) => Registry.key<SessionMsg>()(`session/${user}`)
const arm = (s: SessionState): Effect.Effect<SessionState> =>
  Effect.gen(function*() {
    if (s.timer !== undefined) yield* Fiber.interrupt(s.timer)
    const generation = s.generation + 1
    const self = s.self!
    const timer = yield* Effect.forkDetach(
      Effect.andThen(Effect.sleep("30 seconds"), ActorRef.tell(self, { _tag: "Expire", generation }))
    )
    return { ...s, generation, timer: timer as Fiber.Fiber<void> }
  })
const Session = Actor.make<SessionMsg>()({
  init: (): Effect.Effect<SessionState> => Effect.succeed({ hits: 0, generation: 0, self: undefined, timer: undefined }),
  receive: {
    Arm: (s, msg) => arm({ ...s, self: msg.self }),
    Hit: (s) => Effect.map(arm(s), (next) => Actor.reply(next.hits + 1, { ...next, hits: next.hits + 1 })),
    Expire: (s, msg) => (msg.generation === s.generation ? Actor.stop() : s)
  },
  onStop: (s) => (s.timer === undefined ? Effect.void : Fiber.interrupt(s.timer))
})

// a job worker
type JobMsg = Actor.Request<{ readonly _tag: "Square"; readonly n: number }, number>
const JobWorker = Actor.make<JobMsg>()({
  init: () => Effect.succeed(null),
  receive: {
    Square: (s, msg) =>
      msg.n < 0 ? Effect.die(`cannot square ${msg.n}`) : Effect.as(Effect.sleep("200 millis"), Actor.reply(msg.n * msg.n, s))
  }
})

// stats: a periodic report by a forked loop, armed by a public message
type StatsMsg = { readonly _tag: "Start"; readonly self: ActorRef.ActorRef<StatsMsg> } | { readonly _tag: "Report" }
const SessionsName = Registry.key<DynamicSupervisor.Protocol<string>>()("sessions")
const Stats = Actor.make<StatsMsg>()({
  init: () => Effect.succeed<Fiber.Fiber<void> | undefined>(undefined),
  receive: {
    Start: (_s, msg) =>
      Effect.map(
        Effect.forkDetach(Effect.forever(Effect.andThen(Effect.sleep("10 seconds"), ActorRef.tell(msg.self, { _tag: "Report" })))),
        (f) => f as Fiber.Fiber<void> | undefined
      ),
    Report: (s) =>
      Registry.lookup(SessionsName).pipe(
        Effect.flatMap((o) => (Option.isSome(o) ? DynamicSupervisor.countChildren(o.value) : Effect.succeed({ active: 0 }))),
        Effect.flatMap((n) => Effect.log(`${n.active} session(s)`)),
        Effect.ignore,
        Effect.as(s)
      )
  },
  onStop: (s) => (s === undefined ? Effect.void : Fiber.interrupt(s))
})

// the tree; naming the sessions supervisor takes a hand-built child spec
const tree = Supervisor.start({
  strategy: "one-for-one",
  label: "service",
  children: [
    {
      id: "sessions",
      type: "supervisor",
      shutdown: "infinity",
      start: Effect.tap(
        DynamicSupervisor.start({ child: (user: string) => Registry.spawn(SessionName(user), Session), restart: "transient", label: "sessions" }),
        (ref) => Registry.register(SessionsName, ref)
      )
    },
    Supervisor.child("jobs", {
      strategy: "one-for-one",
      label: "jobs",
      children: [1, 2, 3, 4].map((i) => Child.worker({ id: `job-${i}`, start: Actor.spawn(JobWorker, { label: `job-${i}` }) }))
    }),
    Child.worker({ id: "stats", start: Effect.tap(Actor.spawn(Stats), (ref) => ActorRef.tell(ref, { _tag: "Start", self: ref })) })
  ]
})

// start-or-lookup: start, and on a failed start dig AlreadyRegistered out of the Cause
const sessionOf = (sessions: DynamicSupervisor.DynamicSupervisorRef<string>, user: string) =>
  Effect.gen(function*() {
    const found = yield* Registry.lookup(SessionName(user))
    if (Option.isSome(found)) return found.value
    const started = yield* Effect.exit(DynamicSupervisor.startChild(sessions, user))
    if (Exit.isSuccess(started)) {
      const ref = started.value as ActorRef.ActorRef<SessionMsg>
      yield* ActorRef.tell(ref, { _tag: "Arm", self: ref })
      return ref
    }
    const error = Cause.findErrorOption(started.cause)
    if (Option.isSome(error) && error.value._tag === "ChildStartFailed") {
      const inner = Cause.findErrorOption(error.value.cause)
      if (Option.isSome(inner) && (inner.value as { _tag?: string })._tag === "AlreadyRegistered") {
        return yield* Registry.await(SessionName(user), "1 second")
      }
    }
    return yield* Effect.failCause(started.cause)
  })

const Http = Layer.effectDiscard(Effect.gen(function*() {
  const root = yield* tree
  const children = yield* Supervisor.whichChildren(root)
  const sessions = children.find((c) => c.id === "sessions")!.ref as DynamicSupervisor.DynamicSupervisorRef<string>
  const jobs = children.find((c) => c.id === "jobs")!.ref as Supervisor.SupervisorRef
  let next = 0
  const route = (url: string): Effect.Effect<number, unknown, Registry.Registry> => {
    const [, kind, arg = ""] = url.split("/")
    if (kind === "session") return Effect.flatMap(sessionOf(sessions, arg), (s) => ActorRef.ask(s, { _tag: "Hit" }))
    if (kind === "square") {
      return Effect.flatMap(Supervisor.whichChildren(jobs), (live) => {
        const worker = live.find((c) => c.id === `job-${(next++ % 4) + 1}`)?.ref as ActorRef.ActorRef<JobMsg>
        return ActorRef.ask(worker, { _tag: "Square", n: Number(arg) }, { timeout: "5 seconds" })
      })
    }
    return Effect.fail("not found" as const)
  }
  // the root giving up is not noticed: watch it by hand and end the program
  ActorRef.onExit(root, () => process.exit(1))
  const run = Effect.runPromiseExitWith(yield* Effect.context<Registry.Registry>())
  const server = createServer((req, res) => {
    void run(route(req.url ?? "/")).then((exit) => {
      res.writeHead(Exit.isSuccess(exit) ? 200 : 500).end(Exit.isSuccess(exit) ? `${exit.value}\n` : `${Cause.pretty(exit.cause)}\n`)
    })
  })
  yield* Effect.acquireRelease(
    Effect.callback<void>((resume) => void server.listen(Number(process.env["PORT"] ?? 8080), () => resume(Effect.void))),
    () => Effect.callback<void>((resume) => void server.close(() => resume(Effect.void)))
  )
  yield* Effect.log("listening")
}))

const App = Http.pipe(Layer.provide(Layer.mergeAll(ActorSystem.layer, Registry.layer)))

let signalled = false
const runMain = Runtime.makeRunMain(({ fiber, teardown }) => {
  const onSignal = () => ((signalled = true), fiber.interruptUnsafe(fiber.id))
  process.once("SIGTERM", onSignal).once("SIGINT", onSignal)
  fiber.addObserver((exit) =>
    teardown(exit, (code) => process.exit(signalled && Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? 0 : code))
  )
})

export const main = () => runMain(Layer.launch(App).pipe(Effect.ensuring(Effect.log("stopped"))))
