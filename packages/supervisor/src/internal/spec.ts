/**
 * Validation of supervisor and child specs, done once before anything starts, so the engine
 * only ever sees valid data. Every problem becomes an `InvalidChildSpec` naming the child (or
 * `undefined` for a supervisor option) and the field.
 *
 * A nested supervisor spec built with `Supervisor.child` / `DynamicSupervisor.child` carries its
 * own spec under {@link NestedSpec}, so a root's validation covers its whole static tree: a bad
 * grandchild fails the root's start before any child has started. Errors in a nested spec name
 * the child by its path (`"sub/worker"`).
 *
 * @internal
 */
import { Durations, Reports } from "@arbor/core"
import { Registry } from "@arbor/registry"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { ChildSpec, ChildType, RestartType } from "../Child.ts"
import { InvalidChildSpec } from "../Errors.ts"
import type { StrategyName } from "./strategy.ts"

/** A validated child spec. */
export interface ValidChild<R = unknown> {
  readonly id: string
  readonly start: Effect.Effect<unknown, unknown, R>
  readonly restart: RestartType
  readonly shutdown: "brutal" | "infinity" | Duration.Duration
  readonly type: ChildType
  readonly significant: boolean
}

/** The `autoShutdown` values. */
export type AutoShutdownName = "never" | "any-significant" | "all-significant"

const RESTARTS: ReadonlyArray<string> = ["permanent", "transient", "temporary"]
const TYPES: ReadonlyArray<string> = ["worker", "supervisor"]
const STRATEGIES: ReadonlyArray<string> = ["one-for-one", "one-for-all", "rest-for-one"]
const AUTO_SHUTDOWNS: ReadonlyArray<string> = ["never", "any-significant", "all-significant"]

/** Where a child spec built by `Supervisor.child` / `DynamicSupervisor.child` keeps its nested spec. */
export const NestedSpec: unique symbol = Symbol.for("@arbor/supervisor/NestedSpec") as never

/** The nested spec a helper-built child spec carries. */
export type Nested =
  | { readonly kind: "supervisor"; readonly spec: unknown }
  | { readonly kind: "dynamic"; readonly spec: unknown }

const isObject = (u: unknown): u is Record<PropertyKey, unknown> => typeof u === "object" && u !== null

/** Decodes a shutdown spec; `undefined` when invalid (core's one duration decoder). */
export const decodeShutdown: (input: unknown) => "brutal" | "infinity" | Duration.Duration | undefined =
  Durations.decodeShutdown

type Problem = { readonly field: string; readonly value: unknown; readonly reason: string }

/** Validates the restart / shutdown / type / significant fields shared by child specs and templates. */
const decodeChildOptions = (
  spec: Record<PropertyKey, unknown>,
  autoShutdown: AutoShutdownName
): Omit<ValidChild, "id" | "start"> | Problem => {
  const restart = spec["restart"] ?? "permanent"
  if (typeof restart !== "string" || !RESTARTS.includes(restart)) {
    return { field: "restart", value: restart, reason: `must be one of ${RESTARTS.join(", ")}` }
  }
  const type = spec["type"] ?? "worker"
  if (typeof type !== "string" || !TYPES.includes(type)) {
    return { field: "type", value: type, reason: `must be one of ${TYPES.join(", ")}` }
  }
  const rawShutdown = spec["shutdown"] ?? (type === "supervisor" ? "infinity" : "5 seconds")
  const shutdown = decodeShutdown(rawShutdown)
  if (shutdown === undefined) {
    return { field: "shutdown", value: rawShutdown, reason: `must be "brutal", "infinity" or a non-negative duration` }
  }
  const significant = spec["significant"] ?? false
  if (typeof significant !== "boolean") return { field: "significant", value: significant, reason: "must be a boolean" }
  // checked in OTP's order: the supervisor's autoShutdown first, then the restart type
  if (significant && autoShutdown === "never") {
    return {
      field: "significant",
      value: significant,
      reason: `a significant child needs autoShutdown "any-significant" or "all-significant"`
    }
  }
  if (significant && restart === "permanent") {
    return {
      field: "significant",
      value: significant,
      reason: "a permanent child cannot be significant (use transient or temporary)"
    }
  }
  return { restart: restart as RestartType, shutdown, type: type as ChildType, significant }
}

