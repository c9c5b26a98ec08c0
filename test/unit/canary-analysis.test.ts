import { describe, expect, it } from 'vitest'
import {
  type CheckSpec,
  type MetricsSource,
  parseAnalysisInput,
  resolveChecks,
} from '../../shared/deploy/analysis.js'
import { type CanaryOptions, type Clock, runCanary } from '../../shared/deploy/canary.js'
import { BUILTIN_TEMPLATES, renderQuery } from '../../shared/deploy/metrics.js'
import { ProviderError, type TrafficProvider, type TrafficState } from '../../shared/deploy/provider.js'
import { silentLogger } from '../../shared/util/logger.js'

/** A clock whose sleep returns at once and advances time. */
function fakeClock(): Clock & { slept: number[] } {
  let t = 1_000_000
  const slept: number[] = []
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms)
      t += ms
    },
  }
}

class FakeProvider implements TrafficProvider {
  readonly name = 'fake'
  calls: string[] = []
  current: TrafficState = { canaryWeight: 0, phase: 'stable' }
  failAt?: number
  async prepare() {
    this.calls.push('prepare')
  }
  async setWeight(w: number) {
    if (w === this.failAt) throw new ProviderError(`backend refused ${w}`)
    this.calls.push(`weight ${w}`)
    this.current = { canaryWeight: w, phase: 'progressing' }
  }
  async promote() {
    this.calls.push('promote')
    this.current = { canaryWeight: 100, phase: 'promoted' }
  }
  async rollback() {
    this.calls.push('rollback')
    this.current = { canaryWeight: 0, phase: 'rolled-back' }
  }
  async state() {
    return this.current
  }
}

/** Answers queries by the variant and the metric in them; `weight()` lets answers depend on the step. */
function fakeMetrics(
  answer: (q: string, n: number) => number | undefined | Error,
): MetricsSource & { queries: string[] } {
  const queries: string[] = []
  return {
    queries,
    async queryScalar(q) {
      queries.push(q)
      const a = answer(q, queries.length)
      if (a instanceof Error) throw a
      return a
    },
  }
}

const isSuccess = (q: string) => q.includes('code!~"5.."')
const isCanary = (q: string) => q.includes('variant="canary"')

const checks = (text?: string): CheckSpec[] =>
  resolveChecks(
    text
      ? parseAnalysisInput(text)
      : [
          { template: 'request-success-rate', min: 99 },
          { template: 'request-duration-p99', max: 500 },
        ],
  )

const opts = (over: Partial<CanaryOptions> = {}): CanaryOptions => ({
  model: 'churn',
  version: '2',
  steps: [5, 25, 50, 100],
  intervalMs: 60_000,
  checks: checks(),
  failureLimit: 1,
  minRequests: 0,
  onNoData: 'wait',
  maxWaitMs: 180_000,
  ...over,
})

const healthy = (q: string) => (isSuccess(q) ? 99.9 : q.includes('histogram_quantile') ? 120 : 50)

