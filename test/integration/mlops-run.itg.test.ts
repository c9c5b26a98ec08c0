import { execFile } from 'node:child_process'
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GitHubStandIn, startGitHubStandIn } from '../harness/github-stand-in.js'
import { ROOT } from '../harness/run-action.js'

const MARKER = '<!-- mlops-report:churn -->'

let gh: GitHubStandIn
let workspace: string

beforeAll(async () => {
  gh = await startGitHubStandIn()
  workspace = await mkdtemp(path.join(tmpdir(), 'mlops-run-ws-'))
  await cp(path.join(ROOT, 'test/fixtures/workflows'), path.join(workspace, '.github/workflows'), {
    recursive: true,
  })
  await cp(path.join(ROOT, 'test/fixtures/run-records'), path.join(workspace, '.mlops/records'), {
    recursive: true,
  })
})
afterAll(() => gh.close())

/** `mlops run` through the committed CLI bundle, as a user runs it. */
async function mlopsRun(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [path.join(ROOT, 'bin/mlops.js'), 'run', ...args],
      {
        cwd: workspace,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      },
    )
    return { code: 0, stdout, stderr }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }
  }
}

const ourComments = (pr: number) =>
  gh.state.comments.filter((c) => c.issueNumber === pr && c.body.includes(MARKER))

describe('mlops run (bundled CLI) against the GitHub stand-in', () => {
  it('runs a workflow calling a reusable workflow that uses the report action: one sticky comment, updated on the next run', async () => {
    gh.seed.pullRequest('octo-org', 'ml-repo', { number: 7 })
    const args = [
      '.github/workflows/pr-report.yml',
      '--event',
      'pull_request',
      '--pr',
      '7',
      '--env',
      `GITHUB_API_URL=${gh.url}`,
      '--env',
      'GITHUB_REPOSITORY=octo-org/ml-repo',
      '--env',
      'GITHUB_TOKEN=ghs_local_run_token',
      '--run-id',
      '101',
    ]
    const first = await mlopsRun(...args)
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0)
    expect(ourComments(7)).toHaveLength(1)
    const comment = ourComments(7)[0]!
    expect(comment.body).toContain('MLOps report (3 records)')
    expect(comment.body).toContain('| evaluate-gate | ❌ failed |')
    // The token never shows in the log.
    expect(first.stdout).not.toContain('ghs_local_run_token')
    expect(first.stdout).toContain("'actions/setup-node@v4' does nothing locally")
    expect(first.stdout).toContain('Summary  → .mlops/runs/101/summary.md')
    expect(first.stdout).toContain('Outputs  → .mlops/runs/101/outputs.json')
    expect(first.stdout).toContain('Records  → .mlops/records/')
    const outputs = JSON.parse(await readFile(path.join(workspace, '.mlops/runs/101/outputs.json'), 'utf8'))
    expect(outputs.jobs.report).toEqual({
      result: 'success',
      outputs: { 'comment-id': String(comment.id), status: 'failed' },
    })
    const summary = await readFile(path.join(workspace, '.mlops/runs/101/summary.md'), 'utf8')
    expect(summary).toContain('MLOps report (3 records)')
    expect(summary).toContain(`comment ${comment.id}, status failed`)

    const train = path.join(workspace, '.mlops/records/02-train-model.json')
    await writeFile(train, (await readFile(train, 'utf8')).replace('accuracy 0.912', 'accuracy 0.933'))
    const second = await mlopsRun(...args.slice(0, -1), '102')
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0)
    expect(ourComments(7)).toHaveLength(1)
    expect(ourComments(7)[0]!.id).toBe(comment.id)
    expect(ourComments(7)[0]!.body).toContain('accuracy 0.933')
    expect(gh.callsTo('issues/create-comment')).toHaveLength(1)
    expect(gh.callsTo('issues/update-comment')).toHaveLength(1)
    expect(gh.errors).toEqual([])
  })

  it('fails with the file, line, job and step of an action it cannot run', async () => {
    const r = await mlopsRun('.github/workflows/unsupported.yml', '--event', 'push')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      "mlops run: .github/workflows/unsupported.yml:9:15: job 'build', step 'Set up Docker': 'docker/setup-buildx-action@v3' is not supported locally",
    )
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})
