import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import { coreLogger } from '../../../shared/action/core-logger.js'
import { githubForge } from '../../../shared/action/forge.js'
import { runAction } from '../../../shared/action/run-action.js'
import { downloadArtifacts } from '../../../shared/artifacts/artifacts.js'
import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { isForkPullRequest, readEvent, runContext } from '../../../shared/github/context.js'
import { buildReports } from '../../../shared/report/build.js'
import { saveFullReports, writeReportFile } from '../../../shared/report/output.js'
import { publishReports } from '../../../shared/report/publish.js'
import { overallStatus } from '../../../shared/report/render.js'
import { readRunRecords } from '../../../shared/run-record/io.js'
import { getSettings, Output } from './inputs.js'

export function run(): Promise<void> {
  return runAction(main)
}

async function main(): Promise<void> {
  const s = getSettings()
  const log = coreLogger
  const config = await loadMlopsConfig(s.config, { optional: true })
  const patterns = [...s.runRecords]
  if (s.artifactPattern) {
    const dir = await mkdtemp(path.join(process.env.RUNNER_TEMP || tmpdir(), 'mlops-records-'))
    for (const d of await downloadArtifacts(s.artifactPattern, dir, log)) patterns.push(`${d}/**/*.json`)
  }
  const records = await readRunRecords(patterns)
  const ctx = runContext()
  const event = readEvent()
  const reports = buildReports(records, {
    title: s.title ?? config.report?.title ?? 'MLOps report',
    model: s.model ?? undefined,
    runUrl: ctx.runUrl,
  })

  const published = await publishReports(
    reports,
    {
      prNumber: ctx.prNumber,
      isFork: isForkPullRequest(event),
      comment: s.comment,
      forge: () => githubForge(s.token, log),
    },
    log,
  )

  await core.summary.addRaw(reports.map((r) => r.full).join('\n\n')).write()
  const file = await writeReportFile(reports, process.env.RUNNER_TEMP || '.mlops')
  await saveFullReports(reports, log)

  const ids = Object.fromEntries(
    published.filter((p) => p.commentId !== undefined).map((p) => [p.model, p.commentId]),
  )
  core.setOutput(Output.CommentId, published.find((p) => p.commentId !== undefined)?.commentId ?? '')
  core.setOutput(Output.CommentIds, JSON.stringify(ids))
  core.setOutput(Output.Report, file)
  core.setOutput(Output.Status, overallStatus(records))
}
