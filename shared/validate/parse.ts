/**
 * Cell parsers that read straight from the block text (no string per field on the fast path). Numbers are
 * exact: the fast path is Clinger's (≤ 15 significant digits, |exponent| ≤ 22, one correctly rounded
 * multiply or divide); anything else goes to `Number()`.
 */

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i)

/** An integer written as [+-]digits, or NaN. */
export function parseIntText(t: string, s: number, e: number): number {
  let i = s
  let neg = false
  let c = t.charCodeAt(i)
  if (c === 45) {
    neg = true
    i++
  } else if (c === 43) i++
  if (i >= e) return Number.NaN
  if (e - i > 15) {
    for (let k = i; k < e; k++) {
      c = t.charCodeAt(k)
      if (c < 48 || c > 57) return Number.NaN
    }
    return Number(t.slice(s, e))
  }
  let v = 0
  for (; i < e; i++) {
    c = t.charCodeAt(i) - 48
    if (c < 0 || c > 9) return Number.NaN
    v = v * 10 + c
  }
  return neg ? -v : v
}

/** parseIntText reading `b`, the bytes of `t` (see latin1Bytes). */
export function parseIntBytes(b: Uint8Array, t: string, s: number, e: number): number {
  let i = s
  let neg = false
  let c = i < e ? b[i]! : -1
  if (c === 45) {
    neg = true
    i++
  } else if (c === 43) i++
  if (i >= e) return Number.NaN
  if (e - i > 15) {
    for (let k = i; k < e; k++) {
      c = b[k]!
      if (c < 48 || c > 57) return Number.NaN
    }
    return Number(t.slice(s, e))
  }
  let v = 0
  for (; i < e; i++) {
    c = b[i]! - 48
    if (c < 0 || c > 9) return Number.NaN
    v = v * 10 + c
  }
  return neg ? -v : v
}

/**
 * Set by parseNumberText: the last value had more than 15 significant digits, so it may be 1-2 ulp from
 * the correctly rounded double. Callers re-parse exactly (`Number`) where that could change a decision (a
 * value at a `min`/`max` bound, a `values` miss).
 */
export let lastInexact = false

/**
 * A finite decimal number ([+-]digits[.digits][e[+-]digits], or .5, 5.), or NaN. Up to 15 significant
 * digits and |exponent| ≤ 22 the result is exact (Clinger's fast path); up to 19 digits it is within 2 ulp
 * (see `lastInexact`); anything longer goes to `Number()`.
 */
export function parseNumberText(t: string, s: number, e: number): number {
  let i = s
  let c = i < e ? t.charCodeAt(i) : -1
  const neg = c === 45
  if (neg || c === 43) i++
  // mant takes every digit (leading zeros add nothing), so it is the same sequence of double operations
  // whatever the zeros; digit counts are differences of indices
  let mant = 0
  const intStart = i
  while (i < e && t.charCodeAt(i) === 48) i++
  const intNonzero = i
  for (; i < e; i++) {
    c = t.charCodeAt(i) - 48
    if (c < 0 || c > 9) break
    mant = mant * 10 + c
  }
  let sig = i - intNonzero
  let digits = i - intStart
  let exp = 0
  if (i < e && c === -2) {
    // '.'
    i++
    const fracStart = i
    if (sig === 0) while (i < e && t.charCodeAt(i) === 48) i++
    const fracNonzero = i
    for (; i < e; i++) {
      c = t.charCodeAt(i) - 48
      if (c < 0 || c > 9) break
      mant = mant * 10 + c
    }
    sig += i - fracNonzero
    digits += i - fracStart
    exp = fracStart - i
  }
  if (digits === 0) return Number.NaN
  // past 19 significant digits mant is no longer within 2 ulp: Number() decides
  let slow = sig > 19
  if (i < e) {
    if (c !== 53 && c !== 21) return Number.NaN // not 'e' or 'E'
    i++
    c = i < e ? t.charCodeAt(i) : -1
    const eneg = c === 45
    if (eneg || c === 43) i++
    if (i >= e) return Number.NaN
    let ev = 0
    for (; i < e; i++) {
      c = t.charCodeAt(i) - 48
      if (c < 0 || c > 9) return Number.NaN
      ev = ev * 10 + c
      if (ev > 100000) slow = true
    }
    exp += eneg ? -ev : ev
  }
  let v: number
  if (!slow && exp >= -22 && exp <= 22) {
    v = exp < 0 ? mant / POW10[-exp]! : mant * POW10[exp]!
    lastInexact = sig > 15
  } else {
    v = Math.abs(Number(t.slice(s, e)))
    lastInexact = false
    if (!Number.isFinite(v)) return Number.NaN
  }
  return neg ? -v : v
}

