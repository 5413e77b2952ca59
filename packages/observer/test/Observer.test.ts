import { describe, expect, it } from "vitest"
import { Context, Effect, Layer } from "effect"
import { ActorRef } from "@arbor/core"
import { Observer } from "@arbor/observer"
import { Supervisor } from "@arbor/supervisor"
import { run, sseReader, startTree, type WorkerMsg } from "./utils.ts"

const childRef = (sup: Supervisor.SupervisorRef, id: string) =>
  Effect.map(Supervisor.whichChildren(sup), (children) => children.find((c) => c.id === id)!.ref as ActorRef.ActorRef<WorkerMsg>)

const find = (node: any, path: string): any =>
  node.path.join("/") === path ? node : (node.children ?? []).map((c: any) => find(c, path)).find((n: any) => n !== undefined)

describe("Observer", () => {
  it("serves the page, the state and the event stream on loopback; refuses writes and unknown paths", async () => {
    const out = await run(Effect.gen(function*() {
      const root = yield* startTree()
      const observer = yield* Observer.serve(root, { port: 0, interval: 50 })
      return yield* Effect.promise(async () => {
        const pageRes = await fetch(observer.url)
        const html = await pageRes.text()
        const state: any = await (await fetch(observer.url + "state.json")).json()
        const post = await fetch(observer.url + "events", { method: "POST" })
        const missing = await fetch(observer.url + "nope")
        return {
          url: observer.url,
          status: pageRes.status,
          csp: pageRes.headers.get("content-security-policy"),
          html,
          state,
          post: [post.status, post.headers.get("allow")],
          missing: missing.status
        }
      })
    }))
    expect(out.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(out.status).toBe(200)
    expect(out.csp).toMatch(/default-src 'none'/)
    expect(out.html).toMatch(/<title>Arbor observer<\/title>/)
    expect(out.html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/) // self-contained
    expect(out.html).toMatch(/new EventSource\("events"/)
    expect(out.state.totals).toMatchObject({ restarts: 0 })
    expect(out.post).toEqual([405, "GET, HEAD"])
    expect(out.missing).toBe(404)
  })

  it("pushes the tree with status, incarnation, budget, mailbox depth and message rate; a crash arrives as a restart in the feed", async () => {
    const out = await run(Effect.gen(function*() {
      const root = yield* startTree()
      const observer = yield* Observer.serve(root, { port: 0, interval: 50 })
      const a = yield* childRef(root, "a")
      const res = yield* Effect.promise(() => fetch(observer.url + "events"))
      const next = sseReader(res.body!)
      const hello = yield* Effect.promise(next)
      for (let i = 0; i < 20; i++) yield* ActorRef.tell(a, { _tag: "Work" })
      yield* ActorRef.ask(a, { _tag: "Count" })
      // an update whose sample came after the work: a's counter moved since the one before
      let busy: any
      for (let i = 0; i < 100 && busy === undefined; i++) {
        const u = yield* Effect.promise(next)
        const node = u.data.tree === null ? undefined : find(u.data.tree, "a")
        if (node?.rate > 0) busy = u.data
      }
      yield* ActorRef.tell(a, { _tag: "Crash" })
      let restarted: any
      const feed: Array<any> = []
      for (let i = 0; i < 100 && restarted === undefined; i++) {
        const u = yield* Effect.promise(next)
        feed.push(...u.data.events)
        if (find(u.data.tree, "a")?.incarnation === 2) restarted = u.data
      }
      yield* Effect.promise(() => next.close())
      return { hello: hello.data, busy, restarted, feed }
    }))
    expect(out.hello.tree).toMatchObject({
      id: "root",
      kind: "supervisor",
      strategy: "one-for-one",
      intensity: 100,
      periodMillis: 1000,
      restartsInWindow: 0,
      remainingBudget: 100
    })
    expect(find(out.hello.tree, "a")).toMatchObject({ kind: "worker", status: "running", incarnation: 1, mailbox: 0 })
    expect(find(out.hello.tree, "inner")).toMatchObject({ kind: "supervisor", strategy: "one-for-all", intensity: 5, remainingBudget: 5 })
    expect(find(out.hello.tree, "inner/b")).toMatchObject({ kind: "worker", incarnation: 1 })
    expect(find(out.busy.tree, "a").rate).toBeGreaterThan(0)
    expect(out.restarted.tree).toMatchObject({ restartsInWindow: 1, remainingBudget: 99 })
    expect(out.restarted.totals).toMatchObject({ restarts: 1, crashes: 1 })
    const texts = out.feed.map((e) => e.text)
    expect(texts).toContain("a crashed: failure(Error: injected crash) (incarnation 1)")
    expect(texts).toContain("root restarted a (incarnation 2)")
  })

  it("coalesces a restart storm into one update per interval carrying the newest events and a count of the rest", async () => {
    const out = await run(Effect.gen(function*() {
      const root = yield* startTree(1_000_000)
      const observer = yield* Observer.serve(root, { port: 0, interval: 100, feedSize: 10 })
      const res = yield* Effect.promise(() => fetch(observer.url + "events"))
      const next = sseReader(res.body!)
      yield* Effect.promise(next) // hello
      const restarts = 300
      for (let i = 0; i < restarts; i++) {
        const a = yield* childRef(root, "a")
        yield* ActorRef.kill(a)
      }
      let total = 0
      let events = 0
      let dropped = 0
      let updates = 0
      while (total < restarts) {
        const u = yield* Effect.promise(next)
        updates++
        total = u.data.totals.restarts
        events += u.data.events.length
        dropped += u.data.eventsDropped
        expect(u.data.events.length).toBeLessThanOrEqual(10)
      }
      yield* Effect.promise(() => next.close())
      return { total, events, dropped, updates, pushed: observer.updates() }
    }))
    expect(out.total).toBe(300)
    // every event is either carried or counted: 300 crashes + 300 restarts (exits and starts)
    expect(out.events + out.dropped).toBe(600)
    expect(out.updates).toBeLessThan(60)
  })

  it("requires the bearer token when one is set, from the header or the query", async () => {
    const token = "0123456789abcdef-token"
    const out = await run(Effect.gen(function*() {
      const root = yield* startTree()
      const observer = yield* Observer.serve(root, { port: 0, token })
      return yield* Effect.promise(async () => {
        const none = await fetch(observer.url)
        const wrong = await fetch(observer.url, { headers: { authorization: "Bearer 0123456789abcdef-WRONG" } })
        const header = await fetch(observer.url + "state.json", { headers: { authorization: `Bearer ${token}` } })
        const query = await fetch(observer.url + `?token=${token}`)
        return [none.status, none.headers.get("www-authenticate"), wrong.status, header.status, query.status]
      })
    }))
    expect(out).toEqual([401, "Bearer", 401, 200, 200])
  })

  it("refuses a request whose Host is not a loopback name while bound to loopback (DNS rebinding)", async () => {
    const status = await run(Effect.gen(function*() {
      const root = yield* startTree()
      const observer = yield* Observer.serve(root, { port: 0 })
      return yield* Effect.promise(() =>
        new Promise<number>((resolve, reject) => {
          import("node:http").then((http) =>
            http.get({ host: "127.0.0.1", port: observer.port, path: "/", headers: { host: "evil.example:80" } }, (res) => {
              res.resume()
              resolve(res.statusCode ?? 0)
            }).on("error", reject)
          )
        })
      )
    }))
    expect(status).toBe(403)
  })

  it("the layer starts the supervisor, serves it, and stops serving when it is released", async () => {
    const out = await run(Effect.gen(function*() {
      const url = yield* Effect.scoped(Effect.gen(function*() {
        const services = yield* Layer.build(Observer.layer(startTree(), { port: 0 }))
        const observer = Context.get(services, Observer.Observer)
        const state = yield* Effect.promise(async () => (await fetch(observer.url + "state.json")).status)
        return { url: observer.url, state }
      }))
      const after = yield* Effect.promise(() => fetch(url.url).then(() => "answered", () => "refused"))
      return { ...url, after }
    }))
    expect(out.state).toBe(200)
    expect(out.after).toBe("refused")
  })
})
