import { stat } from 'node:fs/promises'
import { displayPath } from '../config/load.js'
import { delimiterFor, formatOf, readTable } from '../data/read.js'
import { fileMagic } from '../data/source.js'
import type { DataFormat } from '../data/types.js'
import { ColumnAcc, hit, type Violation } from './column.js'
import { MIN_PARALLEL_BYTES, ScanPool, type SpawnWorker, threadSpawner } from './parallel-scan.js'
import { ISSUE_TEXT, RowRouter, ViolationBook } from './rows.js'
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
  /** Read large CSV/TSV files with scan workers (see parallel-scan.ts); without it, one thread reads. */
  readonly parallel?: ParallelOptions
}

export interface ParallelOptions {
  /** Number of scan workers; below 2, none. */
  readonly threads: number
  /** How to start a worker (default: worker threads running the bundled scan-worker.js). */
  readonly spawn?: SpawnWorker
  readonly chunkBytes?: number
  /** Smallest file read in parallel (default MIN_PARALLEL_BYTES). */
  readonly minFileBytes?: number
}

export interface ScanResult {
  readonly files: string[]
  readonly rows: number
  readonly columns: ColumnAcc[]
  readonly violations: Violation[]
  readonly shard?: Shard
  /** Scan workers that read some of the files (0: all read on this thread). */
  readonly workers: number
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

  const book = new ViolationBook()
  let rows = 0
  // rows of a row shard are every n-th of the file, which only a sequential read can count
  const pool = rowShard ? undefined : new LazyPool(opts.parallel)
  try {
    for (const file of mine) {
      const shown = displayPath(file)
      const headerNames: string[] = []
      const onHeader = (names: readonly string[]) => {
        const seen = new Set<string>()
        const map = names.map((n) => {
          if (seen.has(n)) {
            hit(book.get(n, 'duplicate_column', 'error', ISSUE_TEXT.duplicate_column), shown, 1, n)
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
        for (const acc of order) acc.file = shown
        return map
      }
      const parallel = await pool?.for(file, opts.format, opts.delimiter)
      const n = await parallel?.pool.scanFile(file, shown, parallel.delimiter, onHeader, order, book)
      if (n !== undefined) rows += n
      else {
        const router = new RowRouter(shown, onHeader, book, rowShard)
        await readTable(file, router, {
          delimiter: opts.delimiter,
          format: opts.format,
          columns: schema ? Object.keys(schema.columns) : undefined,
        })
        rows += router.rows
      }
      if (schema) {
        for (const name of Object.keys(schema.columns)) {
          if (!headerNames.includes(name))
            hit(book.get(name, 'missing_column', 'error', 'column missing from the file'), shown, 1, name)
        }
        if (schema.extra_columns !== 'ignore') {
          for (const n of headerNames) {
            if (!(n in schema.columns))
              hit(book.get(n, 'extra_column', schema.extra_columns, 'column not in the schema'), shown, 1, n)
          }
        }
      }
    }
  } finally {
    await pool?.close()
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
      book.get('', 'rows', 'error', `${rows} rows, fewer than the minimum ${r.min}`).count = 1
    }
    if (r?.max !== undefined && rows > r.max) {
      book.get('', 'rows', 'error', `${rows} rows, more than the maximum ${r.max}`).count = 1
    }
  }
  const violations = [...book.all(), ...order.flatMap((a) => a.allViolations())]
  return {
    files: mine.map(displayPath),
    rows,
    columns: order,
    violations,
    shard,
    workers: pool?.workers ?? 0,
  }
}

/** Starts the scan workers on the first file worth reading in parallel. */
class LazyPool {
  private pool: ScanPool | undefined
  constructor(private readonly opts: ParallelOptions | undefined) {}

  /** The pool to read `file` with (and its delimiter), or undefined to read it sequentially. */
  async for(
    file: string,
    format: DataFormat | undefined,
    delimiter: string | undefined,
  ): Promise<{ pool: ScanPool; delimiter: string } | undefined> {
    const o = this.opts
    if (!o || o.threads < 2) return undefined
    const claimed = formatOf(file)
    const f = format ?? claimed.format
    if ((f !== 'csv' && f !== 'tsv') || claimed.gzip) return undefined
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    )
    if (size < (o.minFileBytes ?? MIN_PARALLEL_BYTES)) return undefined
    const magic = await fileMagic(file)
    if (magic.gzip || magic.parquet) return undefined
    const spawn = o.spawn ?? threadSpawner()
    if (!spawn) return undefined
    this.pool ??= new ScanPool({ threads: o.threads, spawn, chunkBytes: o.chunkBytes })
    return { pool: this.pool, delimiter: delimiterFor(f, delimiter) }
  }

  get workers(): number {
    return this.pool?.workers ?? 0
  }

  async close(): Promise<void> {
    await this.pool?.close()
  }
}

export const pct = (x: number): string =>
  `${(x * 100).toFixed(x < 0.001 && x > 0 ? 3 : x < 0.1 ? 2 : 1).replace(/\.?0+$/, '')} %`
