import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { WeightedSample } from '../../shared/stats/kll.js'
import { kolmogornSf, smirnovSf } from '../../shared/stats/kolmogorov.js'
import {
  chiSquare,
  histogramCounts,
  jensenShannon,
  ks2,
  ksStatistic,
  psi,
  sturgesEdges,
  wasserstein1,
  wassersteinNormed,
  zTestProportions,
} from '../../shared/stats/tests.js'

/** Vectors computed by scipy (scripts/drift-vectors.py); statistics to 1e-9, p-values to 1e-6 relative. */
const V = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '../fixtures/drift-vectors.json'), 'utf8'),
) as Record<string, Record<string, unknown>[]> & { scipy: string }

const sample = (a: unknown) => WeightedSample.exact(Float64Array.from(a as number[]))
const closeRel = (got: number, want: number, rel: number) => {
  if (want === 0) expect(Math.abs(got)).toBeLessThan(1e-300 + rel)
  else expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(rel)
}
const std = (a: number[]) => {
  const m = a.reduce((s, v) => s + v, 0) / a.length
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length)
}

describe(`drift statistics agree with scipy ${V.scipy}`, () => {
  it.each(V.ks!.map((c) => [c.name, c]))('KS: %s', (_n, c) => {
    const r = ks2(sample(c.a), sample(c.b))
    expect(Math.abs(r.statistic - (c.statistic as number))).toBeLessThan(1e-9)
    closeRel(r.pValue!, c.pvalue as number, 1e-6)
  })

  it.each(V.wasserstein!.map((c) => [c.name, c]))('Wasserstein: %s', (_n, c) => {
    const a = sample(c.a)
    const b = sample(c.b)
    expect(Math.abs(wasserstein1(a, b) - (c.distance as number))).toBeLessThan(1e-9)
    expect(Math.abs(wassersteinNormed(a, b, std(c.a as number[])) - (c.normed as number))).toBeLessThan(1e-9)
  })

  it.each(V.binned!.map((c) => [c.name, c]))('PSI and Jensen-Shannon: %s', (_n, c) => {
    let p: number[]
    let q: number[]
    if (c.edges) {
      const a = sample(c.a)
      const b = sample(c.b)
      const edges = sturgesEdges(
        Math.min(a.values[0]!, b.values[0]!),
        Math.max(a.values.at(-1)!, b.values.at(-1)!),
        a.total + b.total,
      )
      expect(edges).toEqual(c.edges)
      p = histogramCounts(a, edges).map((v) => v / a.total)
      q = histogramCounts(b, edges).map((v) => v / b.total)
    } else {
      const a = c.a as (string | number)[]
      const b = c.b as (string | number)[]
      const keys = [...new Set([...a, ...b])].sort()
      p = keys.map((k) => a.filter((v) => v === k).length / a.length)
      q = keys.map((k) => b.filter((v) => v === k).length / b.length)
    }
    expect(p.length).toBe((c.refShares as number[]).length)
    for (const [i, v] of p.entries()) expect(Math.abs(v - (c.refShares as number[])[i]!)).toBeLessThan(1e-12)
    expect(Math.abs(psi(p, q) - (c.psi as number))).toBeLessThan(1e-9)
    expect(Math.abs(jensenShannon(p, q) - (c.js as number))).toBeLessThan(1e-9)
  })

  it.each(V.chi2!.map((c) => [c.name, c]))('chi-square: %s', (_n, c) => {
    const r = chiSquare(c.ref as number[], c.cur as number[])
    expect(Math.abs(r.statistic - (c.statistic as number))).toBeLessThan(1e-9)
    closeRel(r.pValue!, c.pvalue as number, 1e-6)
  })

  it.each(V.z!.map((c) => [c.name, c]))('Z-test for proportions: %s', (_n, c) => {
    const r = zTestProportions(c.refHits as number, c.nRef as number, c.curHits as number, c.nCur as number)
    expect(Math.abs(r.statistic - (c.statistic as number))).toBeLessThan(1e-9)
    closeRel(r.pValue!, c.pvalue as number, 1e-6)
  })
})

