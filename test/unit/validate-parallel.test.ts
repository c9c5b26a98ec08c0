import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { findCut, headerOf, inProcessSpawner } from '../../shared/validate/parallel-scan.js'
import { profileOf } from '../../shared/validate/profile.js'
import { type ScanResult, scanDataset } from '../../shared/validate/scan.js'
import { dataSchema } from '../../shared/validate/schema.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'parallel-'))
})

const cut = (text: string) => findCut(Buffer.from(text), 44)

describe('findCut', () => {
  it.each([
    ['plain lines', 'a,b\nc,d\ne', { cut: 8, regular: true }],
    ['a newline inside quotes is not a cut', 'a,"x\ny"\nb,"p\nq', { cut: 8, regular: true }],
    ['doubled quotes stay inside', '"a""\n""b",c\nd', { cut: 12, regular: true }],
    ['an empty quoted field', '"",x\n', { cut: 5, regular: true }],
    ['a quote closing at the end may be doubled', 'a\n"x"', { cut: 2, regular: true }],
    ['no record ends', '"abc\ndef', { cut: -1, regular: true }],
    ['a quote inside an unquoted field', 'a\nb"c\nd\n', { cut: 2, regular: false }],
    ['text after a closing quote', 'a\n"b"c,d\ne\n', { cut: 2, regular: false }],
    ['CRLF after a closing quote', 'x,"y"\r\nz\r\n', { cut: 10, regular: true }],
  ])('%s', (_n, text, want) => {
    expect(cut(text)).toEqual(want)
  })

  it('finds a cut in a long quoted line in linear time', () => {
    const line = `${'"a",'.repeat(500_000)}"z"\n`
    const started = process.hrtime.bigint()
    expect(cut(`${line}x`)).toEqual({ cut: line.length, regular: true })
    // a quadratic search would take minutes on 2 MB; this is a correctness bound, not a speed goal
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(30)
  })
})

describe('headerOf', () => {
  it('reads a plain header (BOM and CR stripped)', () => {
    expect(headerOf(Buffer.from('\ufeffa,b\r\n1,2\n'), ',')).toEqual({ names: ['a', 'b'], end: 8 })
  })
  it.each([
    ['a quoted header', '"a,b",c\n1,2\n'],
    ['a blank first line', '\na,b\n'],
    ['no line break', 'a,b'],
    ['invalid UTF-8', Buffer.from([0x61, 0xff, 0x0a])],
  ])('leaves %s to the sequential reader', (_n, text) => {
    expect(headerOf(Buffer.from(text), ',')).toBeUndefined()
  })
})

/** What a scan found, in a form that must not depend on how the file was split. */
function summary(r: ScanResult) {
  const p = profileOf(r)
  return {
    rows: r.rows,
    violations: r.violations
      .map((v) => ({ ...v, samples: [...v.samples] }))
      .sort((a, b) => `${a.column}/${a.check}`.localeCompare(`${b.column}/${b.check}`)),
    columns: Object.fromEntries(
      Object.entries(p.columns).map(([n, c]) => [
        n,
        {
          type: c.type,
          count: c.count,
          nulls: c.nulls,
          invalid: c.invalid,
          min: c.min,
          max: c.max,
          mean: c.mean === null ? null : Number(c.mean.toPrecision(12)),
          std: c.std === null ? null : Number(c.std.toPrecision(12)),
          top: c.top,
          distinct: c.distinct,
        },
      ]),
    ),
  }
}

const rng = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}

/** A CSV with every kind of trouble spread over the file, so many chunk cuts fall near them. */
function messyCsv(rows: number, seed: number, extra = ''): string {
  const r = rng(seed)
  const lines = ['id,x,cat,note,flag']
  for (let i = 1; i <= rows; i++) {
    const id = r() < 0.01 ? i - 1 : i // some duplicates
    const x = r() < 0.05 ? '' : r() < 0.02 ? 'abc' : (r() * 200 - 100).toPrecision(17)
    const cat = r() < 0.1 ? '"c, with comma"' : `c${Math.floor(r() * 5)}`
    const note =
      r() < 0.05 ? '"line one\nline two"' : r() < 0.05 ? '"say ""hi"""' : r() < 0.01 ? '""' : `n${i}`
    const flag = r() < 0.5 ? 'true' : r() < 0.01 ? 'maybe' : 'false'
    lines.push(r() < 0.005 ? `${id},${x}` : `${id},${x},${cat},${note},${flag}`)
    if (r() < 0.003) lines.push('')
  }
  return `${lines.join(r() < 0.5 ? '\n' : '\r\n')}\n${extra}`
}

