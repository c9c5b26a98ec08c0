import path from 'node:path'
import { RUN_RECORD_SCHEMA, type RunContext, type RunRecordInput } from '../run-record/schema.js'
import { writeFileAtomic } from '../util/fs.js'
import type { Logger } from '../util/logger.js'
import type { DataProfile } from './profile.js'
import { headline, renderMarkdown, type ValidationReport } from './report.js'

/** Writes the JSON report (and the profile, when asked); returns the report's path. */
export async function writeOutputs(
  report: ValidationReport,
  profile: DataProfile,
  files: { report: string; profileOut?: string },
): Promise<string> {
  await writeFileAtomic(files.report, `${JSON.stringify(report, null, 2)}\n`)
  if (files.profileOut) await writeFileAtomic(files.profileOut, `${JSON.stringify(profile)}\n`)
  return files.report
}

/** One annotation per failed check, on the file and line of its first offending row. */
export function annotate(report: ValidationReport, log: Logger): void {
  for (const v of report.violations) {
    const first = v.samples[0]
    const where = first ? { file: first.file, line: first.line } : undefined
    const rows = v.samples.length > 1 ? `; first rows ${v.samples.map((s) => s.line).join(', ')}` : ''
    const msg = `${v.column ? `${v.column}: ` : ''}${v.check}: ${v.message} (${v.count} row${v.count === 1 ? '' : 's'}${rows})`
    if (v.severity === 'error') log.error(msg, where)
    else log.warning(msg, where)
  }
}

/** The Markdown for the job summary and for the run record's details. */
export function summaryMarkdown(report: ValidationReport): string {
  return `## Data validation\n\n${headline(report)}\n\n${renderMarkdown(report)}\n`
}

/** The run record of the step (kind validate-data); `report` renders `details` in the PR comment. */
export function runRecordOf(
  report: ValidationReport,
  opts: { model: string; run: RunContext; startedAt: Date; finishedAt: Date; reportFile: string },
): RunRecordInput {
  const id = [
    opts.run.runId ?? 'local',
    opts.run.runAttempt ?? '1',
    opts.run.job ?? '',
    opts.startedAt.getTime(),
  ]
    .filter(Boolean)
    .join('-')
  return {
    schema: RUN_RECORD_SCHEMA,
    id,
    kind: 'validate-data',
    status: report.status,
    headline: headline(report),
    details: renderMarkdown(report),
    model: { name: opts.model },
    run: opts.run,
    startedAt: opts.startedAt.toISOString(),
    finishedAt: opts.finishedAt.toISOString(),
    result: {
      rows: report.rows,
      errors: report.errors,
      warnings: report.warnings,
      passed: report.passed,
      driftedColumns: report.drift?.drifted ?? [],
      driftShare: report.drift?.share ?? null,
      report: path.normalize(opts.reportFile),
    },
  }
}
