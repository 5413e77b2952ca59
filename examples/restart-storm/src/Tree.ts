/**
 * The supervision tree: a root supervisor with two nested supervisors, each supervising one
 * worker that polls a dependency. The two nested supervisors differ only in their restart type
 * under the root: `payments` is transient, `search` is permanent.
 *
 * ```
 * root        one-for-one, at most 3 restarts in 5 s
 * ├── payments  (transient)  one-for-one, at most 2 restarts in 1 s
 * │   └── worker  polls payments-db
 * └── search    (permanent)  one-for-one, at most 2 restarts in 1 s
 *     └── worker  polls search-index
 * ```
 */
import type { ActorSystem } from "@arbor/core"
import { Child, type SupervisionEvent, Supervisor, type SupervisorErrors } from "@arbor/supervisor"
import type { Duration, Effect, Scope } from "effect"
import type { Dependency } from "./Dependency.ts"
import { startWorker } from "./Worker.ts"

export interface TreeOptions {
  readonly payments: Dependency
  readonly search: Dependency
  readonly pollEvery: Duration.Input
  readonly onEvent: (event: SupervisionEvent.SupervisionEvent) => void
}

// not annotated as a SupervisorSpec: that type has an optional `name`, which would make the
// tree need a Registry; inferred, the spec says it has none
const subtree = (
  dependency: Dependency,
  pollEvery: Duration.Input
) => ({
  strategy: "one-for-one" as const,
  intensity: 2,
  period: "1 second" as const,
  children: [Child.worker({ id: "worker", start: startWorker(dependency, pollEvery) })]
})

export const start = (
  options: TreeOptions
): Effect.Effect<
  Supervisor.SupervisorRef,
  SupervisorErrors.InvalidChildSpec | SupervisorErrors.ChildStartFailed,
  Scope.Scope | ActorSystem.ActorSystem
> =>
  Supervisor.start({
    label: "root",
    strategy: "one-for-one",
    intensity: 3,
    period: "5 seconds",
    children: [
      Supervisor.child("payments", { ...subtree(options.payments, options.pollEvery), label: "payments" }, {
        restart: "transient"
      }),
      Supervisor.child("search", { ...subtree(options.search, options.pollEvery), label: "search" }, {
        restart: "permanent"
      })
    ],
    onEvent: options.onEvent
  })
