import { z } from 'zod'
import { parseYaml } from '../config/load.js'
import { strictObject } from '../config/strict.js'
import { errorMessage, InputError, MlopsError } from '../errors.js'
import { parseDuration } from '../util/duration.js'
import {
  BUILTIN_TEMPLATES,
  type BuiltinName,
  promDuration,
  REQUESTS_QUERY,
  renderQuery,
  unknownVariables,
} from './metrics.js'

/**
 * Canary analysis, as Flagger and Argo Rollouts do it: at every step a set of metric checks, each a PromQL
 * query with a threshold, judged for the canary alone (`min`/`max`) and, for `compare: stable`, against the
 * stable version over the same window.
 */

/** What the analysis needs from Prometheus: one number per query, or undefined for no data (empty or NaN). */
export interface MetricsSource {
  queryScalar(promql: string): Promise<number | undefined>
}

export type OnNoData = 'fail' | 'pass' | 'wait'
export const ON_NO_DATA: readonly OnNoData[] = ['wait', 'fail', 'pass']

/** One check as users write it (in the `analysis` input or `deploy.analysis` in mlops.yaml). */
export const checkSchema = strictObject({
  name: z.string().min(1).optional(),
  template: z.enum(Object.keys(BUILTIN_TEMPLATES) as [BuiltinName, ...BuiltinName[]]).optional(),
  query: z.string().min(1).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  compare: z.literal('stable').optional(),
  max_degradation: z.number().min(0).optional(),
  direction: z.enum(['higher', 'lower']).optional(),
  window: z
    .string()
    .refine((s) => parseDuration(s) !== undefined, { message: "expected a duration such as '30s' or '1m'" })
    .optional(),
})
export const analysisSchema = z.array(checkSchema)
export type CheckInput = z.output<typeof checkSchema>

export interface CheckSpec {
  readonly name: string
  readonly template?: BuiltinName
  readonly query: string
  readonly min?: number
  readonly max?: number
  readonly compare?: 'stable'
  /** Percent the canary may be worse than stable (relative), with `compare: stable`. */
  readonly maxDegradation: number
  readonly direction: 'higher' | 'lower'
  /** Query window in ms; defaults to the step interval. */
  readonly windowMs?: number
  readonly unit: string
}

export const DEFAULT_MAX_DEGRADATION = 5

/** Flagger's usual SLOs on the built-in metrics: success rate ≥ 99 %, p99 latency ≤ 500 ms. */
export const DEFAULT_CHECKS: readonly CheckInput[] = [
  { template: 'request-success-rate', min: 99 },
  { template: 'request-duration-p99', max: 500 },
]

/** Validates checks and fills in built-in templates; errors name the check. */
export function resolveChecks(inputs: readonly CheckInput[], where = 'analysis'): CheckSpec[] {
  const names = new Set<string>()
  return inputs.map((c, i) => {
    const label = `${where}[${i}]${c.name ? ` (${c.name})` : ''}`
    const bad = (detail: string) => new InputError(where, `${label}: ${detail}`)
    if (!c.query && !c.template) throw bad("needs a 'query' or a built-in 'template'")
    if (c.query && c.template) throw bad("give either 'query' or 'template', not both")
    const builtin = c.template ? BUILTIN_TEMPLATES[c.template] : undefined
    const query = c.query ?? builtin!.query
    const unknown = unknownVariables(query)
    if (unknown.length)
      throw bad(
        `unknown template variable(s) ${unknown.map((u) => `{{ ${u} }}`).join(', ')}; use model, variant, interval, version`,
      )
    if (c.min === undefined && c.max === undefined && !c.compare)
      throw bad("needs a threshold: 'min', 'max' or 'compare: stable'")
    if (c.min !== undefined && c.max !== undefined && c.min > c.max)
      throw bad(`min ${c.min} is above max ${c.max}`)
    const direction = c.direction ?? builtin?.direction
    if (c.compare && !direction)
      throw bad("'compare: stable' on a custom query needs 'direction: higher' or 'lower'")
    if (c.max_degradation !== undefined && !c.compare)
      throw bad("'max_degradation' only applies with 'compare: stable'")
    const name = c.name ?? `${c.template ?? `check-${i + 1}`}${c.compare ? '-vs-stable' : ''}`
    if (names.has(name)) throw bad(`duplicate check name '${name}'; give each check a 'name'`)
    names.add(name)
    return {
      name,
      template: c.template,
      query,
      min: c.min,
      max: c.max,
      compare: c.compare,
      maxDegradation: c.max_degradation ?? DEFAULT_MAX_DEGRADATION,
      direction: direction ?? 'higher',
      windowMs: c.window ? parseDuration(c.window) : undefined,
      unit: builtin?.unit ?? '',
    }
  })
}

