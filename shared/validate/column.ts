import { fieldOf } from '../data/csv.js'
import {
  exactNumber,
  lastInexact,
  parseIntBytes,
  parseIntText,
  parseNumberBytes,
  parseNumberText,
  sliceOf,
} from '../data/numbers.js'
import { FIELD_INT, FIELD_NUMBER, FIELD_TEXT } from '../data/types.js'
import { HyperLogLog, hashString } from '../stats/hll.js'
import { type KllJson, KllSketch } from '../stats/kll.js'
import { addValue, addValues, emptyMoments, type Moments, mergeMoments } from '../stats/moments.js'
import { latin1Bytes, parseBool, parseDate, parseDatetime } from './parse.js'
import type { ColumnSpec, ColumnType } from './schema.js'

/** How many offending rows each violation keeps (row numbers and values). */
export const MAX_SAMPLES = 5
/** Exact value counts kept per categorical column; past this, new values go to `other`. */
export const COUNTS_CAP = 10_000
/** Exact value counts kept per numeric column (for low-cardinality drift tests); past this, dropped. */
export const NUMERIC_COUNTS_CAP = 100
/** Values kept per column and side for exact KS/Wasserstein (8 bytes each); past this, the sketch is used. */
export const EXACT_LIMIT = 1_000_000
/** Numbers buffered per column before they go to the profile state (see ColumnAcc.pending). */
const PENDING = 512

export type Severity = 'error' | 'warning'

/** Columns are non-nullable unless `nullable: true` or a `max_null_fraction` is given. */
export const isNullable = (c: ColumnSpec): boolean => c.nullable === true || c.max_null_fraction !== undefined

export interface Sample {
  readonly file: string
  readonly line: number
  readonly value: string
}

export interface Violation {
  readonly column: string
  readonly check: string
  readonly severity: Severity
  readonly message: string
  count: number
  readonly samples: Sample[]
}

export function newViolation(column: string, check: string, severity: Severity, message: string): Violation {
  return { column, check, severity, message, count: 0, samples: [] }
}

export function hit(v: Violation, file: string, line: number, value: string): void {
  v.count++
  if (v.samples.length < MAX_SAMPLES) v.samples.push({ file, line, value: clip(value) })
}

/**
 * Adds violations found by scan workers to the ones `into` returns (one per column and check), as one pass
 * in file order would have: counts add up; samples are ordered by their (encoded) line, mapped through
 * `fixLine` and kept up to the cap.
 */
export function mergeViolationParts(
  parts: readonly Violation[],
  into: (part: Violation) => Violation,
  fixLine: (line: number) => number,
): void {
  const groups = new Map<string, Violation[]>()
  for (const v of parts) {
    const key = `${v.column}\u0000${v.check}`
    const list = groups.get(key)
    if (list) list.push(v)
    else groups.set(key, [v])
  }
  for (const list of groups.values()) mergeViolations(into(list[0]!), list, fixLine)
}

function mergeViolations(v: Violation, parts: readonly Violation[], fixLine: (line: number) => number): void {
  for (const p of parts) v.count += p.count
  const samples = parts.flatMap((p) => p.samples).sort((a, b) => a.line - b.line)
  for (const x of samples) {
    if (v.samples.length >= MAX_SAMPLES) break
    v.samples.push({ ...x, line: fixLine(x.line) })
  }
}

const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s)

/** Integer set for `unique`: a paged bitmap (8 KiB per 65,536-wide range that holds a value). */
class IntSet {
  private pages = new Map<number, Uint32Array>()
  private lastKey = Number.NaN
  private last: Uint32Array | undefined
  /** Adds v; false when it was already there. */
  add(v: number): boolean {
    let off = v - this.lastKey * 65536
    let page = this.last
    if (!(off >= 0 && off < 65536)) {
      // another page than the last one (NaN − … is NaN: the first value gets here too)
      const key = Math.floor(v / 65536)
      page = this.pages.get(key)
      if (!page) {
        page = new Uint32Array(2048)
        this.pages.set(key, page)
      }
      this.lastKey = key
      this.last = page
      off = v - key * 65536
    }
    const w = off >>> 5
    const bit = 1 << (off & 31)
    if (page![w]! & bit) return false
    page![w]! |= bit
    return true
  }
}

