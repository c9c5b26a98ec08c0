import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { InputError } from '../../../shared/errors.js'
import { runContext } from '../../../shared/github/context.js'
import { resolveTrainOptions } from '../../../shared/train/options.js'
import { localArtifactStore, localCacheStore } from '../../../shared/train/storage.js'
import { newRunId, train } from '../../../shared/train/train.js'
import { DURATION_HINT, parseDuration } from '../../../shared/util/duration.js'
import { parse } from '../args.js'
import type { Command } from '../command.js'

export const trainCommand: Command = {
  name: 'train',
  summary:
    'run the training command and record metrics, params, model and data digests (.mlops/records, .mlops/artifacts)',
  usage: `mlops train [--command CMD] [--seed N] [--max-duration 30m] [options] [--config mlops.yaml]

  Options left out come from train: in mlops.yaml.
  --command CMD              training command, run with bash (set -eo pipefail)
  --working-directory DIR    where it runs; the paths below are relative to it
  --params FILE              params file (YAML or JSON)
  --metrics FILE             metrics file the command writes (default metrics.json)
  --model-path PATH          model folder or file the command writes (default model)
  --data PATH                data file, folder or glob to fingerprint (repeatable)
  --seed N                   MLOPS_SEED and PYTHONHASHSEED (default 42)
  --max-duration D           stop the whole process tree after D (e.g. 90s, 30m)
  --cache-paths PATH         restore before and save after a success (repeatable), under --cache-key
  --cache-key KEY            entry in .mlops/cache/
  --no-upload                do not copy the model and record to .mlops/artifacts/<run id>/
  --python CMD               Python whose version and packages are recorded (default python3)
  --run-record FILE          where the record goes (default .mlops/records/train-model-<run id>.json)
  --mlflow-tracking-uri URL  also log the run to MLflow (token from MLFLOW_TRACKING_TOKEN)
  --mlflow-experiment-id ID  MLflow experiment (default 0)`,
  async run(args, log) {
    const { values: v } = parse(args, {
      command: { type: 'string' },
      'working-directory': { type: 'string' },
      params: { type: 'string' },
      metrics: { type: 'string' },
      'model-path': { type: 'string' },
      data: { type: 'string', multiple: true },
      seed: { type: 'string' },
      'max-duration': { type: 'string' },
      'cache-paths': { type: 'string', multiple: true },
      'cache-key': { type: 'string' },
      'no-upload': { type: 'boolean' },
      python: { type: 'string' },
      'run-record': { type: 'string' },
      'mlflow-tracking-uri': { type: 'string' },
      'mlflow-experiment-id': { type: 'string', default: '0' },
      config: { type: 'string', default: 'mlops.yaml' },
    })
    const seed = v.seed === undefined ? undefined : Number(v.seed)
    if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0))
      throw new InputError('--seed', `must be a whole number of 0 or more; got '${v.seed}'`)
    const maxDurationMs = v['max-duration'] === undefined ? undefined : parseDuration(v['max-duration'])
    if (v['max-duration'] !== undefined && maxDurationMs === undefined)
      throw new InputError('--max-duration', `is not a duration: '${v['max-duration']}'`, DURATION_HINT)

    const config = await loadMlopsConfig(v.config, { optional: true })
    const runId = newRunId(new Date())
    const options = resolveTrainOptions(
      {
        command: v.command,
        workingDirectory: v['working-directory'],
        params: v.params,
        metrics: v.metrics,
        modelPath: v['model-path'],
        data: v.data ?? [],
        seed,
        maxDurationMs,
        maxDurationText: v['max-duration'],
        cachePaths: v['cache-paths'] ?? [],
        cacheKey: v['cache-key'],
        upload: !v['no-upload'],
        artifactName: runId,
        python: v.python,
        runRecord: v['run-record'],
        runId,
        mlflow: v['mlflow-tracking-uri']
          ? {
              trackingUri: v['mlflow-tracking-uri'],
              experimentId: v['mlflow-experiment-id'],
              token: process.env.MLFLOW_TRACKING_TOKEN || undefined,
            }
          : undefined,
      },
      config,
      v.config,
      { workspace: process.cwd(), env: process.env, context: runContext() },
    )
    const out = await train(options, {
      log,
      artifacts: localArtifactStore('.mlops/artifacts'),
      cache: localCacheStore('.mlops/cache'),
      onOutput: (line) => process.stdout.write(`${line}\n`),
    })
    log.info(`${out.record.status}: ${out.record.headline}`)
    if (out.error !== undefined) throw out.error
    return 0
  },
}
