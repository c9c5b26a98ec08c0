import type { GateMetricPolicy, GatePolicy } from './policy.js'
import type { SignificanceResult } from './stats.js'

/**
 * The gate decision, with TFMA's semantics: `change = candidate − baseline`, relative change
 * `change / |baseline|`; absolute checks (`min`, `max`) and change checks (`max_drop`, `max_drop_relative`,
 * `max_increase`, `max_increase_relative`) are all AND-ed; a missing candidate metric fails (unless
 * `on_missing_metric: pass`); without a baseline only absolute checks apply (unless
 * `on_missing_baseline: fail`). A NaN or infinite value fails every check it takes part in.
 */

export const CHECKS = [
  'min',
  'max',
  'max_drop',
  'max_drop_relative',
  'max_increase',
  'max_increase_relative',
] as const
export type CheckName = (typeof CHECKS)[number]

export interface CheckResult {
  readonly check: CheckName | 'present' | 'baseline'
  /** The configured limit (for `present`/`baseline`, undefined). */
  readonly threshold?: number
  /** The value compared with the limit: the candidate (absolute), the change, or the relative change. */
  readonly actual?: number | null
  readonly passed: boolean
  /** A failed change check that the significance test excused (the difference is not significant). */
  readonly excused?: boolean
  /** The check in words, e.g. "f1 fell by 0.026 (−2.9 %), more than the allowed 2 %". */
  readonly reason: string
}

/** How the candidate compares with the baseline on one metric. */
export type Comparison =
  | 'better'
  | 'worse'
  | 'unchanged'
  | 'not-significant'
  | 'no-baseline'
  | 'missing'
  | 'invalid'

export interface MetricResult {
  readonly metric: string
  readonly direction: 'higher' | 'lower'
  readonly baseline?: number
  readonly candidate?: number
  readonly change?: number
  readonly relativeChange?: number
  readonly checks: readonly CheckResult[]
  readonly passed: boolean
  /** Skipped: missing and `on_missing_metric: pass`. */
  readonly skipped: boolean
  readonly comparison: Comparison
}

/** The overall comparison with the baseline; whether the gate passed is `passed`. */
export type Decision = 'better' | 'not-significantly-different' | 'worse' | 'no-baseline'

export interface GateResult {
  readonly passed: boolean
  readonly decision: Decision
  readonly metrics: readonly MetricResult[]
  readonly significance?: SignificanceResult
  readonly alpha: number
  /** Every failed check, in words. */
  readonly failures: readonly string[]
}

export interface GateInput {
  readonly policy: GatePolicy
  readonly candidate: Readonly<Record<string, number | undefined>>
  /** Undefined: there is no baseline at all (first model). */
  readonly baseline?: Readonly<Record<string, number | undefined>>
  readonly significance?: SignificanceResult
  /** Overrides `policy.significance`. */
  readonly alpha?: number
}

/** Float noise (0.9 − 0.91 = −0.01000000000000001) must not fail a limit the numbers meet exactly. */
const slack = (...v: number[]) => 1e-12 * Math.max(1, ...v.filter(Number.isFinite).map(Math.abs))

export const fmt = (v: number | undefined | null): string => {
  if (v === undefined || v === null) return '-'
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? '+∞' : '−∞'
  return String(Number(v.toFixed(5)))
}
export const signed = (v: number | undefined | null): string =>
  v !== undefined && v !== null && (v > 0 || Object.is(v, Number.POSITIVE_INFINITY)) ? `+${fmt(v)}` : fmt(v)
export const pct = (r: number | undefined | null): string => {
  if (r === undefined || r === null) return '-'
  if (!Number.isFinite(r)) return Number.isNaN(r) ? 'NaN' : r > 0 ? '+∞ %' : '−∞ %'
  const v = Number((r * 100).toFixed(2))
  return `${v > 0 ? '+' : ''}${v} %`
}

