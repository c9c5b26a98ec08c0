import * as core from '@actions/core'
import * as inputs from '../../../shared/action/inputs.js'
import { DEFAULT_RECORDS_DIR } from '../../../shared/run-record/io.js'

export const Input = {
  RunRecords: 'run-records',
  ArtifactPattern: 'artifact-pattern',
  Comment: 'comment',
  Title: 'title',
  Model: 'model',
  Config: 'config',
  GithubToken: 'github-token',
} as const

export const Output = {
  CommentId: 'comment-id',
  CommentIds: 'comment-ids',
  Report: 'report',
  Status: 'status',
} as const

export interface Settings {
  readonly runRecords: readonly string[]
  readonly artifactPattern?: string
  readonly comment: boolean
  readonly title?: string
  readonly model?: string
  readonly config: string
  readonly token?: string
}

export function getSettings(): Settings {
  const s: Settings = {
    runRecords: withDefault(inputs.lines(Input.RunRecords), [`${DEFAULT_RECORDS_DIR}/**/*.json`]),
    artifactPattern: inputs.optional(Input.ArtifactPattern),
    comment: inputs.bool(Input.Comment, true),
    title: inputs.optional(Input.Title),
    model: inputs.optional(Input.Model),
    config: inputs.optional(Input.Config) ?? 'mlops.yaml',
    token: inputs.optional(Input.GithubToken),
  }
  core.debug(`settings: ${JSON.stringify({ ...s, token: s.token ? '***' : '' })}`)
  return s
}

const withDefault = <T>(v: readonly T[], dflt: readonly T[]) => (v.length ? v : dflt)
