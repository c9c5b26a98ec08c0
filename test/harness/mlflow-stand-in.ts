import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A stand-in for an MLflow tracking server: the tracking endpoints of MLflow's documented REST API
 * (`/api/2.0/mlflow/runs/create`, `runs/log-batch`, `runs/update`, `runs/get`), with the documented request
 * fields, response shapes, error shape (`{ error_code, message }`) and `log-batch` request limits. Anything
 * it does not know answers 404 ENDPOINT_NOT_FOUND, so a client calling the wrong path fails loudly.
 * (The model registry endpoints belong in the registry's stand-in; both can share one server later.)
 */

export interface MlflowStandInRun {
  info: {
    run_id: string
    run_uuid: string
    experiment_id: string
    run_name: string
    status: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED'
    start_time: number
    end_time?: number
    lifecycle_stage: 'active'
    artifact_uri: string
  }
  data: {
    metrics: Array<{ key: string; value: number; timestamp: number; step: number }>
    params: Array<{ key: string; value: string }>
    tags: Array<{ key: string; value: string }>
  }
}

export interface MlflowStandIn {
  readonly url: string
  readonly runs: Map<string, MlflowStandInRun>
  /** Every request: method, path and JSON body. */
  readonly requests: Array<{ method: string; path: string; body: unknown; authorization?: string }>
  close(): Promise<void>
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const isString = (v: unknown): v is string => typeof v === 'string'
const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v)

function keyValues(v: unknown, field: string, requireValue: boolean): Array<{ key: string; value: string }> {
  if (v === undefined) return []
  if (!Array.isArray(v)) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `'${field}' must be an array`)
  return v.map((x, i) => {
    const o = x as { key?: unknown; value?: unknown }
    if (!isString(o?.key) || o.key === '' || o.key.length > 250)
      throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Invalid value for '${field}[${i}].key'`)
    if (requireValue && !isString(o.value))
      throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `'${field}[${i}].value' must be a string`)
    return { key: o.key, value: String(o.value ?? '') }
  })
}

export async function startMlflowStandIn(opts: { token?: string } = {}): Promise<MlflowStandIn> {
  const runs = new Map<string, MlflowStandInRun>()
  const requests: MlflowStandIn['requests'] = []

  const routes: Record<string, (body: Record<string, unknown>) => unknown> = {
    'POST runs/create': (b) => {
      const experimentId = isString(b.experiment_id) ? b.experiment_id : '0'
      if (b.start_time !== undefined && !isInt(b.start_time))
        throw new ApiError(400, 'INVALID_PARAMETER_VALUE', "'start_time' must be an int64 in milliseconds")
      const id = randomUUID().replace(/-/g, '')
      const run: MlflowStandInRun = {
        info: {
          run_id: id,
          run_uuid: id,
          experiment_id: experimentId,
          run_name: isString(b.run_name) ? b.run_name : `run-${id.slice(0, 6)}`,
          status: 'RUNNING',
          start_time: (b.start_time as number | undefined) ?? Date.now(),
          lifecycle_stage: 'active',
          artifact_uri: `mlflow-artifacts:/${experimentId}/${id}/artifacts`,
        },
        data: { metrics: [], params: [], tags: keyValues(b.tags, 'tags', true) },
      }
      runs.set(id, run)
      return { run }
    },
    'POST runs/log-batch': (b) => {
      const run = find(b.run_id)
      const metrics = Array.isArray(b.metrics) ? b.metrics : []
      const params = keyValues(b.params, 'params', true)
      const tags = keyValues(b.tags, 'tags', true)
      if (metrics.length > 1000)
        throw new ApiError(
          400,
          'INVALID_PARAMETER_VALUE',
          `A batch logging request can contain at most 1000 metrics. Got ${metrics.length} metrics.`,
        )
      if (params.length > 100)
        throw new ApiError(
          400,
          'INVALID_PARAMETER_VALUE',
          `A batch logging request can contain at most 100 params. Got ${params.length} params.`,
        )
      if (tags.length > 100)
        throw new ApiError(
          400,
          'INVALID_PARAMETER_VALUE',
          `A batch logging request can contain at most 100 tags. Got ${tags.length} tags.`,
        )
      if (metrics.length + params.length + tags.length > 1000)
        throw new ApiError(
          400,
          'INVALID_PARAMETER_VALUE',
          'A batch logging request can contain at most 1000 metrics, params and tags in total.',
        )
      for (const [i, m] of metrics.entries()) {
        const x = m as { key?: unknown; value?: unknown; timestamp?: unknown; step?: unknown }
        if (!isString(x.key) || typeof x.value !== 'number' || !isInt(x.timestamp))
          throw new ApiError(
            400,
            'INVALID_PARAMETER_VALUE',
            `Invalid metric at metrics[${i}]: key (string), value (double) and timestamp (int64) are required`,
          )
        run.data.metrics.push({
          key: x.key,
          value: x.value,
          timestamp: x.timestamp as number,
          step: isInt(x.step) ? (x.step as number) : 0,
        })
      }
      for (const p of params) {
        const old = run.data.params.find((q) => q.key === p.key)
        if (old && old.value !== p.value)
          throw new ApiError(
            400,
            'INVALID_PARAMETER_VALUE',
            `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old.value}'`,
          )
        if (!old) run.data.params.push(p)
      }
      for (const t of tags) {
        run.data.tags = run.data.tags.filter((q) => q.key !== t.key)
        run.data.tags.push(t)
      }
      return {}
    },
    'POST runs/update': (b) => {
      const run = find(b.run_id ?? b.run_uuid)
      const statuses = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']
      if (b.status !== undefined && !statuses.includes(b.status as string))
        throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Invalid status '${String(b.status)}'`)
      if (b.status) run.info.status = b.status as MlflowStandInRun['info']['status']
      if (b.end_time !== undefined) {
        if (!isInt(b.end_time))
          throw new ApiError(400, 'INVALID_PARAMETER_VALUE', "'end_time' must be an int64")
        run.info.end_time = b.end_time as number
      }
      if (isString(b.run_name)) run.info.run_name = b.run_name
      return { run_info: run.info }
    },
    'GET runs/get': (b) => ({ run: find(b.run_id) }),
  }

  function find(id: unknown): MlflowStandInRun {
    if (!isString(id))
      throw new ApiError(400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'run_id'")
    const run = runs.get(id)
    if (!run) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Run with id=${id} not found`)
    return run
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stand-in')
    let raw = ''
    for await (const chunk of req) raw += chunk
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    try {
      const m = /^\/api\/2\.0\/mlflow\/(.+)$/.exec(url.pathname)
      let body: Record<string, unknown> = {}
      if (req.method === 'GET') body = Object.fromEntries(url.searchParams)
      else if (raw) {
        if (!(req.headers['content-type'] ?? '').includes('application/json'))
          throw new ApiError(400, 'BAD_REQUEST', 'The MLflow REST API requires content type application/json')
        try {
          body = JSON.parse(raw) as Record<string, unknown>
        } catch {
          throw new ApiError(400, 'MALFORMED_REQUEST', 'Malformed JSON body')
        }
      }
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        body,
        authorization: req.headers.authorization,
      })
      if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`)
        throw new ApiError(401, 'UNAUTHENTICATED', 'Invalid or missing credentials')
      const route = m ? routes[`${req.method} ${m[1]}`] : undefined
      if (!route) throw new ApiError(404, 'ENDPOINT_NOT_FOUND', `No endpoint ${req.method} ${url.pathname}`)
      send(200, route(body))
    } catch (e) {
      if (e instanceof ApiError) send(e.status, { error_code: e.code, message: e.message })
      else send(500, { error_code: 'INTERNAL_ERROR', message: String(e) })
    }
  }

  const server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    runs,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  }
}
