import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { beforeAll, describe, expect, it } from 'vitest'
import { readTable } from '../../shared/data/read.js'
import { DataError } from '../../shared/data/types.js'
import { scanDataset } from '../../shared/validate/scan.js'
import { dataSchema } from '../../shared/validate/schema.js'
import { collectSink } from '../helpers/collect-sink.js'

let dir: string
const file = (name: string) => path.join(dir, name)
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'data-read-'))
})

async function read(name: string, content: string | Uint8Array) {
  await writeFile(file(name), content)
  const { sink, out } = collectSink()
  const n = await readTable(file(name), sink)
  return { ...out, n }
}

const CSV = 'id,name\n1,"a, b"\n2,c\n'

describe('readTable', () => {
  it('reads gzip like the plain file', async () => {
    const plain = await read('p.csv', CSV)
    const gz = await read('p.csv.gz', gzipSync(CSV))
    expect(gz.rows).toEqual(plain.rows)
    expect(gz.rows.map((r) => r.values)).toEqual([
      ['1', 'a, b'],
      ['2', 'c'],
    ])
  })

  it('reads TSV by its name', async () => {
    const t = await read('t.tsv', 'a\tb\n1\tx,y\n')
    expect(t.rows[0]!.values).toEqual(['1', 'x,y'])
  })

  it('reads JSON Lines, reporting a bad line with its number', async () => {
    const j = await read('j.jsonl', '{"id":1,"x":2.5}\n\nnot json\n[1]\n{"id":3,"x":null}\n')
    expect(j.header).toEqual(['id', 'x'])
    expect(j.rows).toEqual([
      { line: 1, values: [1, 2.5] },
      { line: 5, values: [3, null] },
    ])
    expect(j.issues.map((i) => [i.kind, i.line])).toEqual([
      ['invalid_json', 3],
      ['invalid_json', 4],
    ])
  })

  it('reads Parquet one row group at a time', async () => {
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'id', data: Int32Array.from({ length: 2500 }, (_, i) => i + 1) },
        { name: 'x', data: Array.from({ length: 2500 }, (_, i) => (i % 10 === 0 ? null : i / 2)) },
        { name: 'c', data: Array.from({ length: 2500 }, (_, i) => `k${i % 3}`) },
      ],
      rowGroupSize: 1000,
    })
    const p = await read('d.parquet', new Uint8Array(buf))
    expect(p.header).toEqual(['id', 'x', 'c'])
    expect(p.n).toBe(2500)
    expect(p.rows[1]).toEqual({ line: 2, values: [2, 0.5, 'k1'] })
    expect(p.rows[2499]!.values[0]).toBe(2500)
  })

  it.each([
    ['an empty file', 'e.csv', '', 'the file is empty'],
    ['only blank lines', 'b.csv', '\n\n\n', 'only blank lines'],
    ['.gz that is not gzip', 'n.csv.gz', CSV, 'not gzip'],
    ['gzip without .gz', 'g.csv', gzipSync(CSV), 'gzip-compressed'],
    ['.parquet that is not Parquet', 'n.parquet', CSV, "does not start with 'PAR1'"],
    ['Parquet named .csv', 'pq.csv', 'PAR1xxxxPAR1', 'this is a Parquet file'],
    ['truncated gzip', 't.csv.gz', gzipSync(CSV).subarray(0, 12), 'not a valid gzip stream'],
  ])('%s is a clear error naming the file', async (_n, name, content, msg) => {
    const err = await read(name, content).catch((e) => e)
    expect(err).toBeInstanceOf(DataError)
    expect(err.message).toContain(name)
    expect(err.message).toContain(msg)
  })

  it('reads a 10 MB single line', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024)
    const r = await read('long.csv', `a,b\n${big},1\n`)
    expect((r.rows[0]!.values[0] as string).length).toBe(big.length)
  })
})

describe('bad input is data', () => {
  const schema = dataSchema.parse({
    columns: { id: { type: 'integer' }, x: { type: 'number' }, name: { type: 'string', nullable: true } },
    rows: { min: 1 },
  })
  const scan = async (name: string, content: string | Uint8Array) => {
    await writeFile(file(name), content)
    return scanDataset([file(name)], { schema })
  }
  const check = (s: Awaited<ReturnType<typeof scan>>, c: string) => s.violations.find((v) => v.check === c)

  it('a header-only file has no rows and fails the row bound', async () => {
    const s = await scan('h.csv', 'id,x,name\n')
    expect(s.rows).toBe(0)
    expect(check(s, 'rows')?.message).toContain('0 rows')
  })

  it('text in a numeric column is a type violation with line and value', async () => {
    const s = await scan('t.csv', 'id,x,name\n1,2.5,a\n2,abc,b\n3,1e400,c\n4, 7,d\n')
    expect(check(s, 'type')).toMatchObject({
      column: 'x',
      count: 3,
      samples: [
        expect.objectContaining({ line: 3, value: 'abc' }),
        expect.objectContaining({ line: 4, value: '1e400' }),
        expect.objectContaining({ line: 5, value: ' 7' }),
      ],
    })
  })

  it('duplicate header names are a violation; the first column is used', async () => {
    const s = await scan('d.csv', 'id,x,x,name\n1,2,zzz,a\n')
    expect(check(s, 'duplicate_column')).toMatchObject({ column: 'x', count: 1 })
    expect(check(s, 'type')).toBeUndefined()
  })

  it('invalid UTF-8 is reported on its line', async () => {
    const bytes = Buffer.concat([
      Buffer.from('id,x,name\n1,2,ok\n2,3,'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('\n3,4,fine\n'),
    ])
    const s = await scan('u.csv', bytes)
    expect(check(s, 'invalid_utf8')).toMatchObject({
      count: 1,
      samples: [expect.objectContaining({ line: 3 })],
    })
    expect(s.rows).toBe(3)
  })

  it('binary junk named .csv is reported, not a crash or a hang', async () => {
    const junk = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256))
    const s = await scan('junk.csv', junk)
    expect(s.violations.length).toBeGreaterThan(0)
  })

  it('an unterminated quote is reported with the line it opened on', async () => {
    const s = await scan('q.csv', 'id,x,name\n1,2,"open\n2,3,b\n')
    expect(check(s, 'unterminated_quote')?.samples[0]?.line).toBe(2)
  })

  it('ragged rows are reported and skipped', async () => {
    const s = await scan('r.csv', 'id,x,name\n1,2\n2,3,b,extra\n3,4,c\n')
    expect(check(s, 'ragged_row')?.count).toBe(2)
    expect(s.columns[0]!.count).toBe(1)
  })
})

describe('Parquet with a schema', () => {
  it('decodes only the schema columns but sees the extra ones', async () => {
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'id', data: Int32Array.from([1, 2, 2]) },
        { name: 'extra', data: ['a', 'b', 'c'] },
      ],
    })
    await writeFile(file('s.parquet'), new Uint8Array(buf))
    const schema = dataSchema.parse({
      columns: { id: { type: 'integer', unique: true } },
      extra_columns: 'error',
    })
    const s = await scanDataset([file('s.parquet')], { schema })
    expect(s.violations.map((v) => `${v.column}:${v.check}`).sort()).toEqual([
      'extra:extra_column',
      'id:unique',
    ])
    expect(s.violations.find((v) => v.check === 'unique')?.samples[0]?.line).toBe(3)
  })
})
