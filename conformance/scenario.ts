/**
 * Scenario files (see `otp/scenario.schema.json`): types and a strict validator that reports
 * every problem with its JSON path, as the Erlang runner's validator does (unknown keys are
 * errors; ids unique per supervisor; a `simple_one_for_one` supervisor has exactly one child
 * template; step targets exist in the static tree).
 */

export type Reason = string | { readonly shutdown: string | number }
export type InitMode = "ok" | "ignore" | { readonly fail: Reason }

export interface Behavior {
  readonly init?: InitMode
  readonly init_by_instance?: Readonly<Record<string, InitMode>>
  readonly trap_exit?: boolean
  readonly terminate_delay_ms?: number
}

export interface ChildJson {
  readonly id: string
  readonly restart?: "permanent" | "transient" | "temporary"
  readonly shutdown?: "brutal_kill" | "infinity" | number
  readonly type?: "worker" | "supervisor"
  readonly significant?: boolean
  readonly behavior?: Behavior
  readonly supervisor?: SupervisorJson
}

export interface SupervisorJson {
  readonly strategy: "one_for_one" | "one_for_all" | "rest_for_one" | "simple_one_for_one"
  readonly intensity?: number
  readonly period?: number
  readonly auto_shutdown?: "never" | "any_significant" | "all_significant"
  readonly children?: ReadonlyArray<ChildJson>
}

export interface Step {
  readonly op:
    | "crash"
    | "kill"
    | "wait"
    | "start_child"
    | "terminate_child"
    | "restart_child"
    | "delete_child"
    | "which_children"
    | "count_children"
    | "stop"
  readonly comment?: string
  readonly id?: string
  readonly reason?: Reason
  readonly ms?: number
  readonly spec?: ChildJson
  readonly supervisor?: string
  readonly args?: ReadonlyArray<unknown>
  readonly by?: "id" | "pid"
}

export interface Scenario {
  readonly name: string
  readonly description?: string
  readonly supervisor: SupervisorJson
  readonly steps: ReadonlyArray<Step>
}

/** An invalid scenario: every problem found, each with its JSON path. */
export class InvalidScenario extends Error {
  constructor(readonly file: string, readonly problems: ReadonlyArray<string>) {
    super(`invalid scenario ${file}:\n  - ${problems.join("\n  - ")}`)
    this.name = "InvalidScenario"
  }
}

const NAME = /^[a-z0-9_]+$/
const PATH = /^[a-z0-9_]+(\/[a-z0-9_]+)*$/

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const isInt = (u: unknown): u is number => typeof u === "number" && Number.isInteger(u)

