/**
 * The service: an HTTP server (node:http) in front of the supervised tree of service.ts.
 *
 *   GET /session/<user>  the session of <user> (started on first use, found by name after): its hit count
 *   GET /square/<n>      a pool worker squares n (200 ms of work); a negative n crashes the worker
 *
 * SIGTERM / SIGINT: the server stops accepting, answers the requests in flight, then the tree
 * stops in reverse start order; exit code 0. If the tree's root gives up: exit code 1.
 */
import { createServer } from "node:http"
import { DynamicSupervisor, Pool, Supervisor } from "@arbor/supervisor"
import { Cause, Effect, Exit, Layer } from "effect"
import { tree } from "./service.ts"

// this example takes no flags: any argument is a mistake, said with the usage (exit code 2)
const givenArgs = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"))
if (givenArgs.length > 0) {
  console.error(`unexpected argument ${JSON.stringify(givenArgs[0])}: this example takes no flags\nusage: [PORT=8080] pnpm --filter @arbor/example-service start`)
  process.exit(2)
}

// PORT (default 8080) must be a whole number from 0 to 65535 (0: any free port)
const portText = process.env["PORT"]
if (portText !== undefined && !(/^\d+$/.test(portText) && Number(portText) <= 65535)) {
  console.error(`PORT must be a whole number from 0 to 65535 (got ${JSON.stringify(portText)})\nusage: [PORT=8080] pnpm --filter @arbor/example-service start`)
  process.exit(2)
}
const port = portText === undefined ? 8080 : Number(portText)

const Tree = tree({ sessionIdle: "30 seconds" })

const Http = Layer.effectDiscard(Effect.gen(function*() {
  const sessions = yield* Tree.childRef("sessions") // typed by the spec: askChild infers the reply
  const jobs = yield* Tree.childRef("jobs")
  const route = (url: string): Effect.Effect<number, unknown> => {
    const [, kind, arg = ""] = url.split("/")
    if (kind === "session") return DynamicSupervisor.askChild(sessions, arg, { _tag: "Hit" })
    if (kind === "square") return Pool.ask(jobs, { _tag: "Square", n: Number(arg) }, { timeout: "5 seconds" }) // round-robin
    return Effect.fail("not found" as const)
  }
  const server = createServer((req, res) => {
    void Effect.runPromiseExit(route(req.url ?? "/")).then((exit) => {
      res.writeHead(Exit.isSuccess(exit) ? 200 : 500).end(Exit.isSuccess(exit) ? `${exit.value}\n` : `${Cause.pretty(exit.cause)}\n`)
    })
  })
  yield* Effect.acquireRelease(
    Effect.callback<void>((resume) => void server.listen(port, () => resume(Effect.void))),
    () => Effect.callback<void>((resume) => void server.close(() => resume(Effect.void))) // waits for requests in flight
  )
  const address = server.address()
  yield* Effect.log(`listening on ${typeof address === "object" && address !== null ? address.port : address}`)
}))

// SIGTERM / SIGINT: the layers are released (server first, then the tree) and the exit code is 0
Supervisor.runMain(Supervisor.launch(Http.pipe(Layer.provide(Tree))).pipe(Effect.ensuring(Effect.log("stopped"))))
