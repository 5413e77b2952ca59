/**
 * The packages as users get them: build `dist`, `pnpm pack` core, supervisor, registry, worker,
 * testkit and observer, check what each tarball ships (README, LICENSE, `dist` without build
 * info, `effect` as a peer dependency with a range, no internal `state` in the public `.d.ts`), then install the tarballs into temporary projects outside the
 * workspace — once next to the oldest and once next to the newest stable `effect` 4.x that the
 * npm registry serves — and in each:
 * - check that `effect` is installed once (a peer dependency, not a nested copy per package);
 * - type-check a TypeScript consumer against the published `.d.ts` files (strict, no skipLibCheck);
 * - run a plain-Node ESM program that starts a supervisor with one child, asks it something,
 *   crashes it, and asks the restarted child again;
 * - run a plain-Node program with a worker actor from the installed `@arbor/worker` (its thread
 *   loads the runner and the definition from the installed `dist`, no tsx): tell and ask across
 *   the boundary, a hang preempted by the watchdog and healed by the supervisor, no thread left;
 * - run the plain-JavaScript example of docs/promise.md (`@arbor/core/promise`,
 *   `@arbor/supervisor/promise` subpaths) and compare its output with the documented one;
 * - run a program that uses the installed `@arbor/testkit` (a test world, `untilIdle`, a fault
 *   plan) and serves the installed `@arbor/observer`'s page once.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { splitLogRecords } from "./log-records.ts"

const root = join(import.meta.dirname, "..")
const work = mkdtempSync(join(tmpdir(), "arbor-pack-"))
const packages = ["core", "supervisor", "registry", "worker", "testkit", "observer"] as const
const tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc")

const run = (cmd: string, args: ReadonlyArray<string>, cwd: string): string => {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 })
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string }
    throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}\n${stdout ?? ""}${stderr ?? ""}`)
  }
}

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

/** A worker definition in its own module: the thread imports it by URL. */
const counterModule = `
import { Actor } from "@arbor/core"
import { Protocol, WorkerActor } from "@arbor/worker"
import { Effect, Schema } from "effect"

export const CounterProtocol = Protocol.make("Counter", {
  Add: { payload: { n: Schema.Int } },
  Get: { reply: Schema.Int },
  Hang: {}
})
export const Counter = Actor.make()({
  init: () => Effect.succeed(0),
  receive: {
    Add: (n, m) => n + m.n,
    Get: (n) => Actor.reply(n, n),
    Hang: (n) => { for (;;) {} }
  }
})
export const CounterWorker = WorkerActor.make(CounterProtocol, Counter, { module: import.meta.url, export: "CounterWorker" })
`

const workerProgram = `
import { ActorRef, ActorSystem } from "@arbor/core"
import { Supervisor } from "@arbor/supervisor"
import { WorkerActor } from "@arbor/worker"
import { Effect } from "effect"
import { CounterWorker } from "./counter.mjs"

const program = Effect.gen(function* () {
  const sup = yield* Supervisor.start({
    strategy: "one-for-one",
    children: [WorkerActor.child("counter", CounterWorker, { heartbeat: { interval: "100 millis", timeout: "500 millis" } })]
  })
  const first = (yield* Supervisor.whichChildren(sup))[0].ref
  yield* ActorRef.tell(first, { _tag: "Add", n: 2 })
  yield* ActorRef.tell(first, { _tag: "Add", n: 3 })
  console.log("sum: " + (yield* ActorRef.ask(first, { _tag: "Get" }, { timeout: "30 seconds" })))
  yield* ActorRef.tell(first, { _tag: "Hang" })
  console.log("hung: " + (yield* ActorRef.monitor(first))._tag)
  let second = first
  while (second === first || !ActorRef.isAliveUnsafe(second)) {
    second = (yield* Supervisor.whichChildren(sup))[0].ref ?? first
    yield* Effect.sleep("10 millis")
  }
  console.log("restarted, fresh state: " + (yield* ActorRef.ask(second, { _tag: "Get" }, { timeout: "30 seconds" })))
  console.log("threads: " + WorkerActor.liveThreads())
})

await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(ActorSystem.layer)))
console.log("threads after: " + WorkerActor.liveThreads())
`

