import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { Octokit } from '@octokit/rest'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type GitHubStandIn, startGitHubStandIn } from './github-stand-in.js'

const owner = 'acme'
const repo = 'models'
const SHA_A = 'a'.repeat(40)
const SHA_B = 'b'.repeat(40)

let standIn: GitHubStandIn
let octokit: Octokit
// Octokit logs every failed request; the failures here are deliberate.
const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

/** Status of a rejected Octokit call (fails the test when the call unexpectedly succeeds). */
async function statusOf(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise
  } catch (error) {
    const e = error as { status?: number; message?: string }
    return { status: e.status ?? -1, message: e.message ?? '' }
  }
  throw new Error('expected the request to fail')
}

beforeAll(async () => {
  standIn = await startGitHubStandIn({ tokens: { readOnly: ['read-only-token'] } })
  const t = standIn.openapi.timings
  console.log(
    `[github-stand-in] first start ${standIn.timings.startMs.toFixed(0)} ms (spec ${standIn.timings.specLoadMs.toFixed(0)} ms:` +
      ` read ${t.readMs.toFixed(0)}, parse ${t.parseMs.toFixed(0)}, normalise ${t.normaliseMs.toFixed(0)},` +
      ` index ${t.indexMs.toFixed(0)})`,
  )
  octokit = new Octokit({ baseUrl: standIn.url, auth: 'test-token', log })
})

afterAll(async () => {
  const stats = standIn.openapi.stats()
  console.log(
    `[github-stand-in] compiled ${stats.compiledValidators} validators lazily in ${stats.compileMs.toFixed(0)} ms` +
      ` (of ${stats.operations} operations in the description)`,
  )
  await standIn.close()
})

beforeEach(() => standIn.reset())

