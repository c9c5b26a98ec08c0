import { hashNumber } from './hll.js'
import { radixSortFloat64, sortFloat64Adaptive } from './sort.js'

/**
 * A mergeable quantile sketch: a hierarchy of compactors (Manku-Rajagopalan-Lindsay / KLL with equal
 * capacities). Level h holds up to `k` items of weight 2^h; a full level is sorted and every other item,
 * from an offset chosen by a deterministic hash (0 or 1), moves up a level.
 *
 * Past 2^19 values the bottom levels are replaced by a sampler (as in the KLL paper): of each block of
 * B = 2^s values (s = ⌊log2(n / 2^18)⌋) one, chosen at random, enters level s with weight B. That keeps the
 * cost per value low on large inputs.
 *
 * Error bound: each compaction at level h moves any rank by at most 2^h, with mean 0; over n values the
 * compactors' rank error has standard deviation at most n/(2k). The sampler adds at most √(n·B)/2 ≤ n/2^10.
 * Together: the rank error of any query has standard deviation at most about 0.11 % of n (k = 1024), and
 * is exact below k values. Merging keeps the bound: a merge appends the levels and compacts, as one pass
 * would.
 */
export const KLL_K = 1024

/** A sketch as plain data (profiles, scan workers). */
export interface KllJson {
  k: number
  n: number
  compactions: number
  levels: number[][]
}

export class KllSketch {
  levels: Float64Array[] = []
  sizes: number[] = []
  n = 0
  compactions = 0

  constructor(readonly k = KLL_K) {
    this.ensure(0)
  }

  private ensure(h: number): void {
    while (this.levels.length <= h) {
      this.levels.push(new Float64Array(this.k))
      this.sizes.push(0)
    }
  }

  /**
   * A lower bound on the count of the sketch this one will be merged into: in a parallel scan, the values
   * other workers' sketches of the column already hold. The sampler's block size follows max(n, floor), so
   * B ≤ (merged n)/2^18 still holds and the bound below is kept, while a worker skips most of the
   * full-compaction warm-up that the whole scan has already paid for.
   */
  private floor = 0
  /** The floor rose while a sampler block was unfinished: raise at the block's end. */
  private raisePending = false

  /** Sampler level s (block size 2^s) and the values of the current, unfinished block. */
  private s = 0
  private block = new Float64Array(1)
  private blockSize = 0
  private rand = 0x9e3779b9

  add(x: number): void {
    this.n++
    if (this.s === 0) {
      const l0 = this.levels[0]!
      l0[this.sizes[0]!++] = x
      if (this.sizes[0] === this.k) this.compact(0)
      if (this.n >= 1 << 19 && (this.n & ((1 << 18) - 1)) === 0) this.raiseSampler()
      return
    }
    this.block[this.blockSize++] = x
    if (this.blockSize === this.block.length) {
      // xorshift32: which value of the block goes up
      let r = this.rand
      r ^= r << 13
      r ^= r >>> 17
      r ^= r << 5
      this.rand = r
      this.pushOne(this.s, this.block[(r >>> 0) % this.block.length]!)
      this.blockSize = 0
      if (this.raisePending || (this.n & ((1 << 18) - 1)) === 0) this.raiseSampler()
    }
  }

  /** add(xs[0]), …, add(xs[count − 1]), with the same result; in sampler mode only the chosen values are read. */
  addMany(xs: Float64Array, count: number): void {
    let i = 0
    while (i < count && this.s === 0) this.add(xs[i++]!)
    while (i < count) {
      const block = this.block
      const size = block.length
      const filled = this.blockSize
      const room = size - filled
      if (count - i < room) {
        // the block stays unfinished: keep its values
        block.set(xs.subarray(i, count), filled)
        this.blockSize = filled + count - i
        this.n += count - i
        return
      }
      // as add: xorshift32 picks which value of the block goes up
      let r = this.rand
      r ^= r << 13
      r ^= r >>> 17
      r ^= r << 5
      this.rand = r
      const pick = (r >>> 0) % size
      const x = pick < filled ? block[pick]! : xs[i + pick - filled]!
      this.n += room
      i += room
      this.pushOne(this.s, x)
      this.blockSize = 0
      if (this.raisePending || (this.n & ((1 << 18) - 1)) === 0) this.raiseSampler()
    }
  }

  /** See `floor`. */
  setFloor(n: number): void {
    if (n <= this.floor) return
    this.floor = n
    if (this.blockSize === 0) this.raiseSampler()
    else this.raisePending = true
  }

  /** Called at block boundaries: s = ⌊log2(max(n, floor) / 2^18)⌋, from 2^19 values on. */
  private raiseSampler(): void {
    this.raisePending = false
    const n = Math.max(this.n, this.floor)
    if (n < 1 << 19) return
    const want = Math.floor(Math.log2(n / (1 << 18)))
    if (want > this.s) {
      this.s = want
      this.block = new Float64Array(1 << want)
      this.blockSize = 0
    }
  }

  private pushOne(h: number, x: number): void {
    this.ensure(h)
    const buf = this.levels[h]!
    if (this.sizes[h]! >= buf.length) {
      this.compact(h)
    }
    this.levels[h]![this.sizes[h]!++] = x
    if (this.sizes[h]! >= this.k) this.compact(h)
  }

  private push(h: number, values: Float64Array, count: number): void {
    this.ensure(h)
    let buf = this.levels[h]!
    const size = this.sizes[h]!
    if (size + count > buf.length) {
      const bigger = new Float64Array(Math.max(buf.length * 2, size + count))
      bigger.set(buf.subarray(0, size))
      this.levels[h] = bigger
      buf = bigger
    }
    buf.set(values.subarray(0, count), size)
    this.sizes[h] = size + count
  }

