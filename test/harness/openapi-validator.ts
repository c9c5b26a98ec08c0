/**
 * Request/response validation against GitHub's official OpenAPI description
 * (`@octokit/openapi/generated/api.github.com.json`, OpenAPI 3.0.3).
 *
 * The JSON file is read with `fs` (importing `@octokit/openapi` would load ~400 MB), parsed once per process,
 * and its schemas are normalised from OpenAPI 3.0 to plain JSON Schema for Ajv:
 * - `nullable: true` becomes `anyOf: [schema, { type: 'null' }]`;
 * - `discriminator`, `example`, `examples` and `x-*` keys are dropped from schema objects;
 * - a string `default` that breaks the schema's own `format` is accepted (e.g. deployment-status `target_url`
 *   is `format: uri` with `default: ''`, and GitHub really sends `''`);
 * - `$ref: '#/components/…'` becomes an absolute reference into one Ajv schema holding all `components`.
 *
 * Only the operations actually used get compiled (lazily, cached), so start-up stays cheap.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import ajvFormats from 'ajv-formats'

const COMPONENTS_ID = 'https://openapi.stand-in.invalid/api.github.com/components.json'
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

type JsonObject = Record<string, unknown>

interface SpecParameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  schema?: JsonObject
  'x-multi-segment'?: boolean
}

interface SpecMediaType {
  schema?: JsonObject
}

interface SpecResponse {
  content?: Record<string, SpecMediaType>
}

interface SpecRequestBody {
  required?: boolean
  content?: Record<string, SpecMediaType>
}

interface SpecOperation {
  operationId: string
  parameters?: Array<SpecParameter | { $ref: string }>
  requestBody?: SpecRequestBody | { $ref: string }
  responses?: Record<string, SpecResponse | { $ref: string }>
  externalDocs?: { url?: string }
}

interface SpecDocument {
  paths: Record<string, Record<string, unknown>>
  components: {
    schemas?: Record<string, JsonObject>
    parameters?: Record<string, SpecParameter>
    responses?: Record<string, SpecResponse>
    requestBodies?: Record<string, SpecRequestBody>
    [key: string]: unknown
  }
}

/** One operation of the spec, with its path template compiled to a regular expression. */
interface OperationEntry {
  method: string
  template: string
  operationId: string
  docsUrl: string | undefined
  regex: RegExp
  paramNames: string[]
  /** Per path segment: 0 literal, 1 single-segment parameter, 2 multi-segment parameter (for precedence). */
  rank: number[]
  spec: SpecOperation
  compiled?: CompiledOperation
}

interface CompiledOperation {
  pathParams: SpecParameter[]
  queryParams: SpecParameter[]
  pathValidator: ValidateFunction | undefined
  queryValidator: ValidateFunction | undefined
  /** `undefined` when the operation takes no JSON body. */
  body: { required: boolean; validate: ValidateFunction } | undefined
  /** Raw (non-JSON) request body media types, e.g. `application/octet-stream` for asset uploads. */
  rawBodyTypes: string[]
  responses: Map<string, ResponseCheck>
}

/** How to check a response of one status: a JSON schema, "no body", or "not JSON, not checked". */
type ResponseCheck =
  | { kind: 'json'; validate: ValidateFunction }
  | { kind: 'empty' }
  | { kind: 'other' }
  | { kind: 'undocumented' }

export interface MatchedOperation {
  operationId: string
  method: string
  /** The OpenAPI path template, e.g. `/repos/{owner}/{repo}/issues/{issue_number}`. */
  template: string
  /** Percent-decoded path parameters as they appeared in the URL (strings). */
  pathParams: Record<string, string>
  /** GitHub's documentation page for the operation. */
  docsUrl: string
}

export interface RequestProblem {
  in: 'path' | 'query' | 'body'
  message: string
}