/** Growable Float64Array, capped. */
class ExactValues {
  buf = new Float64Array(1 << 16)
  n = 0
  overflow = false
  push(x: number): void {
    if (this.n === this.buf.length) {
      if (this.n >= EXACT_LIMIT) {
        this.overflow = true
        this.buf = new Float64Array(0)
        return
      }
      const b = new Float64Array(Math.min(this.buf.length * 2, EXACT_LIMIT))
      b.set(this.buf)
      this.buf = b
    }
    this.buf[this.n++] = x
  }
}

const T_INT = 1
const T_NUM = 2
const T_STR = 3
const T_CAT = 4
const T_BOOL = 5
const T_DATE = 6
const T_DATETIME = 7
const T_AUTO = 8
const CODES: Record<ColumnType | 'auto', number> = {
  integer: T_INT,
  number: T_NUM,
  string: T_STR,
  category: T_CAT,
  boolean: T_BOOL,
  date: T_DATE,
  datetime: T_DATETIME,
  auto: T_AUTO,
}

/** What `auto` columns (no schema) can still be, narrowed value by value. */
interface Candidates {
  int: boolean
  num: boolean
  bool: boolean
  date: boolean
  datetime: boolean
}

/**
 * Everything known about one column after a pass: checks (violations) and the mergeable profile state.
 * One per schema column (or per header column without a schema, as type `auto`).
 */
export class ColumnAcc {
  private code: number
  count = 0
  nulls = 0
  invalid = 0
  /**
   * Numbers of integer and number columns wait in `pending` and reach the profile state (moments, KLL, HLL,
   * exact values, value counts) in batches, in their order, so the state is the same as one value at a
   * time. The accessors below flush first: whoever reads the state sees every value.
   */
  private readonly pending = new Float64Array(PENDING)
  private pendingN = 0
  private readonly _moments: Moments = emptyMoments()
  private readonly _kll = new KllSketch()
  private readonly _hll = new HyperLogLog()
  private _numCounts: Map<number, number> | undefined = new Map()
  private _exact: ExactValues | undefined
  get moments(): Moments {
    if (this.pendingN) this.flushNumbers()
    return this._moments
  }
  get kll(): KllSketch {
    if (this.pendingN) this.flushNumbers()
    return this._kll
  }
  get hll(): HyperLogLog {
    if (this.pendingN) this.flushNumbers()
    return this._hll
  }
  private _counts: Map<string, number> | undefined = new Map()
  /** Exact value counts (non-numeric columns); past COUNTS_CAP values, new ones go to `other`. */
  get counts(): Map<string, number> | undefined {
    if (this.textCache?.dirty) this.textCache.flush(this._counts!)
    return this._counts
  }
  set counts(m: Map<string, number> | undefined) {
    if (this.textCache?.dirty) this.textCache.flush(this._counts!)
    this.textCache = undefined // its entries are keys of the old map
    this._counts = m
  }
  /** Value counts of numeric columns, by number (cheaper than string keys); dropped past the cap. */
  get numCounts(): Map<number, number> | undefined {
    if (this.pendingN) this.flushNumbers()
    return this._numCounts
  }
  set numCounts(m: Map<number, number> | undefined) {
    if (this.pendingN) this.flushNumbers()
    this._numCounts = m
  }
  /** Values not kept in `counts` (past the cap). */
  other = 0
  get exact(): ExactValues | undefined {
    if (this.pendingN) this.flushNumbers()
    return this._exact
  }
  set exact(x: ExactValues | undefined) {
    if (this.pendingN) this.flushNumbers()
    this._exact = x
  }
  cand: Candidates | undefined
  private readonly violations = new Map<string, Violation>()
  private uniqueInts: IntSet | undefined
  private uniqueSet: Set<string | number> | undefined
  /** In a scan worker: `unique` values go here, for the main thread to check in file order. */
  private uniqueOut: UniqueBatch | undefined
  private valueSet: Set<string | number | boolean> | undefined
  private regex: RegExp | undefined
  /** Categorical, string and boolean columns: the outcome of field texts seen before (see cachedText). */
  private textCache: TextCache | undefined
  private min: number | undefined
  private max: number | undefined
  /** A value strictly between these is not within 1e-15 (relative) of `min` or `max` (see nearDecision). */
  private readonly farLo: number
  private readonly farHi: number
  private minT: number | undefined
  private maxT: number | undefined
  file = ''

