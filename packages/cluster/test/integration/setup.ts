/**
 * globalSetup of the integration tests: one PostgreSQL for the run (the user's DATABASE_URL, else
 * a private server from scripts/pg.ts, stopped at teardown) and the runner fixture bundled once,
 * handed to the test files with `inject("databaseUrl")` / `inject("runnerEntry")`.
 */
import type { TestProject } from "vitest/node"
import { redact, startPostgres } from "../../scripts/pg.ts"
import { bundleRunner } from "./fixtures/bundle.ts"

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's PostgreSQL (a server where the tests may create databases). */
    readonly databaseUrl: string
    /** The bundled runner fixture (`node <runnerEntry> <json config>`). */
    readonly runnerEntry: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bundle = await bundleRunner()
  const pg = await startPostgres({ database: "arbor_it", log: (l) => console.log(l) }).catch((e) => {
    bundle.remove()
    throw e
  })
  console.log(`integration: PostgreSQL ${redact(pg.url)} (${pg.source}); runner bundle ${(bundle.bytes / 1e6).toFixed(1)} MB`)
  project.provide("databaseUrl", pg.url)
  project.provide("runnerEntry", bundle.entry)
  return async () => {
    await pg.stop()
    bundle.remove()
  }
}
