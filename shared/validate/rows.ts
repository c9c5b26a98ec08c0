import { fieldText } from '../data/csv.js'
import { FIELD_TEXT, type LaneFields, type ReaderIssue, type TableSink } from '../data/types.js'
import { type ColumnAcc, hit, newViolation, type Severity, type Violation } from './column.js'
import { latin1Bytes } from './parse.js'
import type { Shard } from './scan.js'

export const ISSUE_TEXT: Record<ReaderIssue['kind'], string> = {
  ragged_row: 'row with the wrong number of fields (skipped)',
  unterminated_quote: 'quoted field never closed',
  malformed_quote: 'text after a closing quote',
  invalid_utf8: 'bytes that are not UTF-8',
  invalid_json: 'line that is not a JSON object (skipped)',
  duplicate_column: 'duplicate column name (later ones ignored)',
}

/** Violations that belong to a file rather than to a column's values, one per column and check. */
export class ViolationBook {
  readonly byKey = new Map<string, Violation>()

  get(column: string, check: string, severity: Severity, message: string): Violation {
    const key = `${column}\u0000${check}`
    let v = this.byKey.get(key)
    if (!v) {
      v = newViolation(column, check, severity, message)
      this.byKey.set(key, v)
    }
    return v
  }

  all(): Violation[] {
    return [...this.byKey.values()]
  }
}

/**
 * Sends the records of one file to the column accumulators (field i to `columns[i]`; undefined skips it)
 * and the reader's structural issues to `book`. Counts rows; with `rowShard`, keeps every n-th row only.
 * The sequential scan and the scan workers both read through this.
 */
export class RowRouter implements TableSink {
  rows = 0
  private seq = 0
  private width = 0
  private columns: readonly (ColumnAcc | undefined)[] = []

  /** `onHeader` maps the header's names to the accumulators of their fields. */
  constructor(
    private readonly shown: string,
    private readonly onHeader: (names: readonly string[]) => readonly (ColumnAcc | undefined)[],
    private readonly book: ViolationBook,
    private readonly rowShard?: Shard,
  ) {}

  private skip(): boolean {
    const s = this.rowShard
    return s !== undefined && this.seq++ % s.count !== s.index - 1
  }

  header(names: readonly string[]): void {
    this.columns = this.onHeader(names)
    this.width = this.columns.length
  }

  textRecord(
    text: string | undefined,
    starts: Int32Array,
    ends: Int32Array,
    flags: Uint8Array,
    line: number,
    suspect: boolean,
    lane?: LaneFields,
  ): void {
    if (this.rowShard && this.skip()) return
    this.rows++
    const width = this.width
    // a suspect block is not ASCII, so it always comes with its text
    if (suspect && text !== undefined) {
      for (let i = 0; i < width; i++) {
        if (fieldText(text, starts[i]!, ends[i]!, flags[i]!).includes('\uFFFD')) {
          hit(this.book.get('', 'invalid_utf8', 'error', ISSUE_TEXT.invalid_utf8), this.shown, line, '')
          break
        }
      }
    }
    const columns = this.columns
    const bytes = lane ? lane.bytes : latin1Bytes(text!)
    for (let i = 0; i < width; i++) {
      const acc = columns[i]
      if (!acc) continue
      const st = lane ? lane.state[i]! : 0
      if (st !== 0) acc.parsedNumber(lane!.values[i]!, st === 2, text, bytes!, starts[i]!, ends[i]!, line)
      else acc.text(text, starts[i]!, ends[i]!, flags[i]!, line, bytes)
    }
  }

  /** The fast lane parses the fields of integer and number columns (see CsvParser). */
  fieldKinds(): Uint8Array {
    return Uint8Array.from(this.columns, (acc) => acc?.fieldKind ?? FIELD_TEXT)
  }

  valueRecord(values: readonly unknown[], line: number): void {
    if (this.rowShard && this.skip()) return
    this.rows++
    for (let i = 0; i < this.width; i++) {
      const acc = this.columns[i]
      if (acc) acc.value(values[i], line)
    }
  }

  issue(issue: ReaderIssue): void {
    if (issue.kind === 'ragged_row' || issue.kind === 'invalid_json') {
      if (this.rowShard && this.skip()) return
      this.rows++
    }
    hit(this.book.get('', issue.kind, 'error', ISSUE_TEXT[issue.kind]), this.shown, issue.line, issue.detail)
  }
}
