/**
 * globalSetup of the integration tests: one PostgreSQL for the run (the user's DATABASE_URL, else
 * a private server from scripts/pg.ts, stopped at teardown) handed to the test files with
 * `inject("databaseUrl")`.
 */
import type { TestProject } from "vitest/node"
import { redact, startPostgres } from "../../scripts/pg.ts"

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's PostgreSQL (a server where the tests may create databases). */
    readonly databaseUrl: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pg = await startPostgres({ database: "arbor_it", log: (l) => console.log(l) })
  console.log(`integration: PostgreSQL ${redact(pg.url)} (${pg.source})`)
  project.provide("databaseUrl", pg.url)
  return async () => {
    await pg.stop()
  }
}
