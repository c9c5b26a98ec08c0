import * as core from '@actions/core'
import { coreLogger } from '../../../shared/action/core-logger.js'
import { githubForge } from '../../../shared/action/forge.js'
import { runAction } from '../../../shared/action/run-action.js'
import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { InputError } from '../../../shared/errors.js'
import { runContext } from '../../../shared/github/context.js'
import {
  historyTable,
  openTargetRegistry,
  promoteModel,
  registryRunRecord,
  registryTarget,
} from '../../../shared/registry/workflow.js'
import { writeRunRecord } from '../../../shared/run-record/io.js'
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
  const target = registryTarget(s.backend, s.registry, config)
  const context = runContext()
  const registry = await openTargetRegistry(
    target,
    { githubToken: s.token, username: s.registryUsername, password: s.registryPassword, sha: context.sha },
    log,
  )
  const forge = s.deployment ? await githubForge(s.token, log) : undefined
  const out = await log.group(`Promote ${name} to ${s.toAlias} (${registry.kind} registry)`, () =>
    promoteModel(
      registry,
      {
        name,
        toAlias: s.toAlias,
        context,
        ...(s.version !== undefined ? { version: s.version } : {}),
        ...(s.fromAlias ? { fromAlias: s.fromAlias } : {}),
        ...(s.reason ? { reason: s.reason } : {}),
        ...(forge ? { forge } : {}),
      },
      log,
    ),
  )
  const v = out.version
  const history = await registry.history(name, s.toAlias)
  const move = out.previous === undefined ? `→ v${v.version}` : `v${out.previous} → v${v.version}`
  const headline = `${s.toAlias}: ${name} ${out.move ? move : `stays at v${v.version}`}`
  const details = `${historyTable(history.slice(-10))}${out.deploymentId !== undefined ? `\n\nDeployment ${out.deploymentId} to environment \`${s.toAlias}\`.` : ''}`
  await writeRunRecord(
    registryRunRecord(
      'promote-model',
      v,
      headline,
      details,
      {
        backend: registry.kind,
        alias: s.toAlias,
        version: v.version,
        ...(out.previous !== undefined ? { previousVersion: out.previous } : {}),
        moved: out.move !== undefined,
        ...(out.deploymentId !== undefined ? { deploymentId: out.deploymentId } : {}),
      },
      context,
      started,
      new Date(),
    ),
  )
  await core.summary.addRaw(`## 🚀 ${headline}\n\nAlias history of \`${s.toAlias}\`:\n\n${details}\n`).write()
  core.setOutput(Output.Version, String(v.version))
  core.setOutput(Output.PreviousVersion, out.previous === undefined ? '' : String(out.previous))
  core.setOutput(Output.DeploymentId, out.deploymentId === undefined ? '' : String(out.deploymentId))
}
