/**
 * Number parsers for CSV fields, reading the block's text or its bytes (no string per field on the fast
 * path). Numbers are exact up to 15 significant digits (Clinger's fast path: |exponent| ≤ 22, one correctly
 * rounded multiply or divide), within 2 ulp up to 19 (see `lastInexact`); anything else goes to `Number()`.
 * The byte readers and the text parsers do the same double operations, so a value never depends on which
 * of them read it.
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

/**
 * Characters [s, e) of a block given as text `t` or, when `t` is undefined, only as its bytes `b` (an ASCII
 * block that the CSV fast lane reads without ever making its string).
 */
export function sliceOf(t: string | undefined, b: Uint8Array | undefined, s: number, e: number): string {
  if (t !== undefined) return t.slice(s, e)
  return Buffer.from(b!.buffer, b!.byteOffset + s, e - s).toString('latin1')
}

/** parseIntText reading `b`, the bytes of `t` (same offsets; `t` undefined: see sliceOf). */
export function parseIntBytes(b: Uint8Array, t: string | undefined, s: number, e: number): number {
  const v = readInt(b, s)
  if (numberEnd === e && !Number.isNaN(v)) return v
  return t !== undefined ? parseIntText(t, s, e) : parseIntText(sliceOf(t, b, s, e), 0, e - s)
}

/**
 * Set by parseNumberText, parseNumberBytes and readNumber: the last value had more than 15 significant
 * digits, so it may be 1-2 ulp from the correctly rounded double. Callers re-parse exactly (`Number`) where
 * that could change a decision (a value at a `min`/`max` bound, a `values` miss).
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
    // two digits a step (see readNumber)
    while (i < e) {
      c = t.charCodeAt(i) - 48
      if (c < 0 || c > 9) break
      const d = i + 1 < e ? t.charCodeAt(i + 1) - 48 : -1
      if (d < 0 || d > 9) {
        mant = mant * 10 + c
        i++
      } else {
        mant = mant * 100 + (c * 10 + d)
        i += 2
      }
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

/** parseNumberText reading `b`, the bytes of `t` (as parseIntBytes): the same value and `lastInexact`. */
export function parseNumberBytes(b: Uint8Array, t: string | undefined, s: number, e: number): number {
  const v = readNumber(b, s)
  if (numberEnd === e && !Number.isNaN(v)) return v
  return t !== undefined ? parseNumberText(t, s, e) : parseNumberText(sliceOf(t, b, s, e), 0, e - s)
}

/** Where the last readInt or readNumber stopped: the first byte that is not part of the number. */
export let numberEnd = 0

/**
 * The common integers: [+-] and up to 15 digits from `b[s]`, read until a byte that is not a digit (see
 * numberEnd). NaN when there is no digit or more than 15 (parseIntText decides those).
 *
 * The readers do not take an end: they stop at the byte after the field (a delimiter, a line break, a quote)
 * or past the end of `b` (undefined). Callers whose `b` may hold stale bytes after the text check that
 * numberEnd is the field's end.
 */
export function readInt(b: Uint8Array, s: number): number {
  let i = s
  let c = b[i]!
  const neg = c === 45
  if (neg || c === 43) c = b[++i]!
  const first = i
  let v = 0
  while (c >= 48 && c <= 57) {
    v = v * 10 + (c - 48)
    c = b[++i]!
  }
  numberEnd = i
  if (i === first || i - first > 15) return Number.NaN
  return neg ? -v : v
}

/**
 * The common decimals: [+-]digits[.digits] from `b[s]`, read until a byte that is not part of one (see
 * numberEnd and readInt), with the double operations of parseNumberText; sets `lastInexact`. NaN when
 * there is no digit, an exponent follows, or the value is past the fast path (parseNumberText decides).
 */
export function readNumber(b: Uint8Array, s: number): number {
  let i = s
  let c = b[i]!
  const neg = c === 45
  if (neg || c === 43) c = b[++i]!
  let mant = 0
  const intStart = i
  while (c === 48) c = b[++i]!
  const intNonzero = i
  while (c >= 48 && c <= 57) {
    mant = mant * 10 + (c - 48)
    c = b[++i]!
  }
  let sig = i - intNonzero
  let digits = i - intStart
  let exp = 0
  if (c === 46) {
    c = b[++i]!
    const fracStart = i
    if (sig === 0) while (c === 48) c = b[++i]!
    const fracNonzero = i
    // two digits a step: the multiply-adds form one chain of dependent operations, and a fraction is most
    // of a number's digits. parseNumberText takes the same steps, so both give the same double.
    for (;;) {
      const d1 = c - 48
      if (!(d1 >= 0 && d1 <= 9)) break
      const d2 = b[i + 1]! - 48
      if (!(d2 >= 0 && d2 <= 9)) {
        mant = mant * 10 + d1
        c = b[++i]!
        break
      }
      mant = mant * 100 + (d1 * 10 + d2)
      i += 2
      c = b[i]!
    }
    sig += i - fracNonzero
    digits += i - fracStart
    exp = fracStart - i
  }
  numberEnd = i
  if (digits === 0 || sig > 19 || exp < -22 || c === 101 || c === 69) return Number.NaN
  lastInexact = sig > 15
  const v = exp < 0 ? mant / POW10[-exp]! : mant
  return neg ? -v : v
}

/** The correctly rounded value of a field (for the rare re-check after an inexact fast parse; see sliceOf). */
export const exactNumber = (t: string | undefined, b: Uint8Array | undefined, s: number, e: number): number =>
  Number(sliceOf(t, b, s, e))
