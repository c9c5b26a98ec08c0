import * as core from '@actions/core'
import * as inputs from '../../../shared/action/inputs.js'
import { InputError } from '../../../shared/errors.js'

export const Input = {
  Command: 'command',
  WorkingDirectory: 'working-directory',
  Params: 'params',
  Metrics: 'metrics',
  ModelPath: 'model-path',
  Data: 'data',
  Seed: 'seed',
  MaxDuration: 'max-duration',
  CachePaths: 'cache-paths',
  CacheKey: 'cache-key',
  UploadArtifact: 'upload-artifact',
  ArtifactName: 'artifact-name',
  RetentionDays: 'retention-days',
  Python: 'python',
  RunRecord: 'run-record',
  MlflowTrackingUri: 'mlflow-tracking-uri',
  MlflowExperimentId: 'mlflow-experiment-id',
  MlflowToken: 'mlflow-token',
  Config: 'config',
  GithubToken: 'github-token',
} as const

export const Output = {
  RunId: 'run-id',
  Metrics: 'metrics',
  ModelPath: 'model-path',
  ArtifactId: 'artifact-id',
  DurationSeconds: 'duration-seconds',
  RunRecord: 'run-record',
  CacheHit: 'cache-hit',
} as const

/** The inputs as given; empty ones fall back to `mlops.yaml` (see main.ts), then to the documented defaults. */
export interface Settings {
  readonly command?: string
  readonly workingDirectory?: string
  readonly params?: string
  readonly metrics?: string
  readonly modelPath?: string
  readonly data: readonly string[]
  readonly seed?: number
  readonly maxDurationMs?: number
  readonly maxDurationText?: string
  readonly cachePaths: readonly string[]
  readonly cacheKey?: string
  readonly uploadArtifact: boolean
  readonly artifactName?: string
  readonly retentionDays?: number
  readonly python?: string
  readonly runRecord?: string
  readonly mlflowTrackingUri?: string
  readonly mlflowExperimentId: string
  readonly mlflowToken?: string
  readonly config: string
}

export function getSettings(): Settings {
  const uri = inputs.optional(Input.MlflowTrackingUri)
  if (uri && !/^https?:\/\/[^\s]+$/.test(uri))
    throw new InputError(Input.MlflowTrackingUri, `must be an http(s) URL; got '${uri}'`)
  const s: Settings = {
    command: inputs.optional(Input.Command),
    workingDirectory: inputs.optional(Input.WorkingDirectory),
    params: inputs.optional(Input.Params),
    metrics: inputs.optional(Input.Metrics),
    modelPath: inputs.optional(Input.ModelPath),
    data: inputs.lines(Input.Data),
    seed: inputs.number(Input.Seed, { integer: true, min: 0, max: 2 ** 32 - 1 }),
    maxDurationMs: inputs.duration(Input.MaxDuration),
    maxDurationText: inputs.optional(Input.MaxDuration),
    cachePaths: inputs.lines(Input.CachePaths),
    cacheKey: inputs.optional(Input.CacheKey),
    uploadArtifact: inputs.bool(Input.UploadArtifact, true),
    artifactName: inputs.optional(Input.ArtifactName),
    retentionDays: inputs.number(Input.RetentionDays, { integer: true, min: 1, max: 90 }),
    python: inputs.optional(Input.Python),
    runRecord: inputs.optional(Input.RunRecord),
    mlflowTrackingUri: uri,
    mlflowExperimentId: inputs.optional(Input.MlflowExperimentId) ?? '0',
    mlflowToken: inputs.secret(Input.MlflowToken),
    config: inputs.optional(Input.Config) ?? 'mlops.yaml',
  }
  core.debug(`settings: ${JSON.stringify({ ...s, mlflowToken: s.mlflowToken ? '***' : '' })}`)
  return s
}
