import { describe, expect, it } from 'vitest'
import { HyperLogLog } from '../../shared/stats/hll.js'
import { KllSketch } from '../../shared/stats/kll.js'
import { addValue, emptyMoments, mergeMoments, sampleStd } from '../../shared/stats/moments.js'
import { RADIX_MIN, radixSortFloat64 } from '../../shared/stats/sort.js'

/** A seeded uniform generator (mulberry32), so the tests are reproducible. */
function rng(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('moments', () => {
  it('merge equals one pass', () => {
    const r = rng(1)
    const all = emptyMoments()
    const parts = [emptyMoments(), emptyMoments(), emptyMoments()]
    for (let i = 0; i < 30_000; i++) {
      const x = r() * 100 - 20
      addValue(all, x)
      addValue(parts[i % 3]!, x)
    }
    const m = mergeMoments(mergeMoments(parts[0]!, parts[1]!), parts[2]!)
    expect(m.n).toBe(all.n)
    expect(m.mean).toBeCloseTo(all.mean, 10)
    expect(sampleStd(m)!).toBeCloseTo(sampleStd(all)!, 10)
    expect([m.min, m.max]).toEqual([all.min, all.max])
  })
})

describe('KLL quantile sketch', () => {
  const n = 1_000_000
  const r = rng(2)
  const values = Float64Array.from({ length: n }, () => r())
  const sorted = values.slice().sort()
  const one = new KllSketch()
  const shards = [new KllSketch(), new KllSketch(), new KllSketch(), new KllSketch()]
  for (let i = 0; i < n; i++) {
    one.add(values[i]!)
    shards[Math.floor((i * 4) / n)]!.add(values[i]!)
  }
  const merged = shards.reduce((a, b) => {
    a.merge(b)
    return a
  })
  // as in a parallel scan: chunks go to 4 sketches in turn, each told how many values came before
  const chunk = 10_000
  const floored = [new KllSketch(), new KllSketch(), new KllSketch(), new KllSketch()]
  for (let c = 0; c * chunk < n; c++) {
    const s = floored[c % 4]!
    s.setFloor(c * chunk)
    for (let i = c * chunk; i < Math.min(n, (c + 1) * chunk); i++) s.add(values[i]!)
  }
  const flooredCompactions = floored.reduce((t, s) => t + s.compactions, 0)
  const mergedFloored = floored.reduce((a, b) => {
    a.merge(b)
    return a
  })

  it('a floor lets a sketch skip the warm-up the whole scan already paid for', () => {
    const plain = [new KllSketch(), new KllSketch(), new KllSketch(), new KllSketch()]
    for (let c = 0; c * chunk < n; c++)
      for (let i = c * chunk; i < Math.min(n, (c + 1) * chunk); i++) plain[c % 4]!.add(values[i]!)
    const plainCompactions = plain.reduce((t, s) => t + s.compactions, 0)
    expect(flooredCompactions).toBeLessThan(0.8 * plainCompactions)
  })

  it.each([
    ['one pass', one],
    ['merged shards', merged],
    ['merged shards with floors (a parallel scan)', mergedFloored],
  ])('%s: rank error within the stated bound (0.5 % of n here)', (_n, s) => {
    const w = s.sample()
    expect(w.total).toBe(n)
    for (const q of [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) {
      const x = sorted[Math.floor(q * n)]!
      expect(Math.abs(w.rank(x) - q * n) / n).toBeLessThan(0.005)
    }
  })

  it('addMany gives the sketch that add gives, value by value', () => {
    const r2 = rng(4)
    const m = 2_500_000 // past the start of the sampler and two of its raises
    const xs = Float64Array.from({ length: m }, () => r2())
    const a = new KllSketch()
    const b = new KllSketch()
    for (let i = 0; i < m; i++) a.add(xs[i]!)
    for (let i = 0; i < m; ) {
      const step = Math.min(m - i, [1, 3, 31, 32, 33, 512, 1000, 4096][Math.floor(r2() * 8)]!)
      b.addMany(xs.subarray(i, i + step), step)
      i += step
    }
    expect(b.n).toBe(a.n)
    expect(b.toJSON()).toEqual(a.toJSON())
  })

  it('round-trips through JSON', () => {
    const back = KllSketch.fromJSON(JSON.parse(JSON.stringify(one.toJSON())))
    expect(back.sample().quantile(0.5)).toBe(one.sample().quantile(0.5))
  })

  it('stays small', () => {
    const items = one.sizes.reduce((a, b) => a + b, 0)
    expect(items).toBeLessThan(20 * 1024)
  })
})

describe('HyperLogLog', () => {
  it('estimates distinct counts within 3 % and merges by register max', () => {
    const a = new HyperLogLog()
    const b = new HyperLogLog()
    for (let i = 0; i < 200_000; i++) (i % 2 ? a : b).addNumber(i * 1.5)
    for (let i = 0; i < 50_000; i++) a.addString(`key-${i}`)
    a.merge(b)
    expect(Math.abs(a.estimate() - 250_000) / 250_000).toBeLessThan(0.03)
    const small = new HyperLogLog()
    for (let i = 0; i < 100; i++) small.addNumber(i % 10)
    expect(small.estimate()).toBe(10)
    expect(HyperLogLog.fromBase64(a.toBase64()).estimate()).toBe(a.estimate())
    // addNumbers as addNumber, one by one (and -0 as 0)
    const r = rng(6)
    const xs = Float64Array.from({ length: 20_000 }, (_, i) =>
      i % 7 === 0 ? -0 : i % 11 === 0 ? 0 : (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20),
    )
    const one = new HyperLogLog()
    for (const x of xs) one.addNumber(x)
    const many = new HyperLogLog()
    many.addNumbers(xs.subarray(5), xs.length - 5)
    many.addNumbers(xs, 5)
    expect(many.registers).toEqual(one.registers)
    const nan = new HyperLogLog()
    nan.addNumbers(Float64Array.of(Number.NaN, 1), 2)
    const nan1 = new HyperLogLog()
    nan1.addNumber(Number.NaN)
    nan1.addNumber(1)
    expect(nan.registers).toEqual(nan1.registers)
    const zeros = new HyperLogLog()
    zeros.addNumbers(Float64Array.of(-0), 1)
    const zero = new HyperLogLog()
    zero.addNumber(0)
    expect(zeros.registers).toEqual(zero.registers)
  })
})

describe('sorts', () => {
  it('radix and quicksort agree with the built-in sort, negatives, zeros and infinities included', async () => {
    const { radixSortFloat64, sortFloat64 } = await import('../../shared/stats/sort.js')
    const r = rng(9)
    const base = Float64Array.from({ length: 50_000 }, (_, i) =>
      i % 97 === 0 ? 0 : i % 101 === 0 ? -0 : (r() - 0.5) * 10 ** Math.floor(r() * 20 - 10),
    )
    base[5] = Infinity
    base[6] = -Infinity
    const plain = (a: Float64Array) => Array.from(a, (v) => (v === 0 ? 0 : v)) // -0 and 0 may swap
    const want = plain(base.slice().sort())
    expect(plain(radixSortFloat64(base.slice()))).toEqual(want)
    expect(plain(sortFloat64(base.slice()))).toEqual(want)
  })

  // The radix sort orders by the high word, then sorts runs sharing it (quicksort, or the low word when a run
  // is long): the cases below reach every branch, and the result must be the built-in order bit for bit.
  const r = rng(11)
  const normal = () => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r())
  const gen = (n: number, f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i))
  const mixed = (i: number) =>
    i % 89 === 0
      ? 0
      : i % 83 === 0
        ? -0
        : i % 79 === 0
          ? Infinity
          : i % 73 === 0
            ? -Infinity
            : i % 71 === 0
              ? (r() - 0.5) * 1e-310 // subnormals of both signs
              : Number(normal().toPrecision(17))
  const cases: [string, Float64Array][] = [
    ['normal, 17 digits', gen(100_000, () => Number(normal().toPrecision(17)))],
    ['negatives, ±0, ±Infinity, subnormals', gen(100_000, mixed)],
    ['few distinct values (duplicates)', gen(50_000, () => Math.floor(r() * 7) - 3)],
    ['integers (low word constant)', gen(50_000, () => Math.floor((r() - 0.5) * 1e6))],
    ['all positive, one exponent', gen(50_000, () => 1 + r())],
    ['all negative, one exponent (sign pass skipped)', gen(50_000, () => -1 - r())],
    ['all negative, many exponents', gen(50_000, () => -Math.exp(normal() * 5))],
    ['one high word: the low word sorts', gen(50_000, () => 1 + r() * 2 ** -21)],
    ['one negative high word', gen(50_000, () => -(1 + r() * 2 ** -21))],
    ['-0 and negative subnormals share a high word', gen(20_000, (i) => (i % 3 ? -0 : -r() * 1e-315))],
    ['clustered (timestamps)', gen(100_000, () => 1.7e9 + r() * 86_400)],
    ['one value', gen(20_000, () => 0.1)],
    ['all -0 and 0', gen(20_000, (i) => (i % 2 ? 0 : -0))],
    [
      'runs around the low-word threshold',
      gen(3 * RADIX_MIN + 3, (i) => (i < RADIX_MIN - 1 ? 1 : i < 2 * RADIX_MIN - 1 ? 2 : 3) + r() * 2 ** -22),
    ],
    ...[RADIX_MIN - 1, RADIX_MIN, RADIX_MIN + 1].map(
      (n) => [`${n} values`, gen(n, mixed)] as [string, Float64Array],
    ),
  ]
  for (const [name, base] of cases.slice(0, 2)) {
    cases.push([`${name}, already sorted`, base.slice().sort()])
    cases.push([`${name}, reverse sorted`, base.slice().sort().reverse()])
  }

  it.each(cases)('radix sort equals Float64Array.prototype.sort: %s', (_name, base) => {
    const want = base.slice().sort()
    const got = radixSortFloat64(base.slice())
    // bit for bit, −0 before 0 as the built-in sort; below RADIX_MIN the quicksort's turn, where −0 and 0
    // compare equal and may come in either order
    const same = base.length < RADIX_MIN ? (x: number, y: number) => x === y : Object.is
    let firstDifference = -1
    for (let i = 0; i < want.length && firstDifference < 0; i++)
      if (!same(got[i]!, want[i]!)) firstDifference = i
    expect(firstDifference).toBe(-1)
  })

  it("the sketches' adaptive sort agrees with the built-in sort on any shape of input", async () => {
    const { sortFloat64Adaptive } = await import('../../shared/stats/sort.js')
    const r = rng(11)
    const normal = () => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r())
    const shapes: Record<string, (i: number, n: number) => number> = {
      uniform: () => r(),
      normal: () => normal() * 3 + 20,
      lognormal: () => Math.exp(3 * normal()),
      binary: () => (r() < 0.3 ? 1 : 0),
      'few ints': () => Math.floor(r() * 20) - 5,
      constant: () => 4.5,
      ascending: (i) => i * 0.5,
      descending: (i, n) => n - i,
      'two runs': (i, n) => (i < n / 2 ? i : i - n / 2 + 0.25),
      'five runs': (i, n) => (i % Math.ceil(n / 5)) * 1.5 - 7,
      'one outlier': (i) => (i === 17 ? 1e300 : r()),
      'huge range': (i) => (i % 2 ? -1.7e308 : 1.7e308) * r(),
      'signed zeros': (i) => [0, -0, 1, -1][i % 4]!,
      'with infinities': (i) => (i % 50 === 0 ? Infinity : i % 51 === 0 ? -Infinity : r()),
      tiny: () => (r() - 0.5) * 1e-300,
    }
    const plain = (a: Float64Array) => Array.from(a, (v) => (v === 0 ? 0 : v)) // -0 and 0 may swap
    for (const [name, f] of Object.entries(shapes)) {
      for (const n of [0, 1, 2, 3, 17, 63, 64, 65, 1000, 1024, 2048, 5000]) {
        const a = Float64Array.from({ length: n + 3 }, (_, i) => f(i, n))
        a.fill(-99, n) // past n: left alone
        const want = plain(a.slice(0, n).sort())
        const got = sortFloat64Adaptive(a, n)
        expect(got).toBe(a)
        expect(plain(a.subarray(0, n)), `${name} ${n}`).toEqual(want)
        expect(Array.from(a.subarray(n))).toEqual([-99, -99, -99])
      }
    }
  })
})
