import * as core from '@actions/core'
import * as inputs from '../../../shared/action/inputs.js'
import type { MlopsConfig } from '../../../shared/config/mlops-config.js'
import { ON_NO_DATA, type OnNoData } from '../../../shared/deploy/analysis.js'
import { ROUTINGS, type Routing } from '../../../shared/deploy/kubernetes-manifests.js'
import { PROVIDERS, type ProviderName } from '../../../shared/deploy/providers.js'
import {
  type DeploySettings,
  type GivenDeploy,
  type Names,
  resolveDeploy,
} from '../../../shared/deploy/settings.js'

export const Input = {
  Provider: 'provider',
  Model: 'model',
  Version: 'version',
  Image: 'image',
  Steps: 'steps',
  Interval: 'interval',
  Analysis: 'analysis',
  FailureLimit: 'failure-limit',
  MinRequests: 'min-requests',
  OnNoData: 'on-no-data',
  MaxWait: 'max-wait',
  FailOnRollback: 'fail-on-rollback',
  PrometheusUrl: 'prometheus-url',
  PrometheusToken: 'prometheus-token',
  CanaryVariant: 'canary-variant',
  StableVariant: 'stable-variant',
  NginxUpstreamFile: 'nginx-upstream-file',
  NginxUpstreamName: 'nginx-upstream-name',
  NginxConfig: 'nginx-config',
  NginxArgs: 'nginx-args',
  StableServers: 'stable-servers',
  CanaryServers: 'canary-servers',
  SetWeightCommand: 'set-weight-command',
  PromoteCommand: 'promote-command',
  RollbackCommand: 'rollback-command',
  Routing: 'routing',
  Namespace: 'namespace',
  Deployment: 'deployment',
  Service: 'service',
  Container: 'container',
  Port: 'port',
  CanaryReplicas: 'canary-replicas',
  Gateway: 'gateway',
  GatewayNamespace: 'gateway-namespace',
  Hostnames: 'hostnames',
  Route: 'route',
  Ingress: 'ingress',
  Kubeconfig: 'kubeconfig',
  RolloutTimeout: 'rollout-timeout',
  Config: 'config',
  GithubToken: 'github-token',
} as const

export const Output = {
  Result: 'result',
  FinalWeight: 'final-weight',
  Analysis: 'analysis',
  DurationSeconds: 'duration-seconds',
} as const

export interface Settings extends DeploySettings {
  readonly failOnRollback: boolean
  readonly prometheusToken?: string
  readonly config: string
}

/** Input names for error messages, by setting. */
const NAMES: Names = {
  provider: Input.Provider,
  model: Input.Model,
  version: Input.Version,
  image: Input.Image,
  steps: Input.Steps,
  intervalMs: Input.Interval,
  analysis: Input.Analysis,
  failureLimit: Input.FailureLimit,
  minRequests: Input.MinRequests,
  onNoData: Input.OnNoData,
  maxWaitMs: Input.MaxWait,
  prometheusUrl: Input.PrometheusUrl,
  canaryVariant: Input.CanaryVariant,
  stableVariant: Input.StableVariant,
  nginxUpstreamFile: Input.NginxUpstreamFile,
  nginxUpstreamName: Input.NginxUpstreamName,
  nginxConfig: Input.NginxConfig,
  nginxArgs: Input.NginxArgs,
  stableServers: Input.StableServers,
  canaryServers: Input.CanaryServers,
  setWeightCommand: Input.SetWeightCommand,
  promoteCommand: Input.PromoteCommand,
  rollbackCommand: Input.RollbackCommand,
  routing: Input.Routing,
  namespace: Input.Namespace,
  deployment: Input.Deployment,
  service: Input.Service,
  container: Input.Container,
  port: Input.Port,
  canaryReplicas: Input.CanaryReplicas,
  gateway: Input.Gateway,
  gatewayNamespace: Input.GatewayNamespace,
  hostnames: Input.Hostnames,
  route: Input.Route,
  ingress: Input.Ingress,
  kubeconfig: Input.Kubeconfig,
  rolloutTimeoutMs: Input.RolloutTimeout,
}

/** Reads every input once; an input given to the action wins over `deploy:` in mlops.yaml. */
export function getSettings(config: MlopsConfig, configPath: string): Settings {
  const provider = inputs.optional(Input.Provider)
  const onNoData = inputs.optional(Input.OnNoData)
  const routing = inputs.optional(Input.Routing)
  const given: GivenDeploy = {
    provider: provider ? inputs.oneOf<ProviderName>(Input.Provider, PROVIDERS) : undefined,
    model: inputs.optional(Input.Model),
    version: inputs.optional(Input.Version),
    image: inputs.optional(Input.Image),
    steps: inputs.list(Input.Steps),
    intervalMs: inputs.duration(Input.Interval),
    analysis: inputs.optional(Input.Analysis),
    failureLimit: inputs.number(Input.FailureLimit, { min: 1, integer: true }),
    minRequests: inputs.number(Input.MinRequests, { min: 0 }),
    onNoData: onNoData ? inputs.oneOf<OnNoData>(Input.OnNoData, ON_NO_DATA) : undefined,
    maxWaitMs: inputs.duration(Input.MaxWait),
    prometheusUrl: inputs.optional(Input.PrometheusUrl),
    canaryVariant: inputs.optional(Input.CanaryVariant),
    stableVariant: inputs.optional(Input.StableVariant),
    nginxUpstreamFile: inputs.optional(Input.NginxUpstreamFile),
    nginxUpstreamName: inputs.optional(Input.NginxUpstreamName),
    nginxConfig: inputs.optional(Input.NginxConfig),
    nginxArgs: inputs.lines(Input.NginxArgs).flatMap((l) => l.split(/\s+/)),
    stableServers: inputs.list(Input.StableServers),
    canaryServers: inputs.list(Input.CanaryServers),
    // Commands are bash scripts: kept whole (commas and newlines are theirs).
    setWeightCommand: inputs.optional(Input.SetWeightCommand),
    promoteCommand: inputs.optional(Input.PromoteCommand),
    rollbackCommand: inputs.optional(Input.RollbackCommand),
    routing: routing ? inputs.oneOf<Routing>(Input.Routing, ROUTINGS) : undefined,
    namespace: inputs.optional(Input.Namespace),
    deployment: inputs.optional(Input.Deployment),
    service: inputs.optional(Input.Service),
    container: inputs.optional(Input.Container),
    port: inputs.number(Input.Port, { min: 1, max: 65535, integer: true }),
    canaryReplicas: inputs.number(Input.CanaryReplicas, { min: 1, integer: true }),
    gateway: inputs.optional(Input.Gateway),
    gatewayNamespace: inputs.optional(Input.GatewayNamespace),
    hostnames: inputs.list(Input.Hostnames),
    route: inputs.optional(Input.Route),
    ingress: inputs.optional(Input.Ingress),
    kubeconfig: inputs.optional(Input.Kubeconfig),
    rolloutTimeoutMs: inputs.duration(Input.RolloutTimeout),
  }
  const s: Settings = {
    ...resolveDeploy(given, config, configPath, NAMES),
    failOnRollback: inputs.bool(Input.FailOnRollback, true),
    prometheusToken: inputs.secret(Input.PrometheusToken),
    config: configPath,
  }
  core.debug(`settings: ${JSON.stringify({ ...s, prometheusToken: s.prometheusToken ? '***' : '' })}`)
  return s
}
