import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { LocalRegistry } from '../../shared/registry/backends/local.js'
import { renderModelCard } from '../../shared/registry/model-card.js'
import { openRegistry } from '../../shared/registry/open.js'
import { parseModelRef } from '../../shared/registry/registry.js'
import { silentLogger } from '../../shared/util/logger.js'
import { info, modelDir, registryContract } from './registry-contract.js'

const run = promisify(execFile)
const ROOT = path.resolve(import.meta.dirname, '../..')

registryContract('local', {
  concurrency: true,
  async open() {
    const root = await mkdtemp(path.join(tmpdir(), 'registry-'))
    return {
      registry: new LocalRegistry(root, { log: silentLogger }),
      another: () => new LocalRegistry(root, { log: silentLogger }),
    }
  },
})

describe('local registry', () => {
  it('gives eight registrations from eight processes eight distinct, consecutive versions', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'registry-procs-'))
    const script = path.join(ROOT, 'test/fixtures/registry/register-one.ts')
    const outs = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const m = await modelDir({ 'model.txt': `process model ${i}` })
        const { stdout } = await run(process.execPath, ['--import', 'tsx', script, root, m, `run-${i}`], {
          cwd: ROOT,
        })
        return Number(stdout.trim())
      }),
    )
    expect(outs.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    const versions = await readdir(path.join(root, 'churn/versions'))
    expect(versions.sort((a, b) => Number(a) - Number(b))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8'])
    expect((await readdir(path.join(root, 'churn'))).filter((n) => n.startsWith('.'))).toEqual([])
  })

  it('takes over a lock whose owner process is gone', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'registry-stale-'))
    await mkdir(path.join(root, 'churn/.lock'), { recursive: true })
    await writeFile(
      path.join(root, 'churn/.lock/owner.json'),
      JSON.stringify({ pid: 2 ** 22 + 7, host: (await import('node:os')).hostname() }),
    )
    const reg = new LocalRegistry(root, { log: silentLogger })
    const r = await reg.register({ name: 'churn', modelPath: await modelDir({ m: 'x' }), info: info('r1') })
    expect(r.version.version).toBe(1)
  })

  it('refuses a version number that is not higher than the latest', async () => {
    const reg = new LocalRegistry(await mkdtemp(path.join(tmpdir(), 'registry-')), { log: silentLogger })
    await reg.register({ name: 'churn', modelPath: await modelDir({ m: 'a' }), info: info('r1'), version: 5 })
    await expect(
      reg.register({ name: 'churn', modelPath: await modelDir({ m: 'b' }), info: info('r2'), version: 5 }),
    ).rejects.toThrow(/Versions only grow/)
    expect((await reg.versions('churn')).map((v) => v.version)).toEqual([5])
  })

  it('opens through the factory, and parses name@ref', async () => {
    const reg = await openRegistry('local', await mkdtemp(path.join(tmpdir(), 'r-')), { log: silentLogger })
    expect(reg.kind).toBe('local')
    await expect(openRegistry('s3', 'x', { log: silentLogger })).rejects.toThrow(/one of local, github/)
    expect(parseModelRef('churn@3')).toEqual({ name: 'churn', ref: 3 })
    expect(parseModelRef('churn@v3')).toEqual({ name: 'churn', ref: 3 })
    expect(parseModelRef('churn@production')).toEqual({ name: 'churn', ref: 'production' })
    expect(parseModelRef('churn')).toEqual({ name: 'churn', ref: 'latest' })
  })

  it('renders a model card that says what is missing', () => {
    const card = renderModelCard({
      name: 'churn',
      version: 2,
      digest: 'sha256:00',
      createdAt: '2026-11-22T00:00:00.000Z',
      runId: 'r',
      files: [{ path: 'm', size: 1, sha256: 'ab' }],
    })
    expect(card).toContain('Not stated: set `model.intended_use`')
    expect(card).toContain('_No metrics recorded._')
    expect(card).toContain('_Registered outside a workflow run._')
  })
})

describe('registry use by evaluate-gate and build-docker-image', () => {
  it('gives the metrics of the version holding an alias, undefined before there is one, and downloads name@alias', async () => {
    const { aliasMetrics, downloadModel, registryBaseline, registryFromConfig } = await import(
      '../../shared/registry/use.js'
    )
    const root = await mkdtemp(path.join(tmpdir(), 'registry-use-'))
    const reg = await registryFromConfig(
      { registry: { backend: 'local', address: root } },
      { log: silentLogger },
    )
    expect(registryBaseline('registry:production')).toBe('production')
    expect(registryBaseline('baseline.json')).toBeUndefined()
    expect(await aliasMetrics(reg, 'churn', 'production')).toBeUndefined()
    await reg.register({ name: 'churn', modelPath: await modelDir({ 'm.txt': 'v1' }), info: info('r1') })
    expect(await aliasMetrics(reg, 'churn', 'production')).toBeUndefined()
    await reg.setAlias('churn', 'production', 1)
    expect(await aliasMetrics(reg, 'churn', 'production')).toMatchObject({
      version: 1,
      metrics: { accuracy: 0.91 },
    })
    const out = await mkdtemp(path.join(tmpdir(), 'use-dl-'))
    const v = await downloadModel(reg, 'churn@production', out)
    expect(v.version).toBe(1)
    expect(await readFile(path.join(out, 'm.txt'), 'utf8')).toBe('v1')
    const { gateBaseline } = await import('../../shared/registry/use.js')
    const set = await gateBaseline(reg, 'churn')('production')
    expect(set.model).toEqual({ name: 'churn', version: '1' })
    expect(set.values.get('accuracy')).toEqual({ raw: 0.91 })
    await expect(gateBaseline(reg, 'churn')('staging')).rejects.toThrow(/no alias 'staging'/)
  })
})

describe('version info from run records', () => {
  it('reads data fingerprints in the shapes train-model may write', async () => {
    const { fingerprints } = await import('../../shared/registry/workflow.js')
    expect(fingerprints({ 'data/a.csv': 'sha256:1' })).toEqual({ 'data/a.csv': 'sha256:1' })
    expect(fingerprints({ 'data/a.csv': { sha256: 'ab', rows: 3 } })).toEqual({ 'data/a.csv': 'ab' })
    expect(
      fingerprints([{ path: 'a.csv', digest: 'x' }, { name: 'b.csv', fingerprint: 'y' }, { rows: 1 }]),
    ).toEqual({
      'a.csv': 'x',
      'b.csv': 'y',
    })
    expect(fingerprints(undefined)).toEqual({})
  })
})
