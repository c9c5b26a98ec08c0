import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { glob } from 'tinyglobby'
import { displayPath, formatKeyPath } from '../config/load.js'
import { ConfigError, NotFoundError } from '../errors.js'
import { RUN_RECORD_SCHEMA, type RunRecord, type RunRecordInput, runRecordSchema } from './schema.js'

/** Where steps write their records when no path is given; `report` reads this by default. */
export const DEFAULT_RECORDS_DIR = '.mlops/records'

/** Validates and writes a record atomically (temp file + rename), returning its path. */
export async function writeRunRecord(record: RunRecordInput, file?: string): Promise<string> {
  const valid = runRecordSchema.parse(record)
  const target = file ?? path.join(DEFAULT_RECORDS_DIR, `${valid.kind}-${valid.id}.json`)
  await mkdir(path.dirname(target), { recursive: true })
  const tmp = `${target}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(valid, null, 2)}\n`)
  await rename(tmp, target)
  return target
}

/** Parses one record file; a wrong schema version or shape names the file and key. */
export function parseRunRecord(text: string, file: string): RunRecord {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new ConfigError({ file: displayPath(file) }, '', `not valid JSON: ${(e as Error).message}`)
  }
  const schema = (json as { schema?: unknown })?.schema
  if (
    typeof schema === 'string' &&
    schema !== RUN_RECORD_SCHEMA &&
    schema.startsWith('mlops-actions/run-record@')
  ) {
    throw new ConfigError(
      { file: displayPath(file) },
      'schema',
      `run record version '${schema}' is not supported by this release (expects '${RUN_RECORD_SCHEMA}'); use the same release of mlops-actions for every step`,
    )
  }
  const r = runRecordSchema.safeParse(json)
  if (!r.success) {
    const issue = r.error.issues[0]!
    throw new ConfigError(
      { file: displayPath(file) },
      formatKeyPath(issue.path),
      `not a run record: ${issue.message}`,
    )
  }
  return r.data
}

/** Expands globs (one per line or comma) and reads every record, sorted by start time. */
export async function readRunRecords(patterns: readonly string[], cwd = process.cwd()): Promise<RunRecord[]> {
  const files = (await glob([...patterns], { cwd, absolute: true, onlyFiles: true })).sort()
  if (files.length === 0) {
    throw new NotFoundError(
      `No run records match ${patterns.map((p) => `'${p}'`).join(', ')} (in ${cwd}). Run a step that writes one first, or point 'run-records' at the JSON files.`,
    )
  }
  const records = await Promise.all(files.map(async (f) => parseRunRecord(await readFile(f, 'utf8'), f)))
  return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt))
}
