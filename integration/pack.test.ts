/**
 * The packages as users get them: build `dist`, `pnpm pack` core, supervisor and registry,
 * install the tarballs (and effect from the npm registry) into a temporary project outside the
 * workspace, and run a plain-Node ESM program that starts a supervisor with one child, asks it
 * something, crashes it, and asks the restarted child again.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..")
const work = mkdtempSync(join(tmpdir(), "arbor-pack-"))
const packages = ["core", "supervisor", "registry"] as const

const run = (cmd: string, args: ReadonlyArray<string>, cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 })

const program = `
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import { Registry } from "@arbor/registry"
import { Effect, Layer } from "effect"

const Greeter = Actor.make()({
  init: () => Effect.succeed({ greeted: 0 }),
  receive: {
    Greet: (s, msg) => Actor.reply("hello " + msg.name + " #" + (s.greeted + 1), { greeted: s.greeted + 1 }),
    Crash: () => Effect.die(new Error("boom"))
  }
})
const Name = Registry.key()("greeter")

const program = Effect.gen(function* () {
  let restarts = 0
  yield* Supervisor.start({
    strategy: "one-for-one",
    children: [Child.worker({ id: "greeter", start: Registry.spawn(Name, Greeter) })],
    onEvent: (e) => { if (e._tag === "ChildStarted" && e.restart) restarts++ }
  })
  const first = yield* Registry.await(Name, "1 second")
  console.log(yield* ActorRef.ask(first, { _tag: "Greet", name: "ada" }))
  yield* ActorRef.tell(first, { _tag: "Crash" })
  const reason = yield* ActorRef.monitor(first)
  console.log("crashed: " + reason._tag)
  const second = yield* Registry.await(Name, "1 second")
  console.log(yield* ActorRef.ask(second, { _tag: "Greet", name: "ada" }))
  console.log("restarts: " + restarts + ", new incarnation: " + (second.id !== first.id))
})

await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(Layer.mergeAll(ActorSystem.layer, Registry.layer))))
`

describe("packed packages", () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it("install into a project outside the workspace and run under plain node", () => {
    run("pnpm", ["run", "build"], root)
    const tarballs: Record<string, string> = {}
    for (const p of packages) {
      run("pnpm", ["pack", "--pack-destination", work], join(root, "packages", p))
    }
    for (const f of readdirSync(work)) {
      const p = packages.find((name) => f.startsWith(`arbor-${name}-`) && f.endsWith(".tgz"))
      if (p !== undefined) tarballs[`@arbor/${p}`] = `file:./${f}`
    }
    expect(Object.keys(tarballs).sort()).toEqual(["@arbor/core", "@arbor/registry", "@arbor/supervisor"])
    const app = join(work, "app")
    run("mkdir", ["-p", app], work)
    for (const f of readdirSync(work)) if (f.endsWith(".tgz")) run("cp", [join(work, f), app], work)
    writeFileSync(join(app, "package.json"), JSON.stringify({
      name: "arbor-consumer",
      private: true,
      type: "module",
      dependencies: { ...tarballs, effect: "4.1.0" },
      overrides: tarballs
    }, null, 2))
    writeFileSync(join(app, "main.mjs"), program)
    run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], app)
    const out = run(process.execPath, ["main.mjs"], app)
    expect(out).toBe("hello ada #1\ncrashed: Failure\nhello ada #1\nrestarts: 1, new incarnation: true\n")
  }, 300_000)
})
