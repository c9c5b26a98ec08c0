/**
 * A stand-in for an MLflow tracking server's Model Registry REST API and artifact proxy, following MLflow's
 * documented request and response shapes (`mlflow/protos/model_registry.proto`, REST API reference):
 * `registered-models/{create,get,search,alias,set-tag}`, `model-versions/{create,get,search,update}` and
 * `mlflow-artifacts/artifacts/<path>` (PUT/GET); and the tracking endpoints train-model logs to:
 * `runs/{create,log-batch,update,get}`, with `log-batch`'s documented request limits (1000 metrics, 100
 * params, 100 tags, 1000 items in all) and params that cannot change once logged. Errors come as MLflow sends them:
 * `{ "error_code": "RESOURCE_DOES_NOT_EXIST", "message": ... }` with 404, `RESOURCE_ALREADY_EXISTS` and
 * `INVALID_PARAMETER_VALUE` with 400. Unknown endpoints and malformed requests land in `errors`.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

interface Tag {
  key: string
  value: string
}
interface ModelVersion {
  name: string
  version: string
  creation_timestamp: number
  last_updated_timestamp: number
  current_stage: string
  description: string
  source: string
  run_id: string
  run_link?: string
  status: 'READY'
  tags: Tag[]
  aliases: string[]
}
interface RegisteredModel {
  name: string
  creation_timestamp: number
  last_updated_timestamp: number
  description: string
  tags: Tag[]
  aliases: { alias: string; version: string }[]
}

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
  readonly errors: string[]
  readonly calls: { method: string; path: string; body: unknown }[]
  readonly state: {
    models: Map<string, RegisteredModel>
    versions: Map<string, ModelVersion[]>
    artifacts: Map<string, Buffer>
    /** Tracking runs by run id. */
    runs: Map<string, MlflowStandInRun>
  }
  /** The next `times` requests whose path contains `path` answer `status`. */
  fault(f: { path?: string; status: number; times?: number }): void
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

