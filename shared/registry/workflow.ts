import { InputError, NotFoundError } from '../errors.js'
import type { Forge } from '../forge/forge.js'
import { readRunRecords } from '../run-record/io.js'
import {
  RUN_RECORD_SCHEMA,
  type RunContext,
  type RunRecord,
  type RunRecordInput,
} from '../run-record/schema.js'
import type { Logger } from '../util/logger.js'
import { openRegistry } from './open.js'
import {
  type AliasMove,
  checkAlias,
  checkName,
  type ModelRegistry,
  type ModelVersion,
  type RegisterResult,
  type VersionInfo,
} from './registry.js'

/**
 * What `register-model` and `promote-model` (and `mlops register` / `mlops promote`) do, over any backend.
 */

export interface RegisterOptions {
  readonly name: string
  readonly modelPath: string
  /** The pipeline's run records (train-model gives metrics, params, data; validate/gate the summary). */
  readonly records?: readonly RunRecord[]
  readonly version?: number
  readonly alias?: string
  readonly intendedUse?: string
  readonly description?: string
  readonly flavor?: string
  readonly context: RunContext
}

export interface RegisterOutcome extends RegisterResult {
  readonly move?: AliasMove
}

/**
 * Data fingerprints as train-model may record them: `{path: digest}`, `{path: {sha256|digest|fingerprint}}`
 * or `[{path|name, sha256|digest|fingerprint}]`.
 */
export function fingerprints(v: unknown): Record<string, string> {
  const digestOf = (x: unknown): string | undefined => {
    if (typeof x === 'string') return x
    if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>
      const d = o.sha256 ?? o.digest ?? o.fingerprint ?? o.hash
      return typeof d === 'string' ? d : undefined
    }
    return undefined
  }
  const pairs: [string, string | undefined][] = Array.isArray(v)
    ? v.map((x) => [
        String((x as Record<string, unknown>)?.path ?? (x as Record<string, unknown>)?.name ?? ''),
        digestOf(x),
      ])
    : Object.entries((v ?? {}) as Record<string, unknown>).map(([k, x]) => [k, digestOf(x)])
  return Object.fromEntries(pairs.filter((p): p is [string, string] => !!p[0] && p[1] !== undefined))
}

