import { HyperLogLog } from '../stats/hll.js'
import { KllSketch, WeightedSample } from '../stats/kll.js'
import { populationStd } from '../stats/moments.js'
import {
  chiSquare,
  histogramCounts,
  jensenShannon,
  ks2,
  psi,
  sturgesEdges,
  wassersteinNormed,
  zTestProportions,
} from '../stats/tests.js'
import type { ColumnAcc } from './column.js'
import type { ColumnProfile } from './profile.js'
import type { ColumnType, DriftMethod, DriftPolicy } from './schema.js'

/** One side of a drift comparison, from a scan (exact values when kept) or from a saved profile (sketch). */
export interface DriftSide {
  readonly type: ColumnType
  /** Non-null values. */
  readonly n: number
  readonly std: number
  readonly min: number
  readonly max: number
  readonly counts: ReadonlyMap<string, number> | null
  readonly hll: HyperLogLog
  /** Exact values (sorted) or the sketch's weighted items. */
  sample(): WeightedSample
  readonly exact: boolean
}

export function sideFromScan(acc: ColumnAcc): DriftSide {
  const exact = !!acc.exact && !acc.exact.overflow
  let cached: WeightedSample | undefined
  return {
    type: acc.resolvedType(),
    n: acc.moments.n || acc.count,
    std: populationStd(acc.moments),
    min: acc.moments.min,
    max: acc.moments.max,
    counts: acc.keyCounts() ?? null,
    hll: acc.hll,
    exact,
    sample() {
      cached ??= exact ? WeightedSample.exact(acc.exact!.buf.subarray(0, acc.exact!.n)) : acc.kll.sample()
      return cached
    },
  }
}

export function sideFromProfile(p: ColumnProfile): DriftSide {
  const m = p.state.moments
  let cached: WeightedSample | undefined
  return {
    type: p.type,
    n: m.n || p.count,
    std: m.n > 0 ? Math.sqrt(m.m2 / m.n) : 0,
    min: m.min ?? Number.NaN,
    max: m.max ?? Number.NaN,
    counts: p.state.counts && p.state.other === 0 ? new Map(Object.entries(p.state.counts)) : null,
    hll: HyperLogLog.fromBase64(p.state.hll),
    exact: false,
    sample() {
      cached ??= KllSketch.fromJSON(p.state.kll).sample()
      return cached
    },
  }
}

export type ResolvedMethod = Exclude<DriftMethod, 'auto' | 'none'>

export interface ColumnDrift {
  readonly column: string
  readonly method: ResolvedMethod
  readonly statistic: number
  readonly pValue?: number
  readonly threshold: number
  readonly drifted: boolean
  /** A side came from a sketch, so the statistic is within the sketch's bound rather than exact. */
  readonly approximate: boolean
}

export interface DatasetDrift {
  readonly columns: ColumnDrift[]
  readonly tested: number
  readonly drifted: string[]
  readonly share: number
  readonly shareThreshold: number
  readonly datasetDrift: boolean
}

const P_VALUE: ReadonlySet<ResolvedMethod> = new Set(['ks', 'chi2', 'z'])
export const DEFAULT_THRESHOLD: Record<ResolvedMethod, number> = {
  ks: 0.05,
  chi2: 0.05,
  z: 0.05,
  psi: 0.1,
  wasserstein: 0.1,
  'jensen-shannon': 0.1,
}

const kindOf = (t: ColumnType): 'numeric' | 'categorical' | undefined =>
  t === 'integer' || t === 'number'
    ? 'numeric'
    : t === 'category' || t === 'boolean'
      ? 'categorical'
      : undefined

/** Distinct values over both sides: exact from counts when both have them, else the merged HyperLogLog. */
function distinctBoth(a: DriftSide, b: DriftSide): number {
  if (a.counts && b.counts) return new Set([...a.counts.keys(), ...b.counts.keys()]).size
  const h = new HyperLogLog(a.hll.registers.slice())
  h.merge(b.hll)
  return h.estimate()
}

/** Evidently's automatic choice: by reference size (≤ 1000 values), column kind and distinct values. */
export function autoMethod(ref: DriftSide, cur: DriftSide): ResolvedMethod {
  const numeric = kindOf(ref.type) === 'numeric'
  const nu = distinctBoth(ref, cur)
  if (ref.n <= 1000) {
    if (numeric) return nu > 5 ? 'ks' : nu <= 2 ? 'z' : 'chi2'
    return nu > 2 ? 'chi2' : 'z'
  }
  return numeric && nu > 5 ? 'wasserstein' : 'jensen-shannon'
}

