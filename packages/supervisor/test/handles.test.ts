/**
 * Issue #12.1 and #12.5: typed child handles and names. Type-level tests (`expectTypeOf`,
 * `@ts-expect-error`) run under `tsc -b`; the runtime halves run on a `TestClock` world.
 */
import { Actor, ActorRef, ActorSystem, type Errors, ExitReason } from "@arbor/core"
import { Registry } from "@arbor/registry"
import { Child, DynamicSupervisor, Supervisor, SupervisorErrors } from "@arbor/supervisor"
import type { SupervisionEvent } from "@arbor/supervisor"
import { Cause, Data, Effect, Exit, Fiber, Layer, Option, type Scope } from "effect"
import { TestSystem } from "@arbor/testkit"
import { describe, expect, expectTypeOf, it } from "vitest"
import { untilIdle as flush } from "./utils.ts"

type CounterMsg =
  | { readonly _tag: "Add"; readonly n: number }
  | { readonly _tag: "Crash" }
  | Actor.Request<{ readonly _tag: "Get" }, number>

const Counter = Actor.make<CounterMsg>()({
  init: () => Effect.succeed(0),
  receive: {
    Add: (s, m) => s + m.n,
    Crash: () => Effect.die("boom"),
    Get: (s) => Actor.reply(s, s)
  }
})

type EchoMsg = Actor.Request<{ readonly _tag: "Echo"; readonly text: string }, string>
const Echo = Actor.make<EchoMsg>()({
  init: () => Effect.succeed(null),
  receive: { Echo: (s, m) => Actor.reply(m.text, s) }
})

class NoDb extends Data.TaggedError("NoDb")<{ readonly url: string }> {}

const World = Layer.merge(TestSystem.layer(), Layer.fresh(Registry.layer))
const run = <A, E>(
  program: Effect.Effect<A, E, Scope.Scope | ActorSystem.ActorSystem | Registry.Registry>
): Promise<A> => Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(World)) as Effect.Effect<A, E>)

const CounterName = Registry.key<CounterMsg>()("counter")
const SessionName = (user: string) => Registry.key<CounterMsg>()(`session/${user}`)

