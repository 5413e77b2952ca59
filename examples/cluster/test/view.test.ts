import { describe, expect, it } from "vitest"
import { countRecords } from "../src/actor.ts"
import { readOptions, UsageError } from "../src/cli.ts"
import { eventLine, list, ownership, plural, renderFrame, renderSummary, useColor } from "../src/view.ts"
import type { ActorView, FrameData, RunnerView, Summary } from "../src/view.ts"

const runners: ReadonlyArray<RunnerView> = [
  { name: "runner-1", pid: 101, port: 40001, status: "up" },
  { name: "runner-2", pid: 102, port: 40002, status: "killed" },
  { name: "runner-3", pid: 103, port: 40003, status: "up" }
]
const actor = (id: string, owner: string | undefined, waitingSince?: number): ActorView => ({
  id,
  owner,
  lastAnsweredAt: owner === undefined ? undefined : 1000,
  waitingSince,
  acknowledged: owner === undefined ? 0 : 3
})
const frame: FrameData = {
  elapsed: 12_345,
  seconds: 90,
  phase: "runner-2 killed with SIGKILL; waiting for b and e to answer from the survivors",
  runners,
  actors: [actor("a", "runner-1"), actor("b", "runner-2", 9000), actor("c", "runner-3"), actor("d", undefined), actor("e", "runner-2", 12_000)],
  counts: { acknowledged: 1, retried: 2 },
  recent: [{ at: 10_000, text: "killed runner-2 (pid 102) with SIGKILL; it owned b and e" }]
}
const summary: Summary = {
  seconds: 90,
  database: "a private PostgreSQL on 127.0.0.1:45000",
  actors: 12,
  killed: { runner: "runner-2", at: 10_000, owned: ["b", "e"] },
  failover: [{ actor: "b", afterMillis: 4_600, by: "runner-3" }, { actor: "e", afterMillis: 6_100, by: "runner-1" }],
  restarted: { runner: "runner-2", at: 20_000 },
  rebalance: { actors: ["e"], firstAfterMillis: 4_900 },
  acknowledged: 1,
  retried: 1,
  lost: 0,
  unacknowledged: 0,
  unrecorded: 0,
  duplicated: 1,
  duplicateRecords: 1,
  processesLeft: 0,
  cleanup: "4 runner processes stopped"
}

