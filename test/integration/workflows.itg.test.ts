// The repository's reusable workflows, run as a user runs them: `mlops run` (the committed CLI bundle) with the
// committed action bundles, against the GitHub stand-in. promote.yml moves `production` and records a
// Deployment per move; monitor.yml, against a real Prometheus with backfilled history, opens the retraining
// issue and dispatches the retraining workflow once.
import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalRegistry } from '../../shared/registry/backends/local.js'
import { silentLogger } from '../../shared/util/logger.js'
import { type GitHubStandIn, startGitHubStandIn } from '../harness/github-stand-in.js'
import {
  openMetrics,
  type PrometheusInstance,
  requirePrometheus,
  series,
  startPrometheus,
} from '../harness/prometheus.js'
import { ROOT } from '../harness/run-action.js'

const OWNER = 'octo-org'
const REPO = 'ml-repo'
const exec = promisify(execFile)
const MIN = 60_000
const HOUR = 60 * MIN

// In CI a missing prometheus binary throws here (a failure, never a skip).
const HAVE_PROMETHEUS = requirePrometheus()

let gh: GitHubStandIn

beforeAll(async () => {
  gh = await startGitHubStandIn()
})
afterAll(() => gh?.close())

/** `mlops run <workflow of this repository>` in `cwd`, through the committed CLI bundle. */
async function mlopsRun(cwd: string, workflow: string, args: string[]) {
  const all = [path.join(ROOT, '.github/workflows', workflow), ...args]
  for (const kv of [
    `GITHUB_API_URL=${gh.url}`,
    `GITHUB_REPOSITORY=${OWNER}/${REPO}`,
    'GITHUB_TOKEN=ghs_e2e',
    'GITHUB_REF=refs/heads/main',
  ]) {
    all.push('--env', kv)
  }
  try {
    const r = await exec(process.execPath, [path.join(ROOT, 'bin/mlops.js'), 'run', ...all], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      maxBuffer: 64 * 1024 * 1024,
    })
    return { code: 0, out: r.stdout + r.stderr }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: err.code ?? 1, out: `${err.stdout}${err.stderr}` }
  }
}

describe('promote.yml through mlops run', () => {
  let ws: string
  let registry: LocalRegistry

  beforeAll(async () => {
    gh.reset()
    gh.seed.repo(OWNER, REPO)
    gh.seed.ref(OWNER, REPO, 'heads/main')
    ws = await mkdtemp(path.join(tmpdir(), 'promote-wf-ws-'))
    await writeFile(path.join(ws, 'mlops.yaml'), 'model:\n  name: iris-node\nregistry:\n  backend: local\n')
    registry = new LocalRegistry(path.join(ws, '.mlops/registry'), { log: silentLogger })
    for (const accuracy of [0.9, 0.93]) {
      const file = path.join(ws, `params-${accuracy}.json`)
      await writeFile(file, JSON.stringify({ accuracy }))
      await registry.register({
        name: 'iris-node',
        modelPath: file,
        info: { runId: `run-${accuracy}`, metrics: { accuracy } },
      })
    }
  })

  const promote = (version: string) =>
    mlopsRun(ws, 'promote.yml', [
      '--event',
      'workflow_dispatch',
      '--input',
      'model=iris-node',
      '--input',
      `version=${version}`,
      '--input',
      'to-alias=production',
    ])

  it('moves production, records a successful deployment per move, and rolls back with version=previous', async () => {
    const first = await promote('1')
    expect(first.code, first.out).toBe(0)
    expect(await registry.aliases('iris-node')).toMatchObject({ production: 1 })
    expect(await registry.history('iris-node', 'production')).toHaveLength(1)
    expect(gh.state.deployments).toHaveLength(1)
    expect(gh.state.deployments[0]).toMatchObject({ repo: `${OWNER}/${REPO}`, environment: 'production' })
    const ok = (id: number) => gh.state.statuses.filter((s) => s.deploymentId === id && s.state === 'success')
    expect(ok(gh.state.deployments[0]!.id)).toHaveLength(1)

    const second = await promote('2')
    expect(second.code, second.out).toBe(0)
    expect(await registry.aliases('iris-node')).toMatchObject({ production: 2 })

    const back = await promote('previous')
    expect(back.code, back.out).toBe(0)
    expect(await registry.aliases('iris-node')).toMatchObject({ production: 1 })
    const moves = await registry.history('iris-node', 'production')
    expect(moves.map((m) => [m.from, m.to])).toEqual([
      [undefined, 1],
      [1, 2],
      [2, 1],
    ])
    expect(gh.state.deployments).toHaveLength(3)
    expect(gh.state.deployments.map((d) => d.environment)).toEqual(['production', 'production', 'production'])
    for (const d of gh.state.deployments) expect(ok(d.id)).toHaveLength(1)
    expect(gh.errors).toEqual([])
  })
})

describe.skipIf(!HAVE_PROMETHEUS)('monitor.yml through mlops run, against a real Prometheus', () => {
  let ws: string
  let prom: PrometheusInstance

  beforeAll(async () => {
    const now = Date.now()
    prom = await startPrometheus({
      history: openMetrics([
        // A predictions counter climbing to 5 000 over two hours, above the rule's 4 000.
        {
          name: 'model_predictions',
          type: 'counter',
          samples: series({ model: 'iris-node' }, now - 2 * HOUR, now - MIN, MIN, (t) =>
            Math.round(((t - (now - 2 * HOUR)) / (2 * HOUR)) * 5000),
          ),
        },
      ]),
    })
    ws = await mkdtemp(path.join(tmpdir(), 'monitor-wf-ws-'))
    await writeFile(path.join(ws, 'mlops.yaml'), 'model:\n  name: iris-node\n')
  })
  afterAll(() => prom?.close())

  it('a breached rule opens exactly one retraining issue and dispatches retrain.yml once', async () => {
    gh.reset()
    gh.seed.repo(OWNER, REPO)
    gh.seed.ref(OWNER, REPO, 'heads/main')
    const rules = [
      '- name: traffic',
      '  query: sum by (model) (model_predictions_total)',
      '  above: 4000',
      '  action: retrain',
      '  labels: [retrain]',
    ].join('\n')
    const r = await mlopsRun(ws, 'monitor.yml', [
      '--event',
      'schedule',
      '--input',
      `prometheus-url=${prom.url}`,
      '--input',
      `rules=${rules}`,
      '--input',
      'dispatch-workflow=retrain.yml',
    ])
    expect(r.code, `${r.out}\n${prom.log().slice(-1000)}`).toBe(0)
    const issues = gh.state.issues.filter((i) => i.title.includes('traffic'))
    expect(issues).toHaveLength(1)
    expect(issues[0]!.state).toBe('open')
    expect(issues[0]!.labels).toContain('retrain')
    expect(issues[0]!.title).toBe('iris-node: traffic above 4000')
    expect(issues[0]!.body).toContain('sum by (model) (model_predictions_total)')
    expect(gh.state.dispatches).toHaveLength(1)
    expect(gh.state.dispatches[0]).toMatchObject({
      repo: `${OWNER}/${REPO}`,
      workflowId: 'retrain.yml',
      ref: 'main',
    })
    expect(gh.errors).toEqual([])
  })
})
