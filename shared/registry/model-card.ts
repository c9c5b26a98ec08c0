import type { ModelVersion } from './registry.js'

/** Escapes a table cell. */
const cell = (v: unknown) => String(v).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : Number(n.toPrecision(6)).toString())

/**
 * The model card stored with every version: identity, intended use, metrics, params, data fingerprints,
 * validation summary, lineage and files, as Markdown (sections follow "Model Cards for Model Reporting").
 */
export function renderModelCard(v: Omit<ModelVersion, 'card' | 'uri'>): string {
  const out: string[] = [`# Model card: ${v.name} v${v.version}`, '']
  if (v.description) out.push(v.description, '')
  out.push(
    '| | |',
    '| --- | --- |',
    `| Model | \`${cell(v.name)}\` |`,
    `| Version | ${v.version} |`,
    `| Flavor | ${cell(v.flavor ?? 'custom')} |`,
    `| Digest | \`${v.digest}\` |`,
    `| Registered | ${v.createdAt} |`,
    `| Run | \`${cell(v.runId)}\` |`,
    '',
    '## Intended use',
    '',
    v.intendedUse?.trim() || '_Not stated: set `model.intended_use` in `mlops.yaml`._',
    '',
    '## Metrics',
    '',
  )
  const metrics = Object.entries(v.metrics ?? {})
  if (metrics.length) {
    out.push('| metric | value |', '| --- | ---: |')
    for (const [k, val] of metrics.sort(([a], [b]) => a.localeCompare(b)))
      out.push(`| ${cell(k)} | ${fmt(val)} |`)
  } else out.push('_No metrics recorded._')
  out.push('', '## Parameters', '')
  const params = Object.entries(v.params ?? {})
  if (params.length) {
    out.push('| param | value |', '| --- | --- |')
    for (const [k, val] of params.sort(([a], [b]) => a.localeCompare(b)))
      out.push(`| ${cell(k)} | \`${cell(typeof val === 'string' ? val : JSON.stringify(val))}\` |`)
  } else out.push('_No parameters recorded._')
  out.push('', '## Data', '')
  const data = Object.entries(v.dataFingerprints ?? {})
  if (data.length) {
    out.push('| dataset | fingerprint |', '| --- | --- |')
    for (const [k, val] of data) out.push(`| ${cell(k)} | \`${cell(val)}\` |`)
  } else out.push('_No data fingerprints recorded._')
  out.push('', '## Validation', '', v.validation?.trim() || '_No validation summary recorded._', '')
  out.push('## Lineage', '')
  const l = v.lineage ?? {}
  const commit =
    l.sha && l.repository
      ? `[\`${l.sha.slice(0, 12)}\`](https://github.com/${l.repository}/commit/${l.sha})`
      : l.sha
  const rows: [string, string | undefined][] = [
    ['Repository', l.repository],
    ['Commit', commit],
    ['Ref', l.ref],
    ['Workflow', l.workflow],
    ['Workflow run', l.runUrl ? `[${l.runUrl}](${l.runUrl})` : undefined],
    ['Actor', l.actor],
  ]
  const present = rows.filter(([, val]) => val)
  if (present.length) {
    out.push('| | |', '| --- | --- |')
    for (const [k, val] of present) out.push(`| ${k} | ${val} |`)
  } else out.push('_Registered outside a workflow run._')
  out.push('', '## Files', '', '| file | bytes | sha256 |', '| --- | ---: | --- |')
  for (const f of v.files) out.push(`| \`${cell(f.path)}\` | ${f.size} | \`${f.sha256.slice(0, 16)}…\` |`)
  out.push('')
  return out.join('\n')
}
