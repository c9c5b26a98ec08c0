import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  lastInexact,
  parseIntBytes,
  parseIntText,
  parseNumberBytes,
  parseNumberText,
} from '../../shared/data/numbers.js'
import { ConfigError } from '../../shared/errors.js'
import { silentLogger } from '../../shared/util/logger.js'
import { autoMethod, type DriftSide, sideFromScan } from '../../shared/validate/drift.js'
import { inferSchema } from '../../shared/validate/infer.js'
import { latin1Bytes, parseDate, parseDatetime } from '../../shared/validate/parse.js'
import { mergeProfiles, profileOf } from '../../shared/validate/profile.js'
import { scanDataset } from '../../shared/validate/scan.js'
import { dataSchema, loadDataSchema } from '../../shared/validate/schema.js'
import { validateData } from '../../shared/validate/validate.js'

let dir: string
const file = (n: string) => path.join(dir, n)
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'validate-'))
})

describe('schema file', () => {
  it.each([
    [
      'a misspelt key',
      'columns:\n  age:\n    type: integer\n    nulable: true\n',
      4,
      "did you mean 'nullable'",
    ],
    ['an unknown type', 'columns:\n  age: { type: int }\n', 2, 'integer'],
    ['a bad extra_columns', 'columns: {}\nextra_columns: maybe\n', 2, 'error'],
    ['a bad regex', "columns:\n  e: { type: string, pattern: '(' }\n", 2, 'regular expression'],
    ['a misspelt drift key', 'columns: {}\ndrift: { methd: ks }\n', 2, "did you mean 'method'"],
  ])('%s fails with the line and what is allowed', async (_n, text, line, hint) => {
    await writeFile(file('s.yaml'), text)
    const err = await loadDataSchema(file('s.yaml')).catch((e) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect(err.location.line).toBe(line)
    expect(err.message).toContain(hint)
  })

  it('the DESIGN example parses', () => {
    const s = dataSchema.parse({
      columns: {
        customer_id: { type: 'integer', unique: true },
        income: { type: 'number', min: 0, max_null_fraction: 0.05 },
        plan: { type: 'category', values: ['basic', 'pro'] },
      },
      rows: { min: 1000 },
      extra_columns: 'error',
      drift: {
        method: 'auto',
        threshold: 0.1,
        share: 0.5,
        columns: { income: { method: 'psi', threshold: 0.2 } },
      },
    })
    expect(s.drift?.columns.income?.method).toBe('psi')
  })
})

describe('cell parsers', () => {
  it('numbers: exact up to 15 digits, within 2 ulp past that, strict grammar', () => {
    const ulp = (x: number) => Math.max(Number.MIN_VALUE, Math.abs(x) * 2 ** -52)
    let seed = 7
    const r = () => {
      seed = (seed * 16807) % 2147483647
      return seed / 2147483647
    }
    for (let i = 0; i < 3000; i++) {
      const x = (r() - 0.5) * 10 ** Math.floor(r() * 12 - 4)
      for (const s of [
        x.toPrecision(12),
        x.toPrecision(15),
        x.toPrecision(17),
        String(x),
        x.toExponential(8),
      ]) {
        const got = parseNumberText(s, 0, s.length)
        const want = Number(s)
        if (s.replace(/^-|e.*$|\.|^0+/g, '').replace(/^0+/, '').length <= 15) expect(got).toBe(want)
        else expect(Math.abs(got - want)).toBeLessThanOrEqual(2 * ulp(want))
      }
    }
    for (const bad of ['', '-', '.', 'e5', '1e', '1.2.3', ' 1', '1 ', '0x10', 'NaN', 'inf', '1e400', '1,5'])
      expect(parseNumberText(bad, 0, bad.length), bad).toBeNaN()
    for (const [s, v] of [
      ['.5', 0.5],
      ['5.', 5],
      ['+3', 3],
      ['-0', -0],
      ['1E3', 1000],
    ] as const)
      expect(parseNumberText(s, 0, s.length)).toBe(v)
    expect(parseIntText('-42', 0, 3)).toBe(-42)
    expect(parseIntText('4.0', 0, 3)).toBeNaN()
  })

  it('numbers: signs, leading zeros, fractions, exponents, long mantissas, offsets into a block', () => {
    const parse = (s: string) => {
      const v = parseNumberText(s, 0, s.length)
      return [v, lastInexact] as const
    }
    // exact (≤ 15 significant digits, |exponent| ≤ 22): the correctly rounded double
    for (const s of [
      '0',
      '-0',
      '+0',
      '000',
      '007',
      '-007.250',
      '+12',
      '.5',
      '-.5',
      '5.',
      '+5.',
      '0.5',
      '00.000125',
      '0.000000000000000000000000000001234',
      '123456789012345',
      '-0.123456789012345',
      '1e0',
      '1E+22',
      '1e-22',
      '-2.5e-3',
      '0.0e5',
      '1000000000000000000000000e-10',
      '1e23',
      '1e-400',
      '4.9e-324',
      '1.7976931348623157e308',
    ]) {
      const [v, inexact] = parse(s)
      expect(v, s).toBe(Number(s))
      expect(inexact, s).toBe(false)
    }
    // 16-19 significant digits: within 2 ulp, flagged inexact
    for (const s of [
      '1234567890123456',
      '-0.12345678901234567',
      '11.370000000000001',
      '0.30000000000000004',
      '9007199254740993',
      '1234567890123456789',
      '-000.0001234567890123456789',
      '1.234567890123456789e10',
    ]) {
      const [v, inexact] = parse(s)
      const want = Number(s)
      expect(Math.abs(v - want), s).toBeLessThanOrEqual(2 * Math.abs(want) * 2 ** -52)
      expect(inexact, s).toBe(true)
    }
    // 20 digits and more: Number() decides (exact, not flagged)
    for (const s of ['12345678901234567890', '-0.12345678901234567890123', '1.2345678901234567890e-5']) {
      const [v, inexact] = parse(s)
      expect(v, s).toBe(Number(s))
      expect(inexact, s).toBe(false)
    }
    for (const bad of [
      '+',
      '-.',
      '.e1',
      '1e+',
      '1e-',
      'e',
      '1.5e',
      '--1',
      '+-1',
      '1-',
      '1e1.5',
      '0x1',
      '1_000',
    ])
      expect(parseNumberText(bad, 0, bad.length), bad).toBeNaN()
    // a field inside a block: the characters around it are not read
    const block = '-1,+2.5e3,.25,7.,""\n'
    expect(parseNumberText(block, 3, 9)).toBe(2500)
    expect(parseNumberText(block, 10, 13)).toBe(0.25)
    expect(parseNumberText(block, 14, 16)).toBe(7)
    expect(parseNumberText(block, 0, 1)).toBeNaN()
    expect(parseNumberText(block, 18, 18)).toBeNaN()
    expect(parseNumberText('1e-', 0, 2)).toBeNaN()
    expect(parseNumberText('1e5,', 0, 3)).toBe(1e5)
  })

  it('the byte parsers read a block as the text parsers do', () => {
    let seed = 11
    const r = () => {
      seed = (seed * 16807) % 2147483647
      return seed / 2147483647
    }
    const pick = (s: string) => s[Math.floor(r() * s.length)]!
    const fields: string[] = []
    for (let k = 0; k < 20_000; k++) {
      let f = r() < 0.3 ? pick('+-') : ''
      const n = Math.floor(r() * 22)
      for (let i = 0; i < n; i++) f += r() < 0.3 ? '0' : pick('0123456789')
      if (r() < 0.6) {
        f += '.'
        const m = Math.floor(r() * 20)
        for (let i = 0; i < m; i++) f += pick('0123456789')
      }
      if (r() < 0.2) f += `${pick('eE')}${r() < 0.5 ? pick('+-') : ''}${Math.floor(r() * 400)}`
      if (r() < 0.05) f = f.slice(0, Math.floor(r() * f.length)) + pick('x .e-+"\u00e9') + f.slice(1)
      fields.push(f)
    }
    const block = `${fields.join(',')}\n`
    const b = latin1Bytes(block)!
    expect(b).toBeDefined()
    let s = 0
    for (const f of fields) {
      const e = s + f.length
      const text = parseNumberText(block, s, e)
      const textInexact = lastInexact
      expect(parseNumberBytes(b, block, s, e), f).toBe(text)
      if (!Number.isNaN(text)) expect(lastInexact, f).toBe(textInexact)
      expect(parseIntBytes(b, block, s, e), f).toBe(parseIntText(block, s, e))
      s = e + 1
    }
  })

  it('latin1Bytes: the bytes of a long block below U+0100, the last one kept', () => {
    const a = `${'1234,é\u00ff,'.repeat(1000)}\n`
    const c = `${'98,7,'.repeat(1000)}\n`
    expect(latin1Bytes('12,34\n')).toBeUndefined() // short: not worth it
    for (const t of [a, c, a, a, c]) {
      const b = latin1Bytes(t)!
      expect(Array.from(b.subarray(0, t.length))).toEqual(Array.from(t, (ch) => ch.charCodeAt(0)))
    }
    expect(latin1Bytes(`${a}\u0130`)).toBeUndefined() // İ would read as '0'
    expect(latin1Bytes(`${c}\u{1F600}`)).toBeUndefined()
    expect(latin1Bytes('1,2\n'.repeat(300_000))).toBeUndefined() // a huge record: not kept as bytes
    expect(latin1Bytes(a)![1]).toBe(50)
  })

  it('numbers in a block with characters past U+00FF', async () => {
    // U+0130 and U+0131 end in the bytes of '0' and '1': the text parsers must read this block
    const rows = ['x,y']
    for (let i = 0; i < 500; i++) rows.push(`${i},name ${i}`)
    rows.push('1\u0130,\u0131', '\u01317,ok', '-2,\u0130')
    await writeFile(file('u.csv'), `${rows.join('\n')}\n`)
    const schema = dataSchema.parse({
      columns: { x: { type: 'integer' }, y: { type: 'string' } },
    })
    const scan = await scanDataset([file('u.csv')], { schema })
    expect(scan.violations.map((v) => [v.column, v.check, v.samples.map((x) => x.value)])).toEqual([
      ['x', 'type', ['1\u0130', '\u01317']],
    ])
    expect(scan.columns[0]!.moments.n).toBe(501)
  })

  it('a CSV scan (block bytes, text cache) gives what the typed path gives for the same values', async () => {
    let seed = 13
    const r = () => {
      seed = (seed * 16807) % 2147483647
      return seed / 2147483647
    }
    const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!
    const rows: (string | null)[][] = []
    for (let i = 0; i < 4000; i++) {
      rows.push([
        r() < 0.01 ? pick(['x1', '1.5', '', '-']) : String(r() < 0.01 ? Math.floor(r() * i) + 1 : i + 1),
        r() < 0.02 ? '' : r() < 0.01 ? pick(['abc', '1e', '--1', '.']) : ((r() - 0.5) * 2100).toPrecision(17),
        r() < 0.02 ? '' : pick(['a', 'b', 'region, north', 'caf\u00e9', 'say "hi"', 'zz']),
        pick(['true', 'false', 'True', 'yes', 'n', '0', 'maybe']),
        pick(['11.370000000000001', '11.37', '1000', '-1000.0000000000001']),
      ])
    }
    const schema = dataSchema.parse({
      columns: {
        id: { type: 'integer', unique: true, min: 1 },
        f: { type: 'number', min: -1000, max: 1000 },
        c: { type: 'category', values: ['a', 'b', 'region, north', 'caf\u00e9', 'say "hi"'] },
        b: { type: 'boolean' },
        e: { type: 'number', min: -1000, max: 11.37 },
      },
    })
    const names = Object.keys(schema.columns)
    const quote = (v: string) => (/[",]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)
    const csv = rows.map((row) => row.map((v) => quote(v ?? '')).join(',')).join('\n')
    const jsonl = rows
      .map((row) => JSON.stringify(Object.fromEntries(row.map((v, i) => [names[i], v === '' ? null : v]))))
      .join('\n')
    await writeFile(file('same.csv'), `${names.join(',')}\n${csv}\n`)
    await writeFile(file('same-wide.csv'), `${names.join(',')}\n${csv}\n1,0,a,true,0,\u0130\n`)
    await writeFile(file('same.jsonl'), `${jsonl}\n`)
    const typed = await scanDataset([file('same.jsonl')], { schema })
    const state = (s: Awaited<ReturnType<typeof scanDataset>>) =>
      s.columns.map((c) => ({
        n: [c.count, c.nulls, c.invalid, c.other],
        moments: c.moments,
        kll: c.kll.toJSON(),
        hll: Buffer.from(c.hll.registers).toString('base64'),
        counts: c.isNumeric ? c.keyCounts() : c.counts,
      }))
    const violations = (s: Awaited<ReturnType<typeof scanDataset>>, shift: number) =>
      s.violations
        .filter((v) => v.column)
        .map((v) => ({ ...v, samples: v.samples.map((x) => [x.line - shift, x.value]) }))
    const one = await scanDataset([file('same.csv')], { schema })
    expect(state(one)).toEqual(state(typed))
    expect(violations(one, 1)).toEqual(violations(typed, 0))
    expect(one.violations.find((v) => v.column === 'e' && v.check === 'max')?.count).toBeGreaterThan(0)
    const wide = await scanDataset([file('same-wide.csv')], { schema }) // one ragged row, read as text
    expect(violations(wide, 1)).toEqual(violations(typed, 0))
    expect(state(wide)).toEqual(state(typed))
  })

  it('numbers at a min/max bound are re-parsed exactly', async () => {
    // the fast parse of this 17-digit value is 11.37, 1 ulp below the value itself
    const s = '11.370000000000001'
    expect(parseNumberText(s, 0, s.length)).not.toBe(Number(s))
    await writeFile(file('b.csv'), `x,y\n${s},${s}\n11.37,11.37\n`)
    const schema = dataSchema.parse({
      columns: {
        x: { type: 'number', max: 11.37 },
        y: { type: 'number', min: Number(s), max: Number(s) },
      },
    })
    const scan = await scanDataset([file('b.csv')], { schema })
    expect(scan.violations.map((v) => [v.column, v.check, v.samples.map((x) => x.value)])).toEqual([
      ['x', 'max', [s]],
      ['y', 'min', ['11.37']],
    ])
    expect(scan.columns[1]!.moments.max).toBe(Number(s))
  })

  it('dates and date-times are real calendar values', () => {
    expect(parseDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29))
    expect(parseDate('2023-02-29')).toBeNaN()
    expect(parseDatetime('2024-01-02T03:04:05Z')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5))
    expect(parseDatetime('2024-01-02 03:04')).toBe(Date.UTC(2024, 0, 2, 3, 4))
    expect(parseDatetime('2024-01-02T25:00')).toBeNaN()
  })
})

describe('checks', () => {
  it('report every kind of violation with counts and first rows', async () => {
    await writeFile(
      file('c.csv'),
      [
        'id,n,c,s,b,d,t',
        '1,5,x,ab1,yes,2024-01-01,2024-01-01T00:00:00Z',
        '1,-1,y,zz,no,2023-12-31,2024-01-01 10:00',
        '3,,q,ab2,TRUE,2024-13-01,2024-01-01T99:00',
        '4,200,x,ab3,nah,2024-02-01,',
      ].join('\n'),
    )
    const schema = dataSchema.parse({
      columns: {
        id: { type: 'integer', unique: true },
        n: { type: 'number', min: 0, max: 100 },
        c: { type: 'category', values: ['x', 'y'] },
        s: { type: 'string', pattern: '^ab\\d$', unique: true },
        b: { type: 'boolean' },
        d: { type: 'date', min: '2024-01-01' },
        t: { type: 'datetime', nullable: true },
      },
    })
    const scan = await scanDataset([file('c.csv')], { schema })
    const got = Object.fromEntries(
      scan.violations.map((v) => [`${v.column}:${v.check}`, v.samples.map((s) => s.line)]),
    )
    expect(got).toEqual({
      'id:unique': [3],
      'n:min': [3],
      'n:nullable': [4],
      'n:max': [5],
      'c:values': [4],
      's:pattern': [3],
      'b:type': [5],
      'd:min': [3],
      'd:type': [4],
      't:type': [4],
    })
  })

  it('max_null_fraction counts nulls over all values', async () => {
    await writeFile(file('n.csv'), 'a,b\n1,x\n,x\n,x\n4,x\n')
    const schema = dataSchema.parse({
      columns: { a: { type: 'integer', max_null_fraction: 0.25 }, b: { type: 'string' } },
    })
    const scan = await scanDataset([file('n.csv')], { schema })
    expect(scan.violations).toEqual([expect.objectContaining({ check: 'max_null_fraction', count: 2 })])
  })
})

describe('profiles', () => {
  it('shards merge to the one-pass profile', async () => {
    const lines = ['x,c']
    for (let i = 0; i < 5000; i++) lines.push(`${((i * 7919) % 1000) / 10},${['a', 'b', 'c'][i % 3]}`)
    await writeFile(file('m.csv'), `${lines.join('\n')}\n`)
    const one = profileOf(await scanDataset([file('m.csv')]))
    const parts = []
    for (const index of [1, 2, 3])
      parts.push(profileOf(await scanDataset([file('m.csv')], { shard: { index, count: 3 } })))
    const merged = mergeProfiles(parts)
    expect(merged.rows).toBe(one.rows)
    const [a, b] = [merged.columns.x!, one.columns.x!]
    expect([b.count, b.min, b.max, b.distinct]).toEqual([a.count, a.min, a.max, a.distinct])
    expect(a.mean).toBeCloseTo(b.mean!, 9)
    expect(a.std).toBeCloseTo(b.std!, 9)
    // quantiles agree within the sketch's bound (here 1 % of the range)
    for (const [q, v] of Object.entries(b.quantiles!))
      expect(Math.abs(a.quantiles![q]! - v)).toBeLessThanOrEqual(1)
    expect(merged.columns.c!.top).toEqual(one.columns.c!.top)
    expect(merged.shards).toHaveLength(3)
  })

  it('infer-schema writes a schema that passes on its data', async () => {
    await writeFile(
      file('i.csv'),
      'id,amount,plan,when,ok,note\n1,0.1,basic,2024-01-01,true,hi\n2,,pro,2024-01-02,false,\n3,2.5e3,"pro, plus",2024-02-03,true,x\n',
    )
    const { yaml } = await inferSchema([file('i.csv')])
    await writeFile(file('i.yaml'), yaml)
    const schema = await loadDataSchema(file('i.yaml'))
    expect(schema.columns.id?.type).toBe('integer')
    expect(schema.columns.amount).toMatchObject({ type: 'number', nullable: true })
    expect(schema.columns.plan).toMatchObject({ type: 'category', values: ['basic', 'pro', 'pro, plus'] })
    expect(schema.columns.when?.type).toBe('date')
    expect(schema.columns.ok?.type).toBe('boolean')
    const r = await validateData({ data: [file('i.csv')], schema, failOn: 'warning' }, silentLogger)
    expect(r.report.violations).toEqual([])
    expect(r.report.passed).toBe(true)
  })
})

describe('drift: auto picks as Evidently', () => {
  const side = async (name: string, values: string[], type: string): Promise<DriftSide> => {
    await writeFile(file(name), `v\n${values.join('\n')}\n`)
    const schema = dataSchema.parse({ columns: { v: { type } } })
    const scan = await scanDataset([file(name)], { schema, exactColumns: () => true })
    return sideFromScan(scan.columns[0]!)
  }
  const many = (n: number, k: number) => Array.from({ length: n }, (_, i) => String(i % k))
  it.each([
    ['small numeric, many values', 500, 100, 'number', 'ks'],
    ['small numeric, 4 values', 500, 4, 'number', 'chi2'],
    ['small numeric, 2 values', 500, 2, 'integer', 'z'],
    ['small categorical', 500, 4, 'category', 'chi2'],
    ['small binary categorical', 500, 2, 'category', 'z'],
    ['large numeric', 2000, 100, 'number', 'wasserstein'],
    ['large numeric, few values', 2000, 4, 'integer', 'jensen-shannon'],
    ['large categorical', 2000, 4, 'category', 'jensen-shannon'],
  ])('%s → %s', async (name, n, k, type, want) => {
    const ref = await side(`${name}-r.csv`, many(n, k), type)
    const cur = await side(`${name}-c.csv`, many(300, k), type)
    expect(autoMethod(ref, cur)).toBe(want)
  })
})