/** Parses the `analysis` input (or a file it names): a YAML (or JSON) list of checks. */
export function parseAnalysisInput(text: string, file = 'analysis (input)'): CheckInput[] {
  return parseYaml(text, file, analysisSchema)
}

export type Verdict = 'pass' | 'fail' | 'no-data' | 'error' | 'skipped'

/** One check at one analysis of one step; the `analysis` output is a list of these. */
export interface Measurement {
  readonly step: number
  readonly weight: number
  /** 1 for the first analysis at a step; more when waiting for data or after a tolerated failure. */
  readonly attempt: number
  /** Seconds since the rollout started. */
  readonly at: number
  readonly check: string
  readonly query: string
  readonly value: number | null
  readonly threshold: string
  readonly verdict: Verdict
  readonly stableQuery?: string
  readonly stableValue?: number | null
  readonly message?: string
}

export interface AnalysisContext {
  readonly model: string
  readonly version?: string
  readonly stableVersion?: string
  readonly intervalMs: number
  readonly minRequests: number
  readonly variants: { readonly canary: string; readonly stable: string }
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, ''))

export function thresholdText(c: CheckSpec, stable?: number): string {
  const parts: string[] = []
  if (c.min !== undefined) parts.push(`≥ ${fmt(c.min)}${c.unit}`)
  if (c.max !== undefined) parts.push(`≤ ${fmt(c.max)}${c.unit}`)
  if (c.compare) {
    const bound = stable === undefined ? undefined : compareBound(c, stable)
    parts.push(
      `${c.direction === 'higher' ? '≥' : '≤'} stable ${c.direction === 'higher' ? '-' : '+'}${fmt(c.maxDegradation)} %${bound === undefined ? '' : ` (${fmt(bound)}${c.unit})`}`,
    )
  }
  return parts.join(', ')
}

function compareBound(c: CheckSpec, stable: number): number {
  const d = c.maxDegradation / 100
  return c.direction === 'higher' ? stable - Math.abs(stable) * d : stable + Math.abs(stable) * d
}

export function renderCheck(c: CheckSpec, ctx: AnalysisContext, variant: 'canary' | 'stable'): string {
  return renderQuery(c.query, {
    model: ctx.model,
    variant: ctx.variants[variant],
    interval: promDuration(c.windowMs ?? ctx.intervalMs),
    version: variant === 'canary' ? ctx.version : ctx.stableVersion,
  })
}

export function requestsQuery(ctx: AnalysisContext): string {
  return renderQuery(REQUESTS_QUERY, {
    model: ctx.model,
    variant: ctx.variants.canary,
    interval: promDuration(ctx.intervalMs),
    version: ctx.version,
  })
}

/** A Prometheus error that says the query itself is wrong (PromQL syntax), not that Prometheus is down. */
export function isBadQuery(e: unknown): boolean {
  return (e as { kind?: unknown } | undefined)?.kind === 'bad-query'
}

export class AnalysisError extends MlopsError {}

/**
 * Runs every query once before any traffic moves: a PromQL error fails here, with the check's name, and
 * so does an unreachable Prometheus (there would be nothing to judge the canary by).
 */
export async function preflight(
  checks: readonly CheckSpec[],
  ctx: AnalysisContext,
  metrics: MetricsSource,
  url = 'Prometheus',
) {
  const queries: Array<[string, string]> = checks.flatMap((c) => [
    [c.name, renderCheck(c, ctx, 'canary')] as [string, string],
    ...(c.compare ? [[c.name, renderCheck(c, ctx, 'stable')] as [string, string]] : []),
  ])
  if (ctx.minRequests > 0) queries.push(['min-requests', requestsQuery(ctx)])
  for (const [name, q] of queries) {
    try {
      await metrics.queryScalar(q)
    } catch (e) {
      if (isBadQuery(e))
        throw new AnalysisError(
          `Check '${name}': the query cannot be used; no traffic was moved. ${errorMessage(e)}\n  query: ${q}`,
        )
      throw new AnalysisError(
        `Cannot run the analysis: ${url} did not answer check '${name}' (${errorMessage(e)}); no traffic was moved.`,
      )
    }
  }
}

export type RoundVerdict = 'pass' | 'fail' | 'no-data'

