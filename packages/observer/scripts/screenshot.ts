/**
 * Takes the observer screenshot the README and docs/observability.md show: runs the chaos demo
 * with `--observe` (`pnpm demo --observe --observe-port 0 --no-live`), opens the page in
 * headless chromium once the demo has run `--after` seconds (default 6) and writes
 * `docs/observer.png`.
 *
 * `pnpm --filter @arbor/observer screenshot [--seed 42] [--after 6]`
 */
import { execFileSync, spawn } from "node:child_process"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { chromium } from "playwright-core"

const { values } = parseArgs({ options: { seed: { type: "string" }, after: { type: "string" } }, strict: true })
const seed = values.seed ?? "42"
const after = Number(values.after ?? 6)
const root = join(import.meta.dirname, "..", "..", "..")
const out = join(root, "docs", "observer.png")

const demo = spawn("pnpm", ["demo", "--observe", "--observe-port", "0", "--no-live", "--seed", seed, "--seconds", String(after + 6)], {
  cwd: root,
  stdio: ["ignore", "pipe", "inherit"]
})
const url = await new Promise<string>((resolve, reject) => {
  let text = ""
  demo.stdout!.on("data", (chunk: Buffer) => {
    text += chunk.toString()
    const m = /observer: (http:\/\/\S+)/.exec(text)
    if (m) resolve(m[1]!)
  })
  demo.on("exit", (code) => reject(new Error(`the demo exited (${code}) before the observer listened`)))
})
const executablePath = execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim()
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
})
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 760 }, deviceScaleFactor: 1 })
  await page.goto(url)
  await page.waitForSelector("#tree tr")
  await page.waitForTimeout(after * 1000)
  await page.screenshot({ path: out })
  console.log(`wrote ${out}`)
} finally {
  await browser.close()
  demo.kill()
}
