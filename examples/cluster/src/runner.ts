/**
 * One runner process of the demo (started by `main.ts`, never by hand): hosts the demo's actor
 * as the `DemoCounter` entity on the cluster that shares the PostgreSQL of
 * `ARBOR_DEMO_DATABASE_URL`, listening on `127.0.0.1:ARBOR_DEMO_PORT`. Prints `ready` once its
 * layer is built; SIGTERM leaves the cluster cleanly (its shards move at once), SIGKILL is the
 * demo's failure.
 */
import { ActorSystem, Reports } from "@arbor/core"
import { Cluster, ClusterActor } from "@arbor/cluster"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { demoActor, DemoProtocol } from "./actor.ts"

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === "") {
    console.error(`runner.ts is started by the demo (pnpm demo:cluster): ${name} is not set`)
    process.exit(2)
  }
  return value
}
const runner = env("ARBOR_DEMO_RUNNER")
const port = Number(env("ARBOR_DEMO_PORT"))
const journal = env("ARBOR_DEMO_JOURNAL")

const HostLive = ClusterActor.host(DemoProtocol, demoActor({ runner, journal })).pipe(
  Layer.provide(Cluster.layer({
    storage: env("ARBOR_DEMO_DATABASE_URL"),
    runner: { host: "127.0.0.1", port },
    preset: "test",
    tablePrefix: env("ARBOR_DEMO_TABLE_PREFIX")
  })),
  Layer.provide(ActorSystem.layer),
  Layer.provide(Reports.layer(false))
)

const main = Effect.scoped(Effect.gen(function*() {
  yield* Layer.build(HostLive)
  console.log("ready")
  return yield* Effect.never
}))

const fiber = Effect.runFork(main)
// the demo started this process: if the demo is gone (killed itself), so is this runner
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) fiber.interruptUnsafe()
}, 500).unref()
// SIGTERM / SIGINT: interrupting the fiber closes the layer, which unregisters the runner
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => fiber.interruptUnsafe())
fiber.addObserver((exit) => {
  if (exit._tag === "Failure" && !exit.cause.reasons.every((r) => r._tag === "Interrupt")) {
    console.error(`${runner} failed: ${String(exit.cause)}`)
    process.exit(1)
  }
  process.exit(0)
})
