import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { displayPath } from '../config/load.js'
import { readHead } from '../data/source.js'
import { ConfigError } from '../errors.js'
import { HyperLogLog } from '../stats/hll.js'
import { KllSketch, type WeightedSample } from '../stats/kll.js'
import { type Moments, mergeMoments, sampleStd } from '../stats/moments.js'
import type { ColumnAcc } from './column.js'
import type { ScanResult } from './scan.js'
import { COLUMN_TYPES, type ColumnType } from './schema.js'

/**
 * A dataset profile: per-column summaries for people (count, nulls, min, max, mean, std, quantiles,
 * histogram, top values, distinct count) and the mergeable state they derive from (moments, KLL sketch,
 * HyperLogLog registers, value counts). Merging shard profiles merges the state and derives the summaries
 * again, so a merge gives what one pass would: exactly for counts, nulls, min, max, mean, std (up to
 * floating-point rounding), value counts and the distinct estimate; within the KLL bound for quantiles and
 * the histogram.
 */
export const PROFILE_SCHEMA = 'mlops-actions/data-profile@1'

const kllJson = z.object({
  k: z.number(),
  n: z.number(),
  compactions: z.number(),
  levels: z.array(z.array(z.number())),
})

const columnProfile = z.object({
  type: z.enum(COLUMN_TYPES),
  count: z.number(),
  nulls: z.number(),
  invalid: z.number(),
  min: z.union([z.number(), z.string()]).nullable(),
  max: z.union([z.number(), z.string()]).nullable(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  quantiles: z.record(z.string(), z.number()).nullable(),
  histogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }).nullable(),
  top: z.array(z.tuple([z.string(), z.number()])),
  distinct: z.number(),
  state: z.object({
    moments: z.object({
      n: z.number(),
      mean: z.number(),
      m2: z.number(),
      min: z.number().nullable(),
      max: z.number().nullable(),
    }),
    kll: kllJson,
    hll: z.string(),
    counts: z.record(z.string(), z.number()).nullable(),
    other: z.number(),
  }),
})
export type ColumnProfile = z.output<typeof columnProfile>

export const profileSchema = z.object({
  schema: z.literal(PROFILE_SCHEMA),
  rows: z.number(),
  files: z.array(z.string()),
  shards: z.array(z.object({ index: z.number(), count: z.number() })),
  columns: z.record(z.string(), columnProfile),
})
export type DataProfile = z.output<typeof profileSchema>

const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
const HIST_BINS = 20
const TOP = 10

/** The profile of one scan. */
export function profileOf(scan: ScanResult): DataProfile {
  const columns: Record<string, ColumnProfile> = {}
  for (const acc of scan.columns) columns[acc.name] = columnProfileOf(acc)
  return {
    schema: PROFILE_SCHEMA,
    rows: scan.rows,
    files: scan.files,
    shards: scan.shard ? [scan.shard] : [],
    columns,
  }
}

function columnProfileOf(acc: ColumnAcc): ColumnProfile {
  const m = acc.moments
  const kc = acc.isNumeric ? acc.keyCounts() : acc.counts
  const counts = kc ? Object.fromEntries(kc) : null
  return derive(acc.resolvedType(), acc.count, acc.nulls, acc.invalid, {
    moments: { n: m.n, mean: m.mean, m2: m.m2, min: m.n ? m.min : null, max: m.n ? m.max : null },
    kll: acc.kll.toJSON(),
    hll: acc.hll.toBase64(),
    counts,
    other: acc.other,
  })
}

const isNumericType = (t: ColumnType) => t === 'integer' || t === 'number'
const isTimeType = (t: ColumnType) => t === 'date' || t === 'datetime'

/** Computes the human-facing summary fields from the mergeable state. */
function derive(
  type: ColumnType,
  count: number,
  nulls: number,
  invalid: number,
  state: ColumnProfile['state'],
): ColumnProfile {
  const mo = state.moments
  const moments: Moments = {
    n: mo.n,
    mean: mo.mean,
    m2: mo.m2,
    min: mo.min ?? Infinity,
    max: mo.max ?? -Infinity,
  }
  const numeric = isNumericType(type)
  const time = isTimeType(type)
  let quantiles: Record<string, number> | null = null
  let histogram: ColumnProfile['histogram'] = null
  if ((numeric || time) && mo.n > 0) {
    const w = KllSketch.fromJSON(state.kll).sample()
    quantiles = Object.fromEntries(QUANTILES.map((q) => [`p${Math.round(q * 100)}`, w.quantile(q)]))
    if (numeric) histogram = histogramOf(w, moments.min, moments.max)
  }
  const entries = state.counts ? Object.entries(state.counts) : []
  const top = numeric
    ? []
    : entries
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, TOP)
        .map(([k, c]) => [k, c] as [string, number])
  const distinct =
    state.counts && state.other === 0 ? entries.length : HyperLogLog.fromBase64(state.hll).estimate()
  const iso = (t: number) => {
    const s = new Date(t).toISOString()
    return type === 'date' ? s.slice(0, 10) : s
  }
  return {
    type,
    count,
    nulls,
    invalid,
    min: mo.min === null ? null : time ? iso(mo.min) : numeric ? mo.min : null,
    max: mo.max === null ? null : time ? iso(mo.max) : numeric ? mo.max : null,
    mean: numeric && mo.n ? mo.mean : null,
    std: numeric ? (sampleStd(moments) ?? null) : null,
    quantiles,
    histogram,
    top,
    distinct,
    state,
  }
}

