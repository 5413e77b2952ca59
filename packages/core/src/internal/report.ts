/**
 * The reports core prints through `Effect.log*` (see `Reports.ts`): an actor's crash report, and
 * dead letters — the first at once, then at most one summary a second. Each runs as a small
 * fiber of its own with the services of the actor's spawner (its logger, its clock) but log
 * annotations of its own: nothing the spawner annotated is inherited.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as References from "effect/References"
import type { DeadLetter } from "../DeadLetter.ts"
import type { ExitReason } from "../ExitReason.ts"
import * as Reason from "../ExitReason.ts"
import { type Level, Reports } from "../Reports.ts"

/** `actor "writer" (#12)` or `actor #12`. */
export const actorName = (id: number, label: string | undefined): string =>
  label === undefined ? `actor #${id}` : `actor "${label}" (#${id})`

/**
 * The annotations of an actor's own log lines: `arbor.actor.id`, and `arbor.actor.label` and
 * `arbor.incarnation` when it has them.
 */
export const actorAnnotations = (id: number, label: string | undefined, incarnation?: number): Record<string, unknown> => {
  const annotations: Record<string, unknown> = { "arbor.actor.id": id }
  if (label !== undefined) annotations["arbor.actor.label"] = label
  if (incarnation !== undefined) annotations["arbor.incarnation"] = incarnation
  return annotations
}

/** Logs `message` (and `cause`) at `level` with exactly `annotations`, in a fiber of its own. */
export const logDetached = (
  services: Context.Context<never>,
  level: Exclude<Level, false>,
  annotations: Record<string, unknown>,
  ...message: ReadonlyArray<unknown>
): void => {
  Effect.runForkWith(services)(
    Effect.provideService(Effect.logWithLevel(level)(...message), References.CurrentLogAnnotations, annotations)
  )
}

/** The crash report of an actor that ended with a `Failure` (nothing for any other reason). */
export const reportCrash = (
  services: Context.Context<never> | undefined,
  id: number,
  label: string | undefined,
  reason: ExitReason
): void => {
  if (reason._tag !== "Failure" || services === undefined) return
  const level = Context.get(services, Reports).crash
  if (level === false) return
  const text = Reason.format(reason)
  logDetached(
    services,
    level,
    { ...actorAnnotations(id, label), "arbor.exit": text },
    `crash report: ${actorName(id, label)} ended: ${text}`,
    reason.cause
  )
}

/** Dead letters of one system: the first at once, then one summary per second while they keep coming. */
export class DeadLetterReporter {
  private open = false
  private pending = 0
  private readonly reasons = new Map<string, number>()

  constructor(private readonly services: Context.Context<never>, private readonly level: Exclude<Level, false>) {}

  /** Returns a reporter, or `undefined` when dead letters are not reported (`deadLetters: false`). */
  static make(services: Context.Context<never>): DeadLetterReporter | undefined {
    const level = Context.get(services, Reports).deadLetters
    return level === false ? undefined : new DeadLetterReporter(services, level)
  }

  letter(letter: DeadLetter): void {
    if (!this.open) {
      this.open = true
      const to = actorName(letter.recipient.id, letter.recipient.label)
      const tag = typeof letter.message === "object" && letter.message !== null && "_tag" in letter.message
        ? ` ${String((letter.message as { _tag: unknown })._tag)}`
        : ""
      logDetached(
        this.services,
        this.level,
        { "arbor.deadLetter.reason": letter.reason, ...actorAnnotations(letter.recipient.id, letter.recipient.label) },
        `dead letter: message${tag} to ${to} not delivered (${letter.reason}); more within a second are summarised`
      )
      this.schedule()
      return
    }
    this.pending++
    this.reasons.set(letter.reason, (this.reasons.get(letter.reason) ?? 0) + 1)
  }

  /** After a second: the summary of what came meanwhile; the window stays open while letters keep coming. */
  private schedule(): void {
    Effect.runForkWith(this.services)(Effect.andThen(Effect.sleep("1 second"), Effect.sync(() => this.flush())))
  }

  private flush(): void {
    if (this.pending === 0) {
      this.open = false
      return
    }
    const n = this.pending
    const byReason = [...this.reasons].sort(([a], [b]) => a.localeCompare(b)).map(([r, k]) => `${r} ${k}`).join(", ")
    this.pending = 0
    this.reasons.clear()
    logDetached(
      this.services,
      this.level,
      { "arbor.deadLetters": n },
      `${n} more dead ${n === 1 ? "letter" : "letters"} in the last second: ${byReason}`
    )
    this.schedule()
  }
}
