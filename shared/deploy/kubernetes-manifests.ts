/**
 * The Kubernetes objects the `kubernetes` provider applies, as plain objects (pure functions, no client), so
 * they can be validated with kubernetes-models and tested without a cluster.
 *
 * - The stable Deployment and Service are the user's; the provider never creates them. On promotion it
 *   applies the stable Deployment back with the canary's image.
 * - The canary Deployment `<name>-canary` is a copy of the stable pod template with the canary image and its
 *   own labels (`app.kubernetes.io/name: <name>-canary`, `variant: canary`), so the stable Service does not
 *   select canary pods; the canary Service `<name>-canary` selects them.
 * - Traffic: an `HTTPRoute` (Gateway API) the action owns, with two weighted backendRefs; or, with
 *   `ingress-nginx`, a canary Ingress `<name>-canary` copying the stable Ingress' rules with the
 *   `nginx.ingress.kubernetes.io/canary-weight` annotation.
 */

export type Routing = 'gateway-api' | 'ingress-nginx'
export const ROUTINGS: readonly Routing[] = ['gateway-api', 'ingress-nginx']

export interface KubernetesOptions {
  readonly namespace: string
  /** Name of the stable Deployment; the canary objects are `<name>-canary`. */
  readonly name: string
  /** The canary image. */
  readonly image: string
  /** Container to set the image on; default the first container of the pod template. */
  readonly container?: string
  /** The stable Service (default `name`). */
  readonly service?: string
  /** Port of both Services. */
  readonly port: number
  readonly canaryReplicas: number
  readonly routing: Routing
  /** gateway-api: the HTTPRoute the action owns (default `name`), its Gateway and hostnames. */
  readonly route?: string
  readonly gateway?: string
  readonly gatewayNamespace?: string
  readonly hostnames?: readonly string[]
  /** ingress-nginx: the stable Ingress (default `name`). */
  readonly ingress?: string
  /** Model name and version, as labels on the canary. */
  readonly model?: string
  readonly version?: string
  /** Path to a kubeconfig; empty uses KUBECONFIG, ~/.kube/config or the in-cluster service account. */
  readonly kubeconfig?: string
  /** How long promotion waits for the stable Deployment to roll out, ms. */
  readonly rolloutTimeoutMs: number
}

/** A Kubernetes object as JSON. */
export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: {
    name: string
    namespace?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    [k: string]: unknown
  }
  spec?: Record<string, unknown>
  [k: string]: unknown
}

export const MANAGER = 'mlops-deploy-canary'
export const canaryName = (o: KubernetesOptions) => `${o.name}-canary`
const canaryLabels = (o: KubernetesOptions) => ({
  'app.kubernetes.io/name': canaryName(o),
  'app.kubernetes.io/managed-by': MANAGER,
  variant: 'canary',
})

/** Drops what the server owns (status, uid, resourceVersion, managedFields...) from an object read back. */
export function stripServerFields(obj: K8sObject): K8sObject {
  const { status: _s, ...rest } = obj
  const {
    uid: _u,
    resourceVersion: _r,
    generation: _g,
    creationTimestamp: _c,
    managedFields: _m,
    selfLink: _l,
    ...meta
  } = obj.metadata as Record<string, unknown>
  return { ...rest, metadata: meta as K8sObject['metadata'] }
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }
  spec: { containers: Array<{ name: string; image?: string; [k: string]: unknown }>; [k: string]: unknown }
}

/** Sets the image on the chosen container of a Deployment's pod template (a copy). */
function withImage(template: PodTemplate, o: KubernetesOptions): PodTemplate {
  const containers = template.spec.containers
  const idx = o.container ? containers.findIndex((c) => c.name === o.container) : 0
  if (idx < 0 || !containers[idx])
    throw new Error(
      `the stable Deployment '${o.name}' has no container '${o.container}' (containers: ${containers.map((c) => c.name).join(', ')})`,
    )
  return {
    ...template,
    spec: {
      ...template.spec,
      containers: containers.map((c, i) => (i === idx ? { ...c, image: o.image } : c)),
    },
  }
}

/** The canary Deployment: the stable pod template, the canary image, its own labels, `replicas` pods. */
export function canaryDeployment(stable: K8sObject, o: KubernetesOptions, replicas: number): K8sObject {
  const template = (stable.spec as { template?: PodTemplate } | undefined)?.template
  if (!template?.spec?.containers?.length)
    throw new Error(`the stable Deployment '${o.name}' has no pod template with containers`)
  const labels = {
    ...canaryLabels(o),
    ...(o.model ? { 'mlops.dev/model': o.model } : {}),
    ...(o.version ? { 'mlops.dev/version': o.version } : {}),
  }
  const t = withImage(template, o)
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: canaryName(o), namespace: o.namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: canaryLabels(o) },
      template: { ...t, metadata: { ...t.metadata, labels: { ...t.metadata?.labels, ...labels } } },
    },
  }
}

