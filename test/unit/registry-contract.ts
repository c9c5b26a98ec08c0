import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { InputError, NotFoundError } from '../../shared/errors.js'
import type { ModelRegistry, VersionInfo } from '../../shared/registry/registry.js'

/**
 * The contract every registry backend passes. `open()` gives a fresh, empty registry; `another()` (when
 * given) a second client of the same registry, as a second process would have.
 */
export interface ContractTarget {
  open(): Promise<{ registry: ModelRegistry; another: () => ModelRegistry | Promise<ModelRegistry> }>
  /** Run the eight-concurrent-writers case (local, github, oci; mlflow numbers versions itself). */
  readonly concurrency?: boolean
}

export async function modelDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'model-'))
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true })
    await writeFile(path.join(dir, rel), text)
  }
  return dir
}

export const info = (runId: string, over: Partial<VersionInfo> = {}): VersionInfo => ({
  runId,
  metrics: { accuracy: 0.91, f1: 0.88 },
  params: { max_depth: 6, criterion: 'gini' },
  dataFingerprints: { 'data/train.csv': 'sha256:abc123' },
  validation: 'validate-data passed (12,000 rows); gate passed',
  intendedUse: 'Churn scoring for the retention team; not for credit decisions.',
  flavor: 'sklearn',
  lineage: {
    repository: 'octo-org/ml-repo',
    sha: 'a'.repeat(40),
    runUrl: 'https://github.com/octo-org/ml-repo/actions/runs/42',
    actor: 'octocat',
  },
  ...over,
})

