import { cell, table } from '../report/markdown.js'
import type { Metrics, Params } from './values.js'

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString())

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let i = 0
  let v = n
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`
  const m = Math.floor(s / 60)
  return `${m} min ${Math.round(s - m * 60)} s`
}

/** One line for the report's overview: the first metrics, the duration, the peak memory. */
export function headline(r: {
  metrics: Metrics
  durationSeconds: number
  peakMemoryBytes?: number
  error?: string
}): string {
  if (r.error) return `failed: ${r.error.length > 140 ? `${r.error.slice(0, 137)}...` : r.error}`
  const parts = Object.entries(r.metrics)
    .slice(0, 3)
    .map(([k, v]) => `${k} ${fmt(v)}`)
  parts.push(formatSeconds(r.durationSeconds))
  if (r.peakMemoryBytes) parts.push(`peak memory ${formatBytes(r.peakMemoryBytes)}`)
  return parts.join(' · ')
}

export interface DetailsInput {
  readonly params: Params
  readonly metrics: Metrics
  readonly seed: number
  readonly durationSeconds: number
  readonly peakMemoryBytes?: number
  readonly model?: { path: string; digest: string; bytes: number; files: readonly unknown[] }
  readonly data: ReadonlyArray<{ path: string; digest: string; bytes: number }>
  readonly code: { sha?: string; ref?: string; dirty?: boolean }
  readonly error?: string
  readonly outputTail?: readonly string[]
  readonly mlflowUrl?: string
}

/** The Markdown under the step's heading in the PR comment: params, metrics, model, data, code. */
export function details(d: DetailsInput): string {
  const out: string[] = []
  if (d.error) {
    out.push(`**Training failed:** ${d.error}`)
    if (d.outputTail?.length)
      out.push(
        `<details><summary>Last output</summary>\n\n\`\`\`\n${d.outputTail.join('\n')}\n\`\`\`\n\n</details>`,
      )
  }
  const metrics = Object.entries(d.metrics)
  if (metrics.length)
    out.push(
      table(
        ['metric', 'value'],
        metrics.map(([k, v]) => [k, fmt(v)]),
      ),
    )
  const params = Object.entries(d.params)
  if (params.length)
    out.push(
      table(
        ['param', 'value'],
        params.map(([k, v]) => [k, `\`${cell(JSON.stringify(v))}\``]),
      ),
    )
  const facts: Array<[string, string]> = [['seed', String(d.seed)]]
  facts.push(['duration', formatSeconds(d.durationSeconds)])
  if (d.peakMemoryBytes) facts.push(['peak memory', formatBytes(d.peakMemoryBytes)])
  if (d.model)
    facts.push([
      'model',
      `\`${d.model.path}\` (${d.model.files.length} file${d.model.files.length === 1 ? '' : 's'}, ${formatBytes(d.model.bytes)}) \`${d.model.digest.slice(0, 19)}…\``,
    ])
  for (const f of d.data)
    facts.push([`data`, `\`${f.path}\` (${formatBytes(f.bytes)}) \`${f.digest.slice(0, 19)}…\``])
  if (d.code.sha)
    facts.push([
      'code',
      `\`${d.code.sha.slice(0, 12)}\`${d.code.ref ? ` on \`${d.code.ref}\`` : ''}${d.code.dirty ? ' (uncommitted changes)' : ''}`,
    ])
  if (d.mlflowUrl) facts.push(['MLflow run', d.mlflowUrl])
  out.push(table(['run', ''], facts))
  return out.join('\n\n')
}
