/**
 * How an actor's `receive` becomes the one function the run loop calls per message: a handler
 * table is looked up by `_tag` (in a copy without a prototype, so a message tagged "toString"
 * or "constructor" has no handler), a single function is called as it is. `Actor.make` builds
 * every actor's dispatch here, and `@arbor/testkit`'s `Faults.define` wraps the same one.
 *
 * @internal
 */

/** What the run loop calls for each message: the next state, a reply, a stop, or an Effect of one. */
export type Dispatch = (state: unknown, msg: unknown, ctx: unknown) => unknown

/**
 * The dispatch of a validated `receive` (a handler table or a function). A message whose
 * `_tag` has no handler (possible only by casting) throws a `TypeError` naming it, which ends
 * the actor with a `Failure`.
 */
export const dispatchOf = (receive: unknown): Dispatch => {
  if (typeof receive === "function") return receive as Dispatch
  const table = Object.assign(Object.create(null), receive) as Record<string, Dispatch>
  return (state, msg, ctx) => {
    const handler = table[(msg as { _tag: string })._tag]
    if (handler === undefined) {
      throw new TypeError(`no handler for message ${describeMessage(msg)}`)
    }
    return handler(state, msg, ctx)
  }
}

const describeMessage = (msg: unknown): string => {
  if (typeof msg === "object" && msg !== null && "_tag" in msg) return `with _tag "${String(msg._tag)}"`
  return `of type ${typeof msg}`
}
