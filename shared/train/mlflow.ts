import { MlopsError } from '../errors.js'
import type { Metrics, Params } from './values.js'

/**
 * A training run tracked in MLflow through its documented REST API (`/api/2.0/mlflow/runs/...`): create the
 * run, log params, metrics and tags with `log-batch` (split at MLflow's per-request limits), then close it
 * with `runs/update`. Works with any server speaking that API (MLflow, and the MLflow-compatible APIs of
 * other products).
 */
export interface MlflowOptions {
  /** The tracking server, e.g. `http://mlflow.internal:5000` (a `/api/...` suffix is not needed). */
  readonly trackingUri: string
  readonly experimentId: string
  /** Bearer token (`MLFLOW_TRACKING_TOKEN`), or `user:password` for basic auth. */
  readonly token?: string
  readonly fetch?: typeof fetch
}

export interface MlflowRun {
  readonly runId: string
  readonly experimentId: string
  readonly url: string
}

/** MLflow's documented request limits for one `runs/log-batch` call. */
export const LOG_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const
const MAX_KEY = 250
const MAX_PARAM_VALUE = 6000
const MAX_TAG_VALUE = 5000

export class MlflowError extends MlopsError {}

export class MlflowClient {
  private readonly base: string
  private readonly fetchFn: typeof fetch

  constructor(private readonly o: MlflowOptions) {
    this.base = o.trackingUri.replace(/\/+$/, '').replace(/\/api(\/2\.0(\/mlflow)?)?$/, '')
    this.fetchFn = o.fetch ?? fetch
  }

  private async call<T>(endpoint: string, body: unknown): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (this.o.token) {
      headers.authorization = this.o.token.includes(':')
        ? `Basic ${Buffer.from(this.o.token).toString('base64')}`
        : `Bearer ${this.o.token}`
    }
    const url = `${this.base}/api/2.0/mlflow/${endpoint}`
    let res: Response
    try {
      res = await this.fetchFn(url, { method: 'POST', headers, body: JSON.stringify(body) })
    } catch (e) {
      throw new MlflowError(
        `MLflow ${endpoint}: cannot reach ${this.base} (${(e as Error).message}). Check 'mlflow-tracking-uri'`,
      )
    }
    const text = await res.text()
    if (!res.ok) {
      let detail = text.slice(0, 300)
      try {
        const j = JSON.parse(text) as { error_code?: string; message?: string }
        if (j.error_code || j.message) detail = `${j.error_code ?? ''} ${j.message ?? ''}`.trim()
      } catch {}
      const hint =
        res.status === 401 || res.status === 403 ? ". Check 'mlflow-token' (MLFLOW_TRACKING_TOKEN)" : ''
      throw new MlflowError(`MLflow ${endpoint} failed: HTTP ${res.status} ${detail}${hint}`)
    }
    return (text ? JSON.parse(text) : {}) as T
  }

  async createRun(name: string, startTime: number, tags: Record<string, string>): Promise<MlflowRun> {
    const res = await this.call<{ run?: { info?: { run_id?: string; experiment_id?: string } } }>(
      'runs/create',
      {
        experiment_id: this.o.experimentId,
        run_name: name,
        start_time: startTime,
        tags: kv(tags, MAX_TAG_VALUE),
      },
    )
    const runId = res.run?.info?.run_id
    if (!runId) throw new MlflowError('MLflow runs/create answered without run.info.run_id')
    const experimentId = res.run?.info?.experiment_id ?? this.o.experimentId
    return { runId, experimentId, url: `${this.base}/#/experiments/${experimentId}/runs/${runId}` }
  }

  /** Logs everything, in as many `log-batch` calls as MLflow's limits need. */
  async logBatch(
    runId: string,
    data: { metrics: Metrics; params: Params; tags: Record<string, string>; timestamp: number },
  ): Promise<number> {
    const metrics = Object.entries(data.metrics).map(([key, value]) => ({
      key: key.slice(0, MAX_KEY),
      value,
      timestamp: data.timestamp,
      step: 0,
    }))
    const params = kv(
      Object.fromEntries(Object.entries(data.params).map(([k, v]) => [k, String(v)])),
      MAX_PARAM_VALUE,
    )
    const tags = kv(data.tags, MAX_TAG_VALUE)
    let calls = 0
    while (metrics.length || params.length || tags.length) {
      const p = params.splice(0, LOG_BATCH_LIMITS.params)
      const t = tags.splice(0, LOG_BATCH_LIMITS.tags)
      const m = metrics.splice(0, LOG_BATCH_LIMITS.total - p.length - t.length)
      await this.call('runs/log-batch', { run_id: runId, metrics: m, params: p, tags: t })
      calls++
    }
    return calls
  }

  async finishRun(runId: string, status: 'FINISHED' | 'FAILED' | 'KILLED', endTime: number): Promise<void> {
    await this.call('runs/update', { run_id: runId, status, end_time: endTime })
  }
}

const kv = (o: Record<string, string>, maxValue: number) =>
  Object.entries(o).map(([key, value]) => ({ key: key.slice(0, MAX_KEY), value: value.slice(0, maxValue) }))
