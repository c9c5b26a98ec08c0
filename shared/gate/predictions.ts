import { readFile } from 'node:fs/promises'
import { displayPath } from '../config/load.js'
import { ConfigError, NotFoundError } from '../errors.js'
import {
  type BootstrapResult,
  type McNemarResult,
  mcnemarExact,
  pairedBootstrap,
  type SignificanceResult,
} from './stats.js'

/**
 * Per-example predictions: one row per test example with the true label and the model's prediction, as CSV
 * (with a header) or JSON Lines. Column names: the label is `label`, `y_true`, `target`, `truth` or
 * `actual`; the prediction is `prediction`, `y_pred`, `pred` or `predicted`; an optional `id` (or
 * `example_id`) pairs rows of two files, otherwise rows pair by position.
 */
export interface PredictionRow {
  readonly id?: string
  readonly label: string
  readonly prediction: string
  readonly line: number
}

export interface Predictions {
  readonly file: string
  readonly rows: readonly PredictionRow[]
}

const LABEL = ['label', 'y_true', 'target', 'truth', 'actual', 'true']
const PREDICTION = ['prediction', 'y_pred', 'pred', 'predicted', 'output']
const ID = ['id', 'example_id', 'example', 'index']

/** Splits one CSV line (RFC 4180 quotes, no embedded newlines). */
function splitCsv(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  out.push(cur)
  return out.map((s) => s.trim())
}

function pick(columns: readonly string[], names: readonly string[]): number {
  const lower = columns.map((c) => c.toLowerCase())
  for (const n of names) {
    const i = lower.indexOf(n)
    if (i >= 0) return i
  }
  return -1
}

export function parsePredictions(text: string, file: string): Predictions {
  const shown = displayPath(file)
  const lines = text.split(/\r?\n/)
  const rows: PredictionRow[] = []
  const first = lines.findIndex((l) => l.trim() !== '')
  if (first < 0) throw new ConfigError({ file: shown }, '', 'the predictions file is empty')
  const isJsonl = lines[first]!.trim().startsWith('{')
  const missing = (what: string, names: readonly string[], line: number) =>
    new ConfigError(
      { file: shown, line },
      '',
      `no ${what} column; name it one of ${names.map((n) => `'${n}'`).join(', ')}`,
    )
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : JSON.stringify(v))
  if (isJsonl) {
    lines.forEach((l, i) => {
      if (!l.trim()) return
      let o: Record<string, unknown>
      try {
        o = JSON.parse(l) as Record<string, unknown>
      } catch (e) {
        throw new ConfigError({ file: shown, line: i + 1 }, '', `not valid JSON: ${(e as Error).message}`)
      }
      const keys = Object.keys(o)
      const li = pick(keys, LABEL)
      const pi = pick(keys, PREDICTION)
      const ii = pick(keys, ID)
      if (li < 0) throw missing('label', LABEL, i + 1)
      if (pi < 0) throw missing('prediction', PREDICTION, i + 1)
      rows.push({
        id: ii >= 0 ? str(o[keys[ii]!]) : undefined,
        label: str(o[keys[li]!]),
        prediction: str(o[keys[pi]!]),
        line: i + 1,
      })
    })
  } else {
    const header = splitCsv(lines[first]!)
    const li = pick(header, LABEL)
    const pi = pick(header, PREDICTION)
    const ii = pick(header, ID)
    if (li < 0) throw missing('label', LABEL, first + 1)
    if (pi < 0) throw missing('prediction', PREDICTION, first + 1)
    for (let i = first + 1; i < lines.length; i++) {
      if (!lines[i]!.trim()) continue
      const cells = splitCsv(lines[i]!)
      if (cells.length !== header.length)
        throw new ConfigError(
          { file: shown, line: i + 1 },
          '',
          `expected ${header.length} columns like the header, got ${cells.length}`,
        )
      rows.push({
        id: ii >= 0 ? cells[ii] : undefined,
        label: cells[li]!,
        prediction: cells[pi]!,
        line: i + 1,
      })
    }
  }
  if (rows.length === 0) throw new ConfigError({ file: shown }, '', 'the predictions file has no rows')
  return { file: shown, rows }
}