  constructor(
    readonly name: string,
    readonly type: ColumnType | 'auto',
    readonly spec?: ColumnSpec,
  ) {
    this.code = CODES[type]
    if (type === 'auto') this.cand = { int: true, num: true, bool: true, date: true, datetime: true }
    if (spec?.unique) {
      if (this.code === T_INT) this.uniqueInts = new IntSet()
      else this.uniqueSet = new Set()
    }
    if (spec?.values) {
      this.valueSet = new Set(
        spec.values.map((v) =>
          this.code === T_INT || this.code === T_NUM ? Number(v) : this.code === T_BOOL ? v : String(v),
        ),
      )
    }
    if (spec?.pattern) this.regex = new RegExp(spec.pattern, 'u')
    if (typeof spec?.min === 'number') this.min = spec.min
    if (typeof spec?.max === 'number') this.max = spec.max
    this.farLo = this.min === undefined ? Number.NEGATIVE_INFINITY : this.min + boundTolerance(this.min)
    this.farHi = this.max === undefined ? Number.POSITIVE_INFINITY : this.max - boundTolerance(this.max)
    if (typeof spec?.min === 'string') this.minT = timeOf(spec.min, type)
    if (typeof spec?.max === 'string') this.maxT = timeOf(spec.max, type)
    if ((this.code === T_CAT || this.code === T_STR || this.code === T_BOOL) && !this.uniqueSet)
      this.textCache = new TextCache()
  }

  /** Keep exact values for exact KS and Wasserstein (up to EXACT_LIMIT). */
  keepExact(): void {
    if (this.code === T_INT || this.code === T_NUM || this.code === T_AUTO) this.exact ??= new ExactValues()
  }

  /** Exact value counts by string key, when still kept (numeric columns: while they have few values). */
  keyCounts(): Map<string, number> | undefined {
    if (this.code === T_INT || this.code === T_NUM) {
      return this.numCounts ? new Map([...this.numCounts].map(([k, c]) => [String(k), c])) : undefined
    }
    return this.counts && this.other === 0 ? this.counts : undefined
  }

  get isNumeric(): boolean {
    return this.code === T_INT || this.code === T_NUM
  }

  violation(check: string, severity: Severity, message: string): Violation {
    let v = this.violations.get(check)
    if (!v) {
      v = newViolation(this.name, check, severity, message)
      this.violations.set(check, v)
    }
    return v
  }

  allViolations(): Violation[] {
    return [...this.violations.values()]
  }

  /** How the CSV reader's fast lane should read this column's fields. */
  get fieldKind(): number {
    return this.code === T_INT ? FIELD_INT : this.code === T_NUM ? FIELD_NUMBER : FIELD_TEXT
  }

  /**
   * A CSV field of an integer or number column that the reader's fast lane already parsed (unquoted, not
   * empty): what `text` does with the value parseIntBytes or parseNumberBytes would give.
   */
  parsedNumber(
    v: number,
    inexact: boolean,
    t: string | undefined,
    b: Uint8Array,
    s: number,
    e: number,
    line: number,
  ): void {
    this.num(inexact && this.nearDecision(v) ? exactNumber(t, b, s, e) : v, line, t, s, e, 0, b)
  }

  /**
   * A CSV field. `b`: latin1Bytes(t), when the caller has it (once per record rather than per field); `t`
   * is undefined when the fast lane read the field from `b` without the block's string (see TableSink).
   */
  text(t: string | undefined, s: number, e: number, flag: number, line: number, b = latin1Bytes(t!)): void {
    if (s === e && flag === 0) {
      this.null(line)
      return
    }
    const code = this.code
    if (code === T_INT) {
      const v = b === undefined ? parseIntText(t!, s, e) : parseIntBytes(b, t, s, e)
      if (Number.isNaN(v)) this.bad(line, fieldOf(t, b, s, e, flag))
      else this.num(v, line, t, s, e, flag, b)
    } else if (code === T_NUM) {
      let v = b === undefined ? parseNumberText(t!, s, e) : parseNumberBytes(b, t, s, e)
      if (Number.isNaN(v)) this.bad(line, fieldOf(t, b, s, e, flag))
      else {
        if (lastInexact && this.nearDecision(v)) v = exactNumber(t, b, s, e)
        this.num(v, line, t, s, e, flag, b)
      }
    } else {
      const cache = this.textCache
      if (cache !== undefined && flag < 2 && e > s) this.cachedText(cache, t, b, s, e, line)
      else this.str(fieldOf(t, b, s, e, flag), line)
    }
  }

