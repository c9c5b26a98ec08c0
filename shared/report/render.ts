import { type RunRecord, STEP_KINDS, type Status } from '../run-record/schema.js'
import { STATUS_ICON, table, truncateMarkdown } from './markdown.js'

/** GitHub refuses comment bodies over 65,536 characters; keep a margin for the marker. */
export const COMMENT_LIMIT = 65_536 - 256

export interface ModelReport {
  readonly model: string
  readonly status: Status
  readonly records: readonly RunRecord[]
  /** The whole report: for the job summary and the report file. */
  readonly full: string
  /** The report cut to fit a comment (equal to `full` when it fits). */
  readonly comment: string
  readonly truncated: boolean
}

export interface RenderOptions {
  readonly title: string
  /** Where the full report can be found when the comment is cut (run page, artifact name). */
  readonly fullReportHint: string
  readonly limit?: number
  readonly now?: Date
}

const order = (kind: string) => STEP_KINDS.indexOf(kind as (typeof STEP_KINDS)[number])

/** Worst status wins: one failed step fails the model's report. */
export function overallStatus(records: readonly RunRecord[]): Status {
  for (const s of ['failed', 'warning', 'passed'] as const) if (records.some((r) => r.status === s)) return s
  return 'skipped'
}

/** Groups records by model; a record seen twice (re-downloaded artifacts) counts once; pipeline order. */
export function groupByModel(records: readonly RunRecord[]): Map<string, RunRecord[]> {
  const byId = new Map<string, RunRecord>()
  for (const r of records) byId.set(`${r.kind}:${r.id}`, r)
  const groups = new Map<string, RunRecord[]>()
  for (const r of byId.values()) groups.set(r.model.name, [...(groups.get(r.model.name) ?? []), r])
  for (const list of groups.values()) {
    list.sort((a, b) => order(a.kind) - order(b.kind) || a.startedAt.localeCompare(b.startedAt))
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)))
}

function sectionOf(r: RunRecord): string {
  const version = r.model.version ? ` · version ${r.model.version}` : ''
  return `### ${STATUS_ICON[r.status]} ${r.kind}${version}\n\n${r.details.trim() || r.headline}\n`
}

/**
 * Shares `budget` characters among sections: short sections keep everything, long ones split what is left
 * evenly (water-filling), so one huge section cannot push every other one out of the comment.
 */
function fitSections(
  sections: readonly string[],
  budget: number,
  note: string,
): { parts: string[]; cut: boolean } {
  const total = sections.reduce((n, s) => n + s.length, 0)
  if (total <= budget) return { parts: [...sections], cut: false }
  const allow = new Array<number>(sections.length).fill(0)
  let left = Math.max(0, budget)
  let open = sections.map((_, i) => i).sort((a, b) => sections[a]!.length - sections[b]!.length)
  while (open.length) {
    const share = Math.floor(left / open.length)
    const i = open[0]!
    if (sections[i]!.length <= share) {
      allow[i] = sections[i]!.length
      left -= allow[i]
      open = open.slice(1)
    } else {
      for (const j of open) allow[j] = share
      open = []
    }
  }
  return { parts: sections.map((s, i) => truncateMarkdown(s, allow[i]!, note)), cut: true }
}

/** Renders one model's report: headline table of every step, then each step's details. */
export function renderModelReport(
  model: string,
  records: readonly RunRecord[],
  opts: RenderOptions,
): ModelReport {
  const status = overallStatus(records)
  const run = records.find((r) => r.run.runUrl)?.run ?? records[0]?.run
  const sha = records.find((r) => r.run.sha)?.run.sha
  const meta = [
    sha ? `commit \`${sha.slice(0, 7)}\`` : undefined,
    run?.runUrl ? `[workflow run](${run.runUrl})` : undefined,
    `${records.length} step${records.length === 1 ? '' : 's'}`,
  ].filter(Boolean)
  const head = [
    `## ${STATUS_ICON[status]} ${opts.title}: \`${model}\``,
    '',
    meta.join(' · '),
    '',
    table(
      ['step', 'status', 'result'],
      records.map((r) => [r.kind, `${STATUS_ICON[r.status]} ${r.status}`, r.headline]),
    ),
    '',
  ].join('\n')
  const foot = `\n---\n<sub>mlops-actions report · updated ${(opts.now ?? new Date()).toISOString()}</sub>\n`
  const sections = records.map(sectionOf)
  const full = [head, ...sections, foot].join('\n')
  const limit = opts.limit ?? COMMENT_LIMIT
  const note = `> ✂️ Truncated to fit a GitHub comment. ${opts.fullReportHint}`
  const fitted = fitSections(sections, limit - head.length - foot.length - sections.length - 2, note)
  const comment = fitted.cut ? truncateMarkdown([head, ...fitted.parts, foot].join('\n'), limit, note) : full
  return { model, status, records, full, comment, truncated: fitted.cut }
}
