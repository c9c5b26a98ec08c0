// The whole pull-request pipeline, end to end: the quick-start example's own caller workflow calls the
// reusable ml-pipeline.yml, run by `mlops run` (the committed CLI bundle) with the committed action bundles,
// against the GitHub stand-in. Validation, training, the metrics diff against the registry's `production`
// model and the gate verdict must land in ONE sticky comment, updated in place on the next run, in at most
// 15 GitHub API calls per run.
import { execFile } from 'node:child_process'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalRegistry } from '../../shared/registry/backends/local.js'
import { silentLogger } from '../../shared/util/logger.js'
import { type GitHubStandIn, startGitHubStandIn } from '../harness/github-stand-in.js'
import { ROOT } from '../harness/run-action.js'

const MARKER = '<!-- mlops-report:iris-node -->'
const exec = promisify(execFile)

let gh: GitHubStandIn
let ws: string

beforeAll(async () => {
  gh = await startGitHubStandIn()
  ws = await mkdtemp(path.join(tmpdir(), 'pipeline-ws-'))
  await cp(path.join(ROOT, 'action-examples/quickstart-node'), ws, { recursive: true })
  await rm(path.join(ws, 'node_modules'), { recursive: true, force: true })
  // A repository, so the run record carries a real commit.
  const git = (...a: string[]) =>
    exec('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: ws })
  await git('init', '-q', '-b', 'main')
  await git('add', '-A')
  await git('commit', '-qm', 'example')
  // The model in production, with the metrics the candidate is compared with.
  const registry = new LocalRegistry(path.join(ws, '.mlops/registry'), { log: silentLogger })
  const { version } = await registry.register({
    name: 'iris-node',
    modelPath: path.join(ws, 'params.json'),
    info: { runId: 'run-prod', metrics: { accuracy: 0.9, f1_macro: 0.9 } },
  })
  await registry.setAlias('iris-node', 'production', version.version)
})
afterAll(() => gh?.close())

async function pipelineOnPullRequest(pr: number) {
  const args = ['.github/workflows/pipeline.yml', '--event', 'pull_request', '--pr', String(pr)]
  for (const kv of [
    `GITHUB_API_URL=${gh.url}`,
    'GITHUB_REPOSITORY=octo-org/ml-repo',
    'GITHUB_TOKEN=ghs_e2e',
  ]) {
    args.push('--env', kv)
  }
  try {
    const r = await exec(process.execPath, [path.join(ROOT, 'bin/mlops.js'), 'run', ...args], {
      cwd: ws,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      maxBuffer: 64 * 1024 * 1024,
    })
    return { code: 0, out: r.stdout + r.stderr }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: err.code ?? 1, out: `${err.stdout}${err.stderr}` }
  }
}

describe('ml-pipeline.yml on a pull request, through mlops run', () => {
  it('puts validation, training, the metrics diff and the verdict in one sticky comment, updated on the next run', async () => {
    gh.seed.pullRequest('octo-org', 'ml-repo', { number: 7 })
    const first = await pipelineOnPullRequest(7)
    expect(first.code, first.out).toBe(0)
    const firstCalls = gh.calls.length
    expect(firstCalls).toBeLessThanOrEqual(15)

    const ours = () => gh.state.comments.filter((c) => c.issueNumber === 7 && c.body.includes(MARKER))
    expect(ours()).toHaveLength(1)
    const body = ours()[0]!.body
    expect(body).toContain('### ✅ validate-data')
    expect(body).toContain('### ✅ train-model')
    expect(body).toMatch(/### (✅|❌) evaluate-gate/)
    expect(body).toContain('| metric | baseline | candidate | change | status |')
    expect(body).toMatch(/\| accuracy \| 0\.9 /)
    expect(body).toContain('xychart-beta')

    const second = await pipelineOnPullRequest(7)
    expect(second.code, second.out).toBe(0)
    expect(gh.calls.length - firstCalls).toBeLessThanOrEqual(15)
    expect(ours()).toHaveLength(1)
    expect(gh.callsTo('issues/create-comment')).toHaveLength(1)
    expect(gh.callsTo('issues/update-comment')).toHaveLength(1)
    expect(gh.errors).toEqual([])
  })
})
