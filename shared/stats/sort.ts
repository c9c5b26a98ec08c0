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
