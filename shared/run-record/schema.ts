import { z } from 'zod'

/**
 * The run record: what one step of a pipeline did, as JSON. Every action writes one; `report` merges them;
 * the registry and image labels carry them as lineage. `schema` names the version so readers can refuse
 * (or migrate) records written by a newer release.
 */
export const RUN_RECORD_SCHEMA = 'mlops-actions/run-record@1'

export const STEP_KINDS = [
  'validate-data',
  'train-model',
  'evaluate-gate',
  'register-model',
  'promote-model',
  'build-docker-image',
  'deploy-canary',
  'monitor-model',
  'report',
] as const
export type StepKind = (typeof STEP_KINDS)[number]

export const STATUSES = ['passed', 'warning', 'failed', 'skipped'] as const
export type Status = (typeof STATUSES)[number]

export const runContextSchema = z.object({
  repository: z.string().optional(),
  serverUrl: z.string().optional(),
  workflow: z.string().optional(),
  job: z.string().optional(),
  runId: z.string().optional(),
  runAttempt: z.string().optional(),
  runUrl: z.string().optional(),
  sha: z.string().optional(),
  ref: z.string().optional(),
  prNumber: z.number().int().optional(),
  actor: z.string().optional(),
  eventName: z.string().optional(),
})
export type RunContext = z.infer<typeof runContextSchema>

export const runRecordSchema = z.object({
  schema: z.literal(RUN_RECORD_SCHEMA),
  /** Unique per step run; train-model's is the run id other steps refer to. */
  id: z.string().min(1),
  kind: z.enum(STEP_KINDS),
  status: z.enum(STATUSES),
  /** One line for the report's overview table. */
  headline: z.string(),
  /** Markdown the step rendered for humans; `report` places it under the step's heading. */
  details: z.string().default(''),
  model: z.object({ name: z.string().min(1), version: z.string().optional() }),
  run: runContextSchema,
  startedAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }),
  /** The step's structured result (metrics, decisions, digests...), for machines. */
  result: z.record(z.string(), z.unknown()).default({}),
})
export type RunRecord = z.output<typeof runRecordSchema>
export type RunRecordInput = z.input<typeof runRecordSchema>
