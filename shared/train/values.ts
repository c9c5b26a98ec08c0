import { readFile, stat } from 'node:fs/promises'
import { LineCounter, parseDocument } from 'yaml'
import { displayPath } from '../config/load.js'
import { ConfigError, InputError } from '../errors.js'
import { flatten } from './flatten.js'

export type Params = Record<string, string | number | boolean | null>
export type Metrics = Record<string, number>

/** Parses JSON or YAML by extension (YAML is a superset of JSON, so unknown extensions try YAML). */
function parseStructured(text: string, file: string): unknown {
  const shown = displayPath(file)
  if (/\.json$/i.test(file)) {
    try {
      return JSON.parse(text)
    } catch (e) {
      throw new ConfigError({ file: shown }, '', `not valid JSON: ${(e as Error).message}`)
    }
  }
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false })
  const err = doc.errors[0]
  if (err) {
    const pos = lineCounter.linePos(err.pos[0])
    throw new ConfigError(
      { file: shown, line: pos.line, column: pos.col },
      '',
      `not valid JSON or YAML: ${err.message.split('\n')[0]}`,
    )
  }
  return doc.toJS()
}

async function readText(file: string, input: string, what: string, label: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InputError(input, `names ${what} '${label}', which does not exist`)
    throw e
  }
}

/** Reads a params file (YAML or JSON) and flattens it with dots. */
export async function readParams(file: string, label = displayPath(file)): Promise<Params> {
  const data = parseStructured(await readText(file, 'params', 'the params file', label), file)
  if (data === null || data === undefined) return {}
  if (typeof data !== 'object' || Array.isArray(data))
    throw new ConfigError({ file: displayPath(file) }, '', 'params must be a mapping of names to values')
  return flatten(data) as Params
}

/**
 * Reads the metrics the command wrote (JSON or YAML; nested keys flattened with dots). Every metric must be
 * a finite number; a string such as "0.93" is refused rather than guessed.
 */
export async function readMetrics(
  file: string,
  startedAtMs?: number,
  label = displayPath(file),
): Promise<Metrics> {
  const shown = displayPath(file)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(
        'metrics',
        `names '${label}', but the command did not write it`,
        'Write the metrics as JSON or YAML to $MLOPS_METRICS_FILE (or the path given in `metrics`)',
      )
    }
    throw e
  }
  if (startedAtMs !== undefined) {
    const st = await stat(file)
    if (st.mtimeMs + 1000 < startedAtMs) {
      throw new InputError(
        'metrics',
        `names '${label}', which the command did not write in this run (it is older than the run)`,
        'Write the metrics to $MLOPS_METRICS_FILE',
      )
    }
  }
  const data = parseStructured(text, file)
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new ConfigError({ file: shown }, '', 'metrics must be a mapping of names to numbers')
  const flat = flatten(data)
  const out: Metrics = {}
  for (const [k, v] of Object.entries(flat)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ConfigError(
        { file: shown },
        k,
        `metric '${k}' is ${JSON.stringify(v)}, not a number; every metric must be a finite number`,
      )
    }
    out[k] = v
  }
  if (Object.keys(out).length === 0)
    throw new ConfigError({ file: shown }, '', 'holds no metrics; write at least one name: number')
  return out
}