/** Validates one child spec (and, for a nested supervisor built by a helper, its whole spec). */
export const validateChild = (
  supervisor: string | undefined,
  spec: ChildSpec<unknown>,
  autoShutdown: AutoShutdownName
): ValidChild | InvalidChildSpec => {
  const id = isObject(spec) ? spec["id"] : undefined
  const invalid = (field: string, value: unknown, reason: string) =>
    new InvalidChildSpec({ supervisor, child: typeof id === "string" ? id : undefined, field, value, reason })
  if (!isObject(spec)) return invalid("spec", spec, "must be an object")
  if (typeof id !== "string" || id.length === 0) return invalid("id", id, "must be a non-empty string")
  if (!Effect.isEffect(spec["start"])) return invalid("start", spec["start"], "must be an Effect that starts the child")
  const options = decodeChildOptions(spec, autoShutdown)
  if ("field" in options) return invalid(options.field, options.value, options.reason)
  const name = spec["name"]
  if (name !== undefined && !Registry.isKey(name)) return invalid("name", name, KEY_REASON)
  const nested = (spec as { readonly [NestedSpec]?: Nested })[NestedSpec]
  if (nested !== undefined) {
    const checked = nested.kind === "supervisor"
      ? validateSupervisorSpec(nested.spec)
      : validateDynamicSpec(nested.spec)
    if (checked instanceof InvalidChildSpec) {
      return new InvalidChildSpec({
        supervisor,
        child: checked.child === undefined ? id : `${id}/${checked.child}`,
        field: checked.field,
        value: checked.value,
        reason: checked.reason
      })
    }
  }
  const start = name === undefined ? spec.start : Registry.named(name, spec.start)
  return { id, start, ...options }
}

const KEY_REASON = `must be a Registry key (Registry.key<Msg>()("name"))`

/** Validates the intensity options shared by both supervisor kinds. */
export const decodeIntensity = (
  intensity: unknown,
  period: unknown
): { intensity: number; periodMillis: number } | Problem => {
  const i = intensity ?? 3
  if (typeof i !== "number" || !Number.isInteger(i) || i < 0) {
    return { field: "intensity", value: i, reason: "must be a whole number ≥ 0" }
  }
  const p = period ?? "5 seconds"
  const decoded = Durations.decode(p)
  if (decoded === undefined) return { field: "period", value: p, reason: "must be a duration" }
  const periodMillis = Duration.toMillis(decoded)
  if (!(periodMillis > 0) || !Number.isFinite(periodMillis)) {
    return { field: "period", value: p, reason: "must be a positive, finite duration" }
  }
  return { intensity: i, periodMillis }
}

/** Validates the options both supervisor kinds share: label, intensity, period, backoff, onEvent. */
const decodeCommon = (
  spec: Record<PropertyKey, unknown>
): { intensity: number; periodMillis: number } | Problem => {
  const label = spec["label"]
  if (label !== undefined && typeof label !== "string") return { field: "label", value: label, reason: "must be a string" }
  const restartDelay = spec["restartDelay"]
  if (restartDelay !== undefined && !Schedule.isSchedule(restartDelay)) {
    return { field: "restartDelay", value: restartDelay, reason: "must be a Schedule" }
  }
  const onEvent = spec["onEvent"]
  if (onEvent !== undefined && typeof onEvent !== "function") {
    return { field: "onEvent", value: onEvent, reason: "must be a function" }
  }
  const name = spec["name"]
  if (name !== undefined && !Registry.isKey(name)) return { field: "name", value: name, reason: KEY_REASON }
  const reports = spec["reports"]
  if (reports !== undefined) {
    const levels = Reports.merge(Reports.defaults, reports)
    if (levels instanceof Reports.InvalidReportLevels) return { field: levels.field, value: levels.value, reason: levels.reason }
  }
  return decodeIntensity(spec["intensity"], spec["period"])
}

/** The `autoShutdown` option of either supervisor kind. */
const decodeAutoShutdown = (spec: Record<PropertyKey, unknown>): AutoShutdownName | Problem => {
  const autoShutdown = spec["autoShutdown"] ?? "never"
  if (typeof autoShutdown !== "string" || !AUTO_SHUTDOWNS.includes(autoShutdown)) {
    return { field: "autoShutdown", value: autoShutdown, reason: `must be one of ${AUTO_SHUTDOWNS.join(", ")}` }
  }
  return autoShutdown as AutoShutdownName
}

const labelOf = (spec: unknown): string | undefined =>
  isObject(spec) && typeof spec["label"] === "string" ? spec["label"] : undefined