describe('start-up', () => {
  it('parses the description once per process; later servers start fast', async () => {
    expect(standIn.timings.startMs).toBeLessThan(5000)
    const second = await startGitHubStandIn()
    try {
      console.log(`[github-stand-in] second start ${second.timings.startMs.toFixed(1)} ms`)
      expect(second.timings.specLoadMs).toBe(0)
      expect(second.timings.startMs).toBeLessThan(500)
      expect(second.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(second.url).not.toBe(standIn.url)
      const { data } = await new Octokit({ baseUrl: second.url, auth: 'x', log }).rest.rateLimit.get()
      expect(data.resources.core.limit).toBe(5000)
      expect(second.errors).toEqual([])
    } finally {
      await second.close()
    }
  })
})

describe('issue comments', () => {
  it('creates, lists (paginated over 35 comments), updates, gets and deletes', async () => {
    const pr = standIn.seed.pullRequest(owner, repo, { number: 7, title: 'Train v2' })
    standIn.seed.comments(owner, repo, pr.number, 35, (i) => `seeded comment ${i + 1}`)

    // One page by hand: GitHub-style Link header with absolute URLs on the stand-in.
    const first = await octokit.rest.issues.listComments({ owner, repo, issue_number: 7, per_page: 10 })
    expect(first.data).toHaveLength(10)
    const link = String(first.headers.link)
    expect(link).toContain(
      `<${standIn.url}/repos/${owner}/${repo}/issues/7/comments?per_page=10&page=2>; rel="next"`,
    )
    expect(link).toContain('page=4>; rel="last"')
    expect(link).not.toContain('rel="prev"')
    const third = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: 7,
      per_page: 10,
      page: 3,
    })
    expect(String(third.headers.link)).toMatch(
      /page=2>; rel="prev".*page=4>; rel="next".*page=4>; rel="last".*page=1>; rel="first"/,
    )
    const beyond = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: 7,
      per_page: 10,
      page: 9,
    })
    expect(beyond.data).toEqual([])

    // Octokit's paginate follows rel="next": 4 pages of 10, then the default page size (30 → 2 pages).
    standIn.reset()
    standIn.seed.pullRequest(owner, repo, { number: 7 })
    standIn.seed.comments(owner, repo, 7, 35, (i) => `seeded comment ${i + 1}`)
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: 7,
      per_page: 10,
    })
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 35 }, (_, i) => `seeded comment ${i + 1}`))
    expect(standIn.callsTo('issues/list-comments')).toHaveLength(4)
    const byDefault = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: 7,
    })
    expect(byDefault).toHaveLength(35)
    expect(standIn.callsTo('issues/list-comments')).toHaveLength(6)
    expect(standIn.callsTo('issues/list-comments')[5]?.query).toEqual({ page: '2' })

    // Sticky comment pattern: create, find by marker, update.
    const created = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: 7,
      body: '<!-- mlops -->\nv1',
    })
    expect(created.status).toBe(201)
    expect(created.data.user?.login).toBe('github-actions[bot]')
    expect(created.data.issue_url).toBe(`${standIn.url}/repos/${owner}/${repo}/issues/7`)
    const found = (
      await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: 7 })
    ).find((c) => c.body?.startsWith('<!-- mlops -->'))
    expect(found?.id).toBe(created.data.id)
    const updated = await octokit.rest.issues.updateComment({
      owner,
      repo,
      comment_id: created.data.id,
      body: '<!-- mlops -->\nv2',
    })
    expect(updated.data.body).toBe('<!-- mlops -->\nv2')
    const got = await octokit.rest.issues.getComment({ owner, repo, comment_id: created.data.id })
    expect(got.data.body).toBe('<!-- mlops -->\nv2')
    expect(standIn.state.comments.filter((c) => c.issueNumber === 7)).toHaveLength(36)

    const deleted = await octokit.rest.issues.deleteComment({ owner, repo, comment_id: created.data.id })
    expect(deleted.status).toBe(204)
    expect(
      await statusOf(octokit.rest.issues.getComment({ owner, repo, comment_id: created.data.id })),
    ).toMatchObject({
      status: 404,
    })
    expect((await octokit.rest.issues.get({ owner, repo, issue_number: 7 })).data.comments).toBe(35)

    expect(standIn.callsTo('issues/create-comment')).toHaveLength(1)
    expect(standIn.callsTo('issues/create-comment')[0]).toMatchObject({
      method: 'POST',
      path: `/repos/${owner}/${repo}/issues/7/comments`,
      status: 201,
      body: { body: '<!-- mlops -->\nv1' },
    })
    expect(standIn.errors).toEqual([])
  })

  it('refuses comment bodies over 65536 characters like GitHub', async () => {
    standIn.seed.issue(owner, repo, { number: 1 })
    const result = await statusOf(
      octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'x'.repeat(65_537) }),
    )
    expect(result.status).toBe(422)
    expect(result.message).toContain('too long')
    expect(standIn.errors).toEqual([])
  })
})

