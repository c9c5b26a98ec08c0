import type { KubernetesObjectApi } from '@kubernetes/client-node'
import { errorMessage } from '../errors.js'
import type { Logger } from '../util/logger.js'
import {
  canaryDeployment,
  canaryIngress,
  canaryName,
  canaryService,
  httpRoute,
  type K8sObject,
  type KubernetesOptions,
  MANAGER,
  promotedStable,
  validateObject,
} from './kubernetes-manifests.js'
import { checkWeight, ProviderError, type TrafficProvider, type TrafficState } from './provider.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The API error's status code and message, from @kubernetes/client-node 1.x's ApiException. */
function apiError(e: unknown): { code?: number; message: string } {
  const x = e as { code?: number; body?: unknown }
  let body = x.body
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body)
    } catch {
      /* keep the text */
    }
  }
  const msg =
    (body as { message?: string } | undefined)?.message ?? (typeof body === 'string' ? body : errorMessage(e))
  return { code: x.code, message: msg.split('\n')[0] ?? msg }
}

/**
 * The `kubernetes` provider: a canary Deployment and Service next to the user's stable ones, and traffic by
 * Gateway API HTTPRoute weights or NGINX Ingress canary annotations. Every object is validated with
 * kubernetes-models, then sent with server-side apply (field manager `mlops-deploy-canary`, forced).
 * `@kubernetes/client-node` and kubernetes-models are imported only when this provider is used.
 */
export class KubernetesProvider implements TrafficProvider {
  readonly name = 'kubernetes'
  private api?: KubernetesObjectApi
  private stable?: K8sObject

  constructor(
    private readonly o: KubernetesOptions,
    private readonly log: Logger,
  ) {}

  private async client(): Promise<KubernetesObjectApi> {
    if (this.api) return this.api
    const k8s = await import('@kubernetes/client-node')
    const kc = new k8s.KubeConfig()
    try {
      if (this.o.kubeconfig) kc.loadFromFile(this.o.kubeconfig)
      else kc.loadFromDefault()
    } catch (e) {
      throw new ProviderError(`kubernetes: cannot load the kubeconfig: ${errorMessage(e)}`)
    }
    if (!kc.getCurrentCluster())
      throw new ProviderError(
        "kubernetes: no cluster in the kubeconfig; set 'kubeconfig' or KUBECONFIG (e.g. after azure/aks-set-context or aws eks update-kubeconfig)",
      )
    this.api = k8s.KubernetesObjectApi.makeApiClient(kc)
    return this.api
  }

  private async read(apiVersion: string, kind: string, name: string): Promise<K8sObject | undefined> {
    const api = await this.client()
    try {
      return (await api.read({
        apiVersion,
        kind,
        metadata: { name, namespace: this.o.namespace },
      })) as K8sObject
    } catch (e) {
      const err = apiError(e)
      if (err.code === 404) return undefined
      throw new ProviderError(
        `kubernetes: reading ${kind} ${this.o.namespace}/${name} failed (${err.code ?? 'no answer'}): ${err.message}`,
      )
    }
  }

  private async apply(obj: K8sObject): Promise<void> {
    await validateObject(obj)
    const api = await this.client()
    try {
      const k8s = await import('@kubernetes/client-node')
      await api.patch(obj, undefined, undefined, MANAGER, true, k8s.PatchStrategy.ServerSideApply)
    } catch (e) {
      const err = apiError(e)
      throw new ProviderError(
        `kubernetes: applying ${obj.kind} ${this.o.namespace}/${obj.metadata.name} failed (${err.code ?? 'no answer'}): ${err.message}`,
      )
    }
  }

  private async stableDeployment(): Promise<K8sObject> {
    if (this.stable) return this.stable
    const d = await this.read('apps/v1', 'Deployment', this.o.name)
    if (!d)
      throw new ProviderError(
        `kubernetes: the stable Deployment ${this.o.namespace}/${this.o.name} does not exist`,
      )
    this.stable = d
    return d
  }

