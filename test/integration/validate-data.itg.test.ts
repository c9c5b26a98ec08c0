import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runAction } from '../harness/run-action.js'

const SCHEMA = `columns:
  id:     { type: integer, unique: true }
  age:    { type: integer, min: 18, max: 100 }
  income: { type: number, min: 0, max_null_fraction: 0.1 }
  plan:   { type: category, values: [basic, pro, "pro, plus"] }
  active: { type: boolean }
rows: { min: 10 }
extra_columns: error
`

/** A seeded generator, so the data is the same on every run. */
function rng(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function dataset(rows: number, seed: number, shift = 0): string {
  const r = rng(seed)
  const plans = ['basic', 'pro', '"pro, plus"']
  const lines = ['id,age,income,plan,active']
  for (let i = 1; i <= rows; i++) {
    const income = i % 50 === 0 ? '' : (30000 + r() * 40000 + shift * 20000).toFixed(2)
    lines.push(`${i},${18 + Math.floor(r() * 60)},${income},${plans[Math.floor(r() * 3)]},${r() < 0.5}`)
  }
  return `${lines.join('\n')}\n`
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'itg-validate-'))
  await mkdir(path.join(dir, 'data'))
  await writeFile(path.join(dir, 'schema.yaml'), SCHEMA)
  await writeFile(path.join(dir, 'data/train.csv'), dataset(2000, 1))
  await writeFile(path.join(dir, 'data/reference.csv'), dataset(2000, 2))
  await writeFile(path.join(dir, 'data/shifted.csv'), dataset(2000, 3, 1))
  await writeFile(
    path.join(dir, 'data/bad.csv'),
    'id,age,income,plan,active,note\n1,34,100,basic,true,x\n1,12,abc,gold,maybe,x\n3,40,5\n',
  )
  await writeFile(path.join(dir, 'data/empty.csv'), '')
  await writeFile(path.join(dir, 'typo.yaml'), 'columns:\n  id: { type: integer, nulable: true }\n')
})