  /**
   * A field (no doubled quotes) of a categorical, string or boolean column. A text seen before is found in
   * the cache without making a string, and its outcome replayed: the same violations as `str`, and its
   * count goes to the cache entry (added to `counts` when they are read). A new text goes through `str`
   * and, when its key is in `counts`, into the cache.
   */
  private cachedText(
    cache: TextCache,
    t: string | undefined,
    b: Uint8Array | undefined,
    s: number,
    e: number,
    line: number,
  ): void {
    const k = b === undefined ? cache.find(t!, s, e) : cache.findBytes(b, s, e)
    if (k < 0) {
      const v = sliceOf(t, b, s, e)
      this.str(v, line)
      if (cache.size < TEXT_CACHE_SIZE) this.learn(cache, v)
      else if (++cache.misses > TEXT_CACHE_MISSES) {
        // too many distinct values to be worth it
        if (cache.dirty) cache.flush(this._counts!)
        this.textCache = undefined
      }
      return
    }
    const f = cache.outcome[k]!
    if (f !== 0) {
      const raw = cache.raws[k]!
      if (f & BAD) {
        this.bad(line, raw)
        return
      }
      if (f & NOT_IN_VALUES)
        hit(this.violation('values', 'error', 'not one of the allowed values'), this.file, line, raw)
      if (f & NO_MATCH)
        hit(this.violation('pattern', 'error', `does not match ${this.spec?.pattern}`), this.file, line, raw)
    }
    this.count++
    cache.counts[k]!++
    cache.dirty = true
  }

  /** Caches the outcome of a text just seen by `str` (when its key is counted in `counts`). */
  private learn(cache: TextCache, v: string): void {
    let f = 0
    let key = v
    if (this.code === T_BOOL) {
      const b = parseBool(v)
      if (b === undefined) f = BAD
      else {
        if (this.valueSet && !this.valueSet.has(b)) f |= NOT_IN_VALUES
        key = String(b)
      }
    } else {
      if (this.valueSet && !this.valueSet.has(v)) f |= NOT_IN_VALUES
      if (this.regex && !this.regex.test(v)) f |= NO_MATCH
    }
    if (f & BAD || this._counts?.has(key)) cache.add(v, key, f)
  }

  /** Could a 1-2 ulp parsing error change a check's outcome for v? (near a bound, or any `values` set) */
  private nearDecision(v: number): boolean {
    if (this.valueSet || this.uniqueSet) return true
    // most values lie well between the bounds: one range test (precomputed in the constructor) says so
    if (v > this.farLo && v < this.farHi) return false
    const tol = Math.abs(v) * 1e-15
    return (
      (this.min !== undefined && Math.abs(v - this.min) <= tol) ||
      (this.max !== undefined && Math.abs(v - this.max) <= tol)
    )
  }

  /** A typed value (JSON Lines, Parquet). */
  value(v: unknown, line: number): void {
    if (v === null || v === undefined) {
      this.null(line)
      return
    }
    const code = this.code
    if (typeof v === 'number') {
      if (code === T_INT) {
        if (Number.isInteger(v)) this.num(v, line)
        else this.bad(line, String(v))
      } else if (code === T_NUM) {
        if (Number.isFinite(v)) this.num(v, line)
        else this.bad(line, String(v))
      } else this.str(String(v), line)
    } else if (typeof v === 'string') {
      if (code === T_INT || code === T_NUM) this.text(v, 0, v.length, 1, line)
      else this.str(v, line)
    } else if (typeof v === 'boolean') {
      if (code === T_BOOL || code === T_AUTO) this.str(String(v), line)
      else if (code === T_STR || code === T_CAT) this.str(String(v), line)
      else this.bad(line, String(v))
    } else if (v instanceof Date) {
      const iso = v.toISOString()
      this.str(code === T_DATE && iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso, line)
    } else this.str(JSON.stringify(v), line)
  }

  private null(line: number): void {
    this.nulls++
    if (this.spec && !isNullable(this.spec))
      hit(this.violation('nullable', 'error', 'null in a non-nullable column'), this.file, line, '')
  }

