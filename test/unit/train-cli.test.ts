import { execFile } from 'node:child_process'
import { cp, mkdtemp, readdir, readFile, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')
const exec = promisify(execFile)

/** `mlops train` from the CLI's source, in a copy of the quickstart example. */
async function mlops(cwd: string, ...args: string[]) {
  return exec(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli/src/index.ts'), 'train', ...args], {
    cwd,
    env: { ...process.env, GITHUB_ACTIONS: '', GITHUB_WORKSPACE: '' },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )
}

async function example() {
  const ws = await mkdtemp(path.join(tmpdir(), 'mlops-train-cli-'))
  await cp(path.join(ROOT, 'action-examples/quickstart-node'), ws, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|model|\.mlops)$|metrics\.json$/.test(src),
  })
  await symlink(path.join(ROOT, 'node_modules'), path.join(ws, 'node_modules'))
  return ws
}

describe('mlops train', () => {
  it('trains from mlops.yaml, writing the record, .mlops/artifacts/<run id>/ and .mlops/cache/', async () => {
    const ws = await example()
    const r = await mlops(ws, '--seed', '3', '--cache-paths', 'data', '--cache-key', 'iris-v1')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/trained 50 trees/)
    const [runId] = await readdir(path.join(ws, '.mlops/artifacts'))
    const art = path.join(ws, '.mlops/artifacts', runId!)
    expect((await readdir(art)).sort()).toEqual(['model', 'run-record.json'])
    const rec = JSON.parse(await readFile(path.join(art, 'run-record.json'), 'utf8'))
    expect(rec).toMatchObject({
      id: runId,
      kind: 'train-model',
      status: 'passed',
      model: { name: 'iris-node' },
    })
    expect(rec.result.seed).toBe(3)
    expect(await readFile(path.join(art, 'model/model.json'))).toEqual(
      await readFile(path.join(ws, 'model/model.json')),
    )
    expect(await readdir(path.join(ws, '.mlops/cache'))).toEqual(['iris-v1'])
    expect(await readFile(path.join(ws, `.mlops/records/train-model-${runId}.json`), 'utf8')).toBe(
      await readFile(path.join(art, 'run-record.json'), 'utf8'),
    )
  })

  it('fails with one line naming the flag or input', async () => {
    const ws = await example()
    const bad = await mlops(ws, '--max-duration', 'soon')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/mlops train: Input '--max-duration' is not a duration: 'soon'/)
    const failing = await mlops(ws, '--command', 'exit 4')
    expect(failing.code).toBe(1)
    expect(failing.stderr).toMatch(/mlops train: Input 'command' the command exited with code 4/)
    const [rec] = await readdir(path.join(ws, '.mlops/records'))
    expect(JSON.parse(await readFile(path.join(ws, '.mlops/records', rec!), 'utf8')).status).toBe('failed')
  })
})