  private compact(h: number): void {
    for (; h < this.levels.length; h++) {
      const size = this.sizes[h]!
      if (size < this.k) break
      const buf = this.levels[h]!
      const items = sortFloat64Adaptive(buf, size).subarray(0, size)
      const even = size - (size % 2)
      const offset = hashNumber(this.compactions++ * 64 + h) & 1
      const up = new Float64Array(even / 2)
      for (let i = offset, j = 0; i < even; i += 2) up[j++] = items[i]!
      // an odd item out stays at this level
      if (even < size) buf[0] = items[size - 1]!
      this.sizes[h] = size - even
      if (buf.length > this.k) this.levels[h] = buf.slice(0, Math.max(this.k, this.sizes[h]!))
      this.push(h + 1, up, up.length)
    }
  }

  merge(o: KllSketch): void {
    o.flushBlock()
    this.flushBlock()
    for (let h = 0; h < o.levels.length; h++) if (o.sizes[h]) this.push(h, o.levels[h]!, o.sizes[h]!)
    this.n += o.n
    this.compactions += o.compactions
    for (let h = 0; h < this.levels.length; h++) if (this.sizes[h]! >= this.k) this.compact(h)
  }

  /** The unfinished sampler block goes to level 0 (weight 1), so nothing is lost at the end. */
  private flushBlock(): void {
    if (this.blockSize === 0) return
    const vals = this.block.slice(0, this.blockSize)
    this.blockSize = 0
    this.push(0, vals, vals.length)
  }

  /** All retained items, sorted, with cumulative weights. */
  sample(): WeightedSample {
    this.flushBlock()
    let total = 0
    for (let h = 0; h < this.levels.length; h++) total += this.sizes[h]!
    const vals = new Float64Array(total)
    const order: number[] = []
    let p = 0
    for (let h = 0; h < this.levels.length; h++) {
      vals.set(this.levels[h]!.subarray(0, this.sizes[h]!), p)
      for (let i = 0; i < this.sizes[h]!; i++) order.push(h)
      p += this.sizes[h]!
    }
    const idx = Array.from({ length: total }, (_, i) => i).sort((a, b) => vals[a]! - vals[b]!)
    const values = new Float64Array(total)
    const weights = new Float64Array(total)
    for (let i = 0; i < total; i++) {
      values[i] = vals[idx[i]!]!
      weights[i] = 2 ** order[idx[i]!]!
    }
    return WeightedSample.from(values, weights)
  }

  toJSON(): KllJson {
    this.flushBlock()
    return {
      k: this.k,
      n: this.n,
      compactions: this.compactions,
      levels: this.levels.map((l, h) => Array.from(l.subarray(0, this.sizes[h]!))),
    }
  }

  static fromJSON(j: KllJson): KllSketch {
    const s = new KllSketch(j.k)
    s.n = j.n
    s.compactions = j.compactions
    j.levels.forEach((l, h) => {
      s.ensure(h)
      s.push(h, Float64Array.from(l), l.length)
    })
    return s
  }
}

/**
 * Sorted values with (optional) weights: an exact sample has weight 1 everywhere, a sketch's items weigh
 * 2^level. Every numeric drift test and quantile works on this.
 */
export class WeightedSample {
  private constructor(
    readonly values: Float64Array,
    readonly total: number,
    /** Undefined for an exact sample (every weight 1) until `cum` is first read. */
    private cumulative: Float64Array | undefined,
    /** True when weights were given (a sketch's sample); false: every value weighs 1. */
    private readonly weighted: boolean,
  ) {}

  static from(values: Float64Array, weights?: Float64Array): WeightedSample {
    if (!weights) return new WeightedSample(values, values.length, undefined, false)
    const cum = new Float64Array(values.length)
    let t = 0
    for (let i = 0; i < values.length; i++) {
      t += weights[i]!
      cum[i] = t
    }
    return new WeightedSample(values, t, cum, true)
  }

  /** An exact sample from unsorted values (sorted in place). */
  static exact(values: Float64Array): WeightedSample {
    return WeightedSample.from(radixSortFloat64(values))
  }

  /** cum[i] = total weight of values[0..i] (i + 1 in an exact sample, built on first use). */
  get cum(): Float64Array {
    if (!this.cumulative) {
      const cum = new Float64Array(this.values.length)
      for (let i = 0; i < cum.length; i++) cum[i] = i + 1
      this.cumulative = cum
    }
    return this.cumulative
  }

  /** Every value weighs 1 (made without weights): ranks are positions. */
  get unitWeights(): boolean {
    return !this.weighted
  }

  get exactWeights(): boolean {
    return this.total === this.values.length
  }

  /** Weight of values ≤ x (side 'right') or < x (side 'left'). */
  rank(x: number, side: 'left' | 'right' = 'right'): number {
    const v = this.values
    let lo = 0
    let hi = v.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (side === 'right' ? v[mid]! <= x : v[mid]! < x) lo = mid + 1
      else hi = mid
    }
    if (!this.weighted) return lo
    return lo === 0 ? 0 : this.cum[lo - 1]!
  }

  /** The q-quantile (lower value at the q·total rank). */
  quantile(q: number): number {
    if (this.values.length === 0) return Number.NaN
    const target = q * this.total
    let lo = 0
    let hi = this.values.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.weighted ? this.cum[mid]! : mid + 1) < target) lo = mid + 1
      else hi = mid
    }
    return this.values[lo]!
  }
}