/** Metrics, params, data fingerprints and a validation summary from the run records of this model. */
export function versionInfoFrom(opts: RegisterOptions): VersionInfo {
  const mine = (opts.records ?? []).filter((r) => r.model.name === opts.name)
  const train = mine.filter((r) => r.kind === 'train-model').at(-1)
  const res = (train?.result ?? {}) as Record<string, unknown>
  const numbers = (o: unknown) =>
    Object.fromEntries(
      Object.entries((o ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'number'),
    ) as Record<string, number>
  const summary = mine
    .filter((r) => r.kind === 'validate-data' || r.kind === 'evaluate-gate')
    .map((r) => `- ${r.kind}: **${r.status}**: ${r.headline}`)
    .join('\n')
  const ctx = opts.context
  // The idempotency key: the training run, else this workflow run (attempts share it), else none (local).
  const runId = train?.id ?? (ctx.repository && ctx.runId ? `${ctx.repository}#${ctx.runId}` : 'local')
  const run = train?.run ?? ctx
  return {
    runId,
    metrics: numbers(res.metrics),
    params: (res.params ?? {}) as Record<string, unknown>,
    dataFingerprints: fingerprints(res.dataFingerprints ?? res.data),
    ...(summary ? { validation: summary } : {}),
    ...(opts.intendedUse ? { intendedUse: opts.intendedUse } : {}),
    ...(opts.description ? { description: opts.description } : {}),
    ...(opts.flavor ? { flavor: opts.flavor } : {}),
    lineage: {
      ...(run.repository ? { repository: run.repository } : {}),
      ...(run.sha ? { sha: run.sha } : {}),
      ...(run.ref ? { ref: run.ref } : {}),
      ...(run.workflow ? { workflow: run.workflow } : {}),
      ...(run.runUrl ? { runUrl: run.runUrl } : {}),
      ...(ctx.actor ? { actor: ctx.actor } : {}),
    },
  }
}

/** Registers a version (or finds this run's earlier registration) and, if asked, points an alias at it. */
export async function registerModel(
  reg: ModelRegistry,
  opts: RegisterOptions,
  log: Logger,
): Promise<RegisterOutcome> {
  checkName(opts.name)
  if (opts.alias) checkAlias(opts.alias)
  const info = versionInfoFrom(opts)
  const mine = (opts.records ?? []).filter((r) => r.model.name === opts.name)
  const attachments = mine.length
    ? [{ name: 'run-records.json', data: Buffer.from(`${JSON.stringify(mine, null, 2)}\n`) }]
    : []
  const result = await reg.register({
    name: opts.name,
    modelPath: opts.modelPath,
    info,
    attachments,
    ...(opts.version !== undefined ? { version: opts.version } : {}),
  })
  const v = result.version
  log.info(
    result.created
      ? `Registered ${v.name} v${v.version} (${v.digest.slice(0, 19)}…) in the ${reg.kind} registry: ${v.uri}`
      : `${v.name} v${v.version} already holds this model from run ${info.runId}: nothing new registered`,
  )
  if (!opts.alias) return result
  const current = (await reg.aliases(opts.name))[opts.alias]
  if (current === v.version) return result
  const move = await reg.setAlias(opts.name, opts.alias, v.version, {
    ...(opts.context.actor ? { by: opts.context.actor } : {}),
    reason: `registered from run ${info.runId}`,
  })
  log.info(`Alias ${opts.alias}: ${move.from !== undefined ? `v${move.from} → ` : ''}v${move.to}`)
  return { ...result, move }
}

export interface PromoteOptions {
  readonly name: string
  readonly toAlias: string
  /** A version number, or `previous` (the version the alias held before its last move). */
  readonly version?: number | 'previous'
  /** Promote the version another alias holds (e.g. `staging`). */
  readonly fromAlias?: string
  readonly reason?: string
  readonly context: RunContext
  /** Record the move as a GitHub Deployment (environment = alias); none when absent. */
  readonly forge?: Forge
}

export interface PromoteOutcome {
  readonly version: ModelVersion
  readonly previous?: number
  readonly move?: AliasMove
  readonly deploymentId?: number
}

/** Which version a promotion targets. */
export async function promotionTarget(reg: ModelRegistry, o: PromoteOptions): Promise<number> {
  if ((o.version === undefined) === (o.fromAlias === undefined)) {
    throw new InputError(
      'version',
      "give either 'version' (a number or 'previous') or 'from-alias', not both",
    )
  }
  if (o.fromAlias !== undefined) return (await reg.get(o.name, checkAlias(o.fromAlias))).version
  if (o.version === 'previous') {
    const last = (await reg.history(o.name, o.toAlias)).at(-1)
    if (last?.from === undefined) {
      throw new NotFoundError(
        `Alias '${o.toAlias}' of '${o.name}' has no previous version to roll back to${last ? ` (it has only ever pointed at v${last.to})` : ' (it was never set)'}`,
      )
    }
    return last.from
  }
  return o.version!
}

/** Moves an alias to a version and records the move as a Deployment to the environment named after it. */
export async function promoteModel(
  reg: ModelRegistry,
  o: PromoteOptions,
  log: Logger,
): Promise<PromoteOutcome> {
  checkName(o.name)
  checkAlias(o.toAlias)
  const target = await promotionTarget(reg, o)
  const version = await reg.get(o.name, target) // fails before anything moves when the version is missing
  const previous = (await reg.aliases(o.name))[o.toAlias]
  // The deployment first: if GitHub refuses it (401, 403), the alias has not moved yet.
  let deploymentId: number | undefined
  if (o.forge) {
    const d = await o.forge.createDeployment({
      ref: o.context.sha ?? o.context.ref ?? 'main',
      environment: o.toAlias,
      description: `${o.name} v${target} to ${o.toAlias}`,
      payload: {
        model: o.name,
        version: target,
        ...(previous !== undefined ? { previous_version: previous } : {}),
        registry: reg.kind,
        digest: version.digest,
      },
    })
    deploymentId = d.id
  }
  let move: AliasMove | undefined
  try {
    if (previous === target) {
      log.info(`${o.toAlias} already points at ${o.name} v${target}: alias unchanged`)
    } else {
      move = await reg.setAlias(o.name, o.toAlias, target, {
        ...(o.context.actor ? { by: o.context.actor } : {}),
        ...(o.reason ? { reason: o.reason } : {}),
      })
      log.info(`${o.name}: ${o.toAlias} ${previous !== undefined ? `v${previous} → ` : '→ '}v${target}`)
    }
  } catch (e) {
    if (o.forge && deploymentId !== undefined) {
      await o.forge
        .setDeploymentStatus(deploymentId, {
          state: 'failure',
          description: 'the registry refused the alias move',
        })
        .catch(() => undefined)
    }
    throw e
  }
  if (o.forge && deploymentId !== undefined) {
    await o.forge.setDeploymentStatus(deploymentId, {
      state: 'success',
      description: `${o.toAlias} → ${o.name} v${target}`,
      ...(o.context.runUrl ? { logUrl: o.context.runUrl } : {}),
    })
    log.info(`Recorded deployment ${deploymentId} to environment '${o.toAlias}' on ${o.forge.description}`)
  }
  return {
    version,
    ...(previous !== undefined ? { previous } : {}),
    ...(move ? { move } : {}),
    ...(deploymentId !== undefined ? { deploymentId } : {}),
  }
}

/** The run record of a registration or promotion. */
export function registryRunRecord(
  kind: 'register-model' | 'promote-model',
  v: ModelVersion,
  headline: string,
  details: string,
  result: Record<string, unknown>,
  context: RunContext,
  startedAt: Date,
  finishedAt: Date,
): RunRecordInput {
  return {
    schema: RUN_RECORD_SCHEMA,
    id: `${kind}-${v.name}-v${v.version}-${context.runId ?? finishedAt.getTime()}`,
    kind,
    status: 'passed',
    headline,
    details,
    model: { name: v.name, version: String(v.version) },
    run: context,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    result,
  }
}

/** The Markdown of the version's aliases and the recent moves, for summaries and `mlops history`. */
export function historyTable(moves: readonly AliasMove[]): string {
  if (!moves.length) return '_No alias moves yet._'
  return [
    '| when | alias | from | to | by | reason |',
    '| --- | --- | --- | --- | --- | --- |',
    ...moves.map(
      (m) =>
        `| ${m.at} | ${m.alias} | ${m.from !== undefined ? `v${m.from}` : '–'} | v${m.to} | ${m.by ?? ''} | ${(m.reason ?? '').replace(/\|/g, '\\|')} |`,
    ),
  ].join('\n')
}

/** The backend and address to use: the inputs, else `registry:` in `mlops.yaml`, else the local directory. */
export function registryTarget(
  backend: string | undefined,
  address: string | undefined,
  config: { registry?: { backend?: string; address?: string } },
): { backend: string; address?: string } {
  const b = backend && backend !== 'auto' ? backend : (config.registry?.backend ?? 'local')
  const fromConfig = config.registry?.backend === b ? config.registry?.address : undefined
  const a = address || fromConfig
  return a ? { backend: b, address: a } : { backend: b }
}

/**
 * Opens the registry a target names, with the one credential rule every caller shares: the GitHub token for
 * the `github` backend, the registry password (as bearer token and for basic auth) for the others.
 */
export async function openTargetRegistry(
  target: { backend: string; address?: string },
  creds: { githubToken?: string; username?: string; password?: string; sha?: string },
  log: Logger,
) {
  return openRegistry(target.backend, target.address, {
    log,
    token: target.backend === 'github' ? creds.githubToken : creds.password,
    username: creds.username,
    password: creds.password,
    sha: creds.sha,
  })
}

/** The run records matching `patterns`, or none (registering without a pipeline's records is fine). */
export async function readRecordsIfAny(patterns: readonly string[], log: Logger): Promise<RunRecord[]> {
  try {
    return await readRunRecords(patterns)
  } catch (e) {
    if (e instanceof NotFoundError) {
      log.info('No run records found: the version gets no metrics or params from a training run')
      return []
    }
    throw e
  }
}
