import path from 'node:path'
import type { MlopsConfig } from '../config/mlops-config.js'
import { InputError } from '../errors.js'
import type { RunContext } from '../run-record/schema.js'
import { parseDuration } from '../util/duration.js'
import type { MlflowOptions } from './mlflow.js'
import type { TrainOptions } from './train.js'

/** What an action's inputs or the CLI's flags gave; anything unset falls back to `train:` in mlops.yaml. */
export interface TrainInputs {
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
  readonly upload: boolean
  readonly artifactName?: string
  readonly python?: string
  readonly runRecord?: string
  readonly runId?: string
  readonly mlflow?: MlflowOptions
}

export const DEFAULTS = { metrics: 'metrics.json', modelPath: 'model', seed: 42, python: 'python3' } as const

/** Inputs over config over defaults; `configFile` only names the file in messages. */
export function resolveTrainOptions(
  given: TrainInputs,
  config: MlopsConfig,
  configFile: string,
  base: { workspace: string; env: NodeJS.ProcessEnv; context: RunContext; killGraceMs?: number },
): TrainOptions {
  const t = config.train ?? {}
  const command = given.command ?? t.command
  if (!command)
    throw new InputError('command', 'is required', `Set 'command', or train.command in ${configFile}`)
  const maxDurationText = given.maxDurationText ?? t.max_duration
  return {
    command,
    workingDirectory: path.resolve(base.workspace, given.workingDirectory ?? t.working_directory ?? '.'),
    params: given.params ?? t.params,
    metrics: given.metrics ?? t.metrics ?? DEFAULTS.metrics,
    modelPath: given.modelPath ?? t.model_path ?? DEFAULTS.modelPath,
    data: given.data.length ? given.data : (t.data ?? config.data?.path ?? []),
    seed: given.seed ?? t.seed ?? DEFAULTS.seed,
    maxDurationMs: given.maxDurationMs ?? (t.max_duration ? parseDuration(t.max_duration) : undefined),
    maxDurationText,
    killGraceMs: base.killGraceMs ?? 10_000,
    cachePaths: given.cachePaths.length ? given.cachePaths : (t.cache_paths ?? []),
    cacheKey: given.cacheKey ?? t.cache_key,
    upload: given.upload,
    artifactName: given.artifactName,
    python: given.python ?? t.python ?? DEFAULTS.python,
    modelName: config.model?.name ?? base.context.repository?.split('/')[1] ?? 'model',
    runId: given.runId,
    recordPath: given.runRecord,
    mlflow: given.mlflow,
    env: base.env,
    context: base.context,
  }
}
