/**
 * A protocol described as data: Effect `Schema` declarations, one per message.
 *
 * A protocol described as data: one Effect `Schema` declaration per message, from which the
 * Arbor message type is derived (no second, hand-written union) and which encodes messages,
 * replies, typed failures and exit reasons to JSON for a thread or network boundary.
 *
 * Local actors do not need a protocol: `Actor.make<Msg>()` takes any TypeScript union. An actor
 * that is to run in a worker thread (or, later, on another node) declares its protocol once and
 * uses `Protocol.Type<typeof P>` as its message type.
 *
 * @module
 * @since 0.1.0
 */
import type { Actor } from "@arbor/core"
import { ExitReason } from "@arbor/core"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"

// -----------------------------------------------------------------------------------------
// declarations
// -----------------------------------------------------------------------------------------

/**
 * One message of a protocol: its payload fields and, for a request, the schema of its reply.
 *
 * A message with a `reply` is a request (`ActorRef.ask`); one without is a plain message
 * (`ActorRef.tell` / `send`).
 *
 * @category declarations
 * @since 0.1.0
 */
export interface MessageSpec {
  /** The payload fields (a `Schema.Struct` field map); `_tag` is added. Default: no fields. */
  readonly payload?: Schema.Struct.Fields
  /** For a request: the schema of its reply. */
  readonly reply?: Schema.Top
  /**
   * For `@arbor/cluster`: the message is stored before it is delivered (effect/cluster's
   * `ClusterSchema.Persisted`), so it survives a moment with no runner alive and is delivered at
   * least once. Default `false`. A worker thread ignores it.
   */
  readonly persisted?: boolean
  /**
   * For `@arbor/cluster`, with `persisted: true`: a key computed from the message's payload
   * fields; a second persisted message with the same key to the same actor is not stored again
   * (its sender gets the first one's reply). A worker thread ignores it.
   */
  readonly primaryKey?: (payload: any) => string
}

/**
 * Options of {@link make}.
 *
 * @category declarations
 * @since 0.1.0
 */
export interface ProtocolOptions<E extends Schema.Top> {
  /** The protocol's version, part of its {@link Protocol.hash}. Default `1`. */
  readonly version?: number
  /**
   * The typed errors the actor may fail with (the `E` of its `Failure` cause). They cross the
   * boundary as themselves; anything else the actor fails or dies with crosses as a defect
   * (`name`, `message`, `stack`).
   */
  readonly errors?: E
}

type Payload<M> = M extends { readonly payload: infer F extends Schema.Struct.Fields } ? Schema.Struct<F>["Type"]
  : {}

type MessageOf<K extends string, M> = M extends { readonly reply: infer R extends Schema.Top }
  ? Actor.Request<{ readonly _tag: K } & Payload<M>, R["Type"]>
  : { readonly _tag: K } & Payload<M>

/**
 * The Arbor message union a protocol describes.
 *
 * The Arbor message union a protocol describes: one variant per message, each with its `_tag`
 * and payload; requests are `Actor.Request`s with the reply's type.
 *
 * @category declarations
 * @since 0.1.0
 */
export type Type<P> = P extends Protocol<any, infer Sp, any>
  ? { [K in keyof Sp & string]: MessageOf<K, Sp[K]> }[keyof Sp & string]
  : never

/**
 * A protocol: its name, version, hash, request tags and codecs.
 *
 * A protocol: its name, version and hash (so both ends can check they speak the same one), the
 * tags of its requests (known at run time, where `Actor.Request` is only a type), and the
 * codecs of its messages, replies and exit reasons.
 *
 * @category declarations
 * @since 0.1.0
 */
export interface Protocol<
  out Name extends string = string,
  out Specs extends Record<string, MessageSpec> = Record<string, MessageSpec>,
  out E extends Schema.Top = Schema.Never
> {
  readonly [ProtocolTypeId]: typeof ProtocolTypeId
  /** The protocol's name (`Protocol.make`'s first argument). */
  readonly name: Name
  /** The protocol's version. */
  readonly version: number
  /** A hash of name, version and every message's schema: equal hashes, same wire format. */
  readonly hash: string
  /** The declarations. */
  readonly specs: Specs
  /** The schema of the typed errors. */
  readonly errors: E
  /** The tags of the messages. */
  readonly tags: ReadonlyArray<string>
  /** The tags of the requests. */
  readonly requests: ReadonlySet<string>
  /** The message union as one schema (a union of tagged structs). */
  readonly schema: Schema.Top
}

const ProtocolTypeId = "~@arbor/worker/Protocol" as const