describe('issues and labels', () => {
  it('creates, filters, updates and labels issues', async () => {
    standIn.seed.label(owner, repo, 'drift', { color: 'ff0000', description: 'Data drift detected' })
    const a = await octokit.rest.issues.create({
      owner,
      repo,
      title: 'Drift on features',
      labels: ['drift', 'model:v1'],
    })
    expect(a.status).toBe(201)
    expect(a.data.number).toBe(1)
    expect(a.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual(['drift', 'model:v1'])
    const b = await octokit.rest.issues.create({ owner, repo, title: 'Retrain', body: 'please' })
    // The spec allows an integer title (oneOf string|integer); GitHub stores it as text.
    const c = await octokit.rest.issues.create({ owner, repo, title: 123 as unknown as string })
    expect(c.data.title).toBe('123')

    const drift = await octokit.rest.issues.listForRepo({ owner, repo, labels: 'DRIFT' })
    expect(drift.data.map((i) => i.number)).toEqual([1])
    const open = await octokit.rest.issues.listForRepo({ owner, repo, direction: 'asc' })
    expect(open.data.map((i) => i.number)).toEqual([1, 2, 3])

    const closed = await octokit.rest.issues.update({
      owner,
      repo,
      issue_number: b.data.number,
      state: 'closed',
      state_reason: 'not_planned',
      title: 'Retrain (skipped)',
      labels: ['wontfix'],
    })
    expect(closed.data).toMatchObject({
      state: 'closed',
      state_reason: 'not_planned',
      title: 'Retrain (skipped)',
    })
    expect(closed.data.closed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect((await octokit.rest.issues.listForRepo({ owner, repo })).data.map((i) => i.number)).toEqual([3, 1])
    expect(
      (await octokit.rest.issues.listForRepo({ owner, repo, state: 'closed' })).data.map((i) => i.number),
    ).toEqual([2])
    const reopened = await octokit.rest.issues.update({ owner, repo, issue_number: 2, state: 'open' })
    expect(reopened.data).toMatchObject({ state: 'open', state_reason: 'reopened', closed_at: null })

    const added = await octokit.rest.issues.addLabels({ owner, repo, issue_number: 1, labels: ['promoted'] })
    expect(added.data.map((l) => l.name)).toEqual(['drift', 'model:v1', 'promoted'])
    const removed = await octokit.rest.issues.removeLabel({ owner, repo, issue_number: 1, name: 'model:v1' })
    expect(removed.data.map((l) => l.name)).toEqual(['drift', 'promoted'])
    expect(standIn.state.issues.find((i) => i.number === 1)?.labels).toEqual(['drift', 'promoted'])

    const label = await octokit.rest.issues.getLabel({ owner, repo, name: 'drift' })
    expect(label.data).toMatchObject({ name: 'drift', color: 'ff0000', description: 'Data drift detected' })
    const made = await octokit.rest.issues.createLabel({ owner, repo, name: 'gate:passed', color: '00ff00' })
    expect(made.status).toBe(201)
    const labels = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, { owner, repo })
    expect(labels.map((l) => l.name)).toEqual(['drift', 'gate:passed', 'model:v1', 'promoted', 'wontfix'])
    // Semantic refusals are ordinary GitHub answers, not stand-in errors.
    expect(await statusOf(octokit.rest.issues.createLabel({ owner, repo, name: 'Drift' }))).toMatchObject({
      status: 422,
    })
    expect(await statusOf(octokit.rest.issues.getLabel({ owner, repo, name: 'nope' }))).toMatchObject({
      status: 404,
    })
    expect(await statusOf(octokit.rest.issues.get({ owner, repo, issue_number: 99 }))).toMatchObject({
      status: 404,
    })
    expect(standIn.errors).toEqual([])
  })

  it('serves pull requests (also fork PRs) and the repository', async () => {
    standIn.seed.pullRequest(owner, repo, {
      number: 12,
      title: 'Add model',
      head: 'feat/model',
      fork: 'contributor',
    })
    const { data: pr } = await octokit.rest.pulls.get({ owner, repo, pull_number: 12 })
    expect(pr).toMatchObject({ number: 12, title: 'Add model', state: 'open' })
    expect(pr.head.ref).toBe('feat/model')
    expect(pr.head.repo?.full_name).toBe('contributor/models')
    expect(pr.head.repo?.fork).toBe(true)
    expect(pr.base.repo.full_name).toBe('acme/models')
    const asIssue = await octokit.rest.issues.get({ owner, repo, issue_number: 12 })
    expect(asIssue.data.pull_request?.url).toBe(`${standIn.url}/repos/${owner}/${repo}/pulls/12`)
    standIn.seed.issue(owner, repo, { number: 13 })
    expect(await statusOf(octokit.rest.pulls.get({ owner, repo, pull_number: 13 }))).toMatchObject({
      status: 404,
    })

    const { data: r } = await octokit.rest.repos.get({ owner, repo })
    expect(r).toMatchObject({ full_name: 'acme/models', default_branch: 'main', open_issues_count: 2 })
    expect(standIn.errors).toEqual([])
  })
})

describe('git refs', () => {
  it('creates a ref once; the second create answers 422 "Reference already exists"', async () => {
    const created = await octokit.rest.git.createRef({
      owner,
      repo,
      ref: 'refs/tags/model/churn/v1',
      sha: SHA_A,
    })
    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({
      ref: 'refs/tags/model/churn/v1',
      object: { sha: SHA_A, type: 'commit' },
    })

    const again = await statusOf(
      octokit.rest.git.createRef({ owner, repo, ref: 'refs/tags/model/churn/v1', sha: SHA_B }),
    )
    expect(again.status).toBe(422)
    expect(again.message).toContain('Reference already exists')
    expect(standIn.state.refs.find((r) => r.ref === 'refs/tags/model/churn/v1')?.sha).toBe(SHA_A)

    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/tags/model/churn/v2', sha: SHA_B })
    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/tags/model/other/v1', sha: SHA_B })
    const got = await octokit.rest.git.getRef({ owner, repo, ref: 'tags/model/churn/v2' })
    expect(got.data.object.sha).toBe(SHA_B)
    const matching = await octokit.rest.git.listMatchingRefs({ owner, repo, ref: 'tags/model/churn/' })
    expect(matching.data.map((r) => r.ref)).toEqual(['refs/tags/model/churn/v1', 'refs/tags/model/churn/v2'])
    expect((await octokit.rest.git.listMatchingRefs({ owner, repo, ref: 'tags/nothing' })).data).toEqual([])

    const moved = await octokit.rest.git.updateRef({
      owner,
      repo,
      ref: 'tags/model/churn/v2',
      sha: SHA_A,
      force: true,
    })
    expect(moved.data.object.sha).toBe(SHA_A)
    expect((await octokit.rest.git.deleteRef({ owner, repo, ref: 'tags/model/churn/v2' })).status).toBe(204)
    expect(
      await statusOf(octokit.rest.git.getRef({ owner, repo, ref: 'tags/model/churn/v2' })),
    ).toMatchObject({ status: 404 })
    expect(
      await statusOf(octokit.rest.git.deleteRef({ owner, repo, ref: 'tags/model/churn/v2' })),
    ).toMatchObject({
      status: 422,
    })
    expect(
      await statusOf(octokit.rest.git.createRef({ owner, repo, ref: 'refs/tags/x', sha: 'abc' })),
    ).toMatchObject({
      status: 422,
    })
    expect(standIn.errors).toEqual([])
  })

  it('gives exactly one winner when version refs are created concurrently', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        octokit.rest.git.createRef({ owner, repo, ref: 'refs/tags/model/v7', sha: SHA_A }),
      ),
    )
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1)
    expect(standIn.errors).toEqual([])
  })
})

