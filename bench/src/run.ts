/**
 * `pnpm bench`: runs the workloads of issues #6 and #13, each (workload, implementation) pair in
 * a fresh process (`node --expose-gc` for the Node implementations, an Erlang/OTP VM for the
 * `erlang` baseline when `erl` is on PATH) with a warm-up pass, for several rounds; prints the
 * results table, the targets and the verdict computed from them, writes the raw rows to
 * `bench/results/*.json` and all of it to `docs/benchmarks.md`.
 *
 * Flags (`pnpm bench --help`; a wrong flag or value is reported with the usage, exit code 2):
 *   --only W1,W2,...   run a subset of workloads (W1–W6, W5c = W5 cold, M = 1e6 idle Arbor actors,
 *                      H = a worker actor's hang → watchdog → restart)
 *   (worker actors: `--impl arbor:worker` rows in W1, W2, W4, W5 and H; `bench:workers` runs just those
 *   beside the in-process `arbor` rows)
 *   --impl a,b         run a subset of implementations (plain, effect, nact, xstate, erlang, arbor, arbor:unsafe, …)
 *   --rounds N         rounds per workload (default 5; M always runs once)
 *   --scale X          multiply every size by X (e.g. 0.1 for a quick look)
 *   --warmup X         warm-up pass size as a fraction of the size (default 0.1; W5 1.5; W5c and M none)
 *   --timeout S        kill a worker after S seconds (default 300)
 *   --profile          run workers under `--cpu-prof` and print each profile's top frames
 *   --docs / --no-docs force / suppress writing docs/benchmarks.md (default: only on a full run)
 */
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { parseArgs } from "node:util"
import { formatFrames, topFrames } from "./profile.ts"
import { compileErlang, erlangFlags, erlangRelease, runErlang } from "./erlang.ts"
import { problems, resultsTable, specs, standing, summarize, targetsTable, workerTable } from "./report.ts"
import type { Row } from "./report.ts"
import { takeSnapshot } from "./snapshot.ts"
import { allImpls, allWorkloads, implementations, matrix, reducedSize, singleRound, warmups } from "./suites.ts"
import { defaultSizes, RESULT_PREFIX } from "./types.ts"
import type { ImplId, Sample, WorkloadId } from "./types.ts"

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const repoDir = path.resolve(benchDir, "..")
const workerFile = path.join(benchDir, "dist", "worker.js")
const hooksFile = path.join(benchDir, "dist", "snapshot-hooks.js")
const snapshotDir = path.join(benchDir, "dist", "snapshot")
const erlangDir = path.join(benchDir, "dist", "erlang")
const resultsDir = path.join(benchDir, "results")
const docsFile = path.join(repoDir, "docs", "benchmarks.md")

const usage = `usage: pnpm bench [--only W1,W2,…] [--impl a,b,…] [--rounds N] [--scale X] [--warmup X] [--timeout S] [--profile] [--docs | --no-docs]
  --only      workloads: ${allWorkloads.join(", ")}
  --impl      implementations: ${allImpls.join(", ")}
  --rounds    rounds per workload, a whole number ≥ 1 (default 5; M always runs once)
  --scale     multiply every size by X > 0 (e.g. 0.1 for a quick look)
  --warmup    warm-up pass size as a fraction of the size, ≥ 0 (default 0.1; W5 1.5, W5c none)
  --timeout   kill a worker after S > 0 seconds (default 300)
  --profile   run workers under --cpu-prof and print each profile's top frames
  --docs / --no-docs   force / suppress writing docs/benchmarks.md (default: only on a full run)
  --help      this text`

const options = {
  only: { type: "string" },
  impl: { type: "string" },
  rounds: { type: "string", default: "5" },
  scale: { type: "string", default: "1" },
  warmup: { type: "string", default: "0.1" },
  timeout: { type: "string", default: "300" },
  profile: { type: "boolean", default: false },
  docs: { type: "boolean" },
  "no-docs": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false }
} as const

/** Says what is wrong with the command line, prints the usage and exits 2 (before any worker runs). */
const usageError = (problem: string): never => {
  process.stderr.write(`${problem}\n${usage}\n`)
  process.exit(2)
}

/** `parseArgs`'s error, said plainly: the flag at fault and, for an unknown one, the valid flags. */
const argumentProblem = (e: unknown): string => {
  const error = e as { code?: string; message?: string }
  const quoted = /'([^']+)'/.exec(error.message ?? "")?.[1]
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown flag ${quoted}; valid flags: ${Object.keys(options).map((k) => `--${k}`).join(", ")}`
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const flag = quoted?.split(" ")[0]
      if (error.message?.includes("does not take an argument")) return `${flag} takes no value`
      if (error.message?.includes("ambiguous")) return `${flag} needs a value (one starting with "-" is written ${flag}=-…)`
      return `${flag} needs a value`
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${quoted} (every argument is a --flag)`
    default:
      return String(error.message ?? e)
  }
}

