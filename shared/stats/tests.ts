import type { WeightedSample } from './kll.js'
import { kolmogornSf } from './kolmogorov.js'
import { chi2Sf, gcd, kolmogorovSf, normSf } from './special.js'

/**
 * Drift statistics with the definitions (and defaults) of Evidently, each checked against scipy on test
 * vectors (test/fixtures/drift-vectors.json, made by scripts/drift-vectors.py).
 */

export interface TestResult {
  readonly statistic: number
  readonly pValue?: number
  /** 'exact' or 'asymp' for KS. */
  readonly mode?: string
}

/** numpy's round (half to even). */
function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** The KS statistic D = sup |F1 − F2| over two (weighted) samples. */
export function ksStatistic(a: WeightedSample, b: WeightedSample): number {
  if (a.unitWeights && b.unitWeights && a.values.length > 1 && b.values.length > 1)
    return ksStatisticUnit(a.values, b.values)
  const av = a.values
  const bv = b.values
  let i = 0
  let j = 0
  let d = 0
  while (i < av.length || j < bv.length) {
    const x = j >= bv.length || (i < av.length && av[i]! <= bv[j]!) ? av[i]! : bv[j]!
    while (i < av.length && av[i]! <= x) i++
    while (j < bv.length && bv[j]! <= x) j++
    const fa = i ? a.cum[i - 1]! / a.total : 0
    const fb = j ? b.cum[j - 1]! / b.total : 0
    const diff = Math.abs(fa - fb)
    if (diff > d) d = diff
  }
  return d
}

/**
 * ksStatistic for two exact samples (every weight 1, so F1 = i/n1 and F2 = j/n2): the same merge and the same
 * arithmetic, without branching on which sample the next value comes from (that branch is a coin toss for
 * samples from close distributions). The differences are compared after the last of a run of equal values
 * only, as above; the end of the arrays is left to the general loop.
 */
function ksStatisticUnit(av: Float64Array, bv: Float64Array): number {
  const na = av.length
  const nb = bv.length
  const pick = new Float64Array(2)
  let i = 0
  let j = 0
  let d = 0
  while (i < na - 1 && j < nb - 1) {
    const x = av[i]!
    const y = bv[j]!
    const fromA = +(x <= y)
    pick[0] = y
    pick[1] = x
    const v = pick[fromA]!
    i += fromA
    j += 1 - fromA
    if (av[i]! > v && bv[j]! > v) {
      const diff = Math.abs(i / na - j / nb)
      if (diff > d) d = diff
    }
  }
  while (i < na || j < nb) {
    const x = j >= nb || (i < na && av[i]! <= bv[j]!) ? av[i]! : bv[j]!
    while (i < na && av[i]! <= x) i++
    while (j < nb && bv[j]! <= x) j++
    const diff = Math.abs(i / na - j / nb)
    if (diff > d) d = diff
  }
  return d
}

/**
 * Two-sample, two-sided Kolmogorov-Smirnov test as scipy.stats.ks_2samp(method='auto'): exact when both
 * samples have at most 10,000 values, else the asymptotic distribution kstwo.sf(D, round(n1·n2/(n1+n2))).
 * Samples that are sketches (weights ≠ 1) always use the asymptotic p-value with their total weights.
 */
export function ks2(a: WeightedSample, b: WeightedSample): TestResult {
  let d = ksStatistic(a, b)
  const n1 = Math.round(a.total)
  const n2 = Math.round(b.total)
  if (n1 === 0 || n2 === 0) return { statistic: Number.NaN, pValue: Number.NaN }
  if (a.exactWeights && b.exactWeights && Math.max(n1, n2) <= 10_000) {
    const g = gcd(n1, n2)
    const lcm = (n1 / g) * n2
    const h = roundHalfEven(d * lcm)
    d = h / lcm
    if (h === 0) return { statistic: d, pValue: 1, mode: 'exact' }
    const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h)
    if (Number.isFinite(p) && p >= 0 && p <= 1) return { statistic: d, pValue: p, mode: 'exact' }
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1]
  const en = (m * n) / (m + n)
  const p = kolmogornSf(roundHalfEven(en), d)
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)), mode: 'asymp' }
}

/** Kolmogorov's limiting distribution, for callers that want it without the finite-n correction. */
export const ksAsymptoticLimit = (d: number, en: number): number => kolmogorovSf(Math.sqrt(en) * d)

/** scipy _compute_prob_outside_square: share of lattice paths outside |x − y| < h, for n1 = n2 = n. */
function probOutsideSquare(n: number, h: number): number {
  let P = 0
  let k = Math.floor(n / h)
  while (k >= 0) {
    let p1 = 1
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1)
    P = p1 * (1 - P)
    k--
  }
  return 2 * P
}

/**
 * scipy _compute_outer_prob_inside_method: the share of lattice paths that leave the band, computed directly
 * (Viehmann's 1 − p recursion, numerically stable).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  let m = m0
  let n = n0
  if (m < n) [m, n] = [n, m]
  const mg = m / g
  const ng = n / g
  let minj = 0
  let maxj = Math.min(Math.ceil(h / mg), n + 1)
  let curlen = maxj - minj
  const lenA = Math.min(2 * maxj + 2, n + 1)
  const A = new Float64Array(Math.max(lenA, n + 2)).fill(1)
  A.fill(0, minj, maxj)
  for (let i = 1; i <= m; i++) {
    const lastminj = minj
    const lastlen = curlen
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0)
    minj = Math.min(minj, n)
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1)
    if (maxj <= minj) return 1
    let val = minj === 0 ? 0 : 1
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j)
      A[jj] = val
    }
    curlen = maxj - minj
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen))
  }
  return A[maxj - minj - 1]!
}

/**
 * First Wasserstein distance between two (weighted) samples, as scipy.stats.wasserstein_distance:
 * ∫ |F1 − F2| dx.
 */