/** Validates `input`; returns the scenario or throws `InvalidScenario` listing every problem. */
export const validateScenario = (input: unknown, expectedName?: string, file = expectedName ?? "scenario"): Scenario => {
  const problems: Array<string> = []
  const p = (path: string, msg: string) => problems.push(`${path}: ${msg}`)
  const keys = (path: string, o: Record<string, unknown>, allowed: ReadonlyArray<string>) => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) p(path, `unknown key "${k}"`)
  }
  const reason = (path: string, r: unknown) => {
    if (typeof r === "string") {
      if (!NAME.test(r)) p(path, `a reason must match [a-z0-9_]+ (got ${JSON.stringify(r)})`)
      return
    }
    if (!isObject(r)) return p(path, "a reason is a string or {\"shutdown\": value}")
    keys(path, r, ["shutdown"])
    const v = r["shutdown"]
    if (!((typeof v === "string" && NAME.test(v)) || isInt(v))) p(`${path}.shutdown`, "must be a name or an integer")
  }
  const initMode = (path: string, m: unknown) => {
    if (m === "ok" || m === "ignore") return
    if (!isObject(m)) return p(path, `must be "ok", "ignore" or {"fail": reason}`)
    keys(path, m, ["fail"])
    if (!("fail" in m)) p(path, `missing "fail"`)
    else reason(`${path}.fail`, m["fail"])
  }
  const behavior = (path: string, b: unknown) => {
    if (!isObject(b)) return p(path, "must be an object")
    keys(path, b, ["init", "init_by_instance", "trap_exit", "terminate_delay_ms"])
    if ("init" in b) initMode(`${path}.init`, b["init"])
    if ("init_by_instance" in b) {
      const ibi = b["init_by_instance"]
      if (!isObject(ibi)) p(`${path}.init_by_instance`, "must be an object")
      else {
        for (const [k, v] of Object.entries(ibi)) {
          if (!/^[1-9][0-9]*$/.test(k)) p(`${path}.init_by_instance`, `key "${k}" must be a positive integer`)
          initMode(`${path}.init_by_instance.${k}`, v)
        }
      }
    }
    if ("trap_exit" in b && typeof b["trap_exit"] !== "boolean") p(`${path}.trap_exit`, "must be a boolean")
    if ("terminate_delay_ms" in b) {
      const d = b["terminate_delay_ms"]
      if (!isInt(d) || d < 0) p(`${path}.terminate_delay_ms`, "must be an integer ≥ 0")
      else if (d > 0 && b["trap_exit"] !== true) p(`${path}.terminate_delay_ms`, "requires trap_exit: true")
    }
  }
  const child = (path: string, c: unknown, ids: Set<string>) => {
    if (!isObject(c)) return p(path, "a child spec must be an object")
    keys(path, c, ["id", "restart", "shutdown", "type", "significant", "behavior", "supervisor"])
    const id = c["id"]
    if (typeof id !== "string" || !NAME.test(id) || id === "root") p(`${path}.id`, `must match [a-z0-9_]+ and not be "root"`)
    else if (ids.has(id)) p(`${path}.id`, `duplicate id "${id}"`)
    else ids.add(id)
    if ("restart" in c && !["permanent", "transient", "temporary"].includes(c["restart"] as string)) {
      p(`${path}.restart`, "must be permanent, transient or temporary")
    }
    if ("shutdown" in c) {
      const s = c["shutdown"]
      if (!(s === "brutal_kill" || s === "infinity" || (isInt(s) && s >= 0))) {
        p(`${path}.shutdown`, "must be brutal_kill, infinity or an integer ≥ 0")
      }
    }
    if ("type" in c && c["type"] !== "worker" && c["type"] !== "supervisor") p(`${path}.type`, "must be worker or supervisor")
    if ("significant" in c && typeof c["significant"] !== "boolean") p(`${path}.significant`, "must be a boolean")
    if (c["type"] === "supervisor") {
      if (!("supervisor" in c)) p(path, `a supervisor child needs "supervisor"`)
      else supervisor(`${path}.supervisor`, c["supervisor"])
      if ("behavior" in c) p(path, `a supervisor child has no "behavior"`)
    } else {
      if ("supervisor" in c) p(path, `"supervisor" is only for type "supervisor"`)
      if ("behavior" in c) behavior(`${path}.behavior`, c["behavior"])
    }
  }
  const supervisor = (path: string, s: unknown) => {
    if (!isObject(s)) return p(path, "must be an object")
    keys(path, s, ["strategy", "intensity", "period", "auto_shutdown", "children"])
    const strategy = s["strategy"]
    if (!["one_for_one", "one_for_all", "rest_for_one", "simple_one_for_one"].includes(strategy as string)) {
      p(`${path}.strategy`, "must be one_for_one, one_for_all, rest_for_one or simple_one_for_one")
    }
    if ("intensity" in s && !(isInt(s["intensity"]) && s["intensity"] >= 0)) p(`${path}.intensity`, "must be an integer ≥ 0")
    if ("period" in s && !(isInt(s["period"]) && s["period"] >= 1)) p(`${path}.period`, "must be an integer ≥ 1")
    if ("auto_shutdown" in s && !["never", "any_significant", "all_significant"].includes(s["auto_shutdown"] as string)) {
      p(`${path}.auto_shutdown`, "must be never, any_significant or all_significant")
    }
    const children = s["children"] ?? []
    if (!Array.isArray(children)) return p(`${path}.children`, "must be an array")
    if (strategy === "simple_one_for_one" && children.length !== 1) {
      p(`${path}.children`, "simple_one_for_one needs exactly one child template")
    }
    const ids = new Set<string>()
    children.forEach((c, i) => child(`${path}.children[${i}]`, c, ids))
  }

  if (!isObject(input)) throw new InvalidScenario(file, ["$: a scenario must be a JSON object"])
  keys("$", input, ["name", "description", "supervisor", "steps"])
  if (typeof input["name"] !== "string" || !NAME.test(input["name"])) p("$.name", "must match [a-z0-9_]+")
  else if (expectedName !== undefined && input["name"] !== expectedName) {
    p("$.name", `must equal the file name "${expectedName}"`)
  }
  if ("description" in input && typeof input["description"] !== "string") p("$.description", "must be a string")
  if (!("supervisor" in input)) p("$", `missing "supervisor"`)
  else supervisor("$.supervisor", input["supervisor"])
  const steps = input["steps"]
  if (!Array.isArray(steps)) p("$.steps", "must be an array")
  else steps.forEach((s, i) => step(`$.steps[${i}]`, s, p, keys, reason, (path, c) => child(path, c, new Set())))
  if (problems.length === 0) {
    const sc = input as unknown as Scenario
    const supervisors = supervisorPaths(sc.supervisor, "")
    sc.steps.forEach((s, i) => {
      if (s.supervisor !== undefined && !supervisors.has(s.supervisor)) {
        p(`$.steps[${i}].supervisor`, `no supervisor "${s.supervisor}" in the static tree`)
      }
    })
  }
  if (problems.length > 0) throw new InvalidScenario(file, problems)
  return input as unknown as Scenario
}

