import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { main } from '../../cli/src/main.js'
import { gateSection } from '../../shared/config/mlops-config.js'
import { ConfigError, NotFoundError } from '../../shared/errors.js'
import { evaluateGate } from '../../shared/gate/decide.js'
import { loadMetrics, metricSetFromValues, metricValue, parseMetrics } from '../../shared/gate/metrics.js'
import { loadPolicy, parsePolicy } from '../../shared/gate/policy.js'
import { headline, renderChart, renderTable } from '../../shared/gate/render.js'
import { runGate } from '../../shared/gate/run.js'
import { silentLogger } from '../../shared/util/logger.js'

const caught = (fn: () => unknown): Error => {
  try {
    fn()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a throw')
}

describe('metrics files', () => {
  it('flattens nested keys with dots, lists by index', () => {
    const m = parseMetrics('{"eval": {"auc": 0.9, "by_class": [0.8, 0.7]}, "loss": 0.1}', 'm.json')
    expect([...m.values.keys()]).toEqual(['eval.auc', 'eval.by_class.0', 'eval.by_class.1', 'loss'])
    expect(metricValue(m, 'eval.by_class.1')).toBe(0.7)
    expect(metricValue(m, 'nope')).toBeUndefined()
  })

  it('reads YAML and the non-finite spellings of Python and YAML; null counts as missing', () => {
    const m = parseMetrics('a: .nan\nb: NaN\nc: -Infinity\nd: .inf\ne: null\n', 'm.yaml')
    expect(metricValue(m, 'a')).toBeNaN()
    expect(metricValue(m, 'b')).toBeNaN()
    expect(metricValue(m, 'c')).toBe(Number.NEGATIVE_INFINITY)
    expect(metricValue(m, 'd')).toBe(Number.POSITIVE_INFINITY)
    expect(metricValue(m, 'e')).toBeUndefined()
  })

  it('names key, file, line and column of a string or boolean metric', () => {
    const m = parseMetrics('accuracy: 0.9\nf1: "high"\nok: true\n', 'metrics.yaml')
    const e = caught(() => metricValue(m, 'f1')) as ConfigError
    expect(e).toBeInstanceOf(ConfigError)
    expect(e.message).toBe("metrics.yaml:2:5: f1: metric 'f1' is the string 'high'; expected a number")
    expect(e.location).toEqual({ file: 'metrics.yaml', line: 2, column: 5 })
    expect(caught(() => metricValue(m, 'ok')).message).toMatch(
      /metric 'ok' is boolean true; expected a number/,
    )
  })

  it('rejects malformed files with their position', () => {
    expect(() => parseMetrics('{"a": 1,,}', 'm.json')).toThrow(/^m\.json:1:\d+: invalid JSON\/YAML/)
    expect(() => parseMetrics('- 1\n- 2\n', 'm.yaml')).toThrow(/expected a mapping of metric names/)
  })

  it('takes result.metrics from a run record, and the model', () => {
    const rec = (result: object) =>
      JSON.stringify({
        schema: 'mlops-actions/run-record@1',
        id: 'x',
        kind: 'train-model',
        status: 'passed',
        headline: 'h',
        model: { name: 'churn', version: '4' },
        run: {},
        startedAt: '2026-11-22T10:00:00Z',
        finishedAt: '2026-11-22T10:00:01Z',
        result,
      })
    const m = parseMetrics(rec({ metrics: { acc: 0.9 } }), 'r.json')
    expect(metricValue(m, 'acc')).toBe(0.9)
    expect(m.model).toEqual({ name: 'churn', version: '4' })
    expect(() => parseMetrics(rec({}), 'r.json')).toThrow(
      /r\.json: result\.metrics: this train-model run record holds no metrics/,
    )
  })

  it('says which metrics file is missing', async () => {
    const e = await loadMetrics('/nonexistent/base.json', 'baseline').catch((x) => x)
    expect(e).toBeInstanceOf(NotFoundError)
    expect(e.message).toMatch(/\/nonexistent\/base\.json: baseline metrics file not found/)
  })
})

describe('gate policy', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gate-policy-'))
  })

  it('reads a file, a file with a gate: key, and inline YAML or JSON', async () => {
    const f = path.join(dir, 'p.yaml')
    await writeFile(f, 'metrics:\n  acc: { direction: higher, min: 0.8 }\n')
    expect((await loadPolicy(f, {}, 'mlops.yaml')).policy.metrics.acc?.min).toBe(0.8)
    await writeFile(f, 'model: { name: x }\ngate:\n  metrics:\n    acc: { direction: lower }\n')
    expect((await loadPolicy(f, {}, 'mlops.yaml')).policy.metrics.acc?.direction).toBe('lower')
    const inline = await loadPolicy(
      'metrics:\n  f1: { direction: higher }\nsignificance: 0.01',
      {},
      'mlops.yaml',
    )
    expect(inline).toMatchObject({ source: "the 'policy' input", policy: { significance: 0.01 } })
    const json = await loadPolicy('{"metrics": {"f1": {"direction": "higher"}}}', {}, 'mlops.yaml')
    expect(json.policy.on_missing_metric).toBe('fail')
  })

  it('falls back to the config, and says what to do without any policy', async () => {
    const gate = gateSection.parse({ metrics: { acc: { direction: 'higher' } } })
    expect((await loadPolicy(undefined, { gate }, 'mlops.yaml')).source).toBe('mlops.yaml')
    await expect(loadPolicy(undefined, {}, 'mlops.yaml')).rejects.toThrow(/mlops\.yaml: gate: no gate policy/)
    await expect(loadPolicy('metrics: {}', {}, 'mlops.yaml')).rejects.toThrow(
      /the 'policy' input: metrics: names no metrics/,
    )
    await expect(loadPolicy('policies/gate.yaml', {}, 'mlops.yaml')).rejects.toThrow(
      /policy file 'policies\/gate\.yaml' not found/,
    )
  })

  it.each([
    [
      'unknown direction',
      'metrics:\n  f1: { direction: up }\n',
      /p\.yaml:2:20: metrics\.f1\.direction: unknown direction "up"/,
    ],
    [
      'negative tolerance',
      'metrics:\n  f1: { direction: higher, max_drop: -1 }\n',
      /metrics\.f1\.max_drop: expected a tolerance of 0 or more/,
    ],
    [
      'a string threshold',
      'metrics:\n  f1: { direction: higher, min: "0.9" }\n',
      /metrics\.f1\.min: .*expected number/i,
    ],
    [
      'an increase limit on higher-is-better',
      'metrics:\n  f1: { direction: higher, max_increase: 1 }\n',
      /'max_increase' limits a change for the better.*use 'max_drop'/,
    ],
    [
      'a drop limit on lower-is-better',
      'metrics:\n  l: { direction: lower, max_drop_relative: 1 }\n',
      /use 'max_increase_relative'/,
    ],
    [
      'min above max',
      'metrics:\n  f1: { direction: higher, min: 2, max: 1 }\n',
      /min \(2\) is above max \(1\)/,
    ],
    ['a misspelt check', 'metrics:\n  f1: { direction: higher, max_dorp: 1 }\n', /did you mean 'max_drop'/],
    ['significance out of range', 'metrics: {}\nsignificance: 1.5\n', /^p\.yaml:2:\d+: significance:/],
  ])('rejects %s with file, line and key', (_n, text, re) => {
    expect(() => parsePolicy(text, 'p.yaml')).toThrow(re)
  })
})

