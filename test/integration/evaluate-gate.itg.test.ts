import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { pullRequestEvent, pushEvent } from '../harness/events.js'
import { type GitHubStandIn, startGitHubStandIn } from '../harness/github-stand-in.js'
import { ROOT, runAction } from '../harness/run-action.js'

const OWNER = 'octo-org'
const REPO = 'ml-repo'
const TABLE_HEAD = '| metric | baseline | candidate | change | status |'

const CONFIG = `model:
  name: churn
gate:
  metrics:
    accuracy:   { direction: higher, min: 0.85, max_drop: 0.01 }
    f1:         { direction: higher, max_drop_relative: 0.02 }
    latency_ms: { direction: lower, max: 50, max_increase: 5, significance_test: false }
  baseline: metrics/production.json
`

let gh: GitHubStandIn
let ws: string

beforeAll(async () => {
  gh = await startGitHubStandIn()
})
afterAll(() => gh.close())

beforeEach(async () => {
  gh.reset()
  ws = await mkdtemp(path.join(tmpdir(), 'gate-ws-'))
  await writeFile(path.join(ws, 'mlops.yaml'), CONFIG)
  await cp(path.join(ROOT, 'test/fixtures/gate'), path.join(ws, 'eval'), { recursive: true })
  await writeMetrics('metrics/production.json', { accuracy: 0.905, f1: 0.9, latency_ms: 44 })
  await writeMetrics('metrics/candidate.json', { accuracy: 0.912, f1: 0.874, latency_ms: 41.5 })
})
afterEach(() => {
  // Every request a bundle sent, and every answer, matched GitHub's OpenAPI description.
  expect(gh.errors).toEqual([])
})

async function writeMetrics(file: string, metrics: unknown) {
  const { mkdir } = await import('node:fs/promises')
  await mkdir(path.dirname(path.join(ws, file)), { recursive: true })
  await writeFile(
    path.join(ws, file),
    typeof metrics === 'string' ? metrics : JSON.stringify(metrics, null, 2),
  )
}

const gate = (inputs: Record<string, string>, opts: Parameters<typeof runAction>[1] = {}) =>
  runAction('evaluate-gate', {
    cwd: ws,
    inputs: { metrics: 'metrics/candidate.json', ...inputs },
    ...opts,
    env: { GITHUB_API_URL: gh.url, ...opts.env },
  })

const records = async () => {
  const dir = path.join(ws, '.mlops/records')
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'))
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8'))))
}