describe('releases and assets', () => {
  it('creates a release, uploads an asset to upload_url and downloads the same bytes', async () => {
    const { data: release, status } = await octokit.rest.repos.createRelease({
      owner,
      repo,
      tag_name: 'churn-v1',
      name: 'churn v1',
      body: 'metrics',
    })
    expect(status).toBe(201)
    expect(release.upload_url).toBe(
      `${standIn.url}/api/uploads/repos/${owner}/${repo}/releases/${release.id}/assets{?name,label}`,
    )
    // Publishing a release creates its tag, as on GitHub.
    expect(standIn.state.refs.some((r) => r.ref === 'refs/tags/churn-v1')).toBe(true)

    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13])
    const uploaded = await octokit.rest.repos.uploadReleaseAsset({
      owner,
      repo,
      release_id: release.id,
      url: release.upload_url,
      name: 'model.onnx',
      label: 'ONNX model',
      data: bytes as unknown as string,
      headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.length },
    })
    expect(uploaded.status).toBe(201)
    expect(uploaded.data).toMatchObject({
      name: 'model.onnx',
      label: 'ONNX model',
      size: bytes.length,
      state: 'uploaded',
    })
    expect(uploaded.data.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(standIn.callsTo('repos/upload-release-asset')[0]?.path).toBe(
      `/api/uploads/repos/${owner}/${repo}/releases/${release.id}/assets`,
    )
    const duplicate = octokit.rest.repos.uploadReleaseAsset({
      owner,
      repo,
      release_id: release.id,
      url: release.upload_url,
      name: 'model.onnx',
      data: 'x',
    })
    expect(await statusOf(duplicate)).toMatchObject({ status: 422 })

    // Without `url`, Octokit targets https://uploads.github.com; `baseUrl` points it here instead.
    const card = await octokit.rest.repos.uploadReleaseAsset({
      owner,
      repo,
      release_id: release.id,
      name: 'model-card.md',
      data: '# churn v1',
      baseUrl: standIn.url,
      headers: { 'content-type': 'text/markdown' },
    })
    expect(card.data).toMatchObject({ content_type: 'text/markdown', size: 10 })
    expect(standIn.callsTo('repos/upload-release-asset')[2]?.path).toBe(
      `/repos/${owner}/${repo}/releases/${release.id}/assets`,
    )

    const assets = await octokit.rest.repos.listReleaseAssets({ owner, repo, release_id: release.id })
    expect(assets.data.map((a) => a.name)).toEqual(['model.onnx', 'model-card.md'])
    const download = await octokit.rest.repos.getReleaseAsset({
      owner,
      repo,
      asset_id: uploaded.data.id,
      headers: { accept: 'application/octet-stream' },
    })
    expect(Buffer.from(download.data as unknown as ArrayBuffer)).toEqual(bytes)
    const viaBrowserUrl = await fetch(uploaded.data.browser_download_url)
    expect(Buffer.from(await viaBrowserUrl.arrayBuffer())).toEqual(bytes)
    const meta = await octokit.rest.repos.getReleaseAsset({ owner, repo, asset_id: uploaded.data.id })
    expect(meta.data.download_count).toBe(2)

    const byTag = await octokit.rest.repos.getReleaseByTag({ owner, repo, tag: 'churn-v1' })
    expect(byTag.data.id).toBe(release.id)
    expect(byTag.data.assets).toHaveLength(2)
    const draft = await octokit.rest.repos.createRelease({ owner, repo, tag_name: 'churn-v2', draft: true })
    expect(draft.data.published_at).toBeNull()
    expect(
      await statusOf(octokit.rest.repos.getReleaseByTag({ owner, repo, tag: 'churn-v2' })),
    ).toMatchObject({ status: 404 })
    const published = await octokit.rest.repos.updateRelease({
      owner,
      repo,
      release_id: draft.data.id,
      draft: false,
      body: 'ok',
    })
    expect(published.data).toMatchObject({ draft: false, body: 'ok' })
    expect(published.data.published_at).not.toBeNull()
    const list = await octokit.rest.repos.listReleases({ owner, repo })
    expect(list.data.map((r) => r.tag_name)).toEqual(['churn-v2', 'churn-v1'])
    expect(
      await statusOf(octokit.rest.repos.createRelease({ owner, repo, tag_name: 'churn-v1' })),
    ).toMatchObject({
      status: 422,
    })

    expect((await octokit.rest.repos.deleteRelease({ owner, repo, release_id: release.id })).status).toBe(204)
    expect(
      await statusOf(octokit.rest.repos.getRelease({ owner, repo, release_id: release.id })),
    ).toMatchObject({
      status: 404,
    })
    expect(standIn.state.assets).toHaveLength(0)
    expect(standIn.errors).toEqual([])
  })
})