/**
 * A protocol declaration that is not well-formed.
 *
 * A protocol declaration that is not well-formed: the `field` names what is wrong
 * (`"name"`, `"version"`, `"errors"`, `"messages"`, `"Add.payload"`, `"Get.reply"`, …).
 *
 * {@link make} throws it (declarations run at module load, like a class definition).
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidProtocol extends Data.TaggedError("InvalidProtocol")<{
  /** The protocol's name, when it is a string. */
  readonly protocol: string | undefined
  /** What is wrong. */
  readonly field: string
  /** Why. */
  readonly reason: string
}> {
  override get message(): string {
    return `invalid protocol ${this.protocol ?? "(unnamed)"}: ${this.field} ${this.reason}`
  }
}

/**
 * A value that does not match its protocol's schema.
 *
 * A value that does not match its protocol's schema: a message the sender gave, a reply the
 * actor returned, or data received from the other side.
 *
 * `what` says which (`"message Add"`, `"reply to Get"`, …), `issue` is the schema's explanation.
 *
 * @category errors
 * @since 0.1.0
 */
export class ProtocolError extends Schema.TaggedError<ProtocolError>()("ProtocolError", {
  /** The protocol's name. */
  protocol: Schema.String,
  /** Which value did not match. */
  what: Schema.String,
  /** The schema's explanation. */
  issue: Schema.String
}) {
  override get message(): string {
    return `${this.protocol}: ${this.what} does not match the protocol: ${this.issue}`
  }
}

const SPEC_KEYS: ReadonlyArray<string> = ["payload", "reply", "persisted", "primaryKey"]

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * Declares a protocol.
 *
 * Each key is a message tag; its spec gives the payload fields and, for a request, the reply
 * schema. Throws {@link InvalidProtocol} when the declaration is malformed.
 *
 * @example
 * ```ts
 * import { Actor } from "@arbor/core"
 * import { Protocol } from "@arbor/worker"
 * import { Effect, Schema } from "effect"
 *
 * export const CounterProtocol = Protocol.make("Counter", {
 *   Add: { payload: { n: Schema.Int } },   // a plain message
 *   Get: { reply: Schema.Int }             // a request
 * })
 * export type CounterMsg = Protocol.Type<typeof CounterProtocol>
 * // = { _tag: "Add"; n: number } | Actor.Request<{ _tag: "Get" }, number>
 *
 * export const Counter = Actor.make<CounterMsg>()({
 *   init: () => Effect.succeed(0),
 *   receive: { Add: (n, m) => n + m.n, Get: (n) => Actor.reply(n, n) }
 * })
 * ```
 *
 * @category declarations
 * @since 0.1.0
 */
export const make = <
  const Name extends string,
  const Specs extends Record<string, MessageSpec>,
  E extends Schema.Top = Schema.Never
>(name: Name, messages: Specs, options?: ProtocolOptions<E>): Protocol<Name, Specs, E> => {
  const invalid = (field: string, reason: string) =>
    new InvalidProtocol({ protocol: typeof name === "string" ? name : undefined, field, reason })
  if (typeof name !== "string" || name.length === 0) throw invalid("name", "must be a non-empty string")
  if (!isRecord(messages)) throw invalid("messages", "must be an object of message specs")
  const version = options?.version ?? 1
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    throw invalid("version", "must be a whole number ≥ 0")
  }
  const errors = (options?.errors ?? Schema.Never) as E
  if (!Schema.isSchema(errors)) throw invalid("errors", "must be a Schema")
  const tags = Object.keys(messages)
  if (tags.length === 0) throw invalid("messages", "must declare at least one message")
  const requests = new Set<string>()
  const members: Array<Schema.Top> = []
  const shape: Array<unknown> = [name, version]
  for (const tag of tags) {
    const spec = (messages as Record<string, unknown>)[tag]
    if (!isRecord(spec)) throw invalid(tag, "must be an object { payload?, reply? }")
    for (const key of Object.keys(spec)) {
      if (!SPEC_KEYS.includes(key)) throw invalid(`${tag}.${key}`, `is not a message spec field (${SPEC_KEYS.join(", ")})`)
    }
    if (spec.persisted !== undefined && typeof spec.persisted !== "boolean") {
      throw invalid(`${tag}.persisted`, "must be a boolean")
    }
    if (spec.primaryKey !== undefined) {
      if (typeof spec.primaryKey !== "function") throw invalid(`${tag}.primaryKey`, "must be a function of the payload returning a string")
      if (spec.persisted !== true) throw invalid(`${tag}.primaryKey`, "needs persisted: true (only stored messages are de-duplicated)")
    }
    const payload = spec.payload ?? {}
    if (!isRecord(payload)) throw invalid(`${tag}.payload`, "must be a Schema.Struct field map")
    for (const [field, s] of Object.entries(payload)) {
      if (field === "_tag") throw invalid(`${tag}.payload._tag`, "is reserved (the tag is the message's key)")
      if (!Schema.isSchema(s)) throw invalid(`${tag}.payload.${field}`, "must be a Schema")
    }
    const struct = Schema.TaggedStruct(tag, payload as Schema.Struct.Fields)
    members.push(struct)
    let replyShape: unknown = null
    if ("reply" in spec) {
      if (!Schema.isSchema(spec.reply)) throw invalid(`${tag}.reply`, "must be a Schema")
      requests.add(tag)
      replyShape = describe(spec.reply)
    }
    shape.push(spec.persisted === true ? [tag, describe(struct), replyShape, "persisted", spec.primaryKey !== undefined] : [tag, describe(struct), replyShape])
  }
  shape.push(describe(errors))
  return {
    [ProtocolTypeId]: ProtocolTypeId,
    name,
    version,
    hash: fnv1a(JSON.stringify(shape)),
    specs: messages,
    errors,
    tags,
    requests,
    schema: Schema.Union(members)
  }
}

