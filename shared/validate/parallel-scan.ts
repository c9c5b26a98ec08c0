import { isUtf8 } from 'node:buffer'
import { existsSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { charBoundary } from '../data/source.js'
import { ChunkScanner, type FromWorker, LINE_SEG, type ScanState, type ToWorker } from './chunk-scan.js'
import { type ColumnAcc, type ColumnInit, mergeViolationParts, type Violation } from './column.js'
import type { ViolationBook } from './rows.js'

/**
 * The main thread of a parallel scan of one large CSV/TSV file. It reads the file in chunks, cuts each
 * chunk after the last line break that ends a record (tracking quotes), and hands the chunks to scan
 * workers, which parse and check them in parallel. `unique` is checked here, in file order, from the
 * values the workers send back; everything else merges from the workers' state at the end of the file.
 *
 * The cut is only trusted while every quote is where RFC 4180 puts one (opening a field, doubled inside
 * one, closing one). At the first quote that is not, the rest of the file goes to one worker as one
 * stream, so a malformed file is read exactly as the sequential reader reads it.
 */
export const CHUNK_BYTES = 1 << 20
/** Files smaller than this are read on the main thread: starting workers costs more than it saves. */
export const MIN_PARALLEL_BYTES = 16 << 20
/** A record longer than this without a safe cut goes to the one-stream path (the parser reports it). */
const MAX_CARRY_BYTES = 64 << 20
const IN_FLIGHT = 2
const LF = 10
const CR = 13
const QUOTE = 34

/**
 * A scan worker: a worker thread, or (in tests) a ChunkScanner in this thread. Messages are posted without
 * a transfer list: chunks live in SharedArrayBuffers. Transferring an ArrayBuffer detaches it, and the first
 * detach in a thread makes V8 throw away all of that thread's optimized code that reads typed arrays (the
 * "ArrayBufferDetaching" protector), which each worker then compiles again.
 */
export interface ScanWorker {
  post(msg: ToWorker): void
  terminate(): Promise<void>
}
export type SpawnWorker = (onMessage: (m: FromWorker) => void, onError: (e: Error) => void) => ScanWorker

/** The bundled worker script next to the bundle (dist/scan-worker.js); undefined when running from source. */
export function workerScript(): string | undefined {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scan-worker.js')
  return existsSync(file) ? file : undefined
}

/** Worker threads, when the bundled worker script is there. */
export function threadSpawner(): SpawnWorker | undefined {
  const script = workerScript()
  if (!script) return undefined
  return (onMessage, onError) => {
    // a small young generation keeps each worker's memory low; the chunks' strings die young anyway
    const w = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: 8 } })
    w.on('message', onMessage)
    w.on('error', onError)
    w.on('exit', (code) => {
      if (code !== 0) onError(new Error(`scan worker exited with code ${code}`))
    })
    return {
      post: (msg) => w.postMessage(msg),
      terminate: async () => {
        w.removeAllListeners('exit')
        await w.terminate()
      },
    }
  }
}

/** Scanners in this thread, answering asynchronously as a worker would (tests). */
export const inProcessSpawner: SpawnWorker = (onMessage, onError) => {
  const scanner = new ChunkScanner()
  return {
    post(msg) {
      setImmediate(() => {
        try {
          const r = scanner.handle(msg)
          if (r) onMessage(r)
        } catch (e) {
          onError(e as Error)
        }
      })
    },
    terminate: async () => {},
  }
}

/** Scan options for a `threads` setting: 0 one per core (at most 8), 1 (or unset) none. */
export function parallelFor(threads: number | undefined): { threads: number } | undefined {
  const n = threads === 0 ? Math.min(8, availableParallelism()) : (threads ?? 1)
  return n > 1 ? { threads: n } : undefined
}

export interface PoolOptions {
  readonly threads: number
  readonly spawn: SpawnWorker
  readonly chunkBytes?: number
}

interface Slot {
  readonly worker: ScanWorker
  inFlight: number
}

