import type { TextBlock } from './source.js'
import type { TableSink } from './types.js'

/**
 * JSON Lines: one object per line. The columns are the keys of the first object plus `known` (the schema's
 * columns), in that order; a key first seen later is ignored. A line that is not a JSON object is reported
 * with its line number and skipped.
 */
export async function readJsonLines(
  blocks: AsyncIterable<TextBlock>,
  sink: TableSink,
  known: readonly string[] = [],
): Promise<number> {
  let names: string[] | undefined
  let line = 0
  let records = 0
  let carry = ''
  const values: unknown[] = []
  const handle = (text: string, suspect: boolean) => {
    line++
    const t = text.trim()
    if (!t) return
    let obj: unknown
    try {
      obj = JSON.parse(t)
    } catch (e) {
      sink.issue({ kind: 'invalid_json', line, detail: (e as Error).message.slice(0, 200) })
      return
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      sink.issue({ kind: 'invalid_json', line, detail: 'not a JSON object' })
      return
    }
    if (suspect && t.includes('\uFFFD')) {
      sink.issue({ kind: 'invalid_utf8', line, detail: 'bytes that are not UTF-8' })
    }
    const o = obj as Record<string, unknown>
    if (!names) {
      names = [...Object.keys(o)]
      for (const k of known) if (!names.includes(k)) names.push(k)
      sink.header(names)
    }
    for (let k = 0; k < names.length; k++) values[k] = o[names[k]!]
    values.length = names.length
    records++
    sink.valueRecord(values, line)
  }
  for await (const b of blocks) {
    const text = carry ? carry + b.text : b.text
    let start = 0
    for (;;) {
      const nl = text.indexOf('\n', start)
      if (nl < 0) break
      handle(text.slice(start, nl), b.suspect)
      start = nl + 1
    }
    carry = text.slice(start)
  }
  if (carry) handle(carry, false)
  if (!names) sink.header([...known])
  return records
}