const OP_KEYS: Record<string, ReadonlyArray<string>> = {
  crash: ["op", "comment", "id", "reason"],
  kill: ["op", "comment", "id"],
  wait: ["op", "comment", "ms"],
  start_child: ["op", "comment", "supervisor", "spec", "id", "args"],
  terminate_child: ["op", "comment", "supervisor", "id", "by"],
  restart_child: ["op", "comment", "supervisor", "id"],
  delete_child: ["op", "comment", "supervisor", "id"],
  which_children: ["op", "comment", "supervisor"],
  count_children: ["op", "comment", "supervisor"],
  stop: ["op", "comment", "reason"]
}

const step = (
  path: string,
  s: unknown,
  p: (path: string, msg: string) => void,
  keys: (path: string, o: Record<string, unknown>, allowed: ReadonlyArray<string>) => void,
  reason: (path: string, r: unknown) => void,
  child: (path: string, c: unknown) => void
) => {
  if (!isObject(s)) return p(path, "a step must be an object")
  const op = s["op"]
  const allowed = typeof op === "string" ? OP_KEYS[op] : undefined
  if (allowed === undefined) return p(`${path}.op`, `unknown op ${JSON.stringify(op)}`)
  keys(path, s, allowed)
  if ("comment" in s && typeof s["comment"] !== "string") p(`${path}.comment`, "must be a string")
  if ("supervisor" in s && !(typeof s["supervisor"] === "string" && PATH.test(s["supervisor"]))) {
    p(`${path}.supervisor`, "must be a child path like \"sub\" or \"sub/inner\"")
  }
  switch (op) {
    case "crash":
    case "kill":
      if (op === "crash") {
        if (!("reason" in s)) p(path, `missing "reason"`)
        else reason(`${path}.reason`, s["reason"])
      }
      if (!(typeof s["id"] === "string" && PATH.test(s["id"]))) p(`${path}.id`, "must be a child path")
      break
    case "wait":
      if (!(isInt(s["ms"]) && s["ms"] >= 0)) p(`${path}.ms`, "must be an integer ≥ 0")
      break
    case "start_child":
      if (("spec" in s) === ("id" in s)) p(path, `needs exactly one of "spec" or "id"`)
      if ("spec" in s) child(`${path}.spec`, s["spec"])
      if ("id" in s && !(typeof s["id"] === "string" && NAME.test(s["id"]))) p(`${path}.id`, "must match [a-z0-9_]+")
      if ("args" in s && !Array.isArray(s["args"])) p(`${path}.args`, "must be an array")
      break
    case "terminate_child":
    case "restart_child":
    case "delete_child":
      if (op === "terminate_child" && "by" in s && s["by"] !== "id" && s["by"] !== "pid") p(`${path}.by`, "must be id or pid")
      if (typeof s["id"] !== "string") p(`${path}.id`, "must be a string")
      break
    case "stop":
      if ("reason" in s) reason(`${path}.reason`, s["reason"])
      break
  }
}

const supervisorPaths = (s: SupervisorJson, prefix: string, out = new Set<string>(["root"])): Set<string> => {
  for (const c of s.children ?? []) {
    if (c.type === "supervisor" && c.supervisor !== undefined) {
      const path = prefix === "" ? c.id : `${prefix}/${c.id}`
      out.add(path)
      supervisorPaths(c.supervisor, path, out)
    }
  }
  return out
}
