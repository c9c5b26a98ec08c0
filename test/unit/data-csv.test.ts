import { describe, expect, it } from 'vitest'
import { CsvParser } from '../../shared/data/csv.js'
import { collectSink } from '../helpers/collect-sink.js'

/** Parses `text` fed in pieces of `step` characters (every split point must give the same result). */
function parse(text: string, step = text.length || 1, delimiter = ',') {
  const { sink, out } = collectSink()
  const p = new CsvParser(sink, delimiter)
  for (let i = 0; i < text.length; i += step) p.push(text.slice(i, i + step))
  p.end()
  return out
}

describe('CsvParser (RFC 4180)', () => {
  it.each([
    [
      'plain',
      'a,b\n1,2\n3,4\n',
      [
        ['1', '2'],
        ['3', '4'],
      ],
    ],
    [
      'no final newline',
      'a,b\n1,2\n3,4',
      [
        ['1', '2'],
        ['3', '4'],
      ],
    ],
    [
      'CRLF',
      'a,b\r\n1,2\r\n3,4\r\n',
      [
        ['1', '2'],
        ['3', '4'],
      ],
    ],
    ['quoted delimiter', 'a,b\n"x,y",2\n', [['x,y', '2']]],
    ['doubled quotes', 'a,b\n"say ""hi""",2\n', [['say "hi"', '2']]],
    ['newline in quotes', 'a,b\n"l1\nl2",2\n', [['l1\nl2', '2']]],
    ['CRLF in quotes', 'a,b\r\n"l1\r\nl2",2\r\n', [['l1\r\nl2', '2']]],
    ['empty fields are null, quoted empty is ""', 'a,b,c\n,"",\n', [[null, '', null]]],
    ['BOM', '\uFEFFa,b\n1,2\n', [['1', '2']]],
    [
      'blank lines skipped',
      'a,b\n1,2\n\n3,4\n\n',
      [
        ['1', '2'],
        ['3', '4'],
      ],
    ],
    ['trailing delimiter', 'a,b\n1,\n', [['1', null]]],
    ['unicode', 'a,b\nkäse,日本\n', [['käse', '日本']]],
  ])('%s', (_name, text, rows) => {
    for (const step of [1, 2, 3, 7, 1000]) {
      const out = parse(text, step)
      expect(out.header!.length).toBe(rows[0]!.length)
      expect(out.rows.map((r) => r.values)).toEqual(rows)
      expect(out.issues).toEqual([])
    }
  })

  it('reads the header, with a BOM removed', () => {
    expect(parse('\uFEFFid,"na,me"\n').header).toEqual(['id', 'na,me'])
  })

  it('uses a custom delimiter', () => {
    expect(parse('a;b\n1;"x;y"\n', 100, ';').rows[0]!.values).toEqual(['1', 'x;y'])
    expect(parse('a\tb\n1\t2,3\n', 100, '\t').rows[0]!.values).toEqual(['1', '2,3'])
  })

  it('tracks physical line numbers across quoted newlines', () => {
    const out = parse('a,b\n1,2\n"x\ny\nz",3\n4,5\n', 3)
    expect(out.rows.map((r) => r.line)).toEqual([2, 3, 6])
  })

  it('reports a ragged row with its line and goes on', () => {
    const out = parse('a,b\n1,2\n3\n4,5,6\n7,8\n', 4)
    expect(out.rows.map((r) => r.line)).toEqual([2, 5])
    expect(out.issues.map((i) => [i.kind, i.line])).toEqual([
      ['ragged_row', 3],
      ['ragged_row', 4],
    ])
  })

  it('reports an unterminated quote with the line it opened on', () => {
    const out = parse('a,b\n1,2\n"open,3\n4,5\n', 5)
    expect(out.rows).toHaveLength(1)
    expect(out.issues).toEqual([expect.objectContaining({ kind: 'unterminated_quote', line: 3 })])
  })

  it('bounds the carry of an unterminated quote', () => {
    const { sink, out } = collectSink()
    const p = new CsvParser(sink, ',', 100)
    p.push('a,b\n"never closed')
    for (let i = 0; i < 20; i++) p.push('xxxxxxxxxx\n')
    p.end()
    expect(out.issues[0]).toMatchObject({ kind: 'unterminated_quote', line: 2 })
  })

  it('an open quote followed by many blocks is read in linear time and reported', () => {
    const { sink, out } = collectSink()
    const p = new CsvParser(sink)
    p.push('a,b\n1,"never closed\n')
    const block = `${'x'.repeat(64 * 1024 - 1)}\n`
    for (let i = 0; i < 400; i++) p.push(block)
    p.end()
    expect(out.issues).toEqual([expect.objectContaining({ kind: 'unterminated_quote', line: 2 })])
  })

  it('reports text after a closing quote', () => {
    const out = parse('a,b\n"x"y,2\n')
    expect(out.issues[0]).toMatchObject({ kind: 'malformed_quote', line: 2 })
    expect(out.rows).toHaveLength(1)
  })

  it('handles a 10 MB single line', () => {
    const big = 'x'.repeat(10 * 1024 * 1024)
    const out = parse(`a,b\n"${big}",1\n`, 1024 * 1024)
    expect((out.rows[0]!.values[0] as string).length).toBe(big.length)
  })
})
