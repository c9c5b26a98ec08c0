/**
 * In-place ascending sort of a Float64Array (no NaN): quicksort with median-of-three pivots and insertion
 * sort for short runs. JIT-compiled numeric code, several times faster than Float64Array.prototype.sort on
 * Node 20, which the sketches and the exact drift tests call on every compaction and sample.
 */
export function sortFloat64(a: Float64Array, lo = 0, hi = a.length - 1): Float64Array {
  while (hi - lo > 24) {
    const mid = (lo + hi) >>> 1
    const x = a[lo]!
    const y = a[mid]!
    const z = a[hi]!
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z)) // median of three
    let i = lo
    let j = hi
    while (i <= j) {
      while (a[i]! < pivot) i++
      while (a[j]! > pivot) j--
      if (i <= j) {
        const t = a[i]!
        a[i] = a[j]!
        a[j] = t
        i++
        j--
      }
    }
    // recurse into the smaller side, loop on the larger (bounded stack)
    if (j - lo < hi - i) {
      if (lo < j) sortFloat64(a, lo, j)
      lo = i
    } else {
      if (i < hi) sortFloat64(a, i, hi)
      hi = j
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i]!
    let j = i - 1
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!
      j--
    }
    a[j + 1] = v
  }
  return a
}

/** Below this many values the radix sort hands over to the quicksort. */
export const RADIX_MIN = 4096

/**
 * Radix sort of a Float64Array (no NaN) for large arrays, O(n): the doubles move as they are and are ordered
 * by the high 32 bits of their IEEE bits (sign, exponent and 20 bits of the fraction) in at most three LSD
 * passes of 11, 11 and 10 bits; a pass whose digit is the same for every value is skipped, and the last pass
 * puts the negatives first, larger magnitudes first. Values sharing the high word are then next to each other
 * and each such run is sorted by value: short runs by the quicksort, long ones (clustered data) by the same
 * passes on the low word. Returns `a`, sorted in place, in the order of Float64Array.prototype.sort
 * (−Infinity first, −0 before 0).
 */
export function radixSortFloat64(a: Float64Array): Float64Array {
  const n = a.length
  if (n < RADIX_MIN) return sortFloat64(a)
  const tmp = new Float64Array(n)
  sortByWord(a, tmp, 1)
  sortRunsOfEqualHighWord(a, tmp)
  return a
}

const words = (a: Float64Array) => new Uint32Array(a.buffer, a.byteOffset, a.length * 2)

/**
 * Stable LSD sort of `a` by one 32-bit word of each double (little-endian: 0 = low, 1 = high), with `tmp`
 * (same length) as scratch. By the high word the order is that of the numbers up to values sharing it
 * (negatives reversed); by the low word it is plain unsigned.
 */
function sortByWord(a: Float64Array, tmp: Float64Array, w: 0 | 1): void {
  const n = a.length
  const ua = words(a)
  const c0 = new Int32Array(2048)
  const c1 = new Int32Array(2048)
  const c2 = new Int32Array(1024)
  countDigits(ua, w, c0, c1, c2)
  const next = new Int32Array(2048)
  let src = a
  let dst = tmp
  let su = ua
  let du = words(tmp)
  for (let pass = 0; pass < 3; pass++) {
    const c = pass === 0 ? c0 : pass === 1 ? c1 : c2
    if (isConstant(c, n)) continue
    if (pass === 2 && w === 1) scatterSigned(su, src, dst, c, next)
    else {
      let sum = 0
      for (let d = 0; d < c.length; d++) {
        next[d] = sum
        sum += c[d]!
      }
      scatter(su, src, dst, w, pass * 11, c.length - 1, next)
    }
    ;[src, dst] = [dst, src]
    ;[su, du] = [du, su]
  }
  if (src !== a) a.set(src)
  // the sign pass was skipped: all values have one sign, and negatives are in ascending magnitude
  if (w === 1 && isConstant(c2, n) && ua[1]! & 0x80000000) a.reverse()
}

function countDigits(u: Uint32Array, w: number, c0: Int32Array, c1: Int32Array, c2: Int32Array): void {
  for (let i = w; i < u.length; i += 2) {
    const x = u[i]!
    c0[x & 2047]!++
    c1[(x >>> 11) & 2047]!++
    c2[x >>> 22]!++
  }
}

function isConstant(c: Int32Array, n: number): boolean {
  for (let d = 0; d < c.length; d++) if (c[d] !== 0) return c[d] === n
  return true
}

function scatter(
  su: Uint32Array,
  src: Float64Array,
  dst: Float64Array,
  w: number,
  shift: number,
  mask: number,
  next: Int32Array,
): void {
  const n = src.length
  for (let i = 0; i < n; i++) dst[next[(su[2 * i + w]! >>> shift) & mask]!++] = src[i]!
}

/**
 * The last pass by the high word: digit = sign and the top 9 exponent bits. Buckets of negatives come first,
 * the largest digit (magnitude) first, and fill from their end so that the earlier passes' ascending order
 * of magnitudes becomes descending.
 */
function scatterSigned(
  su: Uint32Array,
  src: Float64Array,
  dst: Float64Array,
  c: Int32Array,
  next: Int32Array,
) {
  const step = new Int32Array(1024)
  let sum = 0
  for (let d = 1023; d >= 512; d--) {
    sum += c[d]!
    next[d] = sum - 1
    step[d] = -1
  }
  for (let d = 0; d < 512; d++) {
    next[d] = sum
    step[d] = 1
    sum += c[d]!
  }
  const n = src.length
  for (let i = 0; i < n; i++) {
    const d = su[2 * i + 1]! >>> 22
    const p = next[d]!
    dst[p] = src[i]!
    next[d] = p + step[d]!
  }
}

