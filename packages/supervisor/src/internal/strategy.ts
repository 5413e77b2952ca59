/**
 * The restart strategies as pure functions of the children (in start order) and the child
 * that exited: which running children to stop (in that order) and which specs to start again
 * (in that order). The supervisor only executes the plan.
 *
 * @internal
 */
/** The strategy names. */
export type StrategyName = "one-for-one" | "one-for-all" | "rest-for-one"

/** A child as the strategies see it: its id and whether it runs. */
export interface PlanInput {
  readonly id: string
  readonly running: boolean
}

/** What to stop and what to start after an exit. */
export interface RestartPlan {
  /** Indexes of running children to stop, in stop order (reverse start order). */
  readonly stop: ReadonlyArray<number>
  /** Indexes of children to start, in start order (the exited child included). */
  readonly start: ReadonlyArray<number>
}

/**
 * The plan for the exit of child `exited` (an index into `children`, in start order) under
 * `strategy`. Never stops the exited child; starts every kept child of the affected range.
 */
export const plan = (strategy: StrategyName, children: ReadonlyArray<PlanInput>, exited: number): RestartPlan => {
  switch (strategy) {
    case "one-for-one":
      return { stop: [], start: [exited] }
    case "one-for-all":
      return affected(children, 0, exited)
    case "rest-for-one":
      return affected(children, exited, exited)
  }
}

const affected = (children: ReadonlyArray<PlanInput>, from: number, exited: number): RestartPlan => {
  const stop: Array<number> = []
  const start: Array<number> = []
  for (let i = children.length - 1; i >= from; i--) {
    if (i !== exited && children[i]!.running) stop.push(i)
  }
  for (let i = from; i < children.length; i++) start.push(i)
  return { stop, start }
}
