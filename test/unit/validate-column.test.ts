import { describe, expect, it } from 'vitest'
import { lastInexact, readNumber } from '../../shared/data/numbers.js'
import { HyperLogLog } from '../../shared/stats/hll.js'
import { KllSketch } from '../../shared/stats/kll.js'
import { addValue, emptyMoments } from '../../shared/stats/moments.js'
import { ColumnAcc } from '../../shared/validate/column.js'
import { dataSchema } from '../../shared/validate/schema.js'

/** A seeded uniform generator (mulberry32), so the tests are reproducible. */
function rng(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Feeds CSV field texts to a column, as the CSV reader does (offsets into one block). */
function feed(acc: ColumnAcc, fields: readonly string[], firstLine = 2): void {
  const text = fields.join(',')
  let s = 0
  fields.forEach((f, i) => {
    acc.text(text, s, s + f.length, 0, firstLine + i)
    s += f.length + 1
  })
}

describe('column state', () => {
  it('numbers reach moments (to rounding), KLL, HLL, value counts and exact values as one at a time, whenever read', () => {
    const r = rng(3)
    const values: number[] = []
    for (let i = 0; i < 5000; i++) values.push(i < 3000 ? Math.floor(r() * 50) : Math.round(r() * 1e6) / 100)
    const acc = new ColumnAcc(
      'x',
      'number',
      dataSchema.parse({ columns: { x: { type: 'number' } } }).columns.x,
    )
    acc.keepExact()
    const moments = emptyMoments()
    const kll = new KllSketch()
    const hll = new HyperLogLog()
    const counts = new Map<number, number>()
    let dropped = false
    let done = 0
    // reads between batches of odd sizes see every value fed so far
    for (const step of [1, 7, 300, 513, 1024, 1, 2000, 1154]) {
      const part = values.slice(done, done + step)
      feed(acc, part.map(String))
      for (const v of part) {
        addValue(moments, v)
        kll.add(v)
        hll.addNumber(v)
        if (!dropped) {
          if (counts.has(v)) counts.set(v, counts.get(v)! + 1)
          else if (counts.size < 100) counts.set(v, 1)
          else dropped = true
        }
      }
      done += step
      // moments add a batch at a time (two passes, then merged): the same up to rounding
      const m = acc.moments
      expect([m.n, m.min, m.max]).toEqual([moments.n, moments.min, moments.max])
      expect(m.mean).toBeCloseTo(moments.mean, 10)
      expect(Math.abs(m.m2 - moments.m2)).toBeLessThanOrEqual(1e-12 * moments.m2)
      expect(acc.kll.n).toBe(done)
      expect(acc.exact!.n).toBe(done)
      expect(acc.count).toBe(done)
    }
    expect(done).toBe(values.length)
    expect(acc.kll.toJSON()).toEqual(kll.toJSON())
    expect(acc.hll.registers).toEqual(hll.registers)
    expect(Array.from(acc.exact!.buf.subarray(0, acc.exact!.n))).toEqual(values)
    expect(dropped).toBe(true)
    expect(acc.numCounts).toBeUndefined()
    expect(acc.keyCounts()).toBeUndefined()
  })

  it('numeric value counts are kept while a column has few values', () => {
    const r = rng(8)
    for (const distinct of [1, 2, 3, 5, 100, 101]) {
      const acc = new ColumnAcc('z', 'number')
      const want = new Map<string, number>()
      for (let i = 0; i < 3000; i++) {
        // runs and alternations of a few values, and -0 counted as 0
        const v = i % 3 === 0 ? (i >> 4) % distinct : Math.floor(r() * distinct)
        const text = v === 0 && i % 5 === 0 ? '-0' : String(v)
        feed(acc, [text])
        want.set(String(v), (want.get(String(v)) ?? 0) + 1)
      }
      expect(acc.keyCounts(), `${distinct}`).toEqual(distinct > 100 ? undefined : want)
      if (distinct <= 100) expect([...acc.keyCounts()!.keys()]).toEqual([...want.keys()]) // first-seen order
    }
    const acc = new ColumnAcc('y', 'integer')
    feed(acc, ['1', '0', '0', '1', '1', '-3'])
    expect(acc.keyCounts()).toEqual(
      new Map([
        ['1', 3],
        ['0', 2],
        ['-3', 1],
      ]),
    )
    feed(acc, ['0'])
    expect(acc.numCounts).toEqual(
      new Map([
        [1, 3],
        [0, 3],
        [-3, 1],
      ]),
    )
  })

  it('categorical, string and boolean fields seen before give what str gives (counts, violations, samples)', () => {
    const r = rng(5)
    const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!
    const schema = dataSchema.parse({
      columns: {
        cat: { type: 'category', values: ['a', 'b', 'region, north', 'say "hi"', ''] },
        str: { type: 'string', pattern: '^[a-z]+\\d$' },
        flag: { type: 'boolean' },
        yes: { type: 'boolean', values: [true] },
        many: { type: 'string' },
        uniq: { type: 'category', unique: true },
      },
    })
    const texts: Record<string, () => string> = {
      cat: () => pick(['a', 'b', 'c', 'region, north', 'say "hi"', '', 'aa', 'ab', 'ba']),
      str: () => pick(['ab1', 'ab2', 'x', 'zz9', 'Ab1', 'ab10']),
      flag: () => pick(['true', 'false', 'True', 'FALSE', 't', 'n', '1', '0', 'maybe', 'tru', 'yes']),
      yes: () => pick(['true', 'false', 'yes', 'no', 'nah']),
      many: () => `v${Math.floor(r() * 20_000)}`,
      uniq: () => `u${Math.floor(r() * 3000)}`,
    }
    // blocks as the CSV reader passes them: long ones (read as bytes) and short or past-U+00FF ones (as text)
    for (const [name, next] of Object.entries(texts)) {
      for (const kind of ['long', 'short', 'wide']) {
        const spec = schema.columns[name]!
        const csv = new ColumnAcc(name, spec.type, spec)
        const typed = new ColumnAcc(name, spec.type, spec)
        csv.file = 'f.csv'
        typed.file = 'f.csv'
        const rows = name === 'many' ? 30_000 : 3000
        const fields: [string, number, number, number][] = [] // value, start, end, flag
        let block = kind === 'wide' ? '\u0130,' : ''
        for (let i = 0; i < rows; i++) {
          const v = r() < 0.02 ? '' : next()
          // unquoted (flag 0), quoted (1) or quoted with doubled quotes (2)
          const quoted = v.includes(',') || v.includes('"') || r() < 0.2
          const body = v.replaceAll('"', '""')
          const s = block.length + (quoted ? 1 : 0)
          fields.push([v, s, s + body.length, !quoted ? 0 : body === v ? 1 : 2])
          block += `${quoted ? `"${body}"` : body},`
        }
        fields.forEach(([v, s, e, flag], i) => {
          if (kind === 'short') {
            const one = `x,${block.slice(s - (flag ? 1 : 0), e + (flag ? 1 : 0))},y`
            const at = flag ? 3 : 2
            csv.text(one, at, at + e - s, flag, i + 2)
          } else csv.text(block, s, e, flag, i + 2)
          if (v === '' && flag === 0) typed.value(null, i + 2)
          else typed.value(v, i + 2)
          if (i === 1500) expect(csv.counts, name).toEqual(typed.counts) // read midway, then go on
        })
        expect([csv.count, csv.nulls, csv.invalid, csv.other], name).toEqual([
          typed.count,
          typed.nulls,
          typed.invalid,
          typed.other,
        ])
        expect([...csv.counts!], name).toEqual([...typed.counts!]) // same keys in the same order
        expect(csv.allViolations(), name).toEqual(typed.allViolations())
        expect(csv.hll.registers, name).toEqual(typed.hll.registers)
        expect(csv.resolvedType(), name).toBe(typed.resolvedType())
      }
    }
  })

  it('unique integers: duplicates found across pages, negatives and large values included', () => {
    const r = rng(9)
    const spec = dataSchema.parse({ columns: { id: { type: 'integer', unique: true } } }).columns.id
    const acc = new ColumnAcc('id', 'integer', spec)
    const seen = new Set<number>()
    const dups: number[] = []
    const values: number[] = []
    for (let i = 0; i < 20_000; i++) {
      const v =
        i % 4 === 0
          ? Math.floor(r() * 200_000) - 100_000 // pages on both sides of 0
          : i % 4 === 1
            ? 2 ** 40 + Math.floor(r() * 70_000)
            : i % 4 === 2
              ? i // runs within a page
              : -65536 * Math.floor(r() * 3) - Math.floor(r() * 3) // page edges
      values.push(v)
      if (seen.has(v)) dups.push(v)
      seen.add(v)
    }
    feed(acc, values.map(String))
    const v = acc.allViolations().find((x) => x.check === 'unique')!
    expect(v.count).toBe(dups.length)
    expect(v.samples.map((x) => Number(x.value))).toEqual(dups.slice(0, 5))
  })
})

describe('bounds and the inexact fast parse', () => {
  // 17 significant digits parse within 2 ulp: these two land 1 ulp outside [min, max] though their exact
  // values are the bounds themselves, so they must be re-read exactly before a bound check fails them
  const spec = dataSchema.parse({
    columns: { x: { type: 'number', min: 0.8481471618782191, max: 0.955462581236902 } },
  }).columns.x
  const fields = ['0.84814716187821913', '0.95546258123690197', '0.8481471618782190', '0.955462581236903']

  it('the fast parse of the test values is 1 ulp off, outside the bounds', () => {
    const b = Buffer.from(`${fields.join(',')},`, 'latin1')
    expect(readNumber(b, 0)).toBeLessThan(0.8481471618782191)
    expect(readNumber(b, fields[0]!.length + 1)).toBeGreaterThan(0.955462581236902)
  })

  it('text fields: a bound written with more digits passes, just past it fails', () => {
    const acc = new ColumnAcc('x', 'number', spec)
    feed(acc, fields)
    expect(acc.allViolations().map((v) => [v.check, v.count, v.samples.map((s) => s.value)])).toEqual([
      ['min', 1, ['0.8481471618782190']],
      ['max', 1, ['0.955462581236903']],
    ])
  })

  it('fields the CSV fast lane parsed: the same', () => {
    const acc = new ColumnAcc('x', 'number', spec)
    const text = `${fields.join(',')},`
    const bytes = Buffer.from(text, 'latin1')
    let s = 0
    for (const [i, f] of fields.entries()) {
      // what the lane hands over: the value readNumber gives and whether it may be 1-2 ulp off
      acc.parsedNumber(readNumber(bytes, s), lastInexact, undefined, bytes, s, s + f.length, 2 + i)
      s += f.length + 1
    }
    expect(acc.allViolations().map((v) => [v.check, v.count, v.samples.map((s) => s.value)])).toEqual([
      ['min', 1, ['0.8481471618782190']],
      ['max', 1, ['0.955462581236903']],
    ])
  })
})
