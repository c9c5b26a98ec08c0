import path from 'node:path'
import * as core from '@actions/core'
import { coreLogger } from '../../../shared/action/core-logger.js'
import { runAction } from '../../../shared/action/run-action.js'
import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { InputError } from '../../../shared/errors.js'
import { runContext } from '../../../shared/github/context.js'
import {
  openTargetRegistry,
  readRecordsIfAny,
  registerModel,
  registryRunRecord,
  registryTarget,
} from '../../../shared/registry/workflow.js'
import { writeRunRecord } from '../../../shared/run-record/io.js'
import { writeFileAtomic } from '../../../shared/util/fs.js'
import { getSettings, Input, Output } from './inputs.js'

export function run(): Promise<void> {
  return runAction(main)
}

async function main(): Promise<void> {
  const started = new Date()
  const s = getSettings()
  const log = coreLogger
  const config = await loadMlopsConfig(s.config, { optional: true })
  const name = s.name ?? config.model?.name
  if (!name) throw new InputError(Input.Name, 'is empty and the config file has no model.name')
  const modelPath = s.modelPath ?? config.train?.model_path
  if (!modelPath)
    throw new InputError(Input.ModelPath, 'is empty and the config file has no train.model_path')
  const target = registryTarget(s.backend, s.registry, config)
  const context = runContext()
  const records = await readRecordsIfAny(s.runRecords, log)
  const registry = await openTargetRegistry(
    target,
    { githubToken: s.token, username: s.registryUsername, password: s.registryPassword, sha: context.sha },
    log,
  )
  const out = await log.group(`Register ${name} in the ${registry.kind} registry (${registry.address})`, () =>
    registerModel(
      registry,
      {
        name,
        modelPath,
        records,
        context,
        ...(s.version !== undefined ? { version: s.version } : {}),
        ...(s.alias ? { alias: s.alias } : {}),
        ...((s.intendedUse ?? config.model?.intended_use)
          ? { intendedUse: s.intendedUse ?? config.model?.intended_use }
          : {}),
        ...(config.model?.description ? { description: config.model.description } : {}),
        ...(config.model?.flavor ? { flavor: config.model.flavor } : {}),
      },
      log,
    ),
  )
  const v = out.version
  const card = path.join(process.env.RUNNER_TEMP || '.mlops', `model-card-${v.name}-v${v.version}.md`)
  await writeFileAtomic(card, v.card)

  const headline = `${out.created ? 'registered' : 'already registered'} ${v.name} v${v.version} in ${registry.kind}${out.move ? ` · ${out.move.alias} → v${out.move.to}` : ''}`
  const details = [
    `| | |`,
    `| --- | --- |`,
    `| Version | ${v.version}${out.created ? '' : ' (existing: same model, same run)'} |`,
    `| Registry | ${registry.kind}: \`${registry.address}\` |`,
    `| Where | ${v.uri} |`,
    `| Digest | \`${v.digest}\` |`,
    ...(out.move
      ? [`| Alias | ${out.move.alias}: ${out.move.from ? `v${out.move.from} → ` : ''}v${out.move.to} |`]
      : []),
  ].join('\n')
  await writeRunRecord(
    registryRunRecord(
      'register-model',
      v,
      headline,
      details,
      {
        backend: registry.kind,
        address: registry.address,
        version: v.version,
        uri: v.uri,
        digest: v.digest,
        created: out.created,
        runId: v.runId,
        ...(out.move ? { alias: out.move } : {}),
      },
      context,
      started,
      new Date(),
    ),
  )
  await core.summary
    .addRaw(
      `## 📦 ${v.name} v${v.version}\n\n${details}\n\n<details><summary>Model card</summary>\n\n${v.card}\n</details>\n`,
    )
    .write()
  core.setOutput(Output.Version, String(v.version))
  core.setOutput(Output.Uri, v.uri)
  core.setOutput(Output.Digest, v.digest)
  core.setOutput(Output.ModelCard, card)
  core.setOutput(Output.Created, String(out.created))
}
