#!/usr/bin/env node
// Bundles every action (actions/<name>/src/index.ts → actions/<name>/dist/) and the CLI (cli/src/index.ts →
// cli/dist/) with ncc in ESM mode. `node scripts/build.mjs report` builds only the named bundles.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const targets = [
  ...readdirSync(path.join(root, 'actions'))
    .filter((n) => existsSync(path.join(root, 'actions', n, 'src', 'index.ts')))
    .map((n) => ({ name: n, dir: path.join('actions', n) })),
  { name: 'cli', dir: 'cli' },
]
// bundles that validate data also carry the scan worker threads' script (dist/scan-worker.js)
const withScanWorker = new Set(['validate-data', 'cli'])
const ncc = (entry, out) =>
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
      'build',
      entry,
      '-o',
      out,
      '--license',
      'licenses.txt',
      '--minify',
      '--quiet',
    ],
    { cwd: root, stdio: 'inherit' },
  )
const only = process.argv.slice(2)
for (const t of targets.filter((t) => only.length === 0 || only.includes(t.name))) {
  const out = path.join(root, t.dir, 'dist')
  rmSync(out, { recursive: true, force: true })
  const started = Date.now()
  ncc(path.join(t.dir, 'src/index.ts'), out)
  if (withScanWorker.has(t.name)) {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'scan-worker-'))
    ncc('shared/validate/scan-worker.ts', tmp)
    renameSync(path.join(tmp, 'index.js'), path.join(out, 'scan-worker.js'))
    rmSync(tmp, { recursive: true, force: true })
  }
  console.log(`built ${t.dir}/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
