/**
 * The private-PostgreSQL script's decisions that need no server: a user's DATABASE_URL is honoured
 * or rejected with a message naming what is wrong, and without binaries the message names the
 * Debian package. (Starting a real private server is in test/integration/pg.test.ts.)
 */
import { describe, expect, it } from "vitest"
import { findBinDir, installHint, PostgresUnavailable, redact, startPostgres } from "../scripts/pg.ts"

describe("scripts/pg.ts", () => {
  it("a DATABASE_URL is used as given, and stop leaves that server alone", async () => {
    const url = "postgres://app:s3cret@db.internal:5433/orders"
    const pg = await startPostgres({ env: { DATABASE_URL: url } })
    expect(pg).toMatchObject({ url, source: "DATABASE_URL", dir: undefined })
    await pg.stop()
  })

  it("a DATABASE_URL with another scheme is rejected, naming the scheme", async () => {
    await expect(startPostgres({ env: { DATABASE_URL: "mysql://u@h/d" } })).rejects.toThrow(
      /DATABASE_URL has scheme 'mysql', expected postgres:\/\//
    )
  })

  it("a DATABASE_URL that is not a URL is rejected without echoing it", async () => {
    const err = await startPostgres({ env: { DATABASE_URL: "host=db password=hunter2" } }).catch((e) => e)
    expect(err).toBeInstanceOf(PostgresUnavailable)
    expect(err.message).toMatch(/DATABASE_URL is not a URL/)
    expect(err.message).not.toContain("hunter2")
  })

  it("no DATABASE_URL and no binaries: the message names the Debian package to install", async () => {
    const err = await startPostgres({ env: { ARBOR_PG_BIN: "/nonexistent/bin" } }).catch((e) => e)
    expect(err).toBeInstanceOf(PostgresUnavailable)
    expect(err.message).toContain(installHint)
    expect(installHint).toBe("apt-get update && apt-get install -y postgresql-15")
    expect(err.message).toContain("ARBOR_PG_BIN=/nonexistent/bin")
  })

  it("an invalid database name is rejected before anything starts", async () => {
    await expect(startPostgres({ env: {}, database: "bad-name; drop" })).rejects.toThrow(
      /database name 'bad-name; drop' must match/
    )
  })

  it("ARBOR_PG_BIN is the only place looked at when set", () => {
    expect(findBinDir({ ARBOR_PG_BIN: "/nonexistent/bin", PATH: process.env["PATH"] ?? "" })).toBeUndefined()
  })

  it("redact hides the password and keeps the rest", () => {
    expect(redact("postgres://postgres:abc@127.0.0.1:5432/arbor")).toBe("postgres://postgres:***@127.0.0.1:5432/arbor")
    expect(redact("postgres://127.0.0.1/arbor")).toBe("postgres://127.0.0.1/arbor")
    expect(redact("not a url")).toBe("<unparsable URL>")
  })
})
