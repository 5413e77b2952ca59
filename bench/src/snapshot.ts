/**
 * Pins the Arbor build a bench run measures. `pnpm bench` builds `@arbor/*` into their
 * `packages/<name>/dist`; a rebuild by someone else during a ten-minute run would silently mix
 * versions, so the runner copies those builds once into `bench/dist/snapshot/` and every worker
 * resolves `@arbor/<name>` there (through the resolve hook below, registered with `--import`).
 * A worker actor's thread (`arbor:worker`) does not inherit the hook: it loads `@arbor/*` from
 * `packages/<name>/dist` as the run's `tsc -b` left them.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"

export const arborPackages = ["core", "supervisor", "registry"] as const

/** Copies each package's built `dist` into `<into>/<name>`; returns the copied package names. */
export const takeSnapshot = (repoDir: string, into: string): Array<string> => {
  fs.rmSync(into, { recursive: true, force: true })
  const taken: Array<string> = []
  for (const name of arborPackages) {
    const dist = path.join(repoDir, "packages", name, "dist")
    if (!fs.existsSync(path.join(dist, "index.js"))) continue
    fs.cpSync(dist, path.join(into, name), { recursive: true, filter: (src) => !src.endsWith(".map") })
    taken.push(name)
  }
  return taken
}

interface ResolveContext {
  readonly parentURL?: string
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>

/** Node module resolve hook: `@arbor/<name>` → the snapshot, when one was taken. */
export const resolve = async (specifier: string, context: ResolveContext, next: NextResolve) => {
  const dir = process.env["ARBOR_BENCH_SNAPSHOT"]
  const match = /^@arbor\/([a-z-]+)$/.exec(specifier)
  if (dir !== undefined && match !== null) {
    const file = path.join(dir, match[1]!, "index.js")
    if (fs.existsSync(file)) return { url: pathToFileURL(file).href, shortCircuit: true }
  }
  return next(specifier, context)
}
