/** The run's PostgreSQL and runner bundle (from the globalSetup) for a test's own cluster. */
import { inject } from "vitest"
import { TestCluster } from "./cluster.ts"

/** A fresh database on the run's PostgreSQL, runners from the run's bundle. */
export const testCluster = (name: string): Promise<TestCluster> =>
  TestCluster.make(name, inject("databaseUrl"), inject("runnerEntry"))