describe('canary analysis loop', () => {
  it('promotes a healthy canary through every step', async () => {
    const provider = new FakeProvider()
    const clock = fakeClock()
    const traffic: string[] = []
    const r = await runCanary(opts(), {
      provider,
      metrics: fakeMetrics(healthy),
      log: silentLogger,
      clock,
      onTraffic: (w, p) => void traffic.push(`${w}:${p}`),
    })
    expect(r.result).toBe('promoted')
    expect(r.finalWeight).toBe(100)
    expect(provider.calls).toEqual(['prepare', 'weight 5', 'weight 25', 'weight 50', 'weight 100', 'promote'])
    expect(r.analysis).toHaveLength(8)
    expect(r.analysis.every((m) => m.verdict === 'pass')).toBe(true)
    expect(r.analysis[0]).toMatchObject({
      step: 1,
      weight: 5,
      check: 'request-success-rate',
      value: 99.9,
      threshold: '≥ 99%',
    })
    expect(r.analysis[0]!.query).toContain('model="churn",variant="canary"')
    expect(r.analysis[0]!.query).toContain('[60s]')
    expect(r.durationSeconds).toBe(240)
    expect(clock.slept).toEqual([60_000, 60_000, 60_000, 60_000])
    expect(traffic.at(-1)).toBe('100:promoted')
    expect(r.timeline.filter((p) => p.successRate !== undefined)).toHaveLength(4)
  })

  it('rolls back at the first analysed step when the success rate is too low', async () => {
    const provider = new FakeProvider()
    const r = await runCanary(opts(), {
      provider,
      metrics: fakeMetrics((q) => (isSuccess(q) ? 90 : 100)),
      log: silentLogger,
      clock: fakeClock(),
    })
    expect(r.result).toBe('rolled-back')
    expect(r.finalWeight).toBe(0)
    expect(provider.calls).toEqual(['prepare', 'weight 5', 'rollback'])
    expect(r.reason).toMatch(/step 1 \(5 %\).*request-success-rate: 90% is below 99%/)
    expect(r.analysis.find((m) => m.check === 'request-success-rate')?.verdict).toBe('fail')
  })

  it('tolerates failures up to failure-limit, re-analysing the same step', async () => {
    const provider = new FakeProvider()
    let bad = 3 // the first answer goes to the pre-flight check
    const metrics = fakeMetrics((q) => {
      if (isSuccess(q)) return bad-- > 0 ? 50 : 100
      return 10
    })
    const r = await runCanary(opts({ failureLimit: 3, steps: [10, 100] }), {
      provider,
      metrics,
      log: silentLogger,
      clock: fakeClock(),
    })
    expect(r.result).toBe('promoted')
    expect(r.failedAnalyses).toBe(2)
    expect(r.analysis.filter((m) => m.step === 1).map((m) => m.attempt)).toEqual([1, 1, 2, 2, 3, 3])
  })

  it('compares the canary with stable over the same window', async () => {
    const c = checks(`
- template: request-success-rate
  compare: stable
  max_degradation: 1
`)
    const metrics = fakeMetrics((q) => (isCanary(q) ? 97 : 99.5))
    const r = await runCanary(opts({ checks: c }), {
      provider: new FakeProvider(),
      metrics,
      log: silentLogger,
      clock: fakeClock(),
    })
    expect(r.result).toBe('rolled-back')
    const m = r.analysis[0]!
    expect(m.check).toBe('request-success-rate-vs-stable')
    expect(m.stableQuery).toContain('variant="stable"')
    expect(m.stableValue).toBe(99.5)
    expect(m.verdict).toBe('fail')
    expect(m.message).toContain("more than 1 % below stable's 99.5%")
  })

  it('skips a stable comparison at 100 % (stable has no traffic) instead of waiting for data', async () => {
    const c = checks('- { template: request-success-rate, compare: stable }')
    const metrics = fakeMetrics((q) => (isCanary(q) ? 99 : undefined))
    const r = await runCanary(opts({ checks: c, steps: [100] }), {
      provider: new FakeProvider(),
      metrics,
      log: silentLogger,
      clock: fakeClock(),
    })
    expect(r.result).toBe('promoted')
    expect(r.analysis[0]!.verdict).toBe('skipped')
  })

  describe('on-no-data', () => {
    const noData = () => fakeMetrics(() => undefined)

    it('wait: re-analyses until max-wait, then fails and rolls back', async () => {
      const provider = new FakeProvider()
      const clock = fakeClock()
      const r = await runCanary(opts({ onNoData: 'wait', maxWaitMs: 120_000 }), {
        provider,
        metrics: noData(),
        log: silentLogger,
        clock,
      })
      expect(r.result).toBe('rolled-back')
      expect(clock.slept).toHaveLength(3) // first analysis + 2 waits of one interval
      expect(r.reason).toMatch(/no data after waiting 120 s \(max-wait\)/)
      expect(provider.calls).toEqual(['prepare', 'weight 5', 'rollback'])
    })

    it('wait: goes on as soon as data arrives', async () => {
      let n = 0
      const metrics = fakeMetrics((q) => (n++ < 4 ? undefined : healthy(q)))
      const r = await runCanary(opts({ steps: [50, 100] }), {
        provider: new FakeProvider(),
        metrics,
        log: silentLogger,
        clock: fakeClock(),
      })
      expect(r.result).toBe('promoted')
      expect(r.failedAnalyses).toBe(0)
    })

    it('fail: no data fails the analysis at once', async () => {
      const r = await runCanary(opts({ onNoData: 'fail' }), {
        provider: new FakeProvider(),
        metrics: noData(),
        log: silentLogger,
        clock: fakeClock(),
      })
      expect(r.result).toBe('rolled-back')
      expect(r.reason).toMatch(/on-no-data is 'fail'/)
      expect(r.analysis.every((m) => m.verdict === 'no-data')).toBe(true)
    })

    it('pass: passes only when the user says so, with a warning each time', async () => {
      const warnings: string[] = []
      const r = await runCanary(opts({ onNoData: 'pass' }), {
        provider: new FakeProvider(),
        metrics: noData(),
        log: { ...silentLogger, warning: (m) => void warnings.push(m) },
        clock: fakeClock(),
      })
      expect(r.result).toBe('promoted')
      expect(warnings).toHaveLength(4)
      expect(r.analysis.every((m) => m.verdict === 'no-data')).toBe(true)
    })

    it('min-requests: too little canary traffic counts as no data', async () => {
      const metrics = fakeMetrics((q) => (q.startsWith('sum(increase(') ? 3 : healthy(q)))
      const r = await runCanary(opts({ minRequests: 20, onNoData: 'fail' }), {
        provider: new FakeProvider(),
        metrics,
        log: silentLogger,
        clock: fakeClock(),
      })
      expect(r.result).toBe('rolled-back')
      expect(r.analysis).toHaveLength(1)
      expect(r.analysis[0]).toMatchObject({ check: 'min-requests', value: 3, verdict: 'no-data' })
    })
  })

  it('counts a Prometheus error during the analysis as a failed check, never a pass', async () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9090'), { kind: 'unavailable' })
    const metrics = fakeMetrics((q, n) => (n <= 2 ? healthy(q) : err))
    const provider = new FakeProvider()
    const r = await runCanary(opts(), { provider, metrics, log: silentLogger, clock: fakeClock() })
    expect(r.result).toBe('rolled-back')
    expect(r.analysis[0]).toMatchObject({ verdict: 'error' })
    expect(r.analysis[0]!.message).toContain('ECONNREFUSED')
    expect(provider.current.canaryWeight).toBe(0)
  })

  it('fails before any traffic moves when a query is invalid PromQL', async () => {
    const provider = new FakeProvider()
    const bad = Object.assign(new Error('parse error: unexpected ")"'), { kind: 'bad-query' })
    const c = checks(
      `- { name: broken, query: 'sum(rate(x{variant="{{ variant }}"}[{{ interval }}])))', max: 1 }`,
    )
    await expect(
      runCanary(opts({ checks: c }), {
        provider,
        metrics: fakeMetrics(() => bad),
        log: silentLogger,
        clock: fakeClock(),
      }),
    ).rejects.toThrow(/Check 'broken': the query cannot be used; no traffic was moved/)
    expect(provider.calls).toEqual([])
  })

  it('fails before any traffic moves when Prometheus is unreachable', async () => {
    const provider = new FakeProvider()
    const down = Object.assign(new Error('connect ECONNREFUSED'), { kind: 'unavailable' })
    await expect(
      runCanary(opts({ prometheusUrl: 'http://127.0.0.1:1' }), {
        provider,
        metrics: fakeMetrics(() => down),
        log: silentLogger,
        clock: fakeClock(),
      }),
    ).rejects.toThrow(/http:\/\/127.0.0.1:1 did not answer .*no traffic was moved/)
    expect(provider.calls).toEqual([])
  })

  it('rolls back and says what failed when the provider cannot apply a weight', async () => {
    const provider = new FakeProvider()
    provider.failAt = 25
    const r = await runCanary(opts(), {
      provider,
      metrics: fakeMetrics(healthy),
      log: silentLogger,
      clock: fakeClock(),
    })
    expect(r.result).toBe('rolled-back')
    expect(r.reason).toBe('the fake provider failed to set the canary to 25 %: backend refused 25')
    expect(provider.calls).toEqual(['prepare', 'weight 5', 'rollback'])
  })

  it('rejects steps that are not ascending whole percentages', async () => {
    for (const steps of [[], [0, 50], [50, 25], [10.5], [101]]) {
      await expect(
        runCanary(opts({ steps }), {
          provider: new FakeProvider(),
          metrics: fakeMetrics(healthy),
          log: silentLogger,
          clock: fakeClock(),
        }),
      ).rejects.toThrow(/steps/)
    }
  })
})

