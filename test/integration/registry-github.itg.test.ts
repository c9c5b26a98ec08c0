import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Octokit } from '../../shared/github/octokit.js'
import { GitHubRegistry } from '../../shared/registry/backends/github.js'
import { openRegistry } from '../../shared/registry/open.js'
import { silentLogger } from '../../shared/util/logger.js'
import { type GitHubStandIn, startGitHubStandIn } from '../harness/github-stand-in.js'
import { info, modelDir, registryContract } from '../unit/registry-contract.js'

let gh: GitHubStandIn
let repoCount = 0
beforeAll(async () => {
  gh = await startGitHubStandIn()
})
afterAll(() => gh.close())
afterEach(() => expect(gh.errors).toEqual([]))

const SHA = '0123456789abcdef0123456789abcdef01234567'

// Tests use an Octokit with retry but without throttling (which spaces writes 1 s apart); the product path
// (`GitHubRegistry.open`, checked below) keeps the shared throttled client.
const testOctokit = () =>
  getOctokit(
    'ghs_test_token',
    { baseUrl: gh.url, retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] } },
    retry,
  ) as unknown as Octokit

const fresh = () => ({ owner: 'octo-org', repo: `models-${++repoCount}` })

registryContract('github (stand-in)', {
  concurrency: true,
  async open() {
    const repo = fresh()
    const make = () => new GitHubRegistry(testOctokit(), repo, { log: silentLogger, sha: SHA })
    return { registry: make(), another: make }
  },
})

describe('github registry specifics', () => {
  it('stores a version as a release tagged <name>/v<N> with its assets, and aliases as moves + refs', async () => {
    const repo = fresh()
    const reg = new GitHubRegistry(testOctokit(), repo, { log: silentLogger, sha: SHA })
    await reg.register({ name: 'churn', modelPath: await modelDir({ 'model.json': '{}' }), info: info('r1') })
    await reg.setAlias('churn', 'production', 1, { by: 'octocat' })
    const full = `${repo.owner}/${repo.repo}`
    const rel = gh.state.releases.find((r) => r.repo === full && r.tagName === 'churn/v1')!
    expect(rel.draft).toBe(false)
    expect(rel.body).toContain('# Model card: churn v1')
    const assets = gh.state.assets.filter((a) => a.releaseId === rel.id).map((a) => a.name)
    expect(assets.sort()).toEqual(['MODEL_CARD.md', 'file-0000-model.json', 'version.json'])
    const refs = gh.state.refs.filter((r) => r.repo === full).map((r) => r.ref)
    expect(refs).toEqual(expect.arrayContaining(['refs/tags/churn/v1', 'refs/tags/churn/production']))
    const moves = gh.state.assets.filter((a) => a.repo === full && a.name.startsWith('alias-move-'))
    expect(moves.map((a) => [a.name, a.label])).toEqual([['alias-move-000001.json', 'production=1']])
  })

  it('leaves no half version when an upload fails (5xx after retries): draft and tag are removed', async () => {
    const repo = fresh()
    const reg = new GitHubRegistry(testOctokit(), repo, { log: silentLogger, sha: SHA })
    gh.fault({ operationId: 'repos/upload-release-asset', status: 500, times: 10 })
    await expect(
      reg.register({ name: 'churn', modelPath: await modelDir({ m: 'x' }), info: info('r1') }),
    ).rejects.toThrow(/GitHub failed to upload/)
    const full = `${repo.owner}/${repo.repo}`
    expect(gh.state.releases.filter((r) => r.repo === full)).toEqual([])
    expect(gh.state.refs.filter((r) => r.repo === full && r.ref.startsWith('refs/tags/'))).toEqual([])
    expect(await reg.versions('churn')).toEqual([])
    gh.reset()
  })

  it('says which permission is missing on 401/403', async () => {
    const reg = new GitHubRegistry(testOctokit(), fresh(), { log: silentLogger, sha: SHA })
    gh.fault({ operationId: 'repos/list-releases', status: 401 })
    await expect(
      reg.register({ name: 'churn', modelPath: await modelDir({ m: 'x' }), info: info('r1') }),
    ).rejects.toThrow(/rejected the token/)
  })

  it('opens through the factory (register-model.itg runs the bundles through that path)', async () => {
    const reg = await openRegistry('github', 'octo-org/factory', { log: silentLogger, token: 't', sha: SHA })
    expect([reg.kind, reg.address]).toEqual(['github', 'octo-org/factory'])
    await expect(openRegistry('github', 'not a repo', { log: silentLogger, token: 't' })).rejects.toThrow(
      /owner\/repo/,
    )
    await expect(openRegistry('github', 'o/r', { log: silentLogger })).rejects.toThrow(/github-token/)
  })
})
