import { cell, STATUS_ICON, table } from '../report/markdown.js'
import type { RunContext, RunRecordInput } from '../run-record/schema.js'
import type { Measurement, Verdict } from './analysis.js'
import type { CanaryResult, TimelinePoint } from './canary.js'

const VERDICT_ICON: Record<Verdict, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  error: '❌ error',
  'no-data': '⚠️ no data',
  skipped: '⏭️ skipped',
}

const num = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/\.?0+$/, '')

export function headline(r: CanaryResult, version?: string): string {
  const what = version ? `version ${version}` : 'the canary'
  return r.result === 'promoted'
    ? `Promoted ${what} to 100 % after ${stepsReached(r)} step(s) in ${Math.round(r.durationSeconds)} s`
    : `Rolled back ${what} at ${r.maxWeight} %: ${r.reason ?? 'analysis failed'}`
}

const stepsReached = (r: CanaryResult) => new Set(r.analysis.map((m) => m.step)).size

/** The analysis as a table: every check at every step. */
export function analysisTable(analysis: readonly Measurement[]): string {
  if (analysis.length === 0) return '_No analysis ran._'
  return table(
    ['step', 'weight', 'try', 'check', 'value', 'stable', 'threshold', 'verdict', 'query'],
    analysis.map((m) => [
      m.step,
      `${m.weight} %`,
      m.attempt,
      m.check,
      num(m.value),
      m.stableQuery ? num(m.stableValue) : '',
      m.threshold,
      `${VERDICT_ICON[m.verdict]}${m.message ? ` — ${m.message}` : ''}`,
      `<code>${escapeHtml(m.query)}</code>`,
    ]),
  )
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * A Mermaid `xychart-beta` of the canary weight (first line) and, when a success-rate check ran, the canary
 * success rate (second line) over time. Between analyses the success rate holds its last value.
 */
export function timelineChart(timeline: readonly TimelinePoint[]): string {
  if (timeline.length === 0) return ''
  const firstRate = timeline.find((p) => p.successRate !== undefined)?.successRate
  let last = firstRate
  const rates = timeline.map((p) => {
    if (p.successRate !== undefined) last = p.successRate
    return last
  })
  const x = timeline.map((p) => String(Math.round(p.at)))
  const lines = [
    '```mermaid',
    'xychart-beta',
    `    title "Canary weight${firstRate === undefined ? '' : ' and success rate'} (%)"`,
    `    x-axis "seconds since start" [${x.join(', ')}]`,
    '    y-axis "percent" 0 --> 100',
    `    line [${timeline.map((p) => p.weight).join(', ')}]`,
  ]
  if (firstRate !== undefined) lines.push(`    line [${rates.map((r) => num(r ?? 0)).join(', ')}]`)
  lines.push('```')
  return lines.join('\n')
}

export interface SummaryInfo {
  readonly model: string
  readonly version?: string
  readonly provider: string
  readonly steps: readonly number[]
}

export function renderSummary(r: CanaryResult, info: SummaryInfo): string {
  const icon = r.result === 'promoted' ? STATUS_ICON.passed : STATUS_ICON.failed
  const legend = r.timeline.some((p) => p.successRate !== undefined)
    ? '_Lines: canary weight, then canary success rate (from the `request-success-rate` check)._'
    : '_Line: canary weight._'
  return [
    `### ${icon} deploy-canary: ${cell(info.model)}${info.version ? ` ${cell(info.version)}` : ''} ${r.result}`,
    '',
    headline(r, info.version),
    '',
    table(
      ['provider', 'steps', 'final weight', 'failed analyses', 'duration'],
      [
        [
          r.provider,
          info.steps.map((s) => `${s} %`).join(' → '),
          `${r.finalWeight} %`,
          r.failedAnalyses,
          `${Math.round(r.durationSeconds)} s`,
        ],
      ],
    ),
    '',
    timelineChart(r.timeline),
    legend,
    '',
    '<details><summary>Analysis: every check at every step</summary>',
    '',
    analysisTable(r.analysis),
    '',
    '</details>',
    '',
  ].join('\n')
}

export function canaryRunRecord(
  r: CanaryResult,
  info: SummaryInfo & { readonly id: string; readonly run: RunContext; readonly startedAt: Date },
): RunRecordInput {
  return {
    schema: 'mlops-actions/run-record@1',
    id: info.id,
    kind: 'deploy-canary',
    status: r.result === 'promoted' ? 'passed' : 'failed',
    headline: headline(r, info.version),
    details: renderSummary(r, info),
    model: { name: info.model, ...(info.version ? { version: info.version } : {}) },
    run: info.run,
    startedAt: info.startedAt.toISOString(),
    finishedAt: new Date(info.startedAt.getTime() + r.durationSeconds * 1000).toISOString(),
    result: {
      result: r.result,
      finalWeight: r.finalWeight,
      maxWeight: r.maxWeight,
      reason: r.reason,
      provider: r.provider,
      steps: info.steps,
      failedAnalyses: r.failedAnalyses,
      durationSeconds: r.durationSeconds,
      analysis: r.analysis,
    },
  }
}
