import { describe, expect, it } from "vitest"
import { Cause } from "effect"
import { ExitReason } from "@arbor/core"
import type { SupervisionEvent } from "@arbor/supervisor"
import { feedEntry } from "../src/internal/view.ts"

const ref = {} as never
const text = (e: SupervisionEvent.SupervisionEvent) => feedEntry(e, 0, "root")

describe("feed entries say who crashed, with what, and who restarted it", () => {
  it("words every event kind, with the path of the child", () => {
    expect(text({ _tag: "ChildExited", supervisor: ["ingest"], child: "writer", ref, incarnation: 3, reason: ExitReason.die(new TypeError("x is undefined")) }))
      .toMatchObject({ severity: "crash", path: "ingest/writer", text: "ingest/writer crashed: failure(TypeError: x is undefined) (incarnation 3)" })
    expect(text({ _tag: "ChildExited", supervisor: [], child: "a", ref, incarnation: 1, reason: ExitReason.killed }).text)
      .toBe("a crashed: killed (incarnation 1)")
    expect(text({ _tag: "ChildExited", supervisor: [], child: "a", ref, incarnation: 1, reason: ExitReason.shutdown() }))
      .toMatchObject({ severity: "info", text: "a exited: shutdown (incarnation 1)" })
    expect(text({ _tag: "ChildStarted", supervisor: ["ingest"], child: "writer", ref, incarnation: 4, restart: true }))
      .toMatchObject({ severity: "restart", text: "ingest restarted writer (incarnation 4)" })
    expect(text({ _tag: "ChildStarted", supervisor: [], child: "a", ref, incarnation: 1, restart: false }))
      .toMatchObject({ severity: "info", text: "root started a" })
    expect(text({ _tag: "ChildStartFailed", supervisor: ["ingest"], child: "enricher", incarnation: 2, cause: Cause.fail("no db") }))
      .toMatchObject({ severity: "crash", text: "ingest could not start enricher: failure(no db)" })
    expect(text({ _tag: "RestartIntensityExceeded", supervisor: ["payments"], intensity: 6, periodMillis: 2000 }))
      .toMatchObject({ severity: "give-up", path: "payments", text: "payments gave up: more than 6 restarts in 2000 ms; escalating to its parent" })
    expect(text({ _tag: "RestartIntensityExceeded", supervisor: [], intensity: 1, periodMillis: 5000 }).text)
      .toBe("root gave up: more than 1 restart in 5000 ms; escalating to its parent")
    expect(text({ _tag: "AutoShutdown", supervisor: ["job"], child: "main" }))
      .toMatchObject({ severity: "give-up", text: "job shut down: significant child main exited" })
    expect(text({ _tag: "RestartScheduled", supervisor: [], child: "a", delayMillis: 100 }).text).toBe("root restarts a in 100 ms")
    expect(text({ _tag: "ChildNotRestarted", supervisor: [], child: "t", ref, incarnation: 1 }).text)
      .toBe("root did not restart t (its restart type does not ask for it)")
    expect(text({ _tag: "ChildStartIgnored", supervisor: [], child: "i", incarnation: 1 }).text).toBe("root: i's start returned ignore")
  })
})
