import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OciRegistry } from '../../shared/registry/backends/oci.js'
import { openRegistry } from '../../shared/registry/open.js'
import { silentLogger } from '../../shared/util/logger.js'
import {
  freePort,
  hasDockerRegistry,
  type OciRegistryServer,
  startOciRegistry,
} from '../harness/oci-registry.js'
import { info, modelDir, registryContract } from '../unit/registry-contract.js'

// In CI a missing docker-registry fails the run (startOciRegistry throws); only a developer machine without
// it skips.
const run = process.env.CI === 'true' || hasDockerRegistry()

let server: OciRegistryServer
let ns = 0
beforeAll(async () => {
  if (run) server = await startOciRegistry()
})
afterAll(() => server?.close())

// A short settle time keeps the suite quick; every racing write on loopback lands well within it.
const open = (
  over: Partial<ConstructorParameters<typeof OciRegistry>[1]> = {},
  namespace = `team${++ns}/models`,
) => new OciRegistry(`${server.host}/${namespace}`, { log: silentLogger, ...over }, { settleMs: 300 })

describe.runIf(run)('oci backend against a real docker-registry', () => {
  registryContract('oci (docker-registry 2.8)', {
    concurrency: true,
    async open() {
      const namespace = `team${++ns}/models`
      return { registry: open({}, namespace), another: () => open({}, namespace) }
    },
  })

  it('stores a version as an OCI artifact: artifactType, file layers, lineage and metrics annotations, tags', async () => {
    const namespace = `team${++ns}/models`
    const reg = open({}, namespace)
    const r = await reg.register({
      name: 'churn',
      modelPath: await modelDir({ 'model.json': '{}' }),
      info: info('r1'),
    })
    await reg.setAlias('churn', 'production', 1)
    expect(r.version.uri).toMatch(new RegExp(`^${server.host}/${namespace}/churn@sha256:[0-9a-f]{64}$`))
    const repo = `${server.url}/v2/${namespace}/churn`
    const tags = (await (await fetch(`${repo}/tags/list`)).json()) as { tags: string[] }
    expect(tags.tags.sort()).toEqual(['claim-v1', 'move-000001', 'production', 'v1'])
    const get = async (ref: string) =>
      (
        await fetch(`${repo}/manifests/${ref}`, {
          headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
        })
      ).json() as Promise<{
        artifactType: string
        layers: { annotations: Record<string, string> }[]
        annotations: Record<string, string>
      }>
    const m = await get('v1')
    expect(m.artifactType).toBe('application/vnd.mlops-actions.model.v1+json')
    expect(m.layers.map((l) => l.annotations['org.opencontainers.image.title'])).toEqual([
      'model.json',
      'MODEL_CARD.md',
    ])
    expect(m.annotations).toMatchObject({
      'org.opencontainers.image.version': '1',
      'org.opencontainers.image.revision': 'a'.repeat(40),
      'org.opencontainers.image.source': 'https://github.com/octo-org/ml-repo',
      'dev.mlops-actions.run-id': 'r1',
      'dev.mlops-actions.metrics': JSON.stringify({ accuracy: 0.91, f1: 0.88 }),
    })
    expect(await get('production')).toEqual(m)
  })

  it('refuses a name OCI cannot store, and reports an unreachable registry and a 5xx clearly', async () => {
    const reg = open()
    await expect(
      reg.register({ name: 'churn_-x', modelPath: await modelDir({ m: 'x' }), info: info('r1') }),
    ).rejects.toThrow(/cannot be stored in an OCI registry/)
    const down = new OciRegistry(`127.0.0.1:${await freePort()}/models`, { log: silentLogger })
    await expect(down.versions('churn')).rejects.toThrow(/Could not reach the OCI registry/)
    const failing = createServer((_q, s) => s.writeHead(503).end('maintenance'))
    const port = await listen(failing)
    const five = new OciRegistry(`127.0.0.1:${port}/models`, { log: silentLogger })
    await expect(
      five.register({ name: 'churn', modelPath: await modelDir({ m: 'x' }), info: info('r1') }),
    ).rejects.toThrow(/failed to list the tags.*\(503\): maintenance/)
    failing.close()
  })

  it('follows the Bearer challenge: token from the realm with basic credentials; 401 with wrong ones', async () => {
    // A token service and an auth-enforcing front for the real registry, as GHCR and Docker Hub do it.
    const issued = new Set<string>()
    const front = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      if (url.pathname === '/token') {
        const ok = req.headers.authorization === `Basic ${Buffer.from('ci-bot:s3cret').toString('base64')}`
        if (!ok) return void res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}')
        const token = `tok-${issued.size}-${url.searchParams.get('scope')}`
        issued.add(token)
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }))
      }
      const auth = req.headers.authorization?.replace(/^Bearer /, '')
      if (!auth || !issued.has(auth)) {
        const scope = /^\/v2\/(.+)\/(manifests|blobs|tags)\//.exec(url.pathname)?.[1]
        return void res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="test"${scope ? `,scope="repository:${scope}:pull,push"` : ''}`,
          })
          .end()
      }
      const chunks: Buffer[] = []
      for await (const c of req) chunks.push(c as Buffer)
      const upstream = await fetch(`${server.url}${req.url}`, {
        method: req.method,
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => !['host', 'authorization', 'connection'].includes(k)),
        ) as Record<string, string>,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
        redirect: 'manual',
      })
      const headers: Record<string, string> = {}
      upstream.headers.forEach((v, k) => {
        if (k === 'location') v = v.replace(server.url, `http://127.0.0.1:${port}`)
        if (k !== 'content-encoding' && k !== 'transfer-encoding') headers[k] = v
      })
      res.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()))
    })
    const port = await listen(front)
    try {
      const good = await openRegistry('oci', `127.0.0.1:${port}/secure`, {
        log: silentLogger,
        username: 'ci-bot',
        password: 's3cret',
      })
      const r = await good.register({
        name: 'churn',
        modelPath: await modelDir({ m: 'x' }),
        info: info('r1'),
      })
      expect(r.version.version).toBe(1)
      expect((await good.get('churn', 1)).digest).toBe(r.version.digest)
      expect(issued.size).toBeGreaterThan(0)

      const bad = new OciRegistry(`127.0.0.1:${port}/secure`, {
        log: silentLogger,
        username: 'ci-bot',
        password: 'nope',
      })
      await expect(bad.versions('churn')).rejects.toThrow(/refused a token.*\(401\)/)
      const anonymous = new OciRegistry(`127.0.0.1:${port}/secure`, { log: silentLogger })
      await expect(anonymous.versions('churn')).rejects.toThrow(/no credentials were given/)
    } finally {
      front.close()
    }
  })
})

function listen(s: Server): Promise<number> {
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)),
  )
}