  private bad(line: number, raw: string): void {
    this.invalid++
    hit(this.violation('type', 'error', `not a valid ${this.type}`), this.file, line, raw)
  }

  /** A number; `t`, `b`, `s`, `e`, `flag`: its CSV field (see text), for the samples of violations. */
  private num(v: number, line: number, t?: string, s = 0, e = 0, flag = 0, b?: Uint8Array): void {
    this.count++
    if (this.min !== undefined && v < this.min)
      hit(
        this.violation('min', 'error', `below the minimum ${this.min}`),
        this.file,
        line,
        raw(v, t, b, s, e, flag),
      )
    if (this.max !== undefined && v > this.max)
      hit(
        this.violation('max', 'error', `above the maximum ${this.max}`),
        this.file,
        line,
        raw(v, t, b, s, e, flag),
      )
    if (this.valueSet && !this.valueSet.has(v))
      hit(
        this.violation('values', 'error', 'not one of the allowed values'),
        this.file,
        line,
        raw(v, t, b, s, e, flag),
      )
    if (this.uniqueOut) this.uniqueOut.add(v, line)
    else if ((this.uniqueInts || this.uniqueSet) && this.seenBefore(v))
      this.duplicate(line, raw(v, t, b, s, e, flag))
    this.addNumber(v)
  }

  private addNumber(v: number): void {
    const n = this.pendingN
    this.pending[n] = v
    this.pendingN = n + 1
    if (n + 1 === PENDING) this.flushNumbers()
  }

  /** The pending numbers go to the profile state, each structure in one tight loop. */
  private flushNumbers(): void {
    const n = this.pendingN
    const buf = this.pending
    this.pendingN = 0
    addValues(this._moments, buf, n)
    this._kll.addMany(buf, n)
    this._hll.addNumbers(buf, n)
    const exact = this._exact
    if (exact) for (let i = 0; i < n; i++) exact.push(buf[i]!)
    const counts = this._numCounts
    if (counts) {
      // the two values last counted through the map keep their counts aside (a 0/1 column seldom looks up)
      let a = Number.NaN
      let ca = 0
      let b = Number.NaN
      let cb = 0
      for (let i = 0; i < n; i++) {
        const v = buf[i]!
        if (v === a) ca++
        else if (v === b) cb++
        else {
          const c = counts.get(v)
          if (c !== undefined) counts.set(v, c + 1)
          else if (counts.size < NUMERIC_COUNTS_CAP) counts.set(v, 1)
          else {
            this._numCounts = undefined
            return
          }
          if (cb) counts.set(b, counts.get(b)! + cb)
          b = a
          cb = ca
          a = v
          ca = 0
        }
      }
      if (ca) counts.set(a, counts.get(a)! + ca)
      if (cb) counts.set(b, counts.get(b)! + cb)
    }
  }

  private addKey(k: string): void {
    const counts = this._counts
    if (counts) {
      const c = counts.get(k)
      if (c !== undefined) {
        counts.set(k, c + 1)
        return
      }
      if (counts.size < COUNTS_CAP) {
        counts.set(k, 1)
        this.hll.addHash(hashString(k))
        return
      }
    }
    this.other++
    this.hll.addHash(hashString(k))
  }

  private str(v: string, line: number): void {
    const code = this.code
    if (code === T_AUTO) {
      this.auto(v, line)
      return
    }
    let key = v
    if (code === T_BOOL) {
      const b = parseBool(v)
      if (b === undefined) {
        this.bad(line, v)
        return
      }
      if (this.valueSet && !this.valueSet.has(b))
        hit(this.violation('values', 'error', 'not one of the allowed values'), this.file, line, v)
      key = String(b)
    } else if (code === T_DATE || code === T_DATETIME) {
      const t = code === T_DATE ? parseDate(v) : parseDatetime(v)
      if (Number.isNaN(t)) {
        this.bad(line, v)
        return
      }
      if (this.minT !== undefined && t < this.minT)
        hit(this.violation('min', 'error', `before the minimum ${this.spec?.min}`), this.file, line, v)
      if (this.maxT !== undefined && t > this.maxT)
        hit(this.violation('max', 'error', `after the maximum ${this.spec?.max}`), this.file, line, v)
      addValue(this.moments, t)
      this.kll.add(t)
    } else if (code === T_INT || code === T_NUM) {
      this.text(v, 0, v.length, 1, line)
      return
    } else {
      if (this.valueSet && !this.valueSet.has(v))
        hit(this.violation('values', 'error', 'not one of the allowed values'), this.file, line, v)
      if (this.regex && !this.regex.test(v))
        hit(this.violation('pattern', 'error', `does not match ${this.spec?.pattern}`), this.file, line, v)
    }
    if (this.uniqueOut) this.uniqueOut.add(v, line)
    else if (this.uniqueSet && this.seenBefore(v)) this.duplicate(line, v)
    this.count++
    this.addKey(key)
  }