describe("typed child handles (#12.1)", () => {
  it("S23 childRef of a static child is typed by its id; a misspelt id does not compile", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        children: [
          Child.worker({ id: "counter", start: Actor.spawn(Counter) }),
          Child.worker({ id: "echo", start: Actor.spawn(Echo) })
        ]
      })
      const counter = yield* Supervisor.childRef(sup, "counter")
      expectTypeOf(counter).toEqualTypeOf<ActorRef.ActorRef<CounterMsg>>()
      expectTypeOf(yield* Supervisor.childRef(sup, "echo")).toEqualTypeOf<ActorRef.ActorRef<EchoMsg>>()
      const typeOnly = () => {
        // @ts-expect-error not one of its children
        Supervisor.childRef(sup, "counterr")
        // @ts-expect-error a counter does not accept an echo request
        ActorRef.tell(counter, { _tag: "Echo", text: "x" })
      }
      void typeOnly
      yield* ActorRef.tell(counter, { _tag: "Add", n: 2 })
      expect(yield* ActorRef.ask(counter, { _tag: "Get" })).toBe(2)
    })))

  it("S23 childRef answers the current incarnation after a restart, ChildNotFound for an unknown id", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        strategy: "one-for-one",
        children: [Child.worker({ id: "counter", start: Actor.spawn(Counter) })]
      })
      const first = yield* Supervisor.childRef(sup, "counter")
      yield* ActorRef.tell(first, { _tag: "Crash" })
      yield* flush
      const second = yield* Supervisor.childRef(sup, "counter")
      expect(second).not.toBe(first)
      expect(ActorRef.isAliveUnsafe(second)).toBe(true)
      const loose: Supervisor.SupervisorRef = sup
      const missing = yield* Effect.flip(Supervisor.childRef(loose, "ghost"))
      expect(missing).toBeInstanceOf(SupervisorErrors.ChildNotFound)
      expect(missing.message).toContain(`no child "ghost"`)
    })))

  it("S23 startChild and restartChild give the spec's ref type; ChildStartFailed carries the start's error type", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [] })
      const echo = yield* Supervisor.startChild(sup, Child.worker({ id: "echo", start: Actor.spawn(Echo) }))
      expectTypeOf(echo).toEqualTypeOf<ActorRef.ActorRef<EchoMsg>>()
      expect(yield* ActorRef.ask(echo, { _tag: "Echo", text: "hi" })).toBe("hi")
      const failing = Child.worker({
        id: "db",
        start: Effect.fail(new NoDb({ url: "pg://x" })) as Effect.Effect<ActorRef.ActorRef<CounterMsg>, NoDb>
      })
      const error = yield* Effect.flip(Supervisor.startChild(sup, failing))
      if (error._tag !== "ChildStartFailed") throw new Error(`unexpected ${error._tag}`)
      expectTypeOf(error.cause).toEqualTypeOf<Cause.Cause<NoDb>>()
      const cause = Cause.findErrorOption(error.cause)
      expect(Option.getOrThrow(cause).url).toBe("pg://x")
    })))

  it("S23 Supervisor.start fails with ChildStartFailed typed by the children's start errors", async () => {
    const program = Supervisor.start({
      strategy: "one-for-one",
      children: [
        Child.worker({ id: "counter", start: Actor.spawn(Counter) }),
        Child.worker({ id: "db", start: Effect.fail(new NoDb({ url: "pg://y" })) })
      ]
    })
    type E = Effect.Error<typeof program>
    expectTypeOf<Extract<E, { readonly _tag: "ChildStartFailed" }>>().toEqualTypeOf<
      SupervisorErrors.ChildStartFailed<NoDb | Errors.InvalidActorOptions | Errors.StartTimeout>
    >()
    const exit = await run(Effect.exit(program))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? Cause.findErrorOption(exit.cause) : Option.none()
    expect(Option.getOrThrow(error)).toMatchObject({ _tag: "ChildStartFailed", child: "db" })
  })

  it("S23 a nested supervisor's ref is typed with its own children", () =>
    run(Effect.gen(function*() {
      const root = yield* Supervisor.start({
        strategy: "one-for-one",
        children: [
          Supervisor.child("inner", {
            strategy: "one-for-all",
            children: [Child.worker({ id: "counter", start: Actor.spawn(Counter) })]
          }),
          DynamicSupervisor.child("pool", { child: (_: number) => Actor.spawn(Echo) })
        ]
      })
      const inner = yield* Supervisor.childRef(root, "inner")
      const counter = yield* Supervisor.childRef(inner, "counter")
      expectTypeOf(counter).toEqualTypeOf<ActorRef.ActorRef<CounterMsg>>()
      const pool = yield* Supervisor.childRef(root, "pool")
      const echo = yield* DynamicSupervisor.startChild(pool, 1)
      expectTypeOf(echo).toEqualTypeOf<ActorRef.ActorRef<EchoMsg>>()
      const typeOnly = () => {
        // @ts-expect-error the pool's arguments are numbers
        DynamicSupervisor.startChild(pool, "one")
      }
      void typeOnly
      expect(yield* ActorRef.ask(echo, { _tag: "Echo", text: "pooled" })).toBe("pooled")
    })))

  it("S23 DynamicSupervisor: startChild is typed by the template, whichChildren keeps Args", () =>
    run(Effect.gen(function*() {
      const jobs = yield* DynamicSupervisor.start({
        child: (job: { readonly url: string }) => Actor.spawn(Counter, { label: job.url })
      })
      const job = yield* DynamicSupervisor.startChild(jobs, { url: "a" })
      expectTypeOf(job).toEqualTypeOf<ActorRef.ActorRef<CounterMsg>>()
      const [info] = yield* DynamicSupervisor.whichChildren(jobs)
      expectTypeOf(info!.args).toEqualTypeOf<{ readonly url: string }>()
      expectTypeOf(info!.ref).toEqualTypeOf<ActorRef.ActorRef<CounterMsg> | undefined>()
      expect(info!.args.url).toBe("a")
      const maybe = yield* DynamicSupervisor.start({
        child: (n: number) => n > 0 ? Actor.spawn(Counter) : Effect.succeed(Child.ignore)
      })
      const started = yield* DynamicSupervisor.startChild(maybe, 0)
      expectTypeOf(started).toEqualTypeOf<ActorRef.ActorRef<CounterMsg> | undefined>()
      expect(started).toBeUndefined()
      const failing = yield* DynamicSupervisor.start({ child: (url: string) => Effect.fail(new NoDb({ url })) })
      const error = yield* Effect.flip(DynamicSupervisor.startChild(failing, "pg://z"))
      if (error._tag !== "ChildStartFailed") throw new Error(`unexpected ${error._tag}`)
      expectTypeOf(error.cause).toEqualTypeOf<Cause.Cause<NoDb>>()
      expect(Option.getOrThrow(Cause.findErrorOption(error.cause)).url).toBe("pg://z")
    })))
})

