import { configDefaults, defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["@arbor/source"] },
  ssr: { resolve: { conditions: ["@arbor/source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts", "conformance/**/*.test.ts", "bench/test/**/*.test.ts", "docs/test/**/*.test.ts", "integration/**/*.test.ts", "reliability/test/**/*.test.ts"],
    // Real runner processes on PostgreSQL: its own config and stage (packages/cluster/vitest.integration.config.ts).
    exclude: [...configDefaults.exclude, "packages/cluster/test/integration/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