const argv = process.argv.slice(2)
let parsed: ReturnType<typeof parseArgs<{ options: typeof options }>>["values"] | undefined
try {
  parsed = parseArgs({ args: argv[0] === "--" ? argv.slice(1) : argv, options, strict: true, allowPositionals: false }).values
} catch (e) {
  usageError(argumentProblem(e))
}
const flags = parsed!
if (flags.help) {
  process.stdout.write(usage + "\n")
  process.exit(0)
}

/** A numeric flag: finite, an integer when `whole`, ≥ `min` (> `min` when `above`). */
const numberFlag = (name: "rounds" | "scale" | "warmup" | "timeout", rule: { whole: boolean; min: number; above: boolean }): number => {
  const raw = flags[name]
  const n = Number(raw)
  const ok = raw.trim() !== "" && Number.isFinite(n) && (!rule.whole || Number.isInteger(n)) && (rule.above ? n > rule.min : n >= rule.min)
  if (!ok) usageError(`--${name} needs ${rule.whole ? "a whole number" : "a number"} ${rule.above ? ">" : "≥"} ${rule.min} (got ${JSON.stringify(raw)})`)
  return n
}

const listFlag = <T extends string>(name: "only" | "impl", known: ReadonlyArray<T>, what: string, normalize: (s: string) => string): Array<T> | undefined => {
  const raw = flags[name]
  if (raw === undefined) return undefined
  const items = raw.split(",").map((x) => normalize(x.trim())).filter((x) => x !== "")
  for (const x of items) if (!known.includes(x as T)) usageError(`--${name}: unknown ${what} ${x} (known: ${known.join(", ")})`)
  if (items.length === 0) usageError(`--${name} needs at least one ${what}`)
  return items as Array<T>
}

const workloads = listFlag("only", allWorkloads, "workload", (s) => s.toUpperCase().replace(/C$/, "c")) ?? allWorkloads
const implFilter = listFlag("impl", allImpls, "implementation", (s) => s)
const rounds = numberFlag("rounds", { whole: true, min: 1, above: false })
const scale = numberFlag("scale", { whole: false, min: 0, above: true })
const warmupFraction = numberFlag("warmup", { whole: false, min: 0, above: false })
const timeoutMs = numberFlag("timeout", { whole: false, min: 0, above: true }) * 1000
const fullRun = flags.only === undefined && flags.impl === undefined && scale === 1
const writeDocs = flags["no-docs"] ? false : flags.docs ?? fullRun

const sizeOf = (w: WorkloadId) => Math.max(1, Math.round(defaultSizes[w] * scale))
const warmupOf = (w: WorkloadId) => warmups[w](sizeOf(w), warmupFraction)

const profileDir = path.join(resultsDir, "prof", new Date().toISOString().replace(/[:.]/g, "-"))

interface WorkerResult {
  readonly sample?: Sample
  readonly pending?: string
  readonly notApplicable?: boolean
  readonly error?: string
}

const runNodeWorker = (w: WorkloadId, impl: ImplId, size: number, warmup: number): Promise<WorkerResult & { wallMs: number }> =>
  new Promise((resolve) => {
    const t0 = performance.now()
    const nodeFlags = ["--expose-gc", "--import", pathToFileURL(hooksFile).href]
    // one directory per worker, default file names: the module-hooks thread (`--import`) writes a
    // profile of its own, which a fixed `--cpu-prof-name` made overwrite the main thread's
    if (flags.profile) nodeFlags.push("--cpu-prof", `--cpu-prof-dir=${path.join(profileDir, `${w}-${impl.replace(/:/g, "_")}-${Date.now()}`)}`)
    const child = spawn(process.execPath, [...nodeFlags, workerFile, w, impl, String(size), String(warmup)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ARBOR_BENCH_SNAPSHOT: snapshotDir }
    })
    let out = ""
    let err = ""
    child.stdout.on("data", (d: Buffer) => (out += d.toString()))
    child.stderr.on("data", (d: Buffer) => (err += d.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const wallMs = performance.now() - t0
      const line = out.split("\n").find((l) => l.startsWith(RESULT_PREFIX))
      if (line !== undefined) return resolve({ ...(JSON.parse(line.slice(RESULT_PREFIX.length)) as WorkerResult), wallMs })
      const why = signal === "SIGKILL" ? `timed out after ${timeoutMs / 1000} s` : `exited with ${code ?? signal}`
      resolve({ error: `${why}: ${err.trim().split("\n").slice(-5).join(" | ")}`, wallMs })
    })
  })

