import { stat } from 'node:fs/promises'
import path from 'node:path'
import { glob } from 'tinyglobby'
import { displayPath } from '../config/load.js'
import { NotFoundError } from '../errors.js'
import { CsvParser } from './csv.js'
import { readJsonLines } from './jsonl.js'
import { readParquet } from './parquet.js'
import { byteChunks, fileMagic, textBlocks } from './source.js'
import { DataError, type DataFormat, type ReadOptions, type TableSink } from './types.js'

/** Expands globs (and plain paths) into a sorted list of files; none is an error naming the patterns. */
export async function expandData(patterns: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const files = (
    await glob([...patterns], { cwd, absolute: true, onlyFiles: true, expandDirectories: false })
  ).sort()
  if (files.length === 0)
    throw new NotFoundError(
      `No data file matches ${patterns.map((p) => `'${p}'`).join(', ')} (in ${cwd}). Check the 'data' path or glob.`,
    )
  return files
}

/** The format a file name claims: `.csv`, `.tsv`, `.jsonl`/`.ndjson`, `.parquet`, each optionally `.gz`. */
export function formatOf(file: string): { format: DataFormat; gzip: boolean } {
  let name = file.toLowerCase()
  const gzip = name.endsWith('.gz')
  if (gzip) name = name.slice(0, -3)
  const ext = path.extname(name)
  const format: DataFormat =
    ext === '.tsv' || ext === '.tab'
      ? 'tsv'
      : ext === '.jsonl' || ext === '.ndjson' || ext === '.json'
        ? 'jsonl'
        : ext === '.parquet' || ext === '.pq'
          ? 'parquet'
          : 'csv'
  return { format, gzip }
}

/** The field delimiter of a CSV/TSV file: the one given, else a tab for TSV and a comma otherwise. */
export const delimiterFor = (format: DataFormat, delimiter?: string): string =>
  delimiter ?? (format === 'tsv' ? '\t' : ',')

/**
 * Reads one file into `sink`, in one pass and constant memory. A file that cannot be read as what its name
 * (or `opts.format`) says — empty, gzip that is not, Parquet that is not — is a DataError naming the file;
 * problems inside a readable file are reported to the sink with their line numbers.
 * Returns the number of records read (header excluded).
 */
export async function readTable(file: string, sink: TableSink, opts: ReadOptions = {}): Promise<number> {
  const shown = displayPath(file)
  const claimed = formatOf(file)
  const format = opts.format ?? claimed.format
  let size: number
  try {
    size = (await stat(file)).size
  } catch {
    throw new NotFoundError(`${shown}: file not found`)
  }
  if (size === 0) throw new DataError(shown, 'the file is empty: expected at least a header')
  const { gzip: isGz, parquet: isPq } = await fileMagic(file)
  if (format === 'parquet') {
    if (!isPq) throw new DataError(shown, `not a Parquet file (it does not start with 'PAR1')`)
    return readParquet(file, sink, shown, opts.columns)
  }
  if (claimed.gzip && !isGz) throw new DataError(shown, 'the name ends in .gz but the file is not gzip')
  if (!claimed.gzip && isGz)
    throw new DataError(shown, `the file is gzip-compressed; name it '${path.basename(file)}.gz'`)
  if (isPq)
    throw new DataError(shown, `this is a Parquet file, not ${format.toUpperCase()}; name it *.parquet`)
  const blocks = textBlocks(byteChunks(file, isGz, shown))
  if (format === 'jsonl') {
    const n = await readJsonLines(blocks, sink, opts.columns)
    return n
  }
  const delimiter = delimiterFor(format, opts.delimiter)
  const parser = new CsvParser(sink, delimiter, opts.maxRecordChars)
  let empty = true
  for await (const b of blocks) {
    if (empty && b.text.trim()) empty = false
    parser.pushBlock(b)
  }
  parser.end()
  if (empty) throw new DataError(shown, 'the file holds only blank lines: expected at least a header')
  if (!parser.hasHeader) sink.header([])
  return parser.records
}
