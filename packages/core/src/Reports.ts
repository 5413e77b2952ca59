/**
 * Crash and supervision reports through `Effect.log*`, on by default, as OTP prints its crash and
 * supervisor reports.
 *
 * Any Effect `Logger` (the default console logger, a JSON logger, an
 * OpenTelemetry exporter) receives them, with the cause attached as the log's `Cause` and the
 * facts as annotations (`arbor.*`).
 *
 * - **crash** — an actor ended with a `Failure` (its handler, `init` or a link failed, died or
 *   threw): `crash report: actor "writer" (#12) ended: failure(Error: boom)` with the pretty
 *   cause. Default level `"Error"`.
 * - **deadLetters** — a message could not be delivered: the first one at once, then at most one
 *   summary line a second (`37 more dead letters in the last 1s: NotAlive 30, DroppedNewest 7`),
 *   never one line per message under a flood. Default `"Warn"`.
 * - Supervisors (`@arbor/supervisor`) report through the same levels: **childTerminated** (a
 *   child ended abnormally: path, incarnation, reason, cause; `"Error"`), **restart**
 *   (`"Info"`), **startFailed** (`"Error"`), **giveUp** (restart intensity exceeded, the
 *   supervisor escalates to its parent; `"Error"`), **autoShutdown** (`"Warn"`).
 *
 * A level is an Effect log level (`"Fatal"` … `"Trace"`), or `false` for none; the logger's own
 * minimum level still applies. Provide {@link layer} next to `ActorSystem.layer` to change them
 * for a whole system (the dead-letter level is read when the system is built; the others where
 * each actor was spawned, so a subtree spawned under another `Reports` value uses that one); a
 * supervisor's `reports` option overrides them for its own reports.
 *
 * @example
 * ```ts
 * import { ActorSystem, Reports } from "@arbor/core"
 * import { Layer } from "effect"
 *
 * // crash reports as warnings, no dead-letter lines, the rest as by default
 * const World = ActorSystem.layer.pipe(Layer.provide(Reports.layer({ crash: "Warn", deadLetters: false })))
 * ```
 *
 * @module
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as LogLevel from "effect/LogLevel"

/**
 * A report's log level, or `false` for no report.
 *
 * @category models
 * @since 0.1.0
 */
export type Level = LogLevel.Severity | false

/**
 * The level of each kind of report.
 *
 * @category models
 * @since 0.1.0
 */
export interface ReportLevels {
  /** An actor ended with a `Failure`. Default `"Error"`. */
  readonly crash: Level
  /** Undeliverable messages (the first at once, then one summary a second). Default `"Warn"`. */
  readonly deadLetters: Level
  /** A supervised child ended abnormally (`Failure` or `Killed`). Default `"Error"`. */
  readonly childTerminated: Level
  /** A supervisor restarted a child. Default `"Info"`. */
  readonly restart: Level
  /** A child's start failed. Default `"Error"`. */
  readonly startFailed: Level
  /** A supervisor exceeded its restart intensity and gives up. Default `"Error"`. */
  readonly giveUp: Level
  /** A significant child's exit shut its supervisor down. Default `"Warn"`. */
  readonly autoShutdown: Level
}

/**
 * The levels used when nothing else is provided.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaults: ReportLevels = Object.freeze({
  crash: "Error",
  deadLetters: "Warn",
  childTerminated: "Error",
  restart: "Info",
  startFailed: "Error",
  giveUp: "Error",
  autoShutdown: "Warn"
})

/**
 * Every report off.
 *
 * @category constants
 * @since 0.1.0
 */
export const none: ReportLevels = Object.freeze({
  crash: false,
  deadLetters: false,
  childTerminated: false,
  restart: false,
  startFailed: false,
  giveUp: false,
  autoShutdown: false
})

/**
 * The report levels in force (a `Context.Reference`: {@link defaults} unless provided).
 *
 * @category services
 * @since 0.1.0
 */
export const Reports: Context.Reference<ReportLevels> = Context.Reference<ReportLevels>("@arbor/core/Reports", {
  defaultValue: () => defaults
})

/**
 * Report options that are not `false` or an object of levels: `field` names the key at fault
 * (`"reports"` for the whole value).
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidReportLevels extends Data.TaggedError("InvalidReportLevels")<{
  /** The key at fault, `"reports"` for the whole value. */
  readonly field: string
  /** The value given. */
  readonly value: unknown
  /** What is expected. */
  readonly reason: string
}> {
  /** A readable description naming the key and what is expected. */
  override get message(): string {
    return `${this.field} ${this.reason} (got ${typeof this.value === "string" ? JSON.stringify(this.value) : String(this.value)})`
  }
}

const valid = new Set<unknown>([false, "Fatal", "Error", "Warn", "Info", "Debug", "Trace"])
const keys = Object.keys(defaults) as ReadonlyArray<keyof ReportLevels>

/**
 * The report levels of `options` over `base`, or the error naming a bad key or level.
 *
 * The levels of `options` over `base`: `false` turns every report off, an object changes the
 * levels it names; an unknown key, or a level that is neither an Effect log level nor `false`,
 * is an {@link InvalidReportLevels} naming the key.
 *
 * @category constructors
 * @since 0.1.0
 */
export const merge = (base: ReportLevels, options: unknown): ReportLevels | InvalidReportLevels => {
  if (options === false) return none
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return new InvalidReportLevels({ field: "reports", value: options, reason: "must be false or an object of levels" })
  }
  const out: Record<string, Level> = { ...base }
  for (const [key, level] of Object.entries(options)) {
    if (!(keys as ReadonlyArray<string>).includes(key)) {
      return new InvalidReportLevels({ field: `reports.${key}`, value: level, reason: `is not a report (reports: ${keys.join(", ")})` })
    }
    if (!valid.has(level)) {
      return new InvalidReportLevels({ field: `reports.${key}`, value: level, reason: `must be a log level ("Fatal", "Error", "Warn", "Info", "Debug", "Trace") or false` })
    }
    out[key] = level as Level
  }
  return out as unknown as ReportLevels
}

/**
 * A layer that sets the report levels (over {@link defaults}); `false` turns every report off.
 *
 * Fails with {@link InvalidReportLevels} for an unknown key or level.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Partial<ReportLevels> | false): Layer.Layer<never, InvalidReportLevels> =>
  Layer.effectContext(Effect.suspend(() => {
    const levels = merge(defaults, options)
    return levels instanceof InvalidReportLevels ? Effect.fail(levels) : Effect.succeed(Context.make(Reports, levels))
  }))
