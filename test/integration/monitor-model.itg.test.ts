import { mkdtemp, writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { fingerprint, markerFor, stateMarker } from '../../shared/monitor/issues.js'
import { type GitHubStandIn, startGitHubStandIn } from '../harness/github-stand-in.js'
import {
  openMetrics,
  type PrometheusInstance,
  requirePrometheus,
  series,
  startPrometheus,
  waitForSample,
} from '../harness/prometheus.js'
import { runAction } from '../harness/run-action.js'

const OWNER = 'octo-org'
const REPO = 'ml-repo'
const MIN = 60_000
const HOUR = 60 * MIN
const schedule = { name: 'schedule', payload: { schedule: '0 * * * *' } }

// In CI a missing prometheus binary throws here (a failure, never a skip).
const HAVE_PROMETHEUS = requirePrometheus()

let gh: GitHubStandIn
let workspace: string

beforeAll(async () => {
  gh = await startGitHubStandIn()
  gh.seed.repo(OWNER, REPO)
  workspace = await mkdtemp(path.join(tmpdir(), 'monitor-ws-'))
})
afterAll(() => gh?.close())
afterEach(() => {
  // Every request the bundle sent, and every answer, matched GitHub's OpenAPI description.
  expect(gh.errors).toEqual([])
})

const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  runAction('monitor-model', {
    cwd: workspace,
    event: schedule,
    inputs,
    env: { GITHUB_API_URL: gh.url, GITHUB_REF_NAME: 'main', ...env },
  })

const issuesTitled = (prefix: string) => gh.state.issues.filter((i) => i.title.startsWith(prefix))
const commentsOn = (n: number) => gh.state.comments.filter((c) => c.issueNumber === n)

const DRIFT_RULES = `
- name: drift
  query: max by (model) (model_drift_score)
  above: 0.2
  severity: critical
  action: retrain
  labels: [retrain]
`

describe.skipIf(!HAVE_PROMETHEUS)('monitor-model against a real Prometheus with backfilled history', () => {
  let prom: PrometheusInstance
  const base = Date.now()
  let lastSample = base - 3 * MIN

  beforeAll(async () => {
    prom = await startPrometheus({
      history: openMetrics([
        // Drift well above 0.2 for the last 6 hours.
        {
          name: 'model_drift_score',
          samples: series({ model: 'churn' }, base - 6 * HOUR, lastSample, MIN, () => 0.5),
        },
        // p99 latency at 100 ms, with a 20-minute spike to 900 ms at the end.
        {
          name: 'model_latency_p99_ms',
          samples: series({ model: 'churn' }, base - 6 * HOUR, lastSample, MIN, (t) =>
            t > lastSample - 20 * MIN ? 900 : 100,
          ),
        },
      ]),
    })
  })
  afterAll(() => prom?.close())

  const driftInputs = () => ({
    'prometheus-url': prom.url,
    rules: DRIFT_RULES,
    'dispatch-workflow': 'retrain.yml',
    'dispatch-inputs': '{"reason": "{{rule}} on {{model}} = {{value}}", "issue": "{{issue}}"}',
    'close-resolved': 'true',
    window: '2h',
  })

  /** Appends drift samples after the last one (up to now), then restarts Prometheus so it loads them. */
  async function driftFromNowOn(value: number) {
    const from = lastSample + 1_000
    const to = Math.max(Date.now() - 1_000, from)
    lastSample = to
    // Every sample must be in the past when the action queries "now".
    while (Date.now() <= to + 100) await new Promise((r) => setTimeout(r, 100))
    await prom.backfill(
      openMetrics([
        { name: 'model_drift_score', samples: series({ model: 'churn' }, from, to, 1_000, () => value) },
      ]),
    )
  }

  it('a breach opens exactly one issue and dispatches retraining once', async () => {
    const r = await run(driftInputs())
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    const issues = issuesTitled('churn: drift')
    expect(issues).toHaveLength(1)
    const issue = issues[0]!
    expect(issue.title).toBe('churn: drift above 0.2')
    expect(issue.state).toBe('open')
    expect([...issue.labels].sort()).toEqual(['mlops-monitor', 'retrain'])
    const body = issue.body ?? ''
    expect(body).toContain('**0.5** is above 0.2')
    expect(body).toContain('max by (model) (model_drift_score)')
    expect(body).toContain(`${prom.url}/graph?g0.expr=`)
    expect(body).toContain('```mermaid\nxychart-beta')
    expect(body).toMatch(/<!-- mlops-monitor:[0-9a-f]{16} -->/)

    expect(gh.state.dispatches).toHaveLength(1)
    expect(gh.state.dispatches[0]).toMatchObject({
      repo: `${OWNER}/${REPO}`,
      workflowId: 'retrain.yml',
      ref: 'main',
      inputs: { reason: 'drift on churn = 0.5', issue: String(issue.number) },
    })
    expect(JSON.parse(r.outputs.breached!)).toMatchObject([{ rule: 'drift', model: 'churn', value: 0.5 }])
    expect(JSON.parse(r.outputs.issues!)).toEqual([
      expect.objectContaining({
        number: issue.number,
        rule: 'drift',
        model: 'churn',
        action: 'opened',
        dispatched: true,
      }),
    ])
    expect(r.outputs.dispatched).toBe('true')
    expect(r.outputs['run-record']).toMatch(/monitor-model-.*\.json$/)
    expect(r.summary).toContain('1 rule(s) breached')
  })

  it('running again opens no issue and dispatches nothing within the cooldown, commenting at most once', async () => {
    const before = issuesTitled('churn: drift')[0]!
    const commentsBefore = commentsOn(before.number).length
    const r = await run(driftInputs())
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    expect(issuesTitled('churn: drift')).toHaveLength(1)
    expect(gh.state.dispatches).toHaveLength(1)
    expect(commentsOn(before.number).length - commentsBefore).toBeLessThanOrEqual(1)
    expect(JSON.parse(r.outputs.issues!)).toEqual([
      expect.objectContaining({ number: before.number, action: 'unchanged', dispatched: false }),
    ])
    expect(r.outputs.dispatched).toBe('false')
  })

  it('after the metric recovers, close-resolved closes the issue', async () => {
    await driftFromNowOn(0.05)
    const r = await run(driftInputs())
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    const issue = issuesTitled('churn: drift')[0]!
    expect(issuesTitled('churn: drift')).toHaveLength(1)
    expect(issue.state).toBe('closed')
    expect(commentsOn(issue.number).at(-1)?.body).toContain('Resolved: **0.05**')
    expect(JSON.parse(r.outputs.issues!)).toEqual([
      expect.objectContaining({ number: issue.number, action: 'closed' }),
    ])
    expect(JSON.parse(r.outputs.breached!)).toEqual([])
  })

  it('a later breach reopens the same issue (no duplicate, no dispatch within the cooldown)', async () => {
    await driftFromNowOn(0.7)
    const r = await run(driftInputs())
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    const issues = issuesTitled('churn: drift')
    expect(issues).toHaveLength(1)
    expect(issues[0]!.state).toBe('open')
    expect(commentsOn(issues[0]!.number).at(-1)?.body).toContain('Breached again: **0.7**')
    expect(JSON.parse(r.outputs.issues!)).toEqual([
      expect.objectContaining({ number: issues[0]!.number, action: 'reopened', dispatched: false }),
    ])
    expect(gh.state.dispatches).toHaveLength(1)
  })

  it('for: 1h does not fire on a 20-minute spike (for: 10m does)', async () => {
    const r = await run({
      'prometheus-url': prom.url,
      rules: `
- name: latency-1h
  query: max by (model) (model_latency_p99_ms)
  above: 500
  for: 1h
- name: latency-10m
  query: max by (model) (model_latency_p99_ms)
  above: 500
  for: 10m
`,
    })
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    expect(JSON.parse(r.outputs.breached!).map((b: { rule: string }) => b.rule)).toEqual(['latency-10m'])
    expect(issuesTitled('churn: latency-1h')).toHaveLength(0)
    expect(issuesTitled('churn: latency-10m')).toHaveLength(1)
  })

  it('finds its closed issue on a later page (150 newer labeled issues) and reopens it instead of duplicating', async () => {
    const fp = fingerprint('drift-paged', 'churn')
    const old = gh.seed.issue(OWNER, REPO, {
      title: 'churn: drift-paged above 0.2',
      body: `old\n\n${markerFor(fp)}\n${stateMarker({ fingerprint: fp, rule: 'drift-paged', model: 'churn' })}`,
      labels: ['mlops-monitor'],
      state: 'closed',
    })
    for (let i = 0; i < 150; i++)
      gh.seed.issue(OWNER, REPO, { title: `noise ${i}`, labels: ['mlops-monitor'] })
    const r = await run({
      ...driftInputs(),
      rules: DRIFT_RULES.replace('name: drift', 'name: drift-paged'),
      'dispatch-workflow': '',
    })
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    expect(JSON.parse(r.outputs.issues!)).toEqual([
      expect.objectContaining({ number: old.number, action: 'reopened' }),
    ])
    expect(issuesTitled('churn: drift-paged')).toHaveLength(1)
    expect(gh.callsTo('issues/list-for-repo').length).toBeGreaterThanOrEqual(2)
    expect(gh.callsTo('issues/list-for-repo')[0]!.query).toMatchObject({
      labels: 'mlops-monitor',
      state: 'all',
    })
    expect(gh.calls.filter((c) => c.path.startsWith('/search'))).toHaveLength(0)
    expect(gh.state.dispatches).toHaveLength(1)
  })

  it('dry-run reports what it would do and touches nothing', async () => {
    const issues = gh.state.issues.length
    const writes = () => gh.calls.filter((c) => c.method !== 'GET').length
    const writesBefore = writes()
    const r = await run({
      ...driftInputs(),
      rules: DRIFT_RULES.replace('name: drift', 'name: drift-dry'),
      'dry-run': 'true',
    })
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    expect(JSON.parse(r.outputs.issues!)).toEqual([
      expect.objectContaining({ rule: 'drift-dry', number: null, action: 'opened', dispatched: false }),
    ])
    expect(gh.state.issues.length).toBe(issues)
    expect(gh.state.dispatches).toHaveLength(1)
    expect(writes()).toBe(writesBefore)
  })

  it('a PromQL syntax error fails the step with the parser message, opening nothing', async () => {
    const issues = gh.state.issues.length
    const r = await run({
      'prometheus-url': prom.url,
      rules: `${DRIFT_RULES}\n- name: broken\n  query: max by (model) (model_drift_score\n  above: 1\n`,
      'dispatch-workflow': 'retrain.yml',
    })
    expect(r.exitCode).toBe(1)
    expect(r.errors.join('\n')).toMatch(/Rule 'broken': Prometheus rejected the query .*parse error/)
    expect(gh.state.issues.length).toBe(issues)
    expect(gh.state.dispatches).toHaveLength(1)
  })

  it('Prometheus stopped: the step fails with the reason, opens no issue and dispatches nothing', async () => {
    await prom.stop()
    const issues = gh.state.issues.length
    const comments = gh.state.comments.length
    const r = await run({ ...driftInputs(), rules: DRIFT_RULES.replace('name: drift', 'name: drift-2') })
    expect(r.exitCode).toBe(1)
    expect(r.errors.join('\n')).toMatch(/refused the connection \(ECONNREFUSED\)/)
    expect(gh.state.issues.length).toBe(issues)
    expect(gh.state.comments.length).toBe(comments)
    expect(gh.state.dispatches).toHaveLength(1)
  })
})

describe('monitor-model faults before any Prometheus data', () => {
  it('a 401 from Prometheus fails the step and opens nothing', async () => {
    const srv = http.createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized')
    })
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const issues = gh.state.issues.length
    try {
      const r = await run({
        'prometheus-url': `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
        'prometheus-token': 'wrong-token',
        rules: DRIFT_RULES,
      })
      expect(r.exitCode).toBe(1)
      expect(r.errors.join('\n')).toMatch(/refused the credentials \(401/)
      // Masked: the only place the token appears is the runner's add-mask command.
      expect(r.stdout.replace('::add-mask::wrong-token', '')).not.toContain('wrong-token')
      expect(gh.state.issues.length).toBe(issues)
    } finally {
      srv.close()
    }
  })

  it('a typo in the rules of mlops.yaml fails with the file, line and key', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'monitor-cfg-'))
    await writeFile(
      path.join(dir, 'mlops.yaml'),
      'model:\n  name: churn\nmonitor:\n  prometheus_url: http://127.0.0.1:9\n  rules:\n    - name: drift\n      query: model_drift_score\n      abvoe: 0.2\n',
    )
    const r = await runAction('monitor-model', { cwd: dir, event: schedule, env: { GITHUB_API_URL: gh.url } })
    expect(r.exitCode).toBe(1)
    const err = r.annotations.find((a) => a.level === 'error')!
    expect(err.properties).toMatchObject({ file: 'mlops.yaml', line: '8' })
    expect(err.message).toContain("monitor.rules[0]: unknown key 'abvoe'")
    expect(err.message).toContain("did you mean 'above'")
  })
})

describe.skipIf(!HAVE_PROMETHEUS)('monitor-model with a live scrape of a model server', () => {
  let server: http.Server
  let prom: PrometheusInstance
  let predictions = 0

  beforeAll(async () => {
    // A tiny model server: POST /predict answers and counts; GET /metrics exposes the counter.
    server = http.createServer((req, res) => {
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        res.end(
          `# HELP model_predictions_total Predictions served.\n# TYPE model_predictions_total counter\nmodel_predictions_total{model="fraud"} ${predictions}\n`,
        )
      } else if (req.url === '/predict' && req.method === 'POST') {
        req.resume()
        req.on('end', () => {
          predictions++
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"score":0.1}')
        })
      } else res.writeHead(404).end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as AddressInfo).port
    prom = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`], scrapeInterval: '1s' })
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 })
    const predict = () =>
      new Promise<void>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, path: '/predict', method: 'POST', agent },
          (res) => {
            res.resume()
            res.on('end', resolve)
          },
        )
        req.on('error', reject)
        req.end('{"amount": 12.5}')
      })
    for (let i = 0; i < 41; i++) await Promise.all(Array.from({ length: 100 }, predict))
    agent.destroy()
  })
  afterAll(async () => {
    await prom?.close()
    server?.close()
  })

  it('opens the retraining issue once the prediction counter passes 4,000', async () => {
    expect(predictions).toBe(4100)
    // The first live scrape takes ~5.5 s to become queryable in Prometheus 2.42.
    await waitForSample(prom.url, 'model_predictions_total{model="fraud"} >= 4100', 60_000)
    const r = await run({
      'prometheus-url': prom.url,
      rules: `
- name: predictions-served
  query: sum by (model) (model_predictions_total)
  above: 4000
  action: retrain
  labels: [retrain]
`,
      'dispatch-workflow': 'retrain-fraud.yml',
    })
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    const issues = issuesTitled('fraud: predictions-served')
    expect(issues).toHaveLength(1)
    expect(issues[0]!.title).toBe('fraud: predictions-served above 4000')
    expect(issues[0]!.body).toContain('**4100** is above 4000')
    expect(gh.state.dispatches.filter((d) => d.workflowId === 'retrain-fraud.yml')).toHaveLength(1)
  })
})
