import { fieldOf } from '../../shared/data/csv.js'
import type { ReaderIssue, TableSink } from '../../shared/data/types.js'

/** A sink that keeps everything it is given, for reader tests. */
export function collectSink() {
  const out = {
    header: undefined as string[] | undefined,
    rows: [] as { line: number; values: unknown[]; suspect?: boolean }[],
    issues: [] as ReaderIssue[],
  }
  const sink: TableSink = {
    header: (names) => {
      out.header = [...names]
    },
    textRecord: (text, starts, ends, flags, line, suspect, lane) => {
      const n = out.header!.length
      const values: unknown[] = []
      for (let i = 0; i < n; i++) {
        values.push(
          starts[i] === ends[i] && flags[i] === 0
            ? null
            : fieldOf(text, lane?.bytes, starts[i]!, ends[i]!, flags[i]!),
        )
      }
      out.rows.push({ line, values, ...(suspect ? { suspect } : {}) })
    },
    valueRecord: (values, line) => {
      out.rows.push({ line, values: [...values] })
    },
    issue: (i) => {
      out.issues.push(i)
    },
  }
  return { sink, out }
}
