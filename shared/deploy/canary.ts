import { errorMessage } from '../errors.js'
import type { Logger } from '../util/logger.js'
import {
  type AnalysisContext,
  analyseRound,
  type CheckSpec,
  type Measurement,
  type MetricsSource,
  type OnNoData,
  preflight,
} from './analysis.js'
import { ProviderError, type TrafficPhase, type TrafficProvider } from './provider.js'

/** Time, as a port: the real clock in actions, a fake one in unit tests (the loop then runs instantly). */
export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
}

export interface CanaryOptions {
  readonly model: string
  /** The canary's version (for `{{ version }}` and the record). */
  readonly version?: string
  readonly stableVersion?: string
  /** Canary weights in percent, ascending, e.g. 5, 25, 50, 100. */
  readonly steps: readonly number[]
  /** Time the canary serves at each weight before it is judged; also the default query window. */
  readonly intervalMs: number
  readonly checks: readonly CheckSpec[]
  /** Failed analyses tolerated before rollback: rollback when this many have failed (Flagger's threshold). */
  readonly failureLimit: number
  /** Canary requests needed in a window before a step is judged (0: no minimum). */
  readonly minRequests: number
  readonly onNoData: OnNoData
  /** With `on-no-data: wait`, how long one step may wait for data before the analysis fails. */
  readonly maxWaitMs: number
  /** Values of the `variant` label (default `canary` and `stable`). */
  readonly variants?: { readonly canary: string; readonly stable: string }
  /** Where Prometheus is, for messages. */
  readonly prometheusUrl?: string
}

export interface CanaryDeps {
  readonly provider: TrafficProvider
  readonly metrics: MetricsSource
  readonly log: Logger
  readonly clock?: Clock
  /** Called whenever traffic changes (to save state for the post step). */
  readonly onTraffic?: (weight: number, phase: TrafficPhase) => void | Promise<void>
}

export interface TimelinePoint {
  /** Seconds since start. */
  readonly at: number
  readonly weight: number
  /** Canary success rate (%) from the `request-success-rate` check, when there is one and it had data. */
  readonly successRate?: number
}

export type CanaryOutcome = 'promoted' | 'rolled-back'

export interface CanaryResult {
  readonly result: CanaryOutcome
  /** Canary weight at the end: 100 when promoted, 0 when rolled back. */
  readonly finalWeight: number
  /** The highest weight the canary reached. */
  readonly maxWeight: number
  /** Why it rolled back; undefined when promoted. */
  readonly reason?: string
  readonly analysis: readonly Measurement[]
  readonly timeline: readonly TimelinePoint[]
  readonly durationSeconds: number
  readonly failedAnalyses: number
  readonly provider: string
}

/** Validates steps: whole percentages, strictly ascending, above 0. */
export function normalizeSteps(steps: readonly number[]): number[] {
  if (steps.length === 0) throw new ProviderError('steps: give at least one canary weight, e.g. 5,25,50,100')
  let prev = 0
  for (const s of steps) {
    if (!Number.isInteger(s) || s <= 0 || s > 100)
      throw new ProviderError(`steps: each weight must be a whole percentage from 1 to 100; got ${s}`)
    if (s <= prev) throw new ProviderError(`steps must be ascending; ${s} comes after ${prev}`)
    prev = s
  }
  return [...steps]
}

/**
 * The rollout: for each step, set the weight, let the canary serve for `interval`, analyse; promote after
 * the last step; roll back when `failureLimit` analyses have failed or the provider cannot apply a weight.
 * No data is never a silent pass: it waits (up to `maxWait` per step) and then fails, unless the user chose
 * `onNoData: pass` (which warns on every occurrence).
 */
