import { existsSync, readFileSync } from 'node:fs'
import type { MlopsConfig } from '../config/mlops-config.js'
import { InputError } from '../errors.js'
import { parseDuration } from '../util/duration.js'
import { type CheckInput, DEFAULT_CHECKS, type OnNoData, parseAnalysisInput } from './analysis.js'
import type { Routing } from './kubernetes-manifests.js'
import type { ProviderName, ProviderSpec } from './providers.js'

/**
 * One resolution of deploy-canary's settings for the action and the CLI: what the user gave (inputs or
 * flags) wins over `deploy:` in mlops.yaml, which wins over the defaults. Errors name the input (or flag)
 * through `names`, so each front end speaks its own vocabulary.
 */

export const DEFAULT_STEPS = [5, 25, 50, 100] as const
export const DEFAULT_INTERVAL_MS = 60_000
export const DEFAULT_MAX_WAIT_MS = 300_000

/** What the user gave, already type-checked by the front end; undefined/empty when not given. */
export interface GivenDeploy {
  readonly provider?: ProviderName
  readonly model?: string
  readonly version?: string
  readonly image?: string
  readonly steps?: readonly string[]
  readonly intervalMs?: number
  /** YAML text, or the path of a YAML/JSON file. */
  readonly analysis?: string
  readonly failureLimit?: number
  readonly minRequests?: number
  readonly onNoData?: OnNoData
  readonly maxWaitMs?: number
  readonly prometheusUrl?: string
  readonly canaryVariant?: string
  readonly stableVariant?: string
  readonly nginxUpstreamFile?: string
  readonly nginxUpstreamName?: string
  readonly nginxConfig?: string
  readonly nginxArgs?: readonly string[]
  readonly stableServers?: readonly string[]
  readonly canaryServers?: readonly string[]
  readonly setWeightCommand?: string
  readonly promoteCommand?: string
  readonly rollbackCommand?: string
  readonly routing?: Routing
  readonly namespace?: string
  readonly deployment?: string
  readonly service?: string
  readonly container?: string
  readonly port?: number
  readonly canaryReplicas?: number
  readonly gateway?: string
  readonly gatewayNamespace?: string
  readonly hostnames?: readonly string[]
  readonly route?: string
  readonly ingress?: string
  readonly kubeconfig?: string
  readonly rolloutTimeoutMs?: number
}

export interface DeploySettings {
  readonly provider: ProviderSpec
  readonly model: string
  readonly version?: string
  readonly image?: string
  readonly steps: readonly number[]
  readonly intervalMs: number
  readonly checks: readonly CheckInput[]
  readonly failureLimit: number
  readonly minRequests: number
  readonly onNoData: OnNoData
  readonly maxWaitMs: number
  readonly prometheusUrl: string
  readonly variants: { readonly canary: string; readonly stable: string }
}

export type Names = Readonly<Record<keyof GivenDeploy, string>>

const nonEmpty = <T>(v: readonly T[] | undefined): readonly T[] | undefined => (v?.length ? v : undefined)

export function resolveDeploy(
  g: GivenDeploy,
  config: MlopsConfig,
  configPath: string,
  names: Names,
): DeploySettings {
  const d = config.deploy ?? {}
  const model = g.model ?? config.model?.name
  if (!model) throw new InputError(names.model, 'is required', `Set it, or 'model.name' in ${configPath}`)
  const given = nonEmpty(g.steps)
  const steps = given
    ? given.map((s) => {
        const n = Number(s.replace(/%$/, ''))
        if (!Number.isInteger(n))
          throw new InputError(names.steps, `must be whole percentages like 5,25,50,100; got '${s}'`)
        return n
      })
    : (d.steps ?? [...DEFAULT_STEPS])
  const prometheusUrl = g.prometheusUrl ?? d.prometheus_url ?? config.monitor?.prometheus_url
  if (!prometheusUrl)
    throw new InputError(
      names.prometheusUrl,
      'is required',
      `Set it, or 'deploy.prometheus_url' in ${configPath}`,
    )
  return {
    provider: providerSpec(g.provider ?? d.provider ?? 'nginx', g, config, names),
    model,
    version: g.version,
    image: g.image,
    steps,
    intervalMs: g.intervalMs ?? parseDuration(d.interval ?? '') ?? DEFAULT_INTERVAL_MS,
    checks: analysisChecks(g.analysis, config, names),
    failureLimit: g.failureLimit ?? d.failure_limit ?? 1,
    minRequests: g.minRequests ?? d.min_requests ?? 0,
    onNoData: g.onNoData ?? d.on_no_data ?? 'wait',
    maxWaitMs: g.maxWaitMs ?? parseDuration(d.max_wait ?? '') ?? DEFAULT_MAX_WAIT_MS,
    prometheusUrl,
    variants: { canary: g.canaryVariant ?? 'canary', stable: g.stableVariant ?? 'stable' },
  }
}

