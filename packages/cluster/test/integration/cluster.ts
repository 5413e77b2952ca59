/**
 * What the integration tests share: a fresh database per test (with the side table), the
 * bundled runner, and an in-process cluster client (`Cluster.layer` with `runner: "client"`).
 */
import { ActorSystem } from "@arbor/core"
import { PgClient } from "@effect/sql-pg"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as SqlClient from "effect/sql/SqlClient"
import type * as Sharding from "effect/cluster/Sharding"
import { Cluster } from "../../src/index.ts"
import { get, value } from "./client.ts"
import { Counter, incarnationsDdl, Keeper } from "./fixtures/protocols.ts"
import { freePort, spawnFixture, until } from "./harness.ts"
import type { Proc } from "./harness.ts"

const withUrl = (url: string, database: string): string => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

const admin = <A>(url: string, f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>): Promise<A> =>
  Effect.runPromise(
    Effect.gen(function*() {
      return yield* f(yield* SqlClient.SqlClient)
    }).pipe(
      Effect.provide(PgClient.layer({ url: Redacted.make(url), applicationName: "arbor-it-admin" }))
    ) as Effect.Effect<A>
  )

/** One row of the side table: an incarnation of a hosted actor (`ended` undefined: never ended, e.g. killed). */
export interface Incarnation {
  readonly entity: string
  readonly pid: number
  readonly started: number
  readonly ended: number | undefined
}

/** A test's own database on the run's PostgreSQL, its side table, and its client. */
export class TestCluster {
  private constructor(
    readonly root: string,
    readonly entry: string,
    readonly url: string,
    readonly database: string,
    private readonly side: ManagedRuntime.ManagedRuntime<SqlClient.SqlClient, unknown>,
    private readonly client: ManagedRuntime.ManagedRuntime<Sharding.Sharding | ActorSystem.ActorSystem, unknown>
  ) {}

  /**
   * Creates database `it_<name>_<random>` on the server of `root` (a PostgreSQL URL), with the
   * side table; runners are started from the bundle `entry`; the client connects lazily.
   */
  static async make(name: string, root: string, entry: string): Promise<TestCluster> {
    const database = `it_${name}_${Math.random().toString(36).slice(2, 8)}`
    await admin(root, (sql) => sql.unsafe(`CREATE DATABASE ${database}`))
    const url = withUrl(root, database)
    await admin(url, (sql) => sql.unsafe(incarnationsDdl))
    const side = ManagedRuntime.make(PgClient.layer({ url: Redacted.make(url), applicationName: "arbor-it-check" }))
    const client = ManagedRuntime.make(
      Layer.merge(Cluster.layer({ storage: url, runner: "client", preset: "test" }), ActorSystem.layer)
    )
    return new TestCluster(root, entry, url, database, side as never, client as never)
  }

  /** Spawns a runner on a free port and waits for its ready line. */
  async runner(name: string, extra: Record<string, unknown> = {}): Promise<Proc> {
    const port = await freePort()
    return spawnFixture({ name, entry: this.entry, config: { url: this.url, port, ...extra } })
  }

  /** Runs `effect` in the test's cluster client (Sharding + ActorSystem), in a fresh scope. */
  run<A, E>(effect: Effect.Effect<A, E, Sharding.Sharding | ActorSystem.ActorSystem | Scope.Scope>): Promise<A> {
    return this.client.runPromise(Effect.scoped(effect))
  }

  /** A query on the test's database. */
  query<A extends object>(text: string): Promise<ReadonlyArray<A>> {
    return this.side.runPromise(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      return yield* sql.unsafe<A>(text)
    }))
  }

  /** The side table's rows for `entity` (`"<protocol>/<id>"`), oldest first. */
  async incarnations(entity?: string): Promise<Array<Incarnation>> {
    const rows = await this.query<{ entity: string; pid: number; s: string; e: string | null }>(
      `SELECT entity, pid, (extract(epoch from started_at) * 1000)::float8 AS s, (extract(epoch from ended_at) * 1000)::float8 AS e
       FROM it_incarnations ${entity === undefined ? "" : `WHERE entity = '${entity.replace(/'/g, "''")}'`} ORDER BY started_at, id`
    )
    return rows.map((r) => ({ entity: r.entity, pid: r.pid, started: Number(r.s), ended: r.e === null ? undefined : Number(r.e) }))
  }

  /** Closes the client and drops the database (its sessions included). */
  async close(): Promise<void> {
    await this.client.dispose().catch(() => {})
    await this.side.dispose().catch(() => {})
    await admin(this.root, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`))
  }
}

/**
 * Pairs of incarnations of one entity that were alive at the same time. A row without an end
 * ends at `deathOf(pid)` (the time its runner was killed), or is still alive.
 */
export const overlaps = (rows: ReadonlyArray<Incarnation>, deathOf: (pid: number) => number | undefined): Array<[Incarnation, Incarnation]> => {
  const out: Array<[Incarnation, Incarnation]> = []
  const end = (r: Incarnation) => r.ended ?? deathOf(r.pid) ?? Infinity
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const a = rows[i]!
      const b = rows[j]!
      if (a.entity === b.entity && a.started < end(b) && b.started < end(a)) out.push([a, b])
    }
  }
  return out
}

/** Asks every id once; the pid that answered each (ids that failed are left out). */
export const owners = async (t: TestCluster, protocol: typeof Counter | typeof Keeper, ids: ReadonlyArray<string>) => {
  const exits = await t.run(Effect.forEach(ids, (id) => get(protocol, id, "3 seconds"), { concurrency: "unbounded" }))
  const out = new Map<string, number>()
  exits.forEach((e, i) => {
    const v = value(e)
    if (v !== undefined) out.set(ids[i]!, v.pid)
  })
  return out
}

/** Traffic until every id answered and both runners own some of them (the engine spreads shards once both are up). */
export const spread = (t: TestCluster, protocol: typeof Counter | typeof Keeper, ids: ReadonlyArray<string>, a: Proc, b: Proc) =>
  until(async () => {
    const m = await owners(t, protocol, ids)
    const pids = new Set(m.values())
    return m.size === ids.length && pids.has(a.pid) && pids.has(b.pid) ? m : undefined
  }, 60_000, `${protocol.name} ids answered by both runners`, 500)
