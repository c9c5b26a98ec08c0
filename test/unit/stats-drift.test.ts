import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { WeightedSample } from '../../shared/stats/kll.js'
import {
  chiSquare,
  histogramCounts,
  jensenShannon,
  ks2,
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
