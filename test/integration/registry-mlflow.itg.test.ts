import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MlflowRegistry } from '../../shared/registry/backends/mlflow.js'
import { openRegistry } from '../../shared/registry/open.js'
import { silentLogger } from '../../shared/util/logger.js'
import { type MlflowStandIn, startMlflowStandIn } from '../harness/mlflow-stand-in.js'
import { info, modelDir, registryContract } from '../unit/registry-contract.js'

const servers: MlflowStandIn[] = []
let last: MlflowStandIn
afterAll(() => Promise.all(servers.map((s) => s.close())))
afterEach(() => {
  for (const s of servers) expect(s.errors).toEqual([])
})

const fresh = async (opts: { token?: string } = {}) => {
  last = await startMlflowStandIn(opts)
  servers.push(last)
  return last
}

registryContract('mlflow (stand-in)', {
  // MLflow numbers versions itself (atomically, in its database): nothing for the client to race on.
  concurrency: false,
  async open() {
    const s = await fresh()
    const make = () => new MlflowRegistry(s.url, { log: silentLogger })
    return { registry: make(), another: make }
  },
})

describe('mlflow registry specifics', () => {
  beforeAll(async () => {
    await fresh()
  })

  it('creates the registered model, then the version with source, run_id, run_link and tags, after its files', async () => {
    const s = await fresh()
    const reg = await openRegistry('mlflow', s.url, { log: silentLogger })
    const r = await reg.register({
      name: 'churn',
      modelPath: await modelDir({ 'model.pkl': 'x' }),
      info: info('run-9'),
    })
    expect(r.version.uri).toBe('models:/churn/1')
    const mv = s.state.versions.get('churn')![0]!
    expect(mv.source).toMatch(/^mlflow-artifacts:\/mlops-registry\/churn\/[0-9a-f]{24}$/)
    expect(mv.run_id).toBe('run-9')
    expect(mv.run_link).toBe('https://github.com/octo-org/ml-repo/actions/runs/42')
    expect(Object.fromEntries(mv.tags.map((t) => [t.key, t.value]))).toMatchObject({
      'mlops.run_id': 'run-9',
      'mlops.metrics': '{"accuracy":0.91,"f1":0.88}',
    })
    expect(mv.description).toContain('# Model card: churn v1')
    const order = s.calls.map((c) => `${c.method} ${c.path.replace(/artifacts\/.*/, 'artifacts/…')}`)
    expect(order.indexOf('POST /api/2.0/mlflow/model-versions/create')).toBeGreaterThan(
      order.lastIndexOf('PUT /api/2.0/mlflow-artifacts/artifacts/…'),
    )
    await reg.setAlias('churn', 'champion', 1, { by: 'octocat' })
    expect(s.state.models.get('churn')!.aliases).toEqual([{ alias: 'champion', version: '1' }])
  })

  it('creates no version when a file upload fails (5xx), and says so', async () => {
    const s = await fresh()
    const reg = new MlflowRegistry(s.url, { log: silentLogger })
    s.fault({ path: '/mlflow-artifacts/', status: 503, times: 5 })
    await expect(
      reg.register({ name: 'churn', modelPath: await modelDir({ m: 'x' }), info: info('r1') }),
    ).rejects.toThrow(/failed to upload m \(503/)
    expect(s.state.versions.get('churn') ?? []).toEqual([])
  })

  it('sends the token, and names a 401 as a credentials problem', async () => {
    const s = await fresh({ token: 'mlflow-secret' })
    const good = new MlflowRegistry(s.url, { log: silentLogger, token: 'mlflow-secret' })
    await good.register({ name: 'churn', modelPath: await modelDir({ m: 'x' }), info: info('r1') })
    const bad = new MlflowRegistry(s.url, { log: silentLogger, token: 'wrong' })
    await expect(bad.versions('churn')).rejects.toThrow(/rejected the credentials.*\(401\)/)
  })

  it('refuses a chosen version number and a non-URL address', async () => {
    const s = await fresh()
    const reg = new MlflowRegistry(s.url, { log: silentLogger })
    await expect(
      reg.register({ name: 'churn', modelPath: await modelDir({ m: 'x' }), info: info('r1'), version: 4 }),
    ).rejects.toThrow(/MLflow numbers versions itself/)
    await expect(openRegistry('mlflow', 'mlflow.example.com', { log: silentLogger })).rejects.toThrow(
      /tracking server URL/,
    )
    await expect(openRegistry('mlflow', undefined, { log: silentLogger })).rejects.toThrow(/required/)
  })
})