/** The stable Deployment with the canary's image: what promotion applies. */
export function promotedStable(stable: K8sObject, o: KubernetesOptions): K8sObject {
  const s = stripServerFields(stable)
  const spec = s.spec as { template: PodTemplate }
  return { ...s, spec: { ...s.spec, template: withImage(spec.template, o) } }
}

export function canaryService(o: KubernetesOptions): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: canaryName(o), namespace: o.namespace, labels: canaryLabels(o) },
    spec: {
      selector: canaryLabels(o),
      ports: [{ name: 'http', port: o.port, targetPort: o.port, protocol: 'TCP' }],
    },
  }
}

/** The HTTPRoute sending `canaryWeight` % to the canary Service and the rest to the stable one. */
export function httpRoute(o: KubernetesOptions, canaryWeight: number): K8sObject {
  if (!o.gateway) throw new Error("routing 'gateway-api' needs the Gateway the HTTPRoute attaches to")
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name: o.route ?? o.name,
      namespace: o.namespace,
      labels: { 'app.kubernetes.io/managed-by': MANAGER },
      annotations: { 'mlops.dev/canary-weight': String(canaryWeight) },
    },
    spec: {
      parentRefs: [{ name: o.gateway, ...(o.gatewayNamespace ? { namespace: o.gatewayNamespace } : {}) }],
      ...(o.hostnames?.length ? { hostnames: [...o.hostnames] } : {}),
      rules: [
        {
          backendRefs: [
            { name: o.service ?? o.name, port: o.port, weight: 100 - canaryWeight },
            { name: canaryName(o), port: o.port, weight: canaryWeight },
          ],
        },
      ],
    },
  }
}

interface IngressRule {
  host?: string
  http?: {
    paths: Array<{ path?: string; pathType: string; backend: { service?: { name: string; port: unknown } } }>
  }
}

/** The canary Ingress: the stable Ingress' rules pointed at the canary Service, with the canary weight. */
export function canaryIngress(stable: K8sObject, o: KubernetesOptions, canaryWeight: number): K8sObject {
  const spec = (stable.spec ?? {}) as { ingressClassName?: string; rules?: IngressRule[]; tls?: unknown[] }
  if (!spec.rules?.length) throw new Error(`the stable Ingress '${o.ingress ?? o.name}' has no rules to copy`)
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: canaryName(o),
      namespace: o.namespace,
      labels: canaryLabels(o),
      annotations: {
        'nginx.ingress.kubernetes.io/canary': 'true',
        'nginx.ingress.kubernetes.io/canary-weight': String(canaryWeight),
        'nginx.ingress.kubernetes.io/canary-weight-total': '100',
      },
    },
    spec: {
      ...(spec.ingressClassName ? { ingressClassName: spec.ingressClassName } : {}),
      rules: spec.rules.map((r) => ({
        ...r,
        http: r.http && {
          paths: r.http.paths.map((p) => ({
            ...p,
            backend: { service: { name: canaryName(o), port: { number: o.port } } },
          })),
        },
      })),
    },
  }
}

/** Validates an object with kubernetes-models (loaded lazily) before it is sent; the message names it. */
export async function validateObject(obj: K8sObject): Promise<void> {
  const what = `${obj.kind} '${obj.metadata.name}'`
  let model: { validate(): void }
  switch (`${obj.apiVersion}/${obj.kind}`) {
    case 'apps/v1/Deployment': {
      const { Deployment } = await import('kubernetes-models/apps/v1')
      model = new Deployment(obj as never)
      break
    }
    case 'v1/Service': {
      const { Service } = await import('kubernetes-models/v1')
      model = new Service(obj as never)
      break
    }
    case 'networking.k8s.io/v1/Ingress': {
      const { Ingress } = await import('kubernetes-models/networking.k8s.io/v1')
      model = new Ingress(obj as never)
      break
    }
    case 'gateway.networking.k8s.io/v1/HTTPRoute': {
      const { HTTPRoute } = await import('@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1')
      model = new HTTPRoute(obj as never)
      break
    }
    default:
      throw new Error(`no schema to validate ${obj.apiVersion} ${obj.kind}`)
  }
  try {
    model.validate()
  } catch (e) {
    throw new Error(`${what} is not valid: ${(e as Error).message}`)
  }
}
