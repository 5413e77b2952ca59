/**
 * Prints spans exported by the OpenTelemetry SDK as trees, one per trace: each span's name,
 * kind, the attributes worth reading (`arbor.*`, the HTTP ones) and its status when it failed.
 */
import { SpanKind, SpanStatusCode } from "@opentelemetry/api"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"

const shown = (key: string): boolean =>
  key.startsWith("arbor.") && key !== "arbor.actor.id" || key === "http.response.status_code" || key === "url.query"

const describe = (span: ReadableSpan): string => {
  const kind = span.kind === SpanKind.INTERNAL ? "" : ` [${SpanKind[span.kind]!.toLowerCase()}]`
  const attributes = Object.entries(span.attributes)
    .filter(([key]) => shown(key))
    .map(([key, value]) => `${key}=${typeof value === "string" ? JSON.stringify(value) : String(value)}`)
  const status = span.status.code === SpanStatusCode.ERROR ? `  ERROR ${span.status.message ?? ""}`.trimEnd() : ""
  return `${span.name}${kind}${attributes.length > 0 ? `  ${attributes.join(" ")}` : ""}${status}`
}

const startOf = (span: ReadableSpan): number => span.startTime[0] * 1e9 + span.startTime[1]

/** The spans as trees, one per trace (traces in the order their roots started; children by start time). */
export const traceTrees = (spans: ReadonlyArray<ReadableSpan>): string => {
  const ids = new Set(spans.map((s) => s.spanContext().spanId))
  const children = new Map<string | undefined, Array<ReadableSpan>>()
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId
    const key = parent !== undefined && ids.has(parent) ? parent : undefined
    children.set(key, [...(children.get(key) ?? []), span])
  }
  for (const list of children.values()) list.sort((a, b) => startOf(a) - startOf(b))
  const lines: Array<string> = []
  const walk = (span: ReadableSpan, prefix: string, last: boolean, root: boolean): void => {
    lines.push(root ? describe(span) : `${prefix}${last ? "└─ " : "├─ "}${describe(span)}`)
    const next = root ? "" : `${prefix}${last ? "   " : "│  "}`
    const kids = children.get(span.spanContext().spanId) ?? []
    kids.forEach((kid, i) => walk(kid, next, i === kids.length - 1, false))
  }
  for (const root of children.get(undefined) ?? []) {
    if (lines.length > 0) lines.push("")
    walk(root, "", true, true)
  }
  return lines.join("\n")
}
