import { execFile } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type ActionsService, startActionsService } from '../harness/actions-service.js'
import { pullRequestEvent, pushEvent } from '../harness/events.js'
import { type GitHubStandIn, startGitHubStandIn } from '../harness/github-stand-in.js'
import { ROOT, runAction } from '../harness/run-action.js'

const OWNER = 'octo-org'
const REPO = 'ml-repo'
const MARKER = '<!-- mlops-report:churn -->'

let gh: GitHubStandIn
let workspace: string

beforeAll(async () => {
  gh = await startGitHubStandIn({ tokens: { readOnly: ['ghs_fork_token'] } })
})
afterAll(() => gh.close())

beforeEach(async () => {
  gh.reset()
  workspace = await mkdtemp(path.join(tmpdir(), 'report-ws-'))
  await cp(path.join(ROOT, 'test/fixtures/run-records'), path.join(workspace, '.mlops/records'), {
    recursive: true,
  })
})
afterEach(() => {
  // Every request the bundle sent, and every answer, matched GitHub's OpenAPI description.
  expect(gh.errors).toEqual([])
})

const run = (opts: Parameters<typeof runAction>[1] = {}) =>
  runAction('report', { cwd: workspace, ...opts, env: { GITHUB_API_URL: gh.url, ...opts.env } })

const ourComments = (pr: number) =>
  gh.state.comments.filter((c) => c.issueNumber === pr && c.body.includes(MARKER))

describe('report action on pull_request', () => {
  it('creates one sticky comment, then updates that same comment on the next run', async () => {
    gh.seed.pullRequest(OWNER, REPO, { number: 7 })
    const first = await run({ event: pullRequestEvent(7) })
    expect(first.exitCode, first.stdout).toBe(0)
    expect(ourComments(7)).toHaveLength(1)
    const id = ourComments(7)[0]!.id
    expect(first.outputs['comment-id']).toBe(String(id))
    expect(JSON.parse(first.outputs['comment-ids']!)).toEqual({ churn: id })
    expect(first.outputs.status).toBe('failed')
    expect(ourComments(7)[0]!.body).toContain('| evaluate-gate | ❌ failed |')
    expect(first.summary).toContain('## ❌ MLOps report: `churn`')

    const train = path.join(workspace, '.mlops/records/02-train-model.json')
    await writeFile(train, (await readFile(train, 'utf8')).replace('accuracy 0.912', 'accuracy 0.933'))
    const second = await run({ event: pullRequestEvent(7) })
    expect(second.exitCode, second.stdout).toBe(0)
    expect(second.outputs['comment-id']).toBe(String(id))
    expect(ourComments(7)).toHaveLength(1)
    expect(ourComments(7)[0]!.body).toContain('accuracy 0.933')
    expect(gh.callsTo('issues/create-comment')).toHaveLength(1)
    expect(gh.callsTo('issues/update-comment')).toHaveLength(1)
  })

  it('finds its comment on a PR with 35 comments, and past the first page of 100', async () => {
    gh.seed.pullRequest(OWNER, REPO, { number: 8 })
    gh.seed.comments(OWNER, REPO, 8, 35)
    expect((await run({ event: pullRequestEvent(8) })).exitCode).toBe(0)
    expect((await run({ event: pullRequestEvent(8) })).exitCode).toBe(0)
    expect(ourComments(8)).toHaveLength(1)
    expect(gh.callsTo('issues/create-comment')).toHaveLength(1)

    // Ours is the 151st comment: finding it again takes the second page.
    gh.seed.pullRequest(OWNER, REPO, { number: 9 })
    gh.seed.comments(OWNER, REPO, 9, 150)
    expect((await run({ event: pullRequestEvent(9) })).exitCode).toBe(0)
    const again = await run({ event: pullRequestEvent(9) })
    expect(again.exitCode).toBe(0)
    expect(ourComments(9)).toHaveLength(1)
    expect(gh.callsTo('issues/create-comment')).toHaveLength(2)
    expect(gh.callsTo('issues/list-comments').some((c) => c.query.page === '2')).toBe(true)
  })

  it('retries a 502 and succeeds', async () => {
    gh.seed.pullRequest(OWNER, REPO, { number: 10 })
    gh.fault({ operationId: 'issues/list-comments', status: 502, times: 1 })
    const r = await run({ event: pullRequestEvent(10) })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(gh.callsTo('issues/list-comments').map((c) => c.status)).toEqual([502, 200])
    expect(ourComments(10)).toHaveLength(1)
  })

  it('fails at once on a 403, naming the missing permission', async () => {
    gh.seed.pullRequest(OWNER, REPO, { number: 11 })
    gh.fault({
      operationId: 'issues/create-comment',
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    })
    const r = await run({ event: pullRequestEvent(11) })
    expect(r.exitCode).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toContain("'pull-requests: write'")
    expect(r.errors[0]).toContain('Resource not accessible by integration')
    expect(gh.callsTo('issues/create-comment')).toHaveLength(1)
  })

  it('on a fork PR whose token cannot comment: summary and a warning, not a failure', async () => {
    gh.seed.pullRequest(OWNER, REPO, { number: 12 })
    const r = await run({
      event: pullRequestEvent(12, { head: 'someone/ml-repo' }),
      inputs: { 'github-token': 'ghs_fork_token' },
    })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(
      r.annotations
        .filter((a) => a.level === 'warning')
        .map((a) => a.message)
        .join(),
    ).toContain('fork')
    expect(r.summary).toContain('MLOps report')
    expect(r.outputs['comment-id']).toBe('')
    expect(ourComments(12)).toHaveLength(0)
  })
})