  private async route(weight: number): Promise<void> {
    if (this.o.routing === 'gateway-api') {
      await this.apply(httpRoute(this.o, weight))
      return
    }
    const ingressName = this.o.ingress ?? this.o.name
    const stable = await this.read('networking.k8s.io/v1', 'Ingress', ingressName)
    if (!stable)
      throw new ProviderError(
        `kubernetes: the stable Ingress ${this.o.namespace}/${ingressName} does not exist`,
      )
    await this.apply(canaryIngress(stable, this.o, weight))
  }

  async prepare(): Promise<void> {
    const stable = await this.stableDeployment()
    await this.apply(canaryService(this.o))
    await this.route(0)
    await this.apply(canaryDeployment(stable, this.o, this.o.canaryReplicas))
    await this.waitReady(canaryName(this.o), 'the canary')
    this.log.info(`kubernetes: canary ${this.o.namespace}/${canaryName(this.o)} is ready (${this.o.image})`)
  }

  async setWeight(canaryWeight: number): Promise<void> {
    await this.route(checkWeight(canaryWeight))
    this.log.info(`kubernetes: ${this.o.routing} sends ${canaryWeight} % to the canary`)
  }

  /** Flagger's order: all traffic to the canary, roll the stable Deployment to the canary's image, wait, route back to stable, scale the canary to 0. */
  async promote(): Promise<void> {
    const stable = await this.stableDeployment()
    await this.route(100)
    await this.apply(promotedStable(stable, this.o))
    await this.waitReady(this.o.name, 'the stable Deployment with the new image')
    await this.route(0)
    await this.apply(canaryDeployment(stable, this.o, 0))
    this.log.info(
      `kubernetes: ${this.o.namespace}/${this.o.name} now runs ${this.o.image}; canary scaled to 0`,
    )
  }

  async rollback(): Promise<void> {
    await this.route(0)
    const stable = await this.stableDeployment()
    await this.apply(canaryDeployment(stable, this.o, 0))
    this.log.info('kubernetes: all traffic on stable; canary scaled to 0')
  }

  async state(): Promise<TrafficState> {
    if (this.o.routing === 'gateway-api') {
      const r = await this.read('gateway.networking.k8s.io/v1', 'HTTPRoute', this.o.route ?? this.o.name)
      const refs =
        (r?.spec as { rules?: Array<{ backendRefs?: Array<{ name: string; weight?: number }> }> } | undefined)
          ?.rules?.[0]?.backendRefs ?? []
      const canary = refs.find((b) => b.name === canaryName(this.o))?.weight ?? 0
      const total = refs.reduce((s, b) => s + (b.weight ?? 1), 0) || 100
      const w = Math.round((canary / total) * 100)
      return { canaryWeight: w, phase: w > 0 ? 'progressing' : 'stable' }
    }
    const ing = await this.read('networking.k8s.io/v1', 'Ingress', canaryName(this.o))
    const w = Number(ing?.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'] ?? 0)
    return { canaryWeight: w, phase: w > 0 ? 'progressing' : 'stable' }
  }

  /** Waits until a Deployment has all its replicas updated and available. */
  private async waitReady(name: string, what: string): Promise<void> {
    const deadline = Date.now() + this.o.rolloutTimeoutMs
    for (;;) {
      const d = await this.read('apps/v1', 'Deployment', name)
      const spec = (d?.spec ?? {}) as { replicas?: number }
      const st = (d?.status ?? {}) as {
        observedGeneration?: number
        updatedReplicas?: number
        availableReplicas?: number
      }
      const want = spec.replicas ?? 1
      const gen = (d?.metadata as { generation?: number } | undefined)?.generation
      if (
        d &&
        (gen === undefined || (st.observedGeneration ?? 0) >= gen) &&
        (st.updatedReplicas ?? 0) >= want &&
        (st.availableReplicas ?? 0) >= want
      )
        return
      if (Date.now() > deadline)
        throw new ProviderError(
          `kubernetes: ${what} (${this.o.namespace}/${name}) did not become ready within ${Math.round(this.o.rolloutTimeoutMs / 1000)} s (${st.availableReplicas ?? 0}/${want} available)`,
        )
      await sleep(1000)
    }
  }
}
