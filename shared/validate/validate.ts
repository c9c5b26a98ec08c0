import { displayPath } from '../config/load.js'
import { expandData } from '../data/read.js'
import type { DataFormat } from '../data/types.js'
import type { Logger } from '../util/logger.js'
import { newViolation, type Violation } from './column.js'
import { type DriftSide, datasetDrift, needsExact, sideFromProfile, sideFromScan } from './drift.js'
import { parallelFor } from './parallel-scan.js'
import { type DataProfile, isProfileFile, mergeProfiles, profileOf, readProfile } from './profile.js'
import { buildReport, type FailOn, type ValidationReport } from './report.js'
import { pct, type Shard, scanDataset } from './scan.js'
import { type DataSchema, defaultDriftPolicy } from './schema.js'

export interface ValidateOptions {
  /** Data files or globs. */
  readonly data: readonly string[]
  readonly schema?: DataSchema
  /** A dataset (files or globs) or a saved profile (`*.json` written by profile-out). */
  readonly reference?: readonly string[]
  readonly failOn: FailOn
  readonly shard?: Shard
  readonly delimiter?: string
  readonly format?: DataFormat
  /** Scan worker threads for large CSV/TSV files: 0 one per core, 1 none (default). */
  readonly threads?: number
  readonly cwd?: string
}

export interface ValidateResult {
  readonly report: ValidationReport
  readonly profile: DataProfile
}

/**
 * The whole of validate-data: reads the reference (if any), streams the data once through the checks and
 * the profile, tests drift, and builds the report. Never calls @actions/core.
 */
export async function validateData(opts: ValidateOptions, log: Logger): Promise<ValidateResult> {
  const files = await expandData(opts.data, opts.cwd)
  const policy = opts.schema?.drift ?? defaultDriftPolicy()
  const parallel = parallelFor(opts.threads)

  let refSides: Map<string, DriftSide> | undefined
  let refRows: number | undefined
  let refName: string | undefined
  if (opts.reference?.length) {
    const refFiles = await expandData(opts.reference, opts.cwd)
    refName = refFiles.map(displayPath).join(', ')
    if (refFiles.length === 1 && (await isProfileFile(refFiles[0]!))) {
      const p = await readProfile(refFiles[0]!)
      refRows = p.rows
      refSides = new Map(Object.entries(p.columns).map(([n, c]) => [n, sideFromProfile(c)]))
      log.info(`Reference: profile ${refName} (${p.rows} rows)`)
    } else {
      const scan = await log.group(`Reading reference ${refName}`, () =>
        scanDataset(refFiles, {
          schema: opts.schema ? { ...opts.schema, rows: undefined } : undefined,
          delimiter: opts.delimiter,
          format: opts.format,
          exactColumns: (n) => needsExact(policy, n, 0),
          parallel,
        }),
      )
      refRows = scan.rows
      refSides = new Map(scan.columns.map((c) => [c.name, sideFromScan(c)]))
      log.info(`Reference: ${scan.rows} rows in ${refFiles.length} file(s)`)
    }
  }

  const started = Date.now()
  const scan = await log.group(`Validating ${files.length} file(s)`, () =>
    scanDataset(files, {
      schema: opts.schema,
      delimiter: opts.delimiter,
      format: opts.format,
      shard: opts.shard,
      exactColumns: refSides ? (n) => needsExact(policy, n, refRows) : undefined,
      parallel,
    }),
  )
  const how = scan.workers ? ` with ${scan.workers} worker threads` : ''
  log.info(`Read ${scan.rows} rows in ${((Date.now() - started) / 1000).toFixed(2)} s${how}`)
  const profile = profileOf(scan)

  let drift: ReturnType<typeof datasetDrift> | undefined
  if (refSides) {
    const pairs = scan.columns
      .filter((c) => refSides.has(c.name))
      .map((c) => ({ column: c.name, ref: refSides.get(c.name)!, cur: sideFromScan(c) }))
    drift = datasetDrift(pairs, policy)
  }
  const report = buildReport({
    profile,
    violations: scan.violations,
    drift,
    reference: refName,
    failOn: opts.failOn,
    driftSeverity: policy.severity,
  })
  return { report, profile }
}

export interface MergeOptions {
  /** Shard profiles (files or globs). */
  readonly profiles: readonly string[]
  readonly schema?: DataSchema
  readonly reference?: readonly string[]
  readonly failOn: FailOn
  readonly cwd?: string
}

/**
 * The final step of a sharded run: merges the shard profiles, checks what only the whole dataset can show
 * (row bounds, `max_null_fraction`) and tests drift on the merged profile (through its sketches).
 */
export async function mergeAndValidate(opts: MergeOptions, log: Logger): Promise<ValidateResult> {
  const files = await expandData(opts.profiles, opts.cwd)
  const profiles = await Promise.all(files.map(readProfile))
  const profile = mergeProfiles(profiles)
  log.info(`Merged ${profiles.length} profile(s): ${profile.rows} rows`)
  const violations: Violation[] = []
  const schema = opts.schema
  if (schema) {
    for (const [name, spec] of Object.entries(schema.columns)) {
      const c = profile.columns[name]
      if (!c || spec.max_null_fraction === undefined) continue
      const total = c.count + c.nulls + c.invalid
      if (total && c.nulls / total > spec.max_null_fraction) {
        const v = newViolation(
          name,
          'max_null_fraction',
          'error',
          `${pct(c.nulls / total)} nulls, more than the allowed ${pct(spec.max_null_fraction)}`,
        )
        v.count = c.nulls
        violations.push(v)
      }
    }
    const r = schema.rows
    if (r?.min !== undefined && profile.rows < r.min) {
      const v = newViolation('', 'rows', 'error', `${profile.rows} rows, fewer than the minimum ${r.min}`)
      v.count = 1
      violations.push(v)
    }
    if (r?.max !== undefined && profile.rows > r.max) {
      const v = newViolation('', 'rows', 'error', `${profile.rows} rows, more than the maximum ${r.max}`)
      v.count = 1
      violations.push(v)
    }
  }
  const policy = schema?.drift ?? defaultDriftPolicy()
  let drift: ReturnType<typeof datasetDrift> | undefined
  let refName: string | undefined
  if (opts.reference?.length) {
    const refFiles = await expandData(opts.reference, opts.cwd)
    refName = refFiles.map(displayPath).join(', ')
    let refSides: Map<string, DriftSide>
    if (refFiles.length === 1 && (await isProfileFile(refFiles[0]!))) {
      const p = await readProfile(refFiles[0]!)
      refSides = new Map(Object.entries(p.columns).map(([n, c]) => [n, sideFromProfile(c)]))
    } else {
      const scan = await scanDataset(refFiles, {
        schema: schema ? { ...schema, rows: undefined } : undefined,
      })
      refSides = new Map(scan.columns.map((c) => [c.name, sideFromScan(c)]))
    }
    const pairs = Object.entries(profile.columns)
      .filter(([n]) => refSides.has(n))
      .map(([n, c]) => ({ column: n, ref: refSides.get(n)!, cur: sideFromProfile(c) }))
    drift = datasetDrift(pairs, policy)
  }
  const report = buildReport({
    profile,
    violations,
    drift,
    reference: refName,
    failOn: opts.failOn,
    driftSeverity: policy.severity,
  })
  return { report, profile }
}
