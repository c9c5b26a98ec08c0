import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { combineDigests, digestPath, fingerprintData, sha256File } from '../../shared/train/files.js'
import { flatten } from '../../shared/train/flatten.js'
import { readMetrics, readParams } from '../../shared/train/values.js'

const tmp = () => mkdtemp(path.join(tmpdir(), 'train-core-'))

describe('flatten', () => {
  it.each([
    ['flat', { a: 1, b: 'x' }, { a: 1, b: 'x' }],
    ['nested', { model: { depth: 3, opt: { lr: 0.1 } } }, { 'model.depth': 3, 'model.opt.lr': 0.1 }],
    ['arrays by index', { layers: [8, 4] }, { 'layers.0': 8, 'layers.1': 4 }],
    ['empty containers kept', { a: {}, b: [] }, { a: '{}', b: '[]' }],
    ['null kept', { a: null }, { a: null }],
  ])('%s', (_n, input, want) => {
    expect(flatten(input)).toEqual(want)
  })
})

describe('params and metrics files', () => {
  it('reads YAML and JSON params, flattened', async () => {
    const d = await tmp()
    await writeFile(path.join(d, 'p.yaml'), 'model:\n  n_estimators: 50\n  max_depth: 4\nseed_split: 0.2\n')
    await writeFile(path.join(d, 'p.json'), '{"a": {"b": true}}')
    expect(await readParams(path.join(d, 'p.yaml'))).toEqual({
      'model.n_estimators': 50,
      'model.max_depth': 4,
      seed_split: 0.2,
    })
    expect(await readParams(path.join(d, 'p.json'))).toEqual({ 'a.b': true })
  })

  it('reads nested metrics from JSON and YAML', async () => {
    const d = await tmp()
    await writeFile(path.join(d, 'm.json'), '{"accuracy": 0.9, "per_class": {"a": {"f1": 0.5}}}')
    await writeFile(path.join(d, 'm.yaml'), 'accuracy: 0.8\nloss: 1e-3\n')
    expect(await readMetrics(path.join(d, 'm.json'))).toEqual({ accuracy: 0.9, 'per_class.a.f1': 0.5 })
    expect(await readMetrics(path.join(d, 'm.yaml'))).toEqual({ accuracy: 0.8, loss: 0.001 })
  })

  it.each([
    ['missing', undefined, /Input 'metrics' names '.*m\.json', but the command did not write it/],
    ['not JSON', '{"accuracy": 0.9', /m\.json: not valid JSON/],
    ['a string metric', '{"accuracy": "0.9"}', /m\.json: accuracy: metric 'accuracy' is "0.9", not a number/],
    ['a null metric', '{"a": {"b": null}}', /metric 'a\.b' is null, not a number/],
    ['a list', '[1, 2]', /metrics must be a mapping/],
    ['empty', '{}', /holds no metrics/],
  ])('refuses metrics that are %s, naming the file', async (_n, text, want) => {
    const d = await tmp()
    const f = path.join(d, 'm.json')
    if (text !== undefined) await writeFile(f, text)
    await expect(readMetrics(f)).rejects.toThrow(want)
  })

  it('refuses YAML metrics that do not parse, with the line', async () => {
    const d = await tmp()
    const f = path.join(d, 'm.yaml')
    await writeFile(f, 'accuracy: 0.9\n  bad: [\n')
    await expect(readMetrics(f)).rejects.toThrow(/m\.yaml:\d+:\d+: not valid JSON or YAML/)
  })

  it('refuses a metrics file older than the run', async () => {
    const d = await tmp()
    const f = path.join(d, 'm.json')
    await writeFile(f, '{"a": 1}')
    await expect(readMetrics(f, Date.now() + 60_000)).rejects.toThrow(/did not write in this run/)
  })
})

describe('digests and fingerprints', () => {
  it('hashes a file by streaming and a folder over sorted relative paths', async () => {
    const d = await tmp()
    await mkdir(path.join(d, 'model', 'sub'), { recursive: true })
    await writeFile(path.join(d, 'model', 'b.bin'), 'bbb')
    await writeFile(path.join(d, 'model', 'sub', 'a.json'), '{}')
    expect(await sha256File(path.join(d, 'model', 'b.bin'))).toBe(
      '3e744b9dc39389baf0c5a0660589b8402f3dbb49b89b3e75f2c9355852a3c677',
    )
    const t = await digestPath('model', d, 'model-path')
    expect(t.files.map((f) => f.path)).toEqual(['b.bin', 'sub/a.json'])
    expect(t.bytes).toBe(5)
    expect(t.digest).toBe(combineDigests([...t.files].reverse()))
    // The same content elsewhere has the same digest; a renamed file changes it.
    const e = await tmp()
    await mkdir(path.join(e, 'm', 'sub'), { recursive: true })
    await writeFile(path.join(e, 'm', 'b.bin'), 'bbb')
    await writeFile(path.join(e, 'm', 'sub', 'a.json'), '{}')
    expect((await digestPath('m', e, 'model-path')).digest).toBe(t.digest)
    await writeFile(path.join(e, 'm', 'c.bin'), 'bbb')
    expect((await digestPath('m', e, 'model-path')).digest).not.toBe(t.digest)
  })

  it('fingerprints files, folders and globs; a miss names the input', async () => {
    const d = await tmp()
    await writeFile(path.join(d, 'a.csv'), 'x\n1\n')
    await writeFile(path.join(d, 'b.csv'), 'x\n2\n')
    const fp = await fingerprintData(['*.csv'], d, 'data')
    expect(fp.map((f) => f.path)).toEqual(['a.csv', 'b.csv'])
    expect(fp[0]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    await expect(fingerprintData(['nope.csv'], d, 'data')).rejects.toThrow(/Input 'data' names 'nope\.csv'/)
    await expect(fingerprintData(['*.parquet'], d, 'data')).rejects.toThrow(/Input 'data' pattern/)
  })

  it('reads what it hashes byte for byte', async () => {
    const d = await tmp()
    const buf = Buffer.alloc(3 * 1024 * 1024, 7)
    await writeFile(path.join(d, 'big'), buf)
    const { createHash } = await import('node:crypto')
    expect(await sha256File(path.join(d, 'big'))).toBe(
      createHash('sha256')
        .update(await readFile(path.join(d, 'big')))
        .digest('hex'),
    )
  })
})
