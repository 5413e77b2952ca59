/**
 * `@arbor/supervisor`: OTP-exact supervision trees for Arbor actors — `Supervisor` (static
 * children, three strategies, restart intensity, ordered shutdown, auto-shutdown),
 * `DynamicSupervisor` (children from one template), child specs, supervision events and tree
 * snapshots.
 *
 * @packageDocumentation
 * @module @arbor/supervisor
 */

/** Child specs. */
export * as Child from "./Child.ts"
/** Dynamic supervisors: children from one template plus per-child arguments. */
export * as DynamicSupervisor from "./DynamicSupervisor.ts"
/** Supervisors with static children. */
export * as Supervisor from "./Supervisor.ts"
/** Supervision events. */
export * as SupervisionEvent from "./SupervisionEvent.ts"
/** Typed errors. */
export * as SupervisorErrors from "./Errors.ts"