const runErlangWorker = async (w: WorkloadId, size: number, warmup: number): Promise<WorkerResult & { wallMs: number }> => {
  const t0 = performance.now()
  const r = await runErlang(erlangDir, w, size, warmup, timeoutMs)
  const wallMs = performance.now() - t0
  if (r.result !== undefined) return { ...(r.result as WorkerResult), wallMs }
  const why = r.signal === "SIGKILL" ? `timed out after ${timeoutMs / 1000} s` : `exited with ${r.code ?? r.signal}`
  return { error: `${why}: ${r.stderr.trim().split("\n").slice(-5).join(" | ")}`, wallMs }
}

/** One measured pass of `impl` on `w`, in the process its runtime needs. */
const runWorker = (w: WorkloadId, impl: ImplId, size: number, warmup: number) =>
  implementations[impl].runtime === "erlang" ? runErlangWorker(w, size, warmup) : runNodeWorker(w, impl, size, warmup)

const machine = () => {
  const cpus = os.cpus()
  const version = (name: string) => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(benchDir, "node_modules", name, "package.json"), "utf8")) as { version: string }).version
    } catch {
      return "?"
    }
  }
  let revision = "?"
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoDir, encoding: "utf8" }).trim()
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "packages/core/src", "packages/supervisor/src", "packages/registry/src", "packages/worker/src"], { cwd: repoDir, encoding: "utf8" }).trim()
    revision = dirty === "" ? head : `${head} + uncommitted changes in packages/*/src`
  } catch {
    // not a git checkout
  }
  return {
    revision,
    cpu: `${cpus[0]?.model ?? "?"} × ${cpus.length}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    versions: {
      "@arbor/core": version("@arbor/core"),
      effect: version("effect"),
      nact: version("nact"),
      xstate: version("xstate")
    }
  }
}

const log = (s: string) => process.stderr.write(s + "\n")

const describe = (w: WorkloadId, r: WorkerResult): string => {
  if (r.sample !== undefined) {
    const s = r.sample
    const ok = s.count === s.expected ? "" : ` BROKEN (count ${s.count} ≠ ${s.expected})`
    const extra = s.rssPerActor !== undefined ? `, ${Math.round(s.heapPerActor ?? 0)} B heap + ${(s.rssPerActor / 2 ** 20).toFixed(1)} MiB RSS/actor` : s.heapPerActor !== undefined ? `, ${Math.round(s.heapPerActor)} B/actor` : s.firstUs !== undefined ? `, last/first ${(s.lastUs! / s.firstUs).toFixed(2)}, last/mid ${(s.lastUs! / s.midUs!).toFixed(2)}` : ""
    return `${specs[w].metric(s).toFixed(2)} ${specs[w].unit}${extra}${ok}`
  }
  if (r.pending !== undefined) return `pending (${r.pending})`
  if (r.notApplicable) return "n/a"
  return `ERROR ${r.error}`
}

const main = async () => {
  const startedAt = new Date()
  const t0 = performance.now()
  const pinned = takeSnapshot(repoDir, snapshotDir)
  const wantsErlang = workloads.some((w) => matrix[w].some((i) => implementations[i].runtime === "erlang" && (implFilter === undefined || implFilter.includes(i))))
  const otp = wantsErlang ? erlangRelease() : undefined
  if (otp !== undefined) compileErlang(erlangDir)
  const info = { ...machine(), erlang: otp === undefined ? "not installed" : `OTP ${otp} (erl ${erlangFlags.join(" ")})` }
  const rows: Array<Row> = []
  log(`bench: ${workloads.join(",")}; ${rounds} round(s); scale ${scale}; node ${process.version}; Arbor ${info.revision} (pinned: ${pinned.join(", ")})`)
  if (wantsErlang && otp === undefined) log("bench: note — erl/erlc not on PATH: the Erlang/OTP baseline is skipped (apt-get install erlang-nox to include it)")
  for (const w of workloads) {
    const impls = matrix[w]
      .filter((i) => implFilter === undefined || implFilter.includes(i))
      .filter((i) => implementations[i].runtime !== "erlang" || otp !== undefined)
    const size = sizeOf(w)
    const warmup = warmupOf(w)
    const skip = new Set<ImplId>()
    const nRounds = singleRound.has(w) ? 1 : rounds
    for (let round = 1; round <= nRounds; round++) {
      // rotate the order every round so no implementation always runs first or last
      const order = impls.map((_, k) => impls[(k + round - 1) % impls.length]!)
      for (const impl of order) {
        if (skip.has(impl)) continue
        const k = reducedSize[`${impl}/${w}`] ?? 1
        const n = Math.max(1, Math.round(size * k))
        const nWarmup = warmup === 0 ? 0 : Math.max(1, Math.round(warmup * k))
        const r = await runWorker(w, impl, n, nWarmup)
        if (r.notApplicable) continue
        if (r.pending !== undefined) skip.add(impl)
        rows.push({ workload: w, impl, round, size: n, warmup: nWarmup, wallMs: r.wallMs, ...(r.sample ? { sample: r.sample } : {}), ...(r.pending ? { pending: r.pending } : {}), ...(r.error ? { error: r.error } : {}) })
        log(`  ${w} r${round}/${nRounds} ${impl.padEnd(18)} ${describe(w, r)}  [${(r.wallMs / 1000).toFixed(1)} s]`)
      }
    }
  }
  const durationS = (performance.now() - t0) / 1000
  const summaries = summarize(rows)
  const results = resultsTable(summaries)
  const goals = targetsTable(summaries)
  const verdict = standing(summaries)
  const issues = problems(summaries)
  const workers = workerTable(summaries)

  const header = [
    `Machine: ${info.cpu}, ${info.memory}, ${info.os}; Node ${info.node}.`,
    `Versions: ${Object.entries(info.versions).map(([k, v]) => `${k} ${v}`).join(", ")}; Erlang ${info.erlang}; Arbor at ${info.revision}.`,
    `Run: ${startedAt.toISOString()}, ${rounds} round(s)${scale !== 1 ? `, scale ${scale}` : ""}, ${durationS.toFixed(0)} s in all.`
  ].join("\n")
  const text = [
    header,
    "",
    "Cells: median over rounds (min–max). Ratios: Arbor's time per unit of work ÷ the baseline's, computed",
    "within each round, then the median (min–max) over rounds; > 1 means Arbor is slower.",
    "",
    results,
    "",
    goals,
    ...(issues.length > 0 ? ["", ...issues.map((p) => `- ${p}`)] : []),
    ...(workers === ""
      ? []
      : [
        "",
        "### Worker actors beside in-process ones (`@arbor/worker`, computed from the rows above)",
        "",
        "The `arbor:worker` rows run the same behaviour in a `node:worker_threads` thread (reduced sizes, see",
        "the results table). Cells: time per unit of work, median (min–max) over rounds; the last column is the",
        "worker's time ÷ the in-process headline's, computed within each round, then the median.",
        "",
        workers
      ]),
    "",
    "### Where Arbor stands (computed from the tables above)",
    "",
    verdict
  ].join("\n")
  process.stdout.write("\n" + text + "\n")

  fs.mkdirSync(resultsDir, { recursive: true })
  const json = JSON.stringify({ startedAt, durationS, machine: info, flags, rows }, null, 2)
  const jsonFile = path.join(resultsDir, `bench-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`)
  fs.writeFileSync(jsonFile, json)
  fs.writeFileSync(path.join(resultsDir, "latest.json"), json)
  log(`\nraw rows: ${path.relative(repoDir, jsonFile)} (and bench/results/latest.json)`)

  if (writeDocs) {
    writeDocsFile(text)
    log(`tables written to ${path.relative(repoDir, docsFile)}`)
  }
  if (flags.profile && fs.existsSync(profileDir)) {
    for (const f of fs.readdirSync(profileDir).sort()) {
      // the main thread's profile: the largest of the worker's (the hooks thread's is small)
      const dir = path.join(profileDir, f)
      const largest = fs.readdirSync(dir).filter((x) => x.endsWith(".cpuprofile"))
        .map((x) => ({ x, size: fs.statSync(path.join(dir, x)).size })).sort((a, b) => b.size - a.size)[0]
      if (largest === undefined) continue
      const file = path.join(dir, largest.x)
      log(`\n--- ${f}: by self time\n${formatFrames(topFrames(file, 15))}`)
      log(`--- ${f}: Arbor frames by total time\n${formatFrames(topFrames(file, 15, { by: "total", match: "packages/" }))}`)
    }
  }
}

const BEGIN = "<!-- bench:results:begin (generated by `pnpm bench`; edit outside these markers) -->"
const END = "<!-- bench:results:end -->"

const writeDocsFile = (generated: string) => {
  const block = `${BEGIN}\n${generated}\n${END}`
  let doc: string
  if (fs.existsSync(docsFile)) {
    const current = fs.readFileSync(docsFile, "utf8")
    const i = current.indexOf(BEGIN)
    const j = current.indexOf(END)
    doc = i >= 0 && j > i ? current.slice(0, i) + block + current.slice(j + END.length) : current.trimEnd() + "\n\n" + block + "\n"
  } else {
    doc = `# Benchmarks\n\nRun with \`pnpm bench\`.\n\n## Results\n\n${block}\n`
  }
  fs.mkdirSync(path.dirname(docsFile), { recursive: true })
  fs.writeFileSync(docsFile, doc)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