/** parseNumberText reading `b`, the bytes of `t` (see latin1Bytes): the same value and `lastInexact`. */
export function parseNumberBytes(b: Uint8Array, t: string, s: number, e: number): number {
  let i = s
  let c = i < e ? b[i]! : -1
  const neg = c === 45
  if (neg || c === 43) i++
  let mant = 0
  const intStart = i
  while (i < e && b[i]! === 48) i++
  const intNonzero = i
  for (; i < e; i++) {
    c = b[i]! - 48
    if (c < 0 || c > 9) break
    mant = mant * 10 + c
  }
  let sig = i - intNonzero
  let digits = i - intStart
  let exp = 0
  if (i < e && c === -2) {
    // '.'
    i++
    const fracStart = i
    if (sig === 0) while (i < e && b[i]! === 48) i++
    const fracNonzero = i
    for (; i < e; i++) {
      c = b[i]! - 48
      if (c < 0 || c > 9) break
      mant = mant * 10 + c
    }
    sig += i - fracNonzero
    digits += i - fracStart
    exp = fracStart - i
  }
  if (digits === 0) return Number.NaN
  if (i === e && sig <= 19 && exp >= -22) {
    // no exponent, the fast path (exp ≤ 0): the common case, small enough to be inlined
    lastInexact = sig > 15
    const v = exp < 0 ? mant / POW10[-exp]! : mant
    return neg ? -v : v
  }
  return numberTail(b, t, s, e, i, c, mant, sig, exp, neg)
}

/** The rest of parseNumberBytes from index i (at an exponent, or past the fast path). */
function numberTail(
  b: Uint8Array,
  t: string,
  s: number,
  e: number,
  i: number,
  c: number,
  mant: number,
  sig: number,
  exp: number,
  neg: boolean,
): number {
  // past 19 significant digits mant is no longer within 2 ulp: Number() decides
  let slow = sig > 19
  if (i < e) {
    if (c !== 53 && c !== 21) return Number.NaN // not 'e' or 'E'
    i++
    c = i < e ? b[i]! : -1
    const eneg = c === 45
    if (eneg || c === 43) i++
    if (i >= e) return Number.NaN
    let ev = 0
    for (; i < e; i++) {
      c = b[i]! - 48
      if (c < 0 || c > 9) return Number.NaN
      ev = ev * 10 + c
      if (ev > 100000) slow = true
    }
    exp += eneg ? -ev : ev
  }
  let v: number
  if (!slow && exp >= -22 && exp <= 22) {
    v = exp < 0 ? mant / POW10[-exp]! : mant * POW10[exp]!
    lastInexact = sig > 15
  } else {
    v = Math.abs(Number(t.slice(s, e)))
    lastInexact = false
    if (!Number.isFinite(v)) return Number.NaN
  }
  return neg ? -v : v
}

const BYTES_MIN = 4096
/** Longer texts (a huge record) are read as text rather than kept as bytes for good. */
const BYTES_MAX = 1 << 20
const PAST_LATIN1 = /[^\x00-\xff]/
let bytesText = ''
let bytesOfText: Uint8Array | undefined
let bytesBuf = Buffer.alloc(0)

/**
 * The characters of a block of text as bytes, when it is long (a CSV block; up to 1 Mi characters) and every
 * character is below U+0100; else undefined. Reading a byte is cheaper than charCodeAt, which dispatches on
 * the string's representation each time. The last block's bytes are kept in one reused buffer, so they are valid only
 * until latin1Bytes is called with another long text: use them at once (the CSV sink gets them once per
 * record and passes them to each field).
 */
export function latin1Bytes(t: string): Uint8Array | undefined {
  return t === bytesText ? bytesOfText : newBytes(t)
}

function newBytes(t: string): Uint8Array | undefined {
  if (t.length < BYTES_MIN || t.length > BYTES_MAX) return undefined
  bytesText = t
  if (PAST_LATIN1.test(t)) {
    bytesOfText = undefined
    return undefined
  }
  if (bytesBuf.length < t.length)
    bytesBuf = Buffer.allocUnsafe(Math.min(BYTES_MAX, Math.max(t.length, 2 * bytesBuf.length)))
  bytesBuf.write(t, 0, 'latin1')
  bytesOfText = bytesBuf
  return bytesBuf
}

/** The correctly rounded value of a field (for the rare re-check after an inexact fast parse). */
export const exactNumber = (t: string, s: number, e: number): number => Number(t.slice(s, e))

const BOOL_TRUE = new Set(['true', 'True', 'TRUE', 't', 'T', 'yes', 'Yes', 'YES', 'y', 'Y', '1'])
const BOOL_FALSE = new Set(['false', 'False', 'FALSE', 'f', 'F', 'no', 'No', 'NO', 'n', 'N', '0'])

/** true/false/yes/no/t/f/y/n/1/0 (case as written, or capitalized, or upper-case); undefined otherwise. */
export function parseBool(v: string): boolean | undefined {
  if (BOOL_TRUE.has(v)) return true
  if (BOOL_FALSE.has(v)) return false
  return undefined
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/

/** Epoch milliseconds of a valid calendar date YYYY-MM-DD, or NaN. */
export function parseDate(v: string): number {
  const m = DATE.exec(v)
  if (!m) return Number.NaN
  return calendar(+m[1]!, +m[2]!, +m[3]!)
}

function calendar(y: number, mo: number, d: number): number {
  const t = Date.UTC(y, mo - 1, d)
  const dt = new Date(t)
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d ? t : Number.NaN
}

/** Epoch milliseconds of an ISO 8601 date-time (T or space; optional seconds, fraction, zone), or NaN. */
export function parseDatetime(v: string): number {
  const m = DATETIME.exec(v)
  if (!m) return Number.NaN
  if (Number.isNaN(calendar(+m[1]!, +m[2]!, +m[3]!))) return Number.NaN
  if (+m[4]! > 23 || +m[5]! > 59 || (m[6] !== undefined && +m[6] > 59)) return Number.NaN
  const iso = `${v.slice(0, 10)}T${v.slice(11)}`
  const t = Date.parse(m[7] ? iso : `${iso}Z`)
  return t
}