describe('deployments', () => {
  it('creates deployments and statuses, filters lists, marks older deployments inactive', async () => {
    const first = await octokit.rest.repos.createDeployment({
      owner,
      repo,
      ref: 'main',
      environment: 'staging',
      payload: { model: 'churn', version: 1 },
      auto_merge: false,
      required_contexts: [],
      description: 'churn v1',
    })
    expect(first.status).toBe(201)
    const d1 = first.data as { id: number; sha: string; payload: unknown }
    expect(d1.payload).toEqual({ model: 'churn', version: 1 })
    expect(d1.sha).toMatch(/^[0-9a-f]{40}$/)
    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: d1.id,
      state: 'in_progress',
    })
    const success = await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: d1.id,
      state: 'success',
      environment_url: 'https://staging.example.com',
      log_url: 'https://ci.example.com/run/1',
    })
    expect(success.status).toBe(201)
    expect(success.data).toMatchObject({
      state: 'success',
      environment: 'staging',
      target_url: 'https://ci.example.com/run/1',
    })

    standIn.seed.ref(owner, repo, 'tags/churn-v2', SHA_B)
    const second = await octokit.rest.repos.createDeployment({
      owner,
      repo,
      ref: 'churn-v2',
      environment: 'staging',
      auto_merge: false,
    })
    const d2 = second.data as { id: number; sha: string }
    expect(d2.sha).toBe(SHA_B)
    await octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: d2.id, state: 'success' })
    await octokit.rest.repos.createDeployment({
      owner,
      repo,
      ref: 'main',
      environment: 'production',
      auto_merge: false,
    })

    const staging = await octokit.rest.repos.listDeployments({ owner, repo, environment: 'staging' })
    expect(staging.data.map((d) => d.id)).toEqual([d2.id, d1.id])
    expect(
      (await octokit.rest.repos.listDeployments({ owner, repo, ref: 'churn-v2' })).data.map((d) => d.id),
    ).toEqual([d2.id])
    const statuses = await octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: d1.id })
    expect(statuses.data.map((s) => s.state)).toEqual(['inactive', 'success', 'in_progress'])
    const got = await octokit.rest.repos.getDeployment({ owner, repo, deployment_id: d2.id })
    expect(got.data.ref).toBe('churn-v2')
    expect(standIn.state.statuses).toHaveLength(4)

    expect(
      await statusOf(
        octokit.rest.repos.createDeployment({ owner, repo, ref: 'no-such-branch', auto_merge: false }),
      ),
    ).toMatchObject({ status: 422 })
    const tooLong = octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: d1.id,
      state: 'failure',
      description: 'x'.repeat(141),
    })
    expect(await statusOf(tooLong)).toMatchObject({ status: 422 })
    expect(standIn.errors).toEqual([])
  })
})

