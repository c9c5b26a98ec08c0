import path from 'node:path'
import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { InputError } from '../../../shared/errors.js'
import { diffJson, gateRunRecord, runGate } from '../../../shared/gate/run.js'
import { writeRunRecord } from '../../../shared/run-record/io.js'
import { writeFileAtomic } from '../../../shared/util/fs.js'
import { parse } from '../args.js'
import type { Command } from '../command.js'

const TASKS = ['auto', 'classification', 'regression'] as const

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'gate a candidate model on its metrics against thresholds and a baseline (as evaluate-gate)',
  usage: `mlops evaluate --metrics FILE [--baseline FILE|registry:ALIAS] [--policy FILE|YAML] [--predictions A.csv --baseline-predictions B.csv] [--significance P] [--task auto|classification|regression] [--seed N] [--model NAME] [--config mlops.yaml] [--json] [--no-fail] [--out DIR]

  --metrics FILE    the candidate's metrics (JSON/YAML, or a run record)
  --baseline FILE   a metrics file, a run record or registry:ALIAS (default: gate.baseline in the policy)
  --policy X        a policy file or inline YAML (default: the gate section of the config file)
  --json            print the per-metric diff as JSON instead of the Markdown report
  --no-fail         exit 0 even when the gate fails
  --out DIR         where the run record and the report file go (default .mlops)

Exits 1 when the gate fails (unless --no-fail) or an input is bad.`,
  async run(args, log) {
    const { values } = parse(args, {
      metrics: { type: 'string' },
      baseline: { type: 'string' },
      policy: { type: 'string' },
      predictions: { type: 'string' },
      'baseline-predictions': { type: 'string' },
      significance: { type: 'string' },
      task: { type: 'string', default: 'auto' },
      seed: { type: 'string', default: '0' },
      model: { type: 'string' },
      config: { type: 'string', default: 'mlops.yaml' },
      json: { type: 'boolean' },
      'no-fail': { type: 'boolean' },
      out: { type: 'string', default: '.mlops' },
    })
    if (!values.metrics)
      throw new InputError('--metrics', 'is required', 'Point it at the candidate metrics file')
    const task = values.task as (typeof TASKS)[number]
    if (!TASKS.includes(task))
      throw new InputError('--task', `must be one of ${TASKS.join(', ')}; got '${task}'`)
    const seed = Number(values.seed)
    if (!Number.isInteger(seed) || seed < 0)
      throw new InputError('--seed', `must be a whole number; got '${values.seed}'`)
    const significance = values.significance === undefined ? undefined : Number(values.significance)
    if (significance !== undefined && !(significance > 0 && significance < 1))
      throw new InputError('--significance', `must be between 0 and 1; got '${values.significance}'`)

    const startedAt = new Date()
    const config = await loadMlopsConfig(values.config, { optional: true })
    const outcome = await runGate(
      {
        metrics: values.metrics,
        baseline: values.baseline,
        policy: values.policy,
        config,
        configFile: values.config,
        predictions: values.predictions,
        baselinePredictions: values['baseline-predictions'],
        significance,
        task,
        seed,
      },
      log,
    )
    const model = values.model ?? config.model?.name ?? outcome.candidate.model?.name ?? 'model'
    const record = await writeRunRecord(
      gateRunRecord(outcome, {
        model,
        version: outcome.candidate.model?.version,
        run: {},
        startedAt,
        finishedAt: new Date(),
      }),
      path.join(values.out, 'records', `evaluate-gate-${model}.json`),
    )
    const reportFile = path.resolve(values.out, 'mlops-gate-report.md')
    await writeFileAtomic(reportFile, `${outcome.report}\n`)
    if (values.json) console.log(JSON.stringify(diffJson(outcome.result), null, 2))
    else console.log(outcome.report)
    log.info(`${outcome.headline}\nRun record → ${record} · report → ${reportFile}`)
    return outcome.result.passed || values['no-fail'] ? 0 : 1
  },
}
