import { STATUS_ICON, table } from '../report/markdown.js'
import { fmt, type GateResult, type MetricResult, pct, signed } from './decide.js'
import type { SignificanceResult } from './stats.js'

/**
 * The gate in Markdown, for the job summary and the `report` action's PR comment: a `dvc metrics diff`
 * shaped table, the verdict with every failed check in words, and a Mermaid `xychart-beta` chart.
 */

const DECISION_WORDS = {
  better: 'better than the baseline',
  worse: 'worse than the baseline',
  'not-significantly-different': 'not significantly different from the baseline',
  'no-baseline': 'without a baseline (only absolute checks apply)',
} as const

function statusCell(r: MetricResult): string {
  if (r.skipped) return `${STATUS_ICON.skipped} skipped`
  if (!r.passed) return `${STATUS_ICON.failed} failed`
  if (r.checks.some((c) => c.excused)) return `${STATUS_ICON.warning} not significant`
  return `${STATUS_ICON.passed} passed`
}

export function renderTable(result: GateResult): string {
  return table(
    ['metric', 'baseline', 'candidate', 'change', 'status'],
    result.metrics.map((r) => [
      r.metric,
      fmt(r.baseline),
      fmt(r.candidate),
      r.change === undefined ? '-' : `${signed(r.change)} (${pct(r.relativeChange)})`,
      statusCell(r),
    ]),
  )
}

const pText = (p: number) => (p < 0.0001 ? p.toExponential(2) : String(Number(p.toPrecision(3))))

export function describeSignificance(s: SignificanceResult, alpha: number): string {
  const verdict = s.pValue < alpha ? `significant at ${alpha}` : `not significant at ${alpha}`
  if (s.test === 'mcnemar-exact') {
    return `McNemar exact test on ${s.n.toLocaleString('en-US')} paired examples: the candidate alone is right on ${s.candidateOnly}, the baseline alone on ${s.baselineOnly}; p = ${pText(s.pValue)} (${verdict}).`
  }
  return `Paired bootstrap (${s.samples} resamples, seed ${s.seed}) on ${s.n.toLocaleString('en-US')} examples: MSE ${fmt(s.candidateMse)} (candidate) vs ${fmt(s.baselineMse)} (baseline), 95 % interval of the difference [${fmt(s.interval[0])}, ${fmt(s.interval[1])}]; p = ${pText(s.pValue)} (${verdict}).`
}

export function renderVerdict(result: GateResult): string {
  const total = result.metrics.reduce((n, r) => n + r.checks.length, 0)
  const head = result.passed
    ? `**${STATUS_ICON.passed} Gate passed**: all ${total} check${total === 1 ? '' : 's'} passed; the candidate is ${DECISION_WORDS[result.decision]}.`
    : `**${STATUS_ICON.failed} Gate failed**: ${result.failures.length} of ${total} check${total === 1 ? '' : 's'} failed; the candidate is ${DECISION_WORDS[result.decision]}.`
  const lines = [head]
  if (result.failures.length) lines.push('', ...result.failures.map((f) => `- ${f}`))
  const excused = result.metrics.flatMap((r) => r.checks.filter((c) => c.excused).map((c) => c.reason))
  if (excused.length) lines.push('', 'Excused by the significance test:', '', ...excused.map((f) => `- ${f}`))
  if (result.significance) lines.push('', describeSignificance(result.significance, result.alpha))
  return lines.join('\n')
}

const label = (s: string) => `"${s.replace(/["\\]/g, '')}"`
const num = (v: number) => String(Number(v.toPrecision(6)))

/** One xychart per scale: rates in [0, 1] together, other metrics together; bars candidate, line baseline. */
export function renderChart(result: GateResult): string {
  const plotted = result.metrics.filter(
    (r) =>
      r.candidate !== undefined &&
      Number.isFinite(r.candidate) &&
      (r.baseline === undefined || Number.isFinite(r.baseline)),
  )
  if (plotted.length === 0) return ''
  const unit = (r: MetricResult) => [r.candidate!, r.baseline ?? 0].every((v) => v >= 0 && v <= 1)
  const groups = [
    { title: 'Metrics in [0, 1]', rows: plotted.filter(unit) },
    { title: 'Other metrics', rows: plotted.filter((r) => !unit(r)) },
  ].filter((g) => g.rows.length)
  return groups
    .map((g) => {
      const withBaseline = g.rows.every((r) => r.baseline !== undefined)
      const values = g.rows.flatMap((r) => [r.candidate!, ...(r.baseline === undefined ? [] : [r.baseline])])
      const lo = Math.min(0, ...values)
      const top = Math.max(...values, 0)
      const hi = g.title.startsWith('Metrics in') ? 1 : top > 0 ? top * 1.1 : top
      const title = `${groups.length > 1 ? `${g.title}: ` : ''}candidate (bars)${withBaseline ? ' vs baseline (line)' : ''}`
      return [
        '```mermaid',
        'xychart-beta',
        `    title ${label(title)}`,
        `    x-axis [${g.rows.map((r) => label(r.metric)).join(', ')}]`,
        `    y-axis ${label('value')} ${num(lo)} --> ${num(hi === lo ? lo + 1 : hi)}`,
        `    bar [${g.rows.map((r) => num(r.candidate!)).join(', ')}]`,
        ...(withBaseline ? [`    line [${g.rows.map((r) => num(r.baseline!)).join(', ')}]`] : []),
        '```',
      ].join('\n')
    })
    .join('\n\n')
}

/** The one-line summary for the report's overview table. */
export function headline(result: GateResult): string {
  const words = DECISION_WORDS[result.decision].replace(/ \(.*\)$/, '')
  if (result.passed)
    return `passed: ${result.metrics.length} metric${result.metrics.length === 1 ? '' : 's'}, ${words}`
  const first = result.failures[0] ?? ''
  const more = result.failures.length > 1 ? ` (+${result.failures.length - 1} more)` : ''
  return `failed: ${first}${more}`.replace(/\r?\n/g, ' ')
}

export interface GateReportMeta {
  readonly candidateSource: string
  readonly baselineSource?: string
  readonly policySource: string
}

export function renderGateReport(result: GateResult, meta: GateReportMeta): string {
  const sources = `Candidate \`${meta.candidateSource}\` · baseline ${
    meta.baselineSource ? `\`${meta.baselineSource}\`` : 'none'
  } · policy ${meta.policySource.startsWith('the ') ? meta.policySource : `\`${meta.policySource}\``}`
  const chart = renderChart(result)
  return [sources, '', renderTable(result), '', renderVerdict(result), ...(chart ? ['', chart] : [])].join(
    '\n',
  )
}