describe('evaluate-gate on a pull_request, then report', () => {
  it('fails the step on a real drop, and report posts one comment with the gate table', async () => {
    gh.seed.pullRequest(OWNER, REPO, { number: 7 })
    const r = await gate({}, { event: pullRequestEvent(7) })
    expect(r.exitCode, r.stdout).toBe(1)
    expect(r.outputs.passed).toBe('false')
    expect(r.outputs.decision).toBe('worse')
    expect(r.errors).toEqual([
      'Gate failed for churn: f1 fell by 0.026 (-2.89 %), more than the allowed drop of 2 % (max_drop_relative: 0.02)',
    ])
    const diff = JSON.parse(r.outputs.diff!)
    expect(diff.f1).toMatchObject({ baseline: 0.9, candidate: 0.874, passed: false, comparison: 'worse' })
    expect(diff.f1.checks[0]).toMatchObject({ check: 'max_drop_relative', threshold: 0.02, passed: false })
    expect(diff.accuracy.passed).toBe(true)
    expect(await readFile(r.outputs.report!, 'utf8')).toContain(TABLE_HEAD)
    expect(r.summary).toContain('## ❌ Evaluate gate: `churn`')
    expect(r.summary).toContain('| f1 | 0.9 | 0.874 | -0.026 (-2.89 %) | ❌ failed |')
    expect(r.summary).toContain('```mermaid\nxychart-beta')

    const [rec] = await records()
    expect(rec).toMatchObject({ kind: 'evaluate-gate', status: 'failed', model: { name: 'churn' } })
    expect(rec.run.prNumber).toBe(7)
    expect(rec.headline).not.toContain('\n')
    expect(rec.result).toMatchObject({ passed: false, decision: 'worse', metrics: { f1: 0.874 } })

    // The report action (its committed bundle) turns the record into the PR's one sticky comment.
    const rep = await runAction('report', {
      cwd: ws,
      event: pullRequestEvent(7),
      env: { GITHUB_API_URL: gh.url },
    })
    expect(rep.exitCode, rep.stdout).toBe(0)
    const comments = gh.state.comments.filter((c) => c.issueNumber === 7)
    expect(comments).toHaveLength(1)
    const body = comments[0]!.body
    expect(body).toContain('| evaluate-gate | ❌ failed | failed: f1 fell by 0.026')
    expect(body).toContain(TABLE_HEAD)
    expect(body).toContain('| accuracy | 0.905 | 0.912 | +0.007 (+0.77 %) | ✅ passed |')
    expect(body).toContain('| latency_ms | 44 | 41.5 | -2.5 (-5.68 %) | ✅ passed |')
    expect(body).toContain('**❌ Gate failed**: 1 of 5 checks failed')
    expect(body).toContain('x-axis ["accuracy", "f1"]')
  })

  it('passes with fail-on-gate: false but still says the gate failed', async () => {
    const r = await gate({ 'fail-on-gate': 'false' }, { event: pushEvent() })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.outputs.passed).toBe('false')
    expect(r.annotations.some((a) => a.level === 'warning' && /fail-on-gate is false/.test(a.message))).toBe(
      true,
    )
    expect((await records())[0].status).toBe('failed')
  })

  it('excuses a drop McNemar finds not significant, from the committed prediction files', async () => {
    const r = await gate(
      {
        predictions: 'eval/classification-candidate.csv',
        'baseline-predictions': 'eval/classification-baseline.csv',
      },
      { event: pushEvent() },
    )
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.outputs.passed).toBe('true')
    // accuracy and f1 are "not significant"; latency (not tested) improved, so the candidate is better
    expect(r.outputs.decision).toBe('better')
    const d = JSON.parse(r.outputs.diff!)
    expect([d.accuracy.comparison, d.f1.comparison, d.latency_ms.comparison]).toEqual([
      'not-significant',
      'not-significant',
      'better',
    ])
    expect(d.f1.checks[0]).toMatchObject({ passed: true, excused: true })
    expect(r.summary).toContain('the candidate alone is right on 60, the baseline alone on 40; p = 0.0569')
    expect(r.summary).toContain('⚠️ not significant')
    // the same files at a looser level make the drop count again
    const strict = await gate({
      predictions: 'eval/classification-candidate.csv',
      'baseline-predictions': 'eval/classification-baseline.csv',
      significance: '0.1',
    })
    expect(strict.exitCode).toBe(1)
    expect(strict.outputs.decision).toBe('worse')
  })

  it('runs a seeded paired bootstrap on regression predictions (JSON Lines), the same on every run', async () => {
    const truth = Array.from({ length: 120 }, (_, i) => Math.round(Math.sin(i) * 1000) / 100)
    const jsonl = (shift: (i: number) => number) =>
      truth.map((t, i) => JSON.stringify({ id: i, y_true: t, y_pred: t + shift(i) })).join('\n')
    await writeMetrics(
      'eval/cand.jsonl',
      jsonl((i) => ((i % 5) - 2) * 0.11),
    )
    await writeMetrics(
      'eval/base.jsonl',
      jsonl((i) => ((i % 7) - 3) * 0.07),
    )
    await writeMetrics('metrics/candidate.json', { rmse: 0.16 })
    await writeMetrics('metrics/production.json', { rmse: 0.15 })
    const inputs = {
      policy: 'metrics:\n  rmse: { direction: lower, max_increase: 0 }\nbaseline: metrics/production.json\n',
      predictions: 'eval/cand.jsonl',
      'baseline-predictions': 'eval/base.jsonl',
      seed: '7',
    }
    const a = await gate(inputs)
    const b = await gate(inputs)
    expect(a.exitCode, a.stdout).toBe(b.exitCode)
    expect(a.outputs.diff).toBe(b.outputs.diff)
    expect(a.summary).toMatch(
      /Paired bootstrap \(2000 resamples, seed 7\) on 120 examples: MSE [\d.]+ \(candidate\) vs [\d.]+ \(baseline\)/,
    )
    const p = Number(/; p = ([\d.e-]+) \(/.exec(a.summary)![1])
    // the candidate's RMSE is higher, but the seeded bootstrap finds it not significant: excused
    expect(p).toBe(0.073)
    expect(a.outputs.passed).toBe('true')
    expect(a.outputs.decision).toBe('not-significantly-different')
    expect(await gate({ ...inputs, significance: '0.1' })).toMatchObject({ exitCode: 1 })
    const other = await gate({ ...inputs, seed: '8' })
    expect(other.summary).toContain('seed 8')
  })

  it('applies only absolute checks to a first model, from an inline policy', async () => {
    const r = await gate({
      policy: 'metrics:\n  accuracy: { direction: higher, min: 0.9, max_drop: 0.01 }\n',
    })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.outputs.decision).toBe('no-baseline')
    expect(r.summary).toContain('| accuracy | - | 0.912 | - | ✅ passed |')
  })

  it('reads a run record as the baseline and flattens nested metrics', async () => {
    await writeMetrics('metrics/candidate.json', { eval: { auc: 0.8 } })
    await writeMetrics('prod-record.json', {
      schema: 'mlops-actions/run-record@1',
      id: 'train-1',
      kind: 'train-model',
      status: 'passed',
      headline: 'trained',
      model: { name: 'churn', version: '3' },
      run: {},
      startedAt: '2026-11-22T10:00:00.000Z',
      finishedAt: '2026-11-22T10:00:01.000Z',
      result: { metrics: { eval: { auc: 0.85 } } },
    })
    const r = await gate({
      baseline: 'prod-record.json',
      policy: 'metrics:\n  eval.auc: { direction: higher, max_drop: 0.01 }\n',
    })
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toContain('eval.auc fell by 0.05')
  })

  it('fails a NaN metric (Python writes NaN into JSON)', async () => {
    await writeMetrics('metrics/candidate.json', '{"accuracy": NaN, "f1": 0.9, "latency_ms": 40}')
    const r = await gate({})
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toContain('accuracy is NaN, not a finite number, so it cannot meet the minimum 0.85')
    expect(JSON.parse(r.outputs.diff!).accuracy.candidate).toBe('NaN')
  })
})

