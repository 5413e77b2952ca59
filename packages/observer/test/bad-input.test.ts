/**
 * Bad observer options: each is a typed `InvalidObserverOption` naming the option (nothing is
 * started), and an address the server cannot bind is a typed `ObserverListenFailed`. Each test is
 * a row of docs/errors.md.
 */
import * as net from "node:net"
import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import { Observer } from "@arbor/observer"
import { run, startTree } from "./utils.ts"

const invalid = (options: unknown) =>
  run(Effect.gen(function*() {
    const root = yield* startTree()
    const error = yield* Effect.flip(Observer.serve(root, options as Observer.ObserverOptions))
    return error
  }))

const expectInvalid = async (options: unknown, option: string, reason: RegExp) => {
  const error = await invalid(options)
  expect(error._tag).toBe("InvalidObserverOption")
  if (error._tag !== "InvalidObserverOption") return
  expect(error.option).toBe(option)
  expect(error.reason).toMatch(reason)
  expect(error.message).toContain(`observer option ${option}`)
}

describe("observer bad input", () => {
  it("observer options that are not an object or have an unknown key", async () => {
    await expectInvalid(42, "options", /must be an object/)
    await expectInvalid(null, "options", /must be an object/)
    await expectInvalid([], "options", /must be an object/)
    await expectInvalid({ prot: 80 }, "prot", /is not an option \(options: port, host/)
  })

  it("observer port that is not an integer from 0 to 65535", async () => {
    for (const port of [-1, 65536, 1.5, Number.NaN, "7070", Infinity]) {
      await expectInvalid({ port }, "port", /must be an integer from 0 to 65535/)
    }
  })

  it("observer host that is not an IP address or a host name", async () => {
    for (const host of ["", "bad host", "http://localhost", 42, "-x.example", "a..b"]) {
      await expectInvalid({ host }, "host", /must be an IP address or a host name/)
    }
  })

  it("observer token that is too short, too long or has other characters", async () => {
    for (const token of ["short", "x".repeat(513), "with spaces in the token!", "0123456789abcdef\n", 42, ""]) {
      await expectInvalid({ token }, "token", /16 to 512 characters/)
    }
    // the token itself is never echoed in the error
    const error = await invalid({ token: "secret secret secret" })
    expect(error.message).not.toContain("secret")
  })

  it("observer interval, feedSize or maxChildren out of range", async () => {
    for (const interval of [10, "10 millis", "2 minutes", { secs: 1 }, -1, Number.NaN, "soon"]) {
      await expectInvalid({ interval }, "interval", /from 50 millis to 60 seconds/)
    }
    await expectInvalid({ feedSize: 0 }, "feedSize", /from 1 to 10000/)
    await expectInvalid({ maxChildren: 2.5 }, "maxChildren", /from 1 to 10000/)
  })

  it("observer title that is empty or not a string", async () => {
    await expectInvalid({ title: "" }, "title", /1 to 200 characters/)
    await expectInvalid({ title: 7 }, "title", /1 to 200 characters/)
  })

  it("observer port already in use", async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve))
    const port = (blocker.address() as net.AddressInfo).port
    try {
      const error = await invalid({ port })
      expect(error._tag).toBe("ObserverListenFailed")
      if (error._tag !== "ObserverListenFailed") return
      expect(error.code).toBe("EADDRINUSE")
      expect(error.message).toContain(`127.0.0.1:${port}`)
    } finally {
      blocker.close()
    }
  })

  it("observer host that is not an address of this machine", async () => {
    const error = await invalid({ host: "192.0.2.1", port: 0 })
    expect(error._tag).toBe("ObserverListenFailed")
    if (error._tag !== "ObserverListenFailed") return
    expect(error.code).toBe("EADDRNOTAVAIL")
  })
})