describe('analysis checks', () => {
  it.each([
    ['neither query nor template', '- { min: 1 }', /needs a 'query' or a built-in 'template'/],
    ['both', '- { template: request-success-rate, query: up, min: 1 }', /either 'query' or 'template'/],
    ['no threshold', '- { template: request-success-rate }', /needs a threshold/],
    [
      'unknown variable',
      '- { query: \'up{job="{{ job }}"}\', max: 1 }',
      /unknown template variable\(s\) \{\{ job \}\}/,
    ],
    ['compare without direction', "- { query: 'up', compare: stable }", /needs 'direction/],
    ['min above max', '- { template: request-success-rate, min: 5, max: 1 }', /min 5 is above max 1/],
    [
      'duplicate names',
      '- { template: request-success-rate, min: 1 }\n- { template: request-success-rate, max: 1 }',
      /duplicate check name/,
    ],
  ])('rejects %s', (_n, text, err) => {
    expect(() => resolveChecks(parseAnalysisInput(text))).toThrow(err)
  })

  it('rejects unknown keys with a hint and a line number', () => {
    expect(() => parseAnalysisInput('- template: request-success-rate\n  mni: 99\n')).toThrow(
      /analysis \(input\):2:3: \[0\]: unknown key 'mni' \(.*did you mean 'min'/,
    )
  })

  it('renders templates and escapes label values', () => {
    expect(
      renderQuery(BUILTIN_TEMPLATES['request-success-rate'].query, {
        model: 'a"b',
        variant: 'canary',
        interval: '30s',
      }),
    ).toBe(
      'sum(rate({__name__=~"(mlops_)?model_requests_total",model="a\\"b",variant="canary",path!~"/metrics|/health",code!~"5.."}[30s])) / sum(rate({__name__=~"(mlops_)?model_requests_total",model="a\\"b",variant="canary",path!~"/metrics|/health"}[30s])) * 100',
    )
    expect(
      renderQuery('x{version="{{version}}"}[{{ interval }}]', {
        model: 'm',
        variant: 'v',
        interval: '1500ms',
        version: '3',
      }),
    ).toBe('x{version="3"}[1500ms]')
  })
})
