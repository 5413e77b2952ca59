/**
 * The Erlang/OTP baseline: `bench/erlang/bench_erl.erl`, compiled with `erlc` once per run and
 * run in its own VM per (workload, round), like a Node worker. The VM runs with one scheduler
 * (`+S 1`), so it competes on the same single core a Node process uses. When `erl`/`erlc` are
 * not on PATH the runner skips the implementation with a printed note.
 */
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { RESULT_PREFIX } from "./types.ts"
import type { WorkloadId } from "./types.ts"

const sourceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "erlang")

/** The scheduler flags the VM runs with (shown in the report). */
export const erlangFlags: ReadonlyArray<string> = ["+S", "1"]

/** `erl`'s OTP release (e.g. "25"), or `undefined` when Erlang is not installed. */
export const erlangRelease = (): string | undefined => {
  try {
    // `erlc` has no exit-0 probe (`erlc -help` exits 1); compileErlang reports it missing
    return execFileSync("erl", ["-noshell", "-eval", "io:put_chars(erlang:system_info(otp_release)), halt()."], { encoding: "utf8", timeout: 30_000 }).trim()
  } catch {
    return undefined
  }
}

/** Compiles the Erlang workloads into `outDir`; returns it. */
export const compileErlang = (outDir: string): string => {
  fs.mkdirSync(outDir, { recursive: true })
  const sources = fs.readdirSync(sourceDir).filter((f) => f.endsWith(".erl")).map((f) => path.join(sourceDir, f))
  execFileSync("erlc", ["-o", outDir, ...sources], { stdio: ["ignore", "ignore", "pipe"] })
  return outDir
}

export interface ErlangRun {
  /** The `@@RESULT` line's JSON, or undefined when the VM printed none. */
  readonly result: unknown
  readonly stderr: string
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** Runs one pass of `workload` (after a warm-up of `warmup` units) in a fresh VM. */
export const runErlang = (ebin: string, workload: WorkloadId, size: number, warmup: number, timeoutMs: number): Promise<ErlangRun> =>
  new Promise((resolve) => {
    const child = spawn("erl", ["-noshell", ...erlangFlags, "-pa", ebin, "-run", "bench_erl", "main", workload, String(size), String(warmup)], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    child.stdout.on("data", (d: Buffer) => (out += d.toString()))
    child.stderr.on("data", (d: Buffer) => (err += d.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const line = out.split("\n").find((l) => l.startsWith(RESULT_PREFIX))
      resolve({ result: line === undefined ? undefined : JSON.parse(line.slice(RESULT_PREFIX.length)), stderr: err, code, signal })
    })
  })
