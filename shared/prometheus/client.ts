import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import tls from 'node:tls'
import { MlopsError } from '../errors.js'

/**
 * A small client for the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`), shared by
 * monitor-model and deploy-canary.
 *
 * - Auth: a bearer token, or basic auth, plus any extra headers (e.g. `X-Scope-OrgID` for Mimir/Cortex).
 * - TLS: a CA file for servers signed by a private CA.
 * - Faults: a timeout per request; 5xx answers, timeouts and dropped connections are retried with backoff.
 *   Everything else fails at once with a {@link PrometheusError} that says what went wrong and what to do:
 *   a PromQL syntax error (400 `bad_data`) quotes Prometheus' parser, 401/403 point at the credentials,
 *   a refused connection names the URL.
 * - Results: every result type is normalized to a list of {@link Series}; a vector's sample is a series
 *   with one point, a scalar a series without labels. NaN values are kept (callers decide what they mean).
 */

export interface PrometheusOptions {
  /** Base URL, e.g. `http://prometheus:9090` or `https://host/prometheus` (a path prefix is kept). */
  readonly url: string
  readonly bearerToken?: string
  readonly basicAuth?: { readonly username: string; readonly password: string }
  /** Extra headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>
  /** PEM file of the CA that signed the server's certificate (added to Node's default CAs). */
  readonly caFile?: string
  /** Per request, in milliseconds (default 30 s, as Argo Rollouts). */
  readonly timeoutMs?: number
  /** Retries after a 5xx, a timeout or a dropped connection (default 2). */
  readonly retries?: number
  /** First backoff delay in ms, doubled on every retry (default 500). */
  readonly backoffMs?: number
}

/** Why a request failed, for callers that react differently (e.g. a canary may retry `unavailable`). */
export type PrometheusErrorKind =
  | 'bad-config'
  | 'bad-query'
  | 'unauthorized'
  | 'unavailable'
  | 'timeout'
  | 'server'
  | 'bad-response'

