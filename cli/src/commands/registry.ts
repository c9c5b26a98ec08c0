import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { InputError } from '../../../shared/errors.js'
import { LocalForge } from '../../../shared/forge/local-forge.js'
import { runContext } from '../../../shared/github/context.js'
import { DEFAULT_LOCAL_REGISTRY } from '../../../shared/registry/open.js'
import { parseRef } from '../../../shared/registry/registry.js'
import {
  historyTable,
  openTargetRegistry,
  promoteModel,
  readRecordsIfAny,
  registerModel,
  registryTarget,
} from '../../../shared/registry/workflow.js'
import { DEFAULT_RECORDS_DIR } from '../../../shared/run-record/io.js'
import type { Logger } from '../../../shared/util/logger.js'
import { parse } from '../args.js'
import type { Command } from '../command.js'

const registryOptions = {
  backend: { type: 'string' },
  registry: { type: 'string' },
  config: { type: 'string', default: 'mlops.yaml' },
} as const

const REGISTRY_USAGE = `  --backend B      local | github | oci | mlflow (default: registry.backend in mlops.yaml, else local)
  --registry ADDR  directory, owner/repo, host/namespace or MLflow URL (default ${DEFAULT_LOCAL_REGISTRY} for local)
  Credentials come from the environment: GITHUB_TOKEN (github), MLOPS_REGISTRY_USERNAME and
  MLOPS_REGISTRY_PASSWORD (oci, mlflow).`

async function open(values: { backend?: string; registry?: string; config?: string }, log: Logger) {
  const config = await loadMlopsConfig(values.config ?? 'mlops.yaml', { optional: true })
  const target = registryTarget(values.backend, values.registry, config)
  const env = process.env
  const registry = await openTargetRegistry(
    target,
    {
      githubToken: env.GITHUB_TOKEN,
      username: env.MLOPS_REGISTRY_USERNAME,
      password: env.MLOPS_REGISTRY_PASSWORD,
      sha: env.GITHUB_SHA,
    },
    log,
  )
  return { registry, config }
}

function modelName(positional: string | undefined, config: { model?: { name?: string } }): string {
  const name = positional ?? config.model?.name
  if (!name)
    throw new InputError('name', 'is missing: give it as the first argument or set model.name in mlops.yaml')
  return name
}

export const registerCommand: Command = {
  name: 'register',
  summary: 'register a model version (files, metrics, lineage, model card) in the registry',
  usage: `mlops register [NAME] [--model-path PATH] [--records GLOB]... [--version N] [--alias A] [--intended-use TEXT]

  NAME             model name (default model.name in mlops.yaml)
  --model-path     model file or directory (default train.model_path in mlops.yaml)
  --records GLOB   run records giving metrics, params and lineage (default ${DEFAULT_RECORDS_DIR}/**/*.json)
${REGISTRY_USAGE}`,
  async run(args, log) {
    const { values, positionals } = parse(args, {
      ...registryOptions,
      'model-path': { type: 'string' },
      records: { type: 'string', multiple: true },
      version: { type: 'string' },
      alias: { type: 'string' },
      'intended-use': { type: 'string' },
    })
    const { registry, config } = await open(values, log)
    const name = modelName(positionals[0], config)
    const modelPath = values['model-path'] ?? config.train?.model_path
    if (!modelPath) throw new InputError('--model-path', 'is missing and mlops.yaml has no train.model_path')
    const version = values.version === undefined ? undefined : parseRef(values.version)
    if (version !== undefined && (typeof version !== 'number' || version < 1))
      throw new InputError('--version', `must be a version number; got '${values.version}'`)
    const records = await readRecordsIfAny(values.records ?? [`${DEFAULT_RECORDS_DIR}/**/*.json`], log)
    const intendedUse = values['intended-use'] ?? config.model?.intended_use
    const out = await registerModel(
      registry,
      {
        name,
        modelPath,
        records,
        context: { ...runContext(), actor: runContext().actor ?? process.env.USER ?? 'local' },
        ...(version !== undefined ? { version } : {}),
        ...(values.alias ? { alias: values.alias } : {}),
        ...(intendedUse ? { intendedUse } : {}),
        ...(config.model?.flavor ? { flavor: config.model.flavor } : {}),
      },
      log,
    )
    log.info(`${name} v${out.version.version} ${out.version.digest} → ${out.version.uri}`)
    return 0
  },
}

