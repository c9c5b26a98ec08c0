/**
 * A local stand-in for api.github.com, for integration tests: our bundled actions run as child processes with
 * `GITHUB_API_URL` pointing here and talk to it through Octokit.
 *
 * Every request (path/query parameters, JSON body) and every response (status + JSON body) is checked against
 * GitHub's OpenAPI description (see ./openapi-validator.ts); problems land in `standIn.errors`, which tests
 * assert to be empty. State is in memory, per server. See `startGitHubStandIn`.
 */
import { createHash } from 'node:crypto'
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type GitHubOpenApi,
  loadGitHubOpenApi,
  type MatchedOperation,
  type ResponsePayload,
} from './openapi-validator.js'

// ---------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------

export interface StandInOptions {
  tokens?: {
    /** Tokens that may read but not write: writes answer 403 "Resource not accessible by integration". */
    readOnly?: string[]
  }
  /** Login of the authenticated identity that authors writes (default `github-actions[bot]`). */
  actor?: string
}

export interface FaultSpec {
  /** HTTP method to match (any when omitted). */
  method?: string
  /** Matches the URL path: a RegExp is tested against the raw path; a string must equal the raw path, the
   *  decoded path or the OpenAPI template (e.g. `/repos/{owner}/{repo}/issues/{issue_number}/comments`). */
  path?: RegExp | string
  /** Matches an OpenAPI operationId, e.g. `issues/create-comment`. */
  operationId?: string
  status: number
  /** How many matching requests get the fault (default 1). */
  times?: number
  headers?: Record<string, string | number>
  /** JSON body (objects) or raw text (strings). Default: GitHub's `{ message, documentation_url }` shape, with
   *  GitHub's wording for 429 (secondary rate limit) and for 403 + `x-ratelimit-remaining: 0` (primary). */
  body?: unknown
}

export interface CallRecord {
  method: string
  /** Raw URL path as received (without the query string). */
  path: string
  query: Record<string, string>
  /** Parsed JSON body, a Buffer for raw bodies (uploads), `undefined` when none. */
  body: unknown
  status: number
  operationId: string | undefined
  /** Set when the answer came from `fault()`. */
  fault?: boolean
  headers: IncomingHttpHeaders
}

export interface RepoRecord {
  /** `owner/name`, as first used. */
  fullName: string
  owner: string
  name: string
  id: number
  private: boolean
  fork: boolean
  defaultBranch: string
  description: string | null
  createdAt: string
}

export interface PullRecord {
  head: string
  headSha: string
  /** `owner/name` of the head repository (differs from the issue's repo for fork PRs). */
  headRepo: string
  base: string
  baseSha: string
  draft: boolean
  merged: boolean
  mergedAt: string | null
}

export interface IssueRecord {
  repo: string
  id: number
  number: number
  title: string
  body: string | null
  state: 'open' | 'closed'
  stateReason: 'completed' | 'reopened' | 'not_planned' | 'duplicate' | null
  labels: string[]
  assignees: string[]
  user: string
  locked: boolean
  createdAt: string
  updatedAt: string
  closedAt: string | null
  closedBy: string | null
  /** Present when the issue is a pull request. */
  pull?: PullRecord
}

export interface CommentRecord {
  repo: string
  id: number
  issueNumber: number
  body: string
  user: string
  createdAt: string
  updatedAt: string
}

export interface LabelRecord {
  repo: string
  id: number
  name: string
  color: string
  description: string | null
  default: boolean
}

export interface ReleaseRecord {
  repo: string
  id: number
  tagName: string
  targetCommitish: string
  name: string | null
  body: string | null
  draft: boolean
  prerelease: boolean
  author: string
  createdAt: string
  publishedAt: string | null
  updatedAt: string
}

export interface AssetRecord {
  repo: string
  id: number
  releaseId: number
  name: string
  label: string | null
  contentType: string
  data: Buffer
  downloadCount: number
  uploader: string
  createdAt: string
  updatedAt: string
}

export interface RefRecord {
  repo: string
  /** Fully qualified, e.g. `refs/tags/model/v1`. */
  ref: string
  sha: string
}

export interface DeploymentRecord {
  repo: string
  id: number
  ref: string
  sha: string
  task: string
  environment: string
  originalEnvironment: string
  description: string | null
  payload: unknown
  transient: boolean
  production: boolean
  creator: string
  createdAt: string
  updatedAt: string
}

export interface DeploymentStatusRecord {
  repo: string
  id: number
  deploymentId: number
  state: 'error' | 'failure' | 'inactive' | 'pending' | 'success' | 'queued' | 'in_progress'
  description: string
  environment: string
  targetUrl: string
  logUrl: string
  environmentUrl: string
  creator: string
  createdAt: string
  updatedAt: string
}

export interface DispatchRecord {
  repo: string
  /** Workflow file name or id, as given in the URL. */
  workflowId: string
  ref: string
  inputs: Record<string, unknown>
  createdAt: string
  runId: number
}

export interface StandInState {
  repos: RepoRecord[]
  issues: IssueRecord[]
  comments: CommentRecord[]
  labels: LabelRecord[]
  releases: ReleaseRecord[]
  assets: AssetRecord[]
  refs: RefRecord[]
  deployments: DeploymentRecord[]
  statuses: DeploymentStatusRecord[]
  dispatches: DispatchRecord[]
}

export interface SeedIssueOptions {
  number?: number
  title?: string
  body?: string | null
  labels?: string[]
  state?: 'open' | 'closed'
  user?: string
  assignees?: string[]
}

export interface SeedPullRequestOptions extends SeedIssueOptions {
  /** Head branch name (default `feature-<number>`). */
  head?: string
  headSha?: string
  base?: string
  /** When set, the head branch lives in this owner's fork (`<fork>/<repo>`), like a fork PR. */
  fork?: string
  draft?: boolean
}

export interface StandInSeed {
  repo(owner: string, repo: string, options?: { private?: boolean; defaultBranch?: string }): RepoRecord
  issue(owner: string, repo: string, options?: SeedIssueOptions): IssueRecord
  pullRequest(owner: string, repo: string, options?: SeedPullRequestOptions): IssueRecord
  comments(
    owner: string,
    repo: string,
    issueNumber: number,
    count: number,
    bodyFn?: (index: number) => string,
  ): CommentRecord[]
  label(
    owner: string,
    repo: string,
    name: string,
    options?: { color?: string; description?: string },
  ): LabelRecord
  /** Creates or moves a ref (fully qualified `refs/...`, or `heads/x` / `tags/x`). */
  ref(owner: string, repo: string, ref: string, sha?: string): RefRecord
}

export interface GitHubStandIn {
  /** Origin of the server, e.g. `http://127.0.0.1:43127`; use as Octokit `baseUrl` / `GITHUB_API_URL`. */
  readonly url: string
  /** Problems found: unknown endpoints, invalid requests, responses that break the spec, handler crashes. */
  readonly errors: string[]
  readonly calls: CallRecord[]
  readonly state: StandInState
  readonly seed: StandInSeed
  /** The next `times` requests matching the spec get `status` instead of the normal answer. */
  fault(spec: FaultSpec): void
  /** Calls of one operation, e.g. `callsTo('issues/create-comment')`. */
  callsTo(operationId: string): CallRecord[]
  /** Forgets state, calls, errors and pending faults (keeps listening on the same port). */
  reset(): void
  close(): Promise<void>
  /** Milliseconds: loading the OpenAPI description (0 when already loaded by this process) and start-up. */
  readonly timings: { specLoadMs: number; startMs: number }
  readonly openapi: GitHubOpenApi
}

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

interface Reply {
  status: number
  body?: unknown
  /** Raw payload (downloads); `body` is ignored when set. */
  raw?: Buffer
  contentType?: string
  headers?: Record<string, string | number>
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Array<Record<string, unknown>>,
  ) {
    super(message)
  }
}

interface Ctx {
  req: IncomingMessage
  url: URL
  match: MatchedOperation
  params: Record<string, unknown>
  body: unknown
  rawBody: Buffer
  repo: RepoRecord
  actor: string
}

type Handler = (ctx: Ctx) => Reply

const SHA_RE = /^[0-9a-f]{40}$/
const BODY_LIMIT = 65_536
const DEFAULT_LABEL_COLOR = 'ededed'

