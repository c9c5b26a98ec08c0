import http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A stand-in for the few Kubernetes API endpoints the `kubernetes` provider uses: API discovery
 * (`GET /api/v1`, `GET /apis/<group>/<version>`), `GET` of one object, and server-side apply
 * (`PATCH` with `application/apply-patch+yaml`, `fieldManager`, `force=true`). Objects live in memory;
 * applied fields are merged into them (lists of named items by name, as SSA does for containers and
 * ports); Deployments report all replicas ready unless `stuck` names them. Every request is recorded, and a
 * request the real API server would reject (wrong content type, no field manager, no bearer token) is
 * answered 4xx like it would be.
 */
export interface KubeStandIn {
  readonly url: string
  readonly token: string
  readonly requests: Array<{
    method: string
    path: string
    query: Record<string, string>
    contentType?: string
    body?: unknown
  }>
  objects: Map<string, Record<string, unknown>>
  /** Deployment names that never become ready. */
  stuck: Set<string>
  /** Makes the next apply of this kind fail with this status. */
  failNext?: { kind: string; status: number; message: string }
  put(obj: Record<string, unknown>): void
  get(apiVersion: string, kind: string, namespace: string, name: string): Record<string, unknown> | undefined
  close(): Promise<void>
}

const RESOURCES: Record<string, Array<{ name: string; kind: string }>> = {
  v1: [{ name: 'services', kind: 'Service' }],
  'apps/v1': [{ name: 'deployments', kind: 'Deployment' }],
  'networking.k8s.io/v1': [{ name: 'ingresses', kind: 'Ingress' }],
  'gateway.networking.k8s.io/v1': [{ name: 'httproutes', kind: 'HTTPRoute' }],
}

const plural = (kind: string) =>
  Object.values(RESOURCES)
    .flat()
    .find((r) => r.kind === kind)!.name

const keyOf = (apiVersion: string, resource: string, ns: string, name: string) =>
  `${apiVersion}|${resource}|${ns}|${name}`

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v)

/** Merges like server-side apply does for our objects: maps recursively, lists of named items by name. */
export function merge(base: unknown, patch: unknown): unknown {
  if (isObj(base) && isObj(patch)) {
    const out: Json = { ...base }
    for (const [k, v] of Object.entries(patch)) out[k] = merge(base[k], v)
    return out
  }
  if (
    Array.isArray(base) &&
    Array.isArray(patch) &&
    patch.every((i) => isObj(i) && typeof i.name === 'string')
  ) {
    return patch.map((p) =>
      merge(
        (base as Json[]).find((b) => isObj(b) && b.name === (p as Json).name),
        p,
      ),
    )
  }
  return patch
}

