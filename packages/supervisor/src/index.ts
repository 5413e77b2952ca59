/**
 * `@arbor/supervisor`: OTP-exact supervision trees for Arbor actors.
 *
 * `@arbor/supervisor`: OTP-exact supervision trees for Arbor actors — `Supervisor` (static
 * children, three strategies, restart intensity, ordered shutdown, auto-shutdown),
 * `DynamicSupervisor` (children from one template), `Pool` (identical workers asked in turn),
 * child specs, supervision events and tree snapshots.
 *
 * @packageDocumentation
 * @module @arbor/supervisor
 */

export * as Child from "./Child.ts"
export * as DynamicSupervisor from "./DynamicSupervisor.ts"
export * as Pool from "./Pool.ts"
export * as Supervisor from "./Supervisor.ts"
export * as SupervisionEvent from "./SupervisionEvent.ts"
export * as SupervisorErrors from "./Errors.ts"