describe('workflow dispatch', () => {
  it('records dispatches', async () => {
    const res = await octokit.rest.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: 'train.yml',
      ref: 'main',
      inputs: { model: 'churn', epochs: '3' },
    })
    expect(res.status).toBe(204)
    expect(standIn.state.dispatches).toMatchObject([
      { repo: 'acme/models', workflowId: 'train.yml', ref: 'main', inputs: { model: 'churn', epochs: '3' } },
    ])
    await octokit.rest.actions.createWorkflowDispatch({ owner, repo, workflow_id: 1234, ref: 'main' })
    expect(standIn.state.dispatches[1]?.workflowId).toBe('1234')
    expect(
      await statusOf(
        octokit.rest.actions.createWorkflowDispatch({ owner, repo, workflow_id: 'x.yml', ref: 'nope' }),
      ),
    ).toMatchObject({ status: 422 })
    expect(standIn.errors).toEqual([])
  })
})

describe('faults', () => {
  it('a 502 once is retried by @octokit/plugin-retry, then succeeds', async () => {
    standIn.seed.issue(owner, repo, { number: 5, title: 'flaky' })
    standIn.fault({ method: 'GET', path: '/repos/{owner}/{repo}/issues/{issue_number}', status: 502 })
    const RetryingOctokit = Octokit.plugin(retry)
    const client = new RetryingOctokit({
      baseUrl: standIn.url,
      auth: 't',
      log,
      retry: { retryAfterBaseValue: 5 },
    })
    const { data } = await client.rest.issues.get({ owner, repo, issue_number: 5 })
    expect(data.title).toBe('flaky')
    expect(standIn.callsTo('issues/get').map((c) => [c.status, c.fault ?? false])).toEqual([
      [502, true],
      [200, false],
    ])
    expect(standIn.errors).toEqual([])
  })

  it('without retries the fault reaches the caller; times limits it', async () => {
    standIn.seed.issue(owner, repo, { number: 5 })
    standIn.fault({ path: /\/issues\/5$/, status: 503, times: 2 })
    expect(await statusOf(octokit.rest.issues.get({ owner, repo, issue_number: 5 }))).toMatchObject({
      status: 503,
    })
    expect(await statusOf(octokit.rest.issues.get({ owner, repo, issue_number: 5 }))).toMatchObject({
      status: 503,
    })
    expect((await octokit.rest.issues.get({ owner, repo, issue_number: 5 })).status).toBe(200)
  })

  it('simulates rate limits that @octokit/plugin-throttling waits out', async () => {
    standIn.seed.issue(owner, repo, { number: 5 })
    const reset = Math.floor(Date.now() / 1000)
    standIn.fault({
      operationId: 'issues/get',
      status: 403,
      headers: { 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': reset },
    })
    // Default body: GitHub's "You have exceeded a secondary rate limit" message.
    standIn.fault({ operationId: 'issues/get', status: 429, headers: { 'retry-after': 1 } })
    const seen: string[] = []
    const Throttled = Octokit.plugin(throttling)
    const client = new Throttled({
      baseUrl: standIn.url,
      auth: 't',
      log,
      throttle: {
        retryAfterBaseValue: 1,
        onRateLimit: () => {
          seen.push('primary')
          return true
        },
        onSecondaryRateLimit: () => {
          seen.push('secondary')
          return true
        },
      },
    })
    const { status } = await client.rest.issues.get({ owner, repo, issue_number: 5 })
    expect(status).toBe(200)
    expect(seen).toEqual(['primary', 'secondary'])
    expect(standIn.callsTo('issues/get').map((c) => c.status)).toEqual([403, 429, 200])
  })
})

describe('spec validation', () => {
  it('an unknown endpoint answers 404 and records an error', async () => {
    expect(
      await statusOf(octokit.request('GET /repos/{owner}/{repo}/no-such-thing', { owner, repo })),
    ).toMatchObject({
      status: 404,
    })
    expect(standIn.errors).toHaveLength(1)
    expect(standIn.errors[0]).toContain('unknown endpoint')
    // In the description, but not implemented by the stand-in: also a 404 and an error.
    expect(await statusOf(octokit.rest.repos.listBranches({ owner, repo }))).toMatchObject({ status: 404 })
    expect(standIn.errors[1]).toContain('repos/list-branches')
    expect(standIn.errors[1]).toContain('not implemented')
  })

  it('an invalid request body answers 422 and records an error', async () => {
    const result = await statusOf(
      octokit.rest.issues.create({ owner, repo, title: true as unknown as string }),
    )
    expect(result.status).toBe(422)
    expect(standIn.errors).toHaveLength(1)
    expect(standIn.errors[0]).toMatch(
      /POST \/repos\/acme\/models\/issues \(issues\/create\): invalid request: body: body\/title/,
    )
    expect(standIn.state.issues).toHaveLength(0)

    await statusOf(
      octokit.rest.issues.create({ owner, repo, title: 'ok', labels: 'bug' as unknown as string[] }),
    )
    await statusOf(octokit.rest.issues.listForRepo({ owner, repo, state: 'bogus' as 'open' }))
    await statusOf(
      octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: 1,
        state: 'done' as 'success',
      }),
    )
    expect(standIn.errors).toHaveLength(4)
    expect(standIn.errors[1]).toContain('body/labels must be array')
    expect(standIn.errors[2]).toContain('query/state must be equal to one of the allowed values')
    expect(standIn.errors[3]).toContain('body/state')
  })

  it('a bad path parameter answers 404, malformed JSON answers 400; both are recorded', async () => {
    await statusOf(
      octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
        owner,
        repo,
        issue_number: 'abc' as unknown as number,
      }),
    )
    const res = await fetch(`${standIn.url}/repos/${owner}/${repo}/issues`, {
      method: 'POST',
      headers: { authorization: 'token t', 'content-type': 'application/json' },
      body: '{"title": ',
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ message: 'Problems parsing JSON' })
    expect(standIn.errors).toHaveLength(2)
    expect(standIn.errors[0]).toContain('path: path/issue_number must be integer')
    expect(standIn.errors[1]).toContain('not valid JSON')
  })

  it('responses are validated too: corrupted state produces an error', async () => {
    const issue = standIn.seed.issue(owner, repo, { number: 1 })
    issue.createdAt = 'yesterday'
    await octokit.rest.issues.get({ owner, repo, issue_number: 1 })
    expect(standIn.errors).toHaveLength(1)
    expect(standIn.errors[0]).toMatch(
      /issues\/get\) -> 200: response body\/created_at must match format "date-time"/,
    )
  })

  it('the validator itself rejects incomplete objects and wrong statuses', async () => {
    const api = standIn.openapi
    standIn.seed.issue(owner, repo, { number: 1 })
    const { data } = await octokit.rest.issues.get({ owner, repo, issue_number: 1 })
    expect(api.validateResponse('issues/get', 200, data, 'json')).toEqual([])
    const { node_id: _, ...withoutNodeId } = data
    expect(api.validateResponse('issues/get', 200, withoutNodeId, 'json')).toEqual([
      "body must have required property 'node_id'",
    ])
    expect(api.validateResponse('issues/get', 200, { ...data, labels: [{ name: 1 }] }, 'json')[0]).toContain(
      'body/labels/0',
    )
    expect(api.validateResponse('issues/get', 201, {}, 'json')[0]).toContain('not documented')
    expect(api.validateResponse('git/delete-ref', 204, { a: 1 }, 'json')[0]).toContain('without a body')
    // Undocumented error statuses must still look like GitHub's basic-error.
    expect(api.validateResponse('issues/get', 401, { message: 'Requires authentication' }, 'json')).toEqual(
      [],
    )
    expect(api.validateResponse('issues/get', 401, { message: 42 }, 'json')).toHaveLength(1)
  })
})

describe('authentication', () => {
  it('answers 401 without a token (a response that validates)', async () => {
    const res = await fetch(`${standIn.url}/repos/${owner}/${repo}/issues`)
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ message: 'Requires authentication' })
    const bearer = await fetch(`${standIn.url}/repos/${owner}/${repo}/issues`, {
      headers: { authorization: 'Bearer t' },
    })
    expect(bearer.status).toBe(200)
    expect(standIn.errors).toEqual([])
  })

  it('a read-only token (fork PR) can read but writes answer 403', async () => {
    standIn.seed.pullRequest(owner, repo, { number: 3, fork: 'someone' })
    const fork = new Octokit({ baseUrl: standIn.url, auth: 'read-only-token', log })
    expect((await fork.rest.issues.get({ owner, repo, issue_number: 3 })).status).toBe(200)
    const denied = await statusOf(
      fork.rest.issues.createComment({ owner, repo, issue_number: 3, body: 'hi' }),
    )
    expect(denied).toMatchObject({ status: 403 })
    expect(denied.message).toContain('Resource not accessible by integration')
    expect(standIn.state.comments).toHaveLength(0)
    expect(standIn.errors).toEqual([])
  })
})
