import * as core from '@actions/core'
import * as inputs from '../../../shared/action/inputs.js'
import { InputError } from '../../../shared/errors.js'
import type { Task } from '../../../shared/gate/predictions.js'

export const Input = {
  Metrics: 'metrics',
  Baseline: 'baseline',
  Policy: 'policy',
  Predictions: 'predictions',
  BaselinePredictions: 'baseline-predictions',
  Significance: 'significance',
  Task: 'task',
  Seed: 'seed',
  FailOnGate: 'fail-on-gate',
  Model: 'model',
  Config: 'config',
  GithubToken: 'github-token',
} as const

export const Output = {
  Passed: 'passed',
  Decision: 'decision',
  Diff: 'diff',
  Report: 'report',
} as const

export interface Settings {
  readonly metrics: string
  readonly baseline?: string
  /** A file path or inline YAML; kept verbatim (inline YAML needs its newlines). */
  readonly policy?: string
  readonly predictions?: string
  readonly baselinePredictions?: string
  readonly significance?: number
  readonly task: Task | 'auto'
  readonly seed: number
  readonly failOnGate: boolean
  readonly model?: string
  readonly config: string
  readonly token?: string
}

export function getSettings(): Settings {
  const significance = inputs.number(Input.Significance, { min: 0, max: 1 })
  if (significance === 0 || significance === 1)
    throw new InputError(Input.Significance, `must be between 0 and 1 (exclusive); got ${significance}`)
  const s: Settings = {
    metrics: inputs.required(Input.Metrics),
    baseline: inputs.optional(Input.Baseline),
    policy: inputs.optional(Input.Policy),
    predictions: inputs.optional(Input.Predictions),
    baselinePredictions: inputs.optional(Input.BaselinePredictions),
    significance,
    task: inputs.oneOf(Input.Task, ['auto', 'classification', 'regression'] as const, 'auto'),
    seed: inputs.number(Input.Seed, { min: 0, max: 2 ** 32 - 1, integer: true }) ?? 0,
    failOnGate: inputs.bool(Input.FailOnGate, true),
    model: inputs.optional(Input.Model),
    config: inputs.optional(Input.Config) ?? 'mlops.yaml',
    token: inputs.optional(Input.GithubToken),
  }
  core.debug(`settings: ${JSON.stringify({ ...s, token: s.token ? '***' : '' })}`)
  return s
}
