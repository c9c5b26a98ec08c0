import { lastInexact, numberEnd, readInt, readNumber, sliceOf } from './numbers.js'
import type { TextBlock } from './source.js'
import { FIELD_INT, FIELD_TEXT, type LaneFields, type TableSink } from './types.js'

const QUOTE = 34
const LF = 10
const CR = 13
const BOM = 0xfeff

/**
 * A streaming RFC 4180 parser: quoted fields, doubled quotes, newlines inside quotes, CRLF or LF, a UTF-8 BOM
 * and any one-character delimiter. It is fed blocks of text that end at a line break (the last block may
 * not) and keeps only the unfinished record between blocks, so memory is one block plus the longest record.
 *
 * No string is made per field: records go to the sink as offsets into the block. Line numbers are physical
 * lines (1 is the header), counting the line breaks inside quoted fields.
 *
 * A block given with its bytes (ASCII) goes through the fast lane first: simple records are read straight
 * from the bytes in one pass that also parses the numbers the sink asks for (`fieldKinds`); any other
 * record goes through the general parser, and the lane takes over again after it.
 */
export class CsvParser {
  private readonly delim: number
  private carry = ''
  private carryLine = 1
  private carrySuspect = false
  private line = 1
  private ncols = -1
  private starts = new Int32Array(64)
  private ends = new Int32Array(64)
  private flags = new Uint8Array(64)
  private first = true
  /** Records seen, header excluded. */
  records = 0
  private stopped = false
  /** The carry ends inside a quoted field. */
  private openQuote = false
  /** The fast lane's field kinds and parsed numbers (from the first block with bytes after the header). */
  private kinds: Uint8Array | undefined
  private lane: LaneFields | undefined

  /**
   * `start`: parse a piece of a file that begins at a record boundary after the header (a parallel scan):
   * the number of columns is known and line numbers count from `start.line`.
   */
  constructor(
    private readonly sink: TableSink,
    delimiter = ',',
    private readonly maxRecordChars = 256 * 1024 * 1024,
    start?: { readonly line: number; readonly columns: number },
  ) {
    if (delimiter.length !== 1) throw new Error(`delimiter must be one character; got '${delimiter}'`)
    this.delim = delimiter.charCodeAt(0)
    if (start) {
      this.line = this.carryLine = start.line
      this.ncols = start.columns
      this.first = false
    }
  }

  /** The line the next record starts on. */
  get nextLine(): number {
    return this.carry ? this.carryLine : this.line
  }

  /**
   * Feeds one block. `suspect`: the block held invalid UTF-8. `bytes`: the block's bytes when it is ASCII
   * (offsets match), for the fast lane.
   */
  push(block: string, suspect = false, bytes?: Uint8Array): void {
    if (this.stopped) return
    let text = block
    if (this.first) {
      this.first = false
      if (text.charCodeAt(0) === BOM) text = text.slice(1)
    }
    if (this.carry && this.openQuote && block.indexOf('"') < 0) {
      // still inside an open quoted field: nothing can end here, so append without parsing again (a never
      // closed quote costs linear time, not quadratic)
      this.carry += block
      this.carrySuspect ||= suspect
      this.checkCarry()
      return
    }
    this.openQuote = false
    let b = bytes !== undefined && bytes.length === text.length ? bytes : undefined
    if (this.carry) {
      text = this.carry + text
      suspect ||= this.carrySuspect
      this.line = this.carryLine
      this.carry = ''
      b = undefined
    }
    const consumed = b ? this.parseLane({ text }, b, suspect) : this.parse(text, false, suspect)
    if (consumed < text.length) this.carryOver(text.slice(consumed), suspect)
  }

  /**
   * Feeds one block of a reader. An ASCII block whose records the fast lane reads is never decoded: only
   * the general parser (or a record carried over from the block before) asks for its text.
   */
  pushBlock(block: TextBlock): void {
    const b = block.bytes
    if (b === undefined || this.first || this.carry || this.stopped) {
      this.push(block.text, block.suspect, b)
      return
    }
    this.openQuote = false
    const consumed = this.parseLane(block, b, false)
    if (consumed < b.length) this.carryOver(block.text.slice(consumed), false)
  }

