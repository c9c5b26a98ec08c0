import { existsSync, readFileSync } from 'node:fs'
import * as core from '@actions/core'
import * as inputs from '../../../shared/action/inputs.js'
import type { MlopsConfig } from '../../../shared/config/mlops-config.js'
import {
  type CheckInput,
  DEFAULT_CHECKS,
  ON_NO_DATA,
  type OnNoData,
  parseAnalysisInput,
} from '../../../shared/deploy/analysis.js'
import { PROVIDERS, type ProviderName, type ProviderSpec } from '../../../shared/deploy/providers.js'
import { InputError } from '../../../shared/errors.js'
import { parseDuration } from '../../../shared/util/duration.js'

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
  Config: 'config',
  GithubToken: 'github-token',
} as const

export const Output = {
  Result: 'result',
  FinalWeight: 'final-weight',
  Analysis: 'analysis',
  DurationSeconds: 'duration-seconds',
} as const

export const DEFAULT_STEPS = [5, 25, 50, 100] as const
export const DEFAULT_INTERVAL_MS = 60_000
export const DEFAULT_MAX_WAIT_MS = 300_000

export interface Settings {
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
  readonly failOnRollback: boolean
  readonly prometheusUrl: string
  readonly prometheusToken?: string
  readonly variants: { readonly canary: string; readonly stable: string }
  readonly config: string
}

/** Reads every input once; an input given to the action wins over `deploy:` in mlops.yaml. */
export function getSettings(config: MlopsConfig, configPath: string): Settings {
  const d = config.deploy ?? {}
  const version = inputs.optional(Input.Version)
  const image = inputs.optional(Input.Image)
  const model = inputs.optional(Input.Model) ?? config.model?.name
  if (!model) throw new InputError(Input.Model, 'is required', `Set it, or 'model.name' in ${configPath}`)
  const stepsRaw = inputs.list(Input.Steps)
  const steps = stepsRaw.length
    ? stepsRaw.map((s) => {
        const n = Number(s.replace(/%$/, ''))
        if (!Number.isInteger(n))
          throw new InputError(Input.Steps, `must be whole percentages like 5,25,50,100; got '${s}'`)
        return n
      })
    : (d.steps ?? [...DEFAULT_STEPS])
  const prometheusUrl =
    inputs.optional(Input.PrometheusUrl) ?? d.prometheus_url ?? config.monitor?.prometheus_url
  if (!prometheusUrl)
    throw new InputError(
      Input.PrometheusUrl,
      'is required',
      `Set it, or 'deploy.prometheus_url' in ${configPath}`,
    )
  const providerName = inputs.oneOf<ProviderName>(Input.Provider, PROVIDERS, d.provider ?? 'nginx')

  const s: Settings = {
    provider: providerSpec(providerName, config, { image, version }),
    model,
    version,
    image,
    steps,
    intervalMs: inputs.duration(Input.Interval) ?? parseDuration(d.interval ?? '') ?? DEFAULT_INTERVAL_MS,
    checks: analysisChecks(config),
    failureLimit: inputs.number(Input.FailureLimit, { min: 1, integer: true }) ?? d.failure_limit ?? 1,
    minRequests: inputs.number(Input.MinRequests, { min: 0 }) ?? d.min_requests ?? 0,
    onNoData: inputs.oneOf<OnNoData>(Input.OnNoData, ON_NO_DATA, d.on_no_data ?? 'wait'),
    maxWaitMs: inputs.duration(Input.MaxWait) ?? parseDuration(d.max_wait ?? '') ?? DEFAULT_MAX_WAIT_MS,
    failOnRollback: inputs.bool(Input.FailOnRollback, true),
    prometheusUrl,
    prometheusToken: inputs.secret(Input.PrometheusToken),
    variants: {
      canary: inputs.optional(Input.CanaryVariant) ?? 'canary',
      stable: inputs.optional(Input.StableVariant) ?? 'stable',
    },
    config: configPath,
  }
  core.debug(`settings: ${JSON.stringify({ ...s, prometheusToken: s.prometheusToken ? '***' : '' })}`)
  return s
}

/** The `analysis` input: YAML/JSON text, or the path of a file holding it; else mlops.yaml; else defaults. */
function analysisChecks(config: MlopsConfig): readonly CheckInput[] {
  const raw = inputs.optional(Input.Analysis)?.trim()
  if (!raw) return config.deploy?.analysis ?? DEFAULT_CHECKS
  const isFile = !raw.includes('\n') && /\.(ya?ml|json)$/.test(raw)
  if (isFile) {
    if (!existsSync(raw)) throw new InputError(Input.Analysis, `names a file that does not exist: '${raw}'`)
    return parseAnalysisInput(readFileSync(raw, 'utf8'), raw)
  }
  return parseAnalysisInput(raw)
}

/** The provider's own settings, only read (and required) for the chosen provider. */
function providerSpec(
  name: ProviderName,
  config: MlopsConfig,
  canary: { image?: string; version?: string },
): ProviderSpec {
  const d = config.deploy ?? {}
  switch (name) {
    case 'nginx': {
      const n = d.nginx ?? {}
      const stable = orConfig(inputs.list(Input.StableServers), n.stable)
      const canaryServers = orConfig(inputs.list(Input.CanaryServers), n.canary)
      const upstreamFile = inputs.optional(Input.NginxUpstreamFile) ?? n.upstream_file
      if (!upstreamFile) throw new InputError(Input.NginxUpstreamFile, 'is required with provider nginx')
      if (!stable.length) throw new InputError(Input.StableServers, 'is required with provider nginx')
      if (!canaryServers.length) throw new InputError(Input.CanaryServers, 'is required with provider nginx')
      return {
        provider: 'nginx',
        upstreamFile,
        upstreamName: inputs.optional(Input.NginxUpstreamName) ?? n.upstream_name ?? 'model',
        stable,
        canary: canaryServers,
        mainConfig: inputs.optional(Input.NginxConfig) ?? n.config,
        extraArgs: inputs.lines(Input.NginxArgs).flatMap((l) => l.split(/\s+/)),
      }
    }
    case 'command': {
      const c = d.command ?? {}
      const setWeight = inputs.optional(Input.SetWeightCommand) ?? c.set_weight
      if (!setWeight) throw new InputError(Input.SetWeightCommand, 'is required with provider command')
      return {
        provider: 'command',
        setWeight,
        promote: inputs.optional(Input.PromoteCommand) ?? c.promote,
        rollback: inputs.optional(Input.RollbackCommand) ?? c.rollback,
        ...canary,
      }
    }
    case 'kubernetes':
      throw new InputError(Input.Provider, "'kubernetes' is not available in this release yet")
  }
}

const orConfig = (given: string[], fromConfig: readonly string[] | undefined) =>
  given.length ? given : [...(fromConfig ?? [])]
