/**
 * The survival function of the two-sided one-sample Kolmogorov-Smirnov statistic D_n, P(D_n > x), as
 * scipy.stats.kstwo.sf (Simard & L'Ecuyer 2011, the same branches as scipy's _kolmogn): Ruben-Gambino at
 * the ends, the Durbin matrix (Marsaglia-Tsang-Wang) and Pomeranz recursions for small n or small x, the
 * Pelz-Good expansion for large n, and 2·Smirnov for the upper tail.
 */
export function kolmogornSf(n: number, x: number): number {
  if (!(n > 0) || !Number.isInteger(n)) return Number.NaN
  if (x >= 1) return 0
  if (x <= 0) return 1
  const t = n * x
  if (t <= 1) {
    if (t <= 0.5) return 1
    const prob = n <= 140 ? prodRuben(n, t) : Math.exp(logNFactDivNPowN(n) + n * Math.log(2 * t - 1))
    return clip(1 - prob)
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n)
  if (x >= 0.5) return clip(2 * smirnovSf(n, x))
  const nxx = t * x
  if (n <= 140) {
    if (nxx <= 0.754693) return clip(1 - durbinMatrix(n, x))
    if (nxx <= 4) return clip(1 - pomeranz(n, x))
    return clip(2 * smirnovSf(n, x))
  }
  if (nxx >= 370) return 0
  if (nxx >= 2.2) return clip(2 * smirnovSf(n, x))
  let cdf: number
  if (nxx >= 18) cdf = 1
  else if (n <= 100_000 && n * x ** 1.5 <= 1.4) cdf = durbinMatrix(n, x)
  else cdf = pelzGood(n, x)
  return clip(1 - cdf)
}

const clip = (p: number) => Math.min(1, Math.max(0, p))

function prodRuben(n: number, t: number): number {
  let p = 1
  for (let i = 1; i <= n; i++) p *= i * (1 / n) * (2 * t - 1)
  return p
}

const STIRLING = [
  -2.955065359477124e-2, 6.41025641025641e-3, -1.9175269175269176e-3, 8.417508417508417e-4,
  -5.952380952380953e-4, 7.936507936507937e-4, -2.777777777777778e-3, 8.333333333333333e-2,
]

function logNFactDivNPowN(n: number): number {
  const rn = 1 / n
  let poly = 0
  for (const c of STIRLING) poly = poly * (rn / n) + c
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly
}

/**
 * One-sided Smirnov P(D+_n ≥ x): the Birnbaum-Tingey sum, in log space. The terms rise to one peak and fall
 * (checked numerically over n and x); once past it a term below a quarter of the sum's ulp (2^-54 of the sum)
 * cannot change the sum, nor can the smaller ones after it, so the sum stops there (as scipy's does, with its
 * own margin): the same double as the whole sum, from about 60 % of the terms at n = 495,000.
 */
export function smirnovSf(n: number, x: number): number {
  if (x >= 1) return 0
  if (x <= 0) return 1
  const jmax = Math.floor(n * (1 - x))
  const lnX = Math.log(x)
  let lnC = 0 // ln C(n, j), updated incrementally
  let sum = 0
  let prev = 0
  for (let j = 0; j <= jmax; j++) {
    if (j > 0) lnC += Math.log((n - j + 1) / j)
    const a = 1 - x - j / n
    if (a <= 0) continue
    const term = Math.exp(lnC + lnX + (j - 1) * Math.log(x + j / n) + (n - j) * Math.log(a))
    sum += term
    if (term < prev && term < sum * NEGLIGIBLE) break
    prev = term
  }
  return sum
}

/** 2^-54: a quarter of the relative spacing of doubles; adding less than this to s leaves s unchanged. */
const NEGLIGIBLE = 2 ** -54

const E128 = 128
const EP128 = 2 ** 128
const EM128 = 2 ** -128

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const c = new Float64Array(m * m)
  for (let i = 0; i < m; i++)
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!
      if (aik === 0) continue
      for (let j = 0; j < m; j++) c[i * m + j]! += aik * b[k * m + j]!
    }
  return c
}

/** P(D_n ≤ d) by the Durbin matrix, Marsaglia-Tsang-Wang variant. */
function durbinMatrix(n: number, d: number): number {
  const nd = n * d
  if (nd <= 0.5) return 0
  const k = Math.ceil(nd)
  const h = k - nd
  const m = 2 * k - 1
  let H: Float64Array = new Float64Array(m * m)
  const v = new Float64Array(m)
  const w = new Float64Array(m)
  let fac = 1
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac
    fac /= j
    v[j - 1] = (1 - h ** j) * fac
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m
  v[m - 1] = (1 + tt) * fac
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)]!
  for (let r = 0; r < m; r++) H[r * m] = v[r]!
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!
  let P: Float64Array = new Float64Array(m * m)
  for (let i = 0; i < m; i++) P[i * m + i] = 1
  let nn = n
  let expnt = 0
  let hexp = 0
  while (nn > 0) {
    if (nn % 2) {
      P = matmul(P, H, m)
      expnt += hexp
    }
    H = matmul(H, H, m)
    hexp *= 2
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > EP128) {
      for (let i = 0; i < H.length; i++) H[i]! /= EP128
      hexp += E128
    }
    nn = Math.floor(nn / 2)
  }
  let p = P[(k - 1) * m + (k - 1)]!
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n
    if (Math.abs(p) < EM128) {
      p *= EP128
      expnt -= E128
    }
  }
  if (expnt !== 0) p *= 2 ** expnt
  return clip(p)
}