describe('evaluate-gate bad input', () => {
  it('names the file, line and key of an unknown direction', async () => {
    await writeFile(path.join(ws, 'policy.yaml'), 'metrics:\n  f1:\n    direction: upward\n')
    const r = await gate({ policy: 'policy.yaml' })
    expect(r.exitCode).toBe(1)
    const e = r.annotations.find((a) => a.level === 'error')!
    expect(e.message).toMatch(/^policy\.yaml:3:16: metrics\.f1\.direction: unknown direction "upward"/)
    expect(e.properties).toMatchObject({ file: 'policy.yaml', line: '3', col: '16' })
  })

  it('names the key of a negative tolerance in mlops.yaml', async () => {
    await writeFile(path.join(ws, 'mlops.yaml'), CONFIG.replace('max_drop: 0.01', 'max_drop: -0.01'))
    const r = await gate({})
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toMatch(
      /^mlops\.yaml:5:\d+: gate\.metrics\.accuracy\.max_drop: expected a tolerance of 0 or more/,
    )
  })

  it('names the key, file, line and column of a metric that is a string', async () => {
    await writeMetrics(
      'metrics/candidate.json',
      '{\n  "accuracy": "0.91",\n  "f1": 0.9,\n  "latency_ms": 40\n}\n',
    )
    const r = await gate({})
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toBe(
      "metrics/candidate.json:2:15: accuracy: metric 'accuracy' is the string '0.91'; expected a number",
    )
  })

  it('names a missing baseline file and where it was set', async () => {
    const r = await gate({ baseline: 'metrics/nope.json' })
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toMatch(/^metrics\/nope\.json: baseline metrics file not found/)
    await writeFile(path.join(ws, 'mlops.yaml'), CONFIG.replace('production.json', 'gone.json'))
    const fromConfig = await gate({})
    expect(fromConfig.errors[0]).toMatch(
      /metrics\/gone\.json: baseline metrics file not found.*set by 'baseline' in mlops\.yaml/,
    )
  })

  it('says registry baselines are not available yet', async () => {
    const r = await gate({ baseline: 'registry:production' })
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toContain("baseline 'registry:production': registry backends are not available yet")
  })

  it('refuses half a significance test and a bad task', async () => {
    const half = await gate({ predictions: 'eval/classification-candidate.csv' })
    expect(half.errors[0]).toMatch(/^Input 'baseline-predictions' is empty/)
    const task = await gate({ task: 'regresion' })
    expect(task.errors[0]).toMatch(
      /Input 'task' must be one of auto, classification, regression.*Did you mean 'regression'/,
    )
  })
})
