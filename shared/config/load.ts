import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml'
import type { z } from 'zod'
import { ConfigError, NotFoundError } from '../errors.js'

/** A key path as users write it: `gate.metrics.accuracy.min`, `monitor.rules[0].query`. */
export function formatKeyPath(keyPath: readonly PropertyKey[]): string {
  return keyPath
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('')
}

/** Paths in errors and annotations are relative to the workspace, as GitHub expects for annotations. */
export function displayPath(file: string): string {
  const rel = path.relative(process.env.GITHUB_WORKSPACE || process.cwd(), file)
  return rel && !rel.startsWith('..') ? rel : file
}

/** Finds the node at `keyPath` (or the deepest existing ancestor) and, for unknown keys, the key itself. */
function locate(doc: ReturnType<typeof parseDocument>, keyPath: readonly PropertyKey[], unknownKey?: string) {
  let node: unknown = doc.contents
  for (const k of keyPath) {
    if (!node || typeof node !== 'object' || !('get' in node)) break
    const next = (node as { get(k: unknown, keep: true): unknown }).get(k, true)
    if (next === undefined) break
    node = next
  }
  if (unknownKey !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === unknownKey)
    if (pair && isPair(pair) && pair.key) node = pair.key
  }
  return (node as Node | undefined)?.range?.[0]
}

/** Parses YAML text and validates it with a zod schema; every problem names file, line, column and key. */
export function parseYaml<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  const shown = displayPath(file)
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const syntax = doc.errors[0]
  if (syntax) {
    const pos = lineCounter.linePos(syntax.pos[0])
    throw new ConfigError(
      { file: shown, line: pos.line, column: pos.col },
      '',
      `invalid YAML: ${syntax.message}`,
    )
  }
  const result = schema.safeParse(doc.toJS() ?? {})
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const unknown = issue.code === 'unrecognized_keys' ? (issue.keys as string[])[0] : undefined
  const offset = locate(doc, issue.path, unknown)
  const pos = offset === undefined ? { line: 1, col: 1 } : lineCounter.linePos(offset)
  const more =
    result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem(s))` : ''
  const keyPath = formatKeyPath(unknown === undefined ? issue.path : [...issue.path])
  throw new ConfigError({ file: shown, line: pos.line, column: pos.col }, keyPath, `${issue.message}${more}`)
}

/** Reads and validates a YAML (or JSON) file. */
export async function loadYamlFile<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(
        `${displayPath(file)}: file not found. Check the path (relative to ${process.cwd()}).`,
      )
    }
    throw e
  }
  return parseYaml(text, file, schema)
}