const schema = dataSchema.parse({
  columns: {
    id: { type: 'integer', unique: true, min: 1 },
    x: { type: 'number', min: -90, max: 90, max_null_fraction: 0.5 },
    cat: { type: 'category', values: ['c0', 'c1', 'c2', 'c3', 'c, with comma'] },
    note: { type: 'string', unique: true, nullable: true },
    flag: { type: 'boolean' },
  },
  extra_columns: 'error',
})

async function both(files: string[], opts: { schema?: typeof schema; chunkBytes: number; threads: number }) {
  const seq = await scanDataset(files, { schema: opts.schema })
  const par = await scanDataset(files, {
    schema: opts.schema,
    parallel: {
      threads: opts.threads,
      spawn: inProcessSpawner,
      chunkBytes: opts.chunkBytes,
      minFileBytes: 0,
    },
  })
  return { seq: summary(seq), par: summary(par) }
}

describe('a parallel scan finds what a sequential one does', () => {
  it.each([
    [3, 256],
    [2, 1000],
    [4, 4096],
  ])(
    '%i workers, %i-byte chunks: same rows, violations (counts, first lines and values) and profile',
    async (threads, chunkBytes) => {
      const f = path.join(dir, `messy-${threads}.csv`)
      await writeFile(f, messyCsv(3000, threads))
      const { seq, par } = await both([f], { schema, chunkBytes, threads })
      expect(seq.violations.map((v) => v.check)).toEqual(
        expect.arrayContaining(['unique', 'min', 'type', 'ragged_row', 'values']),
      )
      expect(par).toEqual(seq)
    },
  )

  it('several files, and a schema-less scan', async () => {
    const a = path.join(dir, 'a.csv')
    const b = path.join(dir, 'b.csv')
    await writeFile(a, messyCsv(800, 11))
    await writeFile(b, messyCsv(900, 12).replace('id,x,cat,note,flag', 'id,x,cat,note,flag,more'))
    const withSchema = await both([a, b], { schema, chunkBytes: 300, threads: 2 })
    expect(withSchema.par).toEqual(withSchema.seq)
    const auto = await both([a, b], { chunkBytes: 300, threads: 2 })
    expect(auto.par).toEqual(auto.seq)
  })

  it('a malformed quote part-way hands the rest to one worker, read exactly as sequentially', async () => {
    const f = path.join(dir, 'malformed.csv')
    const text = messyCsv(2000, 5)
    const at = text.indexOf('\n', text.length / 3) + 1
    await writeFile(f, `${text.slice(0, at)}7,1.5,c1,ab"c,true\n9,"2"x,c1,q,true\n${text.slice(at)}`)
    const { seq, par } = await both([f], { schema, chunkBytes: 512, threads: 3 })
    expect(seq.violations.map((v) => v.check)).toContain('malformed_quote')
    expect(par).toEqual(seq)
  })

  it('records longer than a chunk (a long quoted field with line breaks) grow the buffer', async () => {
    const f = path.join(dir, 'long-record.csv')
    const text = messyCsv(1000, 21)
    const at = text.indexOf('\n', text.length / 2) + 1
    const long = `"${'x\n'.repeat(3000)}""end"""`
    await writeFile(
      f,
      `${text.slice(0, at)}4242,1.5,c1,${long},true\n4242,2,c1,${long},true\n${text.slice(at)}`,
    )
    const { seq, par } = await both([f], { schema, chunkBytes: 512, threads: 2 })
    expect(seq.rows).toBe(1002)
    expect(par).toEqual(seq)
  })

  it('an unterminated quote and invalid UTF-8 are reported with their lines', async () => {
    const f = path.join(dir, 'bad-tail.csv')
    const head = Buffer.from(messyCsv(1500, 9))
    await writeFile(
      f,
      Buffer.concat([
        head,
        Buffer.from('5001,1,c1,'),
        Buffer.from([0xff]),
        Buffer.from(',true\n'),
        Buffer.from('5002,2,c1,n,true\n'),
        Buffer.from('6,1,"never closed\n'),
      ]),
    )
    const { seq, par } = await both([f], { schema, chunkBytes: 700, threads: 2 })
    expect(seq.violations.map((v) => v.check)).toEqual(
      expect.arrayContaining(['unterminated_quote', 'invalid_utf8']),
    )
    expect(par).toEqual(seq)
  })
})
