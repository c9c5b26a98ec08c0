import { displayPath } from '../config/load.js'
import { fieldText } from '../data/csv.js'
import { readTable } from '../data/read.js'
import type { DataFormat, ReaderIssue, TableSink } from '../data/types.js'
import { ColumnAcc, hit, newViolation, type Violation } from './column.js'
import { latin1Bytes } from './parse.js'
import type { DataSchema } from './schema.js'

export interface Shard {
  /** 1-based. */
  readonly index: number
  readonly count: number
}

/** Parses `i/n` (1 ≤ i ≤ n). */
export function parseShard(text: string): Shard | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  if (!m) return undefined
  const index = Number(m[1])
  const count = Number(m[2])
  return index >= 1 && index <= count ? { index, count } : undefined
}

export interface ScanOptions {
  readonly schema?: DataSchema
  readonly delimiter?: string
  readonly format?: DataFormat
  readonly shard?: Shard
  /** Columns whose exact values are kept for exact drift tests (up to EXACT_LIMIT each). */
  readonly exactColumns?: (name: string) => boolean
}

export interface ScanResult {
  readonly files: string[]
  readonly rows: number
  readonly columns: ColumnAcc[]
  readonly violations: Violation[]
  readonly shard?: Shard
}

const ISSUE_TEXT: Record<ReaderIssue['kind'], string> = {
  ragged_row: 'row with the wrong number of fields (skipped)',
  unterminated_quote: 'quoted field never closed',
  malformed_quote: 'text after a closing quote',
  invalid_utf8: 'bytes that are not UTF-8',
  invalid_json: 'line that is not a JSON object (skipped)',
  duplicate_column: 'duplicate column name (later ones ignored)',
}

/**
 * One pass over every file: schema checks and per-column profile state. With `shard: i/n`, takes every
 * n-th file when there are at least n files, else every n-th row of each file, so n matrix jobs together
 * cover the data exactly once.
 */
export async function scanDataset(files: readonly string[], opts: ScanOptions = {}): Promise<ScanResult> {
  const schema = opts.schema
  const shard = opts.shard
  const byFile = shard && files.length >= shard.count
  const mine = byFile ? files.filter((_, i) => i % shard.count === shard.index - 1) : [...files]
  const rowShard = shard && !byFile ? shard : undefined

  const columns = new Map<string, ColumnAcc>()
  const order: ColumnAcc[] = []
  const addColumn = (name: string, acc: ColumnAcc) => {
    columns.set(name, acc)
    order.push(acc)
    if (opts.exactColumns?.(name)) acc.keepExact()
  }
  if (schema)
    for (const [name, spec] of Object.entries(schema.columns))
      addColumn(name, new ColumnAcc(name, spec.type, spec))

  const fileViolations = new Map<string, Violation>()
  const fileViolation = (column: string, check: string, severity: 'error' | 'warning', message: string) => {
    const key = `${column}\u0000${check}`
    let v = fileViolations.get(key)
    if (!v) {
      v = newViolation(column, check, severity, message)
      fileViolations.set(key, v)
    }
    return v
  }
  let rows = 0

  for (const file of mine) {
    const shown = displayPath(file)
    let map: (ColumnAcc | undefined)[] = []
    let width = 0
    let seq = 0
    const headerNames: string[] = []
    const sink: TableSink = {
      header(names) {
        const seen = new Set<string>()
        map = names.map((n) => {
          if (seen.has(n)) {
            hit(fileViolation(n, 'duplicate_column', 'error', ISSUE_TEXT.duplicate_column), shown, 1, n)
            return undefined
          }
          seen.add(n)
          headerNames.push(n)
          let acc = columns.get(n)
          if (!acc && !schema) {
            acc = new ColumnAcc(n, 'auto')
            addColumn(n, acc)
          }
          return acc
        })
        width = map.length
        for (const acc of order) acc.file = shown
      },
      textRecord(text, starts, ends, flags, line, suspect) {
        if (rowShard && seq++ % rowShard.count !== rowShard.index - 1) return
        rows++
        if (suspect) {
          for (let i = 0; i < width; i++) {
            if (fieldText(text, starts[i]!, ends[i]!, flags[i]!).includes('\uFFFD')) {
              hit(fileViolation('', 'invalid_utf8', 'error', ISSUE_TEXT.invalid_utf8), shown, line, '')
              break
            }
          }
        }
        const bytes = latin1Bytes(text)
        for (let i = 0; i < width; i++) {
          const acc = map[i]
          if (acc) acc.text(text, starts[i]!, ends[i]!, flags[i]!, line, bytes)
        }
      },
      valueRecord(values, line) {
        if (rowShard && seq++ % rowShard.count !== rowShard.index - 1) return
        rows++
        for (let i = 0; i < width; i++) {
          const acc = map[i]
          if (acc) acc.value(values[i], line)
        }
      },
      issue(issue) {
        if (issue.kind === 'ragged_row' || issue.kind === 'invalid_json') {
          if (rowShard && seq++ % rowShard.count !== rowShard.index - 1) return
          rows++
        }
        hit(fileViolation('', issue.kind, 'error', ISSUE_TEXT[issue.kind]), shown, issue.line, issue.detail)
      },
    }
    await readTable(file, sink, {
      delimiter: opts.delimiter,
      format: opts.format,
      columns: schema ? Object.keys(schema.columns) : undefined,
    })
    if (schema) {
      for (const name of Object.keys(schema.columns)) {
        if (!headerNames.includes(name))
          hit(fileViolation(name, 'missing_column', 'error', 'column missing from the file'), shown, 1, name)
      }
      if (schema.extra_columns !== 'ignore') {
        for (const n of headerNames) {
          if (!(n in schema.columns))
            hit(
              fileViolation(n, 'extra_column', schema.extra_columns, 'column not in the schema'),
              shown,
              1,
              n,
            )
        }
      }
    }
  }

  // dataset-level checks
  if (schema) {
    for (const acc of order) {
      const spec = acc.spec!
      const total = acc.count + acc.nulls + acc.invalid
      if (spec.max_null_fraction !== undefined && total > 0 && acc.nulls / total > spec.max_null_fraction) {
        const v = acc.violation(
          'max_null_fraction',
          'error',
          `${pct(acc.nulls / total)} nulls, more than the allowed ${pct(spec.max_null_fraction)}`,
        )
        v.count = acc.nulls
      }
    }
    const r = shard ? undefined : schema.rows // row bounds apply to the whole dataset: checked at the merge
    if (r?.min !== undefined && rows < r.min) {
      fileViolation('', 'rows', 'error', `${rows} rows, fewer than the minimum ${r.min}`).count = 1
    }
    if (r?.max !== undefined && rows > r.max) {
      fileViolation('', 'rows', 'error', `${rows} rows, more than the maximum ${r.max}`).count = 1
    }
  }
  const violations = [...fileViolations.values(), ...order.flatMap((a) => a.allViolations())]
  return { files: mine.map(displayPath), rows, columns: order, violations, shard }
}

export const pct = (x: number): string =>
  `${(x * 100).toFixed(x < 0.001 && x > 0 ? 3 : x < 0.1 ? 2 : 1).replace(/\.?0+$/, '')} %`