/** A seeded uniform generator (mulberry32). */
function rng(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('exact samples (every weight 1) take shortcuts with the same results', () => {
  const r = rng(5)
  const gen = (n: number, f: () => number) => Float64Array.from({ length: n }, f)
  const cases: [string, Float64Array, Float64Array][] = [
    ['close normals', gen(20_000, () => r() + r() + r()), gen(15_000, () => r() + r() + r() + 0.01)],
    ['ties (integers)', gen(3000, () => Math.floor(r() * 20)), gen(2000, () => Math.floor(r() * 21))],
    ['equal samples', gen(500, () => Math.floor(r() * 5)), gen(500, () => Math.floor(r() * 5))],
    [
      '±0 and ±Infinity',
      gen(1000, () => [0, -0, Infinity, -Infinity, r()][Math.floor(r() * 5)]!),
      gen(900, () => [0, -0, Infinity, -Infinity, r()][Math.floor(r() * 5)]!),
    ],
    ['disjoint', gen(100, () => r()), gen(120, () => 2 + r())],
    ['disjoint, the other way', gen(100, () => 2 + r()), gen(120, () => r())],
    ['two values each', Float64Array.from([1, 2]), Float64Array.from([2, 3])],
    ['one value', Float64Array.from([1]), Float64Array.from([0, 1, 2])],
    ['one tie at the end', Float64Array.from([0, 1, 3]), Float64Array.from([2, 3, 3])],
  ]
  // the same values with explicit weights 1 go through the general code (cumulative weights)
  const weighted = (v: Float64Array) => WeightedSample.from(v, new Float64Array(v.length).fill(1))

  it.each(cases)('KS statistic, ranks and quantiles: %s', (_name, a0, b0) => {
    const a = WeightedSample.exact(a0.slice())
    const b = WeightedSample.exact(b0.slice())
    const aw = weighted(a.values)
    const bw = weighted(b.values)
    expect(a.unitWeights && !aw.unitWeights).toBe(true)
    expect(Object.is(ksStatistic(a, b), ksStatistic(aw, bw))).toBe(true)
    expect(Object.is(ksStatistic(b, a), ksStatistic(bw, aw))).toBe(true)
    expect(ks2(a, b)).toEqual(ks2(aw, bw))
    for (const x of [...b.values.subarray(0, 50), -Infinity, Infinity, 0.5, 2]) {
      expect(a.rank(x)).toBe(aw.rank(x))
      expect(a.rank(x, 'left')).toBe(aw.rank(x, 'left'))
    }
    for (const q of [0, 0.1, 0.25, 0.5, 0.9, 0.999, 1])
      expect(Object.is(a.quantile(q), aw.quantile(q))).toBe(true)
    expect(a.cum).toEqual(aw.cum)
  })
})

describe('Smirnov sum', () => {
  /** The whole Birnbaum-Tingey sum, every term. */
  const fullSum = (n: number, x: number) => {
    const jmax = Math.floor(n * (1 - x))
    const lnX = Math.log(x)
    let lnC = 0
    let sum = 0
    for (let j = 0; j <= jmax; j++) {
      if (j > 0) lnC += Math.log((n - j + 1) / j)
      const a = 1 - x - j / n
      if (a <= 0) continue
      sum += Math.exp(lnC + lnX + (j - 1) * Math.log(x + j / n) + (n - j) * Math.log(a))
    }
    return sum
  }

  it('stopping at negligible terms gives the same double as the whole sum', () => {
    for (const n of [2, 7, 40, 140, 141, 1000, 12_345, 200_000]) {
      const xs = [0.05, 0.3, 0.5, 0.77, 0.95]
      // the range where kolmogornSf sums for large n: 2.2 ≤ n·x² < 370
      for (const nxx of [2.2, 5, 20, 80, 200, 369]) xs.push(Math.sqrt(nxx / n))
      for (const x of xs) {
        if (!(x > 0 && x < 1)) continue
        expect([n, x, smirnovSf(n, x)]).toEqual([n, x, fullSum(n, x)])
      }
    }
    // the bench's case: 1M vs 1M rows, en = 495,000
    expect(2 * smirnovSf(495_000, 0.020666666666666722)).toBe(2 * fullSum(495_000, 0.020666666666666722))
    expect(kolmogornSf(495_000, 0.020666666666666722)).toBe(2 * fullSum(495_000, 0.020666666666666722))
  })
})