  /** Keeps the start of a record that the next block completes. */
  private carryOver(rest: string, suspect: boolean): void {
    this.carry = rest
    this.carrySuspect = suspect
    this.carryLine = this.line
    this.checkCarry()
  }

  private checkCarry(): void {
    if (this.carry.length > this.maxRecordChars) {
      this.sink.issue({
        kind: 'unterminated_quote',
        line: this.carryLine,
        detail: `the record starting here is longer than ${this.maxRecordChars} characters: a quote is probably never closed; the rest of the file was not read`,
      })
      this.stopped = true
      this.carry = ''
    }
  }

  /** Ends the input: parses what is left, reporting an unterminated quote. */
  end(): void {
    if (this.stopped) return
    if (this.first && !this.carry) return
    const text = this.carry
    this.carry = ''
    if (text) {
      this.line = this.carryLine
      const consumed = this.parse(text, true, this.carrySuspect)
      if (consumed < text.length) {
        this.sink.issue({
          kind: 'unterminated_quote',
          line: this.line,
          detail: 'a quoted field opened here is never closed before the end of the file',
        })
      }
    }
  }

  /**
   * Parses the complete records of an ASCII block: the fast lane where it can, the general parser for one
   * record where it cannot (the header, a blank line, a ragged row, doubled quotes, a line break inside
   * quotes...). Returns where it stopped, as parse does.
   */
  private parseLane(block: { readonly text: string }, b: Uint8Array, suspect: boolean): number {
    // the lane reads no further than the last line break, so every scan of a record stops at one
    const laneEnd = b.lastIndexOf(LF) + 1
    let pos = 0
    while (pos < laneEnd) {
      if (this.ncols > 0) pos = this.fastRecords(b, pos, laneEnd)
      if (pos >= laneEnd) break
      const nl = b.indexOf(LF, pos)
      let next: number
      if (b.subarray(pos, nl).includes(QUOTE)) next = this.parse(block.text, false, suspect, pos, true)
      else {
        // no quote: the record is this line, parsed on its own so nothing searches past it
        this.parse(sliceOf(undefined, b, pos, nl + 1), false, suspect)
        next = nl + 1
      }
      if (next === pos) return pos
      pos = next
    }
    return pos
  }

  /**
   * The fast lane: reads records from `pos` while they are simple (exactly ncols fields, each unquoted or
   * quoted without quotes or line breaks inside; LF or CRLF), straight from the bytes, parsing on the way
   * the integer and number fields the sink asked for. `n` is just past a line break. Returns the start of
   * the first record it leaves to the general parser (or `n`).
   */
  private fastRecords(b: Uint8Array, pos: number, n: number): number {
    const lane = this.lane ?? this.startLane()
    lane.bytes = b
    const kinds = this.kinds!
    const { values, state } = lane
    const delim = this.delim
    const last = this.ncols - 1
    const starts = this.starts
    const ends = this.ends
    const flags = this.flags
    while (pos < n) {
      let i = pos
      let c = b[i]!
      if (c === LF || c === CR) return pos // a blank line
      for (let f = 0; ; f++) {
        const term = f === last ? LF : delim
        let fs = i
        let fe: number
        let flag = 0
        let st = 0
        let v = Number.NaN
        if (c === QUOTE) {
          fs = ++i
          for (; i < n; i++) {
            c = b[i]!
            if (c === QUOTE || c === LF) break
          }
          if (i >= n || c !== QUOTE) return pos
          fe = i
          c = ++i < n ? b[i]! : -1
          if (c === CR && f === last && i + 1 < n && b[i + 1] === LF) c = b[++i]!
          flag = 1
        } else {
          const kind = kinds[f]!
          let ne = -1
          if (kind !== FIELD_TEXT && c !== delim && c !== LF) {
            v = kind === FIELD_INT ? readInt(b, i) : readNumber(b, i)
            ne = numberEnd
            i = ne
            c = b[i]!
          }
          while (c !== delim && c !== LF) c = b[++i]!
          fe = c === LF && i > fs && b[i - 1] === CR ? i - 1 : i
          if (fe === ne && !Number.isNaN(v)) st = kind === FIELD_INT || !lastInexact ? 1 : 2
        }
        if (c !== term) return pos // too few fields (a line break) or too many (a delimiter)
        starts[f] = fs
        ends[f] = fe
        flags[f] = flag
        state[f] = st
        values[f] = v
        if (f === last) break
        c = b[++i]!
      }
      this.records++
      this.sink.textRecord(undefined, starts, ends, flags, this.line++, false, lane)
      pos = i + 1
    }
    return pos
  }