function pomeranzJ(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number
  let j2: number
  if (i === 0) {
    j1 = -ll - ceilf - 1
    j2 = ll + ceilf - 1
  } else {
    const ip1div2 = Math.floor((i + 1) / 2)
    const ip1mod2 = (i + 1) % 2
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1
        j2 = n + ll + ceilf - 1
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1
        j2 = ip1div2 + ll - 1 + ceilf - 1
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1
      j2 = ip1div2 + ll + roundf - 1
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)]
}

/** P(D_n ≤ x) by the Pomeranz recursion. */
function pomeranz(n: number, x: number): number {
  const t = n * x
  const ll = Math.floor(t)
  const f = t - ll
  const g = Math.min(f, 1 - f)
  const ceilf = f > 0 ? 1 : 0
  const roundf = f > 0.5 ? 1 : 0
  const npwrs = 2 * (ll + 1)
  const gp = new Float64Array(npwrs)
  const tgp = new Float64Array(npwrs)
  const o2gp = new Float64Array(npwrs)
  gp[0] = tgp[0] = o2gp[0] = 1
  for (let m = 1; m < npwrs; m++) {
    gp[m] = (gp[m - 1]! * (g / n)) / m
    tgp[m] = (tgp[m - 1]! * ((2 * g) / n)) / m
    o2gp[m] = (o2gp[m - 1]! * ((1 - 2 * g) / n)) / m
  }
  let V0 = new Float64Array(npwrs)
  let V1 = new Float64Array(npwrs)
  V1[0] = 1
  let V0s = 0
  let V1s = 0
  let expnt = 0
  let [j1, j2] = pomeranzJ(0, n, ll, ceilf, roundf)
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1
    ;[V0, V1] = [V1, V0]
    ;[V0s, V1s] = [V1s, V0s]
    V1.fill(0)
    ;[j1, j2] = pomeranzJ(i, n, ll, ceilf, roundf)
    const pw = i === 1 || i === 2 * n + 1 ? gp : i % 2 ? tgp : o2gp
    const ln2 = j2 - k1 + 1
    if (ln2 > 0) {
      const convStart = j1 - k1
      const convLen = j2 - j1 + 1
      let max = 0
      for (let c = 0; c < convLen; c++) {
        const idx = convStart + c
        // full convolution of V0[k1-V0s .. +ln2] with pw[0..ln2], element idx
        let s = 0
        for (let a = Math.max(0, idx - (ln2 - 1)); a <= Math.min(idx, ln2 - 1); a++)
          s += V0[k1 - V0s + a]! * pw[idx - a]!
        V1[c] = s
        if (s > max) max = s
      }
      if (max > 0 && max < EM128) {
        for (let c = 0; c < V1.length; c++) V1[c]! *= EP128
        expnt -= E128
      }
      V1s = V0s + j1 - k1
    }
  }
  let ans = V1[n - V1s]!
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128
      expnt += E128
    }
    ans *= m
  }
  if (expnt !== 0) ans *= 2 ** expnt
  return clip(ans)
}

/** The Pelz-Good approximation of P(D_n ≤ x). */
function pelzGood(n: number, x: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const PI2 = Math.PI ** 2
  const PI4 = Math.PI ** 4
  const PI6 = Math.PI ** 6
  const SQRT2PI = Math.sqrt(2 * Math.PI)
  const z = Math.sqrt(n) * x
  const z2 = z * z
  const z3 = z ** 3
  const z4 = z ** 4
  const z6 = z ** 6
  const qlog = -PI2 / 8 / z2
  if (qlog < -708) return 0
  let q = Math.exp(qlog)
  const k1a = -z2
  const k1b = PI2 / 4
  const k2a = 6 * z6 + 2 * z4
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4
  const k2c = (PI4 * (1 - 2 * z2)) / 16
  const k3d = (PI6 * (5 - 30 * z2)) / 64
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4
  const k3a = -30 * z6 - 90 * z ** 8
  const K = [0, 0, 0, 0]
  const maxk = Math.ceil((16 * z) / Math.PI)
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1
    const m2 = m * m
    const m4 = m ** 4
    const m6 = m ** 6
    const qp = q ** (8 * k)
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qp + coeffs[i]!
  }
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10]
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT2PI) / div[i]!
  q = Math.exp(-PI2 / 2 / z2)
  let k2extra = 0
  let k3extra = 0
  const sqrt3z = Math.sqrt(3) * z
  for (let k = maxk; k > 0; k--) {
    const qp = q ** (k * k)
    k2extra += k * k * qp
    k3extra += (sqrt3z + Math.PI * k) * (sqrt3z - Math.PI * k) * k * k * qp
  }
  K[2]! += (k2extra * PI2 * SQRT2PI) / (-36 * z3)
  K[3]! += (k3extra * PI2 * SQRT2PI) / (216 * z6)
  let sum = 0
  for (let i = 0; i < 4; i++) sum += K[i]! / n ** (i / 2)
  return sum
}
