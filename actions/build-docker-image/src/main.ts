import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import { coreLogger } from '../../../shared/action/core-logger.js'
import { runAction } from '../../../shared/action/run-action.js'
import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { runContext } from '../../../shared/github/context.js'
import { buildImage } from '../../../shared/image/build.js'
import { nodeExec } from '../../../shared/image/exec.js'
import { defaultImage } from '../../../shared/image/labels.js'
import { resolveModelSource } from '../../../shared/image/model-source.js'
import { imageRunRecord, imageSummary } from '../../../shared/image/record.js'
import { writeRunRecord } from '../../../shared/run-record/io.js'
import { getSettings, Output } from './inputs.js'

export function run(): Promise<void> {
  return runAction(main)
}

async function main(): Promise<void> {
  const startedAt = new Date()
  const s = getSettings()
  const log = coreLogger
  const config = await loadMlopsConfig(s.config, { optional: true })
  const run = runContext()
  const work = await mkdtemp(path.join(process.env.RUNNER_TEMP || tmpdir(), 'mlops-image-'))

  const source = await resolveModelSource(
    {
      model: s.model,
      modelPath: s.modelPath,
      modelName: s.modelName,
      modelVersion: s.modelVersion,
      runId: s.runId,
      flavor: s.flavor,
      backend: s.backend,
      registry: s.modelRegistry,
      token: s.token,
      username: s.credentials?.username,
      password: s.credentials?.password,
      downloadDir: path.join(work, 'model'),
      currentRunId: run.runId,
    },
    config,
    log,
  )
  const result = await buildImage(
    {
      modelPath: source.modelPath,
      model: source.lineage,
      dockerfile: s.dockerfile,
      context: s.context,
      image: s.image ?? config.image?.name ?? defaultImage(run, source.lineage.name),
      tags: s.tags,
      push: s.push,
      builder: s.builder !== 'auto' ? s.builder : (config.image?.builder ?? 'auto'),
      platforms: s.platforms.length ? s.platforms : (config.image?.platforms ?? []),
      baseImage: s.baseImage ?? config.image?.base_image,
      requirements: s.requirements ?? config.image?.requirements,
      buildArgs: s.buildArgs,
      credentials: s.credentials,
      run,
      githubActions: process.env.GITHUB_ACTIONS === 'true',
      workDir: path.join(work, 'build'),
    },
    { exec: nodeExec, log },
  )

  const record = await writeRunRecord(imageRunRecord(result, source.origin, run, startedAt, new Date()))
  await core.summary.addRaw(imageSummary(result, source.origin)).write()
  core.setOutput(Output.Image, result.image)
  core.setOutput(Output.Digest, result.digest)
  core.setOutput(Output.Tags, JSON.stringify(result.tags))
  core.setOutput(Output.Dockerfile, result.dockerfile)
  core.setOutput(Output.Builder, result.builder)
  core.setOutput(Output.RunRecord, record)
}
