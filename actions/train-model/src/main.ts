import path from 'node:path'
import * as core from '@actions/core'
import { coreLogger } from '../../../shared/action/core-logger.js'
import { runAction } from '../../../shared/action/run-action.js'
import { actionsArtifactStore, artifactServiceAvailable } from '../../../shared/artifacts/artifacts.js'
import { actionsCacheStore } from '../../../shared/artifacts/cache.js'
import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { InputError } from '../../../shared/errors.js'
import { runContext } from '../../../shared/github/context.js'
import { STATUS_ICON } from '../../../shared/report/markdown.js'
import { localArtifactStore } from '../../../shared/train/storage.js'
import { train } from '../../../shared/train/train.js'
import { parseDuration } from '../../../shared/util/duration.js'
import { getSettings, Input, Output } from './inputs.js'

export function run(): Promise<void> {
  return runAction(main)
}

async function main(): Promise<void> {
  const s = getSettings()
  const log = coreLogger
  const config = await loadMlopsConfig(s.config, { optional: true })
  const t = config.train ?? {}
  const command = s.command ?? t.command
  if (!command)
    throw new InputError(
      Input.Command,
      'is required',
      `Set 'command' under with: or train.command in ${s.config}`,
    )
  const maxDurationText = s.maxDurationText ?? t.max_duration
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()

  // Without the runner's artifact service (e.g. a local runner emulation), the artifact goes to a folder.
  let artifacts = actionsArtifactStore(s.retentionDays)
  if (!artifactServiceAvailable()) {
    log.warning('The artifact service is not available to this job; the artifact goes to .mlops/artifacts/')
    artifacts = localArtifactStore()
  }

  const out = await train(
    {
      command,
      workingDirectory: path.resolve(workspace, s.workingDirectory ?? t.working_directory ?? '.'),
      params: s.params ?? t.params,
      metrics: s.metrics ?? t.metrics ?? 'metrics.json',
      modelPath: s.modelPath ?? t.model_path ?? 'model',
      data: s.data.length ? s.data : (t.data ?? config.data?.path ?? []),
      seed: s.seed ?? t.seed ?? 42,
      maxDurationMs: s.maxDurationMs ?? (t.max_duration ? parseDuration(t.max_duration) : undefined),
      maxDurationText,
      killGraceMs: 10_000,
      cachePaths: s.cachePaths.length ? s.cachePaths : (t.cache_paths ?? []),
      cacheKey: s.cacheKey ?? t.cache_key,
      upload: s.uploadArtifact,
      artifactName: s.artifactName,
      python: s.python ?? t.python ?? 'python3',
      modelName: config.model?.name ?? process.env.GITHUB_REPOSITORY?.split('/')[1] ?? 'model',
      recordPath: s.runRecord,
      mlflow: s.mlflowTrackingUri
        ? { trackingUri: s.mlflowTrackingUri, experimentId: s.mlflowExperimentId, token: s.mlflowToken }
        : undefined,
      env: process.env,
      context: runContext(),
    },
    { log, artifacts, cache: actionsCacheStore(log), onOutput: (line) => process.stdout.write(`${line}\n`) },
  )

  core.setOutput(Output.RunId, out.runId)
  core.setOutput(Output.Metrics, JSON.stringify(out.metrics))
  core.setOutput(Output.ModelPath, out.modelPath)
  core.setOutput(Output.ArtifactId, out.artifactId === undefined ? '' : String(out.artifactId))
  core.setOutput(Output.DurationSeconds, String(Math.round(out.durationSeconds * 1000) / 1000))
  core.setOutput(Output.RunRecord, path.resolve(out.recordPath))
  core.setOutput(Output.CacheHit, String(out.cacheHit))

  const r = out.record
  await core.summary
    .addRaw(`### ${STATUS_ICON[r.status]} Training run \`${out.runId}\` (${r.model.name})\n\n`)
    .addRaw(`${r.headline}\n\n${r.details}\n`)
    .write()
  if (out.error !== undefined) throw out.error
}
