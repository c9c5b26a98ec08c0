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

/**
 * LSD radix sort of a Float64Array (no NaN) for large arrays: the doubles are mapped to unsigned keys that
 * sort like the numbers (sign bit flipped; all bits flipped for negatives) and sorted 16 bits at a time in 4
 * passes, O(n) instead of O(n log n). Returns `a`, sorted in place.
 */
export function radixSortFloat64(a: Float64Array): Float64Array {
  const n = a.length
  if (n < 4096) return sortFloat64(a)
  const u = new Uint32Array(a.buffer, a.byteOffset, n * 2) // little-endian: [lo, hi] per value
  let lo = new Uint32Array(n)
  let hi = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    const h = u[2 * i + 1]!
    const l = u[2 * i]!
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0
      lo[i] = ~l >>> 0
    } else {
      hi[i] = (h | 0x80000000) >>> 0
      lo[i] = l
    }
  }
  let lo2 = new Uint32Array(n)
  let hi2 = new Uint32Array(n)
  const count = new Uint32Array(65536)
  for (let pass = 0; pass < 4; pass++) {
    const src = pass < 2 ? lo : hi
    const shift = (pass & 1) * 16
    count.fill(0)
    for (let i = 0; i < n; i++) count[(src[i]! >>> shift) & 0xffff]!++
    let sum = 0
    for (let d = 0; d < 65536; d++) {
      const c = count[d]!
      count[d] = sum
      sum += c
    }
    for (let i = 0; i < n; i++) {
      const pos = count[(src[i]! >>> shift) & 0xffff]!++
      lo2[pos] = lo[i]!
      hi2[pos] = hi[i]!
    }
    ;[lo, lo2] = [lo2, lo]
    ;[hi, hi2] = [hi2, hi]
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i]!
    if (h & 0x80000000) {
      u[2 * i + 1] = (h & 0x7fffffff) >>> 0
      u[2 * i] = lo[i]!
    } else {
      u[2 * i + 1] = ~h >>> 0
      u[2 * i] = ~lo[i]! >>> 0
    }
  }
  return a
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
