import { readFile } from 'node:fs/promises'
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml'
import { displayPath } from '../config/load.js'
import { ConfigError, NotFoundError } from '../errors.js'
import { parseRunRecord } from '../run-record/io.js'

/**
 * A set of metrics read from a file: a metrics file (JSON or YAML, nested keys flattened with dots as
 * `dvc metrics diff` does: `{"eval": {"auc": 0.9}}` → `eval.auc`) or a run record (its `result.metrics`).
 * Each value keeps where it was written, so a bad value is reported at its file, line and column.
 */
export interface MetricEntry {
  readonly raw: unknown
  readonly line?: number
  readonly column?: number
}

export interface MetricSet {
  /** The file as shown to users (relative to the workspace). */
  readonly source: string
  readonly values: ReadonlyMap<string, MetricEntry>
  /** The model named by a run record, if the metrics came from one. */
  readonly model?: { readonly name: string; readonly version?: string }
}

/** The numbers Python's `json.dump` writes for non-finite floats, and YAML's spellings of them. */
const NON_FINITE: Record<string, number> = {
  nan: Number.NaN,
  '.nan': Number.NaN,
  infinity: Number.POSITIVE_INFINITY,
  '+infinity': Number.POSITIVE_INFINITY,
  inf: Number.POSITIVE_INFINITY,
  '.inf': Number.POSITIVE_INFINITY,
  '-infinity': Number.NEGATIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
  '-.inf': Number.NEGATIVE_INFINITY,
}

function flatten(
  node: unknown,
  prefix: string,
  out: Map<string, MetricEntry>,
  lc: LineCounter,
  parseNan: boolean,
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
      flatten(pair.value, prefix ? `${prefix}.${key}` : key, out, lc, parseNan)
    }
    return
  }
  if (isSeq(node)) {
    node.items.forEach((item, i) => {
      flatten(item, prefix ? `${prefix}.${i}` : String(i), out, lc, parseNan)
    })
    return
  }
  const offset = (node as Node | null)?.range?.[0]
  const pos = offset === undefined ? undefined : lc.linePos(offset)
  let raw = isScalar(node) ? node.value : null
  if (typeof raw === 'string' && parseNan && raw.trim().toLowerCase() in NON_FINITE)
    raw = NON_FINITE[raw.trim().toLowerCase()]
  out.set(prefix, { raw, line: pos?.line, column: pos?.col })
}

/** Parses metrics text; `file` is for messages. JSON is parsed as YAML (a superset), so `NaN` works too. */
export function parseMetrics(text: string, file: string): MetricSet {
  const shown = displayPath(file)
  // Python writes bare NaN/Infinity tokens into JSON; YAML reads them as strings, mapped back here.
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true })
  const err = doc.errors[0]
  if (err) {
    const pos = lc.linePos(err.pos[0])
    throw new ConfigError(
      { file: shown, line: pos.line, column: pos.col },
      '',
      `invalid JSON/YAML: ${err.message}`,
    )
  }
  const js = doc.toJS() as unknown
  const values = new Map<string, MetricEntry>()
  if (js && typeof js === 'object' && typeof (js as { schema?: unknown }).schema === 'string') {
    const schema = (js as { schema: string }).schema
    if (schema.startsWith('mlops-actions/run-record@')) {
      const record = parseRunRecord(JSON.stringify(js), file)
      const node = doc.getIn(['result', 'metrics'], true)
      if (!isMap(node))
        throw new ConfigError(
          { file: shown },
          'result.metrics',
          `this ${record.kind} run record holds no metrics; use the train-model record or a metrics file`,
        )
      flatten(node, '', values, lc, true)
      return { source: shown, values, model: record.model }
    }
  }
  if (!isMap(doc.contents))
    throw new ConfigError(
      { file: shown, line: 1, column: 1 },
      '',
      'expected a mapping of metric names to numbers, e.g. {"accuracy": 0.91}',
    )
  flatten(doc.contents, '', values, lc, true)
  return { source: shown, values }
}

export async function loadMetrics(file: string, role: 'candidate' | 'baseline'): Promise<MetricSet> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR')
      throw new NotFoundError(
        `${displayPath(file)}: ${role} metrics file not found. Check the path (relative to ${process.cwd()}).`,
      )
    throw e
  }
  return parseMetrics(text, file)
}

/** The number for `key`; undefined when absent or null. A string, boolean or object is a config error. */
export function metricValue(set: MetricSet, key: string): number | undefined {
  const e = set.values.get(key)
  if (!e || e.raw === null || e.raw === undefined) return undefined
  if (typeof e.raw === 'number') return e.raw
  const shown =
    typeof e.raw === 'string' ? `the string '${e.raw}'` : `${typeof e.raw} ${JSON.stringify(e.raw)}`
  throw new ConfigError(
    { file: set.source, line: e.line, column: e.column },
    key,
    `metric '${key}' is ${shown}; expected a number`,
  )
}

/**
 * A metric set from values held elsewhere (e.g. the metrics a registry stores with a model version);
 * nested objects are flattened with dots like a metrics file.
 */
export function metricSetFromValues(
  values: Readonly<Record<string, unknown>>,
  source: string,
  model?: MetricSet['model'],
): MetricSet {
  const out = new Map<string, MetricEntry>()
  const walk = (v: unknown, prefix: string) => {
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, prefix ? `${prefix}.${k}` : k)
    } else out.set(prefix, { raw: v ?? null })
  }
  walk(values, '')
  return { source, values: out, ...(model ? { model } : {}) }
}
