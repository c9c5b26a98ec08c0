import { graphUrl, type Series } from '../prometheus/client.js'
import { cell, table } from '../report/markdown.js'
import type { Evaluation } from './evaluate.js'

/** Markdown of monitor issues, comments and the job summary. */

/** A number as people read it: up to 4 significant decimals, no float noise. */
export function formatValue(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return 'no data'
  if (!Number.isFinite(v)) return String(v)
  if (Number.isInteger(v)) return String(v)
  return String(Number(v.toPrecision(6)))
}

export const formatLabels = (labels: Readonly<Record<string, string>>) => {
  const entries = Object.entries(labels)
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v}"`).join(', ')}}` : '(no labels)'
}

export function issueTitle(e: Evaluation): string {
  const what = e.status === 'no-data' ? 'has no data' : e.condition
  return `${e.model}: ${e.rule.name} ${what}`
}

const hhmm = (t: number, withDate: boolean) => {
  const iso = new Date(t).toISOString()
  return withDate ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16)
}

/**
 * A Mermaid `xychart-beta` line chart of the series over the window (at most `maxPoints` points, evenly
 * picked), with the threshold(s) as flat lines. GitHub renders Mermaid in issues.
 */
export function mermaidChart(
  e: Evaluation,
  series: Series | undefined,
  window: string,
  maxPoints = 30,
): string {
  const points = (series?.points ?? []).filter(([, v]) => Number.isFinite(v))
  if (points.length === 0) return `_No data for \`${e.rule.name}\` over the last ${window}._`
  const n = Math.min(maxPoints, points.length)
  const picked =
    n === points.length
      ? points
      : Array.from({ length: n }, (_, i) => points[Math.round((i * (points.length - 1)) / (n - 1))]!)
  const spansDays = picked.at(-1)![0] - picked[0]![0] > 86_400_000
  const xs = picked.map(([t]) => `"${hhmm(t, spansDays)}"`)
  const ys = picked.map(([, v]) => formatValue(v))
  const thresholds =
    e.rule.above !== undefined
      ? [e.rule.above]
      : e.rule.below !== undefined
        ? [e.rule.below]
        : [...(e.rule.outside ?? [])]
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${e.rule.name.replace(/"/g, "'")}: last ${window} (UTC)"`,
    `  x-axis [${xs.join(', ')}]`,
    '  y-axis "value"',
    `  line [${ys.join(', ')}]`,
    ...thresholds.map((t) => `  line [${picked.map(() => formatValue(t)).join(', ')}]`),
    '```',
  ].join('\n')
}

export interface BodyContext {
  readonly prometheusUrl: string
  readonly windowMs: number
  readonly window: string
  readonly runUrl?: string
  readonly breachedSince?: string
}

export function issueBody(e: Evaluation, ctx: BodyContext): string {
  const icon = e.rule.severity === 'critical' ? '🔴' : e.rule.severity === 'warning' ? '⚠️' : 'ℹ️'
  const crossed =
    e.status === 'no-data'
      ? 'The query returned no data (the rule has `on_no_data: alert`).'
      : e.status === 'ok'
        ? `Recovered: **${formatValue(e.value)}** is no longer ${e.condition}.`
        : `**${formatValue(e.value)}** is ${e.condition}.`
  const rows: Array<[string, string]> = [
    ['Model', `\`${e.model}\``],
    ['Rule', `\`${e.rule.name}\` (severity ${e.rule.severity}, action ${e.rule.action})`],
    ['Condition', e.condition],
    ['Value', `${formatValue(e.value)} at ${e.at.toISOString()}`],
    ['Series', `\`${formatLabels(e.labels)}\``],
  ]
  if (ctx.breachedSince) rows.push(['Breached since', ctx.breachedSince])
  if (ctx.runUrl) rows.push(['Checked by', ctx.runUrl])
  return [
    `## ${icon} ${cell(e.model)}: ${cell(e.rule.name)}`,
    '',
    crossed,
    e.rule.action === 'retrain' && e.status !== 'ok' ? '\nThe model should be retrained.' : '',
    '',
    table(['', ''], rows),
    '',
    '**Query**',
    '',
    '```promql',
    e.rule.query,
    '```',
    '',
    `[Open in Prometheus](${graphUrl(ctx.prometheusUrl, e.rule.query, ctx.windowMs)})`,
    '',
    `### Last ${ctx.window}`,
    '',
    mermaidChart(e, e.history, ctx.window),
    '',
    '<sub>Opened and kept up to date by mlops-actions `monitor-model`; one issue per rule and model. Do not edit the hidden markers below.</sub>',
  ].join('\n')
}

export function stillBreachedComment(e: Evaluation, runUrl?: string): string {
  return `Still breached: **${formatValue(e.value)}** at ${e.at.toISOString()} (${e.condition}).${runUrl ? ` [Run](${runUrl})` : ''}`
}

/** A new breach after a recovery; `reopening` when the issue was closed. */
export function reopenedComment(e: Evaluation, runUrl?: string, reopening = true): string {
  return `Breached again: **${formatValue(e.value)}** at ${e.at.toISOString()} (${e.condition})${reopening ? '; reopening' : ''}.${runUrl ? ` [Run](${runUrl})` : ''}`
}

export function resolvedComment(e: Evaluation, runUrl?: string): string {
  return `Resolved: **${formatValue(e.value)}** at ${e.at.toISOString()} is no longer ${e.condition}; closing.${runUrl ? ` [Run](${runUrl})` : ''}`
}

export function dispatchedComment(workflow: string, ref: string): string {
  return `Dispatched the retraining workflow \`${workflow}\` on \`${ref}\`.`
}
