import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet'
import { DataError, type TableSink } from './types.js'

/**
 * Parquet, one row group at a time (hyparquet: pure JavaScript; uncompressed and Snappy pages). Memory is
 * one row group of the selected columns. Row numbers in reports are 1-based row indices (`line`).
 */
export async function readParquet(
  file: string,
  sink: TableSink,
  shown: string,
  columns?: readonly string[],
): Promise<number> {
  const buf = await asyncBufferFromFile(file)
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>
  try {
    metadata = await parquetMetadataAsync(buf)
  } catch (e) {
    throw new DataError(shown, `not a readable Parquet file: ${(e as Error).message}`)
  }
  const all = parquetSchema(metadata).children.map((c) => c.element.name)
  // the header has every column (so extra columns are seen); only the selected ones are decoded
  const names = columns ? all.filter((n) => columns.includes(n)) : all
  const at = names.map((n) => all.indexOf(n))
  sink.header(all)
  const values: unknown[] = new Array(all.length).fill(undefined)
  let start = 0
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows)
    const end = start + rows
    let data: unknown[][] = []
    try {
      await parquetRead({
        file: buf,
        metadata,
        rowStart: start,
        rowEnd: end,
        columns: names,
        rowFormat: 'array',
        onComplete: (r: unknown[][]) => {
          data = r
        },
      })
    } catch (e) {
      throw new DataError(shown, `cannot read row group at row ${start + 1}: ${(e as Error).message}`)
    }
    for (let r = 0; r < data.length; r++) {
      const row = data[r]!
      for (let k = 0; k < row.length; k++) {
        const v = row[k]
        values[at[k]!] = typeof v === 'bigint' ? Number(v) : v
      }
      sink.valueRecord(values, start + r + 1)
    }
    start = end
  }
  return start
}
