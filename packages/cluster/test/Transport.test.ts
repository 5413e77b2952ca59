/**
 * The trust model (docs/cluster.md): a runner binds 127.0.0.1 unless told otherwise, so only
 * this machine reaches its port; a storage password is never logged. These tests open real
 * sockets (the live clock).
 */
import { ActorRef, ActorSystem } from "@arbor/core"
import { Cluster, ClusterActor, ClusterRef } from "@arbor/cluster"
import { Cause, Effect, Exit, Layer, Logger, References } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import { describe, expect, it } from "vitest"
import { Counter, CounterProtocol } from "./fixtures/counter.ts"

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

/** `true` when a TCP connection to host:port is accepted within 2 s. */
const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(2000, () => done(false))
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
  })

/** The local addresses (hex, as Linux writes them) of the TCP sockets listening on `port`. */
const listeningOn = (port: number): Array<string> | undefined => {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0")
  try {
    return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
      fs.existsSync(file)
        ? fs.readFileSync(file, "utf8").split("\n").slice(1).map((l) => l.trim().split(/\s+/))
          .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === "0A")
          .map((f) => f[1]!.split(":")[0]!)
        : []
    )
  } catch {
    return undefined
  }
}

/** This machine's non-loopback IPv4 addresses. */
const externalAddresses = (): Array<string> =>
  Object.values(os.networkInterfaces()).flatMap((list) => list ?? [])
    .filter((a) => a.family === "IPv4" && !a.internal)
    .map((a) => a.address)

describe("trust model: runners bind 127.0.0.1 by default", () => {
  it("a runner with only a port listens on 127.0.0.1 and no other interface, and serves its entities", async () => {
    const port = await freePort()
    const others = externalAddresses()
    const out = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const a = yield* ClusterRef.ref(CounterProtocol, "a")
      yield* ActorRef.tell(a, { _tag: "Add", n: 2 })
      const n = yield* ActorRef.ask(a, { _tag: "Get" }, { timeout: "20 seconds" })
      const loopback = yield* Effect.promise(() => accepts("127.0.0.1", port))
      const external = yield* Effect.promise(() => Promise.all(others.map((h) => accepts(h, port))))
      return { n, loopback, external, sockets: listeningOn(port) }
    })).pipe(
      Effect.provide(
        ClusterActor.host(CounterProtocol, Counter).pipe(
          Layer.provideMerge(Cluster.layer({ storage: "memory", runner: { port }, preset: "test" })),
          Layer.provideMerge(ActorSystem.layer),
          Layer.provide(Layer.succeed(References.MinimumLogLevel, "None"))
        )
      )
    ))
    expect(out.n).toBe(2)
    expect(out.loopback).toBe(true)
    expect(out.external.every((ok) => !ok)).toBe(true)
    // where the kernel says so (Linux): one listening socket, on 127.0.0.1 (0100007F)
    if (out.sockets !== undefined && fs.existsSync("/proc/net/tcp")) expect(out.sockets).toEqual(["0100007F"])
    // the port is closed once the layer's scope is
    expect(await accepts("127.0.0.1", port)).toBe(false)
  })
})

describe("trust model: storage credentials are never logged", () => {
  it("a PostgreSQL URL's password appears in no log line and no error, even when the connection fails", async () => {
    const lines: Array<string> = []
    const collector = Logger.make((o) => {
      lines.push(`${String(o.message)} ${Cause.pretty(o.cause)} ${JSON.stringify([...o.fiber.getRef(References.CurrentLogAnnotations) ? Object.entries(o.fiber.getRef(References.CurrentLogAnnotations)) : []])}`)
    })
    const url = "postgres://arbor:s3cr3t-pw@127.0.0.1:9/arbor"
    const exit = await Effect.runPromise(
      Effect.exit(Effect.scoped(Layer.build(Cluster.layer({ storage: url, runner: { port: 34999 }, preset: "test" })))).pipe(
        Effect.provide(Logger.layer([collector])),
        Effect.provideService(References.MinimumLogLevel, "All")
      )
    )
    expect(Exit.isFailure(exit)).toBe(true)
    const text = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
    expect(text).toContain("postgres://arbor:***@127.0.0.1:9/arbor")
    expect(text).not.toContain("s3cr3t-pw")
    for (const line of lines) expect(line).not.toContain("s3cr3t-pw")
  })
})