/** GitHub timestamps have second precision: `2011-04-14T16:00:49Z`. */
function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function fakeSha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex')
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`stand-in:${prefix}:${id}`).toString('base64url')}`
}

const enc = encodeURIComponent

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined
}

function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined
}

function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function notFound(): never {
  throw new HttpError(404, 'Not Found')
}

function validationFailed(resource: string, field: string, code: string, message?: string): never {
  throw new HttpError(422, 'Validation Failed', [{ resource, field, code, ...(message ? { message } : {}) }])
}

function labelNames(input: unknown): string[] {
  if (!Array.isArray(input)) return []
  const names: string[] = []
  for (const item of input) {
    const name = typeof item === 'string' ? item : str(obj(item).name)
    if (name !== undefined && name !== '' && !names.some((n) => n.toLowerCase() === name.toLowerCase())) {
      names.push(name)
    }
  }
  return names
}

/** GitHub's own wording, so Octokit's plugins recognise the situation (throttling matches the message). */
function defaultFaultBody(fault: FaultSpec): unknown {
  const { status } = fault
  if (status === 204 || status === 304) return undefined
  const remaining = Object.entries(fault.headers ?? {}).find(
    ([k]) => k.toLowerCase() === 'x-ratelimit-remaining',
  )
  let message = STATUS_CODES[status] ?? 'Error'
  if (status === 429) {
    message =
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID STANDIN.'
  } else if (status === 403 && remaining && String(remaining[1]) === '0') {
    message = 'API rate limit exceeded for installation ID 1.'
  }
  return {
    message,
    documentation_url: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api',
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

// ---------------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------------

let loadedOnce = false

/**
 * Starts a stand-in on 127.0.0.1 (random port). The OpenAPI description is loaded on the first call in the
 * process and shared by later servers. Close it with `close()`.
 */
export async function startGitHubStandIn(opts: StandInOptions = {}): Promise<GitHubStandIn> {
  const t0 = performance.now()
  const alreadyLoaded = loadedOnce
  const openapi = loadGitHubOpenApi()
  loadedOnce = true
  const specLoadMs = alreadyLoaded ? 0 : performance.now() - t0
  const server = new StandInServer(openapi, opts)
  await server.listen()
  return server.api({ specLoadMs, startMs: performance.now() - t0 })
}

interface ActiveFault {
  spec: FaultSpec
  remaining: number
}

class StandInServer {
  readonly errors: string[] = []
  readonly calls: CallRecord[] = []
  readonly state: StandInState = {
    repos: [],
    issues: [],
    comments: [],
    labels: [],
    releases: [],
    assets: [],
    refs: [],
    deployments: [],
    statuses: [],
    dispatches: [],
  }
  private faults: ActiveFault[] = []
  private nextId = 1000
  private requestsServed = 0
  private origin = ''
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      this.errors.push(`stand-in crashed on ${req.method} ${req.url}: ${String(error)}`)
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  private readonly readOnly: Set<string>
  private readonly actor: string
  private readonly users = new Map<string, number>()
  private readonly handlers: Record<string, Handler>

  constructor(
    private readonly openapi: GitHubOpenApi,
    opts: StandInOptions,
  ) {
    this.readOnly = new Set(opts.tokens?.readOnly ?? [])
    this.actor = opts.actor ?? 'github-actions[bot]'
    this.handlers = this.buildHandlers()
    for (const operationId of Object.keys(this.handlers)) {
      if (!openapi.hasOperation(operationId))
        throw new Error(`stand-in implements unknown operation ${operationId}`)
    }
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(0, '127.0.0.1', () => {
        const { port } = this.server.address() as AddressInfo
        this.origin = `http://127.0.0.1:${port}`
        resolve()
      })
    })
  }

  api(timings: { specLoadMs: number; startMs: number }): GitHubStandIn {
    return {
      url: this.origin,
      errors: this.errors,
      calls: this.calls,
      state: this.state,
      seed: this.seedApi(),
      timings,
      openapi: this.openapi,
      fault: (spec) => {
        this.faults.push({ spec, remaining: spec.times ?? 1 })
      },
      callsTo: (operationId) => this.calls.filter((c) => c.operationId === operationId),
      reset: () => this.reset(),
      close: () =>
        new Promise<void>((resolve, reject) => {
          this.server.closeAllConnections()
          this.server.close((error) => (error ? reject(error) : resolve()))
        }),
    }
  }

  private reset(): void {
    this.errors.length = 0
    this.calls.length = 0
    this.faults = []
    for (const list of Object.values(this.state) as unknown[][]) list.length = 0
    this.requestsServed = 0
  }

  // -------------------------------------------------------------------------------------------------------
  // Request pipeline
  // -------------------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', this.origin)
    const rawPath = url.pathname
    const rawBody = await readBody(req)
    const query = Object.fromEntries(url.searchParams)
    // Uploads go to `{origin}/api/uploads/repos/...` (the release's upload_url), like GitHub Enterprise.
    const apiPath = rawPath.startsWith('/api/uploads/') ? rawPath.slice('/api/uploads'.length) : rawPath
    const match = this.openapi.match(method, apiPath)
    const record = (status: number, body: unknown, extra: Partial<CallRecord> = {}): void => {
      this.calls.push({
        method,
        path: rawPath,
        query,
        body,
        status,
        operationId: match?.operationId,
        headers: req.headers,
        ...extra,
      })
    }
    const loggedBody = (): unknown => {
      if (rawBody.length === 0) return undefined
      try {
        return JSON.parse(rawBody.toString('utf8'))
      } catch {
        return rawBody
      }
    }

    const fault = this.takeFault(method, rawPath, match)
    if (fault) {
      const status = fault.status
      const body = fault.body !== undefined ? fault.body : defaultFaultBody(fault)
      this.send(res, { status, body, headers: fault.headers }, match)
      record(status, loggedBody(), { fault: true })
      return
    }

    if (method === 'GET' && !match) {
      const download = this.browserDownload(rawPath)
      if (download) {
        this.send(res, download, undefined)
        record(download.status, undefined)
        return
      }
    }

    const reply = (r: Reply, body: unknown = loggedBody()): void => {
      this.validateAndSend(res, r, match)
      record(r.status, body)
    }
    const errorReply = (status: number, message: string, docs = match?.docsUrl): Reply => ({
      status,
      body: { message, documentation_url: docs ?? 'https://docs.github.com/rest', status: String(status) },
    })

    if (!match) {
      this.errors.push(`${method} ${rawPath}: unknown endpoint (not in GitHub's OpenAPI description)`)
      reply(errorReply(404, 'Not Found'))
      return
    }
    const label = `${method} ${rawPath} (${match.operationId})`
    const handler = this.handlers[match.operationId]
    if (!handler) {
      this.errors.push(`${label}: endpoint exists on GitHub but is not implemented by the stand-in`)
      reply(errorReply(404, 'Not Found'))
      return
    }

    // Authentication
    const auth = req.headers.authorization
    if (!auth) {
      reply(errorReply(401, 'Requires authentication'))
      return
    }
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(auth)?.[1]
    if (!token) {
      reply(errorReply(401, 'Bad credentials'))
      return
    }
    if (this.readOnly.has(token) && method !== 'GET' && method !== 'HEAD') {
      reply(errorReply(403, 'Resource not accessible by integration'))
      return
    }

    // Request validation
    let body: unknown
    const raw = this.openapi.takesRawBody(match.operationId)
    if (!raw && rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody.toString('utf8'))
      } catch {
        this.errors.push(`${label}: request body is not valid JSON`)
        reply(errorReply(400, 'Problems parsing JSON'), rawBody.toString('utf8'))
        return
      }
    }
    const check = this.openapi.validateRequest(match, url.searchParams, body)
    if (check.problems.length > 0) {
      const text = check.problems.map((p) => `${p.in}: ${p.message}`).join(' | ')
      this.errors.push(`${label}: invalid request: ${text}`)
      const onPath = check.problems.some((p) => p.in === 'path')
      reply(onPath ? errorReply(404, 'Not Found') : errorReply(422, `Invalid request.\n\n${text}`), body)
      return
    }

    let result: Reply
    try {
      const owner = str(check.params.owner)
      const repoName = str(check.params.repo)
      // Repositories come into existence on first use.
      const repo = owner && repoName ? this.ensureRepo(owner, repoName) : undefined
      const ctx: Ctx = {
        req,
        url,
        match,
        params: check.params,
        body,
        rawBody,
        actor: this.actor,
        get repo(): RepoRecord {
          if (!repo) throw new Error(`${match.operationId} has no {owner}/{repo}`)
          return repo
        },
      }
      result = handler(ctx)
    } catch (error) {
      if (error instanceof HttpError) {
        result = errorReply(error.status, error.message)
        if (error.errors) (result.body as Record<string, unknown>).errors = error.errors
      } else {
        this.errors.push(
          `${label}: stand-in handler threw: ${error instanceof Error ? error.stack : String(error)}`,
        )
        result = errorReply(500, 'Internal stand-in error')
      }
    }
    reply(result, raw ? rawBody : body)
  }

  private takeFault(
    method: string,
    rawPath: string,
    match: MatchedOperation | undefined,
  ): FaultSpec | undefined {
    let decoded = rawPath
    try {
      decoded = decodeURIComponent(rawPath)
    } catch {
      // keep raw
    }
    for (const active of this.faults) {
      if (active.remaining <= 0) continue
      const { spec } = active
      if (spec.method && spec.method.toUpperCase() !== method) continue
      if (spec.operationId && spec.operationId !== match?.operationId) continue
      if (spec.path instanceof RegExp && !spec.path.test(rawPath) && !spec.path.test(decoded)) continue
      if (typeof spec.path === 'string' && ![rawPath, decoded, match?.template].includes(spec.path)) continue
      active.remaining--
      return spec
    }
    return undefined
  }

  private validateAndSend(res: ServerResponse, reply: Reply, match: MatchedOperation | undefined): void {
    if (match) {
      const payload: ResponsePayload = reply.raw ? 'raw' : reply.body === undefined ? 'empty' : 'json'
      const problems = this.openapi.validateResponse(match.operationId, reply.status, reply.body, payload)
      for (const problem of problems) {
        this.errors.push(
          `${match.method} ${match.template} (${match.operationId}) -> ${reply.status}: response ${problem}`,
        )
      }
    }
    this.send(res, reply, match)
  }

  private send(res: ServerResponse, reply: Reply, match: MatchedOperation | undefined): void {
    this.requestsServed++
    const headers: Record<string, string | number> = {
      'x-github-request-id': `STANDIN:${this.requestsServed}`,
    }
    if (match) {
      Object.assign(headers, {
        'x-ratelimit-limit': 5000,
        'x-ratelimit-remaining': Math.max(0, 5000 - this.requestsServed),
        'x-ratelimit-reset': Math.floor(Date.now() / 1000) + 3600,
        'x-ratelimit-used': this.requestsServed,
        'x-ratelimit-resource': 'core',
        'x-github-api-version-selected': '2022-11-28',
      })
    }
    let payload: Buffer | undefined
    if (reply.raw) {
      payload = reply.raw
      headers['content-type'] = reply.contentType ?? 'application/octet-stream'
    } else if (typeof reply.body === 'string') {
      payload = Buffer.from(reply.body)
      headers['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8'
    } else if (reply.body !== undefined) {
      payload = Buffer.from(JSON.stringify(reply.body))
      headers['content-type'] = 'application/json; charset=utf-8'
    }
    if (payload) headers['content-length'] = payload.length
    for (const [name, value] of Object.entries(reply.headers ?? {})) headers[name.toLowerCase()] = value
    res.writeHead(reply.status, headers)
    res.end(payload)
  }

  // -------------------------------------------------------------------------------------------------------
  // State helpers
  // -------------------------------------------------------------------------------------------------------

  private id(): number {
    return this.nextId++
  }

  private userId(login: string): number {
    let id = this.users.get(login)
    if (id === undefined) {
      id = login === 'github-actions[bot]' ? 41898282 : 5000 + this.users.size
      this.users.set(login, id)
    }
    return id
  }

  private findRepo(owner: string, name: string): RepoRecord | undefined {
    const key = `${owner}/${name}`.toLowerCase()
    return this.state.repos.find((r) => r.fullName.toLowerCase() === key)
  }

  ensureRepo(
    owner: string,
    name: string,
    options: { private?: boolean; defaultBranch?: string } = {},
  ): RepoRecord {
    const existing = this.findRepo(owner, name)
    if (existing) return existing
    const repo: RepoRecord = {
      fullName: `${owner}/${name}`,
      owner,
      name,
      id: this.id(),
      private: options.private ?? false,
      fork: false,
      defaultBranch: options.defaultBranch ?? 'main',
      description: null,
      createdAt: isoNow(),
    }
    this.state.repos.push(repo)
    this.setRef(repo, `refs/heads/${repo.defaultBranch}`, fakeSha(`${repo.fullName}:${repo.defaultBranch}`))
    return repo
  }

  private findRef(repo: RepoRecord, ref: string): RefRecord | undefined {
    return this.state.refs.find((r) => r.repo === repo.fullName && r.ref === ref)
  }

  private setRef(repo: RepoRecord, ref: string, sha: string): RefRecord {
    const existing = this.findRef(repo, ref)
    if (existing) {
      existing.sha = sha
      return existing
    }
    const record: RefRecord = { repo: repo.fullName, ref, sha }
    this.state.refs.push(record)
    return record
  }

  /** Branch, tag, fully qualified ref or full sha → sha (undefined when unknown). */
  private resolveSha(repo: RepoRecord, ref: string): string | undefined {
    if (SHA_RE.test(ref)) return ref
    const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`]
    for (const candidate of candidates) {
      const found = this.findRef(repo, candidate)
      if (found) return found.sha
    }
    return undefined
  }

  private issuesOf(repo: RepoRecord): IssueRecord[] {
    return this.state.issues.filter((i) => i.repo === repo.fullName)
  }

  private findIssue(repo: RepoRecord, number: unknown): IssueRecord {
    return this.issuesOf(repo).find((i) => i.number === number) ?? notFound()
  }

  private nextIssueNumber(repo: RepoRecord): number {
    return this.issuesOf(repo).reduce((max, i) => Math.max(max, i.number), 0) + 1
  }

  private findLabel(repo: RepoRecord, name: string): LabelRecord | undefined {
    const lower = name.toLowerCase()
    return this.state.labels.find((l) => l.repo === repo.fullName && l.name.toLowerCase() === lower)
  }

  /** GitHub creates unknown labels when they are applied to an issue. Returns the canonical names. */
  private ensureLabels(repo: RepoRecord, names: string[]): string[] {
    return names.map((name) => (this.findLabel(repo, name) ?? this.createLabel(repo, name)).name)
  }

  private createLabel(
    repo: RepoRecord,
    name: string,
    color = DEFAULT_LABEL_COLOR,
    description: string | null = null,
  ) {
    const label: LabelRecord = {
      repo: repo.fullName,
      id: this.id(),
      name,
      color,
      description,
      default: false,
    }
    this.state.labels.push(label)
    return label
  }

  private addIssue(repo: RepoRecord, options: SeedIssueOptions & { pull?: PullRecord }): IssueRecord {
    const number = options.number ?? this.nextIssueNumber(repo)
    if (this.issuesOf(repo).some((i) => i.number === number)) {
      throw new Error(`${repo.fullName}#${number} already exists`)
    }
    const now = isoNow()
    const state = options.state ?? 'open'
    const issue: IssueRecord = {
      repo: repo.fullName,
      id: this.id(),
      number,
      title: options.title ?? `Issue ${number}`,
      body: options.body ?? null,
      state,
      stateReason: state === 'closed' ? 'completed' : null,
      labels: this.ensureLabels(repo, options.labels ?? []),
      assignees: options.assignees ?? [],
      user: options.user ?? this.actor,
      locked: false,
      createdAt: now,
      updatedAt: now,
      closedAt: state === 'closed' ? now : null,
      closedBy: state === 'closed' ? (options.user ?? this.actor) : null,
      ...(options.pull ? { pull: options.pull } : {}),
    }
    this.state.issues.push(issue)
    return issue
  }

  private addComment(repo: RepoRecord, issue: IssueRecord, body: string, user: string): CommentRecord {
    const now = isoNow()
    const comment: CommentRecord = {
      repo: repo.fullName,
      id: this.id(),
      issueNumber: issue.number,
      body,
      user,
      createdAt: now,
      updatedAt: now,
    }
    this.state.comments.push(comment)
    issue.updatedAt = now
    return comment
  }

  private seedApi(): StandInSeed {
    return {
      repo: (owner, repo, options) => this.ensureRepo(owner, repo, options),
      issue: (owner, repo, options = {}) => this.addIssue(this.ensureRepo(owner, repo), options),
      pullRequest: (owner, repoName, options = {}) => {
        const repo = this.ensureRepo(owner, repoName)
        const number = options.number ?? this.nextIssueNumber(repo)
        const head = options.head ?? `feature-${number}`
        const headSha = options.headSha ?? fakeSha(`${repo.fullName}:pull:${number}:${head}`)
        const base = options.base ?? repo.defaultBranch
        const headRepo = options.fork ? this.ensureRepo(options.fork, repo.name) : repo
        if (options.fork) headRepo.fork = true
        this.setRef(headRepo, `refs/heads/${head}`, headSha)
        this.setRef(repo, `refs/pull/${number}/head`, headSha)
        const baseSha =
          this.resolveSha(repo, base) ?? this.setRef(repo, `refs/heads/${base}`, fakeSha(base)).sha
        return this.addIssue(repo, {
          title: `Pull request ${number}`,
          user: options.fork ?? 'octocat',
          ...options,
          number,
          pull: {
            head,
            headSha,
            headRepo: headRepo.fullName,
            base,
            baseSha,
            draft: options.draft ?? false,
            merged: false,
            mergedAt: null,
          },
        })
      },
      comments: (owner, repoName, issueNumber, count, bodyFn = (i) => `Comment ${i + 1}`) => {
        const repo = this.ensureRepo(owner, repoName)
        const issue =
          this.issuesOf(repo).find((i) => i.number === issueNumber) ??
          this.addIssue(repo, { number: issueNumber })
        return Array.from({ length: count }, (_, i) => this.addComment(repo, issue, bodyFn(i), 'octocat'))
      },
      label: (owner, repoName, name, options = {}) => {
        const repo = this.ensureRepo(owner, repoName)
        return (
          this.findLabel(repo, name) ??
          this.createLabel(repo, name, options.color ?? DEFAULT_LABEL_COLOR, options.description ?? null)
        )
      },
      ref: (owner, repoName, ref, sha) => {
        const repo = this.ensureRepo(owner, repoName)
        const full = ref.startsWith('refs/') ? ref : `refs/${ref}`
        return this.setRef(repo, full, sha ?? fakeSha(`${repo.fullName}:${full}`))
      },
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Response factories (objects shaped like GitHub's, checked against the spec on the way out)
  // -------------------------------------------------------------------------------------------------------

  private userJson(login: string) {
    const o = this.origin
    const id = this.userId(login)
    const u = `${o}/users/${enc(login)}`
    return {
      login,
      id,
      node_id: nodeId(login.endsWith('[bot]') ? 'BOT' : 'U', id),
      avatar_url: `${o}/avatars/u/${id}?v=4`,
      gravatar_id: '',
      url: u,
      html_url: `${o}/${enc(login)}`,
      followers_url: `${u}/followers`,
      following_url: `${u}/following{/other_user}`,
      gists_url: `${u}/gists{/gist_id}`,
      starred_url: `${u}/starred{/owner}{/repo}`,
      subscriptions_url: `${u}/subscriptions`,
      organizations_url: `${u}/orgs`,
      repos_url: `${u}/repos`,
      events_url: `${u}/events{/privacy}`,
      received_events_url: `${u}/received_events`,
      type: login.endsWith('[bot]') ? 'Bot' : 'User',
      user_view_type: 'public',
      site_admin: false,
    }
  }

  private repoApi(repo: RepoRecord | string): string {
    const fullName = typeof repo === 'string' ? repo : repo.fullName
    return `${this.origin}/repos/${fullName}`
  }

  private repoJson(repo: RepoRecord) {
    const o = this.origin
    const api = this.repoApi(repo)
    const html = `${o}/${repo.fullName}`
    const openIssues = this.issuesOf(repo).filter((i) => i.state === 'open').length
    return {
      id: repo.id,
      node_id: nodeId('R', repo.id),
      name: repo.name,
      full_name: repo.fullName,
      private: repo.private,
      owner: this.userJson(repo.owner),
      html_url: html,
      description: repo.description,
      fork: repo.fork,
      url: api,
      archive_url: `${api}/{archive_format}{/ref}`,
      assignees_url: `${api}/assignees{/user}`,
      blobs_url: `${api}/git/blobs{/sha}`,
      branches_url: `${api}/branches{/branch}`,
      collaborators_url: `${api}/collaborators{/collaborator}`,
      comments_url: `${api}/comments{/number}`,
      commits_url: `${api}/commits{/sha}`,
      compare_url: `${api}/compare/{base}...{head}`,
      contents_url: `${api}/contents/{+path}`,
      contributors_url: `${api}/contributors`,
      deployments_url: `${api}/deployments`,
      downloads_url: `${api}/downloads`,
      events_url: `${api}/events`,
      forks_url: `${api}/forks`,
      git_commits_url: `${api}/git/commits{/sha}`,
      git_refs_url: `${api}/git/refs{/sha}`,
      git_tags_url: `${api}/git/tags{/sha}`,
      git_url: `git://127.0.0.1/${repo.fullName}.git`,
      hooks_url: `${api}/hooks`,
      issue_comment_url: `${api}/issues/comments{/number}`,
      issue_events_url: `${api}/issues/events{/number}`,
      issues_url: `${api}/issues{/number}`,
      keys_url: `${api}/keys{/key_id}`,
      labels_url: `${api}/labels{/name}`,
      languages_url: `${api}/languages`,
      merges_url: `${api}/merges`,
      milestones_url: `${api}/milestones{/number}`,
      notifications_url: `${api}/notifications{?since,all,participating}`,
      pulls_url: `${api}/pulls{/number}`,
      releases_url: `${api}/releases{/id}`,
      ssh_url: `git@127.0.0.1:${repo.fullName}.git`,
      stargazers_url: `${api}/stargazers`,
      statuses_url: `${api}/statuses/{sha}`,
      subscribers_url: `${api}/subscribers`,
      subscription_url: `${api}/subscription`,
      tags_url: `${api}/tags`,
      teams_url: `${api}/teams`,
      trees_url: `${api}/git/trees{/sha}`,
      clone_url: `${html}.git`,
      mirror_url: null,
      svn_url: html,
      homepage: null,
      language: 'Python',
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers: 0,
      watchers_count: 0,
      size: 0,
      default_branch: repo.defaultBranch,
      open_issues: openIssues,
      open_issues_count: openIssues,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: true,
      has_wiki: true,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: repo.private ? 'private' : 'public',
      pushed_at: repo.createdAt,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
      allow_forking: true,
      web_commit_signoff_required: false,
      license: null,
      network_count: 0,
      subscribers_count: 0,
    }
  }

  private labelJson(label: LabelRecord) {
    return {
      id: label.id,
      node_id: nodeId('LA', label.id),
      url: `${this.repoApi(label.repo)}/labels/${enc(label.name)}`,
      name: label.name,
      description: label.description,
      color: label.color,
      default: label.default,
    }
  }

  private reactions(url: string) {
    return {
      url: `${url}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      confused: 0,
      heart: 0,
      hooray: 0,
      eyes: 0,
      rocket: 0,
    }
  }

  private association(repoFullName: string, login: string): 'OWNER' | 'CONTRIBUTOR' | 'NONE' {
    if (login.toLowerCase() === repoFullName.split('/')[0]?.toLowerCase()) return 'OWNER'
    return login.endsWith('[bot]') ? 'NONE' : 'CONTRIBUTOR'
  }

  private issueLabels(issue: IssueRecord): LabelRecord[] {
    const repo = this.state.repos.find((r) => r.fullName === issue.repo)!
    return issue.labels
      .map((name) => this.findLabel(repo, name))
      .filter((l): l is LabelRecord => l !== undefined)
  }

  private issueJson(issue: IssueRecord) {
    const api = `${this.repoApi(issue.repo)}/issues/${issue.number}`
    const html = `${this.origin}/${issue.repo}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`
    const pullApi = `${this.repoApi(issue.repo)}/pulls/${issue.number}`
    return {
      id: issue.id,
      node_id: nodeId(issue.pull ? 'PR' : 'I', issue.id),
      url: api,
      repository_url: this.repoApi(issue.repo),
      labels_url: `${api}/labels{/name}`,
      comments_url: `${api}/comments`,
      events_url: `${api}/events`,
      html_url: html,
      timeline_url: `${api}/timeline`,
      number: issue.number,
      state: issue.state,
      state_reason: issue.stateReason,
      title: issue.title,
      body: issue.body,
      user: this.userJson(issue.user),
      labels: this.issueLabels(issue).map((l) => this.labelJson(l)),
      assignee: issue.assignees[0] ? this.userJson(issue.assignees[0]) : null,
      assignees: issue.assignees.map((a) => this.userJson(a)),
      milestone: null,
      locked: issue.locked,
      active_lock_reason: null,
      comments: this.state.comments.filter((c) => c.repo === issue.repo && c.issueNumber === issue.number)
        .length,
      closed_at: issue.closedAt,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_by: issue.closedBy ? this.userJson(issue.closedBy) : null,
      author_association: this.association(issue.repo, issue.user),
      performed_via_github_app: null,
      reactions: this.reactions(api),
      ...(issue.pull
        ? {
            draft: issue.pull.draft,
            pull_request: {
              url: pullApi,
              html_url: html,
              diff_url: `${html}.diff`,
              patch_url: `${html}.patch`,
              merged_at: issue.pull.mergedAt,
            },
          }
        : {}),
    }
  }

  private pullJson(issue: IssueRecord, pull: PullRecord) {
    const api = `${this.repoApi(issue.repo)}/pulls/${issue.number}`
    const issueApi = `${this.repoApi(issue.repo)}/issues/${issue.number}`
    const html = `${this.origin}/${issue.repo}/pull/${issue.number}`
    const baseRepo = this.state.repos.find((r) => r.fullName === issue.repo)!
    const headRepo = this.state.repos.find((r) => r.fullName === pull.headRepo) ?? baseRepo
    const statuses = `${this.repoApi(issue.repo)}/statuses/${pull.headSha}`
    const link = (href: string) => ({ href })
    const labels = this.issueLabels(issue).map((l) => this.labelJson(l))
    return {
      url: api,
      id: issue.id,
      node_id: nodeId('PR', issue.id),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: issueApi,
      commits_url: `${api}/commits`,
      review_comments_url: `${api}/comments`,
      review_comment_url: `${this.repoApi(issue.repo)}/pulls/comments{/number}`,
      comments_url: `${issueApi}/comments`,
      statuses_url: statuses,
      number: issue.number,
      state: issue.state,
      locked: issue.locked,
      title: issue.title,
      user: this.userJson(issue.user),
      body: issue.body,
      labels,
      milestone: null,
      active_lock_reason: null,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: null,
      assignee: issue.assignees[0] ? this.userJson(issue.assignees[0]) : null,
      assignees: issue.assignees.map((a) => this.userJson(a)),
      requested_reviewers: [],
      requested_teams: [],
      head: {
        label: `${headRepo.owner}:${pull.head}`,
        ref: pull.head,
        sha: pull.headSha,
        user: this.userJson(headRepo.owner),
        repo: this.repoJson(headRepo),
      },
      base: {
        label: `${baseRepo.owner}:${pull.base}`,
        ref: pull.base,
        sha: pull.baseSha,
        user: this.userJson(baseRepo.owner),
        repo: this.repoJson(baseRepo),
      },
      _links: {
        self: link(api),
        html: link(html),
        issue: link(issueApi),
        comments: link(`${issueApi}/comments`),
        review_comments: link(`${api}/comments`),
        review_comment: link(`${this.repoApi(issue.repo)}/pulls/comments{/number}`),
        commits: link(`${api}/commits`),
        statuses: link(statuses),
      },
      author_association: this.association(issue.repo, issue.user),
      auto_merge: null,
      draft: pull.draft,
      merged: pull.merged,
      mergeable: null,
      rebaseable: null,
      mergeable_state: 'unknown',
      merged_by: null,
      comments: this.state.comments.filter((c) => c.repo === issue.repo && c.issueNumber === issue.number)
        .length,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 0,
      deletions: 0,
      changed_files: 0,
    }
  }

  private commentJson(comment: CommentRecord) {
    const api = `${this.repoApi(comment.repo)}/issues/comments/${comment.id}`
    return {
      id: comment.id,
      node_id: nodeId('IC', comment.id),
      url: api,
      html_url: `${this.origin}/${comment.repo}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
      body: comment.body,
      user: this.userJson(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      issue_url: `${this.repoApi(comment.repo)}/issues/${comment.issueNumber}`,
      author_association: this.association(comment.repo, comment.user),
      performed_via_github_app: null,
      reactions: this.reactions(api),
    }
  }

  private releaseDownloadUrl(release: ReleaseRecord, name: string): string {
    const tag = release.draft ? `untagged-${release.id}` : release.tagName
    return `${this.origin}/${release.repo}/releases/download/${tag
      .split('/')
      .map(enc)
      .join('/')}/${enc(name)}`
  }

  private assetJson(asset: AssetRecord) {
    const release = this.state.releases.find((r) => r.id === asset.releaseId)!
    return {
      url: `${this.repoApi(asset.repo)}/releases/assets/${asset.id}`,
      browser_download_url: this.releaseDownloadUrl(release, asset.name),
      id: asset.id,
      node_id: nodeId('RA', asset.id),
      name: asset.name,
      label: asset.label,
      state: 'uploaded' as const,
      content_type: asset.contentType,
      size: asset.data.length,
      digest: `sha256:${createHash('sha256').update(asset.data).digest('hex')}`,
      download_count: asset.downloadCount,
      created_at: asset.createdAt,
      updated_at: asset.updatedAt,
      uploader: this.userJson(asset.uploader),
    }
  }

  private releaseJson(release: ReleaseRecord) {
    const api = `${this.repoApi(release.repo)}/releases/${release.id}`
    const tag = release.draft ? `untagged-${release.id}` : release.tagName
    return {
      url: api,
      html_url: `${this.origin}/${release.repo}/releases/tag/${tag.split('/').map(enc).join('/')}`,
      assets_url: `${api}/assets`,
      upload_url: `${this.origin}/api/uploads/repos/${release.repo}/releases/${release.id}/assets{?name,label}`,
      tarball_url: release.draft ? null : `${this.repoApi(release.repo)}/tarball/${enc(release.tagName)}`,
      zipball_url: release.draft ? null : `${this.repoApi(release.repo)}/zipball/${enc(release.tagName)}`,
      id: release.id,
      node_id: nodeId('RE', release.id),
      tag_name: release.tagName,
      target_commitish: release.targetCommitish,
      name: release.name,
      body: release.body,
      draft: release.draft,
      prerelease: release.prerelease,
      immutable: false,
      created_at: release.createdAt,
      published_at: release.publishedAt,
      updated_at: release.updatedAt,
      author: this.userJson(release.author),
      assets: this.state.assets.filter((a) => a.releaseId === release.id).map((a) => this.assetJson(a)),
    }
  }

  private refJson(ref: RefRecord) {
    const api = this.repoApi(ref.repo)
    return {
      ref: ref.ref,
      node_id: nodeId('REF', Number.parseInt(fakeSha(`${ref.repo}:${ref.ref}`).slice(0, 8), 16)),
      url: `${api}/git/${ref.ref.split('/').map(enc).join('/')}`,
      object: { type: 'commit', sha: ref.sha, url: `${api}/git/commits/${ref.sha}` },
    }
  }

  private deploymentJson(d: DeploymentRecord) {
    const api = `${this.repoApi(d.repo)}/deployments/${d.id}`
    return {
      url: api,
      id: d.id,
      node_id: nodeId('DE', d.id),
      sha: d.sha,
      ref: d.ref,
      task: d.task,
      payload: d.payload,
      original_environment: d.originalEnvironment,
      environment: d.environment,
      description: d.description,
      creator: this.userJson(d.creator),
      created_at: d.createdAt,
      updated_at: d.updatedAt,
      statuses_url: `${api}/statuses`,
      repository_url: this.repoApi(d.repo),
      transient_environment: d.transient,
      production_environment: d.production,
      performed_via_github_app: null,
    }
  }

  private statusJson(s: DeploymentStatusRecord) {
    const deployment = `${this.repoApi(s.repo)}/deployments/${s.deploymentId}`
    return {
      url: `${deployment}/statuses/${s.id}`,
      id: s.id,
      node_id: nodeId('DES', s.id),
      state: s.state,
      creator: this.userJson(s.creator),
      description: s.description,
      environment: s.environment,
      target_url: s.targetUrl,
      log_url: s.logUrl,
      environment_url: s.environmentUrl,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
      deployment_url: deployment,
      repository_url: this.repoApi(s.repo),
      performed_via_github_app: null,
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Pagination, exactly like GitHub: per_page (default 30, max 100), page, Link header with absolute URLs.
  // -------------------------------------------------------------------------------------------------------

  private paginate<T, J>(ctx: Ctx, items: T[], render: (item: T) => J): Reply {
    const perPage = Math.min(100, Math.max(1, int(ctx.params.per_page) ?? 30))
    const page = Math.max(1, int(ctx.params.page) ?? 1)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const slice = items.slice((page - 1) * perPage, page * perPage)
    const pageUrl = (n: number): string => {
      const search = new URLSearchParams(ctx.url.searchParams)
      search.set('page', String(n))
      return `${this.origin}${ctx.url.pathname}?${search.toString()}`
    }
    const links: string[] = []
    if (page > 1) links.push(`<${pageUrl(Math.min(page - 1, last))}>; rel="prev"`)
    if (page < last) links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(last)}>; rel="last"`)
    if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`)
    return {
      status: 200,
      body: slice.map(render),
      headers: links.length > 0 ? { link: links.join(', ') } : {},
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Endpoints
  // -------------------------------------------------------------------------------------------------------

  private buildHandlers(): Record<string, Handler> {
    const ok = (body: unknown, status = 200): Reply => ({ status, body })
    const noContent: Reply = { status: 204 }
    const issueFor = (ctx: Ctx) => this.findIssue(ctx.repo, ctx.params.issue_number)
    const commentFor = (ctx: Ctx) =>
      this.state.comments.find((c) => c.repo === ctx.repo.fullName && c.id === ctx.params.comment_id) ??
      notFound()
    const releaseFor = (ctx: Ctx) =>
      this.state.releases.find((r) => r.repo === ctx.repo.fullName && r.id === ctx.params.release_id) ??
      notFound()
    const deploymentFor = (ctx: Ctx) =>
      this.state.deployments.find((d) => d.repo === ctx.repo.fullName && d.id === ctx.params.deployment_id) ??
      notFound()
    const checkBody = (body: string, resource: string) => {
      if (body.length > BODY_LIMIT) {
        validationFailed(resource, 'body', 'custom', `body is too long (maximum is ${BODY_LIMIT} characters)`)
      }
    }
    const byNewest = <T extends { id: number }>(a: T, b: T) => b.id - a.id

    return {
      'rate-limit/get': () => {
        const reset = Math.floor(Date.now() / 1000) + 3600
        const bucket = (limit: number, used: number) => ({ limit, used, remaining: limit - used, reset })
        const core = bucket(5000, Math.min(5000, this.requestsServed))
        return ok({
          resources: {
            core,
            search: bucket(30, 0),
            graphql: bucket(5000, 0),
            integration_manifest: bucket(5000, 0),
            code_search: bucket(10, 0),
          },
          rate: core,
        })
      },

      'repos/get': (ctx) => ok(this.repoJson(ctx.repo)),

      // --- issues ---------------------------------------------------------------------------------------
      'issues/list-for-repo': (ctx) => {
        const p = ctx.params
        const state = str(p.state) ?? 'open'
        const wanted = (str(p.labels) ?? '')
          .split(',')
          .map((l) => l.trim().toLowerCase())
          .filter(Boolean)
        const since = str(p.since) ? Date.parse(str(p.since)!) : undefined
        const sort = str(p.sort) ?? 'created'
        const direction = str(p.direction) ?? 'desc'
        const commentCount = (i: IssueRecord) =>
          this.state.comments.filter((c) => c.repo === i.repo && c.issueNumber === i.number).length
        const key = (i: IssueRecord): number =>
          sort === 'updated'
            ? Date.parse(i.updatedAt)
            : sort === 'comments'
              ? commentCount(i)
              : Date.parse(i.createdAt)
        const items = this.issuesOf(ctx.repo)
          .filter((i) => state === 'all' || i.state === state)
          .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
          .filter((i) => since === undefined || Date.parse(i.updatedAt) >= since)
          .filter((i) => !str(p.creator) || i.user.toLowerCase() === str(p.creator)!.toLowerCase())
          .filter((i) => {
            const assignee = str(p.assignee)
            if (!assignee || assignee === '*') return assignee !== '*' || i.assignees.length > 0
            if (assignee === 'none') return i.assignees.length === 0
            return i.assignees.some((a) => a.toLowerCase() === assignee.toLowerCase())
          })
          .sort((a, b) => (key(a) - key(b) || a.number - b.number) * (direction === 'asc' ? 1 : -1))
        return this.paginate(ctx, items, (i) => this.issueJson(i))
      },

      'issues/create': (ctx) => {
        const b = obj(ctx.body)
        const title = str(b.title) ?? ''
        if (title.trim() === '') validationFailed('Issue', 'title', 'missing_field')
        if (typeof b.body === 'string') checkBody(b.body, 'Issue')
        const issue = this.addIssue(ctx.repo, {
          title,
          body: typeof b.body === 'string' ? b.body : null,
          labels: labelNames(b.labels),
          assignees: Array.isArray(b.assignees)
            ? b.assignees.map(String)
            : str(b.assignee)
              ? [str(b.assignee)!]
              : [],
          user: ctx.actor,
        })
        return { status: 201, body: this.issueJson(issue), headers: { location: this.issueJson(issue).url } }
      },

      'issues/get': (ctx) => ok(this.issueJson(issueFor(ctx))),

      'issues/update': (ctx) => {
        const issue = issueFor(ctx)
        const b = obj(ctx.body)
        if ('title' in b && b.title !== null) issue.title = str(b.title) ?? issue.title
        if ('body' in b) {
          if (typeof b.body === 'string') checkBody(b.body, 'Issue')
          issue.body = typeof b.body === 'string' ? b.body : null
        }
        if (Array.isArray(b.labels)) issue.labels = this.ensureLabels(ctx.repo, labelNames(b.labels))
        if (Array.isArray(b.assignees))
          issue.assignees = b.assignees.map((a) => str(a) ?? str(obj(a).login) ?? '')
        const reason = b.state_reason as IssueRecord['stateReason'] | undefined
        if (b.state === 'closed' && issue.state !== 'closed') {
          issue.state = 'closed'
          issue.closedAt = isoNow()
          issue.closedBy = ctx.actor
          issue.stateReason = reason ?? 'completed'
        } else if (b.state === 'open' && issue.state !== 'open') {
          issue.state = 'open'
          issue.closedAt = null
          issue.closedBy = null
          issue.stateReason = 'reopened'
        } else if (reason !== undefined) {
          issue.stateReason = reason
        }
        issue.updatedAt = isoNow()
        return ok(this.issueJson(issue))
      },

      // --- comments -------------------------------------------------------------------------------------
      'issues/list-comments': (ctx) => {
        const issue = issueFor(ctx)
        const since = str(ctx.params.since) ? Date.parse(str(ctx.params.since)!) : undefined
        const items = this.state.comments
          .filter((c) => c.repo === issue.repo && c.issueNumber === issue.number)
          .filter((c) => since === undefined || Date.parse(c.updatedAt) >= since)
          .sort((a, b) => a.id - b.id)
        return this.paginate(ctx, items, (c) => this.commentJson(c))
      },

      'issues/create-comment': (ctx) => {
        const issue = issueFor(ctx)
        const body = str(obj(ctx.body).body) ?? ''
        checkBody(body, 'IssueComment')
        if (issue.locked) throw new HttpError(403, 'Unable to create comment because issue is locked.')
        const comment = this.addComment(ctx.repo, issue, body, ctx.actor)
        const json = this.commentJson(comment)
        return { status: 201, body: json, headers: { location: json.url } }
      },

      'issues/get-comment': (ctx) => ok(this.commentJson(commentFor(ctx))),

      'issues/update-comment': (ctx) => {
        const comment = commentFor(ctx)
        const body = str(obj(ctx.body).body) ?? ''
        checkBody(body, 'IssueComment')
        comment.body = body
        comment.updatedAt = isoNow()
        return ok(this.commentJson(comment))
      },

      'issues/delete-comment': (ctx) => {
        const comment = commentFor(ctx)
        this.state.comments.splice(this.state.comments.indexOf(comment), 1)
        return noContent
      },

      // --- labels ---------------------------------------------------------------------------------------
      'issues/list-labels-for-repo': (ctx) => {
        const items = this.state.labels
          .filter((l) => l.repo === ctx.repo.fullName)
          .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()))
        return this.paginate(ctx, items, (l) => this.labelJson(l))
      },

      'issues/create-label': (ctx) => {
        const b = obj(ctx.body)
        const name = str(b.name) ?? ''
        if (name.trim() === '') validationFailed('Label', 'name', 'missing_field')
        if (this.findLabel(ctx.repo, name)) validationFailed('Label', 'name', 'already_exists')
        const color = (str(b.color) ?? DEFAULT_LABEL_COLOR).replace(/^#/, '')
        if (!/^[0-9a-fA-F]{6}$/.test(color)) validationFailed('Label', 'color', 'invalid')
        const description = str(b.description) ?? null
        if (description && description.length > 100) validationFailed('Label', 'description', 'invalid')
        const label = this.createLabel(ctx.repo, name, color.toLowerCase(), description)
        return { status: 201, body: this.labelJson(label), headers: { location: this.labelJson(label).url } }
      },

      'issues/get-label': (ctx) =>
        ok(this.labelJson(this.findLabel(ctx.repo, str(ctx.params.name)!) ?? notFound())),

      'issues/add-labels': (ctx) => {
        const issue = issueFor(ctx)
        const names = this.ensureLabels(ctx.repo, labelNames(obj(ctx.body).labels))
        for (const name of names) if (!issue.labels.includes(name)) issue.labels.push(name)
        issue.updatedAt = isoNow()
        return ok(this.issueLabels(issue).map((l) => this.labelJson(l)))
      },

      'issues/remove-label': (ctx) => {
        const issue = issueFor(ctx)
        const name = str(ctx.params.name)!.toLowerCase()
        const index = issue.labels.findIndex((l) => l.toLowerCase() === name)
        if (index < 0) throw new HttpError(404, 'Label does not exist')
        issue.labels.splice(index, 1)
        issue.updatedAt = isoNow()
        return ok(this.issueLabels(issue).map((l) => this.labelJson(l)))
      },

      // --- pulls ----------------------------------------------------------------------------------------
      'pulls/get': (ctx) => {
        const issue = this.findIssue(ctx.repo, ctx.params.pull_number)
        if (!issue.pull) notFound()
        return ok(this.pullJson(issue, issue.pull))
      },

      // --- releases -------------------------------------------------------------------------------------
      'repos/list-releases': (ctx) => {
        const items = this.state.releases.filter((r) => r.repo === ctx.repo.fullName).sort(byNewest)
        return this.paginate(ctx, items, (r) => this.releaseJson(r))
      },

      'repos/create-release': (ctx) => {
        const b = obj(ctx.body)
        const tagName = str(b.tag_name) ?? ''
        if (tagName.trim() === '') validationFailed('Release', 'tag_name', 'missing_field')
        if (this.state.releases.some((r) => r.repo === ctx.repo.fullName && r.tagName === tagName)) {
          validationFailed('Release', 'tag_name', 'already_exists')
        }
        const now = isoNow()
        const draft = b.draft === true
        const release: ReleaseRecord = {
          repo: ctx.repo.fullName,
          id: this.id(),
          tagName,
          targetCommitish: str(b.target_commitish) ?? ctx.repo.defaultBranch,
          name: str(b.name) ?? null,
          body: str(b.body) ?? null,
          draft,
          prerelease: b.prerelease === true,
          author: ctx.actor,
          createdAt: now,
          publishedAt: draft ? null : now,
          updatedAt: now,
        }
        if (!draft) this.publishTag(ctx.repo, release)
        this.state.releases.push(release)
        const json = this.releaseJson(release)
        return { status: 201, body: json, headers: { location: json.url } }
      },

      'repos/get-release': (ctx) => ok(this.releaseJson(releaseFor(ctx))),

      'repos/get-release-by-tag': (ctx) => {
        const tag = str(ctx.params.tag)
        const release = this.state.releases.find(
          (r) => r.repo === ctx.repo.fullName && r.tagName === tag && !r.draft,
        )
        return ok(this.releaseJson(release ?? notFound()))
      },

      'repos/update-release': (ctx) => {
        const release = releaseFor(ctx)
        const b = obj(ctx.body)
        const tagName = str(b.tag_name)
        if (tagName !== undefined && tagName !== release.tagName) {
          if (this.state.releases.some((r) => r.repo === release.repo && r.tagName === tagName)) {
            validationFailed('Release', 'tag_name', 'already_exists')
          }
          release.tagName = tagName
        }
        if (str(b.target_commitish) !== undefined) release.targetCommitish = str(b.target_commitish)!
        if (str(b.name) !== undefined) release.name = str(b.name)!
        if (str(b.body) !== undefined) release.body = str(b.body)!
        if (typeof b.prerelease === 'boolean') release.prerelease = b.prerelease
        if (b.draft === false && release.draft) {
          release.draft = false
          release.publishedAt = isoNow()
          this.publishTag(ctx.repo, release)
        } else if (b.draft === true) {
          release.draft = true
        }
        release.updatedAt = isoNow()
        return ok(this.releaseJson(release))
      },

      'repos/delete-release': (ctx) => {
        const release = releaseFor(ctx)
        this.state.releases.splice(this.state.releases.indexOf(release), 1)
        for (const asset of this.state.assets.filter((a) => a.releaseId === release.id)) {
          this.state.assets.splice(this.state.assets.indexOf(asset), 1)
        }
        return noContent
      },

      'repos/list-release-assets': (ctx) => {
        const release = releaseFor(ctx)
        const items = this.state.assets.filter((a) => a.releaseId === release.id).sort((a, b) => a.id - b.id)
        return this.paginate(ctx, items, (a) => this.assetJson(a))
      },

      'repos/upload-release-asset': (ctx) => {
        const release = releaseFor(ctx)
        const name = str(ctx.params.name)!
        if (this.state.assets.some((a) => a.releaseId === release.id && a.name === name)) {
          validationFailed('ReleaseAsset', 'name', 'already_exists')
        }
        const now = isoNow()
        const contentType =
          ctx.req.headers['content-type']?.split(';')[0]?.trim() || 'application/octet-stream'
        const asset: AssetRecord = {
          repo: release.repo,
          id: this.id(),
          releaseId: release.id,
          name,
          label: str(ctx.params.label) ?? null,
          contentType,
          data: Buffer.from(ctx.rawBody),
          downloadCount: 0,
          uploader: ctx.actor,
          createdAt: now,
          updatedAt: now,
        }
        this.state.assets.push(asset)
        return ok(this.assetJson(asset), 201)
      },

      'repos/get-release-asset': (ctx) => {
        const asset =
          this.state.assets.find((a) => a.repo === ctx.repo.fullName && a.id === ctx.params.asset_id) ??
          notFound()
        if ((ctx.req.headers.accept ?? '').includes('application/octet-stream')) {
          // Like GitHub: a redirect to the download location (Octokit/fetch follow it).
          return { status: 302, headers: { location: this.assetJson(asset).browser_download_url } }
        }
        return ok(this.assetJson(asset))
      },

      // --- git refs -------------------------------------------------------------------------------------
      'git/create-ref': (ctx) => {
        const b = obj(ctx.body)
        const ref = str(b.ref) ?? ''
        const sha = str(b.sha) ?? ''
        if (
          !/^refs\/[^/]+\/.+/.test(ref) ||
          ref.endsWith('/') ||
          ref.includes('..') ||
          /[\s~^:?*[\\]/.test(ref)
        ) {
          throw new HttpError(422, `${ref} is not a valid ref name.`)
        }
        if (!SHA_RE.test(sha)) throw new HttpError(422, 'Object does not exist')
        if (this.findRef(ctx.repo, ref)) throw new HttpError(422, 'Reference already exists')
        const record = this.setRef(ctx.repo, ref, sha)
        const json = this.refJson(record)
        return { status: 201, body: json, headers: { location: json.url } }
      },

      'git/get-ref': (ctx) =>
        ok(this.refJson(this.findRef(ctx.repo, `refs/${str(ctx.params.ref)}`) ?? notFound())),

      'git/list-matching-refs': (ctx) => {
        const prefix = `refs/${str(ctx.params.ref)}`
        const refs = this.state.refs
          .filter((r) => r.repo === ctx.repo.fullName && r.ref.startsWith(prefix))
          .sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0))
        return ok(refs.map((r) => this.refJson(r)))
      },

      'git/update-ref': (ctx) => {
        const record = this.findRef(ctx.repo, `refs/${str(ctx.params.ref)}`)
        if (!record) throw new HttpError(422, 'Reference does not exist')
        const sha = str(obj(ctx.body).sha) ?? ''
        if (!SHA_RE.test(sha)) throw new HttpError(422, 'Object does not exist')
        record.sha = sha
        return ok(this.refJson(record))
      },

      'git/delete-ref': (ctx) => {
        const record = this.findRef(ctx.repo, `refs/${str(ctx.params.ref)}`)
        if (!record) throw new HttpError(422, 'Reference does not exist')
        this.state.refs.splice(this.state.refs.indexOf(record), 1)
        return noContent
      },

      // --- deployments ----------------------------------------------------------------------------------
      'repos/list-deployments': (ctx) => {
        const p = ctx.params
        const items = this.state.deployments
          .filter((d) => d.repo === ctx.repo.fullName)
          .filter((d) => p.sha === undefined || d.sha === p.sha)
          .filter((d) => p.ref === undefined || d.ref === p.ref)
          .filter((d) => p.task === undefined || d.task === p.task)
          .filter((d) => p.environment === undefined || d.environment === p.environment)
          .sort(byNewest)
        return this.paginate(ctx, items, (d) => this.deploymentJson(d))
      },

      'repos/create-deployment': (ctx) => {
        const b = obj(ctx.body)
        const ref = str(b.ref) ?? ''
        const sha = this.resolveSha(ctx.repo, ref)
        if (!sha) throw new HttpError(422, `No ref found for: ${ref}`)
        let payload: unknown = b.payload ?? {}
        if (typeof payload === 'string' && payload.trim().startsWith('{')) {
          try {
            payload = JSON.parse(payload)
          } catch {
            // keep the string
          }
        }
        const environment = str(b.environment) ?? 'production'
        const now = isoNow()
        const deployment: DeploymentRecord = {
          repo: ctx.repo.fullName,
          id: this.id(),
          ref,
          sha,
          task: str(b.task) ?? 'deploy',
          environment,
          originalEnvironment: environment,
          description: typeof b.description === 'string' ? b.description : null,
          payload,
          transient: b.transient_environment === true,
          production:
            typeof b.production_environment === 'boolean'
              ? b.production_environment
              : environment === 'production',
          creator: ctx.actor,
          createdAt: now,
          updatedAt: now,
        }
        this.state.deployments.push(deployment)
        return ok(this.deploymentJson(deployment), 201)
      },

      'repos/get-deployment': (ctx) => ok(this.deploymentJson(deploymentFor(ctx))),

      'repos/list-deployment-statuses': (ctx) => {
        const deployment = deploymentFor(ctx)
        const items = this.state.statuses.filter((s) => s.deploymentId === deployment.id).sort(byNewest)
        return this.paginate(ctx, items, (s) => this.statusJson(s))
      },

      'repos/create-deployment-status': (ctx) => {
        const deployment = deploymentFor(ctx)
        const b = obj(ctx.body)
        const description = str(b.description) ?? ''
        if (description.length > 140) {
          validationFailed(
            'DeploymentStatus',
            'description',
            'custom',
            'description is too long (maximum is 140 characters)',
          )
        }
        if (str(b.environment)) deployment.environment = str(b.environment)!
        const url = str(b.log_url) ?? str(b.target_url) ?? ''
        const state = b.state as DeploymentStatusRecord['state']
        const status = this.addStatus(deployment, state, ctx.actor, {
          description,
          targetUrl: url,
          logUrl: url,
          environmentUrl: str(b.environment_url) ?? '',
        })
        if (state === 'success' && b.auto_inactive !== false) {
          // "Adds a new inactive status to all prior non-transient, non-production environment deployments with
          // the same repository and environment name ... only added to deployments that had a success state."
          for (const other of this.state.deployments) {
            if (other === deployment || other.repo !== deployment.repo) continue
            if (other.environment !== deployment.environment || other.transient || other.production) continue
            if (other.id > deployment.id) continue
            const latest = this.state.statuses.filter((s) => s.deploymentId === other.id).sort(byNewest)[0]
            if (latest?.state === 'success') this.addStatus(other, 'inactive', ctx.actor, {})
          }
        }
        return ok(this.statusJson(status), 201)
      },

      // --- actions --------------------------------------------------------------------------------------
      'actions/create-workflow-dispatch': (ctx) => {
        const b = obj(ctx.body)
        const ref = str(b.ref) ?? ''
        if (!this.resolveSha(ctx.repo, ref)) throw new HttpError(422, `No ref found for: ${ref}`)
        const dispatch: DispatchRecord = {
          repo: ctx.repo.fullName,
          workflowId: String(ctx.params.workflow_id),
          ref,
          inputs: obj(b.inputs),
          createdAt: isoNow(),
          runId: this.id(),
        }
        this.state.dispatches.push(dispatch)
        if (b.return_run_details === true) {
          return ok({
            workflow_run_id: dispatch.runId,
            run_url: `${this.repoApi(ctx.repo)}/actions/runs/${dispatch.runId}`,
            html_url: `${this.origin}/${ctx.repo.fullName}/actions/runs/${dispatch.runId}`,
          })
        }
        return noContent
      },
    }
  }

  private addStatus(
    deployment: DeploymentRecord,
    state: DeploymentStatusRecord['state'],
    creator: string,
    fields: Partial<Pick<DeploymentStatusRecord, 'description' | 'targetUrl' | 'logUrl' | 'environmentUrl'>>,
  ): DeploymentStatusRecord {
    const now = isoNow()
    const status: DeploymentStatusRecord = {
      repo: deployment.repo,
      id: this.id(),
      deploymentId: deployment.id,
      state,
      description: fields.description ?? '',
      environment: deployment.environment,
      targetUrl: fields.targetUrl ?? '',
      logUrl: fields.logUrl ?? '',
      environmentUrl: fields.environmentUrl ?? '',
      creator,
      createdAt: now,
      updatedAt: now,
    }
    this.state.statuses.push(status)
    deployment.updatedAt = now
    return status
  }

  /** Publishing a release creates its tag (at target_commitish) when the tag does not exist yet. */
  private publishTag(repo: RepoRecord, release: ReleaseRecord): void {
    const ref = `refs/tags/${release.tagName}`
    if (this.findRef(repo, ref)) return
    const sha = this.resolveSha(repo, release.targetCommitish) ?? this.resolveSha(repo, repo.defaultBranch)!
    this.setRef(repo, ref, sha)
  }

  /** `{origin}/{owner}/{repo}/releases/download/{tag}/{name}`: the release asset's browser_download_url. */
  private browserDownload(rawPath: string): Reply | undefined {
    const m = /^\/([^/]+)\/([^/]+)\/releases\/download\/(.+)\/([^/]+)$/.exec(rawPath)
    if (!m) return undefined
    const [, owner, name, tagRaw, fileRaw] = m.map((part) => decodeURIComponent(part ?? ''))
    const repo = this.findRepo(owner!, name!)
    if (!repo) return undefined
    const release = this.state.releases.find(
      (r) => r.repo === repo.fullName && (r.draft ? `untagged-${r.id}` : r.tagName) === tagRaw,
    )
    const asset = release && this.state.assets.find((a) => a.releaseId === release.id && a.name === fileRaw)
    if (!asset) return { status: 404, body: 'Not Found' }
    asset.downloadCount++
    return {
      status: 200,
      raw: asset.data,
      contentType: 'application/octet-stream',
      headers: { 'content-disposition': `attachment; filename=${asset.name}` },
    }
  }
}
