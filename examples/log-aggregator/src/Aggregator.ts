/**
 * The supervision tree: both processors, then the router, under one one-for-one supervisor.
 * Every child is started with `Registry.spawn`, so each incarnation is named before anyone
 * can reach it, and a crashed processor is replaced without touching its siblings.
 */
import type { Actor, ActorSystem } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Child, type SupervisionEvent, Supervisor, type SupervisorErrors } from "@arbor/supervisor"
import type { Faults } from "@arbor/testkit"
import type { Duration, Effect, Scope } from "effect"
import type { LogStore } from "./LogStore.ts"
import { ErrorProcessor, processor, WarningProcessor } from "./Processor.ts"
import { router, RouterName } from "./Router.ts"

export interface AggregatorOptions {
  readonly errorCost: Duration.Input
  readonly warningCost: Duration.Input
  readonly routerCapacity: number
  readonly errorCapacity: number
  readonly warningCapacity: number
  readonly onEvent?: (event: SupervisionEvent.SupervisionEvent) => void
}

export const start = (
  faults: Faults.FaultInjector,
  options: AggregatorOptions
): Effect.Effect<
  Supervisor.SupervisorRef,
  SupervisorErrors.InvalidChildSpec | SupervisorErrors.ChildStartFailed,
  Scope.Scope | ActorSystem.ActorSystem | Registry.Registry | LogStore
> => {
  const errors: Actor.MailboxOptions = { capacity: options.errorCapacity, overflow: "suspend" }
  const warnings: Actor.MailboxOptions = { capacity: options.warningCapacity, overflow: "dropNewest" }
  return Supervisor.start({
    label: "log-aggregator",
    strategy: "one-for-one",
    intensity: 3,
    period: "5 seconds",
    children: [
      Child.worker({
        id: "errors",
        start: Registry.spawn(ErrorProcessor, processor(faults, { costPerEvent: options.errorCost, mailbox: errors }))
      }),
      Child.worker({
        id: "warnings",
        start: Registry.spawn(
          WarningProcessor,
          processor(faults, { costPerEvent: options.warningCost, mailbox: warnings })
        )
      }),
      Child.worker({
        id: "router",
        start: Registry.spawn(RouterName, router({ capacity: options.routerCapacity, overflow: "suspend" }))
      })
    ],
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent })
  })
}
