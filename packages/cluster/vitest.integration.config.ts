/**
 * The cluster's integration tests (`pnpm --filter @arbor/cluster test:integration`): real runner
 * processes against a real PostgreSQL — the user's `DATABASE_URL`, else a private server started by
 * scripts/pg.ts for the run. Not part of the root `pnpm test` (which needs no PostgreSQL); `.ci/run`
 * runs it in its own stage on Node 22 and 24.
 */
import { defineConfig } from "vitest/config"

export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ["@arbor/source"] },
  ssr: { resolve: { conditions: ["@arbor/source"] } },
  test: {
    include: ["test/integration/**/*.test.ts"],
    globalSetup: ["test/integration/setup.ts"],
    // 2 cores, several runner processes per test, kill -9 timings: one file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000
  }
})