/** The plain-JavaScript example of docs/promise.md and its documented output. */
const promiseDoc = (() => {
  const text = readFileSync(join(root, "docs", "promise.md"), "utf8")
  const m = /```js\n((?:(?!```)[\s\S])*)```\s*\n+Output:\s*\n+```text\n((?:(?!```)[\s\S])*)```/.exec(text)
  if (m === null) throw new Error("docs/promise.md has no js example with an Output block")
  return { code: m[1]!, output: m[2]! }
})()

/** The installed testkit and observer: a test world with a fault plan, and the observer's page. */
const kitProgram = `
import { request } from "node:http"
import { Actor, ActorRef } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import { Faults, TestSystem } from "@arbor/testkit"
import { Observer } from "@arbor/observer"
import { Effect } from "effect"

const injector = Faults.makeInjector(7)
const Flaky = Faults.define()(injector, { crashOnMessage: 2 }, {
  init: () => Effect.succeed(0),
  receive: { Echo: (n, m) => Actor.reply(m.text, n + 1) }
})

const get = (port, path) => new Promise((resolve, reject) => request({ port, path }, (res) => {
  let body = ""
  res.on("data", (c) => (body += c)).on("end", () => resolve(res.statusCode + " " + body.length))
}).on("error", reject).end())

await TestSystem.run(Effect.gen(function* () {
  let restarts = 0
  const sup = yield* Supervisor.start({
    label: "kit",
    children: [Child.worker({ id: "echo", start: Actor.spawn(Flaky) })],
    onEvent: (e) => { if (e._tag === "ChildStarted" && e.restart) restarts++ }
  })
  const echo = yield* Supervisor.childRef(sup, "echo")
  console.log(yield* ActorRef.ask(echo, { _tag: "Echo", text: "one" }))
  yield* ActorRef.tell(echo, { _tag: "Echo", text: "two" })
  yield* TestSystem.untilIdle
  console.log("restarts: " + restarts)
  const observer = yield* Observer.serve(sup, { port: 0 })
  const status = yield* Effect.promise(() => get(observer.port, "/"))
  console.log("observer page: " + (status.startsWith("200 ") && Number(status.split(" ")[1]) > 1000))
}), { clock: "live" })
`

/** A typed consumer: inference of replies and states must survive the trip through `.d.ts`. */
const typedProgram = `
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import { Registry } from "@arbor/registry"
import { Protocol, WorkerActor } from "@arbor/worker"
import { makeSystem } from "@arbor/core/promise"
import type { PromiseSystem } from "@arbor/core/promise"
import { supervise } from "@arbor/supervisor/promise"
import { Effect, Layer, Schema } from "effect"

type GreeterMsg =
  | Actor.Request<{ readonly _tag: "Greet"; readonly name: string }, string>
  | { readonly _tag: "Crash" }

const Greeter = Actor.make<GreeterMsg>()({
  init: () => Effect.succeed({ greeted: 0 }),
  receive: {
    Greet: (s, msg) => Actor.reply("hello " + msg.name, { greeted: s.greeted + 1 }),
    Crash: () => Effect.die(new Error("boom"))
  }
})
const Name = Registry.key<GreeterMsg>()("greeter")

export const program = Effect.gen(function* () {
  yield* Supervisor.start({
    strategy: "one-for-one",
    children: [Child.worker({ id: "greeter", start: Registry.spawn(Name, Greeter) })]
  })
  const ref: ActorRef.ActorRef<GreeterMsg> = yield* Registry.await(Name, "1 second")
  const text: string = yield* ActorRef.ask(ref, { _tag: "Greet", name: "ada" })
  return text
}).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(ActorSystem.layer, Registry.layer)))

// the Promise facade's types, through the subpaths' .d.ts
export const viaPromises = async (): Promise<string> => {
  const system: PromiseSystem = makeSystem()
  const greeter = await system.spawn(Greeter)
  const text: string = await system.ask(greeter, { _tag: "Greet", name: "ada" })
  await supervise(system, { strategy: "one-for-one", children: [Child.worker({ id: "g", start: Actor.spawn(Greeter) })] })
  await system.close()
  return text
}

// the worker's message type is derived from its Schema protocol, through the published .d.ts
const CounterProtocol = Protocol.make("Counter", { Add: { payload: { n: Schema.Int } }, Get: { reply: Schema.Int } })
type CounterMsg = Protocol.Type<typeof CounterProtocol>
const Counter = Actor.make<CounterMsg>()({
  init: () => Effect.succeed(0),
  receive: { Add: (n, m) => n + m.n, Get: (n) => Actor.reply(n, n) }
})
export const CounterWorker = WorkerActor.make(CounterProtocol, Counter, { module: import.meta.url, export: "CounterWorker" })
export const inThread = Effect.gen(function* () {
  const ref: ActorRef.ActorRef<CounterMsg> = yield* WorkerActor.spawn(CounterWorker, { heartbeat: { interval: "1 second", timeout: "5 seconds" } })
  yield* ActorRef.tell(ref, { _tag: "Add", n: 1 })
  const n: number = yield* ActorRef.ask(ref, { _tag: "Get" })
  return n
}).pipe(Effect.scoped, Effect.provide(ActorSystem.layer))
`

const tsconfig = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ESNext", "DOM"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    noEmit: true,
    types: []
  },
  include: ["typed.ts"]
}