describe('rendering', () => {
  const result = evaluateGate({
    policy: gateSection.parse({
      metrics: {
        accuracy: { direction: 'higher', min: 0.85 },
        'latency "p95"': { direction: 'lower', max: 50 },
        auc: { direction: 'higher' },
      },
    }),
    candidate: { accuracy: 0.9, 'latency "p95"': 40 },
    baseline: { accuracy: 0.88, 'latency "p95"': 45 },
  })

  it('renders the dvc-style table with - for missing values', () => {
    expect(renderTable(result).split('\n')).toEqual([
      '| metric | baseline | candidate | change | status |',
      '| --- | --- | --- | --- | --- |',
      '| accuracy | 0.88 | 0.9 | +0.02 (+2.27 %) | ✅ passed |',
      '| latency "p95" | 45 | 40 | -5 (-11.11 %) | ✅ passed |',
      '| auc | - | - | - | ❌ failed |',
    ])
  })

  it('charts rates and other metrics apart, with safe labels', () => {
    const chart = renderChart(result)
    expect(chart.match(/```mermaid\nxychart-beta/g)).toHaveLength(2)
    expect(chart).toContain('x-axis ["accuracy"]')
    expect(chart).toContain('x-axis ["latency p95"]')
    expect(chart).toContain('bar [40]\n    line [45]')
  })

  it('keeps the headline to one line', () => {
    expect(headline(result)).toBe("failed: auc is missing from the candidate's metrics")
  })
})

describe('runGate and mlops evaluate', () => {
  let dir: string
  const out: string[] = []
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gate-cli-'))
    await writeFile(path.join(dir, 'cand.json'), '{"acc": 0.91}')
    await writeFile(path.join(dir, 'base.json'), '{"acc": 0.95}')
    await writeFile(
      path.join(dir, 'mlops.yaml'),
      'model: { name: churn }\ngate:\n  metrics:\n    acc: { direction: higher, max_drop: 0.02 }\n',
    )
    vi.spyOn(console, 'log').mockImplementation((m) => void out.push(String(m)))
    vi.spyOn(console, 'error').mockImplementation((m) => void out.push(String(m)))
  })
  afterEach(() => {
    vi.restoreAllMocks()
    out.length = 0
  })
  const f = (n: string) => path.join(dir, n)

  it('runGate uses the policy baseline, and a registry baseline through the given backend', async () => {
    const registry = vi.fn(async () =>
      metricSetFromValues({ acc: 0.9, eval: { auc: 1 } }, 'registry:production (v3)'),
    )
    const o = await runGate(
      {
        metrics: f('cand.json'),
        baseline: 'registry:production',
        config: {},
        configFile: f('mlops.yaml'),
        policy: 'metrics:\n  acc: { direction: higher, max_drop: 0.02 }',
        task: 'auto',
        seed: 0,
        registry,
      },
      silentLogger,
    )
    expect(registry).toHaveBeenCalledWith('production')
    expect(o.result.decision).toBe('better')
    expect(o.baseline?.source).toBe('registry:production (v3)')
    expect(metricValue(o.baseline!, 'eval.auc')).toBe(1)
  })

  it('mlops evaluate prints the report, writes the record and exits 1 on a failed gate', async () => {
    const args = [
      'evaluate',
      '--metrics',
      f('cand.json'),
      '--baseline',
      f('base.json'),
      '--config',
      f('mlops.yaml'),
      '--out',
      f('.mlops'),
    ]
    expect(await main(args)).toBe(1)
    expect(out.join('\n')).toContain('| acc | 0.95 | 0.91 | -0.04 (-4.21 %) | ❌ failed |')
    const rec = JSON.parse(await readFile(f('.mlops/records/evaluate-gate-churn.json'), 'utf8'))
    expect(rec).toMatchObject({ kind: 'evaluate-gate', status: 'failed', result: { decision: 'worse' } })
    expect(await main([...args, '--no-fail'])).toBe(0)
    out.length = 0
    expect(await main([...args, '--json', '--no-fail'])).toBe(0)
    expect(JSON.parse(out[0]!).acc).toMatchObject({ baseline: 0.95, candidate: 0.91, passed: false })
  })

  it('mlops evaluate names bad flags', async () => {
    expect(await main(['evaluate'])).toBe(1)
    expect(out.join('\n')).toMatch(/Input '--metrics' is required/)
    expect(await main(['evaluate', '--metrics', 'x', '--significance', '2'])).toBe(1)
    expect(out.join('\n')).toMatch(/'--significance' must be between 0 and 1/)
  })
})
