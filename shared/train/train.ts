import { randomBytes } from 'node:crypto'
import { copyFile, link, mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { errorMessage, InputError, MlopsError } from '../errors.js'
import { writeRunRecord } from '../run-record/io.js'
import type { RunContext, RunRecord, RunRecordInput } from '../run-record/schema.js'
import { runRecordSchema } from '../run-record/schema.js'
import type { Logger } from '../util/logger.js'
import { digestPath, fingerprintData, type TreeDigest } from './files.js'
import { MlflowClient, type MlflowOptions, type MlflowRun } from './mlflow.js'
import { type CodeVersion, codeVersion, type Environment, environment } from './provenance.js'
import { details, headline } from './record.js'
import { type CommandResult, failureMessage, runCommand } from './run-command.js'
import type { ArtifactStore, CacheStore } from './storage.js'
import { type Metrics, type Params, readMetrics, readParams } from './values.js'

/** What to run and what to collect; paths are relative to `workingDirectory` unless absolute. */
export interface TrainOptions {
  readonly command: string
  readonly workingDirectory: string
  readonly params?: string
  readonly metrics: string
  readonly modelPath: string
  readonly data: readonly string[]
  readonly seed: number
  readonly maxDurationMs?: number
  /** How `max-duration` was written, for the message. */
  readonly maxDurationText?: string
  readonly killGraceMs?: number
  readonly cachePaths: readonly string[]
  readonly cacheKey?: string
  readonly upload: boolean
  /** Artifact name; default `mlops-train-<run id>`. */
  readonly artifactName?: string
  /** Python interpreter whose version and packages are recorded; undefined skips Python. */
  readonly python?: string
  readonly modelName: string
  readonly runId?: string
  /** Where the run record goes; default `.mlops/records/train-model-<run id>.json`. */
  readonly recordPath?: string
  readonly mlflow?: MlflowOptions
  /** The environment the command inherits (MLOPS_* are added). */
  readonly env: NodeJS.ProcessEnv
  readonly context: RunContext
}

export interface TrainPorts {
  readonly log: Logger
  readonly artifacts?: ArtifactStore
  readonly cache?: CacheStore
  /** Each line the command prints, as it prints it. Default: the logger's `info`. */
  readonly onOutput?: (line: string) => void
  readonly now?: () => Date
}

export interface TrainOutcome {
  readonly runId: string
  readonly record: RunRecord
  readonly recordPath: string
  readonly metrics: Metrics
  /** Absolute path of the model. */
  readonly modelPath: string
  readonly artifactId?: number
  readonly artifactLocation?: string
  readonly durationSeconds: number
  readonly cacheHit: boolean
  /** Set when the run failed; the record (status `failed`) was still written and uploaded. */
  readonly error?: unknown
}

/** A run id: sortable by time, unique per run. */
export function newRunId(now: Date): string {
  const t = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  return `${t}-${randomBytes(3).toString('hex')}`
}

/** A model path names a folder unless it exists as a file or its name has an extension (`model.pkl`). */
async function modelIsFile(abs: string): Promise<boolean> {
  const st = await stat(abs).catch(() => undefined)
  if (st) return st.isFile()
  return /\.[A-Za-z0-9]+$/.test(path.basename(abs))
}

/**
 * Runs one training: the command with its params, seed and time limit; then metrics, model digests, data
 * fingerprints, code version, environment, duration and peak memory into a `train-model` run record,
 * uploaded with the model as one artifact. The record is written (and uploaded) even when something fails;
 * the failure is returned in `error` for the caller to report after setting its outputs.
 */
export async function train(o: TrainOptions, ports: TrainPorts): Promise<TrainOutcome> {
  const { log } = ports
  const now = ports.now ?? (() => new Date())
  const started = now()
  const runId = o.runId ?? newRunId(started)
  const cwd = path.resolve(o.workingDirectory)
  const metricsFile = path.resolve(cwd, o.metrics)
  const modelAbs = path.resolve(cwd, o.modelPath)
  const paramsFile = o.params ? path.resolve(cwd, o.params) : undefined

  let error: unknown
  let params: Params = {}
  let metrics: Metrics = {}
  let data: Awaited<ReturnType<typeof fingerprintData>> = []
  let model: TreeDigest | undefined
  let code: CodeVersion = { source: 'none' }
  let env: Environment | undefined
  let result: CommandResult | undefined
  let cacheHit = false
  let cacheRestored: string | undefined
  let cacheSaved = false
  let mlflowRun: MlflowRun | undefined
  let mlflow: MlflowClient | undefined

  try {
    const wd = await stat(cwd).catch(() => undefined)
    if (!wd?.isDirectory())
      throw new InputError('working-directory', `names '${o.workingDirectory}', which is not a directory`)
    if (!o.command.trim())
      throw new InputError(
        'command',
        'is required but was empty',
        'Set it under with: or train.command in mlops.yaml',
      )

    // The code version before anything (cache, command) touches the work tree; then the cache, which may
    // bring back data the fingerprints and the command need.
    code = await codeVersion(cwd, o.env)
    if (o.cacheKey && o.cachePaths.length && ports.cache) {
      const cache = ports.cache
      cacheRestored = await log.group(`Cache: restore '${o.cacheKey}'`, async () => {
        const hit = await cache.restore(o.cachePaths, o.cacheKey!, cwd)
        log.info(
          hit ? `Restored ${o.cachePaths.join(', ')} from cache '${hit}'` : `No cache under '${o.cacheKey}'`,
        )
        return hit
      })
      cacheHit = cacheRestored === o.cacheKey
    }

    await log.group('Provenance: params, data, code, environment', async () => {
      if (paramsFile && o.params) params = await readParams(paramsFile, o.params)
      data = await fingerprintData(o.data, cwd, 'data')
      env = await environment(cwd, o.python, o.env)
      log.info(`Run ${runId}, seed ${o.seed}`)
      log.info(`Params: ${Object.keys(params).length}${paramsFile ? ` from ${o.params}` : ''}`)
      for (const d of data) log.info(`Data ${d.path}: ${d.digest} (${d.bytes} bytes)`)
      log.info(`Code: ${code.sha ?? 'unknown'}${code.dirty ? ' (dirty)' : ''}`)
      if (env?.python)
        log.info(
          `Python ${env.python.version} (${env.python.executable}), ${env.python.packages.length} packages`,
        )
    })

    if (o.mlflow) {
      mlflow = new MlflowClient(o.mlflow)
      mlflowRun = await mlflow.createRun(`${o.modelName}-${runId}`, started.getTime(), {
        'mlflow.source.name': o.context.repository ?? 'mlops-actions',
        'mlflow.source.type': 'JOB',
        ...(code.sha ? { 'mlflow.source.git.commit': code.sha } : {}),
        ...(o.context.actor ? { 'mlflow.user': o.context.actor } : {}),
        'mlops.run_id': runId,
      })
      log.info(`MLflow run ${mlflowRun.runId}: ${mlflowRun.url}`)
    }

    const isFile = await modelIsFile(modelAbs)
    const modelDir = isFile ? path.dirname(modelAbs) : modelAbs
    await mkdir(modelDir, { recursive: true })
    await mkdir(path.dirname(metricsFile), { recursive: true })

    const childEnv: NodeJS.ProcessEnv = {
      ...o.env,
      MLOPS_RUN_ID: runId,
      MLOPS_PARAMS_FILE: paramsFile ?? '',
      MLOPS_METRICS_FILE: metricsFile,
      MLOPS_MODEL_DIR: modelDir,
      MLOPS_MODEL_PATH: modelAbs,
      MLOPS_SEED: String(o.seed),
      PYTHONHASHSEED: String(o.seed),
    }
    const commandStarted = Date.now()
    result = await log.group(`Training: ${o.command.split('\n')[0]}`, () =>
      runCommand({
        command: o.command,
        cwd,
        env: childEnv,
        maxDurationMs: o.maxDurationMs,
        killGraceMs: o.killGraceMs,
        forwardSignals: true,
        onLine: ports.onOutput ?? ((l) => log.info(l)),
      }),
    )
    if (result.leftoverProcesses > 0)
      log.warning(`The command left ${result.leftoverProcesses} process(es) running; they were stopped`)
    const failed = result.timedOut || result.cancelledBy !== undefined || result.exitCode !== 0
    if (failed) {
      error = result.cancelledBy
        ? new MlopsError(failureMessage(result, o.command))
        : new InputError(
            result.timedOut ? 'max-duration' : 'command',
            failureMessage(result, o.command, o.maxDurationText).replace(/^Input '[^']+':? ?/, ''),
          )
      // Keep what the command did write, for the record; its problems are not the failure.
      metrics = await readMetrics(metricsFile, commandStarted, o.metrics).catch(() => ({}))
      model = await digestPath(o.modelPath, cwd, 'model-path').catch(() => undefined)
    } else {
      metrics = await readMetrics(metricsFile, commandStarted, o.metrics)
      model = await digestPath(o.modelPath, cwd, 'model-path').catch(() => {
        throw new InputError(
          'model-path',
          `names '${o.modelPath}', but the command wrote no model there`,
          'Save the model under $MLOPS_MODEL_DIR (or the path given in `model-path`)',
        )
      })
      if (model.files.length === 0)
        throw new InputError('model-path', `names '${o.modelPath}', which is an empty folder after the run`)
      log.info(`Model ${o.modelPath}: ${model.digest} (${model.files.length} files, ${model.bytes} bytes)`)
      const stale = await filesOlderThan(modelAbs, model, commandStarted)
      if (stale.length) {
        log.warning(
          `${stale.length} file(s) in '${o.modelPath}' were not written by this run but are part of the model and its digest: ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', ...' : ''}. Clean the folder before training, or save the model elsewhere`,
        )
      }
      log.info(
        `Metrics: ${Object.entries(metrics)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
      )
    }

    if (!error && o.cacheKey && o.cachePaths.length && ports.cache && !cacheHit) {
      const cache = ports.cache
      cacheSaved = await log.group(`Cache: save '${o.cacheKey}'`, async () => {
        const saved = await cache.save(o.cachePaths, o.cacheKey!, cwd)
        log.info(
          saved ? `Saved ${o.cachePaths.join(', ')}` : 'Nothing saved (the key exists, or no path exists)',
        )
        return saved
      })
    }
  } catch (e) {
    error ??= e
  }

  const finished = now()
  const durationSeconds = result ? result.durationMs / 1000 : (finished.getTime() - started.getTime()) / 1000
  const message = error === undefined ? undefined : errorMessage(error)

  if (mlflow && mlflowRun) {
    try {
      await mlflow.logBatch(mlflowRun.runId, {
        metrics,
        params: { ...params, seed: o.seed },
        tags: {
          'mlops.status': error ? 'failed' : 'passed',
          ...(model ? { 'mlops.model_digest': model.digest } : {}),
        },
        timestamp: finished.getTime(),
      })
      await mlflow.finishRun(
        mlflowRun.runId,
        error ? (result?.timedOut || result?.cancelledBy ? 'KILLED' : 'FAILED') : 'FINISHED',
        finished.getTime(),
      )
    } catch (e) {
      log.warning(`MLflow tracking: ${errorMessage(e)}`)
    }
  }

  const record: RunRecordInput = {
    schema: 'mlops-actions/run-record@1',
    id: runId,
    kind: 'train-model',
    status: error ? 'failed' : 'passed',
    headline: headline({
      metrics,
      durationSeconds,
      peakMemoryBytes: result?.peakMemoryBytes,
      error: message,
    }),
    details: details({
      params,
      metrics,
      seed: o.seed,
      durationSeconds,
      peakMemoryBytes: result?.peakMemoryBytes,
      model,
      data,
      code,
      error: message,
      outputTail: error ? result?.tail : undefined,
      mlflowUrl: mlflowRun?.url,
    }),
    model: { name: o.modelName },
    run: o.context,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    result: {
      runId,
      command: o.command,
      seed: o.seed,
      metrics,
      params,
      model: model ? { ...model } : undefined,
      data,
      code,
      environment: env,
      durationSeconds,
      peakMemoryBytes: result?.peakMemoryBytes,
      exitCode: result?.exitCode ?? undefined,
      timedOut: result?.timedOut ?? false,
      cancelledBy: result?.cancelledBy,
      cache: o.cacheKey
        ? {
            key: o.cacheKey,
            paths: o.cachePaths,
            restored: cacheRestored ?? null,
            hit: cacheHit,
            saved: cacheSaved,
          }
        : undefined,
      mlflow: mlflowRun,
      error: message,
    },
  }
  const recordPath = await writeRunRecord(record, o.recordPath)
  log.info(`Run record: ${recordPath} (status ${record.status})`)

  let artifactId: number | undefined
  let artifactLocation: string | undefined
  if (o.upload && ports.artifacts) {
    const name = o.artifactName ?? `mlops-train-${runId}`
    try {
      const up = await log.group(`Artifact: upload '${name}'`, () =>
        uploadModelAndRecord(ports.artifacts!, name, model ? modelAbs : undefined, model, recordPath),
      )
      artifactId = up.id
      artifactLocation = up.location
      log.info(`Uploaded the model and the run record: ${up.location}`)
    } catch (e) {
      error ??= new Error(`Uploading artifact '${name}' failed: ${errorMessage(e)}`)
    }
  }

  return {
    runId,
    record: runRecordSchema.parse(record),
    recordPath,
    metrics,
    modelPath: modelAbs,
    artifactId,
    artifactLocation,
    durationSeconds,
    cacheHit,
    error,
  }
}

/** Model files whose content predates the command: left over from an earlier run. */
async function filesOlderThan(modelAbs: string, model: TreeDigest, sinceMs: number): Promise<string[]> {
  const isFile = (await stat(modelAbs)).isFile()
  const old: string[] = []
  for (const f of model.files) {
    const st = await stat(isFile ? modelAbs : path.join(modelAbs, f.path))
    if (st.mtimeMs + 1000 < sinceMs) old.push(f.path)
  }
  return old
}

/**
 * One artifact: `model/<files>` (or `model/<file>` for a single-file model) and `run-record.json`. The
 * files are staged in a temporary folder (hard links where possible) so the layout does not depend on where
 * the model and the record live in the workspace.
 */
async function uploadModelAndRecord(
  store: ArtifactStore,
  name: string,
  modelAbs: string | undefined,
  model: TreeDigest | undefined,
  recordPath: string,
): Promise<{ id?: number; location: string }> {
  const stage = await mkdtemp(path.join(process.env.RUNNER_TEMP || tmpdir(), 'mlops-artifact-'))
  try {
    const files: string[] = []
    const put = async (from: string, rel: string) => {
      const to = path.join(stage, rel)
      await mkdir(path.dirname(to), { recursive: true })
      await link(from, to).catch(() => copyFile(from, to))
      files.push(to)
    }
    if (modelAbs && model) {
      const isFile = (await stat(modelAbs)).isFile()
      for (const f of model.files)
        await put(isFile ? modelAbs : path.join(modelAbs, f.path), path.join('model', f.path))
    }
    await put(path.resolve(recordPath), 'run-record.json')
    return await store.upload(name, files, stage)
  } finally {
    await rm(stage, { recursive: true, force: true })
  }
}
