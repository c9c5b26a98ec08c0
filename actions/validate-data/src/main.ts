import * as core from '@actions/core'
import { coreLogger } from '../../../shared/action/core-logger.js'
import { runAction } from '../../../shared/action/run-action.js'
import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { InputError } from '../../../shared/errors.js'
import { runContext } from '../../../shared/github/context.js'
import { writeRunRecord } from '../../../shared/run-record/io.js'
import { annotate, runRecordOf, summaryMarkdown, writeOutputs } from '../../../shared/validate/outputs.js'
import { headline } from '../../../shared/validate/report.js'
import { loadDataSchema } from '../../../shared/validate/schema.js'
import { mergeAndValidate, validateData } from '../../../shared/validate/validate.js'
import { getSettings, Input, Output } from './inputs.js'

export function run(): Promise<void> {
  return runAction(main)
}

async function main(): Promise<void> {
  const startedAt = new Date()
  const s = getSettings()
  const log = coreLogger
  const config = await loadMlopsConfig(s.config, { optional: true })
  const data = s.data.length ? s.data : (config.data?.path ?? [])
  if (!data.length && !s.merge.length)
    throw new InputError(
      Input.Data,
      'is empty and the config has no data.path',
      'Set the files or globs to validate',
    )
  const schemaFile = s.schema ?? config.data?.schema
  const schema = schemaFile ? await loadDataSchema(schemaFile) : undefined
  const reference = s.reference.length ? s.reference : config.data?.reference ? [config.data.reference] : []

  const { report, profile } = s.merge.length
    ? await mergeAndValidate({ profiles: s.merge, schema, reference, failOn: s.failOn }, log)
    : await validateData(
        {
          data,
          schema,
          reference,
          failOn: s.failOn,
          shard: s.shard,
          delimiter: s.delimiter,
          format: s.format,
          threads: s.threads,
        },
        log,
      )

  const reportFile = await writeOutputs(report, profile, { report: s.report, profileOut: s.profileOut })
  annotate(report, log)
  const markdown = summaryMarkdown(report)
  await core.summary.addRaw(markdown).write()
  const ctx = runContext()
  const model = s.model ?? config.model?.name ?? ctx.repository?.split('/')[1] ?? 'model'
  const record = await writeRunRecord(
    runRecordOf(report, { model, run: ctx, startedAt, finishedAt: new Date(), reportFile }),
    s.runRecord,
  )
  core.info(`${headline(report)} → ${reportFile}; run record ${record}`)

  core.setOutput(Output.Passed, String(report.passed))
  core.setOutput(Output.Errors, String(report.errors))
  core.setOutput(Output.Warnings, String(report.warnings))
  core.setOutput(Output.Rows, String(report.rows))
  core.setOutput(Output.DriftedColumns, JSON.stringify(report.drift?.drifted ?? []))
  core.setOutput(Output.DriftShare, report.drift ? String(report.drift.share) : '')
  core.setOutput(Output.Report, reportFile)
  if (!report.passed) core.setFailed(`Data validation failed (fail-on: ${s.failOn}): ${headline(report)}`)
}