/** Equal-width histogram between min and max, counts from the sketch (exact for exact samples). */
function histogramOf(w: WeightedSample, min: number, max: number): ColumnProfile['histogram'] {
  const bins = min === max ? 1 : HIST_BINS
  const edges = Array.from({ length: bins + 1 }, (_, i) =>
    i === bins ? max : min + ((max - min) * i) / bins,
  )
  const counts: number[] = []
  for (let i = 0; i < bins; i++) {
    const lo = w.rank(edges[i]!, 'left')
    const hi = i === bins - 1 ? w.total : w.rank(edges[i + 1]!, 'left')
    counts.push(Math.round(hi - lo))
  }
  return { edges, counts }
}

/** Merges profiles (e.g. of the shards of one dataset); columns are matched by name. */
export function mergeProfiles(profiles: readonly DataProfile[]): DataProfile {
  if (profiles.length === 0) throw new Error('nothing to merge')
  const columns: Record<string, ColumnProfile> = {}
  const names = [...new Set(profiles.flatMap((p) => Object.keys(p.columns)))]
  for (const name of names) {
    const parts = profiles.map((p) => p.columns[name]).filter((c): c is ColumnProfile => !!c)
    columns[name] = mergeColumns(parts)
  }
  return {
    schema: PROFILE_SCHEMA,
    rows: profiles.reduce((s, p) => s + p.rows, 0),
    files: [...new Set(profiles.flatMap((p) => p.files))],
    shards: profiles.flatMap((p) => p.shards),
    columns,
  }
}

function mergeColumns(parts: ColumnProfile[]): ColumnProfile {
  const type = widestType(parts.map((p) => p.type))
  let moments: Moments | undefined
  const kll = new KllSketch(parts[0]!.state.kll.k)
  const hll = new HyperLogLog()
  let counts: Map<string, number> | null = new Map()
  let other = 0
  for (const p of parts) {
    const s = p.state.moments
    const m: Moments = { n: s.n, mean: s.mean, m2: s.m2, min: s.min ?? Infinity, max: s.max ?? -Infinity }
    moments = moments ? mergeMoments(moments, m) : m
    kll.merge(KllSketch.fromJSON(p.state.kll))
    hll.merge(HyperLogLog.fromBase64(p.state.hll))
    other += p.state.other
    if (!p.state.counts) counts = null
    if (counts && p.state.counts)
      for (const [k, c] of Object.entries(p.state.counts)) counts.set(k, (counts.get(k) ?? 0) + c)
  }
  const mo = moments!
  return derive(
    type,
    parts.reduce((s, p) => s + p.count, 0),
    parts.reduce((s, p) => s + p.nulls, 0),
    parts.reduce((s, p) => s + p.invalid, 0),
    {
      moments: { n: mo.n, mean: mo.mean, m2: mo.m2, min: mo.n ? mo.min : null, max: mo.n ? mo.max : null },
      kll: kll.toJSON(),
      hll: hll.toBase64(),
      counts: counts ? Object.fromEntries(counts) : null,
      other,
    },
  )
}

function widestType(types: ColumnType[]): ColumnType {
  const set = new Set(types)
  if (set.size === 1) return types[0]!
  if ([...set].every((t) => t === 'integer' || t === 'number')) return 'number'
  if ([...set].every((t) => t === 'category' || t === 'string')) return 'string'
  return types[0]!
}

/** Reads a profile file; a wrong version or shape names the file. */
export async function readProfile(file: string): Promise<DataProfile> {
  const shown = displayPath(file)
  let json: unknown
  try {
    json = JSON.parse(await readFile(file, 'utf8'))
  } catch (e) {
    throw new ConfigError({ file: shown }, '', `not a JSON profile: ${(e as Error).message}`)
  }
  const version = (json as { schema?: unknown })?.schema
  if (version !== PROFILE_SCHEMA) {
    throw new ConfigError(
      { file: shown },
      'schema',
      `expected a profile '${PROFILE_SCHEMA}'; got '${String(version)}' (write it with the same release of mlops-actions)`,
    )
  }
  const r = profileSchema.safeParse(json)
  if (!r.success) {
    const i = r.error.issues[0]!
    throw new ConfigError({ file: shown }, i.path.join('.'), `not a valid profile: ${i.message}`)
  }
  return r.data
}

/** True when the file looks like a profile (JSON with our schema tag) rather than a dataset. */
export async function isProfileFile(file: string): Promise<boolean> {
  if (!file.toLowerCase().endsWith('.json')) return false
  try {
    return (await readHead(file, 200)).toString('utf8').includes(PROFILE_SCHEMA)
  } catch {
    return false
  }
}