export function registryContract(label: string, target: ContractTarget): void {
  describe(`registry contract: ${label}`, () => {
    it('registers a version with its files, metrics, lineage and model card; gets it back', async () => {
      const { registry } = await target.open()
      const model = await modelDir({ 'model.json': '{"w":[1,2,3]}', 'sub/vocab.txt': 'a\nb\n' })
      const r = await registry.register({ name: 'churn', modelPath: model, info: info('run-1') })
      expect(r.created).toBe(true)
      expect(r.version.version).toBe(1)
      expect(r.version.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(r.version.files.map((f) => f.path)).toEqual(['model.json', 'sub/vocab.txt'])
      expect(r.version.card).toContain('# Model card: churn v1')
      expect(r.version.card).toContain('| accuracy | 0.91 |')
      expect(r.version.card).toContain('not for credit decisions')
      expect(r.version.card).toContain('https://github.com/octo-org/ml-repo/actions/runs/42')

      const got = await registry.get('churn', 1)
      expect(got.version).toBe(1)
      expect(got.digest).toBe(r.version.digest)
      expect(got.metrics).toEqual({ accuracy: 0.91, f1: 0.88 })
      expect(got.runId).toBe('run-1')
      expect(got.lineage?.sha).toBe('a'.repeat(40))
      expect(got.card).toContain('# Model card: churn v1')
      expect((await registry.get('churn', 'latest')).version).toBe(1)
      expect(await registry.models()).toContain('churn')
    })

    it('returns the existing version when the same run registers the same model again', async () => {
      const { registry } = await target.open()
      const model = await modelDir({ 'model.bin': 'weights-1' })
      const a = await registry.register({ name: 'churn', modelPath: model, info: info('run-1') })
      const b = await registry.register({ name: 'churn', modelPath: model, info: info('run-1') })
      expect(b.created).toBe(false)
      expect(b.version.version).toBe(a.version.version)
      const c = await registry.register({ name: 'churn', modelPath: model, info: info('run-2') })
      expect(c.created).toBe(true)
      expect(c.version.version).toBe(a.version.version + 1)
      expect((await registry.versions('churn')).map((v) => v.version)).toEqual([1, 2])
    })

    it('moves aliases, resolves them, and keeps every move in the history', async () => {
      const { registry } = await target.open()
      for (const run of ['r1', 'r2', 'r3']) {
        await registry.register({ name: 'churn', modelPath: await modelDir({ m: run }), info: info(run) })
      }
      await registry.setAlias('churn', 'staging', 3, { by: 'alice' })
      const m1 = await registry.setAlias('churn', 'production', 1, { by: 'alice' })
      expect(m1.from).toBeUndefined()
      const m2 = await registry.setAlias('churn', 'production', 2, { by: 'bob', reason: 'better f1' })
      expect(m2).toMatchObject({ alias: 'production', from: 1, to: 2 })
      const m3 = await registry.setAlias('churn', 'production', 1, { by: 'carol' })
      expect(m3).toMatchObject({ alias: 'production', from: 2, to: 1 })

      expect(await registry.aliases('churn')).toEqual({ staging: 3, production: 1 })
      expect((await registry.get('churn', 'production')).version).toBe(1)
      expect((await registry.get('churn', 'staging')).version).toBe(3)
      const h = await registry.history('churn', 'production')
      expect(h.map((m) => [m.from, m.to])).toEqual([
        [undefined, 1],
        [1, 2],
        [2, 1],
      ])
      expect(h.every((m) => !Number.isNaN(Date.parse(m.at)))).toBe(true)
      expect(h[1]!.by).toBe('bob')
      expect((await registry.history('churn')).length).toBe(4)
    })

    it('refuses an alias to a version that does not exist, and changes nothing', async () => {
      const { registry } = await target.open()
      await registry.register({ name: 'churn', modelPath: await modelDir({ m: 'x' }), info: info('r1') })
      await registry.setAlias('churn', 'production', 1)
      await expect(registry.setAlias('churn', 'production', 7)).rejects.toThrow(NotFoundError)
      expect(await registry.aliases('churn')).toEqual({ production: 1 })
      expect((await registry.history('churn')).length).toBe(1)
      await expect(registry.get('churn', 9)).rejects.toThrow(NotFoundError)
      await expect(registry.get('churn', 'champion')).rejects.toThrow(/no alias 'champion'/)
      await expect(registry.get('nope', 'latest')).rejects.toThrow(NotFoundError)
    })

    it('refuses an empty model path and a name it cannot store, writing nothing', async () => {
      const { registry } = await target.open()
      const empty = await mkdtemp(path.join(tmpdir(), 'empty-'))
      await expect(registry.register({ name: 'churn', modelPath: empty, info: info('r1') })).rejects.toThrow(
        /model-path.*empty/,
      )
      await expect(registry.register({ name: 'churn', modelPath: '', info: info('r1') })).rejects.toThrow(
        InputError,
      )
      await expect(
        registry.register({ name: 'Churn Model!', modelPath: await modelDir({ m: 'x' }), info: info('r1') }),
      ).rejects.toThrow(/cannot be stored/)
      await expect(registry.setAlias('churn', 'Bad Alias', 1)).rejects.toThrow(InputError)
      expect(await registry.versions('churn')).toEqual([])
    })

    it('downloads a version by number and by alias, byte for byte', async () => {
      const { registry } = await target.open()
      const model = await modelDir({ 'model.json': '{"w":1}', 'nested/deep/t.bin': 'binary\u0000data' })
      await registry.register({ name: 'churn', modelPath: model, info: info('r1') })
      await registry.setAlias('churn', 'production', 1)
      for (const ref of [1, 'production'] as const) {
        const out = await mkdtemp(path.join(tmpdir(), 'dl-'))
        await registry.download('churn', ref, out)
        expect(await readFile(path.join(out, 'model.json'), 'utf8')).toBe('{"w":1}')
        expect(await readFile(path.join(out, 'nested/deep/t.bin'), 'utf8')).toBe('binary\u0000data')
      }
    })

    it('registers a single model file (not a directory)', async () => {
      const { registry } = await target.open()
      const dir = await modelDir({ 'model.onnx': 'onnx-bytes' })
      const r = await registry.register({
        name: 'fraud',
        modelPath: path.join(dir, 'model.onnx'),
        info: info('r1'),
      })
      expect(r.version.files.map((f) => f.path)).toEqual(['model.onnx'])
      const out = await mkdtemp(path.join(tmpdir(), 'dl-'))
      await registry.download('fraud', 'latest', out)
      expect(await readFile(path.join(out, 'model.onnx'), 'utf8')).toBe('onnx-bytes')
    })

    if (target.concurrency) {
      it('gives eight concurrent registrations from eight runs eight distinct, consecutive versions', async () => {
        const { registry, another } = await target.open()
        await registry.register({
          name: 'churn',
          modelPath: await modelDir({ m: 'seed' }),
          info: info('seed'),
        })
        const models = await Promise.all(Array.from({ length: 8 }, (_, i) => modelDir({ m: `model-${i}` })))
        const clients = await Promise.all(models.map(() => another()))
        const results = await Promise.all(
          models.map((m, i) => clients[i]!.register({ name: 'churn', modelPath: m, info: info(`run-${i}`) })),
        )
        const numbers = results.map((r) => r.version.version).sort((a, b) => a - b)
        expect(numbers).toEqual([2, 3, 4, 5, 6, 7, 8, 9])
        const again = await registry.register({ name: 'churn', modelPath: models[3]!, info: info('run-3') })
        expect(again.created).toBe(false)
        expect(again.version.version).toBe(results[3]!.version.version)
        const listed = await registry.versions('churn')
        expect(listed.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
        expect(new Set(listed.map((v) => v.runId)).size).toBe(9)
      })

      it('keeps every one of four concurrent alias moves in the history, each from the one before', async () => {
        const { registry, another } = await target.open()
        for (const run of ['r1', 'r2', 'r3', 'r4']) {
          await registry.register({ name: 'churn', modelPath: await modelDir({ m: run }), info: info(run) })
        }
        const clients = await Promise.all([1, 2, 3, 4].map(() => another()))
        await Promise.all(
          clients.map((c, i) => c.setAlias('churn', 'production', i + 1, { by: `writer-${i}` })),
        )
        const h = await registry.history('churn', 'production')
        expect(h).toHaveLength(4)
        expect(h.map((m) => m.to).sort()).toEqual([1, 2, 3, 4])
        expect(h[0]!.from).toBeUndefined()
        for (let i = 1; i < h.length; i++) expect(h[i]!.from).toBe(h[i - 1]!.to)
        expect((await registry.aliases('churn')).production).toBe(h.at(-1)!.to)
      })
    }
  })
}