const pctAbs = (r: number) => `${Number((r * 100).toFixed(2))} %`

export function relativeChange(change: number, baseline: number): number {
  if (baseline === 0)
    return change === 0 ? 0 : change > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY
  return change / Math.abs(baseline)
}

const testName = (s: SignificanceResult) =>
  s.test === 'mcnemar-exact' ? 'McNemar exact test' : 'paired bootstrap'
const pText = (p: number) => (p < 0.0001 ? p.toExponential(2) : String(Number(p.toPrecision(3))))

function absoluteChecks(name: string, m: GateMetricPolicy, cand: number): CheckResult[] {
  const out: CheckResult[] = []
  const bad = !Number.isFinite(cand)
  if (m.min !== undefined) {
    const passed = !bad && cand >= m.min - slack(m.min)
    out.push({
      check: 'min',
      threshold: m.min,
      actual: cand,
      passed,
      reason: passed
        ? `${name} ${fmt(cand)} ≥ min ${fmt(m.min)}`
        : `${name} is ${fmt(cand)}, ${bad ? 'not a finite number, so it cannot meet' : 'below'} the minimum ${fmt(m.min)} (min: ${m.min})`,
    })
  }
  if (m.max !== undefined) {
    const passed = !bad && cand <= m.max + slack(m.max)
    out.push({
      check: 'max',
      threshold: m.max,
      actual: cand,
      passed,
      reason: passed
        ? `${name} ${fmt(cand)} ≤ max ${fmt(m.max)}`
        : `${name} is ${fmt(cand)}, ${bad ? 'not a finite number, so it cannot meet' : 'above'} the maximum ${fmt(m.max)} (max: ${m.max})`,
    })
  }
  return out
}

function changeChecks(
  name: string,
  m: GateMetricPolicy,
  cand: number,
  base: number,
  change: number,
  rel: number,
): CheckResult[] {
  const out: CheckResult[] = []
  const bad = !Number.isFinite(cand) || !Number.isFinite(base)
  const why = !Number.isFinite(base) ? `the baseline is ${fmt(base)}` : `the candidate is ${fmt(cand)}`
  const push = (check: CheckName, threshold: number, actual: number, ok: boolean, words: string) =>
    out.push({
      check,
      threshold,
      actual,
      passed: !bad && ok,
      reason: bad ? `${name}: ${check} cannot be checked because ${why}` : words,
    })
  const moved = `${name} ${change < 0 ? 'fell' : change > 0 ? 'rose' : 'did not change'}${
    change === 0 ? '' : ` by ${fmt(Math.abs(change))} (${pct(rel)})`
  }`
  const words = (ok: boolean, what: 'drop' | 'increase', limit: string, check: CheckName, t: number) =>
    ok
      ? `${moved}, within the allowed ${what} of ${limit}`
      : `${moved}, more than the allowed ${what} of ${limit} (${check}: ${t})`
  if (m.max_drop !== undefined) {
    const ok = change >= -m.max_drop - slack(cand, base)
    push('max_drop', m.max_drop, change, ok, words(ok, 'drop', fmt(m.max_drop), 'max_drop', m.max_drop))
  }
  if (m.max_drop_relative !== undefined) {
    const t = m.max_drop_relative
    const ok = rel >= -t - slack(rel)
    push('max_drop_relative', t, rel, ok, words(ok, 'drop', pctAbs(t), 'max_drop_relative', t))
  }
  if (m.max_increase !== undefined) {
    const t = m.max_increase
    const ok = change <= t + slack(cand, base)
    push('max_increase', t, change, ok, words(ok, 'increase', fmt(t), 'max_increase', t))
  }
  if (m.max_increase_relative !== undefined) {
    const t = m.max_increase_relative
    const ok = rel <= t + slack(rel)
    push('max_increase_relative', t, rel, ok, words(ok, 'increase', pctAbs(t), 'max_increase_relative', t))
  }
  return out
}