export function wasserstein1(a: WeightedSample, b: WeightedSample): number {
  const av = a.values
  const bv = b.values
  let i = 0
  let j = 0
  let sum = 0
  let prev = Number.NaN
  let fa = 0
  let fb = 0
  while (i < av.length || j < bv.length) {
    const x = j >= bv.length || (i < av.length && av[i]! <= bv[j]!) ? av[i]! : bv[j]!
    if (!Number.isNaN(prev)) sum += Math.abs(fa - fb) * (x - prev)
    while (i < av.length && av[i]! <= x) i++
    while (j < bv.length && bv[j]! <= x) j++
    fa = i ? a.cum[i - 1]! / a.total : 0
    fb = j ? b.cum[j - 1]! / b.total : 0
    prev = x
  }
  return sum
}

/** Evidently's normed Wasserstein: W1 / max(std(reference), 0.001) (population std, as numpy). */
export function wassersteinNormed(ref: WeightedSample, cur: WeightedSample, refStd: number): number {
  return wasserstein1(ref, cur) / Math.max(refStd, 0.001)
}

/** Evidently's zero fill for PSI: 0.0001, or min(non-zero)/10⁶ when that minimum is ≤ 0.0001. */
export function fillZeros(p: readonly number[]): number[] {
  let min = Infinity
  for (const v of p) if (v !== 0 && v < min) min = v
  if (!Number.isFinite(min)) return [...p]
  const fill = min <= 0.0001 ? min / 1e6 : 0.0001
  return p.map((v) => (v === 0 ? fill : v))
}

/** Population stability index Σ (p − q)·ln(p/q) over shares, zero shares filled as Evidently does. */
export function psi(refShares: readonly number[], curShares: readonly number[]): number {
  const p = fillZeros(refShares)
  const q = fillZeros(curShares)
  let s = 0
  for (let i = 0; i < p.length; i++) s += (p[i]! - q[i]!) * Math.log(p[i]! / q[i]!)
  return s
}

/**
 * Jensen-Shannon DISTANCE with the natural log, as scipy.spatial.distance.jensenshannon (the square root of
 * the divergence; between 0 and √ln 2 ≈ 0.833). Inputs are normalized to sum 1; no zero fill.
 */
export function jensenShannon(p0: readonly number[], q0: readonly number[]): number {
  const sp = p0.reduce((s, v) => s + v, 0)
  const sq = q0.reduce((s, v) => s + v, 0)
  let js = 0
  for (let i = 0; i < p0.length; i++) {
    const p = p0[i]! / sp
    const q = q0[i]! / sq
    const m = (p + q) / 2
    if (p > 0) js += p * Math.log(p / m)
    if (q > 0) js += q * Math.log(q / m)
  }
  return Math.sqrt(Math.max(0, js / 2))
}

/**
 * Chi-square goodness of fit as Evidently: observed = current counts, expected = reference counts scaled by
 * n_cur/n_ref, over the union of categories (scipy.stats.chisquare). A category absent from the reference
 * gives an infinite statistic and p = 0.
 */
export function chiSquare(refCounts: readonly number[], curCounts: readonly number[]): TestResult {
  const nRef = refCounts.reduce((s, v) => s + v, 0)
  const nCur = curCounts.reduce((s, v) => s + v, 0)
  let stat = 0
  for (let i = 0; i < refCounts.length; i++) {
    const exp = (refCounts[i]! * nCur) / nRef
    const d = curCounts[i]! - exp
    stat += (d * d) / exp
  }
  const df = refCounts.length - 1
  if (df < 1) return { statistic: 0, pValue: 1 }
  return { statistic: stat, pValue: Number.isFinite(stat) ? chi2Sf(stat, df) : 0 }
}

/**
 * Two-sided Z-test for the difference of two proportions (Evidently's `z` test for binary columns): the share
 * of the reference's first category in each sample.
 */
export function zTestProportions(refHits: number, nRef: number, curHits: number, nCur: number): TestResult {
  const p1 = refHits / nRef
  const p2 = curHits / nCur
  const p = (refHits + curHits) / (nRef + nCur)
  const se = Math.sqrt(p * (1 - p) * (1 / nRef + 1 / nCur))
  if (se === 0) return { statistic: 0, pValue: p1 === p2 ? 1 : 0 }
  const z = (p1 - p2) / se
  return { statistic: z, pValue: 2 * normSf(Math.abs(z)) }
}

/** numpy.histogram_bin_edges(combined, bins='sturges') from the combined min, max and size. */
export function sturgesEdges(min: number, max: number, n: number): number[] {
  let first = min
  let last = max
  if (first === last) {
    first -= 0.5
    last += 0.5
  }
  const ptp = max - min
  const width = ptp / (Math.log2(n) + 1)
  const bins = width > 0 ? Math.ceil((last - first) / width) : 1
  const step = (last - first) / bins
  const edges: number[] = []
  for (let i = 0; i < bins; i++) edges.push(i * step + first)
  edges.push(last)
  return edges
}

/** numpy.histogram(sample, edges)[0]: bins are [e_i, e_i+1), the last one closed. */
export function histogramCounts(s: WeightedSample, edges: readonly number[]): number[] {
  const out: number[] = []
  for (let i = 0; i < edges.length - 1; i++) {
    const lo = s.rank(edges[i]!, 'left')
    const hi = i === edges.length - 2 ? s.rank(edges[i + 1]!, 'right') : s.rank(edges[i + 1]!, 'left')
    out.push(hi - lo)
  }
  return out
}