export async function loadPredictions(file: string): Promise<Predictions> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(`${displayPath(file)}: predictions file not found`)
    throw e
  }
  return parsePredictions(text, file)
}

export type Task = 'classification' | 'regression'

/** Pairs the rows of two files (by id when both have ids, else by position); both must be one test set. */
export function pairRows(
  candidate: Predictions,
  baseline: Predictions,
): Array<readonly [PredictionRow, PredictionRow]> {
  const byId =
    candidate.rows.every((r) => r.id !== undefined) && baseline.rows.every((r) => r.id !== undefined)
  const pairs: Array<readonly [PredictionRow, PredictionRow]> = []
  if (byId) {
    const base = new Map(baseline.rows.map((r) => [r.id!, r]))
    for (const c of candidate.rows) {
      const b = base.get(c.id!)
      if (!b)
        throw new ConfigError(
          { file: candidate.file, line: c.line },
          '',
          `example '${c.id}' is not in ${baseline.file}; both files must cover the same test set`,
        )
      pairs.push([c, b])
    }
    if (base.size !== candidate.rows.length)
      throw new ConfigError(
        { file: baseline.file },
        '',
        `has ${base.size} examples but ${candidate.file} has ${candidate.rows.length}; both files must cover the same test set`,
      )
  } else {
    if (candidate.rows.length !== baseline.rows.length)
      throw new ConfigError(
        { file: baseline.file },
        '',
        `has ${baseline.rows.length} rows but ${candidate.file} has ${candidate.rows.length}; both files must cover the same test set (or give an 'id' column)`,
      )
    candidate.rows.forEach((c, i) => {
      pairs.push([c, baseline.rows[i]!])
    })
  }
  for (const [c, b] of pairs) {
    const same =
      c.label === b.label || (isNum(c.label) && isNum(b.label) && Number(c.label) === Number(b.label))
    if (!same)
      throw new ConfigError(
        { file: candidate.file, line: c.line },
        '',
        `true label '${c.label}' differs from '${b.label}' in ${baseline.file} line ${b.line}; both files must cover the same test set`,
      )
  }
  return pairs
}

const isNum = (s: string) => s.trim() !== '' && Number.isFinite(Number(s))

/** Regression when every label and prediction is a number and some label is not an integer. */
export function detectTask(pairs: ReadonlyArray<readonly [PredictionRow, PredictionRow]>): Task {
  const all = pairs.flatMap(([c, b]) => [c.label, c.prediction, b.prediction])
  if (!all.every(isNum)) return 'classification'
  return pairs.some(([c]) => !Number.isInteger(Number(c.label))) ? 'regression' : 'classification'
}

const sameClass = (a: string, b: string) => a === b || (isNum(a) && isNum(b) && Number(a) === Number(b))

/** Runs the test that fits the task on two models' predictions of the same examples. */
export function compareModels(
  candidate: Predictions,
  baseline: Predictions,
  opts: { task: Task | 'auto'; seed: number; samples?: number },
): SignificanceResult & { readonly task: Task } {
  const pairs = pairRows(candidate, baseline)
  const task = opts.task === 'auto' ? detectTask(pairs) : opts.task
  if (task === 'classification') {
    let b = 0
    let c = 0
    for (const [cr, br] of pairs) {
      const cOk = sameClass(cr.prediction, cr.label)
      const bOk = sameClass(br.prediction, br.label)
      if (cOk && !bOk) b++
      if (bOk && !cOk) c++
    }
    return { ...(mcnemarExact(b, c, pairs.length) as McNemarResult), task }
  }
  const num = (r: PredictionRow, field: 'label' | 'prediction', file: string) => {
    const v = Number(r[field])
    if (r[field].trim() === '' || !Number.isFinite(v))
      throw new ConfigError(
        { file, line: r.line },
        field,
        `'${r[field]}' is not a number, but the task is regression`,
      )
    return v
  }
  const truth = pairs.map(([c]) => num(c, 'label', candidate.file))
  const cand = pairs.map(([c]) => num(c, 'prediction', candidate.file))
  const base = pairs.map(([, b]) => num(b, 'prediction', baseline.file))
  return {
    ...(pairedBootstrap(truth, cand, base, { seed: opts.seed, samples: opts.samples }) as BootstrapResult),
    task,
  }
}
