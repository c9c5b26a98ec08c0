import type { z } from 'zod'
import type { monitorRule } from '../config/mlops-config.js'
import { MlopsError } from '../errors.js'
import type { PrometheusApi, Series } from '../prometheus/client.js'
import { parseDuration } from '../util/duration.js'

/**
 * Rule evaluation: runs every rule's PromQL against Prometheus and decides, per model, whether the rule is
 * breached. Nothing here writes anywhere; `reconcile` acts on the result, so a failing query stops the run
 * before any issue is opened or workflow dispatched.
 */

export type MonitorRule = z.output<typeof monitorRule>

export interface Evaluation {
  readonly rule: MonitorRule
  /** The model this result is about: the series' `model` label, else the configured model name. */
  readonly model: string
  readonly status: 'breached' | 'ok' | 'no-data'
  /** Breached, or no data with `on_no_data: alert`: the rule wants an issue. */
  readonly firing: boolean
  /** The value of the worst series at evaluation time (undefined without data). */
  readonly value?: number
  /** Labels of that series. */
  readonly labels: Readonly<Record<string, string>>
  /** Human wording of the condition, e.g. `above 4000 for 1h`. */
  readonly condition: string
  readonly at: Date
  /** The worst series over the chart window, for the chart. */
  readonly history?: Series
  /** Warnings Prometheus attached to the answers (e.g. partial data). */
  readonly warnings: readonly string[]
}

export interface EvaluateOptions {
  readonly now: () => Date
  /** Model name for series without a `model` label (from the config or the `model` input). */
  readonly model?: string
  /** History the chart shows (ms); at least the rule's `for`. */
  readonly windowMs: number
}

export const DEFAULT_MODEL = 'default'

/** How far beyond the threshold a value is; > 0 means breached. */
export function excess(rule: MonitorRule, v: number): number {
  if (rule.above !== undefined) return v - rule.above
  if (rule.below !== undefined) return rule.below - v
  if (rule.outside) return Math.max(rule.outside[0] - v, v - rule.outside[1])
  return Number.NEGATIVE_INFINITY
}

export const breaches = (rule: MonitorRule, v: number) => Number.isFinite(v) && excess(rule, v) > 0

export function describeCondition(rule: MonitorRule): string {
  const base =
    rule.above !== undefined
      ? `above ${rule.above}`
      : rule.below !== undefined
        ? `below ${rule.below}`
        : `outside [${rule.outside?.[0]}, ${rule.outside?.[1]}]`
  return rule.for ? `${base} for ${rule.for}` : base
}

/** Range query resolution: 60 steps over the window, at least 1 s. */
export const stepFor = (windowMs: number) => Math.max(1000, Math.floor(windowMs / 60_000) * 1000)

const seriesKey = (labels: Readonly<Record<string, string>>) =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))

/**
 * Did the condition hold at every evaluation step over `[end - forMs, end]`, as a Prometheus alert's `for`?
 * A missing step (the series did not exist yet, or had a gap) means it did not hold.
 */
export function heldFor(rule: MonitorRule, s: Series, start: number, end: number, stepMs: number): boolean {
  const expected = Math.floor((end - start) / stepMs) + 1
  const inWindow = s.points.filter(([t]) => t >= start && t <= end)
  return inWindow.length >= expected && inWindow.every(([, v]) => breaches(rule, v))
}

export async function evaluateRule(
  rule: MonitorRule,
  prom: PrometheusApi,
  opts: EvaluateOptions,
): Promise<Evaluation[]> {
  const at = opts.now()
  const instant = await prom.query(rule.query, at)
  if (instant.resultType === 'matrix')
    throw new MlopsError(
      `Rule '${rule.name}': the query returns a range vector; use an instant vector or scalar (e.g. wrap it in avg_over_time(...))`,
    )
  const current = instant.series.filter((s) => s.points.length && Number.isFinite(s.points.at(-1)![1]))

  const forMs = rule.for ? parseDuration(rule.for)! : 0
  let held: Set<string> | undefined
  if (forMs > 0) {
    const step = stepFor(forMs)
    const start = at.getTime() - forMs
    const r = await prom.queryRange(rule.query, { start: new Date(start), end: at, stepMs: step })
    held = new Set(
      r.series.filter((s) => heldFor(rule, s, start, at.getTime(), step)).map((s) => seriesKey(s.labels)),
    )
  }

  const windowMs = Math.max(opts.windowMs, forMs)
  const chart = await prom.queryRange(rule.query, {
    start: new Date(at.getTime() - windowMs),
    end: at,
    stepMs: stepFor(windowMs),
  })
  const warnings = [...new Set([...instant.warnings, ...chart.warnings])]
  const historyOf = (labels: Readonly<Record<string, string>>) =>
    chart.series.find((s) => seriesKey(s.labels) === seriesKey(labels))

  const fallbackModel = opts.model ?? DEFAULT_MODEL
  const groups = new Map<string, Series[]>()
  for (const s of current) {
    const model = s.labels.model ?? fallbackModel
    groups.set(model, [...(groups.get(model) ?? []), s])
  }
  const condition = describeCondition(rule)
  if (groups.size === 0) {
    return [
      {
        rule,
        model: fallbackModel,
        status: 'no-data',
        firing: rule.on_no_data === 'alert',
        labels: {},
        condition,
        at,
        history: chart.series[0],
        warnings,
      },
    ]
  }
  return [...groups].map(([model, series]) => {
    const isBreached = (s: Series) =>
      breaches(rule, s.points.at(-1)![1]) && (held === undefined || held.has(seriesKey(s.labels)))
    const breachedSeries = series.filter(isBreached)
    const pool = breachedSeries.length ? breachedSeries : series
    const worst = pool.reduce((a, b) =>
      excess(rule, b.points.at(-1)![1]) > excess(rule, a.points.at(-1)![1]) ? b : a,
    )
    const status = breachedSeries.length ? 'breached' : 'ok'
    return {
      rule,
      model,
      status,
      firing: status === 'breached',
      value: worst.points.at(-1)![1],
      labels: worst.labels,
      condition,
      at,
      history: historyOf(worst.labels),
      warnings,
    }
  })
}

/** Evaluates every rule; the first failing query fails the whole run (nothing has been acted on yet). */
export async function evaluateRules(
  rules: readonly MonitorRule[],
  prom: PrometheusApi,
  opts: EvaluateOptions,
): Promise<Evaluation[]> {
  const out: Evaluation[] = []
  for (const rule of rules) {
    try {
      out.push(...(await evaluateRule(rule, prom, opts)))
    } catch (e) {
      if (e instanceof MlopsError && e.message.startsWith(`Rule '`)) throw e
      throw new MlopsError(`Rule '${rule.name}': ${(e as Error).message}`, { cause: e })
    }
  }
  return out
}