/** Aligned counts of both sides: per value (categorical, or numeric with few values) or on Sturges bins. */
function binned(ref: DriftSide, cur: DriftSide, forceBins = false): { ref: number[]; cur: number[] } {
  const numeric = kindOf(ref.type) === 'numeric'
  const refDistinct = ref.counts ? ref.counts.size : ref.hll.estimate()
  if (numeric && (forceBins || refDistinct > 20 || !ref.counts || !cur.counts)) {
    const a = ref.sample()
    const b = cur.sample()
    const edges = sturgesEdges(Math.min(ref.min, cur.min), Math.max(ref.max, cur.max), ref.n + cur.n)
    return { ref: histogramCounts(a, edges), cur: histogramCounts(b, edges) }
  }
  const rc = ref.counts ?? new Map<string, number>()
  const cc = cur.counts ?? new Map<string, number>()
  const keys = [...new Set([...rc.keys(), ...cc.keys()])].sort()
  return { ref: keys.map((k) => rc.get(k) ?? 0), cur: keys.map((k) => cc.get(k) ?? 0) }
}

const shares = (c: number[]) => {
  const t = c.reduce((s, v) => s + v, 0)
  return c.map((v) => (t ? v / t : 0))
}

export function columnDrift(
  column: string,
  ref: DriftSide,
  cur: DriftSide,
  method: ResolvedMethod,
  threshold = DEFAULT_THRESHOLD[method],
): ColumnDrift {
  let statistic: number
  let pValue: number | undefined
  const approximate = kindOf(ref.type) === 'numeric' && !(ref.exact && cur.exact)
  switch (method) {
    case 'ks': {
      const r = ks2(ref.sample(), cur.sample())
      statistic = r.statistic
      pValue = r.pValue
      break
    }
    case 'wasserstein':
      statistic = wassersteinNormed(ref.sample(), cur.sample(), ref.std)
      break
    case 'psi': {
      const b = binned(ref, cur)
      statistic = psi(shares(b.ref), shares(b.cur))
      break
    }
    case 'jensen-shannon': {
      const b = binned(ref, cur)
      statistic = jensenShannon(shares(b.ref), shares(b.cur))
      break
    }
    case 'chi2': {
      const b = binned(ref, cur)
      const r = chiSquare(b.ref, b.cur)
      statistic = r.statistic
      pValue = r.pValue
      break
    }
    case 'z': {
      const b = binned(ref, cur)
      const r = zTestProportions(b.ref[0] ?? 0, ref.n, b.cur[0] ?? 0, cur.n)
      statistic = r.statistic
      pValue = r.pValue
      break
    }
  }
  const drifted = P_VALUE.has(method)
    ? method === 'ks'
      ? pValue! <= threshold
      : pValue! < threshold
    : statistic >= threshold
  return { column, method, statistic, pValue, threshold, drifted, approximate }
}

/** Drift of every column both sides have and whose type can drift (numeric, category, boolean). */
export function datasetDrift(
  pairs: readonly { column: string; ref: DriftSide; cur: DriftSide }[],
  policy: DriftPolicy,
): DatasetDrift {
  const columns: ColumnDrift[] = []
  for (const { column, ref, cur } of pairs) {
    const per = policy.columns[column]
    const want = per?.method ?? policy.method
    if (want === 'none' || !kindOf(ref.type) || !kindOf(cur.type) || ref.n === 0 || cur.n === 0) continue
    const method = want === 'auto' ? autoMethod(ref, cur) : want
    const threshold = per?.threshold ?? policy.threshold ?? DEFAULT_THRESHOLD[method]
    columns.push(columnDrift(column, ref, cur, method, threshold))
  }
  const drifted = columns.filter((c) => c.drifted).map((c) => c.column)
  const share = columns.length ? drifted.length / columns.length : 0
  return {
    columns,
    tested: columns.length,
    drifted,
    share,
    shareThreshold: policy.share,
    datasetDrift: columns.length > 0 && share >= policy.share,
  }
}

/** The method each column would use, before reading the current data (to know which need exact values). */
export function needsExact(policy: DriftPolicy, column: string, refRows: number | undefined): boolean {
  const m = policy.columns[column]?.method ?? policy.method
  if (m === 'ks' || m === 'wasserstein') return true
  return m === 'auto' && refRows !== undefined
}
