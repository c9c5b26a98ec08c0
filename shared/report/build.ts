import { NotFoundError } from '../errors.js'
import type { RunRecord } from '../run-record/schema.js'
import { groupByModel, type ModelReport, renderModelReport } from './render.js'

export interface BuildOptions {
  readonly title: string
  /** Only this model's report; all models when undefined. */
  readonly model?: string
  readonly runUrl?: string
  readonly limit?: number
  readonly now?: Date
}

/** The name of the artifact that holds a model's full report when its comment had to be cut. */
export const fullReportArtifact = (model: string) => `mlops-report-${model}`

/** Merges run records into one report per model. */
export function buildReports(records: readonly RunRecord[], opts: BuildOptions): ModelReport[] {
  const groups = groupByModel(records)
  if (opts.model !== undefined && !groups.has(opts.model)) {
    throw new NotFoundError(
      `No run records for model '${opts.model}' (found: ${[...groups.keys()].join(', ') || 'none'}). Check the 'model' input or the model name in mlops.yaml.`,
    )
  }
  const chosen = [...groups].filter(([m]) => opts.model === undefined || m === opts.model)
  return chosen.map(([model, recs]) =>
    renderModelReport(model, recs, {
      title: opts.title,
      limit: opts.limit,
      now: opts.now,
      fullReportHint: `The full report is in the job summary${
        opts.runUrl ? ` of [this run](${opts.runUrl})` : ''
      } and in its \`${fullReportArtifact(model)}\` artifact.`,
    }),
  )
}
