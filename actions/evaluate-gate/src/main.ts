import path from 'node:path'
import * as core from '@actions/core'
import { coreLogger } from '../../../shared/action/core-logger.js'
import { runAction } from '../../../shared/action/run-action.js'
import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { MlopsError } from '../../../shared/errors.js'
import { diffJson, gateRunRecord, runGate } from '../../../shared/gate/run.js'
import { runContext } from '../../../shared/github/context.js'
import { writeRunRecord } from '../../../shared/run-record/io.js'
import { writeFileAtomic } from '../../../shared/util/fs.js'
import { getSettings, Output } from './inputs.js'

export function run(): Promise<void> {
  return runAction(main)
}

async function main(): Promise<void> {
  const startedAt = new Date()
  const s = getSettings()
  const log = coreLogger
  const config = await loadMlopsConfig(s.config, { optional: true })
  const outcome = await runGate(
    {
      metrics: s.metrics,
      baseline: s.baseline,
      policy: s.policy,
      config,
      configFile: s.config,
      predictions: s.predictions,
      baselinePredictions: s.baselinePredictions,
      significance: s.significance,
      task: s.task,
      seed: s.seed,
    },
    log,
  )
  const { result } = outcome
  const model = s.model ?? config.model?.name ?? outcome.candidate.model?.name ?? 'model'

  const reportFile = path.resolve(process.env.RUNNER_TEMP || '.mlops', `mlops-gate-report-${model}.md`)
  await writeFileAtomic(reportFile, `${outcome.report}\n`)
  const record = await writeRunRecord(
    gateRunRecord(outcome, {
      model,
      version: outcome.candidate.model?.version,
      run: runContext(),
      startedAt,
      finishedAt: new Date(),
    }),
  )
  log.info(`Run record → ${record}`)
  await core.summary
    .addRaw(`## ${result.passed ? '✅' : '❌'} Evaluate gate: \`${model}\`\n\n${outcome.report}\n`)
    .write()

  core.setOutput(Output.Passed, String(result.passed))
  core.setOutput(Output.Decision, result.decision)
  core.setOutput(Output.Diff, JSON.stringify(diffJson(result)))
  core.setOutput(Output.Report, reportFile)
  log.info(outcome.headline)

  if (!result.passed) {
    const msg = `Gate failed for ${model}: ${result.failures.join('; ')}`
    if (s.failOnGate) throw new MlopsError(msg)
    log.warning(`${msg} (fail-on-gate is false, so the step passes)`)
  }
}
