import { z } from 'zod'
import { loadYamlFile } from '../config/load.js'
import { strictObject } from '../config/strict.js'

/**
 * The data schema file of `validate-data` (see DESIGN "Data schema"): per-column types and checks, row
 * bounds, what to do with extra columns, and the drift policy. Every object is strict, so a typo such as
 * `nulable` fails with its line, the allowed keys and a "did you mean".
 */

export const COLUMN_TYPES = [
  'integer',
  'number',
  'string',
  'category',
  'boolean',
  'date',
  'datetime',
] as const
export type ColumnType = (typeof COLUMN_TYPES)[number]

export const DRIFT_METHODS = [
  'auto',
  'ks',
  'psi',
  'wasserstein',
  'chi2',
  'jensen-shannon',
  'z',
  'none',
] as const
export type DriftMethod = (typeof DRIFT_METHODS)[number]

const bound = z.union([z.number(), z.string()])
const pattern = z.string().refine(
  (p) => {
    try {
      new RegExp(p, 'u')
      return true
    } catch {
      return false
    }
  },
  { message: 'expected a valid regular expression (JavaScript syntax)' },
)

export const columnSpec = strictObject({
  type: z.enum(COLUMN_TYPES),
  nullable: z.boolean().optional(),
  max_null_fraction: z.number().min(0).max(1).optional(),
  min: bound.optional(),
  max: bound.optional(),
  values: z
    .array(z.union([z.string(), z.number(), z.boolean()]))
    .min(1)
    .optional(),
  pattern: pattern.optional(),
  unique: z.boolean().optional(),
  description: z.string().optional(),
})
export type ColumnSpec = z.output<typeof columnSpec>

const driftColumn = strictObject({
  method: z.enum(DRIFT_METHODS).optional(),
  threshold: z.number().min(0).optional(),
})

export const driftPolicy = strictObject({
  method: z.enum(DRIFT_METHODS).default('auto'),
  /** Overrides every method's default threshold (p-value or distance). */
  threshold: z.number().min(0).optional(),
  share: z.number().gt(0).max(1).default(0.5),
  /** How a drifting dataset counts: a warning (default) or an error. */
  severity: z.enum(['warning', 'error']).default('warning'),
  columns: z.record(z.string(), driftColumn).default({}),
})
export type DriftPolicy = z.output<typeof driftPolicy>

export const dataSchema = strictObject({
  columns: z.record(z.string(), columnSpec),
  rows: strictObject({
    min: z.number().int().min(0).optional(),
    max: z.number().int().min(0).optional(),
  }).optional(),
  extra_columns: z.enum(['error', 'warning', 'ignore']).default('warning'),
  drift: driftPolicy.optional(),
})
export type DataSchema = z.output<typeof dataSchema>

export const defaultDriftPolicy = (): DriftPolicy => driftPolicy.parse({})

export function loadDataSchema(file: string): Promise<DataSchema> {
  return loadYamlFile(file, dataSchema)
}
