import { describe, expect, it } from 'vitest'
import { gateSection } from '../../shared/config/mlops-config.js'
import { type Decision, evaluateGate, relativeChange } from '../../shared/gate/decide.js'
import type { GatePolicy } from '../../shared/gate/policy.js'
import { mcnemarExact } from '../../shared/gate/stats.js'

type Values = Record<string, number | undefined>
const policy = (metrics: Record<string, object>, rest: object = {}): GatePolicy =>
  gateSection.parse({ metrics, ...rest })

const NOT_SIG = mcnemarExact(12, 18, 1000) // p ≈ 0.36
const SIG = mcnemarExact(5, 40, 1000) // p ≈ 1e-7

interface Case {
  readonly name: string
  readonly metrics: Record<string, object>
  readonly rest?: object
  readonly candidate: Values
  readonly baseline?: Values
  readonly significance?: typeof SIG
  readonly passed: boolean
  readonly decision: Decision
  /** `metric.check` of every failed check, in order. */
  readonly failed: readonly string[]
}

const hi = (o: object = {}) => ({ direction: 'higher', ...o })
const lo = (o: object = {}) => ({ direction: 'lower', ...o })

// biome-ignore format: one case per line reads as a table
const cases: Case[] = [
  // absolute checks only
  { name: 'absolute: above min', metrics: { acc: hi({ min: 0.8 }) }, candidate: { acc: 0.85 }, passed: true, decision: 'no-baseline', failed: [] },
  { name: 'absolute: below min', metrics: { acc: hi({ min: 0.8 }) }, candidate: { acc: 0.79 }, passed: false, decision: 'no-baseline', failed: ['acc.min'] },
  { name: 'absolute: exactly at min passes', metrics: { acc: hi({ min: 0.8 }) }, candidate: { acc: 0.8 }, passed: true, decision: 'no-baseline', failed: [] },
  { name: 'absolute: above max (lower is better)', metrics: { lat: lo({ max: 50 }) }, candidate: { lat: 51 }, passed: false, decision: 'no-baseline', failed: ['lat.max'] },
  { name: 'absolute: min and max window', metrics: { cal: hi({ min: 0.4, max: 0.6 }) }, candidate: { cal: 0.7 }, passed: false, decision: 'no-baseline', failed: ['cal.max'] },
  // change checks only (absolute)
  { name: 'max_drop: drop within tolerance', metrics: { acc: hi({ max_drop: 0.01 }) }, candidate: { acc: 0.905 }, baseline: { acc: 0.91 }, passed: true, decision: 'not-significantly-different', failed: [] },
  { name: 'max_drop: drop exactly at the limit (float noise)', metrics: { acc: hi({ max_drop: 0.01 }) }, candidate: { acc: 0.9 }, baseline: { acc: 0.91 }, passed: true, decision: 'not-significantly-different', failed: [] },
  { name: 'max_drop: drop beyond tolerance', metrics: { acc: hi({ max_drop: 0.01 }) }, candidate: { acc: 0.89 }, baseline: { acc: 0.91 }, passed: false, decision: 'worse', failed: ['acc.max_drop'] },
  { name: 'max_drop: improvement', metrics: { acc: hi({ max_drop: 0 }) }, candidate: { acc: 0.93 }, baseline: { acc: 0.91 }, passed: true, decision: 'better', failed: [] },
  // relative only
  { name: 'relative: 1 % drop within 2 %', metrics: { f1: hi({ max_drop_relative: 0.02 }) }, candidate: { f1: 0.891 }, baseline: { f1: 0.9 }, passed: true, decision: 'not-significantly-different', failed: [] },
  { name: 'relative: 2.9 % drop beyond 2 %', metrics: { f1: hi({ max_drop_relative: 0.02 }) }, candidate: { f1: 0.874 }, baseline: { f1: 0.9 }, passed: false, decision: 'worse', failed: ['f1.max_drop_relative'] },
  { name: 'relative: negative baseline uses |baseline|', metrics: { r2: hi({ max_drop_relative: 0.1 }) }, candidate: { r2: -0.55 }, baseline: { r2: -0.5 }, passed: true, decision: 'not-significantly-different', failed: [] },
  { name: 'relative: negative baseline, 20 % worse', metrics: { r2: hi({ max_drop_relative: 0.1 }) }, candidate: { r2: -0.6 }, baseline: { r2: -0.5 }, passed: false, decision: 'worse', failed: ['r2.max_drop_relative'] },
  // both absolute and change
  { name: 'both: floor met, drop too large', metrics: { acc: hi({ min: 0.85, max_drop: 0.01 }) }, candidate: { acc: 0.88 }, baseline: { acc: 0.9 }, passed: false, decision: 'worse', failed: ['acc.max_drop'] },
  { name: 'both: better than baseline but under the floor', metrics: { acc: hi({ min: 0.85, max_drop: 0.01 }) }, candidate: { acc: 0.84 }, baseline: { acc: 0.8 }, passed: false, decision: 'better', failed: ['acc.min'] },
  { name: 'both: everything passes on three metrics', metrics: { acc: hi({ min: 0.85, max_drop: 0.01 }), f1: hi({ max_drop_relative: 0.02 }), lat: lo({ max: 50, max_increase: 5 }) }, candidate: { acc: 0.912, f1: 0.9, lat: 41 }, baseline: { acc: 0.905, f1: 0.9, lat: 44 }, passed: true, decision: 'better', failed: [] },
  // lower is better
  { name: 'lower: increase within tolerance', metrics: { lat: lo({ max_increase: 5 }) }, candidate: { lat: 48 }, baseline: { lat: 44 }, passed: true, decision: 'not-significantly-different', failed: [] },
  { name: 'lower: increase beyond tolerance', metrics: { lat: lo({ max_increase: 5 }) }, candidate: { lat: 50 }, baseline: { lat: 44 }, passed: false, decision: 'worse', failed: ['lat.max_increase'] },
  { name: 'lower: relative increase beyond 10 %', metrics: { loss: lo({ max_increase_relative: 0.1 }) }, candidate: { loss: 0.23 }, baseline: { loss: 0.2 }, passed: false, decision: 'worse', failed: ['loss.max_increase_relative'] },
  { name: 'lower: a decrease is better', metrics: { loss: lo({ max_increase_relative: 0 }) }, candidate: { loss: 0.18 }, baseline: { loss: 0.2 }, passed: true, decision: 'better', failed: [] },
  // zero baseline
  { name: 'zero baseline: no change passes a relative check', metrics: { e: lo({ max_increase_relative: 0.1 }) }, candidate: { e: 0 }, baseline: { e: 0 }, passed: true, decision: 'not-significantly-different', failed: [] },
  { name: 'zero baseline: any increase is an infinite relative increase', metrics: { e: lo({ max_increase_relative: 0.1 }) }, candidate: { e: 0.001 }, baseline: { e: 0 }, passed: false, decision: 'worse', failed: ['e.max_increase_relative'] },
  { name: 'zero baseline: a rise of a higher-is-better metric passes', metrics: { g: hi({ max_drop_relative: 0.1 }) }, candidate: { g: 0.2 }, baseline: { g: 0 }, passed: true, decision: 'better', failed: [] },
  { name: 'zero baseline: absolute change check still works', metrics: { g: hi({ max_drop: 0.1 }) }, candidate: { g: -0.05 }, baseline: { g: 0 }, passed: true, decision: 'not-significantly-different', failed: [] },
  // missing metric
  { name: 'missing metric fails by default', metrics: { acc: hi({ min: 0.8 }), auc: hi({ min: 0.7 }) }, candidate: { acc: 0.9 }, passed: false, decision: 'no-baseline', failed: ['auc.present'] },
  { name: 'missing metric with on_missing_metric: pass is skipped', metrics: { acc: hi({ min: 0.8 }), auc: hi({ min: 0.7 }) }, rest: { on_missing_metric: 'pass' }, candidate: { acc: 0.9 }, passed: true, decision: 'no-baseline', failed: [] },
  { name: 'missing metric fails even when the baseline has it', metrics: { auc: hi({ max_drop: 0.1 }) }, candidate: {}, baseline: { auc: 0.8 }, passed: false, decision: 'not-significantly-different', failed: ['auc.present'] },
  // missing baseline
  { name: 'no baseline: change checks do not apply', metrics: { acc: hi({ min: 0.8, max_drop: 0.01 }) }, candidate: { acc: 0.82 }, passed: true, decision: 'no-baseline', failed: [] },
  { name: 'no baseline with on_missing_baseline: fail', metrics: { acc: hi({ min: 0.8, max_drop: 0.01 }) }, rest: { on_missing_baseline: 'fail' }, candidate: { acc: 0.82 }, passed: false, decision: 'no-baseline', failed: ['(gate) no baseline'] },
  { name: 'baseline lacks the metric: change checks skipped', metrics: { acc: hi({ max_drop: 0.01 }) }, candidate: { acc: 0.5 }, baseline: { f1: 0.9 }, passed: true, decision: 'not-significantly-different', failed: [] },
  { name: 'baseline lacks the metric, on_missing_baseline: fail', metrics: { acc: hi({ max_drop: 0.01 }) }, rest: { on_missing_baseline: 'fail' }, candidate: { acc: 0.5 }, baseline: { f1: 0.9 }, passed: false, decision: 'not-significantly-different', failed: ['acc.baseline'] },
  // NaN and infinity
  { name: 'NaN candidate fails min', metrics: { acc: hi({ min: 0.8 }) }, candidate: { acc: Number.NaN }, passed: false, decision: 'no-baseline', failed: ['acc.min'] },
  { name: 'NaN candidate fails max and change checks', metrics: { lat: lo({ max: 50, max_increase: 5 }) }, candidate: { lat: Number.NaN }, baseline: { lat: 40 }, passed: false, decision: 'worse', failed: ['lat.max', 'lat.max_increase'] },
  { name: 'infinite candidate fails max', metrics: { lat: lo({ max: 50 }) }, candidate: { lat: Number.POSITIVE_INFINITY }, passed: false, decision: 'no-baseline', failed: ['lat.max'] },
  { name: '+∞ candidate never passes min', metrics: { acc: hi({ min: 0.8 }) }, candidate: { acc: Number.POSITIVE_INFINITY }, passed: false, decision: 'no-baseline', failed: ['acc.min'] },
  { name: 'NaN baseline fails the change check', metrics: { acc: hi({ max_drop: 0.5 }) }, candidate: { acc: 0.9 }, baseline: { acc: Number.NaN }, passed: false, decision: 'worse', failed: ['acc.max_drop'] },
  // significance
  { name: 'significance: a drop that is not significant is excused', metrics: { acc: hi({ max_drop: 0.001 }) }, candidate: { acc: 0.894 }, baseline: { acc: 0.9 }, significance: NOT_SIG, passed: true, decision: 'not-significantly-different', failed: [] },
  { name: 'significance: a significant drop fails', metrics: { acc: hi({ max_drop: 0.001 }) }, candidate: { acc: 0.865 }, baseline: { acc: 0.9 }, significance: SIG, passed: false, decision: 'worse', failed: ['acc.max_drop'] },
  { name: 'significance: never excuses an absolute check', metrics: { acc: hi({ min: 0.9, max_drop: 0.001 }) }, candidate: { acc: 0.894 }, baseline: { acc: 0.9 }, significance: NOT_SIG, passed: false, decision: 'not-significantly-different', failed: ['acc.min'] },
  { name: 'significance: significance_test: false opts a metric out', metrics: { lat: lo({ max_increase: 1, significance_test: false }) }, candidate: { lat: 50 }, baseline: { lat: 44 }, significance: NOT_SIG, passed: false, decision: 'worse', failed: ['lat.max_increase'] },
  { name: 'significance: an insignificant gain is not "better"', metrics: { acc: hi({ max_drop: 0 }) }, candidate: { acc: 0.91 }, baseline: { acc: 0.9 }, significance: NOT_SIG, passed: true, decision: 'not-significantly-different', failed: [] },
  { name: 'significance: a significant gain is "better"', metrics: { acc: hi({ max_drop: 0 }) }, candidate: { acc: 0.935 }, baseline: { acc: 0.9 }, significance: mcnemarExact(40, 5, 1000), passed: true, decision: 'better', failed: [] },
]