/** After sortByWord(a, tmp, 1): sorts each run of values with equal high words by value. */
function sortRunsOfEqualHighWord(a: Float64Array, tmp: Float64Array): void {
  const u = words(a)
  const n = a.length
  let start = 0
  let h = u[1]!
  for (let i = 1; i < n; i++) {
    const hi = u[2 * i + 1]!
    if (hi === h) continue
    if (i - start > 1) sortRun(a, tmp, start, i)
    start = i
    h = hi
  }
  if (n - start > 1) sortRun(a, tmp, start, n)
}

function sortRun(a: Float64Array, tmp: Float64Array, start: number, end: number): void {
  if (end - start < RADIX_MIN) {
    sortFloat64(a, start, end - 1)
    return
  }
  // one high word: sign and exponent are shared, the low word orders the magnitudes
  const run = a.subarray(start, end)
  sortByWord(run, tmp.subarray(start, end), 0)
  if (words(run)[1]! & 0x80000000) run.reverse() // negatives: larger magnitudes first
}

let scratch = new Float64Array(0)
let bucketCounts = new Int32Array(0)
let bucketOf = new Int32Array(0)

/**
 * Sorts a[0..n) in place (no NaN), for the sketches' compactions: input that is a few ascending runs (the
 * levels above the bottom one are filled by sorted halves) is merged in linear time; other input of finite
 * range is spread over about n equal-width buckets between its min and max and each bucket sorted on its
 * own (linear time for any smooth distribution, and no branchy comparisons across the whole array);
 * anything else goes to `sortFloat64`. Returns `a`.
 */
export function sortFloat64Adaptive(a: Float64Array, n = a.length): Float64Array {
  if (n < 2) return a
  let min = a[0]!
  let max = min
  let runs = 1
  let prev = min
  for (let i = 1; i < n; i++) {
    const x = a[i]!
    if (x < prev) runs++
    if (x < min) min = x
    else if (x > max) max = x
    prev = x
  }
  if (runs === 1) return a
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 1024))
  if (runs <= 8) return mergeRuns(a, n)
  const range = max - min
  if (n < 64 || !(range > 0) || !Number.isFinite(range)) return sortFloat64(a, 0, n - 1)
  // bucket of x: ⌊(x − min) · scale⌋, monotone in x, so buckets come out in order
  const nb = n
  const scale = nb / range
  if (bucketCounts.length < nb + 1) {
    bucketCounts = new Int32Array(Math.max(nb + 1, 1025))
    bucketOf = new Int32Array(bucketCounts.length)
  }
  const count = bucketCounts
  const bucket = bucketOf
  count.fill(0, 0, nb + 1)
  for (let i = 0; i < n; i++) {
    let b = ((a[i]! - min) * scale) | 0
    if (b >= nb) b = nb - 1
    bucket[i] = b
    count[b + 1]!++
  }
  // count[b]: where bucket b starts in tmp
  let most = 0
  for (let b = 1; b <= nb; b++) {
    const c = count[b]!
    if (c > most) most = c
    count[b] = c + count[b - 1]!
  }
  const tmp = scratch
  for (let i = 0; i < n; i++) tmp[count[bucket[i]!]!++] = a[i]!
  if (most <= 16) {
    // small buckets: one insertion sort from tmp into a moves each value within its bucket only
    a[0] = tmp[0]!
    for (let i = 1; i < n; i++) {
      const v = tmp[i]!
      let j = i - 1
      while (j >= 0 && a[j]! > v) {
        a[j + 1] = a[j]!
        j--
      }
      a[j + 1] = v
    }
    return a
  }
  // now count[b]: where bucket b ends; each bucket is copied back, and sorted unless it already is
  let start = 0
  for (let b = 0; b < nb; b++) {
    const end = count[b]!
    if (end - start === 1) a[start] = tmp[start]!
    else if (end - start > 1) {
      let sorted = true
      for (let i = start; i < end; i++) {
        const v = tmp[i]!
        a[i] = v
        if (i > start && v < tmp[i - 1]!) sorted = false
      }
      if (!sorted) sortFloat64(a, start, end - 1)
    }
    start = end
  }
  return a
}

/** Merges the ascending runs of a[0..n) (through `scratch`, which holds at least n). */
function mergeRuns(a: Float64Array, n: number): Float64Array {
  let src: Float64Array = a
  let dst: Float64Array = scratch
  for (;;) {
    // one pass: merge neighbouring runs pairwise from src into dst
    let i = 0
    let merged = 0
    while (i < n) {
      let m = i + 1
      while (m < n && src[m]! >= src[m - 1]!) m++
      let e = m
      if (e < n) {
        e++
        while (e < n && src[e]! >= src[e - 1]!) e++
      }
      let p = i
      let q = m
      let k = i
      while (p < m && q < e) dst[k++] = src[q]! < src[p]! ? src[q++]! : src[p++]!
      while (p < m) dst[k++] = src[p++]!
      while (q < e) dst[k++] = src[q++]!
      merged++
      i = e
    }
    const t = src
    src = dst
    dst = t
    if (merged === 1) break
  }
  if (src !== a) a.set(src.subarray(0, n))
  return a
}