  private startLane(): LaneFields {
    const n = this.ncols
    if (this.starts.length < n) this.grow(n)
    this.kinds = new Uint8Array(n)
    const asked = this.sink.fieldKinds?.()
    if (asked) this.kinds.set(asked.subarray(0, n))
    this.lane = { bytes: new Uint8Array(0), values: new Float64Array(n), state: new Uint8Array(n) }
    return this.lane
  }

  /** True once the header was read. */
  get hasHeader(): boolean {
    return this.ncols >= 0
  }

  private grow(n: number): void {
    const size = Math.max(n, this.starts.length * 2)
    const s = new Int32Array(size)
    s.set(this.starts)
    const e = new Int32Array(size)
    e.set(this.ends)
    const f = new Uint8Array(size)
    f.set(this.flags)
    this.starts = s
    this.ends = e
    this.flags = f
  }

  /**
   * Parses complete records from `text`, starting at `from`; returns where it stopped (the start of the first
   * incomplete record). With `final`, a record may end at the end of the text; with `one`, it stops after
   * one record.
   */
  private parse(text: string, final: boolean, suspect: boolean, from = 0, one = false): number {
    const n = text.length
    const delim = this.delim
    let i = from
    let recStart = from
    let recLine = this.line
    let nf = 0
    let line = this.line
    let malformed = false
    const delimChar = String.fromCharCode(delim)
    let nextQuote = text.indexOf('"', from)
    if (nextQuote < 0) nextQuote = n
    while (i < n || (final && i === n && (nf > 0 || i > recStart))) {
      // fast path: a whole record without quotes, split with native indexOf
      if (nf === 0 && i < n) {
        if (nextQuote < i) {
          nextQuote = text.indexOf('"', i)
          if (nextQuote < 0) nextQuote = n
        }
        const nl = text.indexOf('\n', i)
        if (nl >= 0 && nl < nextQuote) {
          const end = nl > i && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl
          let fs = i
          for (;;) {
            if (nf >= this.starts.length) this.grow(nf + 1)
            let d = text.indexOf(delimChar, fs)
            if (d < 0 || d > end) d = end
            this.starts[nf] = fs
            this.ends[nf] = d
            this.flags[nf] = 0
            nf++
            if (d >= end) break
            fs = d + 1
          }
          // a CR inside the last field only counts as the line end when right before LF (handled by `end`)
          i = nl + 1
          line++
          this.record(text, nf, recLine, suspect, false)
          nf = 0
          recStart = i
          recLine = line
          if (one) break
          continue
        }
      }
      // one field
      if (nf >= this.starts.length) this.grow(nf + 1)
      let c = i < n ? text.charCodeAt(i) : -1
      let fs: number
      let fe: number
      let flag = 0
      if (c === QUOTE) {
        let j = i + 1
        flag = 1
        for (;;) {
          const q = text.indexOf('"', j)
          if (q < 0) {
            // incomplete: the closing quote is in a later block (or never comes)
            this.line = recLine
            this.openQuote = true
            return recStart
          }
          // count line breaks inside the quoted part
          let nl = text.indexOf('\n', j)
          while (nl >= 0 && nl < q) {
            line++
            nl = text.indexOf('\n', nl + 1)
          }
          if (q + 1 < n && text.charCodeAt(q + 1) === QUOTE) {
            flag = 2
            j = q + 2
            continue
          }
          if (q + 1 >= n && !final) {
            // a quote at the very end: it could be the first of a doubled pair
            this.line = recLine
            return recStart
          }
          fs = i + 1
          fe = q
          i = q + 1
          break
        }
        c = i < n ? text.charCodeAt(i) : -1
        if (c !== delim && c !== LF && c !== CR && c !== -1) {
          // text after the closing quote: keep it in the field, as most readers do, and report it
          malformed = true
          while (i < n) {
            c = text.charCodeAt(i)
            if (c === delim || c === LF) break
            i++
          }
          fe = i > 0 && text.charCodeAt(i - 1) === CR && c === LF ? i - 1 : i
          flag = 3
          c = i < n ? c : -1
        } else if (c === CR) {
          if (i + 1 < n && text.charCodeAt(i + 1) === LF) {
            i++
            c = LF
          } else if (i + 1 >= n && !final) {
            this.line = recLine
            return recStart
          } else {
            c = LF
          }
        }
      } else {
        fs = i
        while (i < n) {
          c = text.charCodeAt(i)
          if (c === delim || c === LF) break
          i++
        }
        if (i >= n) {
          if (!final) {
            this.line = recLine
            return recStart
          }
          c = -1
        }
        fe = i > fs && text.charCodeAt(i - 1) === CR && c !== delim ? i - 1 : i
      }
      this.starts[nf] = fs
      this.ends[nf] = fe
      this.flags[nf] = flag
      nf++
      if (c === delim) {
        i++
        if (i === n && final) continue
        continue
      }
      // end of record (LF or end of text)
      if (c === LF) {
        i++
        line++
      }
      this.record(text, nf, recLine, suspect, malformed)
      malformed = false
      nf = 0
      recStart = i
      recLine = line
      if (i >= n || one) break
    }
    this.line = line
    return final ? n : recStart
  }

