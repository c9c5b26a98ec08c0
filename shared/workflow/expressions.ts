import { data, Evaluator, type Expr, Lexer, Parser } from '@actions/expressions'
import type { FunctionDefinition } from '@actions/expressions/funcs/info'
import { TokenType } from '@actions/expressions/lexer'
import { truthy } from '@actions/expressions/result'
import {
  isBasicExpression,
  isBoolean,
  isMapping,
  isNumber,
  isSequence,
  isString,
} from '@actions/workflow-parser'
import type { BasicExpressionToken } from '@actions/workflow-parser/templates/tokens/basic-expression-token'
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token'
import { parse as parseYaml } from 'yaml'

/** The named contexts an expression can read (`github`, `env`, `steps`, ...), as plain JSON-like values. */
export type Contexts = Record<string, unknown>

/** What `success()`, `failure()` and `cancelled()` answer: the status of the job (steps) or of its needs (jobs). */
export type Status = 'success' | 'failure' | 'cancelled' | 'skipped'

export interface EvalOptions {
  readonly status?: Status
  /** Computes `hashFiles(...)`; absent: `hashFiles` is an error. */
  readonly hashFiles?: (patterns: string[]) => string
}

const CONTEXT_NAMES = [
  'github',
  'env',
  'inputs',
  'secrets',
  'steps',
  'needs',
  'job',
  'jobs',
  'runner',
  'vars',
  'matrix',
  'strategy',
]

/** Plain value → expression data. */
export function toData(v: unknown): data.ExpressionData {
  if (v === null || v === undefined) return new data.Null()
  if (typeof v === 'string') return new data.StringData(v)
  if (typeof v === 'number') return new data.NumberData(v)
  if (typeof v === 'boolean') return new data.BooleanData(v)
  if (Array.isArray(v)) return new data.Array(...v.map(toData))
  if (v instanceof data.Dictionary || v instanceof data.Array) return v
  const d = new data.Dictionary()
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) d.add(k, toData(x))
  return d
}

/** Expression data → plain value. */
export function fromData(d: data.ExpressionData): unknown {
  switch (d.kind) {
    case data.Kind.Null:
      return null
    case data.Kind.String:
    case data.Kind.Number:
    case data.Kind.Boolean:
      return (d as data.StringData | data.NumberData | data.BooleanData).value
    case data.Kind.Array:
      return (d as data.Array).values().map(fromData)
    default:
      return Object.fromEntries((d as data.Dictionary).pairs().map((p) => [p.key, fromData(p.value)]))
  }
}

/** How GitHub turns an expression result into text: null → '', objects → JSON. */
export function toText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return JSON.stringify(v, null, 2)
}

export function isTruthy(v: unknown): boolean {
  return truthy(toData(v))
}

function statusFunctions(opts: EvalOptions): Map<string, FunctionDefinition> {
  const status = opts.status ?? 'success'
  const fn = (name: string, call: FunctionDefinition['call'], maxArgs = 0): [string, FunctionDefinition] => [
    name.toLowerCase(),
    { name, minArgs: 0, maxArgs, call },
  ]
  return new Map([
    fn('success', () => new data.BooleanData(status === 'success')),
    fn('failure', () => new data.BooleanData(status === 'failure')),
    fn('cancelled', () => new data.BooleanData(status === 'cancelled')),
    fn('always', () => new data.BooleanData(true)),
    fn(
      'hashFiles',
      (...args) => {
        if (!opts.hashFiles) throw new Error('hashFiles() is not available here')
        return new data.StringData(opts.hashFiles(args.map((a) => a.coerceString())))
      },
      255,
    ),
  ])
}

/** An expression that does not parse or evaluate; the caller adds the file, line, job and step. */
export class ExpressionFailure extends Error {}

function parse(expression: string, functions: Map<string, FunctionDefinition>): Expr {
  try {
    const { tokens } = new Lexer(expression).lex()
    // @actions/expressions 0.3 unescapes only the first '' of a string literal; unescape them all.
    for (const t of tokens)
      if (t.type === TokenType.STRING) t.value = t.lexeme.slice(1, -1).replaceAll("''", "'")
    return new Parser(tokens, CONTEXT_NAMES, [...functions.values()]).parse()
  } catch (e) {
    throw new ExpressionFailure(`invalid expression '${expression}': ${(e as Error).message}`)
  }
}

/** Evaluates one expression (the text inside `${{ }}`) against the contexts. */
export function evaluate(expression: string, contexts: Contexts, opts: EvalOptions = {}): unknown {
  const functions = statusFunctions(opts)
  const tree = parse(expression, functions)
  const dict = new data.Dictionary()
  for (const name of CONTEXT_NAMES) dict.add(name, toData(contexts[name] ?? {}))
  try {
    return fromData(new Evaluator(tree, dict, functions).evaluate())
  } catch (e) {
    throw new ExpressionFailure(`cannot evaluate '${expression}': ${(e as Error).message}`)
  }
}

/** Replaces every `${{ expr }}` in a plain string (e.g. an action.yml default) with its text value. */
export function interpolate(text: string, contexts: Contexts, opts: EvalOptions = {}): string {
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_m, expr: string) =>
    toText(evaluate(expr.trim(), contexts, opts)),
  )
}

/** Evaluates a parsed template token (scalars, `${{ }}` expressions, mappings, sequences) to a plain value. */
export function evaluateToken(token: TemplateToken, contexts: Contexts, opts: EvalOptions = {}): unknown {
  if (isBasicExpression(token)) {
    const text = multiLineText(token)
    return text === undefined ? evaluate(token.expression, contexts, opts) : interpolate(text, contexts, opts)
  }
  if (isString(token)) return token.value
  if (isNumber(token)) return token.value
  if (isBoolean(token)) return token.value
  if (isSequence(token)) return [...token].map((t) => evaluateToken(t, contexts, opts))
  if (isMapping(token)) {
    const out: Record<string, unknown> = {}
    for (const { key, value } of token)
      out[toText(evaluateToken(key, contexts, opts))] = evaluateToken(value, contexts, opts)
    return out
  }
  if (token.isExpression) throw new ExpressionFailure(`unsupported expression '${token.toString()}'`)
  return null
}

/**
 * The text of a multi-line string holding `${{ }}` (a `run: |` block). The parser builds its `format()` from
 * the raw YAML source, indentation and all; GitHub substitutes into the YAML value, so read the value again.
 */
function multiLineText(token: BasicExpressionToken): string | undefined {
  const r = token.range
  if (
    !r ||
    r.start.line === r.end.line ||
    token.source === undefined ||
    !token.expression.startsWith('format(')
  )
    return undefined
  const header = token.blockScalarHeader
  const doc = header ? `x: ${header}\n${token.source}` : `x: ${token.source}`
  try {
    const v = (parseYaml(doc) as { x?: unknown } | null)?.x
    return typeof v === 'string' ? v : undefined
  } catch {
    return undefined
  }
}