/** The scan workers of one scan, created on the first large file and closed at the end. */
export class ScanPool {
  private readonly slots: Slot[] = []
  private failure: Error | undefined
  private wake: (() => void) | undefined
  private states: ScanState[] = []
  private readonly done = new Map<number, Extract<FromWorker, { kind: 'chunk' }>>()
  private readonly freeBuffers: SharedArrayBuffer[] = []
  private sentColumns = 0
  private nextSeq = 1
  /** Per column: values the sketches of finished chunks took (sent with each chunk as a floor). */
  private readonly sketched: number[] = []
  readonly chunkBytes: number

  constructor(opts: PoolOptions) {
    this.chunkBytes = opts.chunkBytes ?? CHUNK_BYTES
    for (let i = 0; i < opts.threads; i++) {
      const slot: Slot = {
        worker: opts.spawn(
          (m) => this.receive(slot, m),
          (e) => this.fail(e),
        ),
        inFlight: 0,
      }
      this.slots.push(slot)
    }
  }

  private receive(slot: Slot, m: FromWorker): void {
    if (m.kind === 'chunk') {
      slot.inFlight--
      this.done.set(m.seq, m)
      m.sketched.forEach((n, i) => {
        this.sketched[i] = (this.sketched[i] ?? 0) + n
      })
      if (m.buf.byteLength === this.chunkBytes) this.freeBuffers.push(m.buf)
    } else this.states.push(m)
    this.wake?.()
  }

  private fail(e: Error): void {
    this.failure ??= e
    this.wake?.()
  }

  /** Waits for the next message from any worker. */
  private async next(): Promise<void> {
    if (this.failure) throw this.failure
    await new Promise<void>((resolve) => {
      this.wake = resolve
    })
    this.wake = undefined
    if (this.failure) throw this.failure
  }

