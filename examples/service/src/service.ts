/**
 * The service pattern of issue #12, on the production API: per-session actors found by name,
 * a pool of job workers that may crash (asked in turn), periodic timers, one supervised tree as
 * a Layer (whose children are typed by its spec: main.ts reads their refs with no annotation).
 */
import { Actor } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Child, DynamicSupervisor, Pool, Supervisor } from "@arbor/supervisor"
import { type Duration, Effect } from "effect"

// a session: counts its hits; ends itself (Normal: not restarted) after `idle` without one
type SessionMsg = Actor.Request<{ readonly _tag: "Hit" }, number>
const SessionName = (user: string) => Registry.key<SessionMsg>()(`session/${user}`)
const Session = (idle: Duration.Input) =>
  Actor.make<SessionMsg, number>()({
    init: () => Effect.succeed(0),
    idleTimeout: { after: idle },
    receive: { Hit: (hits) => Actor.reply(hits + 1, hits + 1) }
  })

// a job worker: squares numbers slowly; a negative number crashes it (the pool restarts it)
type JobMsg = Actor.Request<{ readonly _tag: "Square"; readonly n: number }, number>
const JobWorker = Actor.make<JobMsg, null>()({
  init: () => Effect.succeed(null),
  receive: {
    Square: (s, msg) =>
      msg.n < 0 ? Effect.die(`cannot square ${msg.n}`) : Effect.as(Effect.sleep("200 millis"), Actor.reply(msg.n * msg.n, s))
  }
})

const SessionsName = Registry.key<DynamicSupervisor.Protocol<string>>()("sessions")

// stats: a periodic timer logs how many sessions are alive
type StatsMsg = { readonly _tag: "Report" }
const Stats = Actor.make<StatsMsg, null>()({
  init: (ctx) => Effect.as(ctx.timers.startPeriodic("report", { _tag: "Report" }, "10 seconds"), null),
  receive: {
    Report: (s) =>
      Registry.await(SessionsName, "1 second").pipe(
        Effect.flatMap(DynamicSupervisor.countChildren),
        Effect.flatMap((n) => Effect.log(`${n.active} session(s)`)),
        Effect.ignore,
        Effect.as(s)
      )
  }
})

export const tree = (options: { readonly sessionIdle: Duration.Input }) =>
  Supervisor.layer({
    label: "service",
    children: [
      DynamicSupervisor.child("sessions", {
        child: (_user: string) => Actor.spawn(Session(options.sessionIdle)),
        childName: SessionName,
        restart: "transient",
        name: SessionsName
      }),
      Pool.child("jobs", { size: 4, worker: Actor.spawn(JobWorker) }), // workers jobs-1 .. jobs-4
      Child.worker({ id: "stats", start: Actor.spawn(Stats) })
    ]
  })