describe('validate-data (committed bundle)', () => {
  it('passes a good dataset: outputs, summary table, run record, report and profile files', async () => {
    const run = await runAction('validate-data', {
      cwd: dir,
      inputs: { data: 'data/train.csv', schema: 'schema.yaml', 'profile-out': 'out/profile.json' },
    })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.outputs).toMatchObject({ passed: 'true', errors: '0', warnings: '0', rows: '2000' })
    expect(run.outputs['drifted-columns']).toBe('[]')
    expect(run.outputs['drift-share']).toBe('')
    expect(run.summary).toContain('| column | type | nulls | range | drift | status |')
    expect(run.summary).toContain('| income | number | 40 (2 %)')
    const report = JSON.parse(await readFile(path.join(dir, run.outputs.report!), 'utf8'))
    expect(report.schema).toBe('mlops-actions/validate-data-report@1')
    const profile = JSON.parse(await readFile(path.join(dir, 'out/profile.json'), 'utf8'))
    expect(profile.columns.plan.top.map((t: [string, number]) => t[0]).sort()).toEqual([
      'basic',
      'pro',
      'pro, plus',
    ])
    const recordDir = path.join(dir, '.mlops/records')
    const { readdir } = await import('node:fs/promises')
    const records = (await readdir(recordDir)).filter((f) => f.startsWith('validate-data-'))
    const record = JSON.parse(await readFile(path.join(recordDir, records[0]!), 'utf8'))
    expect(record).toMatchObject({ kind: 'validate-data', status: 'passed', model: { name: 'ml-repo' } })
    expect(record.headline).toBe('2,000 rows · 0 errors · 0 warnings')
    expect(record.details).toContain('| id | integer |')
  })

  it('fails a bad dataset with annotations on the offending lines', async () => {
    const run = await runAction('validate-data', {
      cwd: dir,
      inputs: { data: 'data/bad.csv', schema: 'schema.yaml' },
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.passed).toBe('false')
    expect(Number(run.outputs.errors)).toBeGreaterThanOrEqual(8)
    const byCheck = (check: string) => run.annotations.find((a) => a.message.includes(`${check}:`))
    expect(byCheck('id: unique')?.properties).toMatchObject({ file: 'data/bad.csv', line: '3' })
    expect(byCheck('age: min')?.properties).toMatchObject({ line: '3' })
    expect(byCheck('income: type')?.message).toContain('not a valid number')
    expect(byCheck('ragged_row')?.properties).toMatchObject({ line: '4' })
    expect(byCheck('note: extra_column')).toBeDefined()
    expect(byCheck('rows')).toBeDefined()
    expect(run.errors.at(-1)).toContain('Data validation failed')
    expect(run.stdout).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('fail-on: never reports but passes', async () => {
    const run = await runAction('validate-data', {
      cwd: dir,
      inputs: { data: 'data/bad.csv', schema: 'schema.yaml', 'fail-on': 'never' },
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.passed).toBe('true')
    expect(Number(run.outputs.errors)).toBeGreaterThan(0)
  })

  it('detects drift against a reference dataset and a saved profile', async () => {
    const same = await runAction('validate-data', {
      cwd: dir,
      inputs: { data: 'data/train.csv', schema: 'schema.yaml', reference: 'data/reference.csv' },
    })
    expect(same.exitCode).toBe(0)
    expect(same.outputs['drifted-columns']).toBe('[]')
    const shifted = await runAction('validate-data', {
      cwd: dir,
      inputs: {
        data: 'data/shifted.csv',
        schema: 'schema.yaml',
        reference: 'data/reference.csv',
        'fail-on': 'warning',
      },
    })
    expect(JSON.parse(shifted.outputs['drifted-columns']!)).toEqual(['income'])
    expect(Number(shifted.outputs['drift-share'])).toBeCloseTo(0.2)
    expect(shifted.summary).toMatch(/\| income \| number \|.*Wasserstein=/)
    const saved = await runAction('validate-data', {
      cwd: dir,
      inputs: { data: 'data/reference.csv', schema: 'schema.yaml', 'profile-out': 'ref-profile.json' },
    })
    expect(saved.exitCode).toBe(0)
    const viaProfile = await runAction('validate-data', {
      cwd: dir,
      inputs: { data: 'data/shifted.csv', schema: 'schema.yaml', reference: 'ref-profile.json' },
    })
    expect(JSON.parse(viaProfile.outputs['drifted-columns']!)).toEqual(['income'])
  })

  it('shards and merges to the same counts as one pass', async () => {
    for (const i of [1, 2, 3]) {
      const r = await runAction('validate-data', {
        cwd: dir,
        inputs: {
          data: 'data/train.csv',
          schema: 'schema.yaml',
          shard: `${i}/3`,
          'profile-out': `shards/p${i}.json`,
        },
      })
      expect(r.exitCode, r.stdout).toBe(0)
    }
    const merged = await runAction('validate-data', {
      cwd: dir,
      inputs: { merge: 'shards/*.json', schema: 'schema.yaml', 'profile-out': 'merged.json' },
    })
    expect(merged.exitCode, merged.stdout).toBe(0)
    expect(merged.outputs.rows).toBe('2000')
    const m = JSON.parse(await readFile(path.join(dir, 'merged.json'), 'utf8'))
    const one = JSON.parse(await readFile(path.join(dir, 'out/profile.json'), 'utf8'))
    for (const c of ['id', 'age', 'income']) {
      expect(m.columns[c].count).toBe(one.columns[c].count)
      expect(m.columns[c].nulls).toBe(one.columns[c].nulls)
      expect(m.columns[c].min).toBe(one.columns[c].min)
      expect(m.columns[c].max).toBe(one.columns[c].max)
      expect(m.columns[c].mean).toBeCloseTo(one.columns[c].mean, 8)
      expect(m.columns[c].std).toBeCloseTo(one.columns[c].std, 8)
    }
    expect(m.columns.plan.top).toEqual(one.columns.plan.top)
  })

  it('worker threads read a large file with the same findings as one thread', async () => {
    // past MIN_PARALLEL_BYTES (16 MiB), with trouble spread over the file: duplicate ids, values out of
    // range, text in a number, ragged rows, quoted newlines and doubled quotes
    const rows = dataset(560_000, 9).split('\n')
    for (let i = 7, k = 0; i < rows.length - 1; i += 9_973, k = (k + 1) % 5) {
      const row = rows[i]!
      if (k === 0) rows[i] = row.replace(/^\d+/, '5')
      else if (k === 1) rows[i] = row.replace(/^(\d+),\d+/, '$1,12')
      else if (k === 2) rows[i] = row.replace(/^(\d+),(\d+),[^,]*/, '$1,$2,n/a')
      else if (k === 3) rows[i] = row.split(',').slice(0, 3).join(',')
      else rows[i] = row.replace(/,(basic|pro|"pro, plus"),/, ',"pro\n""plus""",')
    }
    await writeFile(path.join(dir, 'data/large.csv'), rows.join('\n'))
    const runs = []
    for (const threads of ['1', '3']) {
      const run = await runAction('validate-data', {
        cwd: dir,
        inputs: {
          data: 'data/large.csv',
          schema: 'schema.yaml',
          threads,
          report: `large-${threads}.json`,
          'profile-out': `large-profile-${threads}.json`,
        },
      })
      expect(run.exitCode, run.stdout).toBe(1)
      const report = JSON.parse(await readFile(path.join(dir, `large-${threads}.json`), 'utf8'))
      const profile = JSON.parse(await readFile(path.join(dir, `large-profile-${threads}.json`), 'utf8'))
      expect(run.stdout).toContain(threads === '1' ? 'Read 560000 rows in' : 'with 3 worker threads')
      const { report: _file, ...outputs } = run.outputs
      runs.push({ outputs, annotations: run.annotations, report, profile })
    }
    const [one, three] = runs as [(typeof runs)[0], (typeof runs)[0]]
    expect(one.outputs.rows).toBe('560000')
    const checks = one.report.violations.map(
      (v: { column: string; check: string }) => `${v.column}:${v.check}`,
    )
    expect(checks).toEqual(
      expect.arrayContaining(['id:unique', 'age:min', 'income:type', ':ragged_row', 'plan:values']),
    )
    expect(three.report.violations).toEqual(one.report.violations)
    expect(three.outputs).toEqual(one.outputs)
    expect(three.annotations).toEqual(one.annotations)
    for (const [name, c] of Object.entries(one.profile.columns) as [string, Record<string, unknown>][]) {
      const t = three.profile.columns[name]
      for (const k of ['type', 'count', 'nulls', 'invalid', 'min', 'max', 'top', 'distinct'])
        expect(t[k], `${name}.${k}`).toEqual(c[k])
      if (typeof c.mean === 'number') expect(t.mean).toBeCloseTo(c.mean, 6)
    }
  })

  it('a schema typo fails with the line and the allowed keys', async () => {
    const run = await runAction('validate-data', {
      cwd: dir,
      inputs: { data: 'data/train.csv', schema: 'typo.yaml' },
    })
    expect(run.exitCode).toBe(1)
    expect(run.annotations[0]).toMatchObject({ level: 'error', properties: { file: 'typo.yaml', line: '2' } })
    expect(run.annotations[0]!.message).toContain("did you mean 'nullable'")
  })

  it('an empty file is a clear error naming it', async () => {
    const run = await runAction('validate-data', { cwd: dir, inputs: { data: 'data/empty.csv' } })
    expect(run.exitCode).toBe(1)
    expect(run.errors.join('\n')).toContain('data/empty.csv: the file is empty')
  })

  it('rejects a bad shard input naming it', async () => {
    const run = await runAction('validate-data', {
      cwd: dir,
      inputs: { data: 'data/train.csv', shard: '4/3' },
    })
    expect(run.exitCode).toBe(1)
    expect(run.errors[0]).toContain("Input 'shard' must be 'i/n'")
  })
})
