// Benchmark of validate-data (npm run bench:validate). Never a test: speed is measured here only.
//
// Generates a reproducible 10-column CSV (integer id, 5 floats with 17 significant digits, 2 categoricals of
// ~20 levels one of which contains a comma, a boolean, a 0/1 label, ~1 % nulls) at 1M and 10M rows plus a
// shifted 1M-row reference, under .mlops/bench/ (gitignored; reused when present). Then, in the same run:
//   - the raw-read baseline: Node reading 1 MiB chunks and counting newlines;
//   - validate-data (the committed bundle, as the runner starts it) with every check and the full profile,
//     with its default worker threads (one per core) and with `threads: 1`;
//   - pandas: read_csv + describe() + isna().sum() + value_counts() (Debian python3-pandas, /usr/bin/python3);
//   - drift: KS and PSI on one numeric column, 1M vs 1M values (sorting included).
// Prints throughput (MB/s), wall time and peak RSS. BENCH_ROWS=1000000 limits it to the 1M file; BENCH_ONLY=drift
// runs only the drift part (the 1M file and the reference, no validate-data, pandas or raw read).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { parseNumberText } from '../shared/data/numbers.js'
import { WeightedSample } from '../shared/stats/kll.js'
import { histogramCounts, ks2, psi, sturgesEdges } from '../shared/stats/tests.js'

const root = path.resolve(import.meta.dirname, '..')
const dir = path.join(root, '.mlops/bench')
mkdirSync(dir, { recursive: true })
const driftOnly = process.env.BENCH_ONLY === 'drift'
const sizes = driftOnly ? [1_000_000] : (process.env.BENCH_ROWS ?? '1000000,10000000').split(',').map(Number)

function rng(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const CAT1 = Array.from({ length: 20 }, (_, i) => (i === 7 ? '"region, north"' : `region_${i}`))
const CAT2 = Array.from({ length: 19 }, (_, i) => `plan_${String.fromCharCode(97 + i)}`)

async function generate(file: string, rows: number, seed: number, shift: number): Promise<void> {
  if (existsSync(file)) return
  const t0 = Date.now()
  const r = rng(seed)
  const normal = () => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r())
  const out = createWriteStream(`${file}.tmp`, { highWaterMark: 1 << 22 })
  out.write('id,f1,f2,f3,f4,f5,cat1,cat2,flag,label\n')
  let buf = ''
  for (let i = 1; i <= rows; i++) {
    const f = (k: number) => (r() < 0.01 ? '' : (normal() * (k + 1) + shift + k * 10).toPrecision(17))
    const c1 = r() < 0.01 ? '' : CAT1[Math.floor(r() * CAT1.length)]
    const c2 = CAT2[Math.floor(((r() + r()) / 2) * CAT2.length)]
    buf += `${i},${f(0)},${f(1)},${f(2)},${f(3)},${f(4)},${c1},${c2},${r() < 0.5 ? 'true' : 'false'},${r() < 0.3 + shift / 10 ? 1 : 0}\n`
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain')
      buf = ''
    }
  }
  out.write(buf)
  out.end()
  await once(out, 'finish')
  const { renameSync } = await import('node:fs')
  renameSync(`${file}.tmp`, file)
  console.error(
    `generated ${path.relative(root, file)} (${rows} rows) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  )
}

const SCHEMA = `columns:
  id:    { type: integer, unique: true, min: 1 }
  f1:    { type: number, max_null_fraction: 0.05, min: -1000, max: 1000 }
  f2:    { type: number, max_null_fraction: 0.05, min: -1000, max: 1000 }
  f3:    { type: number, max_null_fraction: 0.05, min: -1000, max: 1000 }
  f4:    { type: number, max_null_fraction: 0.05, min: -1000, max: 1000 }
  f5:    { type: number, max_null_fraction: 0.05, min: -1000, max: 1000 }
  cat1:  { type: category, max_null_fraction: 0.05, values: [${CAT1.join(', ')}] }
  cat2:  { type: category, values: [${CAT2.join(', ')}] }
  flag:  { type: boolean }
  label: { type: integer, values: [0, 1] }
rows: { min: 1000 }
extra_columns: error
`

interface Measure {
  seconds: number
  /** user + system CPU seconds: the machine is shared, so wall time also counts waiting for a core */
  cpu: number
  rssMB: number
}

/** Runs a command; peak RSS from GNU time (-f %M, KiB). */
async function measure(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Measure> {
  const t0 = process.hrtime.bigint()
  const child = spawn('/usr/bin/time', ['-f', 'MAXRSS=%M CPU=%U+%S', cmd, ...args], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let err = ''
  let out = ''
  child.stderr.on('data', (d) => (err += d))
  child.stdout.on('data', (d) => (out += d))
  const [code] = (await once(child, 'close')) as [number]
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  if (code !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${code}\n${out.slice(-2000)}\n${err.slice(-2000)}`)
  const m = /MAXRSS=(\d+) CPU=([\d.]+)\+([\d.]+)/.exec(err)
  return {
    seconds,
    cpu: m ? Number(m[2]) + Number(m[3]) : Number.NaN,
    rssMB: m ? Number(m[1]) / 1024 : Number.NaN,
  }
}