  get workers(): number {
    return this.slots.length
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()))
  }

  /** A chunk buffer: a free one of the usual size, or a new one of `bytes` (shared memory, see ScanWorker). */
  private buffer(bytes = this.chunkBytes): Buffer {
    const sab = (bytes === this.chunkBytes && this.freeBuffers.pop()) || new SharedArrayBuffer(bytes)
    return Buffer.from(sab)
  }

  /**
   * Reads one file through the workers. `onHeader` gets the header's names and returns the accumulators
   * of the fields (as a sequential scan's header does); `columns` are all of the scan's accumulators, in
   * order. Returns the number of rows, or undefined (having touched nothing) when the file's header is not
   * one the main thread splits safely — then the caller reads the file sequentially.
   */
  async scanFile(
    file: string,
    shown: string,
    delimiter: string,
    onHeader: (names: readonly string[]) => readonly (ColumnAcc | undefined)[],
    columns: readonly ColumnAcc[],
    book: ViolationBook,
  ): Promise<number | undefined> {
    const fh = await open(file, 'r')
    try {
      let cur = this.buffer()
      let len = await fill(fh, cur, 0)
      let eof = len < cur.length
      const header = headerOf(cur.subarray(0, len), delimiter)
      if (!header) return undefined
      const fields = onHeader(header.names)
      this.sendColumns(columns)
      const map = fields.map((acc) => (acc ? columns.indexOf(acc) : -1))
      for (const s of this.slots) s.worker.post({ kind: 'file', shown, map, delimiter })
      cur.copy(cur, 0, header.end, len)
      len -= header.end

      const delim = delimiter.charCodeAt(0)
      const segs: number[] = []
      let checked = this.nextSeq
      let stream: { slot: Slot; seg: number; started: boolean } | undefined
      /** Sends cur[0, n) and carries the rest over to a fresh buffer. */
      const send = async (n: number, last: boolean) => {
        const seq = this.nextSeq++
        let slot: Slot
        let seg = seq
        let cont = false
        if (stream) {
          slot = stream.slot
          while (slot.inFlight >= IN_FLIGHT) await this.next()
          seg = stream.seg
          cont = stream.started
          stream.started = true
        } else {
          slot = await this.freeSlot()
          segs.push(seq)
        }
        const rest = len - n
        const next = this.buffer(rest > this.chunkBytes ? rest * 2 : this.chunkBytes)
        cur.copy(next, 0, n, len)
        const buf = cur.buffer as SharedArrayBuffer
        slot.inFlight++
        const sketched = [...this.sketched]
        slot.worker.post({ kind: 'chunk', seq, seg, buf, length: n, cont, last, sketched })
        cur = next
        len -= n
      }
      for (;;) {
        if (!eof && len < cur.length) {
          const n = await fill(fh, cur, len)
          eof = len + n < cur.length
          len += n
        }
        if (eof) {
          if (len > 0 || stream?.started) await send(len, true)
          break
        }
        if (stream) {
          await send(streamCut(cur.subarray(0, len)) || len, false)
        } else {
          const { cut, regular } = findCut(cur.subarray(0, len), delim)
          if (regular && cut < 0 && len < MAX_CARRY_BYTES) {
            // no record ends in this buffer: read on into a bigger one
            const bigger = this.buffer(cur.length * 2)
            cur.copy(bigger, 0, 0, len)
            cur = bigger
            continue
          }
          if (cut > 0) await send(cut, true)
          if (!regular || cut < 0) {
            // from here on the quotes cannot be trusted to split the file: one worker reads the rest
            const seg = this.nextSeq
            segs.push(seg)
            stream = { slot: this.slots[0]!, seg, started: false }
          }
        }
        checked = this.checkUnique(checked, columns)
      }
      // wait for every chunk, checking `unique` in order as they come
      for (;;) {
        checked = this.checkUnique(checked, columns)
        if (checked >= this.nextSeq) break
        await this.next()
      }
      return this.mergeFile(segs, columns, book)
    } finally {
      await fh.close()
    }
  }

  /** Collects the workers' state for the file just read and merges it into `columns` and `book`. */
  private async mergeFile(segs: readonly number[], columns: readonly ColumnAcc[], book: ViolationBook) {
    for (const s of this.slots) s.worker.post({ kind: 'flush' })
    while (this.states.length < this.slots.length) await this.next()
    const states = this.states
    this.states = []
    const fixLine = lineDecoder(segs, this.lineCounts)
    this.lineCounts.clear()
    columns.forEach((acc, i) => {
      acc.mergeStates(
        states.map((s) => s.columns[i]!),
        fixLine,
      )
      for (const v of acc.allViolations()) decodeSamples(v, fixLine)
    })
    mergeViolationParts(
      states.flatMap((s) => s.fileViolations),
      (p) => book.get(p.column, p.check, p.severity, p.message),
      fixLine,
    )
    return states.reduce((n, s) => n + s.rows, 0)
  }

  /** Line counts of the chunks of the current file, by sequence number. */
  readonly lineCounts = new Map<number, number>()

  /** Checks the `unique` values of the finished chunks from `from` on, in order; returns the next to check. */
  private checkUnique(from: number, columns: readonly ColumnAcc[]): number {
    let seq = from
    for (let m = this.done.get(seq); m; m = this.done.get(seq)) {
      this.done.delete(seq)
      this.lineCounts.set(seq, m.lines)
      for (const u of m.unique) {
        const acc = columns[u.column]!
        const { values, lines } = u.values
        for (let i = 0; i < lines.length; i++) acc.checkUnique(values[i]!, lines[i]!)
      }
      seq++
    }
    return seq
  }

  private async freeSlot(): Promise<Slot> {
    for (;;) {
      if (this.failure) throw this.failure
      let best: Slot | undefined
      for (const s of this.slots)
        if (s.inFlight < IN_FLIGHT && (!best || s.inFlight < best.inFlight)) best = s
      if (best) return best
      await this.next()
    }
  }

  private sendColumns(columns: readonly ColumnAcc[]): void {
    if (columns.length === this.sentColumns) return
    const inits: ColumnInit[] = columns.slice(this.sentColumns).map((c) => c.init())
    this.sentColumns = columns.length
    for (const s of this.slots) s.worker.post({ kind: 'columns', columns: inits })
  }
}