export interface RequestCheckResult {
  /** Path and query parameters, coerced to the types the spec declares (integers, booleans). */
  params: Record<string, unknown>
  problems: RequestProblem[]
  /** Whether the operation takes a JSON body (otherwise the body is raw, e.g. an upload, or ignored). */
  expectsJsonBody: boolean
}

export type ResponsePayload = 'json' | 'empty' | 'raw'

export interface SpecLoadTimings {
  readMs: number
  parseMs: number
  normaliseMs: number
  indexMs: number
  totalMs: number
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isRef = (value: unknown): value is { $ref: string } => isObject(value) && typeof value.$ref === 'string'

// ---------------------------------------------------------------------------------------------------------
// Normalisation (OpenAPI 3.0 schema objects → JSON Schema for Ajv). Keyword-aware: property *names* such as
// `example` or `x-foo` inside `properties` are kept, only schema *keywords* are dropped.
// ---------------------------------------------------------------------------------------------------------

const SCHEMA_ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf'] as const
const SCHEMA_SINGLE_KEYWORDS = ['not', 'items', 'additionalProperties'] as const
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties'] as const

function absoluteRef(ref: string): string {
  return ref.startsWith('#/') ? `${COMPONENTS_ID}${ref}` : ref
}

/** Normalises a schema object in place where possible; returns the (possibly wrapped) replacement. */
export function normaliseSchema(node: unknown): unknown {
  if (!isObject(node)) return node
  if (typeof node.$ref === 'string') {
    // OpenAPI 3.0: siblings of $ref are ignored.
    return { $ref: absoluteRef(node.$ref) }
  }
  for (const key of Object.keys(node)) {
    if (key === 'example' || key === 'examples' || key === 'discriminator' || key.startsWith('x-')) {
      delete node[key]
    }
  }
  for (const key of SCHEMA_ARRAY_KEYWORDS) {
    const list = node[key]
    if (Array.isArray(list)) node[key] = list.map((item) => normaliseSchema(item))
  }
  for (const key of SCHEMA_SINGLE_KEYWORDS) {
    if (isObject(node[key])) node[key] = normaliseSchema(node[key])
  }
  for (const key of SCHEMA_MAP_KEYWORDS) {
    const map = node[key]
    if (isObject(map)) for (const name of Object.keys(map)) map[name] = normaliseSchema(map[name])
  }
  let result: JsonObject = node
  if (typeof node.format === 'string' && typeof node.default === 'string') {
    // The spec's own default is always acceptable, even where it contradicts `format` (`''` vs `uri`).
    result = { anyOf: [result, { const: node.default }] }
  }
  if ('nullable' in node) {
    const nullable = node.nullable === true
    delete node.nullable
    if (nullable) result = { anyOf: [result, { type: 'null' }] }
  }
  return result
}

function normaliseMediaMap(content: unknown): void {
  if (!isObject(content)) return
  for (const media of Object.values(content)) {
    if (isObject(media)) {
      delete media.example
      delete media.examples
      if (media.schema !== undefined) media.schema = normaliseSchema(media.schema)
    }
  }
}

function normaliseParameter(param: unknown): void {
  if (!isObject(param) || isRef(param)) return
  if (param.schema !== undefined) param.schema = normaliseSchema(param.schema)
}

function normaliseResponse(response: unknown): void {
  if (!isObject(response) || isRef(response)) return
  normaliseMediaMap(response.content)
  delete response.headers
}

function normaliseDocument(doc: SpecDocument): void {
  const { components } = doc
  delete components.examples
  delete components.headers
  for (const [name, schema] of Object.entries(components.schemas ?? {})) {
    components.schemas![name] = normaliseSchema(schema) as JsonObject
  }
  for (const param of Object.values(components.parameters ?? {})) normaliseParameter(param)
  for (const response of Object.values(components.responses ?? {})) normaliseResponse(response)
  for (const body of Object.values(components.requestBodies ?? {})) normaliseMediaMap(body.content)
  // Operation-level schemas are normalised lazily, when the operation is first used (see prepare()).
}

// ---------------------------------------------------------------------------------------------------------

function resolveLocal<T>(doc: SpecDocument, value: T | { $ref: string } | undefined): T | undefined {
  let current: unknown = value
  for (let depth = 0; depth < 10 && isRef(current); depth++) {
    const ref = current.$ref.startsWith(COMPONENTS_ID)
      ? current.$ref.slice(COMPONENTS_ID.length)
      : current.$ref
    if (!ref.startsWith('#/')) return undefined
    let target: unknown = doc
    for (const part of ref.slice(2).split('/')) {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~')
      target = isObject(target) ? target[key] : undefined
    }
    current = target
  }
  return current as T | undefined
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function formatAjvErrors(errors: ErrorObject[] | null | undefined, root: string, limit = 6): string {
  if (!errors || errors.length === 0) return 'invalid'
  // anyOf/oneOf failures produce one error per branch; the most specific (deepest) ones come first.
  const sorted = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)
  const seen = new Set<string>()
  const parts: string[] = []
  for (const error of sorted) {
    const where = `${root}${error.instancePath}`
    const extra =
      error.keyword === 'additionalProperties'
        ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})`
        : error.keyword === 'enum'
          ? ` (${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)})`
          : ''
    const text = `${where} ${error.message ?? error.keyword}${extra}`
    if (seen.has(text)) continue
    seen.add(text)
    parts.push(text)
    if (parts.length >= limit) break
  }
  const more = errors.length > parts.length ? ` (+${errors.length - parts.length} more)` : ''
  return `${parts.join('; ')}${more}`
}

/** Types a (normalised) parameter schema admits, following $refs and anyOf/oneOf/allOf. */
function schemaTypes(doc: SpecDocument, schema: unknown, depth = 0): Set<string> {
  const types = new Set<string>()
  const resolved = resolveLocal<JsonObject>(doc, schema as JsonObject)
  if (!isObject(resolved) || depth > 8) return types
  if (typeof resolved.type === 'string') types.add(resolved.type)
  if (Array.isArray(resolved.type)) for (const t of resolved.type) types.add(String(t))
  for (const key of SCHEMA_ARRAY_KEYWORDS) {
    const list = resolved[key]
    if (Array.isArray(list))
      for (const item of list) for (const t of schemaTypes(doc, item, depth + 1)) types.add(t)
  }
  return types
}

/** Coerces a string from a URL into what the parameter's schema declares (like GitHub's own parsing). */
function coerceParam(doc: SpecDocument, param: SpecParameter, raw: string): unknown {
  const types = schemaTypes(doc, param.schema)
  if ((types.has('integer') || types.has('number')) && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw)
  if (types.has('boolean') && (raw === 'true' || raw === 'false')) return raw === 'true'
  if (types.has('array') && !types.has('string')) return raw.split(',')
  return raw
}

export class GitHubOpenApi {
  readonly timings: SpecLoadTimings
  private readonly doc: SpecDocument
  private readonly ajv: Ajv
  private readonly byMethod = new Map<string, OperationEntry[]>()
  private readonly byId = new Map<string, OperationEntry>()
  private fallbackError: ValidateFunction | undefined
  private compileMs = 0
  private compiledCount = 0

  constructor(specPath: string) {
    const t0 = performance.now()
    const text = readFileSync(specPath, 'utf8')
    const t1 = performance.now()
    this.doc = JSON.parse(text) as SpecDocument
    const t2 = performance.now()
    normaliseDocument(this.doc)
    this.ajv = new Ajv({
      strict: false,
      allErrors: true,
      logger: false,
      validateSchema: false,
      addUsedSchema: false,
      // Compile each component (simple-user, repository, ...) once and call it, instead of inlining its code
      // into every schema that references it: ~3x faster compilation of the big response schemas.
      inlineRefs: false,
    })
    ajvFormats.default(this.ajv)
    // One schema resource holding every component; fragments are compiled on first reference only.
    this.ajv.addSchema(
      { $id: COMPONENTS_ID, components: this.doc.components },
      COMPONENTS_ID,
      undefined,
      false,
    )
    const t3 = performance.now()
    this.index()
    const t4 = performance.now()
    this.timings = {
      readMs: t1 - t0,
      parseMs: t2 - t1,
      normaliseMs: t3 - t2,
      indexMs: t4 - t3,
      totalMs: t4 - t0,
    }
  }

  /** How many validators were compiled so far and how long that took in total. */
  stats(): { compiledValidators: number; compileMs: number; operations: number } {
    return { compiledValidators: this.compiledCount, compileMs: this.compileMs, operations: this.byId.size }
  }

  private index(): void {
    for (const [template, item] of Object.entries(this.doc.paths)) {
      for (const method of HTTP_METHODS) {
        const op = item[method]
        if (!isObject(op) || typeof op.operationId !== 'string') continue
        const spec = op as unknown as SpecOperation
        const multi = new Set<string>()
        for (const p of spec.parameters ?? []) {
          const param = resolveLocal<SpecParameter>(this.doc, p)
          if (param?.in === 'path' && param['x-multi-segment']) multi.add(param.name)
        }
        const paramNames: string[] = []
        const rank: number[] = []
        const source = template
          .split('/')
          .map((segment) => {
            let kind = 0
            const pattern = segment
              .split(/(\{[^}]+\})/)
              .map((piece) => {
                const name = /^\{([^}]+)\}$/.exec(piece)?.[1]
                if (name === undefined) return escapeRegex(piece)
                paramNames.push(name)
                kind = Math.max(kind, multi.has(name) ? 2 : 1)
                return multi.has(name) ? '(.+)' : '([^/]+)'
              })
              .join('')
            rank.push(kind)
            return pattern
          })
          .join('/')
        const entry: OperationEntry = {
          method: method.toUpperCase(),
          template,
          operationId: spec.operationId,
          docsUrl: spec.externalDocs?.url,
          regex: new RegExp(`^${source}$`),
          paramNames,
          rank,
          spec,
        }
        const list = this.byMethod.get(entry.method) ?? []
        list.push(entry)
        this.byMethod.set(entry.method, list)
        this.byId.set(entry.operationId, entry)
      }
    }
  }

  /** Finds the operation for a method and a raw (still percent-encoded) URL path. Literal segments win. */
  match(method: string, rawPath: string): MatchedOperation | undefined {
    let best: { entry: OperationEntry; groups: string[] } | undefined
    for (const entry of this.byMethod.get(method.toUpperCase()) ?? []) {
      const m = entry.regex.exec(rawPath)
      if (!m) continue
      if (!best || compareRank(entry.rank, best.entry.rank) < 0) best = { entry, groups: m.slice(1) }
    }
    if (!best) return undefined
    const pathParams: Record<string, string> = {}
    best.entry.paramNames.forEach((name, i) => {
      const raw = best.groups[i] ?? ''
      let value = raw
      try {
        value = decodeURIComponent(raw)
      } catch {
        // keep it raw; validation will complain if it matters
      }
      pathParams[name] = value
    })
    return {
      operationId: best.entry.operationId,
      method: best.entry.method,
      template: best.entry.template,
      pathParams,
      docsUrl: best.entry.docsUrl ?? 'https://docs.github.com/rest',
    }
  }

  hasOperation(operationId: string): boolean {
    return this.byId.has(operationId)
  }

  /** Path template and method of an operation, e.g. for building URLs in tests. */
  describe(operationId: string): { method: string; template: string } | undefined {
    const entry = this.byId.get(operationId)
    return entry && { method: entry.method, template: entry.template }
  }

  private compile(schema: unknown): ValidateFunction {
    const t0 = performance.now()
    const validate = this.ajv.compile(schema as JsonObject)
    this.compileMs += performance.now() - t0
    this.compiledCount++
    return validate
  }

  private paramsValidator(params: SpecParameter[]): ValidateFunction | undefined {
    if (params.length === 0) return undefined
    const properties: Record<string, unknown> = {}
    const required: string[] = []
    for (const p of params) {
      properties[p.name] = p.schema ?? {}
      if (p.required) required.push(p.name)
    }
    return this.compile({ type: 'object', properties, required })
  }

  private prepare(entry: OperationEntry): CompiledOperation {
    if (entry.compiled) return entry.compiled
    const params: SpecParameter[] = []
    for (const p of entry.spec.parameters ?? []) {
      const resolved = resolveLocal<SpecParameter>(this.doc, p)
      if (!resolved) continue
      if (!isRef(p)) normaliseParameter(resolved) // inline parameter: not normalised yet
      params.push(resolved)
    }
    const pathParams = params.filter((p) => p.in === 'path')
    const queryParams = params.filter((p) => p.in === 'query')
    let body: CompiledOperation['body']
    const rawBodyTypes: string[] = []
    const requestBody = resolveLocal<SpecRequestBody>(this.doc, entry.spec.requestBody)
    if (requestBody?.content) {
      if (!isRef(entry.spec.requestBody)) normaliseMediaMap(requestBody.content)
      const jsonType = pickJsonType(requestBody.content)
      const schema = jsonType ? requestBody.content[jsonType]?.schema : undefined
      if (schema) body = { required: requestBody.required === true, validate: this.compile(schema) }
      for (const type of Object.keys(requestBody.content)) if (type !== jsonType) rawBodyTypes.push(type)
    }
    for (const response of Object.values(entry.spec.responses ?? {})) {
      if (!isRef(response)) normaliseResponse(response)
    }
    entry.compiled = {
      pathParams,
      queryParams,
      pathValidator: this.paramsValidator(pathParams),
      queryValidator: this.paramsValidator(queryParams),
      body,
      rawBodyTypes,
      responses: new Map(),
    }
    return entry.compiled
  }

  /**
   * Validates path and query parameters (coerced from strings) and, if the operation takes JSON, the parsed
   * body (`undefined` = no body sent). Unknown query parameters are ignored, as GitHub does.
   */
  validateRequest(match: MatchedOperation, query: URLSearchParams, body: unknown): RequestCheckResult {
    const entry = this.byId.get(match.operationId)
    if (!entry) throw new Error(`unknown operation ${match.operationId}`)
    const compiled = this.prepare(entry)
    const problems: RequestProblem[] = []
    const params: Record<string, unknown> = {}
    const pathValues: Record<string, unknown> = {}
    for (const p of compiled.pathParams) {
      const raw = match.pathParams[p.name]
      if (raw !== undefined) pathValues[p.name] = coerceParam(this.doc, p, raw)
    }
    if (compiled.pathValidator && !compiled.pathValidator(pathValues)) {
      problems.push({ in: 'path', message: formatAjvErrors(compiled.pathValidator.errors, 'path') })
    }
    const queryValues: Record<string, unknown> = {}
    for (const p of compiled.queryParams) {
      const raw = query.get(p.name)
      if (raw !== null) queryValues[p.name] = coerceParam(this.doc, p, raw)
    }
    if (compiled.queryValidator && !compiled.queryValidator(queryValues)) {
      problems.push({ in: 'query', message: formatAjvErrors(compiled.queryValidator.errors, 'query') })
    }
    Object.assign(params, queryValues, pathValues)
    if (compiled.body) {
      if (body === undefined) {
        if (compiled.body.required) problems.push({ in: 'body', message: 'a JSON request body is required' })
      } else if (!compiled.body.validate(body)) {
        problems.push({ in: 'body', message: formatAjvErrors(compiled.body.validate.errors, 'body') })
      }
    }
    return { params, problems, expectsJsonBody: compiled.body !== undefined }
  }

  /** Whether the operation's request body is raw (e.g. `application/octet-stream` uploads). */
  takesRawBody(operationId: string): boolean {
    const entry = this.byId.get(operationId)
    return entry ? this.prepare(entry).rawBodyTypes.length > 0 : false
  }

  private responseCheck(entry: OperationEntry, status: number): ResponseCheck {
    const compiled = this.prepare(entry)
    const key = String(status)
    const cached = compiled.responses.get(key)
    if (cached) return cached
    const responses = entry.spec.responses ?? {}
    const documented = responses[key] ?? responses[`${key[0]}XX`] ?? responses.default
    let check: ResponseCheck
    const response = resolveLocal<SpecResponse>(this.doc, documented)
    if (!response) {
      check = { kind: 'undocumented' }
    } else if (!response.content || Object.keys(response.content).length === 0) {
      check = { kind: 'empty' }
    } else {
      const jsonType = pickJsonType(response.content)
      const schema = jsonType ? response.content[jsonType]?.schema : undefined
      check = schema ? { kind: 'json', validate: this.compile(schema) } : { kind: 'other' }
    }
    compiled.responses.set(key, check)
    return check
  }

  private basicError(): ValidateFunction {
    this.fallbackError ??= this.compile({ $ref: `${COMPONENTS_ID}#/components/schemas/basic-error` })
    return this.fallbackError
  }

  /**
   * Checks a response the stand-in is about to send: `payload` says whether the body is JSON (`body` is then
   * the parsed value), empty, or raw bytes (not checked: only JSON bodies are validated). Returns problems.
   *
   * Policy for statuses the operation does not document: errors (>= 400) must look like GitHub's generic
   * `basic-error` (GitHub answers 401/403/404/5xx on every endpoint, the description lists only some);
   * an undocumented success or redirect status is a problem.
   */
  validateResponse(operationId: string, status: number, body: unknown, payload: ResponsePayload): string[] {
    const entry = this.byId.get(operationId)
    if (!entry) return [`unknown operation ${operationId}`]
    const check = this.responseCheck(entry, status)
    const checkAsError = (): string[] => {
      if (payload !== 'json') return []
      const validate = this.basicError()
      return validate(body) ? [] : [`error body: ${formatAjvErrors(validate.errors, 'body')}`]
    }
    switch (check.kind) {
      case 'json':
        if (payload === 'json')
          return check.validate(body) ? [] : [formatAjvErrors(check.validate.errors, 'body')]
        if (payload === 'empty' && status < 300)
          return [`status ${status} must have a JSON body, none was sent`]
        return []
      case 'empty':
        if (status >= 400) return checkAsError()
        return payload === 'empty' ? [] : [`status ${status} is documented without a body, but one was sent`]
      case 'other':
        return []
      case 'undocumented':
        if (status >= 400) return checkAsError()
        return [`status ${status} is not documented for ${operationId}`]
    }
  }
}

function pickJsonType(content: Record<string, SpecMediaType>): string | undefined {
  const types = Object.keys(content)
  return types.find((t) => t === 'application/json') ?? types.find((t) => /[/+]json$/.test(t))
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 3) - (b[i] ?? 3)
    if (diff !== 0) return diff
  }
  return 0
}

/** Path of the GitHub description inside the installed `@octokit/openapi` package (never imported). */
export function gitHubSpecPath(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('@octokit/openapi/package.json')), 'generated', 'api.github.com.json')
}

let shared: GitHubOpenApi | undefined

/** The process-wide validator: the 13 MB description is read, parsed and normalised once, then reused. */
export function loadGitHubOpenApi(): GitHubOpenApi {
  shared ??= new GitHubOpenApi(gitHubSpecPath())
  return shared
}
