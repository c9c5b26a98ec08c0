import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KubernetesProvider } from '../../shared/deploy/kubernetes.js'
import {
  canaryDeployment,
  canaryIngress,
  canaryService,
  httpRoute,
  type K8sObject,
  type KubernetesOptions,
  promotedStable,
  validateObject,
} from '../../shared/deploy/kubernetes-manifests.js'
import { silentLogger } from '../../shared/util/logger.js'
import { type KubeStandIn, kubeconfigFor, startKubeStandIn } from '../harness/kube-stand-in.js'

// Objects read back from the stand-in are checked field by field; their full types add nothing here.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Loose = any

const stableDeployment: K8sObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'churn', namespace: 'ml' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'churn' } },
    template: {
      metadata: { labels: { app: 'churn' } },
      spec: {
        containers: [
          { name: 'server', image: 'ghcr.io/acme/churn:1', ports: [{ containerPort: 8080 }] },
          { name: 'sidecar', image: 'envoy:1' },
        ],
      },
    },
  },
}

const stableIngress: K8sObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'churn', namespace: 'ml' },
  spec: {
    ingressClassName: 'nginx',
    rules: [
      {
        host: 'churn.example.com',
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: 'churn', port: { number: 8080 } } },
            },
          ],
        },
      },
    ],
  },
}

const opts = (over: Partial<KubernetesOptions> = {}): KubernetesOptions => ({
  namespace: 'ml',
  name: 'churn',
  image: 'ghcr.io/acme/churn:2',
  container: 'server',
  port: 8080,
  canaryReplicas: 1,
  routing: 'gateway-api',
  gateway: 'public',
  hostnames: ['churn.example.com'],
  model: 'churn',
  version: '2',
  rolloutTimeoutMs: 30_000,
  ...over,
})

describe('kubernetes objects pass kubernetes-models validation', () => {
  it.each([
    ['canary Deployment', () => canaryDeployment(stableDeployment, opts(), 1)],
    ['canary Deployment scaled to 0', () => canaryDeployment(stableDeployment, opts(), 0)],
    [
      'promoted stable Deployment',
      () => promotedStable({ ...stableDeployment, status: { replicas: 3 } }, opts()),
    ],
    ['canary Service', () => canaryService(opts())],
    ['gateway-api HTTPRoute at 25 %', () => httpRoute(opts(), 25)],
    ['gateway-api HTTPRoute at 0 %', () => httpRoute(opts(), 0)],
    [
      'ingress-nginx canary Ingress at 25 %',
      () => canaryIngress(stableIngress, opts({ routing: 'ingress-nginx' }), 25),
    ],
  ])('%s', async (_n, make) => {
    await expect(validateObject(make())).resolves.toBeUndefined()
  })

  it('builds the canary apart from stable: own labels, new image, other containers kept', () => {
    const d = canaryDeployment(stableDeployment, opts(), 2) as {
      metadata: { name: string }
      spec: Record<string, Loose>
    }
    expect(d.metadata.name).toBe('churn-canary')
    expect(d.spec.replicas).toBe(2)
    expect(d.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'churn-canary',
      'app.kubernetes.io/managed-by': 'mlops-deploy-canary',
      variant: 'canary',
    })
    expect(d.spec.template.spec.containers.map((c: { image: string }) => c.image)).toEqual([
      'ghcr.io/acme/churn:2',
      'envoy:1',
    ])
    const route = httpRoute(opts(), 30) as { spec: Record<string, Loose> }
    expect(route.spec.rules[0].backendRefs).toEqual([
      { name: 'churn', port: 8080, weight: 70 },
      { name: 'churn-canary', port: 8080, weight: 30 },
    ])
    const ing = canaryIngress(stableIngress, opts({ routing: 'ingress-nginx' }), 30) as {
      metadata: K8sObject['metadata']
      spec: Record<string, Loose>
    }
    expect(ing.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '30',
    })
    expect(ing.spec.rules[0].http.paths[0].backend).toEqual({
      service: { name: 'churn-canary', port: { number: 8080 } },
    })
  })

  it('rejects an invalid object before it is sent', async () => {
    const bad = httpRoute(opts(), 25) as { spec: Record<string, Loose> } & K8sObject
    bad.spec.rules[0].backendRefs[1].weight = 'heavy'
    await expect(validateObject(bad)).rejects.toThrow(/HTTPRoute 'churn' is not valid/)
    await expect(validateObject(canaryService(opts({ port: 80.5 })))).rejects.toThrow(
      /Service 'churn-canary' is not valid/,
    )
  })

  it('names a missing container', () => {
    expect(() => canaryDeployment(stableDeployment, opts({ container: 'web' }), 1)).toThrow(
      /no container 'web' \(containers: server, sidecar\)/,
    )
  })
})

