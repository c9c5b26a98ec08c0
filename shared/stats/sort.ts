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
