import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { LocalRegistry } from '../../shared/registry/backends/local.js'
import { silentLogger } from '../../shared/util/logger.js'
import { type GitHubStandIn, startGitHubStandIn } from '../harness/github-stand-in.js'
import { ROOT, runAction } from '../harness/run-action.js'

let gh: GitHubStandIn
let ws: string

beforeAll(async () => {
  gh = await startGitHubStandIn()
})
afterAll(() => gh.close())
beforeEach(async () => {
  gh.reset()
  ws = await mkdtemp(path.join(tmpdir(), 'registry-ws-'))
  await cp(path.join(ROOT, 'test/fixtures/run-records'), path.join(ws, '.mlops/records'), { recursive: true })
  await mkdir(path.join(ws, 'model'), { recursive: true })
  await writeFile(path.join(ws, 'model/model.json'), '{"trees": 200}')
  await writeFile(
    path.join(ws, 'mlops.yaml'),
    'model:\n  name: churn\n  flavor: sklearn\n  intended_use: Scoring churn risk for the retention team.\ntrain:\n  model_path: model\n',
  )
})
afterEach(() => expect(gh.errors).toEqual([]))

const register = (inputs: Record<string, string> = {}) =>
  runAction('register-model', { cwd: ws, inputs, env: { GITHUB_API_URL: gh.url } })
const promote = (inputs: Record<string, string>) =>
  runAction('promote-model', { cwd: ws, inputs, env: { GITHUB_API_URL: gh.url } })