describe('kubernetes provider against a stand-in API server', () => {
  let api: KubeStandIn
  let kubeconfig: string
  beforeEach(async () => {
    api = await startKubeStandIn()
    api.put(stableDeployment)
    api.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'churn', namespace: 'ml' },
      spec: { ports: [{ port: 8080 }] },
    })
    api.put(stableIngress)
    kubeconfig = path.join(await mkdtemp(path.join(tmpdir(), 'kube-')), 'config')
    await writeFile(kubeconfig, kubeconfigFor(api, 'ml'))
  })
  afterEach(() => api.close())

  const weightsOf = () =>
    (
      (api.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'ml', 'churn')!.spec as Loose).rules[0]
        .backendRefs as Array<{ weight: number }>
    ).map((b) => b.weight)
  const canaryReplicas = () =>
    (api.get('apps/v1', 'Deployment', 'ml', 'churn-canary')!.spec as Loose).replicas

  it('gateway-api: prepares, shifts weights and promotes with server-side apply', async () => {
    const p = new KubernetesProvider(opts({ kubeconfig }), silentLogger)
    await p.prepare()
    expect(weightsOf()).toEqual([100, 0])
    expect(canaryReplicas()).toBe(1)
    await p.setWeight(25)
    expect(weightsOf()).toEqual([75, 25])
    expect(await p.state()).toEqual({ canaryWeight: 25, phase: 'progressing' })
    await p.promote()
    expect(weightsOf()).toEqual([100, 0])
    const stable = api.get('apps/v1', 'Deployment', 'ml', 'churn') as Loose
    expect(stable.spec.template.spec.containers.map((c: { image: string }) => c.image)).toEqual([
      'ghcr.io/acme/churn:2',
      'envoy:1',
    ])
    expect(stable.spec.selector).toEqual({ matchLabels: { app: 'churn' } })
    expect(canaryReplicas()).toBe(0)

    const patches = api.requests.filter((r) => r.method === 'PATCH')
    expect(patches.length).toBeGreaterThan(0)
    for (const r of patches) {
      expect(r.contentType).toBe('application/apply-patch+yaml')
      expect(r.query).toMatchObject({ fieldManager: 'mlops-deploy-canary', force: 'true' })
    }
    expect(patches.map((r) => r.path)).toContain(
      '/apis/gateway.networking.k8s.io/v1/namespaces/ml/httproutes/churn',
    )
    expect(patches.map((r) => r.path)).toContain('/api/v1/namespaces/ml/services/churn-canary')
  })

  it('ingress-nginx: canary Ingress weights, rollback returns to stable and scales the canary to 0', async () => {
    const p = new KubernetesProvider(
      opts({ kubeconfig, routing: 'ingress-nginx', gateway: undefined }),
      silentLogger,
    )
    await p.prepare()
    await p.setWeight(40)
    const ing = () => api.get('networking.k8s.io/v1', 'Ingress', 'ml', 'churn-canary') as Loose
    expect(ing().metadata.annotations['nginx.ingress.kubernetes.io/canary-weight']).toBe('40')
    expect(await p.state()).toEqual({ canaryWeight: 40, phase: 'progressing' })
    await p.rollback()
    expect(ing().metadata.annotations['nginx.ingress.kubernetes.io/canary-weight']).toBe('0')
    expect(canaryReplicas()).toBe(0)
    expect(
      (api.get('apps/v1', 'Deployment', 'ml', 'churn') as Loose).spec.template.spec.containers[0].image,
    ).toBe('ghcr.io/acme/churn:1')
  })

  it('says what the API server refused', async () => {
    const p = new KubernetesProvider(opts({ kubeconfig }), silentLogger)
    await p.prepare()
    api.failNext = {
      kind: 'HTTPRoute',
      status: 403,
      message: 'httproutes.gateway.networking.k8s.io "churn" is forbidden: User "ci" cannot patch',
    }
    await expect(p.setWeight(25)).rejects.toThrow(
      /applying HTTPRoute ml\/churn failed \(403\): httproutes.* is forbidden/,
    )
  })

  it('fails when the canary never becomes ready', async () => {
    api.stuck.add('churn-canary')
    const p = new KubernetesProvider(opts({ kubeconfig, rolloutTimeoutMs: 1500 }), silentLogger)
    await expect(p.prepare()).rejects.toThrow(
      /the canary \(ml\/churn-canary\) did not become ready within 2 s \(0\/1 available\)/,
    )
  })

  it('fails clearly without the stable Deployment', async () => {
    const p = new KubernetesProvider(opts({ kubeconfig, name: 'fraud' }), silentLogger)
    await expect(p.prepare()).rejects.toThrow(/the stable Deployment ml\/fraud does not exist/)
  })
})
