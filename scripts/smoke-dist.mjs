#!/usr/bin/env node
// Loads and runs every bundle with no inputs in an empty directory, as the runner would start it. Each must
// finish quickly with exit code 0 or 1 and print its failure as an `::error::` line (a missing input or
// file); a module-loading crash (ERR_REQUIRE_ESM, a missing chunk) shows up as anything else.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const bundles = readdirSync(path.join(root, 'actions'))
  .map((n) => path.join(root, 'actions', n, 'dist', 'index.js'))
  .filter(existsSync)
let failed = 0
for (const bundle of bundles) {
  const dir = mkdtempSync(path.join(tmpdir(), 'smoke-'))
  for (const f of ['output', 'summary', 'env', 'state']) writeFileSync(path.join(dir, f), '')
  const env = {
    PATH: process.env.PATH,
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_ENV: path.join(dir, 'env'),
    GITHUB_STATE: path.join(dir, 'state'),
  }
  const r = spawnSync(process.execPath, [bundle], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 })
  const ok =
    (r.status === 0 || (r.status === 1 && /^::error/m.test(r.stdout))) && !/ERR_|SyntaxError/.test(r.stderr)
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${path.relative(root, bundle)} (exit ${r.status})`)
  if (!ok) {
    failed++
    console.log(r.stdout, r.stderr)
  }
}
const cli = spawnSync(process.execPath, [path.join(root, 'bin/mlops.js'), '--help'], { encoding: 'utf8' })
console.log(`${cli.status === 0 ? 'ok  ' : 'FAIL'} bin/mlops.js --help (exit ${cli.status})`)
if (cli.status !== 0) failed++
if (failed) process.exit(1)
