import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type GitHubStandIn, startGitHubStandIn } from '../harness/github-stand-in.js'
import { type MlflowStandIn, startMlflowStandIn } from '../harness/mlflow-stand-in.js'
import { hasDockerRegistry, type OciRegistryServer, startOciRegistry } from '../harness/oci-registry.js'
import { runAction } from '../harness/run-action.js'

// The committed bundles against the oci (real docker-registry) and mlflow (stand-in) backends.
const withOci = process.env.CI === 'true' || hasDockerRegistry()
let gh: GitHubStandIn
let oci: OciRegistryServer | undefined
let mlflow: MlflowStandIn
let ws: string

beforeAll(async () => {
  gh = await startGitHubStandIn()
  mlflow = await startMlflowStandIn({ token: 'mlflow-secret' })
  if (withOci) oci = await startOciRegistry()
})
afterAll(async () => {
  await Promise.all([gh.close(), mlflow.close(), oci?.close()])
})
beforeEach(async () => {
  ws = await mkdtemp(path.join(tmpdir(), 'registry-backends-'))
  await mkdir(path.join(ws, 'model'))
  await writeFile(path.join(ws, 'model/model.json'), '{"trees": 3}')
})

const step = (action: string, inputs: Record<string, string>) =>
  runAction(action, { cwd: ws, inputs, env: { GITHUB_API_URL: gh.url } })

describe.runIf(withOci)('register-model / promote-model on oci (docker-registry)', () => {
  it('registers, re-runs idempotently, promotes with a deployment', async () => {
    const registry = `${oci!.host}/octo-org/models`
    const r = await step('register-model', { name: 'churn', 'model-path': 'model', backend: 'oci', registry })
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    expect(r.outputs.version).toBe('1')
    expect(r.outputs.uri).toMatch(new RegExp(`^${oci!.host}/octo-org/models/churn@sha256:`))
    const again = await step('register-model', {
      name: 'churn',
      'model-path': 'model',
      backend: 'oci',
      registry,
    })
    expect(again.outputs).toMatchObject({ version: '1', created: 'false' })
    const p = await step('promote-model', {
      name: 'churn',
      version: '1',
      'to-alias': 'production',
      backend: 'oci',
      registry,
    })
    expect(p.exitCode, p.stdout + p.stderr).toBe(0)
    expect(p.outputs.version).toBe('1')
    expect(gh.state.deployments.at(-1)).toMatchObject({
      environment: 'production',
      payload: { model: 'churn', version: 1 },
    })
    const tags = (await (await fetch(`${oci!.url}/v2/octo-org/models/churn/tags/list`)).json()) as {
      tags: string[]
    }
    expect(tags.tags).toEqual(expect.arrayContaining(['v1', 'production']))
  })
})

describe('register-model / promote-model on mlflow (stand-in)', () => {
  it('registers with the token (masked), promotes, and fails clearly on a wrong token', async () => {
    const base = { name: 'churn', backend: 'mlflow', registry: mlflow.url }
    const r = await step('register-model', {
      ...base,
      'model-path': 'model',
      'registry-password': 'mlflow-secret',
    })
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    expect(r.outputs).toMatchObject({ version: '1', uri: 'models:/churn/1', created: 'true' })
    expect(r.stdout).toContain('::add-mask::mlflow-secret')
    const p = await step('promote-model', {
      ...base,
      version: '1',
      'to-alias': 'champion',
      'registry-password': 'mlflow-secret',
    })
    expect(p.exitCode, p.stdout + p.stderr).toBe(0)
    expect(mlflow.state.models.get('churn')!.aliases).toEqual([{ alias: 'champion', version: '1' }])
    const bad = await step('register-model', { ...base, 'model-path': 'model', 'registry-password': 'wrong' })
    expect(bad.exitCode).toBe(1)
    expect(bad.errors.join('\n')).toMatch(/MLflow server rejected the credentials.*\(401\)/)
    expect(mlflow.errors).toEqual([])
    expect(gh.errors).toEqual([])
  })
})
