/**
 * Paired significance tests for comparing two models on the same test set: McNemar's exact test for
 * classification (which examples each model gets right) and a seeded paired bootstrap for regression
 * (per-example squared error). Pure functions, deterministic for a given seed.
 */

/** ln C(n, k), summed term by term; exact enough (relative error ~1e-13) for the tail sums below. */
function logChoose(n: number, k: number): number {
  let s = 0
  const m = Math.min(k, n - k)
  for (let i = 1; i <= m; i++) s += Math.log(n - m + i) - Math.log(i)
  return s
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2), summed in log space from the far tail so small p-values keep digits. */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0
  if (k >= n) return 1
  const ln2n = n * Math.LN2
  let logTerm = logChoose(n, 0) - ln2n
  let sum = 0
  for (let i = 0; i <= k; i++) {
    sum += Math.exp(logTerm)
    logTerm += Math.log(n - i) - Math.log(i + 1)
  }
  return Math.min(1, sum)
}

export interface McNemarResult {
  readonly test: 'mcnemar-exact'
  /** Examples the candidate gets right and the baseline wrong. */
  readonly candidateOnly: number
  /** Examples the baseline gets right and the candidate wrong. */
  readonly baselineOnly: number
  readonly n: number
  readonly pValue: number
}

/**
 * McNemar's exact test: under "no difference" the discordant pairs split as Binomial(b + c, 1/2); the
 * two-sided p-value is 2·P(X ≤ min(b, c)), capped at 1 (as scipy's `binomtest(min(b,c), b+c, 0.5)` and
 * statsmodels' `mcnemar(exact=True)`). No discordant pairs: p = 1.
 */
export function mcnemarExact(candidateOnly: number, baselineOnly: number, n = 0): McNemarResult {
  for (const [name, v] of [
    ['candidateOnly', candidateOnly],
    ['baselineOnly', baselineOnly],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a count; got ${v}`)
  }
  const d = candidateOnly + baselineOnly
  const pValue = d === 0 ? 1 : Math.min(1, 2 * binomialHalfCdf(Math.min(candidateOnly, baselineOnly), d))
  return { test: 'mcnemar-exact', candidateOnly, baselineOnly, n, pValue }
}

/** mulberry32: a small, fast, seedable PRNG; the same seed gives the same stream on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface BootstrapResult {
  readonly test: 'paired-bootstrap'
  /** Mean per-example squared error of each model. */
  readonly candidateMse: number
  readonly baselineMse: number
  readonly n: number
  readonly samples: number
  readonly seed: number
  /** 95 % percentile interval of mean(candidate error − baseline error). */
  readonly interval: readonly [number, number]
  readonly pValue: number
}

export const DEFAULT_BOOTSTRAP_SAMPLES = 2000

/**
 * Paired bootstrap of the difference in mean squared error: resample examples with replacement (the same
 * indices for both models), and take the two-sided p-value as twice the share of resampled differences on
 * the far side of zero, with the usual +1 correction so it is never 0.
 */
export function pairedBootstrap(
  truth: readonly number[],
  candidate: readonly number[],
  baseline: readonly number[],
  opts: { seed: number; samples?: number },
): BootstrapResult {
  const n = truth.length
  if (n === 0 || candidate.length !== n || baseline.length !== n)
    throw new RangeError('paired bootstrap needs equally long, non-empty vectors')
  const samples = opts.samples ?? DEFAULT_BOOTSTRAP_SAMPLES
  const d = new Float64Array(n)
  let ce = 0
  let be = 0
  for (let i = 0; i < n; i++) {
    const c = (candidate[i]! - truth[i]!) ** 2
    const b = (baseline[i]! - truth[i]!) ** 2
    ce += c
    be += b
    d[i] = c - b
  }
  const rand = seededRandom(opts.seed)
  const means = new Float64Array(samples)
  let le = 0
  let ge = 0
  for (let s = 0; s < samples; s++) {
    let sum = 0
    for (let i = 0; i < n; i++) sum += d[Math.floor(rand() * n)]!
    const m = sum / n
    means[s] = m
    if (m <= 0) le++
    if (m >= 0) ge++
  }
  means.sort()
  const q = (p: number) => means[Math.min(samples - 1, Math.max(0, Math.floor(p * samples)))]!
  const pValue = Math.min(1, (2 * (Math.min(le, ge) + 1)) / (samples + 1))
  return {
    test: 'paired-bootstrap',
    candidateMse: ce / n,
    baselineMse: be / n,
    n,
    samples,
    seed: opts.seed,
    interval: [q(0.025), q(0.975)],
    pValue,
  }
}

export type SignificanceResult = McNemarResult | BootstrapResult
