import { afterEach, describe, expect, it } from 'vitest'
import { getSettings } from '../../actions/deploy-canary/src/inputs.js'
import { parseYaml } from '../../shared/config/load.js'
import { mlopsConfigSchema } from '../../shared/config/mlops-config.js'
import type { CanaryResult } from '../../shared/deploy/canary.js'
import { analysisTable, renderSummary, timelineChart } from '../../shared/deploy/render.js'

const setInputs = (v: Record<string, string>) => {
  for (const [k, val] of Object.entries(v)) process.env[`INPUT_${k.toUpperCase()}`] = val
}
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k]
})

const config = parseYaml(
  `
model: { name: churn }
deploy:
  provider: nginx
  steps: [10, 100]
  interval: 2m
  prometheus_url: http://prom:9090
  on_no_data: fail
  analysis:
    - { template: request-success-rate, min: 98 }
  nginx: { upstream_file: /etc/nginx/conf.d/up.conf, stable: [127.0.0.1:1], canary: 127.0.0.1:2 }
`,
  'mlops.yaml',
  mlopsConfigSchema,
)

describe('deploy-canary settings', () => {
  it('takes deploy: from mlops.yaml when inputs are empty', () => {
    const s = getSettings(config, 'mlops.yaml')
    expect(s).toMatchObject({
      model: 'churn',
      steps: [10, 100],
      intervalMs: 120_000,
      onNoData: 'fail',
      failureLimit: 1,
      maxWaitMs: 300_000,
      failOnRollback: true,
      prometheusUrl: 'http://prom:9090',
      checks: [{ template: 'request-success-rate', min: 98 }],
      provider: {
        provider: 'nginx',
        upstreamName: 'model',
        stable: ['127.0.0.1:1'],
        canary: ['127.0.0.1:2'],
      },
    })
  })

  it('lets inputs win over the file', () => {
    setInputs({
      steps: '5, 50%\n100',
      interval: '3s',
      'on-no-data': 'pass',
      'failure-limit': '2',
      'stable-servers': 'a:1,b:1',
      analysis: '- { template: request-duration-p99, max: 250 }',
      'fail-on-rollback': 'false',
    })
    const s = getSettings(config, 'mlops.yaml')
    expect(s).toMatchObject({
      steps: [5, 50, 100],
      intervalMs: 3000,
      onNoData: 'pass',
      failureLimit: 2,
      failOnRollback: false,
    })
    expect(s.provider).toMatchObject({ stable: ['a:1', 'b:1'] })
    expect(s.checks).toEqual([{ template: 'request-duration-p99', max: 250 }])
  })

  it.each([
    [{ 'on-no-data': 'sometimes' }, /Input 'on-no-data' must be one of wait, fail, pass/],
    [{ steps: '5,half' }, /Input 'steps' must be whole percentages/],
    [{ 'failure-limit': '0' }, /Input 'failure-limit' must be at least 1/],
    [{ provider: 'command' }, /Input 'set-weight-command' is required with provider command/],
    [{ provider: 'ngnix' }, /Did you mean 'nginx'/],
    [{ analysis: 'missing.yaml' }, /Input 'analysis' names a file that does not exist/],
  ])('rejects %j', (given, err) => {
    setInputs(given)
    expect(() => getSettings(config, 'mlops.yaml')).toThrow(err)
  })

  it('reads the kubernetes provider from inputs and deploy.kubernetes', () => {
    setInputs({ provider: 'kubernetes' })
    expect(() => getSettings(config, 'mlops.yaml')).toThrow(
      /Input 'image' is required with provider kubernetes/,
    )
    setInputs({ image: 'churn:2' })
    expect(() => getSettings(config, 'mlops.yaml')).toThrow(
      /Input 'gateway' is required with routing 'gateway-api'/,
    )
    setInputs({ routing: 'ingress-nginx', namespace: 'ml', port: '9000', 'rollout-timeout': '90s' })
    expect(getSettings(config, 'mlops.yaml').provider).toMatchObject({
      provider: 'kubernetes',
      routing: 'ingress-nginx',
      namespace: 'ml',
      name: 'churn',
      image: 'churn:2',
      port: 9000,
      canaryReplicas: 1,
      rolloutTimeoutMs: 90_000,
    })
    setInputs({ routing: 'istio' })
    expect(() => getSettings(config, 'mlops.yaml')).toThrow(
      /Input 'routing' must be one of gateway-api, ingress-nginx/,
    )
  })

  it('needs a model and a Prometheus URL from somewhere', () => {
    expect(() => getSettings({}, 'mlops.yaml')).toThrow(/Input 'model' is required/)
    setInputs({ model: 'm' })
    expect(() => getSettings({}, 'mlops.yaml')).toThrow(/Input 'prometheus-url' is required/)
  })
})

describe('deploy-canary summary', () => {
  const result: CanaryResult = {
    result: 'rolled-back',
    finalWeight: 0,
    maxWeight: 25,
    reason: 'step 2 (25 %), analysis 1 of 1 failed: request-success-rate: 90% is below 99%',
    analysis: [
      {
        step: 1,
        weight: 5,
        attempt: 1,
        at: 60,
        check: 'request-success-rate',
        query: 'a < b | c',
        value: 99.5,
        threshold: '≥ 99%',
        verdict: 'pass',
      },
      {
        step: 2,
        weight: 25,
        attempt: 1,
        at: 120,
        check: 'request-success-rate',
        query: 'q',
        value: 90,
        threshold: '≥ 99%',
        verdict: 'fail',
        message: '90% is below 99%',
      },
    ],
    timeline: [
      { at: 0, weight: 5 },
      { at: 60, weight: 5, successRate: 99.5 },
      { at: 60, weight: 25 },
      { at: 120, weight: 25, successRate: 90 },
      { at: 120, weight: 0 },
    ],
    durationSeconds: 120,
    failedAnalyses: 1,
    provider: 'nginx',
  }

  it('charts weight and success rate over time', () => {
    expect(timelineChart(result.timeline)).toBe(
      [
        '```mermaid',
        'xychart-beta',
        '    title "Canary weight and success rate (%)"',
        '    x-axis "seconds since start" [0, 60, 60, 120, 120]',
        '    y-axis "percent" 0 --> 100',
        '    line [5, 5, 25, 25, 0]',
        '    line [99.5, 99.5, 99.5, 90, 90]',
        '```',
      ].join('\n'),
    )
  })

  it('tables every check with escaped queries', () => {
    const t = analysisTable(result.analysis)
    expect(t).toContain(
      '| 1 | 5 % | 1 | request-success-rate | 99.5 |  | ≥ 99% | ✅ pass | <code>a &lt; b \\| c</code> |',
    )
    expect(t).toContain('❌ fail — 90% is below 99%')
    const md = renderSummary(result, { model: 'churn', version: '3', provider: 'nginx', steps: [5, 25, 50] })
    expect(md).toContain('### ❌ deploy-canary: churn 3 rolled-back')
    expect(md).toContain('Rolled back version 3 at 25 %: step 2 (25 %)')
  })
})