  /** No schema: narrow the candidate types and feed both numeric and categorical state. */
  private auto(v: string, _line: number): void {
    const c = this.cand!
    this.count++
    if (c.int || c.num) {
      const x = parseNumberText(v, 0, v.length)
      if (!Number.isNaN(x)) {
        if (c.int && !/^[+-]?\d+$/.test(v)) c.int = false
        addValue(this.moments, x)
        this.kll.add(x)
        if (this.exact) this.exact.push(x)
      } else {
        c.int = false
        c.num = false
        this.exact = undefined
      }
    }
    if (c.bool && parseBool(v) === undefined) c.bool = false
    if (c.date && Number.isNaN(parseDate(v))) c.date = false
    if (c.datetime && Number.isNaN(parseDatetime(v))) c.datetime = false
    this.addKey(v)
  }

  /** The type a column without a schema turned out to have (or the declared type). */
  resolvedType(): ColumnType {
    if (this.type !== 'auto') return this.type
    const c = this.cand!
    if (this.count === 0) return 'string'
    const distinct = this.counts ? this.counts.size : Number.POSITIVE_INFINITY
    if (c.int) return distinct <= 2 && this.counts?.has('true') ? 'boolean' : 'integer'
    if (c.num) return 'number'
    if (c.bool) return 'boolean'
    if (c.date) return 'date'
    if (c.datetime) return 'datetime'
    return distinct <= 50 || distinct <= this.count / 100 ? 'category' : 'string'
  }

  /** Values that went to the quantile sketch so far (numbers; dates and times as epoch milliseconds). */
  get sketched(): number {
    return this._kll.n + this.pendingN
  }

  /** At least this many values will be in the merged sketch of this column (see KllSketch.setFloor). */
  sketchFloor(n: number): void {
    this._kll.setFloor(n)
  }

  /** What a scan worker needs to make this column's accumulator. */
  init(): ColumnInit {
    return { name: this.name, type: this.type, spec: this.spec, exact: this.exact !== undefined }
  }

  /** In a scan worker: collect `unique` values (with their lines) instead of checking them. */
  collectUnique(): void {
    if (this.uniqueInts || this.uniqueSet) this.uniqueOut = new UniqueBatch()
  }

  /** The values collected since the last call (see collectUnique). */
  takeUnique(): UniqueValues | undefined {
    return this.uniqueOut?.take()
  }

  /** Checks one collected `unique` value, in file order (main thread of a parallel scan). */
  checkUnique(v: number | string, line: number): void {
    if (this.seenBefore(v)) this.duplicate(line, String(v))
  }

  /** Records v for `unique`; true when it was there already. */
  private seenBefore(v: number | string): boolean {
    if (this.uniqueInts) return !this.uniqueInts.add(v as number)
    const set = this.uniqueSet!
    const before = set.size
    set.add(v)
    return set.size === before
  }

  private duplicate(line: number, value: string): void {
    hit(this.violation('unique', 'error', 'duplicate value'), this.file, line, value)
  }

  /** The mergeable state of this column (sent from a scan worker to the main thread). */
  toState(): ColumnState {
    return {
      count: this.count,
      nulls: this.nulls,
      invalid: this.invalid,
      other: this.other,
      moments: { ...this.moments },
      kll: this.kll.toJSON(),
      hll: this.hll.registers,
      counts: this.counts,
      numCounts: this.numCounts,
      exact: this.exact
        ? { values: this.exact.buf.subarray(0, this.exact.n), overflow: this.exact.overflow }
        : undefined,
      cand: this.cand,
      violations: this.allViolations(),
    }
  }

