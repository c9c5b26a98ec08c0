/**
 * Count, mean and sum of squared deviations (M2), updated one value at a time (Welford) or a batch at a time
 * (two passes over the batch, then merged), and merged exactly (Chan et al.): a merge of shard moments
 * equals one pass over all values, up to floating-point rounding.
 */
export interface Moments {
  n: number
  mean: number
  m2: number
  min: number
  max: number
}

export const emptyMoments = (): Moments => ({ n: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity })

export function addValue(m: Moments, x: number): void {
  const n = ++m.n
  const d = x - m.mean
  m.mean += d / n
  m.m2 += d * (x - m.mean)
  if (x < m.min) m.min = x
  if (x > m.max) m.max = x
}

/**
 * Adds xs[0], …, xs[count − 1]: the batch's mean, then its M2 around that mean (no division per value,
 * unlike Welford's update), merged into m as mergeMoments does.
 */
export function addValues(m: Moments, xs: Float64Array, count: number): void {
  if (count === 0) return
  let sum = 0
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (let i = 0; i < count; i++) {
    const x = xs[i]!
    sum += x
    if (x < min) min = x
    if (x > max) max = x
  }
  const mean = sum / count
  let m2 = 0
  for (let i = 0; i < count; i++) {
    const d = xs[i]! - mean
    m2 += d * d
  }
  Object.assign(m, mergeMoments(m, { n: count, mean, m2, min, max }))
}

export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0) return { ...b }
  if (b.n === 0) return { ...a }
  const n = a.n + b.n
  const d = b.mean - a.mean
  return {
    n,
    mean: a.mean + (d * b.n) / n,
    m2: a.m2 + b.m2 + (d * d * a.n * b.n) / n,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  }
}

/** Sample standard deviation (n − 1), as pandas' describe(); undefined below two values. */
export const sampleStd = (m: Moments): number | undefined =>
  m.n > 1 ? Math.sqrt(m.m2 / (m.n - 1)) : undefined
/** Population standard deviation (n), as numpy's std() that Evidently's normed Wasserstein divides by. */
export const populationStd = (m: Moments): number => (m.n > 0 ? Math.sqrt(m.m2 / m.n) : 0)