const MAX_TAG_VALUE = 5000

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
  const errors: string[] = []
  const calls: MlflowStandIn['calls'] = []
  const models = new Map<string, RegisteredModel>()
  const versions = new Map<string, ModelVersion[]>()
  const artifacts = new Map<string, Buffer>()
  const runs = new Map<string, MlflowStandInRun>()
  const faults: { path?: string; status: number; times: number }[] = []
  const now = () => Date.now()

  const str = (b: Record<string, unknown>, k: string, required = true): string => {
    const v = b[k]
    if (v === undefined && !required) return ''
    if (typeof v !== 'string' || (required && v === ''))
      throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter '${k}'.`)
    return v
  }
  const tags = (v: unknown): Tag[] => {
    if (v === undefined) return []
    if (!Array.isArray(v) || v.some((t) => typeof t?.key !== 'string' || typeof t?.value !== 'string'))
      throw new ApiError(400, 'INVALID_PARAMETER_VALUE', "'tags' must be a list of {key, value} strings")
    for (const t of v as Tag[]) checkTag(t.value)
    return (v as Tag[]).map((t) => ({ key: t.key, value: t.value }))
  }
  const checkTag = (value: string) => {
    if (value.length > MAX_TAG_VALUE)
      throw new ApiError(
        400,
        'INVALID_PARAMETER_VALUE',
        `Tag value exceeds the maximum length of ${MAX_TAG_VALUE}`,
      )
  }
  const model = (name: string) => {
    const m = models.get(name)
    if (!m) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`)
    return m
  }
  const version = (name: string, v: string) => {
    const mv = (versions.get(name) ?? []).find((x) => x.version === v)
    if (!mv)
      throw new ApiError(
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Model Version (name=${name}, version=${v}) not found`,
      )
    return mv
  }
  const page = <T>(items: T[], q: URLSearchParams) => {
    const max = Number(q.get('max_results') ?? 100)
    const start = Number(q.get('page_token') ?? 0)
    const next = start + max < items.length ? String(start + max) : undefined
    return { items: items.slice(start, start + max), next }
  }

  const routes: Record<string, (b: Record<string, unknown>, q: URLSearchParams) => unknown> = {
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
    'GET runs/get': (_b, q) => ({ run: find(q.get('run_id') ?? undefined) }),
    'POST registered-models/create': (b) => {
      const name = str(b, 'name')
      if (models.has(name))
        throw new ApiError(400, 'RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`)
      const m: RegisteredModel = {
        name,
        creation_timestamp: now(),
        last_updated_timestamp: now(),
        description: str(b, 'description', false),
        tags: tags(b.tags),
        aliases: [],
      }
      models.set(name, m)
      versions.set(name, [])
      return { registered_model: m }
    },
    'GET registered-models/get': (_b, q) => ({ registered_model: model(q.get('name') ?? '') }),
    'GET registered-models/search': (_b, q) => {
      const p = page([...models.values()], q)
      return { registered_models: p.items, ...(p.next ? { next_page_token: p.next } : {}) }
    },
    'POST registered-models/set-tag': (b) => {
      const m = model(str(b, 'name'))
      const key = str(b, 'key')
      const value = str(b, 'value', false)
      checkTag(value)
      m.tags = [...m.tags.filter((t) => t.key !== key), { key, value }]
      return {}
    },
    'POST registered-models/alias': (b) => {
      const m = model(str(b, 'name'))
      const alias = str(b, 'alias')
      const v = version(m.name, str(b, 'version'))
      for (const mv of versions.get(m.name)!) mv.aliases = mv.aliases.filter((a) => a !== alias)
      v.aliases.push(alias)
      m.aliases = [...m.aliases.filter((a) => a.alias !== alias), { alias, version: v.version }]
      return {}
    },
    'GET registered-models/alias': (_b, q) => {
      const m = model(q.get('name') ?? '')
      const a = m.aliases.find((x) => x.alias === q.get('alias'))
      if (!a)
        throw new ApiError(
          404,
          'INVALID_PARAMETER_VALUE',
          `Registered model alias ${q.get('alias')} not found.`,
        )
      return { model_version: version(m.name, a.version) }
    },
    'POST model-versions/create': (b) => {
      const m = model(str(b, 'name'))
      const source = str(b, 'source')
      const list = versions.get(m.name)!
      const mv: ModelVersion = {
        name: m.name,
        version: String(list.length + 1),
        creation_timestamp: now(),
        last_updated_timestamp: now(),
        current_stage: 'None',
        description: str(b, 'description', false),
        source,
        run_id: str(b, 'run_id', false),
        ...(b.run_link ? { run_link: str(b, 'run_link') } : {}),
        status: 'READY',
        tags: tags(b.tags),
        aliases: [],
      }
      list.push(mv)
      return { model_version: mv }
    },
    'GET model-versions/get': (_b, q) => ({
      model_version: version(q.get('name') ?? '', q.get('version') ?? ''),
    }),
    'PATCH model-versions/update': (b) => {
      const mv = version(str(b, 'name'), str(b, 'version'))
      mv.description = str(b, 'description', false)
      mv.last_updated_timestamp = now()
      return { model_version: mv }
    },
    'GET model-versions/search': (_b, q) => {
      const filter = q.get('filter') ?? ''
      const m = /^name\s*=\s*'([^']*)'$/.exec(filter.trim())
      if (filter && !m) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Invalid filter '${filter}'`)
      const all = [...versions.values()].flat().filter((v) => !m || v.name === m[1])
      const p = page(all, q)
      return { model_versions: p.items, ...(p.next ? { next_page_token: p.next } : {}) }
    },
  }

  function find(id: unknown): MlflowStandInRun {
    if (!isString(id))
      throw new ApiError(400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'run_id'")
    const run = runs.get(id)
    if (!run) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Run with id=${id} not found`)
    return run
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body))
    res.writeHead(status, {
      'content-type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json',
    })
    res.end(data)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const raw = Buffer.concat(chunks)
    const url = new URL(req.url ?? '/', 'http://x')
    const method = req.method ?? 'GET'
    calls.push({
      method,
      path: url.pathname,
      body: raw.length && method !== 'PUT' ? JSON.parse(raw.toString()) : undefined,
    })
    const fault = faults.find((f) => f.times > 0 && (!f.path || url.pathname.includes(f.path)))
    if (fault) {
      fault.times--
      return send(res, fault.status, {
        error_code: fault.status >= 500 ? 'INTERNAL_ERROR' : 'UNAUTHENTICATED',
        message: 'injected fault',
      })
    }
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) {
      return send(res, 401, { error_code: 'UNAUTHENTICATED', message: 'Invalid credentials' })
    }
    try {
      const art = /^\/api\/2\.0\/mlflow-artifacts\/artifacts\/(.+)$/.exec(url.pathname)
      if (art) {
        const key = decodeURIComponent(art[1]!)
        if (method === 'PUT') {
          artifacts.set(key, raw)
          return send(res, 200, {})
        }
        if (method === 'GET') {
          const data = artifacts.get(key)
          if (!data) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Artifact ${key} not found`)
          return send(res, 200, data)
        }
      }
      const m = /^\/api\/2\.0\/mlflow\/(.+)$/.exec(url.pathname)
      const route = m && routes[`${method} ${m[1]}`]
      if (!route) {
        errors.push(`unknown endpoint ${method} ${url.pathname}`)
        return send(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: `${method} ${url.pathname}` })
      }
      let body: Record<string, unknown> = {}
      if (method !== 'GET') {
        if (!/application\/json/.test(req.headers['content-type'] ?? ''))
          errors.push(`${method} ${url.pathname} without a JSON content type`)
        body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {}
      }
      return send(res, 200, route(body, url.searchParams))
    } catch (e) {
      if (e instanceof ApiError) return send(res, e.status, { error_code: e.code, message: e.message })
      errors.push(`handler crashed on ${method} ${url.pathname}: ${(e as Error).message}`)
      return send(res, 500, { error_code: 'INTERNAL_ERROR', message: (e as Error).message })
    }
  }

  const server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}`,
    errors,
    calls,
    state: { models, versions, artifacts, runs },
    fault: (f) => faults.push({ ...f, times: f.times ?? 1 }),
    close: () => new Promise((r) => server.close(() => r())),
  }
}
