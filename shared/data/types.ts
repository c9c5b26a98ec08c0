import { MlopsError } from '../errors.js'

/** A data file cannot be read at all (empty, not the format its name claims, unreadable): names the file. */
export class DataError extends MlopsError {
  constructor(
    readonly file: string,
    detail: string,
    readonly line?: number,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${detail}`)
  }
}

/** Problems a reader finds in the file's structure; reported as violations, never thrown. */
export type ReaderIssueKind =
  | 'ragged_row'
  | 'unterminated_quote'
  | 'malformed_quote'
  | 'invalid_utf8'
  | 'invalid_json'
  | 'duplicate_column'

export interface ReaderIssue {
  readonly kind: ReaderIssueKind
  readonly line: number
  readonly detail: string
}

/**
 * Where a reader sends what it reads. Text formats (CSV/TSV) call `textRecord` with field offsets into a
 * block of text, so no string is made for a field nobody looks at; typed formats (JSON Lines, Parquet) call
 * `valueRecord` with one value per column.
 */
export interface TableSink {
  /** The header: column names in file order. `line` is the line of the first record. */
  header(names: readonly string[]): void
  /**
   * One CSV record with exactly `header.length` fields. Field `i` is `text.slice(starts[i], ends[i])`;
   * `flags[i]` is 0 for an unquoted field, 1 for a quoted one, 2 for a quoted one with doubled quotes.
   * `suspect` is true when the block held invalid UTF-8 (decoded as U+FFFD). A record read by the fast
   * lane comes with `lane`, and without `text` when the block's string was never made: its fields are then
   * `lane.bytes` (ASCII) at the same offsets, with flags 0 or 1 (see fieldOf).
   */
  textRecord(
    text: string | undefined,
    starts: Int32Array,
    ends: Int32Array,
    flags: Uint8Array,
    line: number,
    suspect: boolean,
    lane?: LaneFields,
  ): void
  /**
   * How the CSV reader's fast lane should read each field (FIELD_TEXT, FIELD_INT or FIELD_NUMBER); asked
   * once the header is known. Without it every field is text.
   */
  fieldKinds?(): Uint8Array
  /** One record of typed values (JSON Lines, Parquet), aligned with the header. */
  valueRecord(values: readonly unknown[], line: number): void
  issue(issue: ReaderIssue): void
}

export const FIELD_TEXT = 0
export const FIELD_INT = 1
export const FIELD_NUMBER = 2

/**
 * What the CSV reader's fast lane adds to a record read straight from the bytes of an ASCII block: the
 * bytes (same offsets as the text) and the numbers it parsed on the way. `state[i]`: 0, field i was not
 * parsed (text, empty, quoted or not a plain number: parse it from the field); 1, `values[i]` is exact; 2,
 * it has more than 15 significant digits and may be 1-2 ulp off (see data/numbers.ts).
 */
export interface LaneFields {
  bytes: Uint8Array
  readonly values: Float64Array
  readonly state: Uint8Array
}

export type DataFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet'

export interface ReadOptions {
  /** Field delimiter for CSV (default ',' and '\t' for .tsv). One character. */
  readonly delimiter?: string
  /** Force a format instead of guessing it from the name. */
  readonly format?: DataFormat
  /** Longest record accepted, in characters (default 256 Mi); a longer one is an unterminated quote. */
  readonly maxRecordChars?: number
  /** Read only these columns (Parquet reads nothing else). */
  readonly columns?: readonly string[]
}
