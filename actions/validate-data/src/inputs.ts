import * as core from '@actions/core'
import * as inputs from '../../../shared/action/inputs.js'
import type { DataFormat } from '../../../shared/data/types.js'
import { InputError } from '../../../shared/errors.js'
import type { FailOn } from '../../../shared/validate/report.js'
import { parseShard, type Shard } from '../../../shared/validate/scan.js'

export const Input = {
  Data: 'data',
  Schema: 'schema',
  Reference: 'reference',
  FailOn: 'fail-on',
  Report: 'report',
  ProfileOut: 'profile-out',
  Shard: 'shard',
  Merge: 'merge',
  Delimiter: 'delimiter',
  Format: 'format',
  Threads: 'threads',
  Model: 'model',
  RunRecord: 'run-record',
  Config: 'config',
  GithubToken: 'github-token',
} as const

export const Output = {
  Passed: 'passed',
  Errors: 'errors',
  Warnings: 'warnings',
  Rows: 'rows',
  DriftedColumns: 'drifted-columns',
  DriftShare: 'drift-share',
  Report: 'report',
} as const

export interface Settings {
  readonly data: readonly string[]
  readonly schema?: string
  readonly reference: readonly string[]
  readonly failOn: FailOn
  readonly report: string
  readonly profileOut?: string
  readonly shard?: Shard
  readonly merge: readonly string[]
  readonly delimiter?: string
  readonly format?: DataFormat
  /** Scan worker threads (0: one per core). */
  readonly threads: number
  readonly model?: string
  readonly runRecord?: string
  readonly config: string
}

export function getSettings(): Settings {
  const shardText = inputs.optional(Input.Shard)
  const shard = shardText ? parseShard(shardText) : undefined
  if (shardText && !shard)
    throw new InputError(Input.Shard, `must be 'i/n' with 1 ≤ i ≤ n; got '${shardText}'`, "For example '2/4'")
  const rawDelimiter = inputs.optional(Input.Delimiter)
  const delimiter = rawDelimiter === '\\t' ? '\t' : rawDelimiter
  if (delimiter !== undefined && [...delimiter].length !== 1) {
    throw new InputError(Input.Delimiter, `must be one character; got '${delimiter}'`)
  }
  const format = inputs.oneOf(Input.Format, ['auto', 'csv', 'tsv', 'jsonl', 'parquet'] as const, 'auto')
  const s: Settings = {
    data: inputs.lines(Input.Data),
    schema: inputs.optional(Input.Schema),
    reference: inputs.lines(Input.Reference),
    failOn: inputs.oneOf(Input.FailOn, ['error', 'warning', 'never'] as const, 'error'),
    report: inputs.optional(Input.Report) ?? '.mlops/validate-data/report.json',
    profileOut: inputs.optional(Input.ProfileOut),
    shard,
    merge: inputs.lines(Input.Merge),
    delimiter,
    format: format === 'auto' ? undefined : format,
    threads: inputs.number(Input.Threads, { min: 0, max: 64, integer: true }) ?? 0,
    model: inputs.optional(Input.Model),
    runRecord: inputs.optional(Input.RunRecord),
    config: inputs.optional(Input.Config) ?? 'mlops.yaml',
  }
  core.debug(`settings: ${JSON.stringify(s)}`)
  return s
}
