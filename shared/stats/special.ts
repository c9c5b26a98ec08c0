/** Special functions for p-values, accurate to about 1e-14 relative where the tests need them. */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
]

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x)
  const z = x - 1
  let a = LANCZOS[0]!
  const t = z + 7.5
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i)
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a)
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a). */
export function gammaQ(a: number, x: number): number {
  if (x < 0 || a <= 0) return Number.NaN
  if (x === 0) return 1
  if (!Number.isFinite(x)) return 0
  if (x < a + 1) return 1 - gammaPSeries(a, x)
  return gammaQContinuedFraction(a, x)
}

function gammaPSeries(a: number, x: number): number {
  let ap = a
  let sum = 1 / a
  let del = sum
  for (let n = 0; n < 10_000; n++) {
    ap++
    del *= x / ap
    sum += del
    if (Math.abs(del) < Math.abs(sum) * 1e-16) break
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a))
}

function gammaQContinuedFraction(a: number, x: number): number {
  const tiny = 1e-300
  let b = x + 1 - a
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < 1e-16) break
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h
}

/** Survival function of χ² with `df` degrees of freedom. */
export const chi2Sf = (x: number, df: number): number => gammaQ(df / 2, x / 2)

/** Standard normal survival function P(Z > z), accurate in the tails (erfc via Q(1/2, z²/2)). */
export function normSf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN
  const t = 0.5 * gammaQ(0.5, (z * z) / 2)
  return z >= 0 ? t : 1 - t
}

/** Kolmogorov's limiting distribution: P(K > x) (scipy's kstwobign.sf). */
export function kolmogorovSf(x: number): number {
  if (x <= 0) return 1
  if (x < 1) {
    // 1 - CDF, CDF = √(2π)/x Σ exp(−(2k−1)²π²/(8x²))
    let s = 0
    for (let k = 1; k < 50; k++) {
      const term = Math.exp((-((2 * k - 1) ** 2) * Math.PI ** 2) / (8 * x * x))
      s += term
      if (term < 1e-17 * s) break
    }
    return 1 - (Math.sqrt(2 * Math.PI) / x) * s
  }
  let s = 0
  for (let k = 1; k < 100; k++) {
    const term = (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * x * x)
    s += term
    if (Math.abs(term) < 1e-17) break
  }
  return Math.min(1, Math.max(0, 2 * s))
}

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b]
  return a
}
