/** Cell parsers of the validator: booleans, dates, and the bytes of a block of text. Numbers: data/numbers.ts. */

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
