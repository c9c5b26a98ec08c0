import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOG_BATCH_LIMITS, MlflowClient } from '../../shared/train/mlflow.js'
import { type MlflowStandIn, startMlflowStandIn } from '../harness/mlflow-stand-in.js'

let mlflow: MlflowStandIn
beforeAll(async () => {
  mlflow = await startMlflowStandIn({ token: 'secret-token' })
})
afterAll(() => mlflow.close())

describe('MLflow tracking through the REST API', () => {
  it('creates a run, logs params, metrics and tags, and finishes it', async () => {
    const client = new MlflowClient({
      trackingUri: `${mlflow.url}/`,
      experimentId: '3',
      token: 'secret-token',
    })
    const run = await client.createRun('iris-r1', 1_700_000_000_000, { 'mlflow.source.type': 'JOB' })
    expect(run.url).toBe(`${mlflow.url}/#/experiments/3/runs/${run.runId}`)
    await client.logBatch(run.runId, {
      metrics: { accuracy: 0.93, 'per_class.setosa.f1': 1 },
      params: { 'forest.n_estimators': 50, replacement: true, note: null },
      tags: { 'mlops.status': 'passed' },
      timestamp: 1_700_000_001_000,
    })
    await client.finishRun(run.runId, 'FINISHED', 1_700_000_002_000)

    const stored = mlflow.state.runs.get(run.runId)!
    expect(stored.info).toMatchObject({
      experiment_id: '3',
      run_name: 'iris-r1',
      status: 'FINISHED',
      end_time: 1_700_000_002_000,
    })
    expect(stored.data.metrics).toEqual([
      { key: 'accuracy', value: 0.93, timestamp: 1_700_000_001_000, step: 0 },
      { key: 'per_class.setosa.f1', value: 1, timestamp: 1_700_000_001_000, step: 0 },
    ])
    expect(stored.data.params).toEqual([
      { key: 'forest.n_estimators', value: '50' },
      { key: 'replacement', value: 'true' },
      { key: 'note', value: 'null' },
    ])
    expect(stored.data.tags).toContainEqual({ key: 'mlops.status', value: 'passed' })
    expect(mlflow.calls.map((r) => r.path)).toEqual([
      '/api/2.0/mlflow/runs/create',
      '/api/2.0/mlflow/runs/log-batch',
      '/api/2.0/mlflow/runs/update',
    ])
    expect(mlflow.errors).toEqual([])
  })

  it("splits what exceeds one log-batch request at MLflow's documented limits", async () => {
    const client = new MlflowClient({ trackingUri: mlflow.url, experimentId: '0', token: 'secret-token' })
    const run = await client.createRun('big', Date.now(), {})
    const metrics = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`m${i}`, i]))
    const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, i]))
    const calls = await client.logBatch(run.runId, { metrics, params, tags: {}, timestamp: Date.now() })
    expect(calls).toBeGreaterThanOrEqual(3)
    const stored = mlflow.state.runs.get(run.runId)!
    expect(stored.data.metrics).toHaveLength(1500)
    expect(stored.data.params).toHaveLength(250)
    for (const r of mlflow.calls.filter((q) => q.path.endsWith('log-batch'))) {
      const b = r.body as { metrics: unknown[]; params: unknown[]; tags: unknown[] }
      expect(b.params.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.params)
      expect(b.metrics.length + b.params.length + b.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.total)
    }
  })

  it('fails with the server error and a hint on bad credentials or an unreachable server', async () => {
    const bad = new MlflowClient({ trackingUri: mlflow.url, experimentId: '0', token: 'wrong' })
    await expect(bad.createRun('x', Date.now(), {})).rejects.toThrow(
      /MLflow runs\/create failed: HTTP 401 UNAUTHENTICATED .*Check 'mlflow-token'/,
    )
    const gone = new MlflowClient({ trackingUri: 'http://127.0.0.1:9', experimentId: '0' })
    await expect(gone.createRun('x', Date.now(), {})).rejects.toThrow(/cannot reach .*mlflow-tracking-uri/)
  })
})