  /**
   * Adds the states of parts of this column's data (one per scan worker) as if they had been read here, in
   * order. Samples are ordered by their (encoded) line, then `fixLine` turns those lines into file lines.
   */
  mergeStates(states: readonly ColumnState[], fixLine: (line: number) => number): void {
    for (const s of states) {
      this.count += s.count
      this.nulls += s.nulls
      this.invalid += s.invalid
      this.other += s.other
      const m = mergeMoments(this.moments, s.moments)
      Object.assign(this.moments, m)
      this.kll.merge(KllSketch.fromJSON(s.kll))
      this.hll.merge(new HyperLogLog(s.hll))
      this.mergeCounts(s)
      this.mergeExact(s)
      if (this.cand && s.cand)
        for (const k of Object.keys(this.cand) as (keyof Candidates)[]) this.cand[k] &&= s.cand[k]
    }
    mergeViolationParts(
      states.flatMap((s) => s.violations),
      (p) => this.violation(p.check, p.severity, p.message),
      fixLine,
    )
  }

  private mergeCounts(s: ColumnState): void {
    if (this.counts && s.counts) {
      for (const [k, c] of s.counts) {
        const mine = this.counts.get(k)
        if (mine !== undefined) this.counts.set(k, mine + c)
        else if (this.counts.size < COUNTS_CAP) this.counts.set(k, c)
        else this.other += c
      }
    } else if (s.counts) for (const c of s.counts.values()) this.other += c
    if (this.numCounts && s.numCounts) {
      for (const [k, c] of s.numCounts) this.numCounts.set(k, (this.numCounts.get(k) ?? 0) + c)
      if (this.numCounts.size > NUMERIC_COUNTS_CAP) this.numCounts = undefined
    } else this.numCounts = undefined
  }

  private mergeExact(s: ColumnState): void {
    if (!this.exact) return
    if (!s.exact) {
      // an auto column that turned out not numeric in that part
      if (this.cand) this.exact = undefined
      return
    }
    if (s.exact.overflow || this.exact.n + s.exact.values.length > EXACT_LIMIT) {
      this.exact.overflow = true
      this.exact.buf = new Float64Array(0)
      this.exact.n = 0
      return
    }
    for (const x of s.exact.values) this.exact.push(x)
  }
}

/** Distinct texts a column's cache keeps (its table has twice as many slots). */
const TEXT_CACHE_SIZE = 128
/** Misses of a full cache after which it is dropped. */
const TEXT_CACHE_MISSES = 10_000
const BAD = 1
const NOT_IN_VALUES = 2
const NO_MATCH = 4

/**
 * Field texts of one column with their outcome (BAD, NOT_IN_VALUES, NO_MATCH bits), key in `counts` and
 * count since the last flush, found by length and two characters, then compared in place.
 */
class TextCache {
  private readonly slots = new Int16Array(2 * TEXT_CACHE_SIZE).fill(-1)
  private readonly lens = new Int32Array(TEXT_CACHE_SIZE)
  private readonly offsets = new Int32Array(TEXT_CACHE_SIZE)
  private chars = new Uint16Array(1024)
  private used = 0
  readonly raws: string[] = []
  readonly keys: string[] = []
  readonly outcome = new Uint8Array(TEXT_CACHE_SIZE)
  readonly counts = new Float64Array(TEXT_CACHE_SIZE)
  size = 0
  misses = 0
  /** Some count is not in `counts` yet. */
  dirty = false

  private static slot(t: string, s: number, e: number): number {
    const len = e - s
    return (len * 97 + t.charCodeAt(e - 1) * 31 + t.charCodeAt(s + (len >> 1))) & (2 * TEXT_CACHE_SIZE - 1)
  }

  /** The entry of text t[s, e) (e > s), or -1. */
  find(t: string, s: number, e: number): number {
    const len = e - s
    const slots = this.slots
    for (let h = TextCache.slot(t, s, e); ; h = (h + 1) & (2 * TEXT_CACHE_SIZE - 1)) {
      const k = slots[h]!
      if (k < 0) return -1
      if (this.lens[k] !== len) continue
      const chars = this.chars
      const o = this.offsets[k]! - s
      let i = s
      while (i < e && chars[o + i] === t.charCodeAt(i)) i++
      if (i === e) return k
    }
  }