function rawRead(file: string): Measure {
  const t0 = process.hrtime.bigint()
  const c0 = process.cpuUsage()
  const fd = openSync(file, 'r')
  const buf = Buffer.allocUnsafe(1 << 20)
  let lines = 0
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null)
    if (n === 0) break
    let i = buf.indexOf(10, 0)
    while (i >= 0 && i < n) {
      lines++
      i = buf.indexOf(10, i + 1)
    }
  }
  const c = process.cpuUsage(c0)
  if (process.env.BENCH_DEBUG) console.error(`${file}: ${lines} lines`)
  return {
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    cpu: (c.user + c.system) / 1e6,
    rssMB: Number.NaN,
  }
}

const PANDAS = `
import sys, time, resource
import pandas as pd
t = time.time()
df = pd.read_csv(sys.argv[1])
d = df.describe()
n = df.isna().sum()
v = [df[c].value_counts() for c in ("cat1", "cat2", "flag", "label")]
print("rows", len(df), "seconds", round(time.time() - t, 2))
`

/** The f1 column of a file, as numbers (nulls dropped). */
function column(file: string, rows: number): Float64Array {
  const out = new Float64Array(rows)
  let n = 0
  const fd = openSync(file, 'r')
  const buf = Buffer.allocUnsafe(1 << 24)
  let rest = ''
  let header = true
  for (;;) {
    const k = readSync(fd, buf, 0, buf.length, null)
    if (k === 0) break
    const text = rest + buf.toString('latin1', 0, k)
    let start = 0
    for (;;) {
      const nl = text.indexOf('\n', start)
      if (nl < 0) break
      if (header) header = false
      else {
        const a = text.indexOf(',', start) + 1
        const b = text.indexOf(',', a)
        if (b > a) out[n++] = parseNumberText(text, a, b)
      }
      start = nl + 1
    }
    rest = text.slice(start)
  }
  return out.subarray(0, n)
}

const fmt = (x: number, d = 1) => (Number.isNaN(x) ? '—' : x.toFixed(d))
const row = (a: string, b: string, m: Measure, mb: number) => [
  a,
  b,
  fmt(m.seconds, 2),
  fmt(mb / m.seconds, 0),
  fmt(m.cpu, 2),
  fmt(mb / m.cpu, 0),
  fmt(m.rssMB, 0),
]

