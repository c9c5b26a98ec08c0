import { stringify } from 'yaml'
import type { DataFormat } from '../data/types.js'
import type { ColumnAcc } from './column.js'
import { scanDataset } from './scan.js'
import type { ColumnSpec } from './schema.js'

/**
 * Writes a schema from a dataset that passes on that dataset: the narrowest type every value parses as,
 * `nullable` when a null was seen, the observed min/max of numeric columns, the values of categoricals,
 * `unique` when every value was seen once (known exactly only while the value counts are kept).
 */
export async function inferSchema(
  files: readonly string[],
  opts: { delimiter?: string; format?: DataFormat } = {},
): Promise<{ yaml: string; rows: number }> {
  const scan = await scanDataset(files, opts)
  const columns: Record<string, ColumnSpec> = {}
  for (const acc of scan.columns) columns[acc.name] = specOf(acc)
  // one line per column reads best: `name: { type: integer, min: 0 }`
  const lines = Object.entries(columns).map(
    ([n, c]) => `  ${JSON.stringify(n)}: ${stringify(c, { collectionStyle: 'flow', lineWidth: 0 }).trim()}`,
  )
  const header = `# Inferred by 'mlops infer-schema' from ${scan.files.join(', ')} (${scan.rows} rows). Review it: tighten bounds, add patterns.\n`
  return { yaml: `${header}columns:\n${lines.join('\n')}\nextra_columns: error\n`, rows: scan.rows }
}

function specOf(acc: ColumnAcc): ColumnSpec {
  const type = acc.resolvedType()
  const spec: ColumnSpec = { type }
  if (acc.nulls > 0) spec.nullable = true
  const m = acc.moments
  if ((type === 'integer' || type === 'number') && m.n > 0) {
    spec.min = m.min
    spec.max = m.max
  }
  const counts = acc.keyCounts()
  if (type === 'category' && counts) spec.values = [...counts.keys()].sort()
  if (counts && counts.size > 1 && counts.size === acc.count && (type === 'integer' || type === 'string'))
    spec.unique = true
  return spec
}