describe("cluster demo view", () => {
  it("shows which runner owns which actor, from the last answers", () => {
    expect([...ownership(frame.actors).entries()]).toEqual([["runner-1", ["a"]], ["runner-2", ["b", "e"]], ["runner-3", ["c"]]])
    const text = renderFrame(frame, { color: false })
    expect(text).toMatch(/^runner-1 +pid 101 +127\.0\.0\.1:40001 +up +1 actor +a$/m)
    // b has waited over a second since the kill: marked; e only just sent
    expect(text).toMatch(/^runner-2 +pid 102 +127\.0\.0\.1:40002 +killed +2 actors +b\? e$/m)
    expect(text).toMatch(/^not answered yet: d$/m)
    expect(text).toMatch(/^1 request acknowledged · 2 attempts retried · 1 actor waiting over 1s$/m)
    expect(text).toMatch(/^recent: 10\.0s killed runner-2 \(pid 102\) with SIGKILL; it owned b and e$/m)
    expect(text.split("\n")[0]).toBe("12.3s (the scenario ends by 90s) — phase: runner-2 killed with SIGKILL; waiting for b and e to answer from the survivors")
  })

  it("says 1 request, 2 requests; lists as a, b and c", () => {
    expect([plural(0, "request"), plural(1, "request"), plural(2, "request")]).toEqual(["0 requests", "1 request", "2 requests"])
    expect([list([]), list(["a"]), list(["a", "b"]), list(["a", "b", "c"])]).toEqual(["", "a", "a and b", "a, b and c"])
    expect(eventLine({ at: 4_560, text: "x" })).toBe("4.6s    x")
  })

  it("the summary counts acknowledged, retried, lost and duplicated requests", () => {
    const text = renderSummary(summary, { color: false })
    expect(text).toMatch(/^ {2}requests acknowledged {4}1 \(to 12 actors\)$/m)
    expect(text).toMatch(/^ {2}attempts retried {9}1 \(/m)
    expect(text).toMatch(/^ {2}requests lost {12}0 \(0 requests never acknowledged, 0 acknowledged requests no actor recorded\)$/m)
    expect(text).toMatch(/^ {2}requests duplicated {6}1 \(recorded by the actors more than once: 1 extra record;/m)
    expect(text).toMatch(/b and e answered from the survivors 4\.6–6\.1s after the kill/)
    expect(text).toMatch(/1 actor \(e\) moved to runner-2, the first 4\.9s after its restart/)
    expect(text).toMatch(/runner-2 killed with SIGKILL at 10\.0s, restarted at 20\.0s/)
    const partial = renderSummary({ ...summary, failover: [summary.failover[0]!], rebalance: undefined, lost: 2 }, { color: false })
    expect(partial).toMatch(/b answered from the survivors 4\.6s after the kill \(1 did not\)/)
    expect(partial).toMatch(/no actor moved to runner-2 before the end/)
    expect(partial).toMatch(/requests lost {12}2 /)
  })

  it("plain style has no ANSI code; colours only on a terminal without NO_COLOR", () => {
    expect(renderFrame(frame, { color: false })).not.toMatch(/\x1b/)
    expect(renderSummary(summary, { color: false })).not.toMatch(/\x1b/)
    expect(renderFrame(frame, { color: true })).toMatch(/\x1b\[31mkilled/)
    expect(useColor(true, {})).toBe(true)
    expect(useColor(false, {})).toBe(false)
    expect(useColor(undefined, {})).toBe(false)
    expect(useColor(true, { NO_COLOR: "1" })).toBe(false)
    expect(useColor(true, { NO_COLOR: "" })).toBe(true)
  })

  it("counts duplicates from the journals: an id recorded twice, on one runner or two", () => {
    const counts = countRecords(["a-1 runner-1\na-2 runner-1\n", "a-2 runner-3\nb-1 runner-3\n\n", ""])
    expect([...counts.entries()]).toEqual([["a-1", 1], ["a-2", 2], ["b-1", 1]])
  })

  it("reads the command line: defaults, DATABASE_URL, no live view off a terminal", () => {
    expect(readOptions([], {}, true)).toEqual({ help: false, seconds: 90, actors: 12, databaseUrl: undefined, live: true })
    expect(readOptions(["--", "--seconds", "30", "--actors", "3", "--no-live"], { DATABASE_URL: "postgres://u@h/d" }, true))
      .toEqual({ help: false, seconds: 30, actors: 3, databaseUrl: "postgres://u@h/d", live: false })
    expect(readOptions(["--database-url", "postgresql://x@y/z"], { DATABASE_URL: "postgres://u@h/d" }, false))
      .toMatchObject({ databaseUrl: "postgresql://x@y/z", live: false })
    expect(readOptions([], { DATABASE_URL: "" }, undefined)).toMatchObject({ databaseUrl: undefined })
    const problem = (argv: ReadonlyArray<string>, env = {}) => {
      try {
        readOptions(argv, env, false)
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError)
        return (e as Error).message
      }
      return "accepted"
    }
    expect(problem(["--sconds", "3"])).toBe("unknown flag --sconds; valid flags: --seconds, --actors, --database-url, --no-live, --help")
    expect(problem(["--seconds", "5"])).toBe(`--seconds needs a number ≥ 20 (got "5")`)
    expect(problem(["--actors", "27"])).toBe(`--actors needs a whole number from 3 to 26 (got "27")`)
    expect(problem(["--actors", "2.5"])).toBe(`--actors needs a whole number from 3 to 26 (got "2.5")`)
    expect(problem(["--no-live=yes"])).toBe("--no-live takes no value")
    expect(problem(["--seconds"])).toBe("--seconds needs a value")
    expect(problem(["go"])).toBe("unexpected argument go (every argument is a --flag)")
    // the URL is not echoed: it may carry a password
    expect(problem([], { DATABASE_URL: "mysql://u:hunter2@h/d" })).toBe("DATABASE_URL needs a postgres:// or postgresql:// URL")
    expect(problem(["--database-url", "x"])).toBe("--database-url needs a postgres:// or postgresql:// URL")
  })
})
