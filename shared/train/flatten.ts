/**
 * Flattens nested params and metrics into dotted keys, as MLflow and DVC show them:
 * `{ model: { depth: 3 } }` → `{ 'model.depth': 3 }`. Arrays use their index (`layers.0`).
 */
export function flatten(value: unknown, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const walk = (v: unknown, key: string) => {
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v)
      if (entries.length === 0 && key) out[key] = Array.isArray(v) ? '[]' : '{}'
      for (const [k, x] of entries) walk(x, key ? `${key}.${k}` : k)
    } else if (key) {
      out[key] = v instanceof Date ? v.toISOString() : v
    }
  }
  walk(value, prefix)
  return out
}
