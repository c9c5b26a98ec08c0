import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { graphUrl, PrometheusClient, PrometheusError } from '../../shared/prometheus/client.js'
import { freePort } from '../harness/prometheus.js'

interface Seen {
  method?: string
  url?: string
  headers: http.IncomingHttpHeaders
  body: string
}
type Handler = (req: Seen, res: http.ServerResponse, n: number) => void

const servers: Array<http.Server | https.Server> = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

async function serve(handler: Handler, opts?: https.ServerOptions) {
  const seen: Seen[] = []
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const s = { method: req.method, url: req.url, headers: req.headers, body }
      seen.push(s)
      handler(s, res, seen.length)
    })
  }
  const srv = opts ? https.createServer(opts, listener) : http.createServer(listener)
  servers.push(srv)
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as AddressInfo).port
  return { url: `${opts ? 'https' : 'http'}://127.0.0.1:${port}`, seen }
}

const json = (res: http.ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
const vector = (value: string, metric: Record<string, string> = { model: 'churn' }) => ({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric, value: [1700000000.5, value] }] },
})

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e as PrometheusError,
  )

describe('PrometheusClient', () => {
  it('runs an instant query and normalizes the vector', async () => {
    const { url, seen } = await serve((_r, res) => json(res, 200, vector('0.5')))
    const r = await new PrometheusClient({ url }).query('up', new Date(1_700_000_000_000))
    expect(r.resultType).toBe('vector')
    expect(r.series).toEqual([{ labels: { model: 'churn' }, points: [[1_700_000_000_500, 0.5]] }])
    expect(seen[0]!.url).toBe('/api/v1/query')
    expect(new URLSearchParams(seen[0]!.body).get('query')).toBe('up')
    expect(new URLSearchParams(seen[0]!.body).get('time')).toBe('1700000000')
  })

  it('runs a range query with start, end and step; keeps a path prefix', async () => {
    const { url, seen } = await serve((_r, res) =>
      json(res, 200, {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: {},
              values: [
                [10, '1'],
                [20, 'NaN'],
              ],
            },
          ],
        },
      }),
    )
    const r = await new PrometheusClient({ url: `${url}/prom/` }).queryRange('x', {
      start: new Date(10_000),
      end: new Date(20_000),
      stepMs: 10_000,
    })
    expect(seen[0]!.url).toBe('/prom/api/v1/query_range')
    expect(Object.fromEntries(new URLSearchParams(seen[0]!.body))).toEqual({
      query: 'x',
      start: '10',
      end: '20',
      step: '10',
    })
    expect(r.series[0]!.points[0]).toEqual([10_000, 1])
    expect(Number.isNaN(r.series[0]!.points[1]![1])).toBe(true)
  })

  it('normalizes a scalar to one unlabeled series', async () => {
    const { url } = await serve((_r, res) =>
      json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [5, '42'] } }),
    )
    expect((await new PrometheusClient({ url }).query('42')).series).toEqual([
      { labels: {}, points: [[5000, 42]] },
    ])
  })

  it.each([
    ['bearer token', { bearerToken: 'tok' }, 'Bearer tok'],
    [
      'basic auth',
      { basicAuth: { username: 'u', password: 'p:w' } },
      `Basic ${Buffer.from('u:p:w').toString('base64')}`,
    ],
  ])('sends %s and extra headers', async (_n, auth, expected) => {
    const { url, seen } = await serve((_r, res) => json(res, 200, vector('1')))
    await new PrometheusClient({ url, ...auth, headers: { 'X-Scope-OrgID': 'team-a' } }).query('up')
    expect(seen[0]!.headers.authorization).toBe(expected)
    expect(seen[0]!.headers['x-scope-orgid']).toBe('team-a')
  })

  it('turns 400 bad_data into a PromQL error quoting the parser', async () => {
    const { url, seen } = await serve((_r, res) =>
      json(res, 400, {
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "query": 1:5: parse error: unexpected end of input',
      }),
    )
    const e = await rejection(new PrometheusClient({ url, backoffMs: 1 }).query('sum('))
    expect(e).toBeInstanceOf(PrometheusError)
    expect(e.kind).toBe('bad-query')
    expect(e.message).toBe(
      'Prometheus rejected the query `sum(`: invalid parameter "query": 1:5: parse error: unexpected end of input',
    )
    expect(seen).toHaveLength(1) // never retried
  })

  it('turns a 422 execution error into a query error', async () => {
    const { url } = await serve((_r, res) =>
      json(res, 422, { status: 'error', errorType: 'execution', error: 'many-to-many matching not allowed' }),
    )
    const e = await rejection(new PrometheusClient({ url }).query('a / b'))
    expect(e.kind).toBe('bad-query')
    expect(e.message).toBe(
      'Prometheus could not evaluate the query `a / b`: many-to-many matching not allowed',
    )
  })

  it.each([401, 403])('fails at once on %i, pointing at the credentials', async (status) => {
    const { url, seen } = await serve((_r, res) => res.writeHead(status).end('Unauthorized'))
    const e = await rejection(new PrometheusClient({ url, bearerToken: 'x', backoffMs: 1 }).query('up'))
    expect(e.kind).toBe('unauthorized')
    expect(e.message).toContain(`refused the credentials (${status}: Unauthorized)`)
    expect(seen).toHaveLength(1)
  })

  it('retries 5xx answers, then succeeds', async () => {
    const { url, seen } = await serve((_r, res, n) =>
      n < 3 ? res.writeHead(503).end('overloaded') : json(res, 200, vector('2')),
    )
    const r = await new PrometheusClient({ url, retries: 2, backoffMs: 1 }).query('up')
    expect(r.series[0]!.points[0]![1]).toBe(2)
    expect(seen).toHaveLength(3)
  })

  it('gives up after the retries with the last 5xx', async () => {
    const { url, seen } = await serve((_r, res) => res.writeHead(502).end('bad gateway'))
    const e = await rejection(new PrometheusClient({ url, retries: 1, backoffMs: 1 }).query('up'))
    expect(e.kind).toBe('server')
    expect(e.message).toContain('failed (502: bad gateway)')
    expect(seen).toHaveLength(2)
  })

  it('times out and retries a request that hangs', async () => {
    const { url, seen } = await serve((_r, res, n) => {
      if (n > 1) json(res, 200, vector('3'))
    })
    const r = await new PrometheusClient({ url, timeoutMs: 200, retries: 1, backoffMs: 1 }).query('up')
    expect(r.series[0]!.points[0]![1]).toBe(3)
    expect(seen).toHaveLength(2)
  })

  it('names the URL when the connection is refused, without retrying', async () => {
    const port = await freePort()
    const e = await rejection(new PrometheusClient({ url: `http://127.0.0.1:${port}` }).query('up'))
    expect(e.kind).toBe('unavailable')
    expect(e.message).toBe(
      `Prometheus at http://127.0.0.1:${port} refused the connection (ECONNREFUSED): is it running, and is 'prometheus-url' right?`,
    )
  })

  it('says so when the URL is not the Prometheus API', async () => {
    const { url } = await serve((_r, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'),
    )
    const e = await rejection(new PrometheusClient({ url }).query('up'))
    expect(e.kind).toBe('bad-response')
    expect(e.message).toContain('did not answer like the Prometheus HTTP API')
  })

  it('says the base URL is wrong on a 404', async () => {
    const { url } = await serve((_r, res) => res.writeHead(404).end('404 page not found'))
    const e = await rejection(new PrometheusClient({ url: `${url}/api/v1` }).query('up'))
    expect(e.kind).toBe('bad-config')
    expect(e.message).toContain("is 'prometheus-url' the server's base URL (without /api/v1)?")
  })

  it('rejects a URL that is not http(s)', () => {
    expect(() => new PrometheusClient({ url: 'prometheus:9090' })).toThrow(/must start with http/)
    expect(() => new PrometheusClient({ url: 'http://p', caFile: '/nonexistent/ca.pem' })).toThrow(
      /Cannot read the CA file/,
    )
  })

  const haveOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'])
      return true
    } catch {
      return false
    }
  })()

  // openssl makes the test certificate; .ci/run installs it, so CI never skips this.
  it.skipIf(!haveOpenssl && process.env.CI !== 'true')(
    'trusts a private CA given as a CA file, and refuses without it',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'prom-ca-'))
      const f = (n: string) => path.join(dir, n)
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          f('key.pem'),
          '-out',
          f('cert.pem'),
        ],
        { stdio: 'ignore' },
      )
      const { url } = await serve((_r, res) => json(res, 200, vector('4')), {
        key: readFileSync(f('key.pem')),
        cert: readFileSync(f('cert.pem')),
      })
      const r = await new PrometheusClient({ url, caFile: f('cert.pem') }).query('up')
      expect(r.series[0]!.points[0]![1]).toBe(4)
      const e = await rejection(new PrometheusClient({ url, retries: 0 }).query('up'))
      expect(e.message).toMatch(/certificate/i)
    },
  )
})

describe('graphUrl', () => {
  it('links the query to the graph page over the window', () => {
    const u = new URL(graphUrl('http://p:9090/', 'sum(rate(x[5m]))', 2 * 3_600_000))
    expect(u.pathname).toBe('/graph')
    expect(u.searchParams.get('g0.expr')).toBe('sum(rate(x[5m]))')
    expect(u.searchParams.get('g0.range_input')).toBe('120m')
  })
})
