import { randomBytes } from 'node:crypto'
import type { MlopsConfig } from '../config/mlops-config.js'
import { InputError, MlopsError, NotFoundError } from '../errors.js'
import { RUN_RECORD_SCHEMA, type RunContext, type RunRecordInput } from '../run-record/schema.js'
import type { Logger } from '../util/logger.js'
import { evaluateGate, type GateResult } from './decide.js'
import { loadMetrics, type MetricSet, metricValue } from './metrics.js'
import { loadPolicy } from './policy.js'
import { compareModels, loadPredictions, type Task } from './predictions.js'
import { headline, renderGateReport } from './render.js'
import type { SignificanceResult } from './stats.js'

/** Looks up the metrics stored with the model version that holds `alias` in the model registry. */
export type RegistryBaseline = (alias: string) => Promise<MetricSet>

export const REGISTRY_PREFIX = 'registry:'

/** Until a registry backend is wired in, `registry:<alias>` fails with this. */
export const registryUnavailable: RegistryBaseline = async (alias) => {
  throw new MlopsError(
    `baseline '${REGISTRY_PREFIX}${alias}': registry backends are not available yet in this release. Point 'baseline' at a metrics file or the run record of the model in production instead.`,
  )
}

export interface GateOptions {
  /** The candidate's metrics: a metrics file or a run record. */
  readonly metrics: string
  /** A metrics file, a run record or `registry:<alias>`; undefined uses `gate.baseline`, else none. */
  readonly baseline?: string
  /** A policy file or inline YAML; undefined uses the config's `gate` section. */
  readonly policy?: string
  readonly config: MlopsConfig
  readonly configFile: string
  readonly predictions?: string
  readonly baselinePredictions?: string
  /** Overrides the policy's `significance`. */
  readonly significance?: number
  readonly task: Task | 'auto'
  readonly seed: number
  readonly registry?: RegistryBaseline
}

export interface GateOutcome {
  readonly result: GateResult
  /** The Markdown section: sources, table, verdict, chart. */
  readonly report: string
  readonly headline: string
  readonly candidate: MetricSet
  readonly baseline?: MetricSet
  readonly policySource: string
}

async function resolveBaseline(
  spec: string,
  fromPolicy: boolean,
  opts: GateOptions,
  policySource: string,
): Promise<MetricSet> {
  if (spec.startsWith(REGISTRY_PREFIX)) {
    const alias = spec.slice(REGISTRY_PREFIX.length).trim()
    if (!alias)
      throw new InputError('baseline', `'${spec}' names no alias`, "Write e.g. 'registry:production'")
    return (opts.registry ?? registryUnavailable)(alias)
  }
  try {
    return await loadMetrics(spec, 'baseline')
  } catch (e) {
    if (e instanceof NotFoundError && fromPolicy)
      throw new NotFoundError(`${e.message} (set by 'baseline' in ${policySource})`)
    throw e
  }
}

/** Reads everything, decides and renders: the one core of the action and of `mlops evaluate`. */
export async function runGate(opts: GateOptions, log: Logger): Promise<GateOutcome> {
  const { policy, source: policySource } = await loadPolicy(opts.policy, opts.config, opts.configFile)
  const candidate = await loadMetrics(opts.metrics, 'candidate')
  const baselineSpec = opts.baseline?.trim() || policy.baseline?.trim()
  const baseline = baselineSpec
    ? await resolveBaseline(baselineSpec, !opts.baseline?.trim(), opts, policySource)
    : undefined
  if (!baseline) log.info('No baseline: only absolute checks apply.')

  const names = Object.keys(policy.metrics)
  const pick = (set: MetricSet) => Object.fromEntries(names.map((n) => [n, metricValue(set, n)]))
  const cand = pick(candidate)
  const base = baseline ? pick(baseline) : undefined
  for (const n of names) {
    if (cand[n] === undefined) log.warning(`Metric '${n}' is missing from ${candidate.source}`)
    else if (!Number.isFinite(cand[n]!)) log.warning(`Metric '${n}' is ${cand[n]} in ${candidate.source}`)
  }

  if (!!opts.predictions !== !!opts.baselinePredictions)
    throw new InputError(
      opts.predictions ? 'baseline-predictions' : 'predictions',
      'is empty, but the significance test needs both models’ predictions',
      "Give both 'predictions' and 'baseline-predictions', or neither",
    )
  let significance: SignificanceResult | undefined
  if (opts.predictions && opts.baselinePredictions) {
    if (!baseline)
      log.warning(
        'Predictions were given but there is no baseline; the significance test has nothing to guard.',
      )
    const [c, b] = await Promise.all([
      loadPredictions(opts.predictions),
      loadPredictions(opts.baselinePredictions),
    ])
    significance = compareModels(c, b, { task: opts.task, seed: opts.seed })
    log.info(`Significance: ${significance.test}, p = ${significance.pValue}`)
  }

  const result = evaluateGate({
    policy,
    candidate: cand,
    baseline: base,
    significance,
    alpha: opts.significance,
  })
  const report = renderGateReport(result, {
    candidateSource: candidate.source,
    baselineSource: baseline?.source,
    policySource,
  })
  return { result, report, headline: headline(result), candidate, baseline, policySource }
}

const finite = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v)

/** The `diff` output: per metric, the values, the change and every check with its result. */
export function diffJson(result: GateResult): Record<string, unknown> {
  return Object.fromEntries(
    result.metrics.map((r) => [
      r.metric,
      {
        direction: r.direction,
        baseline: finite(r.baseline) ?? (r.baseline === undefined ? null : String(r.baseline)),
        candidate: finite(r.candidate) ?? (r.candidate === undefined ? null : String(r.candidate)),
        change: finite(r.change),
        relative_change: finite(r.relativeChange),
        comparison: r.comparison,
        passed: r.passed,
        checks: r.checks.map((c) => ({
          check: c.check,
          ...(c.threshold === undefined ? {} : { threshold: c.threshold }),
          ...(c.actual === undefined ? {} : { actual: finite(c.actual ?? undefined) }),
          passed: c.passed,
          ...(c.excused ? { excused: true } : {}),
          reason: c.reason,
        })),
      },
    ]),
  )
}

/** The step's run record: headline for the overview, the Markdown section for the PR comment. */
export function gateRunRecord(
  outcome: GateOutcome,
  opts: {
    readonly model: string
    readonly version?: string
    readonly run: RunContext
    readonly startedAt: Date
    readonly finishedAt: Date
  },
): RunRecordInput {
  const { result } = outcome
  const candidateMetrics = Object.fromEntries(
    result.metrics.filter((m) => m.candidate !== undefined).map((m) => [m.metric, finite(m.candidate)]),
  )
  return {
    schema: RUN_RECORD_SCHEMA,
    id: `${opts.startedAt.getTime().toString(36)}-${randomBytes(3).toString('hex')}`,
    kind: 'evaluate-gate',
    status: result.passed ? 'passed' : 'failed',
    headline: outcome.headline,
    details: outcome.report,
    model: { name: opts.model, ...(opts.version ? { version: opts.version } : {}) },
    run: opts.run,
    startedAt: opts.startedAt.toISOString(),
    finishedAt: opts.finishedAt.toISOString(),
    result: {
      passed: result.passed,
      decision: result.decision,
      metrics: candidateMetrics,
      candidate: outcome.candidate.source,
      ...(outcome.baseline ? { baseline: outcome.baseline.source } : {}),
      policy: outcome.policySource,
      failures: result.failures,
      diff: diffJson(result),
      ...(result.significance ? { significance: result.significance } : {}),
    },
  }
}