export class PrometheusError extends MlopsError {
  constructor(
    readonly kind: PrometheusErrorKind,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** One time series: its labels and its points as `[unix ms, value]`, oldest first. */
export interface Series {
  readonly labels: Readonly<Record<string, string>>
  readonly points: ReadonlyArray<readonly [number, number]>
}

export interface QueryResult {
  readonly resultType: 'vector' | 'matrix' | 'scalar' | 'string'
  readonly series: readonly Series[]
  /** Warnings Prometheus attached to the answer. */
  readonly warnings: readonly string[]
}

export interface RangeOptions {
  readonly start: Date
  readonly end: Date
  /** Resolution step in ms. */
  readonly stepMs: number
}

/** What the core needs from Prometheus; tests pass a fake. */
export interface PrometheusApi {
  readonly url: string
  query(promql: string, time?: Date): Promise<QueryResult>
  queryRange(promql: string, range: RangeOptions): Promise<QueryResult>
}

interface ApiBody {
  status: 'success' | 'error'
  data?: { resultType: QueryResult['resultType']; result: unknown }
  errorType?: string
  error?: string
  warnings?: string[]
}

type Sample = [number, string]
const toPoint = ([t, v]: Sample): readonly [number, number] => [Math.round(t * 1000), Number(v)]

function normalize(data: NonNullable<ApiBody['data']>): Series[] {
  switch (data.resultType) {
    case 'vector':
      return (data.result as Array<{ metric: Record<string, string>; value: Sample }>).map((s) => ({
        labels: s.metric ?? {},
        points: [toPoint(s.value)],
      }))
    case 'matrix':
      return (data.result as Array<{ metric: Record<string, string>; values: Sample[] }>).map((s) => ({
        labels: s.metric ?? {},
        points: s.values.map(toPoint),
      }))
    case 'scalar':
      return [{ labels: {}, points: [toPoint(data.result as Sample)] }]
    default:
      // A string result has no number to compare; callers see "no data".
      return []
  }
}

const RETRY_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED'])
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The Prometheus web UI's graph page for a query over the last `rangeMs` (for links in issues). */
export function graphUrl(baseUrl: string, promql: string, rangeMs: number): string {
  const u = new URL(`${baseUrl.replace(/\/+$/, '')}/graph`)
  u.searchParams.set('g0.expr', promql)
  u.searchParams.set('g0.tab', '0')
  u.searchParams.set('g0.range_input', `${Math.max(1, Math.round(rangeMs / 60_000))}m`)
  return u.toString()
}

export class PrometheusClient implements PrometheusApi {
  readonly url: string
  private readonly headers: Record<string, string>
  private readonly ca?: Buffer
  private readonly timeoutMs: number
  private readonly retries: number
  private readonly backoffMs: number

  constructor(opts: PrometheusOptions) {
    let parsed: URL
    try {
      parsed = new URL(opts.url)
    } catch {
      throw new PrometheusError(
        'bad-config',
        `Prometheus URL '${opts.url}' is not a URL (e.g. http://host:9090)`,
      )
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new PrometheusError(
        'bad-config',
        `Prometheus URL '${opts.url}' must start with http:// or https://`,
      )
    this.url = opts.url.replace(/\/+$/, '')
    this.headers = { accept: 'application/json', ...(opts.headers ?? {}) }
    if (opts.bearerToken) this.headers.authorization = `Bearer ${opts.bearerToken}`
    else if (opts.basicAuth) {
      const b64 = Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`).toString('base64')
      this.headers.authorization = `Basic ${b64}`
    }
    if (opts.caFile) {
      try {
        this.ca = readFileSync(opts.caFile)
      } catch (e) {
        throw new PrometheusError(
          'bad-config',
          `Cannot read the CA file '${opts.caFile}': ${(e as Error).message}`,
          undefined,
          {
            cause: e,
          },
        )
      }
    }
    this.timeoutMs = opts.timeoutMs ?? 30_000
    this.retries = opts.retries ?? 2
    this.backoffMs = opts.backoffMs ?? 500
  }

  /** Instant query at `time` (default: Prometheus' now). */
  query(promql: string, time?: Date): Promise<QueryResult> {
    const params: Record<string, string> = { query: promql }
    if (time) params.time = String(time.getTime() / 1000)
    return this.call('/api/v1/query', params, promql)
  }

  /** Range query; a matrix with one point per step where the series has a value. */
  queryRange(promql: string, r: RangeOptions): Promise<QueryResult> {
    return this.call(
      '/api/v1/query_range',
      {
        query: promql,
        start: String(r.start.getTime() / 1000),
        end: String(r.end.getTime() / 1000),
        step: String(Math.max(r.stepMs, 1) / 1000),
      },
      promql,
    )
  }

  private async call(endpoint: string, params: Record<string, string>, promql: string): Promise<QueryResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(endpoint, params, promql)
      } catch (e) {
        const retriable =
          e instanceof PrometheusError &&
          (e.kind === 'server' || e.kind === 'timeout') &&
          attempt < this.retries
        if (!retriable) throw e
        await sleep(this.backoffMs * 2 ** attempt)
      }
    }
  }

  private once(endpoint: string, params: Record<string, string>, promql: string): Promise<QueryResult> {
    const target = new URL(`${this.url}${endpoint}`)
    const body = new URLSearchParams(params).toString()
    const lib = target.protocol === 'https:' ? https : http
    const where = `Prometheus at ${this.url}`
    return new Promise<QueryResult>((resolve, reject) => {
      const req = lib.request(
        target,
        {
          method: 'POST',
          headers: {
            ...this.headers,
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
          },
          ...(this.ca ? { ca: [...tls.rootCertificates, this.ca.toString('utf8')] } : {}),
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', (e) => reject(this.networkError(e, where)))
          res.on('end', () => {
            try {
              resolve(this.interpret(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), promql))
            } catch (e) {
              reject(e)
            }
          })
        },
      )
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(
          new PrometheusError('timeout', `${where} did not answer within ${this.timeoutMs / 1000} s`),
        )
      })
      req.on('error', (e) => reject(e instanceof PrometheusError ? e : this.networkError(e, where)))
      req.end(body)
    })
  }

  private networkError(e: Error & { code?: string }, where: string): PrometheusError {
    if (e.code === 'ECONNREFUSED')
      return new PrometheusError(
        'unavailable',
        `${where} refused the connection (ECONNREFUSED): is it running, and is 'prometheus-url' right?`,
        undefined,
        { cause: e },
      )
    if (e.code === 'ENOTFOUND')
      return new PrometheusError(
        'unavailable',
        `${where}: host not found (ENOTFOUND); check 'prometheus-url'`,
        undefined,
        {
          cause: e,
        },
      )
    if (e.code && RETRY_CODES.has(e.code))
      return new PrometheusError('timeout', `${where}: connection failed (${e.code})`, undefined, {
        cause: e,
      })
    if (/certificate|self.signed|CERT_/i.test(`${e.code} ${e.message}`))
      return new PrometheusError(
        'unavailable',
        `${where}: TLS certificate not trusted (${e.code ?? e.message}); pass the CA that signed it as the CA file`,
        undefined,
        { cause: e },
      )
    return new PrometheusError(
      'unavailable',
      `${where}: ${e.message}${e.code ? ` (${e.code})` : ''}`,
      undefined,
      {
        cause: e,
      },
    )
  }

  private interpret(status: number, text: string, promql: string): QueryResult {
    let body: ApiBody | undefined
    try {
      body = JSON.parse(text) as ApiBody
    } catch {
      body = undefined
    }
    const said = body?.error ?? text.trim().slice(0, 200)
    if (status === 401 || status === 403) {
      throw new PrometheusError(
        'unauthorized',
        `Prometheus at ${this.url} refused the credentials (${status}${said ? `: ${said}` : ''}); check the bearer token or basic auth`,
        status,
      )
    }
    if (status >= 500) {
      const kind = body?.errorType === 'timeout' ? 'timeout' : 'server'
      throw new PrometheusError(
        kind,
        `Prometheus at ${this.url} failed (${status}${said ? `: ${said}` : ''})`,
        status,
      )
    }
    if (status === 404) {
      throw new PrometheusError(
        'bad-config',
        `${this.url} has no Prometheus query API (404 on /api/v1/query); is 'prometheus-url' the server's base URL (without /api/v1)?`,
        status,
      )
    }
    if (body?.status === 'error' || status >= 400) {
      if (body?.errorType === 'bad_data' || status === 400) {
        throw new PrometheusError(
          'bad-query',
          `Prometheus rejected the query \`${promql}\`: ${said || `HTTP ${status}`}`,
          status,
        )
      }
      if (body?.errorType === 'execution') {
        throw new PrometheusError(
          'bad-query',
          `Prometheus could not evaluate the query \`${promql}\`: ${said || `HTTP ${status}`}`,
          status,
        )
      }
      const kind = body?.errorType === 'timeout' ? 'timeout' : 'bad-response'
      throw new PrometheusError(
        kind,
        `Prometheus at ${this.url} answered ${status} (${body?.errorType ?? 'error'}: ${said})`,
        status,
      )
    }
    if (
      !body?.data ||
      (!Array.isArray(body.data.result) &&
        body.data.resultType !== 'scalar' &&
        body.data.resultType !== 'string')
    ) {
      throw new PrometheusError(
        'bad-response',
        `${this.url} did not answer like the Prometheus HTTP API (status ${status}); is 'prometheus-url' the server's base URL?`,
        status,
      )
    }
    return { resultType: body.data.resultType, series: normalize(body.data), warnings: body.warnings ?? [] }
  }
}