describe('report action without a pull request', () => {
  it('writes the job summary only, with a notice saying why, and calls no API', async () => {
    const r = await run({ event: pushEvent() })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.summary).toContain('MLOps report')
    expect(r.annotations.find((a) => a.level === 'notice')?.message).toContain('not for a pull request')
    expect(gh.calls).toHaveLength(0)
  })

  it('fails with file:line:column, key path, expected type and an annotation on a bad mlops.yaml', async () => {
    await writeFile(path.join(workspace, 'mlops.yaml'), 'model:\n  name: churn\nreport:\n  title: 42\n')
    const r = await run({ event: pushEvent() })
    expect(r.exitCode).toBe(1)
    expect(r.annotations).toHaveLength(1)
    expect(r.annotations[0]!.properties).toMatchObject({ file: 'mlops.yaml', line: '4', col: '10' })
    expect(r.errors[0]).toBe('mlops.yaml:4:10: report.title: Invalid input: expected string, received number')
  })
})

describe('report action with the artifact service', () => {
  let service: ActionsService
  beforeAll(async () => {
    service = await startActionsService()
  })
  afterAll(() => service.close())
  afterEach(() => expect(service.errors).toEqual([]))

  /** Another job of the same run uploads its records, as train-model would. */
  async function uploadFromOtherJob(name: string, dir: string) {
    const script = `import { DefaultArtifactClient } from '@actions/artifact'
      import { readdirSync } from 'node:fs'
      const dir = process.argv[1]
      const files = readdirSync(dir).map((f) => dir + '/' + f)
      await new DefaultArtifactClient().uploadArtifact(process.argv[2], files, dir)`
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, dir, name], {
      cwd: ROOT,
      env: { ...process.env, ...service.env(undefined, 'job-train') },
    })
  }

  it('merges the run records found in artifacts of the current run', async () => {
    gh.seed.pullRequest(OWNER, REPO, { number: 20 })
    const other = await mkdtemp(path.join(tmpdir(), 'other-job-'))
    await cp(path.join(workspace, '.mlops/records/03-evaluate-gate.json'), path.join(other, 'gate.json'))
    await uploadFromOtherJob('mlops-record-gate', other)
    await uploadFromOtherJob('unrelated', other)
    await rm(path.join(workspace, '.mlops/records/03-evaluate-gate.json'))

    const r = await run({
      event: pullRequestEvent(20),
      inputs: { 'artifact-pattern': 'mlops-record-*' },
      env: service.env(),
    })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.stdout).toContain("Artifacts matching 'mlops-record-*': mlops-record-gate (of 2)")
    expect(ourComments(20)[0]!.body).toContain('### ❌ evaluate-gate')
    expect(ourComments(20)[0]!.body).toContain('### ✅ train-model')
  })

  it('keeps a huge report under the comment limit and uploads the whole report as an artifact', async () => {
    gh.seed.pullRequest(OWNER, REPO, { number: 21 })
    const file = path.join(workspace, '.mlops/records/02-train-model.json')
    const rec = JSON.parse(await readFile(file, 'utf8'))
    rec.details = Array.from({ length: 6000 }, (_, i) => `| feature_${i} | ${i * 0.001} |`).join('\n')
    await writeFile(file, JSON.stringify(rec))

    const r = await run({ event: pullRequestEvent(21), env: service.env() })
    expect(r.exitCode, r.stdout).toBe(0)
    const body = ourComments(21)[0]!.body
    expect(body.length).toBeLessThanOrEqual(65_536)
    expect(body).toContain('Truncated to fit a GitHub comment')
    expect(body).toContain('`mlops-report-churn` artifact')
    expect(body).toContain('### ✅ validate-data')
    const artifact = service.artifacts.find((a) => a.name === 'mlops-report-churn')
    expect(artifact?.finalized).toBe(true)
    expect(r.summary).toContain('feature_5999')
  })
})