export const promoteCommand: Command = {
  name: 'promote',
  summary: 'move an alias (staging, production) to a version, or back (--version previous)',
  usage: `mlops promote [NAME] --to ALIAS (--version N|previous | --from-alias ALIAS) [--reason TEXT] [--no-deployment]

  The move is also recorded as a deployment in .mlops/outbox/state.json (as the action records a GitHub
  Deployment), unless --no-deployment.
${REGISTRY_USAGE}`,
  async run(args, log) {
    const { values, positionals } = parse(args, {
      ...registryOptions,
      to: { type: 'string' },
      version: { type: 'string' },
      'from-alias': { type: 'string' },
      reason: { type: 'string' },
      'no-deployment': { type: 'boolean' },
      out: { type: 'string', default: '.mlops' },
    })
    const { registry, config } = await open(values, log)
    const name = modelName(positionals[0], config)
    if (!values.to) throw new InputError('--to', 'is required (the alias to move, e.g. production)')
    let version: number | 'previous' | undefined
    if (values.version !== undefined) {
      const v = values.version === 'previous' ? 'previous' : parseRef(values.version)
      if (v !== 'previous' && typeof v !== 'number')
        throw new InputError('--version', `must be a version number or 'previous'; got '${values.version}'`)
      version = v
    }
    const out = await promoteModel(
      registry,
      {
        name,
        toAlias: values.to,
        context: { ...runContext(), actor: runContext().actor ?? process.env.USER ?? 'local' },
        ...(version !== undefined ? { version } : {}),
        ...(values['from-alias'] ? { fromAlias: values['from-alias'] } : {}),
        ...(values.reason ? { reason: values.reason } : {}),
        ...(values['no-deployment'] ? {} : { forge: new LocalForge(`${values.out}/outbox`) }),
      },
      log,
    )
    log.info(
      `${name}: ${values.to} = v${out.version.version}${out.previous !== undefined ? ` (was v${out.previous})` : ''}`,
    )
    return 0
  },
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list the models in the registry, or the versions and aliases of one model',
  usage: `mlops models [NAME] [--json]
${REGISTRY_USAGE}`,
  async run(args, log) {
    const { values, positionals } = parse(args, { ...registryOptions, json: { type: 'boolean' } })
    const { registry } = await open(values, log)
    const names = positionals[0] ? [positionals[0]] : await registry.models()
    const all = []
    for (const name of names) {
      const [versions, aliases] = await Promise.all([registry.versions(name), registry.aliases(name)])
      all.push({ name, aliases, versions })
    }
    if (values.json) {
      console.log(
        JSON.stringify(
          all.map((m) => ({ ...m, versions: m.versions.map(({ card: _c, ...v }) => v) })),
          null,
          2,
        ),
      )
      return 0
    }
    if (!all.length) log.info(`No models in the ${registry.kind} registry at ${registry.address}`)
    for (const m of all) {
      log.info(`${m.name}  (${registry.kind}: ${registry.address})`)
      const byVersion = new Map<number, string[]>()
      for (const [a, v] of Object.entries(m.aliases)) byVersion.set(v, [...(byVersion.get(v) ?? []), a])
      for (const v of m.versions) {
        const metrics = Object.entries(v.metrics ?? {})
          .map(([k, x]) => `${k}=${x}`)
          .join(' ')
        const tags = byVersion.get(v.version)?.join(', ')
        log.info(
          `  v${v.version}  ${v.createdAt}  ${v.digest.slice(0, 19)}  run ${v.runId}${tags ? `  [${tags}]` : ''}${metrics ? `  ${metrics}` : ''}`,
        )
      }
    }
    return 0
  },
}

export const historyCommand: Command = {
  name: 'history',
  summary: 'list every alias move of a model (when, who, from, to)',
  usage: `mlops history [NAME] [--alias A] [--json]
${REGISTRY_USAGE}`,
  async run(args, log) {
    const { values, positionals } = parse(args, {
      ...registryOptions,
      alias: { type: 'string' },
      json: { type: 'boolean' },
    })
    const { registry, config } = await open(values, log)
    const name = modelName(positionals[0], config)
    const moves = await registry.history(name, values.alias)
    if (values.json) console.log(JSON.stringify(moves, null, 2))
    else log.info(historyTable(moves))
    return 0
  },
}
