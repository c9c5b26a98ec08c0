#!/usr/bin/env node
// Start-up of every action bundle: the time from spawning `node actions/<name>/dist/index.js` to its first
// line on stdout, beside `node -e 0` (spawn to exit) measured in the same run. Median of N runs each.
// Goal (foundation issue): within 100 ms of `node -e 0` for actions that use neither artifacts nor cache.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const runs = Number(process.env.BENCH_RUNS ?? 15)
const dir = mkdtempSync(path.join(tmpdir(), 'bench-startup-'))
for (const f of ['output', 'summary', 'state', 'env']) writeFileSync(path.join(dir, f), '')
const env = {
  PATH: process.env.PATH,
  GITHUB_OUTPUT: path.join(dir, 'output'),
  GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
  GITHUB_STATE: path.join(dir, 'state'),
  GITHUB_ENV: path.join(dir, 'env'),
}

function once(args, untilExit) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] })
    let done = false
    const finish = () => {
      if (done) return
      done = true
      resolve(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    if (!untilExit) child.stdout.once('data', finish)
    child.on('close', () =>
      untilExit ? finish() : done || reject(new Error(`${args.join(' ')} printed nothing`)),
    )
  })
}

async function median(args, untilExit = false) {
  const times = []
  for (let i = 0; i < runs; i++) times.push(await once(args, untilExit))
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

const base = await median(['-e', '0'], true)
const firstLine = await median(['-e', 'console.log(1)'])
const rows = [
  ['node -e 0 (spawn to exit)', base],
  ['node -e "console.log(1)" (to first line)', firstLine],
]
const bundles = readdirSync(path.join(root, 'actions')).filter((n) =>
  existsSync(path.join(root, 'actions', n, 'dist', 'index.js')),
)
for (const name of bundles)
  rows.push([`actions/${name}`, await median([path.join(root, 'actions', name, 'dist', 'index.js')])])
rows.push(['cli (mlops --help)', await median([path.join(root, 'bin', 'mlops.js'), '--help'])])

console.log(`start-up, median of ${runs} runs (ms); goal: within 100 ms of node -e 0\n`)
console.log(`${'what'.padEnd(44)} ${'ms'.padStart(7)} ${'vs node -e 0'.padStart(13)}`)
for (const [name, ms] of rows) {
  console.log(`${name.padEnd(44)} ${ms.toFixed(1).padStart(7)} ${`+${(ms - base).toFixed(1)}`.padStart(13)}`)
}