/** Reads into buf from `at` until it is full or the file ends; returns the bytes read. */
async function fill(fh: import('node:fs/promises').FileHandle, buf: Buffer, at: number): Promise<number> {
  let n = 0
  while (at + n < buf.length) {
    const { bytesRead } = await fh.read(buf, at + n, buf.length - at - n, null)
    if (bytesRead === 0) break
    n += bytesRead
  }
  return n
}

/**
 * The header of a file the main thread can split: its first line, without quotes, valid UTF-8, not blank.
 * Anything else (a quoted header, a blank first line, no line break in the first chunk) is left to the
 * sequential reader, which handles every case.
 */
export function headerOf(buf: Buffer, delimiter: string): { names: string[]; end: number } | undefined {
  const nl = buf.indexOf(LF)
  if (nl < 0) return undefined
  let start = 0
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3
  const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl
  const bytes = buf.subarray(start, end)
  if (bytes.includes(QUOTE) || !isUtf8(bytes)) return undefined
  const text = bytes.toString('utf8')
  if (!text.trim()) return undefined
  return { names: text.split(delimiter), end: nl + 1 }
}

/**
 * Where `buf` (which starts at a record boundary) can be cut: just after the last line break that ends a
 * record, found by following the quotes. `regular` is false at the first quote RFC 4180 does not explain (a
 * quote inside an unquoted field, text after a closing quote); `cut` is then the last safe cut before it.
 * `cut` is -1 when no record ends in `buf`.
 */
export function findCut(buf: Buffer, delim: number): { cut: number; regular: boolean } {
  const end = buf.length
  let cut = -1
  let pos = 0
  for (;;) {
    const q = buf.indexOf(QUOTE, pos)
    const outsideEnd = q < 0 ? end : q
    // outside quotes from pos to the next quote: its last line break ends a record
    const nl = lastLf(buf, pos, outsideEnd)
    if (nl >= 0) cut = nl + 1
    if (q < 0) return { cut, regular: true }
    if (q > 0 && buf[q - 1] !== delim && buf[q - 1] !== LF) return { cut, regular: false }
    // inside a quoted field: skip doubled quotes to the closing one
    let c = q + 1
    for (;;) {
      const close = buf.indexOf(QUOTE, c)
      if (close < 0 || close + 1 >= end) return { cut, regular: true } // it ends in a later chunk
      if (buf[close + 1] === QUOTE) {
        c = close + 2
        continue
      }
      const after = buf[close + 1]
      if (after !== delim && after !== LF && after !== CR) return { cut, regular: false }
      pos = close + 1
      break
    }
  }
}

/** The last line break in buf[from, to), or -1 (bounded: never looks before `from`). */
function lastLf(buf: Buffer, from: number, to: number): number {
  if (to - from < 64) {
    for (let i = to - 1; i >= from; i--) if (buf[i] === LF) return i
    return -1
  }
  const i = buf.subarray(from, to).lastIndexOf(LF)
  return i < 0 ? -1 : from + i
}

/** Where a buffer of the one-stream path is cut: after its last line break, else at a character boundary. */
function streamCut(buf: Buffer): number {
  const nl = buf.lastIndexOf(LF)
  return nl >= 0 ? nl + 1 : charBoundary(buf)
}

/** Maps an encoded line (see LINE_SEG) to the file's line, given the segments in order and their line counts. */
function lineDecoder(segs: readonly number[], lineCounts: ReadonlyMap<number, number>) {
  const bases = new Map<number, number>()
  let base = 2 // the header is line 1
  for (const seg of segs) {
    bases.set(seg, base)
    base += lineCounts.get(seg) ?? 0
  }
  return (line: number): number => {
    if (line < LINE_SEG) return line
    const seg = Math.floor(line / LINE_SEG)
    return bases.get(seg)! + (line - seg * LINE_SEG) - 1
  }
}

/** Decodes the lines of samples a scan's main thread recorded with encoded lines (`unique`). */
function decodeSamples(v: Violation, fixLine: (line: number) => number): void {
  v.samples.forEach((s, i) => {
    if (s.line >= LINE_SEG) v.samples[i] = { ...s, line: fixLine(s.line) }
  })
}