/** The analysis: YAML/JSON text, or the path of a file holding it; else mlops.yaml; else the defaults. */
function analysisChecks(raw: string | undefined, config: MlopsConfig, names: Names): readonly CheckInput[] {
  const text = raw?.trim()
  if (!text) return config.deploy?.analysis ?? DEFAULT_CHECKS
  if (!text.includes('\n') && /\.(ya?ml|json)$/.test(text)) {
    if (!existsSync(text)) throw new InputError(names.analysis, `names a file that does not exist: '${text}'`)
    return parseAnalysisInput(readFileSync(text, 'utf8'), text)
  }
  return parseAnalysisInput(text)
}

/** The provider's own settings, only read (and required) for the chosen provider. */
function providerSpec(name: ProviderName, g: GivenDeploy, config: MlopsConfig, names: Names): ProviderSpec {
  const d = config.deploy ?? {}
  switch (name) {
    case 'nginx': {
      const n = d.nginx ?? {}
      const stable = [...(nonEmpty(g.stableServers) ?? n.stable ?? [])]
      const canary = [...(nonEmpty(g.canaryServers) ?? n.canary ?? [])]
      const upstreamFile = g.nginxUpstreamFile ?? n.upstream_file
      if (!upstreamFile) throw new InputError(names.nginxUpstreamFile, 'is required with provider nginx')
      if (!stable.length) throw new InputError(names.stableServers, 'is required with provider nginx')
      if (!canary.length) throw new InputError(names.canaryServers, 'is required with provider nginx')
      return {
        provider: 'nginx',
        upstreamFile,
        upstreamName: g.nginxUpstreamName ?? n.upstream_name ?? 'model',
        stable,
        canary,
        mainConfig: g.nginxConfig ?? n.config,
        extraArgs: [...(g.nginxArgs ?? [])],
      }
    }
    case 'command': {
      const c = d.command ?? {}
      const setWeight = g.setWeightCommand ?? c.set_weight
      if (!setWeight) throw new InputError(names.setWeightCommand, 'is required with provider command')
      return {
        provider: 'command',
        setWeight,
        promote: g.promoteCommand ?? c.promote,
        rollback: g.rollbackCommand ?? c.rollback,
        image: g.image,
        version: g.version,
      }
    }
    case 'kubernetes': {
      const k = d.kubernetes ?? {}
      const image = g.image
      if (!image) throw new InputError(names.image, 'is required with provider kubernetes (the canary image)')
      const name = g.deployment ?? k.deployment ?? config.model?.name ?? g.model
      if (!name)
        throw new InputError(names.deployment, 'is required with provider kubernetes (the stable Deployment)')
      const routing = g.routing ?? k.routing ?? 'gateway-api'
      const gateway = g.gateway ?? k.gateway
      if (routing === 'gateway-api' && !gateway)
        throw new InputError(
          names.gateway,
          "is required with routing 'gateway-api' (the Gateway the HTTPRoute attaches to)",
        )
      return {
        provider: 'kubernetes',
        namespace: g.namespace ?? k.namespace ?? 'default',
        name,
        image,
        container: g.container ?? k.container,
        service: g.service ?? k.service,
        port: g.port ?? k.port ?? 8080,
        canaryReplicas: g.canaryReplicas ?? k.canary_replicas ?? 1,
        routing,
        route: g.route ?? k.route,
        gateway,
        gatewayNamespace: g.gatewayNamespace ?? k.gateway_namespace,
        hostnames: [...(nonEmpty(g.hostnames) ?? k.hostnames ?? [])],
        ingress: g.ingress ?? k.ingress,
        model: g.model ?? config.model?.name,
        version: g.version,
        kubeconfig: g.kubeconfig,
        rolloutTimeoutMs: g.rolloutTimeoutMs ?? parseDuration(k.rollout_timeout ?? '') ?? 300_000,
      }
    }
  }
}
