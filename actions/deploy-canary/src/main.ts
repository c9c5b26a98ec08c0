import * as core from '@actions/core'
import { coreLogger } from '../../../shared/action/core-logger.js'
import * as inputs from '../../../shared/action/inputs.js'
import { runAction } from '../../../shared/action/run-action.js'
import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { resolveChecks } from '../../../shared/deploy/analysis.js'
import { runCanary } from '../../../shared/deploy/canary.js'
import { prometheusMetrics } from '../../../shared/deploy/prometheus-source.js'
import type { TrafficPhase } from '../../../shared/deploy/provider.js'
import { createProvider } from '../../../shared/deploy/providers.js'
import { canaryRunRecord, renderSummary } from '../../../shared/deploy/render.js'
import { MlopsError } from '../../../shared/errors.js'
import { runContext } from '../../../shared/github/context.js'
import { PrometheusClient } from '../../../shared/prometheus/client.js'
import { writeRunRecord } from '../../../shared/run-record/io.js'
import { getSettings, Input, Output, type Settings } from './inputs.js'
import { trafficState } from './state.js'

export function run(): Promise<void> {
  return runAction(main, post)
}

async function settings(): Promise<Settings> {
  const configPath = inputs.optional(Input.Config) ?? 'mlops.yaml'
  const config = await loadMlopsConfig(configPath, { optional: true })
  return getSettings(config, configPath)
}

async function main(): Promise<void> {
  // Every output is set, whatever happens: 'aborted' means no traffic was moved.
  core.setOutput(Output.Result, 'aborted')
  core.setOutput(Output.FinalWeight, '0')
  core.setOutput(Output.Analysis, '[]')
  core.setOutput(Output.DurationSeconds, '0')

  const s = await settings()
  const log = coreLogger
  const checks = resolveChecks(s.checks)
  const provider = await createProvider(s.provider, log)
  const prometheus = new PrometheusClient({ url: s.prometheusUrl, bearerToken: s.prometheusToken })
  const startedAt = new Date()

  let moved = false
  const onTraffic = (weight: number, phase: TrafficPhase) => {
    moved = true
    trafficState.save(weight, phase)
  }
  const r = await runCanary(
    {
      model: s.model,
      version: s.version,
      steps: s.steps,
      intervalMs: s.intervalMs,
      checks,
      failureLimit: s.failureLimit,
      minRequests: s.minRequests,
      onNoData: s.onNoData,
      maxWaitMs: s.maxWaitMs,
      variants: s.variants,
      prometheusUrl: s.prometheusUrl,
    },
    { provider, metrics: prometheusMetrics(prometheus), log, onTraffic },
  ).catch((e: unknown) => {
    // Traffic moved and then something failed that rollback could not fix: say so in `result` too.
    if (moved) core.setOutput(Output.Result, 'failed')
    throw e
  })

  core.setOutput(Output.Result, r.result)
  core.setOutput(Output.FinalWeight, String(r.finalWeight))
  core.setOutput(Output.Analysis, JSON.stringify(r.analysis))
  core.setOutput(Output.DurationSeconds, String(Math.round(r.durationSeconds)))

  const info = { model: s.model, version: s.version, provider: provider.name, steps: s.steps }
  await core.summary.addRaw(renderSummary(r, info)).write()
  const ctx = runContext()
  const id = `${ctx.runId ?? 'local'}-${ctx.runAttempt ?? '1'}-${s.model}-${startedAt.getTime().toString(36)}`
  const file = await writeRunRecord(canaryRunRecord(r, { ...info, id, run: ctx, startedAt }))
  core.info(`Run record: ${file}`)

  if (r.result === 'rolled-back') {
    const msg = `Canary rolled back at ${r.maxWeight} %: ${r.reason}`
    if (s.failOnRollback) throw new MlopsError(msg)
    core.warning(`${msg} (not failing the step: fail-on-rollback is false)`)
  }
}

/** Runs always (post-if: always()): if the main step stopped mid-rollout, traffic goes back to stable. */
async function post(): Promise<void> {
  const saved = trafficState.read()
  if (saved.phase !== 'progressing') {
    core.info(`Nothing to clean up (traffic: ${saved.phase ?? 'never moved'}).`)
    return
  }
  core.warning(
    `The rollout stopped with the canary at ${saved.weight ?? '?'} % (job cancelled or the main step died); returning all traffic to stable.`,
  )
  const s = await settings()
  const provider = await createProvider(s.provider, coreLogger)
  await provider.rollback()
  trafficState.save(0, 'rolled-back')
  core.info(`Traffic is back on stable (${provider.name}).`)
}
