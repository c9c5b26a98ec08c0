import { readFile } from 'node:fs/promises'
import path from 'node:path'
import {
  convertWorkflowTemplate,
  isMapping,
  NoOperationTraceWriter,
  parseWorkflow,
  type WorkflowTemplate,
} from '@actions/workflow-parser'
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token'
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token'
import { displayPath } from '../config/load.js'
import { ConfigError, NotFoundError } from '../errors.js'

/** A parsed and validated workflow: GitHub's model of it plus the raw tokens for what the model leaves out. */
export interface LoadedWorkflow {
  readonly file: string
  readonly template: WorkflowTemplate
  /** The whole document as parsed tokens (`with:`, `shell:`, `defaults:`, `on.workflow_call.outputs`, ...). */
  readonly root: MappingToken
}

/**
 * Parses and validates a workflow file with `@actions/workflow-parser` (GitHub's own parser). Every problem
 * becomes one `ConfigError` naming the file, line and column; more than one are listed after the first.
 */
export async function loadWorkflow(file: string, base?: string): Promise<LoadedWorkflow> {
  let content: string
  try {
    content = await readFile(file, 'utf8')
  } catch {
    throw new NotFoundError(`${shownPath(file, base)}: workflow file not found`)
  }
  const shown = shownPath(file, base)
  const result = parseWorkflow({ name: shown, content }, new NoOperationTraceWriter())
  const fail = (
    errors: { rawMessage?: string; message: string; range?: { start: { line: number; column: number } } }[],
  ) => {
    const [first, ...rest] = errors
    const more = rest.map((e) => `\n  ${e.message}`).join('')
    return new ConfigError(
      { file: shown, line: first?.range?.start.line, column: first?.range?.start.column },
      '',
      `${first?.rawMessage ?? first?.message ?? 'invalid workflow'}${more}`,
    )
  }
  if (result.context.errors.getErrors().length > 0 || !result.value)
    throw fail(result.context.errors.getErrors())
  const template = await convertWorkflowTemplate(result.context, result.value)
  if (result.context.errors.getErrors().length > 0) throw fail(result.context.errors.getErrors())
  if (!isMapping(result.value)) throw new ConfigError({ file: shown }, '', 'a workflow must be a mapping')
  return { file, template, root: result.value }
}

/** `mapping.key.key...` in the raw tokens, or undefined. */
export function findToken(token: TemplateToken | undefined, ...keys: string[]): TemplateToken | undefined {
  let t = token
  for (const k of keys) {
    if (!t || !isMapping(t)) return undefined
    t = t.find(k)
  }
  return t
}

/** `file:line:col` of a token, for messages. */
export function locationOf(file: string, token: TemplateToken | undefined, base?: string): string {
  const r = token?.range
  return r ? `${shownPath(file, base)}:${r.start.line}:${r.start.column}` : shownPath(file, base)
}

/** A path as messages show it: relative to the run's workspace when inside it. */
export function shownPath(file: string, base?: string): string {
  if (!base) return displayPath(file)
  const rel = path.relative(base, file)
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file
}