describe('register-model (local backend)', () => {
  it('registers the model from mlops.yaml with the training run metrics; a re-run returns the same version', async () => {
    const first = await register()
    expect(first.exitCode, first.stdout + first.stderr).toBe(0)
    expect(first.outputs).toMatchObject({ version: '1', created: 'true' })
    expect(first.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(first.outputs.uri).toBe(path.join('.mlops/registry/churn/versions/1'))
    const card = await readFile(first.outputs['model-card']!, 'utf8')
    expect(card).toContain('# Model card: churn v1')
    expect(card).toContain('| accuracy | 0.912 |')
    expect(card).toContain('Scoring churn risk for the retention team.')
    expect(card).toContain('validate-data: **passed**')
    expect(first.summary).toContain('## 📦 churn v1')
    const records = await readdir(path.join(ws, '.mlops/records'))
    const mine = records.filter((f) => f.startsWith('register-model-'))
    expect(mine).toHaveLength(1)
    const rec = JSON.parse(await readFile(path.join(ws, '.mlops/records', mine[0]!), 'utf8'))
    expect(rec).toMatchObject({ kind: 'register-model', model: { name: 'churn', version: '1' } })
    expect(rec.result.runId).toBe('run-7f3a9c')

    const again = await register()
    expect(again.exitCode).toBe(0)
    expect(again.outputs).toMatchObject({ version: '1', created: 'false', digest: first.outputs.digest })
    expect(await readdir(path.join(ws, '.mlops/registry/churn/versions'))).toEqual(['1'])
  })

  it('sets an alias at registration', async () => {
    const r = await register({ alias: 'staging' })
    expect(r.exitCode, r.stdout).toBe(0)
    const reg = new LocalRegistry(path.join(ws, '.mlops/registry'), { log: silentLogger })
    expect(await reg.aliases('churn')).toEqual({ staging: 1 })
  })

  it('fails clearly on an empty model directory and a name no backend can store, writing nothing', async () => {
    await mkdir(path.join(ws, 'empty'))
    const empty = await register({ 'model-path': 'empty' })
    expect(empty.exitCode).toBe(1)
    expect(empty.errors.join('\n')).toMatch(/model-path.*empty directory/)
    const bad = await register({ name: 'Churn Model' })
    expect(bad.exitCode).toBe(1)
    expect(bad.errors.join('\n')).toMatch(/cannot be stored in a model registry/)
    const badBackend = await register({ backend: 's3' })
    expect(badBackend.errors.join('\n')).toMatch(/must be one of auto, local, github, oci, mlflow/)
    await expect(readdir(path.join(ws, '.mlops/registry/churn/versions'))).rejects.toThrow()
  })
})

describe('promote-model', () => {
  it('promotes, promotes again and rolls back: alias history and GitHub Deployments show all three moves', async () => {
    for (const i of [1, 2, 3]) {
      await writeFile(path.join(ws, 'model/model.json'), `{"trees": ${i}}`)
      const r = await register({ 'run-records': 'none/*.json' })
      expect(r.exitCode, r.stdout).toBe(0)
      // Same workflow run: three different models give three versions (the digest differs).
      expect(r.outputs.version).toBe(String(i))
    }
    const p1 = await promote({ version: '2', 'to-alias': 'production' })
    expect(p1.exitCode, p1.stdout + p1.stderr).toBe(0)
    expect(p1.outputs).toMatchObject({ version: '2', 'previous-version': '' })
    const p2 = await promote({ version: 'v3', 'to-alias': 'production', reason: 'better f1' })
    expect(p2.outputs).toMatchObject({ version: '3', 'previous-version': '2' })
    const back = await promote({ version: 'previous', 'to-alias': 'production' })
    expect(back.exitCode, back.stdout).toBe(0)
    expect(back.outputs).toMatchObject({ version: '2', 'previous-version': '3' })
    expect(back.summary).toContain('| production | v3 | v2 |')

    const reg = new LocalRegistry(path.join(ws, '.mlops/registry'), { log: silentLogger })
    const h = await reg.history('churn', 'production')
    expect(h.map((m) => [m.from, m.to, m.by])).toEqual([
      [undefined, 2, 'octocat'],
      [2, 3, 'octocat'],
      [3, 2, 'octocat'],
    ])
    expect(h[1]!.reason).toBe('better f1')

    const deployments = gh.state.deployments
    expect(deployments.map((d) => [d.environment, (d.payload as { version: number }).version])).toEqual([
      ['production', 2],
      ['production', 3],
      ['production', 2],
    ])
    expect(deployments.every((d) => (d.payload as { model: string }).model === 'churn')).toBe(true)
    expect(gh.state.statuses.map((s) => s.state)).toEqual(['success', 'success', 'success'])
    expect([p1, p2, back].map((r) => r.outputs['deployment-id'])).toEqual(
      deployments.map((d) => String(d.id)),
    )
  })

  it('promotes the version another alias holds', async () => {
    await register({ alias: 'staging' })
    const r = await promote({ 'from-alias': 'staging', 'to-alias': 'production', deployment: 'false' })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.outputs).toMatchObject({ version: '1', 'deployment-id': '' })
    expect(gh.state.deployments).toEqual([])
  })

  it('refuses a version that does not exist: no alias moves, no deployment', async () => {
    await register()
    const r = await promote({ version: '7', 'to-alias': 'production' })
    expect(r.exitCode).toBe(1)
    expect(r.errors.join('\n')).toMatch(/no version 7 \(versions: 1\)/)
    const back = await promote({ version: 'previous', 'to-alias': 'production' })
    expect(back.errors.join('\n')).toMatch(/no previous version to roll back to/)
    const reg = new LocalRegistry(path.join(ws, '.mlops/registry'), { log: silentLogger })
    expect(await reg.aliases('churn')).toEqual({})
    expect(gh.state.deployments).toEqual([])
  })

  it('moves no alias when GitHub refuses the deployment (401)', async () => {
    await register()
    gh.fault({ operationId: 'repos/create-deployment', status: 401 })
    const r = await promote({ version: '1', 'to-alias': 'production' })
    expect(r.exitCode).toBe(1)
    expect(r.errors.join('\n')).toMatch(/rejected the token/)
    const reg = new LocalRegistry(path.join(ws, '.mlops/registry'), { log: silentLogger })
    expect(await reg.aliases('churn')).toEqual({})
  })
})

describe('register-model and promote-model on the github backend (bundles, throttled Octokit)', () => {
  it('registers a release tagged churn/v1, re-runs idempotently, and promotes with a deployment', async () => {
    const r = await register({ backend: 'github', alias: 'staging' })
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    expect(r.outputs.version).toBe('1')
    expect(r.outputs.uri).toContain('/releases/tag/churn')
    const again = await register({ backend: 'github' })
    expect(again.outputs).toMatchObject({ version: '1', created: 'false' })
    const rel = gh.state.releases.filter((x) => x.tagName.startsWith('churn/v'))
    expect(rel.map((x) => [x.tagName, x.draft])).toEqual([['churn/v1', false]])

    const p = await promote({ backend: 'github', 'from-alias': 'staging', 'to-alias': 'production' })
    expect(p.exitCode, p.stdout + p.stderr).toBe(0)
    expect(p.outputs).toMatchObject({ version: '1', 'previous-version': '' })
    expect(gh.state.deployments.map((d) => d.environment)).toEqual(['production'])
    expect(gh.state.refs.map((x) => x.ref)).toEqual(
      expect.arrayContaining(['refs/tags/churn/v1', 'refs/tags/churn/staging', 'refs/tags/churn/production']),
    )
  })
})
