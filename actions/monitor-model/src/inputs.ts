import * as core from '@actions/core'
import * as inputs from '../../../shared/action/inputs.js'
import { InputError } from '../../../shared/errors.js'

export const Input = {
  PrometheusUrl: 'prometheus-url',
  Rules: 'rules',
  Model: 'model',
  Labels: 'labels',
  CloseResolved: 'close-resolved',
  CommentInterval: 'comment-interval',
  DispatchWorkflow: 'dispatch-workflow',
  DispatchRef: 'dispatch-ref',
  DispatchInputs: 'dispatch-inputs',
  Cooldown: 'cooldown',
  Window: 'window',
  PrometheusToken: 'prometheus-token',
  PrometheusUsername: 'prometheus-username',
  PrometheusPassword: 'prometheus-password',
  PrometheusHeaders: 'prometheus-headers',
  PrometheusCaFile: 'prometheus-ca-file',
  PrometheusTimeout: 'prometheus-timeout',
  PrometheusRetries: 'prometheus-retries',
  DryRun: 'dry-run',
  Config: 'config',
  GithubToken: 'github-token',
} as const

export const Output = {
  Breached: 'breached',
  Issues: 'issues',
  Dispatched: 'dispatched',
  RunRecord: 'run-record',
} as const

/** What the step was given; empty values fall back to the config file in `main`. */
export interface Settings {
  readonly prometheusUrl?: string
  /** Raw `rules` (inline YAML or a file path); parsed in main so errors point at lines. */
  readonly rules?: string
  readonly model?: string
  readonly labels: readonly string[]
  readonly closeResolved: boolean
  /** Durations as written, so they show in messages as the user wrote them. */
  readonly commentInterval?: string
  readonly cooldown?: string
  readonly window?: string
  readonly dispatchWorkflow?: string
  readonly dispatchRef?: string
  readonly dispatchInputs?: string
  readonly prometheusToken?: string
  readonly prometheusUsername?: string
  readonly prometheusPassword?: string
  readonly prometheusHeaders: Readonly<Record<string, string>>
  readonly prometheusCaFile?: string
  readonly prometheusTimeoutMs: number
  readonly prometheusRetries: number
  readonly dryRun: boolean
  readonly config: string
  readonly token?: string
}

function headers(name: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of inputs.lines(name)) {
    const i = line.indexOf(':')
    if (i <= 0) throw new InputError(name, `has a line that is not 'Name: value': '${line.slice(0, 40)}'`)
    const value = line.slice(i + 1).trim()
    if (value) core.setSecret(value)
    out[line.slice(0, i).trim()] = value
  }
  return out
}

function durationText(name: string): string | undefined {
  // Validates now (fails with the input's name); keeps the text for messages.
  inputs.duration(name)
  return inputs.optional(name)
}

export function getSettings(): Settings {
  const s: Settings = {
    prometheusUrl: inputs.optional(Input.PrometheusUrl),
    rules: inputs.optional(Input.Rules),
    model: inputs.optional(Input.Model),
    labels: inputs.list(Input.Labels),
    closeResolved: inputs.bool(Input.CloseResolved, false),
    commentInterval: durationText(Input.CommentInterval),
    cooldown: durationText(Input.Cooldown),
    window: durationText(Input.Window),
    dispatchWorkflow: inputs.optional(Input.DispatchWorkflow),
    dispatchRef: inputs.optional(Input.DispatchRef),
    dispatchInputs: inputs.optional(Input.DispatchInputs),
    prometheusToken: inputs.secret(Input.PrometheusToken),
    prometheusUsername: inputs.optional(Input.PrometheusUsername),
    prometheusPassword: inputs.secret(Input.PrometheusPassword),
    prometheusHeaders: headers(Input.PrometheusHeaders),
    prometheusCaFile: inputs.optional(Input.PrometheusCaFile),
    prometheusTimeoutMs: inputs.duration(Input.PrometheusTimeout) ?? 30_000,
    prometheusRetries: inputs.number(Input.PrometheusRetries, { min: 0, max: 10, integer: true }) ?? 2,
    dryRun: inputs.bool(Input.DryRun, false),
    config: inputs.optional(Input.Config) ?? 'mlops.yaml',
    token: inputs.secret(Input.GithubToken),
  }
  core.debug(
    `settings: ${JSON.stringify({
      ...s,
      prometheusToken: s.prometheusToken ? '***' : '',
      prometheusPassword: s.prometheusPassword ? '***' : '',
      prometheusHeaders: Object.keys(s.prometheusHeaders),
      token: s.token ? '***' : '',
    })}`,
  )
  return s
}
