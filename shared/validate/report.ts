import { STATUS_ICON, table } from '../report/markdown.js'
import type { Status } from '../run-record/schema.js'
import type { Violation } from './column.js'
import type { ColumnDrift, DatasetDrift, ResolvedMethod } from './drift.js'
import type { DataProfile } from './profile.js'
import { pct } from './scan.js'

export const REPORT_SCHEMA = 'mlops-actions/validate-data-report@1'
export type FailOn = 'error' | 'warning' | 'never'

export interface ColumnRow {
  readonly name: string
  readonly type: string
  readonly nulls: number
  readonly nullFraction: number
  readonly min: number | string | null
  readonly max: number | string | null
  readonly mean: number | null
  readonly distinct: number
  readonly errors: number
  readonly drift?: ColumnDrift
}

export interface ValidationReport {
  readonly schema: typeof REPORT_SCHEMA
  readonly status: Status
  readonly passed: boolean
  readonly failOn: FailOn
  readonly files: string[]
  readonly rows: number
  readonly errors: number
  readonly warnings: number
  readonly violations: Violation[]
  readonly columns: ColumnRow[]
  readonly drift?: DatasetDrift
  readonly reference?: string
}

/** Builds the report: status from the violations, `passed` from `fail-on`. */
export function buildReport(input: {
  profile: DataProfile
  violations: Violation[]
  drift?: DatasetDrift
  reference?: string
  failOn: FailOn
  driftSeverity?: 'warning' | 'error'
}): ValidationReport {
  const violations = [...input.violations]
  if (input.drift?.datasetDrift) {
    violations.push({
      column: '',
      check: 'drift',
      severity: input.driftSeverity ?? 'warning',
      message: `dataset drift: ${input.drift.drifted.length} of ${input.drift.tested} columns drifted (${pct(input.drift.share)}, threshold ${pct(input.drift.shareThreshold)})`,
      count: input.drift.drifted.length,
      samples: [],
    })
  }
  const errors = violations.filter((v) => v.severity === 'error').length
  const warnings = violations.filter((v) => v.severity === 'warning').length
  const status: Status = errors ? 'failed' : warnings ? 'warning' : 'passed'
  const fails =
    input.failOn === 'error' ? errors > 0 : input.failOn === 'warning' ? errors + warnings > 0 : false
  const byColumn = new Map<string, number>()
  for (const v of violations)
    if (v.severity === 'error') byColumn.set(v.column, (byColumn.get(v.column) ?? 0) + 1)
  const driftBy = new Map((input.drift?.columns ?? []).map((d) => [d.column, d]))
  const p = input.profile
  const columns: ColumnRow[] = Object.entries(p.columns).map(([name, c]) => ({
    name,
    type: c.type,
    nulls: c.nulls,
    nullFraction: c.count + c.nulls + c.invalid ? c.nulls / (c.count + c.nulls + c.invalid) : 0,
    min: c.min,
    max: c.max,
    mean: c.mean,
    distinct: c.distinct,
    errors: byColumn.get(name) ?? 0,
    ...(driftBy.has(name) ? { drift: driftBy.get(name) } : {}),
  }))
  return {
    schema: REPORT_SCHEMA,
    status,
    passed: !fails,
    failOn: input.failOn,
    files: p.files,
    rows: p.rows,
    errors,
    warnings,
    violations,
    columns,
    ...(input.drift ? { drift: input.drift } : {}),
    ...(input.reference ? { reference: input.reference } : {}),
  }
}

const num = (x: number | string | null): string => {
  if (x === null) return ''
  if (typeof x === 'string') return x
  if (Number.isInteger(x)) return x.toLocaleString('en-US')
  const a = Math.abs(x)
  return a !== 0 && (a < 0.001 || a >= 1e9) ? x.toExponential(3) : String(Number(x.toPrecision(6)))
}

const METHOD_LABEL: Record<ResolvedMethod, string> = {
  ks: 'KS p',
  chi2: 'χ² p',
  z: 'Z p',
  psi: 'PSI',
  wasserstein: 'Wasserstein',
  'jensen-shannon': 'JS',
}

export function driftCell(d: ColumnDrift | undefined): string {
  if (!d) return ''
  const v = d.pValue !== undefined ? d.pValue : d.statistic
  return `${METHOD_LABEL[d.method]}=${v < 0.001 && v > 0 ? v.toExponential(1) : Number(v.toPrecision(2))}${d.approximate ? ' ≈' : ''}`
}

/** One line for the report's overview table. */
export function headline(r: ValidationReport): string {
  const parts = [
    `${r.rows.toLocaleString('en-US')} rows`,
    `${r.errors} error${r.errors === 1 ? '' : 's'}`,
    `${r.warnings} warning${r.warnings === 1 ? '' : 's'}`,
  ]
  if (r.drift)
    parts.push(`drift in ${r.drift.drifted.length} of ${r.drift.tested} columns (${pct(r.drift.share)})`)
  return parts.join(' · ')
}

/** The Markdown section: the per-column table, then the violations with their first rows. */
export function renderMarkdown(r: ValidationReport): string {
  const rows = r.columns.map((c) => {
    const st = c.errors ? 'failed' : c.drift?.drifted ? 'warning' : 'passed'
    const label = c.errors
      ? `${STATUS_ICON.failed} ${c.errors} check${c.errors > 1 ? 's' : ''}`
      : c.drift?.drifted
        ? `${STATUS_ICON.warning} drift`
        : STATUS_ICON[st]
    const range =
      c.min !== null && c.max !== null
        ? `${num(c.min)} – ${num(c.max)}`
        : c.type === 'category' || c.type === 'boolean' || c.type === 'string'
          ? `${num(c.distinct)} values`
          : ''
    return [
      c.name,
      c.type,
      c.nulls ? `${num(c.nulls)} (${pct(c.nullFraction)})` : '0',
      range,
      driftCell(c.drift),
      label,
    ]
  })
  const out = [table(['column', 'type', 'nulls', 'range', 'drift', 'status'], rows)]
  if (r.violations.length) {
    const vrows = r.violations.map((v) => [
      v.severity === 'error' ? STATUS_ICON.failed : STATUS_ICON.warning,
      v.column || '(file)',
      v.check,
      num(v.count),
      v.message,
      v.samples
        .map((s) => `${s.file}:${s.line}${s.value ? ` \`${s.value.replace(/`/g, "'")}\`` : ''}`)
        .join(', '),
    ])
    out.push('', table(['', 'column', 'check', 'rows', 'problem', 'first rows'], vrows))
  }
  if (r.drift) {
    out.push(
      '',
      `Drift against \`${r.reference ?? 'reference'}\`: ${r.drift.drifted.length} of ${r.drift.tested} columns (${pct(r.drift.share)}); the dataset drifts at ${pct(r.drift.shareThreshold)}${r.drift.datasetDrift ? ' — **dataset drift detected**' : ''}.${r.drift.columns.some((c) => c.approximate) ? ' ≈: compared through the quantile sketch (within its error bound).' : ''}`,
    )
  }
  return out.join('\n')
}
