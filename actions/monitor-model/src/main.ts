import { randomUUID } from 'node:crypto'
import * as core from '@actions/core'
import { coreLogger } from '../../../shared/action/core-logger.js'
import { githubForge } from '../../../shared/action/forge.js'
import { runAction } from '../../../shared/action/run-action.js'
import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { runContext } from '../../../shared/github/context.js'
import { DEFAULT_MODEL } from '../../../shared/monitor/evaluate.js'
import {
  breachedJson,
  issuesJson,
  monitorRecord,
  resolveMonitor,
  runMonitor,
  summaryMarkdown,
} from '../../../shared/monitor/run.js'
import { PrometheusClient } from '../../../shared/prometheus/client.js'
import { writeRunRecord } from '../../../shared/run-record/io.js'
import { getSettings, Output } from './inputs.js'

export function run(): Promise<void> {
  return runAction(main)
}

async function main(): Promise<void> {
  const startedAt = new Date()
  // Every output has a value even when the step fails half-way.
  core.setOutput(Output.Breached, '[]')
  core.setOutput(Output.Issues, '[]')
  core.setOutput(Output.Dispatched, 'false')
  core.setOutput(Output.RunRecord, '')
  const s = getSettings()
  const log = coreLogger
  const ctx = runContext()
  const config = await loadMlopsConfig(s.config, { optional: true })
  const m = await resolveMonitor({ ...s, runUrl: ctx.runUrl }, config)
  if (s.prometheusUsername)
    // The derived Authorization value is a credential too.
    core.setSecret(Buffer.from(`${s.prometheusUsername}:${s.prometheusPassword ?? ''}`).toString('base64'))
  const prometheus = new PrometheusClient({
    url: m.prometheusUrl,
    bearerToken: s.prometheusToken,
    basicAuth: s.prometheusUsername
      ? { username: s.prometheusUsername, password: s.prometheusPassword ?? '' }
      : undefined,
    headers: s.prometheusHeaders,
    caFile: s.prometheusCaFile,
    timeoutMs: s.prometheusTimeoutMs,
    retries: s.prometheusRetries,
  })

  const result = await runMonitor({
    rules: m.rules,
    prometheus,
    forge: () => githubForge(s.token, log),
    policy: m.policy,
    model: m.model,
    now: () => new Date(),
    log,
  })

  const summary = summaryMarkdown(result, m.prometheusUrl)
  const record = await writeRunRecord(
    monitorRecord(result, {
      id: `${ctx.runId ?? 'local'}-${ctx.runAttempt ?? '1'}-${randomUUID().slice(0, 8)}`,
      model: m.model ?? result.evaluations[0]?.model ?? DEFAULT_MODEL,
      startedAt,
      finishedAt: new Date(),
      run: ctx,
      details: summary,
    }),
  )
  await core.summary.addRaw(summary).write()
  core.setOutput(Output.Breached, JSON.stringify(breachedJson(result)))
  core.setOutput(Output.Issues, JSON.stringify(issuesJson(result)))
  core.setOutput(Output.Dispatched, String(result.dispatched))
  core.setOutput(Output.RunRecord, record)
}