/** A validated `Supervisor` spec. */
export interface ValidSupervisorSpec {
  readonly strategy: StrategyName
  readonly autoShutdown: AutoShutdownName
  readonly intensity: number
  readonly periodMillis: number
  readonly children: ReadonlyArray<ValidChild>
}

/** Validates a `Supervisor` spec, its children and (through the helpers) nested supervisors. */
export const validateSupervisorSpec = (spec: unknown): ValidSupervisorSpec | InvalidChildSpec => {
  const label = labelOf(spec)
  const invalid = (p: Problem) =>
    new InvalidChildSpec({ supervisor: label, child: undefined, field: p.field, value: p.value, reason: p.reason })
  if (!isObject(spec)) return invalid({ field: "spec", value: spec, reason: "must be an object" })
  const strategy = spec["strategy"] === undefined ? "one-for-one" : spec["strategy"] // absent: OTP's default
  if (typeof strategy !== "string" || !STRATEGIES.includes(strategy)) {
    return invalid({ field: "strategy", value: strategy, reason: `must be one of ${STRATEGIES.join(", ")}` })
  }
  const autoShutdown = decodeAutoShutdown(spec)
  if (typeof autoShutdown !== "string") return invalid(autoShutdown)
  const common = decodeCommon(spec)
  if ("field" in common) return invalid(common)
  const children = spec["children"]
  if (!Array.isArray(children)) {
    return invalid({ field: "children", value: children, reason: "must be an array of child specs" })
  }
  const valid: Array<ValidChild> = []
  const seen = new Set<string>()
  for (const child of children as ReadonlyArray<ChildSpec<unknown>>) {
    const v = validateChild(label, child, autoShutdown as AutoShutdownName)
    if (v instanceof InvalidChildSpec) return v
    if (seen.has(v.id)) {
      return new InvalidChildSpec({ supervisor: label, child: v.id, field: "id", value: v.id, reason: "duplicate id" })
    }
    seen.add(v.id)
    valid.push(v)
  }
  return {
    strategy: strategy as StrategyName,
    autoShutdown: autoShutdown as AutoShutdownName,
    intensity: common.intensity,
    periodMillis: common.periodMillis,
    children: valid
  }
}

/** A validated `DynamicSupervisor` spec: the template's options without id and start. */
export interface ValidDynamicSpec {
  readonly template: (args: unknown) => unknown
  /** The template's `childName`: each child's registry key from its arguments. */
  readonly childName: ((args: unknown) => unknown) | undefined
  readonly base: Omit<ValidChild, "id" | "start">
  readonly autoShutdown: AutoShutdownName
  readonly maxChildren: number
  readonly intensity: number
  readonly periodMillis: number
}

/** Validates a `DynamicSupervisor` spec. */
export const validateDynamicSpec = (spec: unknown): ValidDynamicSpec | InvalidChildSpec => {
  const label = labelOf(spec)
  const invalid = (p: Problem) =>
    new InvalidChildSpec({ supervisor: label, child: undefined, field: p.field, value: p.value, reason: p.reason })
  if (!isObject(spec)) return invalid({ field: "spec", value: spec, reason: "must be an object" })
  const template = spec["child"]
  if (typeof template !== "function") {
    return invalid({ field: "child", value: template, reason: "must be a function from arguments to a start Effect" })
  }
  const childName = spec["childName"]
  if (childName !== undefined && typeof childName !== "function") {
    return invalid({ field: "childName", value: childName, reason: "must be a function from arguments to a Registry key" })
  }
  const maxChildren = spec["maxChildren"] ?? Infinity
  if (maxChildren !== Infinity && (typeof maxChildren !== "number" || !Number.isInteger(maxChildren) || maxChildren < 0)) {
    return invalid({ field: "maxChildren", value: maxChildren, reason: "must be a whole number ≥ 0" })
  }
  const common = decodeCommon(spec)
  if ("field" in common) return invalid(common)
  const autoShutdown = decodeAutoShutdown(spec)
  if (typeof autoShutdown !== "string") return invalid(autoShutdown)
  // the template's options, `significant` included (OTP's rules: not with autoShutdown "never",
  // not on a permanent template)
  const base = decodeChildOptions(spec, autoShutdown)
  if ("field" in base) return invalid(base)
  return {
    template: template as (args: unknown) => unknown,
    childName: childName as ((args: unknown) => unknown) | undefined,
    base,
    autoShutdown,
    maxChildren: maxChildren as number,
    intensity: common.intensity,
    periodMillis: common.periodMillis
  }
}