describe("names (#12.5)", () => {
  it("S24 a worker child's name is re-taken by every incarnation; Registry is required by the type", () =>
    run(Effect.gen(function*() {
      const spec = Child.worker({ id: "counter", start: Actor.spawn(Counter), name: CounterName })
      expectTypeOf<Effect.Services<typeof spec.start>>().toEqualTypeOf<
        ActorSystem.ActorSystem | Registry.Registry | Scope.Scope
      >()
      const sup = yield* Supervisor.start({ strategy: "one-for-one", children: [spec] })
      const first = Option.getOrThrow(yield* Registry.lookup(CounterName))
      expect(first).toBe(yield* Supervisor.childRef(sup, "counter"))
      yield* ActorRef.tell(first, { _tag: "Crash" })
      yield* flush
      const second = yield* Registry.await(CounterName, "1 second")
      expect(second).not.toBe(first)
      expect(second).toBe(yield* Supervisor.childRef(sup, "counter"))
    })))

  it("S24 a supervisor's own name (Supervisor.start and Supervisor.child), and a taken name fails the start", () =>
    run(Effect.gen(function*() {
      const RootName = Registry.key<Supervisor.Protocol>()("root")
      const InnerName = Registry.key<Supervisor.Protocol>()("inner")
      const root = yield* Supervisor.start({
        strategy: "one-for-one",
        name: RootName,
        children: [Supervisor.child("inner", { strategy: "one-for-one", children: [] }, { name: InnerName })]
      })
      expect(Option.getOrThrow(yield* Registry.lookup(RootName))).toBe(root)
      expect(Option.getOrThrow(yield* Registry.lookup(InnerName))).toBe(yield* Supervisor.childRef(root, "inner"))
      const again = yield* Effect.flip(Supervisor.start({ strategy: "one-for-one", name: RootName, children: [] }))
      expect(again).toBeInstanceOf(Registry.AlreadyRegistered)
      const DynName = Registry.key<DynamicSupervisor.Protocol<number>>()("dyn")
      const dyn = yield* DynamicSupervisor.start({ child: (_: number) => Actor.spawn(Echo), name: DynName })
      expect(Option.getOrThrow(yield* Registry.lookup(DynName))).toBe(dyn)
    })))

  it("S25 startOrLookup: concurrent callers for one new name all get the same typed ref, one child starts", () =>
    run(Effect.gen(function*() {
      let starts = 0
      const sessions = yield* DynamicSupervisor.start({
        child: (_user: string) => Effect.suspend(() => (starts++, Actor.spawn(Counter))),
        childName: SessionName,
        restart: "transient"
      })
      const refs = yield* Effect.all(
        Array.from({ length: 20 }, (_, i) => DynamicSupervisor.startOrLookup(sessions, i % 2 === 0 ? "alice" : "bob")),
        { concurrency: "unbounded" }
      )
      expectTypeOf(refs[0]!).toEqualTypeOf<ActorRef.ActorRef<CounterMsg>>()
      expect(starts).toBe(2)
      expect(new Set(refs.filter((_, i) => i % 2 === 0)).size).toBe(1)
      expect(new Set(refs.filter((_, i) => i % 2 === 1)).size).toBe(1)
      expect(refs[0]).not.toBe(refs[1])
      expect(Option.getOrThrow(yield* Registry.lookup(SessionName("alice")))).toBe(refs[0])
      // dynamic children are called by their name in whichChildren (and events)
      const ids = (yield* DynamicSupervisor.whichChildren(sessions)).map((c) => c.id).sort()
      expect(ids).toEqual(["session/alice", "session/bob"])
      // startChild of a taken name: ChildAlreadyStarted with the holder's typed ref
      const taken = yield* Effect.flip(DynamicSupervisor.startChild(sessions, "alice"))
      if (taken._tag !== "ChildAlreadyStarted") throw new Error(`unexpected ${taken._tag}`)
      expectTypeOf(taken.ref).toEqualTypeOf<ActorRef.ActorRef<CounterMsg>>()
      expect(taken.ref).toBe(refs[0])
      expect(taken.child).toBe("session/alice")
    })))

  it("S25 a named dynamic child is re-registered on restart and its events carry its name", () =>
    run(Effect.gen(function*() {
      const events: Array<string> = []
      const sessions = yield* DynamicSupervisor.start({
        child: (_user: string) => Actor.spawn(Counter),
        childName: SessionName,
        onEvent: (e: SupervisionEvent.SupervisionEvent) => {
          if ("child" in e) events.push(`${e._tag} ${e.child}`)
        }
      })
      const first = yield* DynamicSupervisor.startOrLookup(sessions, "carol")
      yield* ActorRef.tell(first, { _tag: "Crash" })
      yield* flush
      const second = yield* Registry.await(SessionName("carol"), "1 second")
      expect(second).not.toBe(first)
      expect(yield* DynamicSupervisor.startOrLookup(sessions, "carol")).toBe(second)
      expect(events).toEqual([
        "ChildStarted session/carol",
        "ChildExited session/carol",
        "ChildStarted session/carol"
      ])
      // a name held outside the supervisor: startOrLookup answers its holder
      const outsider = yield* Registry.spawn(SessionName("dave"), Counter)
      expect(yield* DynamicSupervisor.startOrLookup(sessions, "dave")).toBe(outsider)
      yield* ActorRef.stop(outsider, ExitReason.shutdown())
    })))
  it("S24 a spec that may carry a name needs Registry; one that definitely has none does not", () => {
    const withName = Math.random() < 2
    // Child.worker: no name, and a name that is only maybe there
    const none = Child.worker({ id: "a", start: Actor.spawn(Counter) })
    const maybe = Child.worker({ id: "b", start: Actor.spawn(Counter), ...(withName ? { name: CounterName } : {}) })
    expectTypeOf<Child.ServicesOf<typeof none>>().toEqualTypeOf<ActorSystem.ActorSystem>()
    expectTypeOf<Child.ServicesOf<typeof maybe>>().toEqualTypeOf<ActorSystem.ActorSystem | Registry.Registry>()
    expectTypeOf<Registry.AlreadyRegistered>().toExtend<Child.ErrorOf<typeof maybe>>()
    // a spec typed with an optional name (the ChildSpec interface), and a literal without one
    type Typed = Child.ChildSpec<ActorSystem.ActorSystem, ActorRef.ActorRef<CounterMsg>, never, "c">
    expectTypeOf<Child.ServicesOf<Typed>>().toEqualTypeOf<ActorSystem.ActorSystem | Registry.Registry>()
    const literal = { id: "d", start: Actor.spawn(Counter) }
    expectTypeOf<Child.ServicesOf<typeof literal>>().toEqualTypeOf<ActorSystem.ActorSystem>()
    // a supervisor spec: its own optional name, and nested options
    const typedSpec: Supervisor.SupervisorSpec<never, readonly [typeof none]> = { strategy: "one-for-one", children: [none] }
    expectTypeOf<Supervisor.ServicesOfSpec<typeof typedSpec>>().toEqualTypeOf<ActorSystem.ActorSystem | Registry.Registry>()
    const plain = { strategy: "one-for-one", children: [none] } as const
    expectTypeOf<Supervisor.ServicesOfSpec<typeof plain>>().toEqualTypeOf<ActorSystem.ActorSystem>()
    const nested = Supervisor.child("n", plain)
    expectTypeOf<Child.ServicesOf<typeof nested>>().toEqualTypeOf<ActorSystem.ActorSystem>()
    const maybeSupName = undefined as Registry.Key<Supervisor.Protocol> | undefined
    const nestedMaybe = Supervisor.child("n", plain, { name: maybeSupName })
    expectTypeOf<Child.ServicesOf<typeof nestedMaybe>>().toEqualTypeOf<ActorSystem.ActorSystem | Registry.Registry>()
    // and so does the start: without Registry in the environment it does not compile
    const started = Supervisor.start({ strategy: "one-for-one", children: [maybe] })
    const needsOnly = (_: Effect.Effect<unknown, unknown, Scope.Scope | ActorSystem.ActorSystem>) => undefined
    // @ts-expect-error a maybe-named child needs Registry
    needsOnly(started)
    needsOnly(Supervisor.start({ strategy: "one-for-one", children: [none] }))
    // a dynamic template with an optional childName is maybe-named too
    const dyn: DynamicSupervisor.DynamicSupervisorSpec<string, never, ActorRef.ActorRef<EchoMsg>, never> = {
      child: () => Actor.spawn(Echo) as Effect.Effect<ActorRef.ActorRef<EchoMsg>>
    }
    expectTypeOf<DynamicSupervisor.ServicesOfSpec<typeof dyn>>().toEqualTypeOf<Registry.Registry>()
  })

  it("S25 startOrLookup does not compile for a dynamic supervisor whose template has no childName", () =>
    run(Effect.gen(function*() {
      const plain = yield* DynamicSupervisor.start({ child: (_: string) => Actor.spawn(Echo) })
      const named = yield* DynamicSupervisor.start({
        child: (_: string) => Actor.spawn(Echo),
        childName: (user: string) => Registry.key<EchoMsg>()(`s25-echo/${user}`)
      })
      expectTypeOf(plain).toEqualTypeOf<
        DynamicSupervisor.DynamicSupervisorRef<string, ActorRef.ActorRef<EchoMsg>, Errors.InvalidActorOptions | Errors.StartTimeout, false>
      >()
      expectTypeOf(named).toExtend<DynamicSupervisor.DynamicSupervisorRef<string, ActorRef.ActorRef<EchoMsg>, unknown, true>>()
      expectTypeOf(yield* DynamicSupervisor.startOrLookup(named, "ann")).toEqualTypeOf<ActorRef.ActorRef<EchoMsg>>()
      // @ts-expect-error no childName: startOrLookup is a type error (a JS caller still gets InvalidChildSpec)
      const e = yield* Effect.flip(DynamicSupervisor.startOrLookup(plain, "ann"))
      expect(e).toMatchObject({ _tag: "InvalidChildSpec", field: "childName" })
      // a nested dynamic supervisor keeps it in its ref type
      const root = yield* Supervisor.start({
        strategy: "one-for-one",
        children: [
          DynamicSupervisor.child("plain", { child: (_: string) => Actor.spawn(Echo) }),
          DynamicSupervisor.child("named", {
            child: (_: string) => Actor.spawn(Echo),
            childName: (user: string) => Registry.key<EchoMsg>()(`s25-nested/${user}`)
          })
        ]
      })
      const nestedNamed = yield* Supervisor.childRef(root, "named")
      expectTypeOf(yield* DynamicSupervisor.startOrLookup(nestedNamed, "bo")).toEqualTypeOf<ActorRef.ActorRef<EchoMsg>>()
      const nestedPlain = yield* Supervisor.childRef(root, "plain")
      // @ts-expect-error no childName
      yield* Effect.flip(DynamicSupervisor.startOrLookup(nestedPlain, "bo"))
    })))

  it("S26 the root of Supervisor.layer is typed by its spec (TreeLayer.root)", () =>
    run(Effect.gen(function*() {
      const Tree = Supervisor.layer({
        strategy: "one-for-one",
        children: [
          Child.worker({ id: "counter", start: Actor.spawn(Counter) }),
          DynamicSupervisor.child("echoes", {
            child: (_: string) => Actor.spawn(Echo),
            childName: (user: string) => Registry.key<EchoMsg>()(`s26-echo/${user}`)
          })
        ]
      })
      const Other = Supervisor.layer({ strategy: "one-for-one", children: [] })
      const got = yield* Effect.gen(function*() {
        const root = yield* Tree.root
        const counter = yield* Supervisor.childRef(root.ref, "counter")
        expectTypeOf(counter).toEqualTypeOf<ActorRef.ActorRef<CounterMsg>>()
        // @ts-expect-error not a child of this tree
        Supervisor.childRef(root.ref, "nope")
        const echoes = yield* Supervisor.childRef(root.ref, "echoes")
        const echo = yield* DynamicSupervisor.startOrLookup(echoes, "cy")
        yield* ActorRef.tell(counter, { _tag: "Add", n: 2 })
        return [yield* ActorRef.ask(counter, { _tag: "Get" }), yield* ActorRef.ask(echo, { _tag: "Echo", text: "hi" })]
      }).pipe(Effect.provide(Tree, { local: true }))
      expect(got).toEqual([2, "hi"])
      // the root of another layer is refused, not handed out with the wrong type
      const wrong = yield* Effect.exit(Tree.root.pipe(Effect.provide(Other, { local: true })))
      expect(Exit.isFailure(wrong) && Cause.pretty(wrong.cause)).toContain("was not built by this Supervisor.layer")
    })))

  it("S26 TreeLayer.childRef reads a child of the root typed by the spec; an id not in it does not compile", () =>
    run(Effect.gen(function*() {
      const Tree = Supervisor.layer({
        strategy: "one-for-one",
        children: [Child.worker({ id: "counter", start: Actor.spawn(Counter) })]
      })
      const got = yield* Effect.gen(function*() {
        const counter = yield* Tree.childRef("counter")
        expectTypeOf(counter).toEqualTypeOf<ActorRef.ActorRef<CounterMsg>>()
        // @ts-expect-error not a child of this tree
        Tree.childRef("nope")
        yield* ActorRef.tell(counter, { _tag: "Add", n: 3 })
        const before = yield* ActorRef.ask(counter, { _tag: "Get" })
        // the current incarnation, after a restart
        yield* ActorRef.tell(counter, { _tag: "Crash" })
        yield* flush
        const next = yield* Tree.childRef("counter")
        return [before, next === counter, yield* ActorRef.ask(next, { _tag: "Get" })] as const
      }).pipe(Effect.provide(Tree, { local: true }))
      expect(got).toEqual([3, false, 0])
    })))
})