describe('evaluateGate decision table', () => {
  it('has at least 20 cases', () => expect(cases.length).toBeGreaterThanOrEqual(20))

  it.each(cases)('$name', (c) => {
    const r = evaluateGate({
      policy: policy(c.metrics, c.rest),
      candidate: c.candidate,
      baseline: c.baseline,
      significance: c.significance,
    })
    const failed = r.metrics.flatMap((m) =>
      m.checks.filter((x) => !x.passed).map((x) => `${m.metric}.${x.check}`),
    )
    if (c.failed.includes('(gate) no baseline')) {
      expect(r.failures[0]).toMatch(/no baseline/)
      expect(failed).toEqual([])
    } else expect(failed).toEqual(c.failed)
    expect(r.passed).toBe(c.passed)
    expect(r.decision).toBe(c.decision)
    // every failure is explained in words; a pass has none
    expect(r.failures.length).toBe(c.passed ? 0 : Math.max(1, c.failed.length))
    for (const f of r.failures) expect(f.length).toBeGreaterThan(10)
  })
})

describe('gate details', () => {
  it('reports change and relative change as TFMA computes them', () => {
    const r = evaluateGate({
      policy: policy({ f1: hi({ max_drop_relative: 0.02 }) }),
      candidate: { f1: 0.874 },
      baseline: { f1: 0.9 },
    })
    const m = r.metrics[0]!
    expect(m.change).toBeCloseTo(-0.026, 12)
    expect(m.relativeChange).toBeCloseTo(-0.026 / 0.9, 12)
    expect(m.comparison).toBe('worse')
    expect(r.failures[0]).toBe(
      'f1 fell by 0.026 (-2.89 %), more than the allowed drop of 2 % (max_drop_relative: 0.02)',
    )
  })

  it('computes the relative change against |baseline|, ±∞ from zero', () => {
    expect(relativeChange(-0.1, -0.5)).toBeCloseTo(-0.2)
    expect(relativeChange(0, 0)).toBe(0)
    expect(relativeChange(1, 0)).toBe(Number.POSITIVE_INFINITY)
    expect(relativeChange(-1, 0)).toBe(Number.NEGATIVE_INFINITY)
  })

  it('marks an excused check and names the test and p-value', () => {
    const r = evaluateGate({
      policy: policy({ acc: hi({ max_drop: 0.001 }) }),
      candidate: { acc: 0.894 },
      baseline: { acc: 0.9 },
      significance: NOT_SIG,
    })
    const c = r.metrics[0]!.checks[0]!
    expect(c.excused).toBe(true)
    expect(c.reason).toMatch(/not significant \(McNemar exact test p = 0\.36\d* ≥ 0\.05\)/)
    expect(r.metrics[0]!.comparison).toBe('not-significant')
  })

  it('lets the alpha override the policy', () => {
    const input = {
      policy: policy({ acc: hi({ max_drop: 0.001 }) }),
      candidate: { acc: 0.894 },
      baseline: { acc: 0.9 },
      significance: NOT_SIG,
    }
    expect(evaluateGate(input).passed).toBe(true)
    expect(evaluateGate({ ...input, alpha: 0.5 }).passed).toBe(false)
  })
})
