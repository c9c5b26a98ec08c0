import path from 'node:path'
import * as core from '@actions/core'
import { coreLogger } from '../../../shared/action/core-logger.js'
import { runAction } from '../../../shared/action/run-action.js'
import { actionsArtifactStore, artifactServiceAvailable } from '../../../shared/artifacts/artifacts.js'
import { actionsCacheStore } from '../../../shared/artifacts/cache.js'
import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { runContext } from '../../../shared/github/context.js'
import { STATUS_ICON } from '../../../shared/report/markdown.js'
import { resolveTrainOptions } from '../../../shared/train/options.js'
import { localArtifactStore } from '../../../shared/train/storage.js'
import { train } from '../../../shared/train/train.js'
import { getSettings, Output } from './inputs.js'

export function run(): Promise<void> {
  return runAction(main)
}

async function main(): Promise<void> {
  // Every output is set, even when the step fails before training (a bad input, a bad mlops.yaml).
  const initial: Record<string, string> = { [Output.Metrics]: '{}', [Output.CacheHit]: 'false' }
  for (const name of Object.values(Output)) core.setOutput(name, initial[name] ?? '')
  const s = getSettings()
  const log = coreLogger
  const config = await loadMlopsConfig(s.config, { optional: true })
  const options = resolveTrainOptions(
    {
      ...s,
      upload: s.uploadArtifact,
      mlflow: s.mlflowTrackingUri
        ? { trackingUri: s.mlflowTrackingUri, experimentId: s.mlflowExperimentId, token: s.mlflowToken }
        : undefined,
    },
    config,
    s.config,
    { workspace: process.env.GITHUB_WORKSPACE || process.cwd(), env: process.env, context: runContext() },
  )

  // Without the runner's artifact service (e.g. a local runner emulation), the artifact goes to a folder.
  let artifacts = actionsArtifactStore(s.retentionDays)
  if (options.upload && !artifactServiceAvailable()) {
    log.warning('The artifact service is not available to this job; the artifact goes to .mlops/artifacts/')
    artifacts = localArtifactStore()
  }
  const out = await train(options, {
    log,
    artifacts,
    cache: actionsCacheStore(log),
    onOutput: (line) => process.stdout.write(`${line}\n`),
  })

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