export async function startKubeStandIn(): Promise<KubeStandIn> {
  const token = 'stand-in-token'
  const state: Omit<KubeStandIn, 'url' | 'close'> = {
    token,
    requests: [],
    objects: new Map(),
    stuck: new Set(),
    put(obj) {
      const meta = obj.metadata as Json
      state.objects.set(
        keyOf(
          String(obj.apiVersion),
          plural(String(obj.kind)),
          String(meta.namespace ?? 'default'),
          String(meta.name),
        ),
        { ...obj, metadata: { generation: 1, ...meta } },
      )
    },
    get(apiVersion, kind, ns, name) {
      return state.objects.get(keyOf(apiVersion, plural(kind), ns, name))
    },
  }
  const send = (res: http.ServerResponse, code: number, body: unknown) =>
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  const status = (res: http.ServerResponse, code: number, reason: string, message: string) =>
    send(res, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code })

  const server = http.createServer((req, res) => {
    let text = ''
    req.on('data', (d) => (text += d))
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x')
      const query = Object.fromEntries(u.searchParams)
      const contentType = req.headers['content-type']
      let body: unknown
      try {
        body = text ? JSON.parse(text) : undefined
      } catch {
        body = text
      }
      state.requests.push({ method: req.method ?? '', path: u.pathname, query, contentType, body })
      if (req.headers.authorization !== `Bearer ${token}`)
        return status(res, 401, 'Unauthorized', 'Unauthorized')
      // Discovery
      const disc = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))$/.exec(u.pathname)
      if (disc && req.method === 'GET') {
        const gv = disc[1] ?? disc[2]!
        const list = RESOURCES[gv]
        if (!list)
          return status(res, 404, 'NotFound', `the server could not find the requested resource (${gv})`)
        return send(res, 200, {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: gv,
          resources: list.map((r) => ({
            name: r.name,
            singularName: r.kind.toLowerCase(),
            namespaced: true,
            kind: r.kind,
            verbs: ['get', 'patch'],
          })),
        })
      }
      const m = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))\/namespaces\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(
        u.pathname,
      )
      if (!m) return status(res, 404, 'NotFound', `no route for ${req.method} ${u.pathname}`)
      const apiVersion = m[1] ?? m[2]!
      const [ns, resource, name] = [m[3]!, m[4]!, m[5]!]
      const kind = RESOURCES[apiVersion]?.find((r) => r.name === resource)?.kind
      if (!kind)
        return status(res, 404, 'NotFound', `the server could not find the requested resource (${resource})`)
      const key = keyOf(apiVersion, resource, ns, name)
      if (req.method === 'GET') {
        const obj = state.objects.get(key)
        if (!obj) return status(res, 404, 'NotFound', `${resource} "${name}" not found`)
        return send(res, 200, obj)
      }
      if (req.method === 'PATCH') {
        if (contentType !== 'application/apply-patch+yaml')
          return status(
            res,
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml (got ${contentType})`,
          )
        if (!query.fieldManager)
          return status(res, 422, 'Invalid', 'fieldManager is required for apply requests')
        if (!isObj(body)) return status(res, 400, 'BadRequest', 'the body is not an object')
        const meta = (body.metadata ?? {}) as Json
        if (
          body.kind !== kind ||
          body.apiVersion !== apiVersion ||
          meta.name !== name ||
          (meta.namespace ?? ns) !== ns
        )
          return status(
            res,
            400,
            'BadRequest',
            `the object does not match the URL (${body.apiVersion} ${body.kind} ${String(meta.namespace)}/${String(meta.name)})`,
          )
        if (state.failNext?.kind === kind) {
          const f = state.failNext
          state.failNext = undefined
          return status(res, f.status, 'Forbidden', f.message)
        }
        const old = state.objects.get(key)
        const merged = merge(old ?? {}, body) as Json
        const generation = Number(((old?.metadata ?? {}) as Json).generation ?? 0) + 1
        merged.metadata = {
          ...(merged.metadata as Json),
          generation,
          uid: `uid-${name}`,
          resourceVersion: String(state.requests.length),
        }
        if (kind === 'Deployment') {
          const replicas = Number(((merged.spec ?? {}) as Json).replicas ?? 1)
          const ready = state.stuck.has(name) ? 0 : replicas
          merged.status = {
            observedGeneration: generation,
            replicas,
            updatedReplicas: ready,
            availableReplicas: ready,
            readyReplicas: ready,
          }
        }
        state.objects.set(key, merged)
        return send(res, old ? 200 : 201, merged)
      }
      return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported by the stand-in`)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }) as KubeStandIn
}

/** A kubeconfig pointing at the stand-in. */
export function kubeconfigFor(s: KubeStandIn, namespace = 'default'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{ name: stand-in, cluster: { server: '${s.url}', insecure-skip-tls-verify: true } }]`,
    `users: [{ name: ci, user: { token: ${s.token} } }]`,
    `contexts: [{ name: ci, context: { cluster: stand-in, user: ci, namespace: ${namespace} } }]`,
    'current-context: ci',
    '',
  ].join('\n')
}