async function main(): Promise<void> {
  const files = new Map<number, string>()
  for (const n of sizes) {
    const f = path.join(dir, `data-${n}.csv`)
    await generate(f, n, 42, 0)
    files.set(n, f)
  }
  const ref = path.join(dir, 'reference-1000000.csv')
  await generate(ref, 1_000_000, 7, 0.05)
  if (!driftOnly) {
    writeFileSync(path.join(dir, 'schema.yaml'), SCHEMA)
    for (const f of ['output', 'summary', 'state', 'env']) writeFileSync(path.join(dir, f), '')
  }
  const bundle = path.join(root, 'actions/validate-data/dist/index.js')
  const env = (data: string, extra: Record<string, string> = {}) => ({
    INPUT_DATA: data,
    INPUT_SCHEMA: 'schema.yaml',
    'INPUT_FAIL-ON': 'error',
    INPUT_REPORT: 'report.json',
    'INPUT_PROFILE-OUT': 'profile.json',
    INPUT_FORMAT: 'auto',
    INPUT_CONFIG: 'mlops.yaml',
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_STATE: path.join(dir, 'state'),
    GITHUB_ENV: path.join(dir, 'env'),
    GITHUB_WORKSPACE: dir,
    ...extra,
  })

  const threads = Math.min(8, (await import('node:os')).availableParallelism())
  const rows: string[][] = []
  const results = new Map<number, { raw: Measure; vd: Measure; pd?: Measure }>()
  for (const [n, f] of driftOnly ? [] : files) {
    const mb = statSync(f).size / 1e6
    const raw = rawRead(f)
    const vd = await measure(process.execPath, [bundle], env(path.basename(f)))
    const vd1 = await measure(process.execPath, [bundle], env(path.basename(f), { INPUT_THREADS: '1' }))
    let pd: Measure | undefined
    if (existsSync('/usr/bin/python3') && process.env.BENCH_PANDAS !== '0') {
      pd = await measure('/usr/bin/python3', ['-c', PANDAS, f])
    }
    results.set(n, { raw, vd, pd })
    rows.push(row(`${n / 1e6}M rows (${fmt(mb, 0)} MB)`, 'raw read (1 MiB chunks, count newlines)', raw, mb))
    rows.push(row('', `validate-data (all checks + full profile), ${threads} worker threads`, vd, mb))
    rows.push(row('', 'validate-data, threads: 1 (everything on one thread)', vd1, mb))
    if (pd) rows.push(row('', 'pandas read_csv + describe + isna().sum + value_counts', pd, mb))
  }
  // end to end with drift against the shifted reference (1M vs 1M)
  const oneM = files.get(1_000_000)
  if (oneM && !driftOnly) {
    const mb = statSync(oneM).size / 1e6
    const vd = await measure(
      process.execPath,
      [bundle],
      env(path.basename(oneM), { INPUT_REFERENCE: path.basename(ref) }),
    )
    rows.push(
      row(
        '1M vs 1M reference',
        `validate-data + drift (auto: Wasserstein/JS on every column), ${threads} worker threads`,
        vd,
        mb,
      ),
    )
  }

  // drift alone: KS and PSI on one numeric column, 1M vs 1M
  const a = column(ref, 1_000_000)
  const b = column(oneM ?? files.values().next().value!, 1_000_000)
  const d0 = process.hrtime.bigint()
  const sa = WeightedSample.exact(a.slice())
  const sb = WeightedSample.exact(b.slice())
  const ks = ks2(sa, sb)
  const edges = sturgesEdges(
    Math.min(sa.values[0]!, sb.values[0]!),
    Math.max(sa.values.at(-1)!, sb.values.at(-1)!),
    sa.total + sb.total,
  )
  const share = (c: number[], t: number) => c.map((v) => v / t)
  const p = psi(share(histogramCounts(sa, edges), sa.total), share(histogramCounts(sb, edges), sb.total))
  const driftMs = Number(process.hrtime.bigint() - d0) / 1e6

  console.log(
    `\nvalidate-data benchmark (${(await import('node:os')).cpus().length} cores, load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}; wall time includes process start-up)\n`,
  )
  const header = ['dataset', 'what', 'wall s', 'MB/s (wall)', 'CPU s', 'MB/s (CPU)', 'peak RSS MB']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  if (rows.length) {
    console.log(line(header))
    console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`)
    for (const r of rows) console.log(line(r))
  }
  console.log(
    `\ndrift, f1 1M vs 1M values (sort + KS + PSI): ${fmt(driftMs, 0)} ms  (KS D=${ks.statistic.toFixed(4)} p=${ks.pValue?.toExponential(2)}, PSI=${p.toFixed(4)})`,
  )
  const big = results.get(10_000_000)
  const small = results.get(1_000_000)
  if (big && small) {
    const mb10 = statSync(files.get(10_000_000)!).size / 1e6
    console.log(
      `goal ≥ 200 MB/s end to end at 10M: ${fmt(mb10 / big.vd.seconds, 0)} MB/s (wall, ${threads} worker threads)`,
    )
    console.log(`goal peak RSS ≤ 150 MB at 10M: ${fmt(big.vd.rssMB, 0)} MB`)
    console.log(`goal RSS 10M / 1M ≤ 1.3: ${fmt(big.vd.rssMB / small.vd.rssMB, 2)}×`)
    if (big.pd)
      console.log(
        `goal pandas / validate-data ≥ 3 at 10M: ${fmt(big.pd.seconds / big.vd.seconds, 2)}× (wall), ${fmt(big.pd.cpu / big.vd.cpu, 2)}× (CPU)`,
      )
  }
}

await main()
