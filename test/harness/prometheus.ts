import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

/**
 * Starts a real Prometheus (Debian's `prometheus` package) for tests: a free loopback port, its own temp
 * data dir, optional scrape targets, history backfilled with `promtool tsdb create-blocks-from openmetrics`
 * before start, `/-/ready` awaited. Use `prometheusAvailable()` to skip locally; in CI (`CI=true`) a missing
 * binary must fail the tests, which `requirePrometheus()` does.
 *
 * Notes on Prometheus 2.42: a live scrape needs ~5.5 s before the first sample is queryable; backfilled
 * blocks are queryable at once but only blocks present at start-up are loaded, so `backfill()` while
 * running restarts the server (same port, same data).
 */

const run = promisify(execFile)

export interface PrometheusInstance {
  readonly url: string
  readonly port: number
  readonly dir: string
  /** Adds OpenMetrics history (see `openMetrics()`); restarts a running server so it loads the new block. */
  backfill(openmetrics: string): Promise<void>
  /** Stops the server (SIGTERM, then waits); the data dir is kept until `close()`. */
  stop(): Promise<void>
  /** Starts it again on the same port and data dir. */
  start(): Promise<void>
  /** Stops and removes the temp dir. */
  close(): Promise<void>
  /** Prometheus' own log, for assertion messages. */
  log(): string
}

export interface PrometheusStartOptions {
  /** OpenMetrics text to backfill before the first start. */
  readonly history?: string
  /** `host:port` targets scraped every `scrapeInterval` as job `model`. */
  readonly scrapeTargets?: readonly string[]
  readonly scrapeInterval?: string
}

const BIN = process.env.PROMETHEUS_BIN ?? 'prometheus'
const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool'

const onPath = (bin: string) =>
  bin.includes('/')
    ? existsSync(bin)
    : (process.env.PATH ?? '').split(path.delimiter).some((d) => existsSync(path.join(d, bin)))

export function prometheusAvailable(): boolean {
  return onPath(BIN) && onPath(PROMTOOL)
}

/** In CI a missing Prometheus is a failure, never a skip; locally it lets `describe.skipIf` skip. */
export function requirePrometheus(): boolean {
  const ok = prometheusAvailable()
  if (!ok && process.env.CI === 'true')
    throw new Error(
      "prometheus/promtool not on PATH in CI: install Debian's 'prometheus' package (.ci/run does)",
    )
  return ok
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => resolve(port))
    })
  })
}

export interface Sample {
  readonly labels: Readonly<Record<string, string>>
  /** Unix milliseconds. */
  readonly t: number
  readonly v: number
}

/**
 * OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: one metric family, samples sorted by
 * series and time, timestamps in seconds, ending with `# EOF`.
 */
export function openMetrics(
  families: ReadonlyArray<{ name: string; type?: 'gauge' | 'counter'; samples: readonly Sample[] }>,
): string {
  const lines: string[] = []
  for (const f of families) {
    const type = f.type ?? 'gauge'
    lines.push(`# TYPE ${f.name} ${type === 'counter' ? 'counter' : 'gauge'}`)
    const metric = type === 'counter' ? `${f.name}_total` : f.name
    const key = (l: Readonly<Record<string, string>>) =>
      Object.entries(l)
        .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
        .join(',')
    const sorted = [...f.samples].sort((a, b) => key(a.labels).localeCompare(key(b.labels)) || a.t - b.t)
    for (const s of sorted) lines.push(`${metric}{${key(s.labels)}} ${s.v} ${(s.t / 1000).toFixed(3)}`)
  }
  lines.push('# EOF')
  return `${lines.join('\n')}\n`
}

/** Samples every `stepMs` over `[from, to]`, value from `fn(t)`. */
export function series(
  labels: Record<string, string>,
  from: number,
  to: number,
  stepMs: number,
  fn: (t: number) => number,
): Sample[] {
  const out: Sample[] = []
  for (let t = from; t <= to; t += stepMs) out.push({ labels, t, v: fn(t) })
  return out
}

export async function startPrometheus(opts: PrometheusStartOptions = {}): Promise<PrometheusInstance> {
  const dir = await mkdtemp(path.join(tmpdir(), 'prometheus-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const data = path.join(dir, 'data')
  const interval = opts.scrapeInterval ?? '1s'
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    ...(opts.scrapeTargets?.length
      ? [
          'scrape_configs:',
          '  - job_name: model',
          `    scrape_interval: ${interval}`,
          '    static_configs:',
          `      - targets: [${opts.scrapeTargets.map((t) => `'${t}'`).join(', ')}]`,
        ]
      : []),
  ].join('\n')
  await writeFile(path.join(dir, 'prometheus.yml'), `${config}\n`)

  let child: ChildProcess | undefined
  let output = ''
  let blocks = 0

  async function addBlock(text: string) {
    const file = path.join(dir, `backfill-${blocks++}.om`)
    await writeFile(file, text)
    await run(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', file, data])
  }

  async function start() {
    if (child) return
    const p = spawn(
      BIN,
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${data}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        '--storage.tsdb.retention.time=15d',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child = p
    p.stdout?.on('data', (d) => (output += d))
    p.stderr?.on('data', (d) => (output += d))
    const exited = new Promise<never>((_, reject) =>
      p.once('exit', (code) =>
        reject(new Error(`prometheus exited (${code}) before ready:\n${output.slice(-2000)}`)),
      ),
    )
    exited.catch(() => undefined)
    const deadline = Date.now() + 30_000
    for (;;) {
      const ready = await fetch(`${url}/-/ready`)
        .then((r) => r.ok)
        .catch(() => false)
      if (ready) return
      if (p.exitCode !== null) await exited
      if (Date.now() > deadline) throw new Error(`prometheus not ready after 30 s:\n${output.slice(-2000)}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  async function stop() {
    const p = child
    if (!p) return
    child = undefined
    if (p.exitCode !== null) return
    const done = new Promise((r) => p.once('exit', r))
    p.kill('SIGTERM')
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000)
    await done
    clearTimeout(timer)
  }

  if (opts.history) await addBlock(opts.history)
  await start()
  return {
    url,
    port,
    dir,
    async backfill(text) {
      const wasRunning = !!child
      await stop()
      await addBlock(text)
      if (wasRunning) await start()
    },
    stop,
    start,
    async close() {
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
    log: () => output,
  }
}

/** Waits until `promql` returns at least one sample (e.g. after a live scrape's ~5.5 s first delay). */
export async function waitForSample(url: string, promql: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
    const body = (await r.json()) as { data?: { result?: Array<{ value: [number, string] }> } }
    const v = body.data?.result?.[0]?.value?.[1]
    if (v !== undefined) return Number(v)
    if (Date.now() > deadline) throw new Error(`no sample for ${promql} after ${timeoutMs / 1000} s`)
    await new Promise((r) => setTimeout(r, 250))
  }
}