describe("askChild (#12.5)", () => {
  type SessionMsg =
    | Actor.Request<{ readonly _tag: "Hit" }, number>
    | Actor.Request<{ readonly _tag: "Hang" }, number>
    | { readonly _tag: "Note" }
  const Session = Actor.make<SessionMsg, number>()({
    init: () => Effect.succeed(0),
    receive: { Hit: (n) => Actor.reply(n + 1, n + 1), Hang: () => Effect.never, Note: (n) => n }
  })
  const Name = (user: string) => Registry.key<SessionMsg>()(`ask-child/${user}`)

  it("S25 askChild starts the child of a name on first use, then asks that one child; the reply type is the request's", () =>
    run(Effect.gen(function*() {
      let starts = 0
      const sessions = yield* DynamicSupervisor.start({
        child: (_user: string) => Effect.suspend(() => (starts++, Actor.spawn(Session))),
        childName: Name
      })
      const hits = yield* Effect.all(
        Array.from({ length: 6 }, (_, i) => DynamicSupervisor.askChild(sessions, i % 2 === 0 ? "ann" : "ben", { _tag: "Hit" })),
        { concurrency: "unbounded" }
      )
      expectTypeOf(hits[0]!).toEqualTypeOf<number>()
      expect(starts).toBe(2)
      expect([...hits].sort()).toEqual([1, 1, 2, 2, 3, 3])
      expect((yield* DynamicSupervisor.countChildren(sessions)).active).toBe(2)
      // @ts-expect-error a told message is not a request
      DynamicSupervisor.askChild(sessions, "ann", { _tag: "Note" })
      // @ts-expect-error not in the protocol
      DynamicSupervisor.askChild(sessions, "ann", { _tag: "Nope" })
      // @ts-expect-error the arguments are the template's
      DynamicSupervisor.askChild(sessions, 1, { _tag: "Hit" })
    })))

  it("S25 askChild fails with AskTimeout at its deadline on the TestClock, and only compiles for a named template that never ignores", () =>
    run(Effect.gen(function*() {
      // brutal: the session stuck in Hang is killed when the test's scope closes
      const sessions = yield* DynamicSupervisor.start({ child: (_user: string) => Actor.spawn(Session), childName: Name, shutdown: "brutal" })
      const fiber = yield* Effect.forkChild(
        Effect.flip(DynamicSupervisor.askChild(sessions, "cat", { _tag: "Hang" }, { timeout: "2 seconds" }))
      )
      yield* TestSystem.advance("1999 millis")
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestSystem.advance("1 millis")
      expect((yield* Fiber.join(fiber))._tag).toBe("AskTimeout")
      const unnamed = yield* DynamicSupervisor.start({ child: (_user: string) => Actor.spawn(Session) })
      // @ts-expect-error no childName: there is no "the child of this name" to ask
      DynamicSupervisor.askChild(unnamed, "cat", { _tag: "Hit" })
      const mayIgnore = yield* DynamicSupervisor.start({
        child: (user: string) => (user === "" ? Effect.succeed(Child.ignore) : Actor.spawn(Session)),
        childName: Name
      })
      // @ts-expect-error a start that may return Child.ignore leaves nothing to ask
      DynamicSupervisor.askChild(mayIgnore, "", { _tag: "Hit" })
      // a JS caller (here: a cast) whose start ignored gets a typed failure
      type Named = DynamicSupervisor.DynamicSupervisorRef<string, ActorRef.ActorRef<SessionMsg>, never, true>
      const ignored = yield* Effect.flip(DynamicSupervisor.askChild(mayIgnore as unknown as Named, "", { _tag: "Hit" }))
      expect(ignored).toMatchObject({ _tag: "ChildNotRunning", child: "", status: "not_running" })
    })))

})

