import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { InputError } from '../../../shared/errors.js'
import { LocalForge } from '../../../shared/forge/local-forge.js'
import { buildReports } from '../../../shared/report/build.js'
import { writeReportFile } from '../../../shared/report/output.js'
import { publishReports } from '../../../shared/report/publish.js'
import { overallStatus } from '../../../shared/report/render.js'
import { DEFAULT_RECORDS_DIR, readRunRecords } from '../../../shared/run-record/io.js'
import { parse } from '../args.js'
import type { Command } from '../command.js'

export const reportCommand: Command = {
  name: 'report',
  summary: 'merge run records into one report per model (sticky comment in .mlops/outbox, Markdown file)',
  usage: `mlops report [--records GLOB]... [--title T] [--model NAME] [--pr N] [--no-comment] [--out DIR] [--config mlops.yaml]

  --records GLOB   run record files (repeatable; default ${DEFAULT_RECORDS_DIR}/**/*.json)
  --pr N           the pull request the comment belongs to (default: none, kept under comments/local/)
  --out DIR        where the outbox and the report file go (default .mlops)`,
  async run(args, log) {
    const { values } = parse(args, {
      records: { type: 'string', multiple: true },
      title: { type: 'string' },
      model: { type: 'string' },
      pr: { type: 'string' },
      'no-comment': { type: 'boolean' },
      out: { type: 'string', default: '.mlops' },
      config: { type: 'string', default: 'mlops.yaml' },
    })
    const pr = values.pr === undefined ? 0 : Number(values.pr)
    if (!Number.isInteger(pr) || pr < 0)
      throw new InputError('--pr', `must be a pull request number; got '${values.pr}'`)
    const config = await loadMlopsConfig(values.config, { optional: true })
    const records = await readRunRecords(values.records ?? [`${DEFAULT_RECORDS_DIR}/**/*.json`])
    const reports = buildReports(records, {
      title: values.title ?? config.report?.title ?? 'MLOps report',
      model: values.model,
    })
    const forge = new LocalForge(`${values.out}/outbox`)
    const published = await publishReports(
      reports,
      { prNumber: pr, isFork: false, comment: !values['no-comment'], forge: () => forge },
      log,
    )
    const file = await writeReportFile(reports, values.out)
    for (const p of published)
      log.info(`${p.model}: comment ${p.action}${p.commentUrl ? ` → ${p.commentUrl}` : ''}`)
    log.info(`Full report (${records.length} run records, status ${overallStatus(records)}) → ${file}`)
    return 0
  },
}