/**
 * `true` for a value made by {@link make}.
 *
 * @category declarations
 * @since 0.1.0
 */
export const isProtocol = (u: unknown): u is Protocol => isRecord(u) && u[ProtocolTypeId] === ProtocolTypeId

const describe = (schema: Schema.Top): unknown => {
  try {
    return Schema.toJsonSchemaDocument(schema)
  } catch {
    return String(schema.ast)
  }
}

/** 64-bit FNV-1a (two 32-bit halves), hex. */
const fnv1a = (text: string): string => {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0
    h2 = Math.imul(h2 ^ c, 0x85ebca6b) >>> 0
  }
  return h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0")
}

// -----------------------------------------------------------------------------------------
// codecs
// -----------------------------------------------------------------------------------------

/**
 * The JSON form of an exit reason.
 *
 * The JSON form of an exit reason: the tag, and for `Failure` the encoded cause (typed errors
 * through the protocol's `errors` schema, defects as `name` / `message` / `stack`), for
 * `Shutdown` its payload when it is JSON.
 *
 * @category codecs
 * @since 0.1.0
 */
export type EncodedExitReason =
  | { readonly _tag: "Normal" }
  | { readonly _tag: "Killed" }
  | { readonly _tag: "Shutdown"; readonly payload?: unknown }
  | { readonly _tag: "Failure"; readonly cause: unknown }

/**
 * The JSON codecs of a protocol (cached per protocol).
 *
 * Every function returns an `Exit`: a value that does not match fails with {@link ProtocolError},
 * never throws.
 *
 * @category codecs
 * @since 0.1.0
 */
export interface Codec {
  /** Encodes a message (`{ _tag, ...payload }`) to JSON. */
  readonly encodeMessage: (msg: unknown) => Exit.Exit<unknown, ProtocolError>
  /** Decodes a message from JSON. */
  readonly decodeMessage: (json: unknown) => Exit.Exit<unknown, ProtocolError>
  /** Encodes the reply to the request with tag `tag`. */
  readonly encodeReply: (tag: string, reply: unknown) => Exit.Exit<unknown, ProtocolError>
  /** Decodes the reply to the request with tag `tag`. */
  readonly decodeReply: (tag: string, json: unknown) => Exit.Exit<unknown, ProtocolError>
  /** Encodes a cause: typed errors through `errors`, the rest as defects. */
  readonly encodeCause: (cause: Cause.Cause<unknown>) => unknown
  /** Decodes a cause; an undecodable one becomes a defect carrying a {@link ProtocolError}. */
  readonly decodeCause: (json: unknown) => Cause.Cause<unknown>
  /** Encodes an exit reason. */
  readonly encodeExitReason: (reason: ExitReason.ExitReason) => EncodedExitReason
  /** Decodes an exit reason. */
  readonly decodeExitReason: (json: unknown) => ExitReason.ExitReason
}

const codecs = new WeakMap<Protocol<any, any, any>, Codec>()