describe("spec defaults: nested labels, strategy", () => {
  it("S19 a nested supervisor is labelled by its child id unless its spec gives a label: in snapshots and event paths", () =>
    run(Effect.gen(function*() {
      const events: Array<SupervisionEvent.SupervisionEvent> = []
      const root = yield* Supervisor.start({
        strategy: "one-for-one",
        label: "root",
        onEvent: (e) => void events.push(e),
        children: [
          Supervisor.child("jobs", { strategy: "one-for-one", children: [Child.worker({ id: "j1", start: Actor.spawn(Echo) })] }),
          Supervisor.child("pool", { strategy: "one-for-one", label: "workers", children: [] }),
          DynamicSupervisor.child("tasks", { child: (_: string) => Actor.spawn(Echo) })
        ]
      })
      const snap = yield* Supervisor.snapshot(root)
      expect(snap.children.map((c) => c.supervisor?.label)).toEqual(["jobs", "workers", "tasks"])
      const started = events.filter((e) => e._tag === "ChildStarted" && e.child === "j1")
      expect(started.map((e) => e.supervisor.at(-1))).toEqual(["jobs"])
      const failed = yield* Effect.flip(Supervisor.startChild(root, Supervisor.child("bad", { strategy: "nope" as never, children: [] })))
      expect(failed).toMatchObject({ _tag: "InvalidChildSpec", field: "strategy" })
    })))

  it("S5 a spec without a strategy is one-for-one (OTP's default): only the exited child restarts", () =>
    run(Effect.gen(function*() {
      const sup = yield* Supervisor.start({
        children: [Child.worker({ id: "a", start: Actor.spawn(Counter) }), Child.worker({ id: "b", start: Actor.spawn(Counter) })]
      })
      const [a, b] = [yield* Supervisor.childRef(sup, "a"), yield* Supervisor.childRef(sup, "b")]
      yield* ActorRef.tell(a, { _tag: "Crash" })
      yield* flush
      expect(yield* Supervisor.childRef(sup, "a")).not.toBe(a)
      expect(yield* Supervisor.childRef(sup, "b")).toBe(b)
      expect((yield* Supervisor.snapshot(sup)).strategy).toBe("one-for-one")
    })))
})