  /** find, reading `b`, the bytes of the text (see latin1Bytes). */
  findBytes(b: Uint8Array, s: number, e: number): number {
    const len = e - s
    const slots = this.slots
    const mask = 2 * TEXT_CACHE_SIZE - 1
    for (let h = (len * 97 + b[e - 1]! * 31 + b[s + (len >> 1)]!) & mask; ; h = (h + 1) & mask) {
      const k = slots[h]!
      if (k < 0) return -1
      if (this.lens[k] !== len) continue
      const chars = this.chars
      const o = this.offsets[k]! - s
      let i = s
      while (i < e && chars[o + i] === b[i]) i++
      if (i === e) return k
    }
  }

  add(raw: string, key: string, outcome: number): void {
    const k = this.size++
    const len = raw.length
    if (this.used + len > this.chars.length) {
      const bigger = new Uint16Array(Math.max(2 * this.chars.length, this.used + len))
      bigger.set(this.chars)
      this.chars = bigger
    }
    for (let i = 0; i < len; i++) this.chars[this.used + i] = raw.charCodeAt(i)
    this.offsets[k] = this.used
    this.lens[k] = len
    this.used += len
    this.raws.push(raw)
    this.keys.push(key)
    this.outcome[k] = outcome
    let h = TextCache.slot(raw, 0, len)
    while (this.slots[h]! >= 0) h = (h + 1) & (2 * TEXT_CACHE_SIZE - 1)
    this.slots[h] = k
  }

  /** Adds the counts since the last flush to `counts` (whose keys they are). */
  flush(counts: Map<string, number>): void {
    this.dirty = false
    for (let k = 0; k < this.size; k++) {
      const c = this.counts[k]!
      if (c === 0) continue
      this.counts[k] = 0
      const key = this.keys[k]!
      counts.set(key, counts.get(key)! + c)
    }
  }
}

/**
 * Every v with |v − bound| ≤ |v|·1e-15 is within this distance of the bound (a superset: |v| ≤ 2|bound|
 * there, so the distance is at most 2e-15·|bound|).
 */
function boundTolerance(bound: number): number {
  return Math.abs(bound) * 2e-15 + Number.MIN_VALUE
}

function raw(
  v: number,
  t: string | undefined,
  b: Uint8Array | undefined,
  s: number,
  e: number,
  flag: number,
): string {
  return t === undefined && b === undefined ? String(v) : fieldOf(t, b, s, e, flag)
}

function timeOf(s: string, type: ColumnType | 'auto'): number | undefined {
  const t = type === 'date' ? parseDate(s) : parseDatetime(s.length === 10 ? `${s}T00:00Z` : s)
  return Number.isNaN(t) ? undefined : t
}

/** `unique` values of one column collected in a scan worker, with their lines. */
class UniqueBatch {
  private nums = new Float64Array(1024)
  private lines = new Float64Array(1024)
  private n = 0
  private strs: string[] = []
  add(v: number | string, line: number): void {
    const n = this.n
    if (n === this.lines.length) this.grow()
    if (typeof v === 'number') this.nums[n] = v
    else this.strs.push(v)
    this.lines[n] = line
    this.n = n + 1
  }
  private grow(): void {
    const nums = new Float64Array(2 * this.n)
    nums.set(this.nums)
    this.nums = nums
    const lines = new Float64Array(2 * this.n)
    lines.set(this.lines)
    this.lines = lines
  }
  /** The values and lines added since the last take (copies: they are sent away). */
  take(): UniqueValues {
    const out = {
      values: this.strs.length ? this.strs : this.nums.slice(0, this.n),
      lines: this.lines.slice(0, this.n),
    }
    this.n = 0
    this.strs = []
    return out
  }
}

export interface UniqueValues {
  readonly values: Float64Array | string[]
  readonly lines: Float64Array
}

export interface ColumnInit {
  readonly name: string
  readonly type: ColumnType | 'auto'
  readonly spec?: ColumnSpec
  readonly exact: boolean
}

/** Everything a ColumnAcc knows that merges: what a scan worker sends back (structured-clone friendly). */
export interface ColumnState {
  readonly count: number
  readonly nulls: number
  readonly invalid: number
  readonly other: number
  readonly moments: Moments
  readonly kll: KllJson
  readonly hll: Uint8Array
  readonly counts: Map<string, number> | undefined
  readonly numCounts: Map<number, number> | undefined
  readonly exact: { values: Float64Array; overflow: boolean } | undefined
  readonly cand: Candidates | undefined
  readonly violations: Violation[]
}