/** The oldest and the newest stable `effect` 4.x on the registry (pre-releases left out). */
const effectVersions = (): { readonly oldest: string; readonly newest: string } => {
  const all = JSON.parse(run("npm", ["view", "effect", "versions", "--json"], work)) as Array<string>
  const stable = all.filter((v) => /^4\.\d+\.\d+$/.test(v))
  const key = (v: string) => v.split(".").map(Number)
  stable.sort((a, b) => {
    const [x, y] = [key(a), key(b)]
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!
  })
  return { oldest: stable[0]!, newest: stable[stable.length - 1]! }
}

const tarballs: Record<string, string> = {}

describe("packed packages", () => {
  beforeAll(() => {
    run("pnpm", ["run", "build"], root)
    for (const p of packages) {
      run("pnpm", ["pack", "--pack-destination", work], join(root, "packages", p))
    }
    for (const f of readdirSync(work)) {
      const p = packages.find((name) => f.startsWith(`arbor-${name}-`) && f.endsWith(".tgz"))
      if (p !== undefined) tarballs[`@arbor/${p}`] = f
    }
  }, 300_000)
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it("tarballs ship README, LICENSE and dist, not build info; effect is a peer dependency", () => {
    expect(Object.keys(tarballs).sort()).toEqual(packages.map((p) => `@arbor/${p}`).sort())
    for (const [name, file] of Object.entries(tarballs)) {
      const entries = run("tar", ["tzf", join(work, file)], work).split("\n")
      expect(entries, name).toContain("package/README.md")
      expect(entries, name).toContain("package/LICENSE")
      expect(entries, name).toContain("package/dist/index.js")
      expect(entries, name).toContain("package/dist/index.d.ts")
      expect(entries.filter((e) => e.includes("tsbuildinfo")), name).toEqual([])
      const manifest = JSON.parse(run("tar", ["xzOf", join(work, file), "package/package.json"], work))
      expect(manifest.peerDependencies, name).toEqual({ effect: "^4.0.0" })
      expect(manifest.dependencies?.effect, name).toBeUndefined()
      // the public declarations name no internal state: the only \`state\` property is a reply's
      // next state (Actor.Reply), the only \`state\` parameters are handlers'
      const declarations = entries.filter((e) => /^package\/dist\/[^/]+\.d\.ts$/.test(e))
      expect(declarations.length, name).toBeGreaterThan(0)
      const stateFields = declarations.flatMap((d) =>
        run("tar", ["xzOf", join(work, file), d], work).split("\n")
          .filter((line) => /^\s*(readonly\s+)?(state|_state|cell|_cell)\??:/.test(line))
          .map((line) => `${d}: ${line.trim()}`)
      )
      expect(stateFields, name).toEqual(name === "@arbor/core" ? ["package/dist/Actor.d.ts: readonly state: S;"] : [])
    }
    for (const p of ["@arbor/core", "@arbor/supervisor"]) {
      expect(run("tar", ["tzf", join(work, tarballs[p]!)], work).split("\n"), p).toContain("package/dist/promise.js")
    }
    // the thread's runner is loaded by URL from the installed package, so it must ship
    expect(run("tar", ["tzf", join(work, tarballs["@arbor/worker"]!)], work).split("\n")).toContain("package/dist/internal/runner.js")
  })

  const consumer = (effect: string) => {
    const app = join(work, `app-effect-${effect}`)
    mkdirSync(app, { recursive: true })
    for (const file of Object.values(tarballs)) run("cp", [join(work, file), app], work)
    const deps = Object.fromEntries(Object.entries(tarballs).map(([n, f]) => [n, `file:./${f}`]))
    writeFileSync(join(app, "package.json"), JSON.stringify({
      name: "arbor-consumer",
      private: true,
      type: "module",
      dependencies: { ...deps, effect },
      overrides: deps
    }, null, 2))
    writeFileSync(join(app, "main.mjs"), program)
    writeFileSync(join(app, "counter.mjs"), counterModule)
    writeFileSync(join(app, "worker.mjs"), workerProgram)
    writeFileSync(join(app, "promise.mjs"), promiseDoc.code)
    writeFileSync(join(app, "typed.ts"), typedProgram)
    writeFileSync(join(app, "kit.mjs"), kitProgram)
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify(tsconfig, null, 2))
    run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], app)
    return app
  }

  for (const which of ["oldest", "newest"] as const) {
    it(`install next to the ${which} effect 4.x, type-check a consumer and run under plain node`, () => {
      const effect = effectVersions()[which]
      const app = consumer(effect)
      const installed = JSON.parse(run("npm", ["ls", "effect", "--all", "--json"], app))
      expect(installed.dependencies.effect.version).toBe(effect)
      for (const p of packages) {
        expect(existsSync(join(app, "node_modules", "@arbor", p, "node_modules", "effect")), p).toBe(false)
      }
      run(process.execPath, [tsc, "-p", "tsconfig.json"], app)
      expect(run(process.execPath, ["promise.mjs"], app)).toBe(promiseDoc.output)
      const out = run(process.execPath, ["main.mjs"], app)
      // Arbor logs a crash report for the crash the program injects, and its supervisor's reports
      // (the child terminated, the restart), through Effect's logger
      const split = splitLogRecords(out)
      expect(split.program).toBe("hello ada #1\ncrashed: Failure\nhello ada #1\nrestarts: 1, new incarnation: true\n")
      expect(split.records).toEqual([
        expect.stringMatching(/^ERROR: crash report: actor "greeter" \(#\d+\) ended: failure\(Error: boom\)/),
        expect.stringMatching(/^ERROR: supervisor report: child greeter \(incarnation 1\) of the root supervisor terminated: failure\(Error: boom\)/),
        expect.stringMatching(/^INFO: supervisor report: the root supervisor restarted child greeter \(incarnation 2\)/)
      ])
      // exits by itself (no leaked thread or timer), or execFileSync's timeout fails the test
      const worker = run(process.execPath, ["worker.mjs"], app)
      expect(splitLogRecords(worker).program).toBe("sum: 5\nhung: Killed\nrestarted, fresh state: 0\nthreads: 1\nthreads after: 0\n")
      const kit = run(process.execPath, ["kit.mjs"], app)
      expect(splitLogRecords(kit).program).toBe("one\nrestarts: 1\nobserver page: true\n")
    }, 300_000)
  }
})