export interface Round {
  readonly verdict: RoundVerdict
  readonly measurements: Measurement[]
  /** Why the round did not pass, in one line. */
  readonly reason?: string
}

/** One analysis of every check at the current weight. */
export async function analyseRound(
  checks: readonly CheckSpec[],
  ctx: AnalysisContext,
  metrics: MetricsSource,
  where: { step: number; weight: number; attempt: number; at: number },
): Promise<Round> {
  const out: Measurement[] = []
  const base = { step: where.step, weight: where.weight, attempt: where.attempt, at: where.at }
  const ask = async (q: string): Promise<{ value?: number; error?: string }> => {
    try {
      return { value: await metrics.queryScalar(q) }
    } catch (e) {
      return { error: errorMessage(e) }
    }
  }

  if (ctx.minRequests > 0) {
    const q = requestsQuery(ctx)
    const r = await ask(q)
    const verdict: Verdict = r.error
      ? 'error'
      : r.value !== undefined && r.value >= ctx.minRequests
        ? 'pass'
        : 'no-data'
    const m: Measurement = {
      ...base,
      check: 'min-requests',
      query: q,
      value: r.value ?? null,
      threshold: `≥ ${ctx.minRequests} requests`,
      verdict,
      ...(verdict === 'pass'
        ? {}
        : {
            message:
              r.error ??
              `the canary received ${fmt(r.value ?? 0)} requests in the window; ${ctx.minRequests} needed before judging`,
          }),
    }
    out.push(m)
    if (verdict !== 'pass')
      return {
        verdict: verdict === 'error' ? 'fail' : 'no-data',
        measurements: out,
        reason: `min-requests: ${m.message}`,
      }
  }

  for (const c of checks) {
    const q = renderCheck(c, ctx, 'canary')
    const r = await ask(q)
    let verdict: Verdict
    let message: string | undefined
    let stableQuery: string | undefined
    let stableValue: number | null | undefined
    let threshold = thresholdText(c)
    if (r.error) {
      verdict = 'error'
      message = `query failed: ${r.error}`
    } else if (r.value === undefined) {
      verdict = 'no-data'
      message = 'no data for the canary (empty result or NaN): is it receiving traffic, and is it scraped?'
    } else {
      const v = r.value
      const problems: string[] = []
      if (c.min !== undefined && v < c.min)
        problems.push(`${fmt(v)}${c.unit} is below ${fmt(c.min)}${c.unit}`)
      if (c.max !== undefined && v > c.max)
        problems.push(`${fmt(v)}${c.unit} is above ${fmt(c.max)}${c.unit}`)
      verdict = problems.length ? 'fail' : 'pass'
      if (c.compare) {
        if (where.weight >= 100) {
          message = 'stable receives no traffic at 100 %; comparison skipped'
          if (verdict === 'pass' && c.min === undefined && c.max === undefined) verdict = 'skipped'
        } else {
          stableQuery = renderCheck(c, ctx, 'stable')
          const s = await ask(stableQuery)
          stableValue = s.value ?? null
          if (s.error) {
            verdict = 'error'
            problems.push(`stable query failed: ${s.error}`)
          } else if (s.value === undefined) {
            if (verdict === 'pass') verdict = 'no-data'
            problems.push('no data for stable (empty result or NaN)')
          } else {
            const bound = compareBound(c, s.value)
            threshold = thresholdText(c, s.value)
            const worse = c.direction === 'higher' ? v < bound : v > bound
            if (worse) {
              verdict = 'fail'
              problems.push(
                `${fmt(v)}${c.unit} is more than ${fmt(c.maxDegradation)} % ${c.direction === 'higher' ? 'below' : 'above'} stable's ${fmt(s.value)}${c.unit}`,
              )
            }
          }
        }
      }
      if (problems.length) message = problems.join('; ')
    }
    out.push({
      ...base,
      check: c.name,
      query: q,
      value: r.value ?? null,
      threshold,
      verdict,
      ...(stableQuery ? { stableQuery, stableValue } : {}),
      ...(message ? { message } : {}),
    })
  }
  const failed = out.filter((m) => m.verdict === 'fail' || m.verdict === 'error')
  if (failed.length)
    return {
      verdict: 'fail',
      measurements: out,
      reason: failed.map((m) => `${m.check}: ${m.message}`).join('; '),
    }
  const empty = out.filter((m) => m.verdict === 'no-data')
  if (empty.length)
    return {
      verdict: 'no-data',
      measurements: out,
      reason: empty.map((m) => `${m.check}: ${m.message}`).join('; '),
    }
  return { verdict: 'pass', measurements: out }
}
