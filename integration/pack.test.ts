/**
 * The packages as users get them: build `dist`, `pnpm pack` core, supervisor and registry,
 * check what each tarball ships, then install the tarballs into temporary projects outside the
 * workspace — once next to the oldest and once next to the newest stable `effect` 4.x that the
 * npm registry serves — and in each:
 * - check that `effect` is installed once (a peer dependency, not a nested copy per package);
 * - type-check a TypeScript consumer against the published `.d.ts` files (strict, no skipLibCheck);
 * - run a plain-Node ESM program that starts a supervisor with one child, asks it something,
 *   crashes it, and asks the restarted child again.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..")
const work = mkdtempSync(join(tmpdir(), "arbor-pack-"))
const packages = ["core", "supervisor", "registry"] as const
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

/** A typed consumer: inference of replies and states must survive the trip through `.d.ts`. */
const typedProgram = `
import { Actor, ActorRef, ActorSystem } from "@arbor/core"
import { Child, Supervisor } from "@arbor/supervisor"
import { Registry } from "@arbor/registry"
import { Effect, Layer } from "effect"

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
    expect(Object.keys(tarballs).sort()).toEqual(["@arbor/core", "@arbor/registry", "@arbor/supervisor"])
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
    }
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
    writeFileSync(join(app, "typed.ts"), typedProgram)
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
      const out = run(process.execPath, ["main.mjs"], app)
      expect(out).toBe("hello ada #1\ncrashed: Failure\nhello ada #1\nrestarts: 1, new incarnation: true\n")
    }, 300_000)
  }
})
