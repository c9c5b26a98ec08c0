import { describe, expect, it } from 'vitest'
import { CsvParser, fieldOf } from '../../shared/data/csv.js'
import { lastInexact, parseIntText, parseNumberText } from '../../shared/data/numbers.js'
import type { TextBlock } from '../../shared/data/source.js'
import { FIELD_INT, FIELD_NUMBER, FIELD_TEXT } from '../../shared/data/types.js'
import { collectSink } from '../helpers/collect-sink.js'

/** An ASCII block as the readers make it (its string made on first use): `onDecode` counts that. */
function asciiBlock(text: string, onDecode: () => void): TextBlock {
  let decoded: string | undefined
  return {
    get text() {
      if (decoded === undefined) onDecode()
      decoded = text
      return decoded
    },
    suspect: false,
    bytes: Buffer.from(text, 'latin1'),
  }
}

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

describe('CsvParser fast lane (blocks given with their bytes)', () => {
  /** A sink that records every record, with the lane's parsed numbers checked against the text parsers. */
  function laneSink(kinds: number[]) {
    const { sink, out } = collectSink()
    const parsed: string[] = []
    const textRecord = sink.textRecord
    sink.textRecord = (text, starts, ends, flags, line, suspect, lane) => {
      textRecord(text, starts, ends, flags, line, suspect, lane)
      if (!lane) return
      for (let i = 0; i < starts.length && i < kinds.length; i++) {
        if (!lane.state[i]) continue
        const field = fieldOf(text, lane.bytes, starts[i]!, ends[i]!, 0)
        const want =
          kinds[i] === FIELD_INT
            ? parseIntText(field, 0, field.length)
            : parseNumberText(field, 0, field.length)
        // the same double, and the same word on exactness
        expect(Object.is(lane.values[i], want), `${field} → ${lane.values[i]} (want ${want})`).toBe(true)
        if (kinds[i] === FIELD_NUMBER) expect(lane.state[i] === 2).toBe(lastInexact)
        expect(lane.bytes[starts[i]!]).toBe(field.charCodeAt(0))
        parsed.push(field)
      }
    }
    sink.fieldKinds = () => Uint8Array.from(kinds)
    return { sink, out, parsed }
  }

  /** Feeds `text` in blocks cut after the line breaks at `cuts`, with (lane) or without their bytes. */
  function feed(text: string, kinds: number[], lane: boolean, cuts: number[] = []) {
    const s = laneSink(kinds)
    const p = new CsvParser(s.sink)
    let from = 0
    let decoded = 0
    for (const cut of [...cuts.filter((c) => c > 0 && c < text.length), text.length]) {
      const piece = text.slice(from, cut)
      from = cut
      if (!piece) continue
      // with the lane, as the readers feed it: a block whose string is made only when asked for
      if (lane) p.pushBlock(asciiBlock(piece, () => decoded++))
      else p.push(piece)
    }
    p.end()
    return { out: s.out, parsed: s.parsed, records: p.records, decoded }
  }

  const KINDS = [FIELD_INT, FIELD_NUMBER, FIELD_TEXT, FIELD_NUMBER]

  it.each([
    ['plain', 'id,x,c,y\n1,2.5,a,3\n2,-0.125,b,4e2\n'],
    ['CRLF', 'id,x,c,y\r\n1,2.5,a,3\r\n2,,b,\r\n'],
    ['quoted fields', 'id,x,c,y\n1,"2.5","a,b",3\n2,1,"",""\n'],
    ['doubled quotes and quoted newlines', 'id,x,c,y\n1,2,"a ""b""",3\n2,3,"line\nbreak",4\n5,6,c,7\n'],
    ['ragged rows and blank lines', 'id,x,c,y\n1,2,a\n\n3,4,b,5,6\n7,8,c,9\n\r\n10,11,d,12\n'],
    ['text after a quote', 'id,x,c,y\n1,2,"a"b,3\n4,5,c,6\n'],
    ['not numbers', 'id,x,c,y\n1.5,abc,c,1e\n+,-,c,.\n007,0.000123,c,-0\n'],
    ['long digits', 'id,x,c,y\n1234567890123456,0.12345678901234567890,c,12345678901234567.5\n'],
    ['no final newline', 'id,x,c,y\n1,2,a,3\n4,5,b,6'],
    ['unterminated quote', 'id,x,c,y\n1,2,"open,3\n4,5,b,6\n'],
    ['a CR inside a field', 'id,x,c,y\n1,2\r5,a\rb,3\n'],
  ])('%s: the same records, lines and issues as the general parser', (_name, text) => {
    const general = feed(text, KINDS, false)
    for (const cuts of [[], [...text.matchAll(/\n/g)].map((m) => m.index! + 1)]) {
      const lane = feed(text, KINDS, true, cuts)
      expect(lane.out).toEqual(general.out)
      expect(lane.records).toBe(general.records)
    }
  })

  it('an ASCII block is decoded only for a record with quotes the lane does not take, and once', () => {
    const header = 'id,x,c,y\n'
    const simple = '1,2.5,"a,b",3\n2,-0.125,b,4\n'
    // a doubled quote (the general parser reads it from the block's string), a ragged line without quotes
    // (parsed from its own bytes), then another doubled quote read from the same string
    const hard = '3,4,"say ""hi""",5\n6,7,e\n8,9,"f""",10\n11,12,g,13\n'
    const { sink, out } = collectSink()
    sink.fieldKinds = () => Uint8Array.from(KINDS)
    const p = new CsvParser(sink)
    let decoded = 0
    p.pushBlock(asciiBlock(header, () => decoded++)) // the header goes through the general parser
    const afterHeader = decoded
    p.pushBlock(asciiBlock(simple, () => decoded++))
    expect(decoded).toBe(afterHeader)
    p.pushBlock(asciiBlock(hard, () => decoded++))
    expect(decoded).toBe(afterHeader + 1)
    p.end()
    expect(out.rows.map((r) => r.values)).toEqual([
      ['1', '2.5', 'a,b', '3'],
      ['2', '-0.125', 'b', '4'],
      ['3', '4', 'say "hi"', '5'],
      ['8', '9', 'f"', '10'],
      ['11', '12', 'g', '13'],
    ])
    expect(out.issues.map((i) => [i.kind, i.line])).toEqual([['ragged_row', 5]])
  })

  it('random records: the same as the general parser, whatever the blocks', () => {
    let seed = 7
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
    const numbers = [
      '0',
      '-7',
      '+3',
      '42',
      '3.25',
      '-0.5',
      '.5',
      '5.',
      '1e5',
      '2.5E-3',
      '00012',
      '0.000001',
      '12345678901234567',
      '-1.2345678901234567',
      '0.1234567890123456789',
      '1234567890123456789012',
      '1e400',
      '',
      '-',
      '.',
      'abc',
      '1.2.3',
      '1,5',
      ' 1',
      '1 ',
    ]
    const fields = [
      ...numbers,
      'text',
      '"quoted"',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      '"x"y',
      'a"b',
      '""',
    ]
    const lines = ['id,x,c,y']
    for (let r = 0; r < 400; r++) {
      const width = rand() < 0.05 ? pick([1, 3, 5]) : 4
      if (rand() < 0.03) lines.push('')
      else
        lines.push(
          Array.from({ length: width }, () => (rand() < 0.6 ? pick(numbers) : pick(fields))).join(','),
        )
    }
    const text = lines.join(rand() < 0.5 ? '\n' : '\r\n') + '\n'
    const general = feed(text, KINDS, false)
    const breaks = [...text.matchAll(/\n/g)].map((m) => m.index! + 1)
    for (let k = 0; k < 5; k++) {
      const cuts = breaks.filter(() => rand() < 0.1)
      const lane = feed(text, KINDS, true, cuts)
      expect(lane.out).toEqual(general.out)
      expect(lane.parsed.length).toBeGreaterThan(100)
    }
  })
})