  private record(text: string, nf: number, line: number, suspect: boolean, malformed: boolean): void {
    if (nf === 1 && this.starts[0] === this.ends[0] && this.flags[0] === 0) return // blank line
    if (this.ncols < 0) {
      const names: string[] = []
      for (let k = 0; k < nf; k++) names.push(fieldText(text, this.starts[k]!, this.ends[k]!, this.flags[k]!))
      this.ncols = nf
      this.sink.header(names)
      return
    }
    this.records++
    if (malformed) {
      this.sink.issue({
        kind: 'malformed_quote',
        line,
        detail: 'text follows a closing quote inside a field',
      })
    }
    if (nf !== this.ncols) {
      this.sink.issue({
        kind: 'ragged_row',
        line,
        detail: `${nf} field${nf === 1 ? '' : 's'}, expected ${this.ncols}`,
      })
      return
    }
    this.sink.textRecord(text, this.starts, this.ends, this.flags, line, suspect)
  }
}

/** The value of a field given its offsets and flag (undoubling quotes when needed). */
export function fieldText(text: string, s: number, e: number, flag: number): string {
  const v = text.slice(s, e)
  return flag === 2 || flag === 3 ? v.replace(/""/g, '"') : v
}

/** fieldText of a record from the fast lane too, whose text may be undefined (see TableSink.textRecord). */
export function fieldOf(
  text: string | undefined,
  bytes: Uint8Array | undefined,
  s: number,
  e: number,
  flag: number,
): string {
  // the lane's fields have no doubled quotes (flags 0 and 1): the bytes are the field
  return text !== undefined ? fieldText(text, s, e, flag) : sliceOf(text, bytes, s, e)
}
