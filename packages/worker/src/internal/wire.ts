/**
 * The messages between the proxy (parent thread) and the runner (worker thread). Payloads are
 * the protocol's JSON encodings; the envelopes are plain objects (structured clone).
 *
 * @internal
 */
import type { EncodedExitReason } from "../Protocol.ts"

/** What the bootstrap receives in `workerData["~arbor"]`. */
export interface Boot {
  /** URL of the runner module (this package's `internal/runner`). */
  readonly runner: string
  /** URL of tsx's ESM API when a module is TypeScript, to register in the thread first. */
  readonly tsx: string | undefined
  /** URL of the module that exports the definition. */
  readonly module: string
  /** The export's name. */
  readonly export: string
  /** The protocol hash the parent speaks. */
  readonly hash: string
  /** The proxy's label, for the thread's actor. */
  readonly label: string | undefined
}

/** Parent → thread. */
export type ToThread =
  | { readonly t: "tell"; readonly seq: number; readonly msg: unknown }
  | { readonly t: "ask"; readonly seq: number; readonly msg: unknown }
  | { readonly t: "ping" }
  | { readonly t: "stop"; readonly reason: EncodedExitReason }

/** Thread → parent. `ack`: every message with a lower or equal seq was taken by the actor or reported dead. */
export type ToParent =
  | { readonly t: "ready"; readonly hash: string }
  | { readonly t: "start-failed"; readonly detail: string; readonly cause?: unknown }
  | { readonly t: "reply"; readonly seq: number; readonly value: unknown; readonly ack: number }
  | { readonly t: "pong"; readonly ack: number }
  | { readonly t: "dead"; readonly seq: number; readonly reason: string }
  | { readonly t: "exited"; readonly reason: EncodedExitReason; readonly ack: number }

/** The worker's bootstrap (an eval'd CommonJS script): registers tsx if asked, loads the runner, runs it. */
export const bootstrap = `
const { workerData, parentPort } = require("node:worker_threads");
(async () => {
  const boot = workerData["~arbor"];
  if (boot.tsx !== undefined) (await import(boot.tsx)).register();
  const runner = await import(boot.runner);
  await runner.run(boot, parentPort);
})().catch((e) => {
  parentPort.postMessage({ t: "start-failed", detail: String((e && e.stack) || e) });
});
`
