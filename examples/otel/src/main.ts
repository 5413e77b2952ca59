/**
 * `pnpm --filter @arbor/example-otel start`: runs the traced shop (see `demo.ts`), prints each
 * request's answer, then the traces of the three requests as the OpenTelemetry SDK exported
 * them.
 */
import { SpanKind } from "@opentelemetry/api"
import { Effect } from "effect"
import { runDemo } from "./demo.ts"
import { traceTrees } from "./tree.ts"

const { answers, spans } = await Effect.runPromise(runDemo)
for (const answer of answers) console.log(answer)
// the requests' traces (the demo's own bookkeeping asks are traces of their own)
const requests = new Set(spans.filter((s) => s.kind === SpanKind.SERVER).map((s) => s.spanContext().traceId))
console.log(`\n${spans.length} spans exported; the requests' traces:\n`)
console.log(traceTrees(spans.filter((s) => requests.has(s.spanContext().traceId))))