function evaluateMetric(name: string, m: GateMetricPolicy, input: GateInput, alpha: number): MetricResult {
  const { policy } = input
  const cand = input.candidate[name]
  const base = input.baseline?.[name]
  const common = { metric: name, direction: m.direction, baseline: base, candidate: cand }
  if (cand === undefined) {
    const passed = policy.on_missing_metric === 'pass'
    return {
      ...common,
      checks: [
        {
          check: 'present',
          passed,
          reason: `${name} is missing from the candidate's metrics${passed ? ' (on_missing_metric: pass)' : ''}`,
        },
      ],
      passed,
      skipped: passed,
      comparison: 'missing',
    }
  }
  const checks = absoluteChecks(name, m, cand)
  const hasChangeChecks =
    m.max_drop !== undefined ||
    m.max_drop_relative !== undefined ||
    m.max_increase !== undefined ||
    m.max_increase_relative !== undefined
  if (base === undefined) {
    // With no baseline at all, the gate (not each metric) fails once, in evaluateGate.
    if (policy.on_missing_baseline === 'fail' && hasChangeChecks && input.baseline !== undefined) {
      checks.push({
        check: 'baseline',
        passed: false,
        reason: `${name} is missing from the baseline's metrics, so its change checks cannot run (on_missing_baseline: fail)`,
      })
    }
    const passed = checks.every((c) => c.passed)
    return {
      ...common,
      checks,
      passed,
      skipped: false,
      comparison: Number.isFinite(cand) ? 'no-baseline' : 'invalid',
    }
  }
  const change = cand - base
  const rel = relativeChange(change, base)
  const changes = changeChecks(name, m, cand, base, change, rel)
  const sig = m.significance_test !== false ? input.significance : undefined
  const notSignificant = sig !== undefined && sig.pValue >= alpha
  const finalChanges = changes.map((c) =>
    !c.passed && notSignificant && Number.isFinite(cand) && Number.isFinite(base)
      ? {
          ...c,
          passed: true,
          excused: true,
          reason: `${c.reason}, but the difference is not significant (${testName(sig)} p = ${pText(sig.pValue)} ≥ ${alpha})`,
        }
      : c,
  )
  const all = [...checks, ...finalChanges]
  const better = m.direction === 'higher' ? change > 0 : change < 0
  const comparison: Comparison =
    !Number.isFinite(cand) || !Number.isFinite(base)
      ? 'invalid'
      : change === 0
        ? 'unchanged'
        : notSignificant
          ? 'not-significant'
          : better
            ? 'better'
            : 'worse'
  return {
    ...common,
    change,
    relativeChange: rel,
    checks: all,
    passed: all.every((c) => c.passed),
    skipped: false,
    comparison,
  }
}

export function evaluateGate(input: GateInput): GateResult {
  const alpha = input.alpha ?? input.policy.significance
  const metrics = Object.entries(input.policy.metrics).map(([name, m]) =>
    evaluateMetric(name, m, input, alpha),
  )
  const failures = metrics.flatMap((r) => r.checks.filter((c) => !c.passed).map((c) => c.reason))
  if (input.baseline === undefined && input.policy.on_missing_baseline === 'fail')
    failures.unshift('there is no baseline to compare with (on_missing_baseline: fail)')
  const passed = failures.length === 0
  const isChange = (c: CheckResult) =>
    c.check !== 'min' && c.check !== 'max' && c.check !== 'present' && c.check !== 'baseline'
  const worse = metrics.some((r) => r.checks.some((c) => !c.passed && isChange(c)))
  const better = metrics.some((r) => r.comparison === 'better')
  const decision: Decision =
    input.baseline === undefined
      ? 'no-baseline'
      : worse
        ? 'worse'
        : better && !metrics.some((r) => r.comparison === 'worse')
          ? 'better'
          : 'not-significantly-different'
  return { passed, decision, metrics, significance: input.significance, alpha, failures }
}