export async function runCanary(o: CanaryOptions, d: CanaryDeps): Promise<CanaryResult> {
  const clock = d.clock ?? realClock
  const { provider, metrics, log } = d
  const steps = normalizeSteps(o.steps)
  const t0 = clock.now()
  const since = () => Math.round((clock.now() - t0) / 100) / 10
  const analysis: Measurement[] = []
  const timeline: TimelinePoint[] = []
  const ctx: AnalysisContext = {
    model: o.model,
    version: o.version,
    stableVersion: o.stableVersion,
    intervalMs: o.intervalMs,
    minRequests: o.minRequests,
    variants: o.variants ?? { canary: 'canary', stable: 'stable' },
  }
  let failures = 0
  let maxWeight = 0

  await log.group('Checking the analysis queries', () => preflight(o.checks, ctx, metrics, o.prometheusUrl))
  await log.group(`Preparing the ${provider.name} provider`, async () => provider.prepare?.())

  const done = (result: CanaryOutcome, reason?: string): CanaryResult => ({
    result,
    finalWeight: result === 'promoted' ? 100 : 0,
    maxWeight,
    reason,
    analysis,
    timeline,
    durationSeconds: since(),
    failedAnalyses: failures,
    provider: provider.name,
  })

  const rollback = async (reason: string): Promise<CanaryResult> => {
    log.warning(`Rolling back: ${reason}`)
    try {
      await provider.rollback()
    } catch (e) {
      throw new ProviderError(
        `Rollback failed after: ${reason}. The ${provider.name} provider could not return traffic to stable (${errorMessage(e)}); the canary may still receive up to ${maxWeight} %. Fix it by hand.`,
      )
    }
    timeline.push({ at: since(), weight: 0 })
    await d.onTraffic?.(0, 'rolled-back')
    return done('rolled-back', reason)
  }

  for (const [i, weight] of steps.entries()) {
    const step = i + 1
    try {
      await d.onTraffic?.(weight, 'progressing')
      await provider.setWeight(weight)
    } catch (e) {
      return rollback(
        `the ${provider.name} provider failed to set the canary to ${weight} %: ${errorMessage(e)}`,
      )
    }
    maxWeight = weight
    log.info(`Step ${step}/${steps.length}: canary at ${weight} %`)
    timeline.push({ at: since(), weight })
    let waitedMs = 0
    for (let attempt = 1; ; attempt++) {
      await clock.sleep(o.intervalMs)
      const round = await analyseRound(o.checks, ctx, metrics, { step, weight, attempt, at: since() })
      analysis.push(...round.measurements)
      const sr = round.measurements.find(
        (m) =>
          o.checks.find((c) => c.name === m.check)?.template === 'request-success-rate' && m.value !== null,
      )
      timeline.push({ at: since(), weight, ...(sr?.value != null ? { successRate: sr.value } : {}) })
      for (const m of round.measurements)
        log.info(
          `  ${m.verdict.padEnd(7)} ${m.check}: ${m.value ?? 'no data'} (${m.threshold})${m.message ? ` ${m.message}` : ''}`,
        )
      if (round.verdict === 'pass') break
      let reason = round.reason ?? 'analysis failed'
      if (round.verdict === 'no-data') {
        if (o.onNoData === 'pass') {
          log.warning(`Step ${step} (${weight} %): no data, passed because on-no-data is 'pass': ${reason}`)
          break
        }
        if (o.onNoData === 'wait' && waitedMs + o.intervalMs <= o.maxWaitMs) {
          waitedMs += o.intervalMs
          log.info(
            `  no data yet; waiting (${Math.round(waitedMs / 1000)} s of max-wait ${Math.round(o.maxWaitMs / 1000)} s)`,
          )
          continue
        }
        reason =
          o.onNoData === 'wait'
            ? `no data after waiting ${Math.round(waitedMs / 1000)} s (max-wait): ${reason}`
            : `no data (on-no-data is 'fail'): ${reason}`
      }
      failures++
      if (failures >= o.failureLimit)
        return rollback(
          `step ${step} (${weight} %), analysis ${failures} of ${o.failureLimit} failed: ${reason}`,
        )
      log.warning(
        `Step ${step} (${weight} %): analysis failed (${failures} of ${o.failureLimit} allowed): ${reason}`,
      )
    }
  }

  try {
    await d.onTraffic?.(100, 'progressing')
    await provider.promote()
  } catch (e) {
    return rollback(`promotion failed: the ${provider.name} provider said ${errorMessage(e)}`)
  }
  maxWeight = 100
  timeline.push({ at: since(), weight: 100 })
  await d.onTraffic?.(100, 'promoted')
  log.info(`Promoted: the canary is the new stable`)
  return done('promoted')
}