/**
 * The JSON codecs of `protocol`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codec = (protocol: Protocol<any, any, any>): Codec => {
  const cached = codecs.get(protocol)
  if (cached !== undefined) return cached
  const json = <S extends Schema.Top>(s: S) => Schema.toCodecJson(s) as unknown as Schema.Codec<unknown, unknown>
  const message = json(protocol.schema)
  const encodeMessageSchema = Schema.encodeUnknownExit(message)
  const decodeMessageSchema = Schema.decodeUnknownExit(message)
  const replies = new Map<string, {
    readonly encode: (u: unknown) => Exit.Exit<unknown, Schema.SchemaError>
    readonly decode: (u: unknown) => Exit.Exit<unknown, Schema.SchemaError>
  }>()
  for (const tag of protocol.requests) {
    const reply = json((protocol.specs[tag] as MessageSpec).reply!)
    replies.set(tag, { encode: Schema.encodeUnknownExit(reply), decode: Schema.decodeUnknownExit(reply) })
  }
  // protocol violations cross as themselves, beside the protocol's own typed errors
  const errorSchema = Schema.Union([protocol.errors, ProtocolError])
  const cause = json(Schema.Cause(errorSchema, Schema.Defect({ includeStack: true })))
  const encodeCauseSchema = Schema.encodeUnknownExit(cause)
  const decodeCauseSchema = Schema.decodeUnknownExit(cause)
  const encodeError = Schema.encodeUnknownExit(json(errorSchema))
  const mapError = (what: string) => (exit: Exit.Exit<unknown, Schema.SchemaError>): Exit.Exit<unknown, ProtocolError> =>
    Exit.isSuccess(exit) ? Exit.succeed(exit.value) : Exit.fail(
      new ProtocolError({ protocol: protocol.name, what, issue: Cause.pretty(exit.cause) })
    )
  const tagOf = (msg: unknown) => isRecord(msg) && typeof msg._tag === "string" ? msg._tag : String(msg)
  const encodeCause = (c: Cause.Cause<unknown>): unknown => {
    // typed errors that the `errors` schema does not describe cross as defects
    const reasons = c.reasons.map((r) => {
      if (!Cause.isFailReason(r)) return r
      return Exit.isSuccess(encodeError(r.error)) ? r : Cause.makeDieReason(r.error)
    })
    const exit = encodeCauseSchema(Cause.fromReasons(reasons))
    if (Exit.isSuccess(exit)) return exit.value
    return [{ _tag: "Die", defect: { name: "Error", message: Cause.pretty(c) } }]
  }
  const decodeCause = (j: unknown): Cause.Cause<unknown> => {
    const exit = decodeCauseSchema(j)
    if (Exit.isSuccess(exit)) return exit.value as Cause.Cause<unknown>
    return Cause.die(new ProtocolError({ protocol: protocol.name, what: "a cause", issue: Cause.pretty(exit.cause) }))
  }
  const result: Codec = {
    encodeMessage: (msg) => mapError(`message ${tagOf(msg)}`)(encodeMessageSchema(msg)),
    decodeMessage: (j) => mapError(`message ${tagOf(j)}`)(decodeMessageSchema(j)),
    encodeReply: (tag, reply) => {
      const r = replies.get(tag)
      if (r === undefined) return Exit.fail(new ProtocolError({ protocol: protocol.name, what: `reply to ${tag}`, issue: `${tag} is not a request` }))
      return mapError(`reply to ${tag}`)(r.encode(reply))
    },
    decodeReply: (tag, j) => {
      const r = replies.get(tag)
      if (r === undefined) return Exit.fail(new ProtocolError({ protocol: protocol.name, what: `reply to ${tag}`, issue: `${tag} is not a request` }))
      return mapError(`reply to ${tag}`)(r.decode(j))
    },
    encodeCause,
    decodeCause,
    encodeExitReason: (reason) => {
      switch (reason._tag) {
        case "Normal":
        case "Killed":
          return { _tag: reason._tag }
        case "Shutdown": {
          if (!("payload" in reason)) return { _tag: "Shutdown" }
          let payload: unknown
          try {
            payload = JSON.parse(JSON.stringify(reason.payload) ?? "null")
          } catch {
            payload = String(reason.payload)
          }
          return { _tag: "Shutdown", payload }
        }
        case "Failure":
          return { _tag: "Failure", cause: encodeCause(reason.cause) }
      }
    },
    decodeExitReason: (j) => {
      const tag = isRecord(j) ? j._tag : undefined
      switch (tag) {
        case "Normal":
          return ExitReason.normal
        case "Killed":
          return ExitReason.killed
        case "Shutdown":
          return "payload" in (j as object) ? ExitReason.shutdown((j as { payload: unknown }).payload) : ExitReason.shutdown()
        case "Failure":
          return ExitReason.failure(decodeCause((j as { cause: unknown }).cause))
        default:
          return ExitReason.die(
            new ProtocolError({ protocol: protocol.name, what: "an exit reason", issue: `unknown tag ${String(tag)}` })
          )
      }
    }
  }
  codecs.set(protocol, result)
  return result
}
