import { CsvParser } from '../data/csv.js'
import { textPieces } from '../data/source.js'
import { ColumnAcc, type ColumnInit, type ColumnState, type UniqueValues, type Violation } from './column.js'
import { RowRouter, ViolationBook } from './rows.js'

/**
 * The worker side of a parallel scan: a scan worker reads the chunks of a CSV file it is sent into its own
 * column accumulators and, when the file is done, sends back their mergeable state. Line numbers are
 * encoded as `seg · LINE_SEG + line within the segment`, because a worker does not know how many lines the
 * chunks before its own hold; the main thread decodes them once every chunk of the file is counted.
 */
export const LINE_SEG = 2 ** 32

export type ToWorker =
  /** New columns, appended to the worker's list (indices are the main thread's). */
  | { readonly kind: 'columns'; readonly columns: readonly ColumnInit[] }
  /** The next chunks belong to this file: field i feeds column `map[i]` (-1: no column). */
  | {
      readonly kind: 'file'
      readonly shown: string
      readonly map: readonly number[]
      readonly delimiter: string
    }
  /**
   * Bytes starting at a record boundary. `cont`: they continue the previous chunk's parser (one worker
   * reads the rest of a file whose quoting the main thread cannot split safely); `last`: end the parser.
   */
  | {
      readonly kind: 'chunk'
      readonly seq: number
      readonly seg: number
      readonly buf: SharedArrayBuffer
      readonly length: number
      readonly cont: boolean
      readonly last: boolean
      /** Per column: values the sketches of finished chunks (any worker, any file) took: a floor. */
      readonly sketched: readonly number[]
    }
  /** The file is done: send the state and start afresh. */
  | { readonly kind: 'flush' }

export interface ChunkDone {
  readonly kind: 'chunk'
  readonly seq: number
  /** The chunk's buffer, free again for the main thread to reuse. */
  readonly buf: SharedArrayBuffer
  /** Line breaks read (the segment's next line minus its first). */
  readonly lines: number
  /** `unique` values of this chunk, per column index, for the main thread to check in file order. */
  readonly unique: readonly { readonly column: number; readonly values: UniqueValues }[]
  /** Per column: values this chunk gave the quantile sketch. */
  readonly sketched: readonly number[]
}

export interface ScanState {
  readonly kind: 'state'
  readonly rows: number
  readonly columns: readonly ColumnState[]
  readonly fileViolations: readonly Violation[]
}

export type FromWorker = ChunkDone | ScanState

export class ChunkScanner {
  private inits: ColumnInit[] = []
  private accs: ColumnAcc[] = []
  private book = new ViolationBook()
  private router: RowRouter | undefined
  private parser: CsvParser | undefined
  private shown = ''
  private map: readonly number[] = []
  private delimiter = ','
  private rows = 0

  handle(msg: ToWorker): FromWorker | undefined {
    switch (msg.kind) {
      case 'columns':
        for (const init of msg.columns) {
          this.inits.push(init)
          this.accs.push(newAcc(init, this.shown))
        }
        return undefined
      case 'file':
        this.rows += this.router?.rows ?? 0
        this.shown = msg.shown
        this.map = msg.map
        this.delimiter = msg.delimiter
        for (const acc of this.accs) acc.file = msg.shown
        this.startRouter()
        return undefined
      case 'chunk':
        return this.chunk(msg)
      case 'flush':
        return this.flush()
    }
  }

  private startRouter(): void {
    const columns = this.map.map((i) => (i >= 0 ? this.accs[i] : undefined))
    this.router = new RowRouter(this.shown, () => columns, this.book)
    this.router.header([])
  }

  private chunk(msg: Extract<ToWorker, { kind: 'chunk' }>): ChunkDone {
    if (!this.router) throw new Error('scan worker: a chunk came before its file')
    if (!msg.cont || !this.parser) {
      this.parser = new CsvParser(this.router, this.delimiter, undefined, {
        line: msg.seg * LINE_SEG + 1,
        columns: this.map.length,
      })
    }
    const parser = this.parser
    const first = parser.nextLine
    const sketchedBefore = this.accs.map((acc, i) => {
      acc.sketchFloor(msg.sketched[i] ?? 0)
      return acc.sketched
    })
    for (const piece of textPieces(Buffer.from(msg.buf, 0, msg.length))) parser.pushBlock(piece)
    if (msg.last) parser.end()
    const unique: ChunkDone['unique'][number][] = []
    this.accs.forEach((acc, column) => {
      const values = acc.takeUnique()
      if (values?.lines.length) unique.push({ column, values })
    })
    return {
      kind: 'chunk',
      seq: msg.seq,
      buf: msg.buf,
      lines: parser.nextLine - first,
      unique,
      sketched: this.accs.map((acc, i) => acc.sketched - sketchedBefore[i]!),
    }
  }

  private flush(): ScanState {
    const state: ScanState = {
      kind: 'state',
      rows: this.rows + (this.router?.rows ?? 0),
      columns: this.accs.map((a) => a.toState()),
      fileViolations: this.book.all(),
    }
    this.rows = 0
    this.book = new ViolationBook()
    this.accs = this.inits.map((init) => newAcc(init, this.shown))
    this.parser = undefined
    this.startRouter()
    return state
  }
}

function newAcc(init: ColumnInit, file: string): ColumnAcc {
  const acc = new ColumnAcc(init.name, init.type, init.spec)
  if (init.exact) acc.keepExact()
  acc.collectUnique()
  acc.file = file
  return acc
}
