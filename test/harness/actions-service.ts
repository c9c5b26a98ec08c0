// An in-memory emulator of the two services the GitHub Actions runner hands to a job through
// ACTIONS_RESULTS_URL: the Twirp "results" API for artifacts (@actions/artifact v2+) and for caches
// (@actions/cache with ACTIONS_CACHE_SERVICE_V2), plus the Azure-Blob-like storage their signed URLs point
// to. Tests start one per test file, pass `service.env()` to the process under test (usually a bundled action
// run with `node`) and assert on `artifacts`, `caches`, `calls` and, always, that `errors` is empty.
//
// Wire format, as the generated protobuf-ts clients in those libraries speak it:
// - requests are proto3 JSON with proto field names (snake_case; `useProtoFieldName: true`), default values
//   omitted (a size of 0 or an empty list is simply absent), int64 as decimal strings, wrappers
//   (StringValue, Int64Value) as bare values, Timestamps as RFC 3339 strings;
// - responses are parsed with `fromJson`, which accepts snake_case and camelCase; we answer snake_case, as the
//   real service does (the libraries' log masking looks for `signed_upload_url` / `signed_url`);
// - errors are Twirp errors: HTTP status + `{"code": "...", "msg": "..."}`. The libraries retry 5xx and 429
//   with multi-second back-off, so this emulator never answers 5xx; 4xx fail fast.

import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ArtifactEntry {
  id: number
  name: string
  size: number
  runId: string
  jobId: string
  finalized: boolean
  /** The committed blob: for a normal upload, the zip the library built. Empty until committed. */
  blob: Buffer
  /** `sha256:<hex>` as sent by FinalizeArtifact (verified against the blob), if any. */
  digest?: string
  mimeType?: string
  createdAt: Date
}

export interface CacheEntry {
  id: number
  key: string
  version: string
  size: number
  finalized: boolean
  /** The committed archive (tar, zstd- or gzip-compressed). Empty until committed. */
  blob: Buffer
  createdAt: Date
}

export interface ServiceCall {
  method: string
  /** URL path; for blob operations with `?comp=` the comp value is appended (`/blob/...?comp=block`). */
  path: string
  service?: string
  rpc?: string
  status: number
}

export interface ActionsService {
  /** Origin with a trailing slash, e.g. `http://127.0.0.1:PORT/`. */
  url: string
  /**
   * Environment for a process that should use this service as its runner would provide it. `runId` and
   * `jobId` become the workflow run / job backend ids in the runtime token (they must not contain `:` or
   * spaces); a numeric `runId` is also used as GITHUB_RUN_ID.
   */
  env(runId?: string, jobId?: string): Record<string, string>
  readonly artifacts: ReadonlyArray<ArtifactEntry>
  readonly caches: ReadonlyArray<CacheEntry>
  calls: ServiceCall[]
  /** Protocol violations: unknown routes or RPCs, malformed bodies, unknown fields, bad tokens or signatures,
   * size or hash mismatches, blob operations out of order. Expected refusals (409, not found, cache miss) are
   * not errors. */
  errors: string[]
  close(): Promise<void>
}

export const DEFAULT_RUN_ID = '1001'
export const DEFAULT_JOB_ID = 'job-1'

const ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService'
const CACHE_SERVICE = 'github.actions.results.api.v1.CacheService'

type TwirpCode =
  | 'invalid_argument'
  | 'malformed'
  | 'not_found'
  | 'already_exists'
  | 'permission_denied'
  | 'unauthenticated'
  | 'failed_precondition'
  | 'bad_route'

const TWIRP_STATUS: Record<TwirpCode, number> = {
  invalid_argument: 400,
  malformed: 400,
  not_found: 404,
  already_exists: 409,
  permission_denied: 403,
  unauthenticated: 401,
  failed_precondition: 412,
  bad_route: 404,
}

/** A Twirp error answer. `report` = also record it in `errors` (the client did something the real service
 * would reject as a bug, rather than a normal refusal like a conflict). */
class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    message: string,
    readonly report = true,
  ) {
    super(message)
  }
}

/** An Azure Storage error answer (XML body, `x-ms-error-code` header). Always reported. */
class BlobError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Request schemas: proto field name -> JSON kind. Anything else in a body is reported.

type FieldKind =
  | 'string'
  | 'int32'
  | 'int64'
  | 'timestamp'
  | 'string_value'
  | 'int64_value'
  | 'strings'
  | 'object'
type Schema = Record<string, FieldKind>

const runJobName: Schema = {
  workflow_run_backend_id: 'string',
  workflow_job_run_backend_id: 'string',
  name: 'string',
}

const SCHEMAS: Record<string, Record<string, Schema>> = {
  [ARTIFACT_SERVICE]: {
    CreateArtifact: { ...runJobName, expires_at: 'timestamp', version: 'int32', mime_type: 'string_value' },
    FinalizeArtifact: { ...runJobName, size: 'int64', hash: 'string_value' },
    ListArtifacts: {
      workflow_run_backend_id: 'string',
      workflow_job_run_backend_id: 'string',
      name_filter: 'string_value',
      id_filter: 'int64_value',
    },
    GetSignedArtifactURL: runJobName,
    DeleteArtifact: runJobName,
  },
  [CACHE_SERVICE]: {
    CreateCacheEntry: { metadata: 'object', key: 'string', version: 'string' },
    FinalizeCacheEntryUpload: { metadata: 'object', key: 'string', size_bytes: 'int64', version: 'string' },
    GetCacheEntryDownloadURL: {
      metadata: 'object',
      key: 'string',
      restore_keys: 'strings',
      version: 'string',
    },
  },
}

/** A decoded request; absent fields read as their proto3 defaults. */
class Message {
  constructor(private readonly fields: Map<string, unknown>) {}
  str(name: string): string {
    const v = this.fields.get(name)
    return typeof v === 'string' ? v : ''
  }
  opt(name: string): string | undefined {
    const v = this.fields.get(name)
    return typeof v === 'string' ? v : undefined
  }
  num(name: string): number {
    const v = this.fields.get(name)
    return typeof v === 'number' ? v : 0
  }
  optNum(name: string): number | undefined {
    const v = this.fields.get(name)
    return typeof v === 'number' ? v : undefined
  }
  list(name: string): string[] {
    const v = this.fields.get(name)
    return Array.isArray(v) ? (v as string[]) : []
  }
}

const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

function parseInt64(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    const n = Number(value)
    if (Number.isSafeInteger(n)) return n
  }
  throw new TwirpError(
    'malformed',
    `field ${field}: expected an int64 (decimal string), got ${JSON.stringify(value)}`,
  )
}

function decodeField(kind: FieldKind, value: unknown, field: string): unknown {
  const bad = (what: string) =>
    new TwirpError('malformed', `field ${field}: expected ${what}, got ${JSON.stringify(value)}`)
  switch (kind) {
    case 'string':
    case 'string_value':
      if (typeof value !== 'string') throw bad(kind === 'string' ? 'a string' : 'a bare string (StringValue)')
      return value
    case 'int32':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw bad('an int32')
      return value
    case 'int64':
    case 'int64_value':
      return parseInt64(value, field)
    case 'timestamp':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw bad('an RFC 3339 timestamp')
      return value
    case 'strings':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw bad('a list of strings')
      return value
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('an object')
      return value
  }
}

function decodeMessage(schema: Schema, body: Buffer, rpc: string): Message {
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8') || '{}')
  } catch {
    throw new TwirpError('malformed', `${rpc}: body is not JSON`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TwirpError('malformed', `${rpc}: body is not a JSON object`)
  }
  const fields = new Map<string, unknown>()
  for (const [rawName, value] of Object.entries(json)) {
    const name = snakeCase(rawName)
    const kind = schema[name]
    if (!kind) throw new TwirpError('malformed', `${rpc}: unknown field ${JSON.stringify(rawName)}`)
    if (value === null) continue
    fields.set(name, decodeField(kind, value, name))
  }
  return new Message(fields)
}

// ---------------------------------------------------------------------------------------------------------
// Runtime token (a JWT whose signature nobody checks on the client side).

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

function makeToken(runId: string, jobId: string): string {
  const now = Math.floor(Date.now() / 1000)
  const header = { typ: 'JWT', alg: 'RS256', x5t: 'emulator' }
  const payload = {
    nameid: 'dddddddd-dddd-dddd-dddd-dddddddddddd',
    scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.Results:${runId}:${jobId} Actions.UploadArtifacts:${runId}:${jobId}`,
    ac: JSON.stringify([{ Scope: 'refs/heads/main', Permission: 3 }]),
    iss: 'vstoken.actions.githubusercontent.com',
    aud: 'vso:emulator',
    nbf: now - 60,
    iat: now - 60,
    exp: now + 6 * 3600,
  }
  return `${base64url(header)}.${base64url(payload)}.${randomBytes(32).toString('base64url')}`
}

/** The run and job ids of the `Actions.Results:<run>:<job>` scope of a bearer token. */
function idsFromAuthorization(header: string | undefined): { runId: string; jobId: string } {
  const token = /^Bearer (.+)$/i.exec(header ?? '')?.[1]
  if (!token) throw new TwirpError('unauthenticated', 'missing bearer token')
  let scp: unknown
  try {
    const payload = token.split('.')[1] ?? ''
    scp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { scp?: unknown }).scp
  } catch {
    throw new TwirpError('unauthenticated', 'bearer token is not a JWT')
  }
  for (const scope of typeof scp === 'string' ? scp.split(' ') : []) {
    const parts = scope.split(':')
    if (parts[0] === 'Actions.Results' && parts.length === 3) return { runId: parts[1]!, jobId: parts[2]! }
  }
  throw new TwirpError('unauthenticated', 'bearer token has no Actions.Results scope')
}

// ---------------------------------------------------------------------------------------------------------
// Blob storage behind the signed URLs: /blob/<container>/<id>/<file>?sv=...&sig=...
// (path-style, as Azurite: the SDK reads account "blob", container, then the blob name).

interface StoredBlob {
  container: 'artifacts' | 'caches'
  id: number
  file: string
  writeSig: string
  readSig: string
  staged: Map<string, Buffer>
  committedBlocks: Map<string, Buffer>
  committed?: Buffer
  contentType?: string
  /** Set once the owning artifact or cache entry is finalized: the upload URL is no longer writable. */
  sealed: boolean
}

interface ArtifactRecord extends Omit<ArtifactEntry, 'blob'> {
  version: number
  expiresAt?: string
  store: StoredBlob
}

interface CacheRecord extends Omit<CacheEntry, 'blob'> {
  store: StoredBlob
}

const xmlUnescape = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

// ---------------------------------------------------------------------------------------------------------

export async function startActionsService(): Promise<ActionsService> {
  const tempDir = await mkdtemp(join(tmpdir(), 'actions-service-'))
  const artifacts: ArtifactRecord[] = []
  const caches: CacheRecord[] = []
  const blobs = new Map<string, StoredBlob>()
  const calls: ServiceCall[] = []
  const errors: string[] = []
  const runNumbers = new Map<string, string>()
  let nextArtifactId = 1
  let nextCacheId = 1
  let url = ''

  const newBlob = (container: StoredBlob['container'], id: number, file: string): StoredBlob => {
    const blob: StoredBlob = {
      container,
      id,
      file,
      writeSig: randomBytes(24).toString('base64'),
      readSig: randomBytes(24).toString('base64'),
      staged: new Map(),
      committedBlocks: new Map(),
      sealed: false,
    }
    blobs.set(`${container}/${id}`, blob)
    return blob
  }

  const signedUrl = (blob: StoredBlob, mode: 'write' | 'read'): string => {
    const u = new URL(`blob/${blob.container}/${blob.id}/${encodeURIComponent(blob.file)}`, url)
    const expires = new Date(Date.now() + 6 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')
    u.searchParams.set('sv', '2025-01-05')
    u.searchParams.set('sr', 'b')
    u.searchParams.set('sp', mode === 'write' ? 'cw' : 'r')
    u.searchParams.set('se', expires)
    u.searchParams.set('sig', mode === 'write' ? blob.writeSig : blob.readSig)
    return u.toString()
  }

  // --- ArtifactService -----------------------------------------------------------------------------------

  const checkRun = (m: Message, auth: { runId: string; jobId: string }, rpc: string): string => {
    const runId = m.str('workflow_run_backend_id')
    const jobId = m.str('workflow_job_run_backend_id')
    if (!runId || !jobId) {
      throw new TwirpError(
        'invalid_argument',
        `${rpc}: workflow_run_backend_id and workflow_job_run_backend_id required`,
      )
    }
    if (runId !== auth.runId) {
      throw new TwirpError(
        'permission_denied',
        `${rpc}: token is for run ${auth.runId}, request for run ${runId}`,
      )
    }
    return runId
  }

  const requireName = (m: Message, rpc: string): string => {
    const name = m.str('name')
    if (!name) throw new TwirpError('invalid_argument', `${rpc}: name required`)
    return name
  }

  const artifactJson = (a: ArtifactRecord) => ({
    workflow_run_backend_id: a.runId,
    workflow_job_run_backend_id: a.jobId,
    database_id: String(a.id),
    name: a.name,
    size: String(a.size),
    created_at: a.createdAt.toISOString(),
    ...(a.digest ? { digest: a.digest } : {}),
  })

  const findFinalized = (runId: string, name: string) =>
    artifacts.find((a) => a.runId === runId && a.name === name && a.finalized)

  const artifactRpcs: Record<string, (m: Message, auth: { runId: string; jobId: string }) => object> = {
    CreateArtifact(m, auth) {
      const runId = checkRun(m, auth, 'CreateArtifact')
      const jobId = m.str('workflow_job_run_backend_id')
      if (jobId !== auth.jobId) {
        throw new TwirpError(
          'permission_denied',
          `CreateArtifact: token is for job ${auth.jobId}, not ${jobId}`,
        )
      }
      const name = requireName(m, 'CreateArtifact')
      const version = m.num('version')
      if (version < 4)
        throw new TwirpError('invalid_argument', `CreateArtifact: unsupported version ${version}`)
      if (artifacts.some((a) => a.runId === runId && a.name === name)) {
        throw new TwirpError(
          'already_exists',
          'an artifact with this name already exists on the workflow run',
          false,
        )
      }
      const mimeType = m.opt('mime_type')
      const id = nextArtifactId++
      const file = mimeType === 'application/zip' && !name.endsWith('.zip') ? `${name}.zip` : name
      const record: ArtifactRecord = {
        id,
        name,
        size: 0,
        runId,
        jobId,
        finalized: false,
        mimeType,
        createdAt: new Date(),
        version,
        expiresAt: m.opt('expires_at'),
        store: newBlob('artifacts', id, file),
      }
      artifacts.push(record)
      return { ok: true, signed_upload_url: signedUrl(record.store, 'write') }
    },

    FinalizeArtifact(m, auth) {
      const runId = checkRun(m, auth, 'FinalizeArtifact')
      const name = requireName(m, 'FinalizeArtifact')
      const a = artifacts.find((x) => x.runId === runId && x.name === name)
      if (!a)
        throw new TwirpError('not_found', `FinalizeArtifact: no artifact ${JSON.stringify(name)} in run`)
      if (a.jobId !== m.str('workflow_job_run_backend_id')) {
        throw new TwirpError('permission_denied', `FinalizeArtifact: ${name} was created by job ${a.jobId}`)
      }
      if (a.finalized)
        throw new TwirpError('failed_precondition', `FinalizeArtifact: ${name} already finalized`)
      const data = a.store.committed
      if (!data)
        throw new TwirpError('failed_precondition', `FinalizeArtifact: nothing was uploaded for ${name}`)
      const size = m.num('size')
      if (size !== data.length) {
        throw new TwirpError(
          'invalid_argument',
          `FinalizeArtifact: size ${size} but ${data.length} bytes uploaded`,
        )
      }
      const hash = m.opt('hash')
      if (hash !== undefined) {
        const actual = `sha256:${createHash('sha256').update(data).digest('hex')}`
        if (hash !== actual)
          throw new TwirpError('invalid_argument', `FinalizeArtifact: hash ${hash} but blob is ${actual}`)
      }
      a.finalized = true
      a.size = size
      a.digest = hash
      a.store.sealed = true
      return { ok: true, artifact_id: String(a.id) }
    },

    ListArtifacts(m, auth) {
      const runId = checkRun(m, auth, 'ListArtifacts')
      const nameFilter = m.opt('name_filter')
      const idFilter = m.optNum('id_filter')
      const list = artifacts.filter(
        (a) =>
          a.runId === runId &&
          a.finalized &&
          (nameFilter === undefined || a.name === nameFilter) &&
          (idFilter === undefined || a.id === idFilter),
      )
      return { artifacts: list.map(artifactJson) }
    },

    GetSignedArtifactURL(m, auth) {
      const runId = checkRun(m, auth, 'GetSignedArtifactURL')
      const name = requireName(m, 'GetSignedArtifactURL')
      const a = findFinalized(runId, name)
      if (!a) throw new TwirpError('not_found', 'artifact not found', false)
      return { signed_url: signedUrl(a.store, 'read') }
    },

    DeleteArtifact(m, auth) {
      const runId = checkRun(m, auth, 'DeleteArtifact')
      const name = requireName(m, 'DeleteArtifact')
      const a = findFinalized(runId, name)
      if (!a) throw new TwirpError('not_found', 'artifact not found', false)
      artifacts.splice(artifacts.indexOf(a), 1)
      blobs.delete(`artifacts/${a.id}`)
      return { ok: true, artifact_id: String(a.id) }
    },
  }

  // --- CacheService --------------------------------------------------------------------------------------

  const requireKeyVersion = (m: Message, rpc: string) => {
    const key = m.str('key')
    const version = m.str('version')
    if (!key || !version) throw new TwirpError('invalid_argument', `${rpc}: key and version required`)
    return { key, version }
  }

  const cacheRpcs: Record<string, (m: Message) => object> = {
    CreateCacheEntry(m) {
      const { key, version } = requireKeyVersion(m, 'CreateCacheEntry')
      if (caches.some((c) => c.key === key && c.version === version)) {
        throw new TwirpError(
          'already_exists',
          'cache entry with the same key, version, and scope already exists',
          false,
        )
      }
      const id = nextCacheId++
      const record: CacheRecord = {
        id,
        key,
        version,
        size: 0,
        finalized: false,
        createdAt: new Date(),
        store: newBlob('caches', id, 'cache.tar'),
      }
      caches.push(record)
      return { ok: true, signed_upload_url: signedUrl(record.store, 'write') }
    },

    FinalizeCacheEntryUpload(m) {
      const { key, version } = requireKeyVersion(m, 'FinalizeCacheEntryUpload')
      const c = caches.find((x) => x.key === key && x.version === version)
      if (!c) throw new TwirpError('not_found', `FinalizeCacheEntryUpload: no entry for key ${key}`)
      if (c.finalized)
        throw new TwirpError('failed_precondition', `FinalizeCacheEntryUpload: ${key} already finalized`)
      const data = c.store.committed
      if (!data)
        throw new TwirpError('failed_precondition', `FinalizeCacheEntryUpload: nothing uploaded for ${key}`)
      const size = m.num('size_bytes')
      if (size !== data.length) {
        throw new TwirpError(
          'invalid_argument',
          `FinalizeCacheEntryUpload: size ${size} but ${data.length} uploaded`,
        )
      }
      c.finalized = true
      c.size = size
      c.store.sealed = true
      return { ok: true, entry_id: String(c.id) }
    },

    GetCacheEntryDownloadURL(m) {
      const { key, version } = requireKeyVersion(m, 'GetCacheEntryDownloadURL')
      const candidates = caches
        .filter((c) => c.finalized && c.version === version)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
      // As documented ("Cache key matching"): an exact match on the key, else the newest entry the key is a
      // prefix of, else, for each restore key in order, the newest entry it is a prefix of.
      const hit =
        candidates.find((c) => c.key === key) ??
        [key, ...m.list('restore_keys')].map((k) => candidates.find((c) => c.key.startsWith(k))).find(Boolean)
      if (!hit) return { ok: false, signed_download_url: '', matched_key: '' }
      return { ok: true, signed_download_url: signedUrl(hit.store, 'read'), matched_key: hit.key }
    },
  }

  // --- HTTP ----------------------------------------------------------------------------------------------

  const sendJson = (res: ServerResponse, status: number, body: object) => {
    const text = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }

  const handleTwirp = async (
    req: IncomingMessage,
    res: ServerResponse,
    call: ServiceCall,
    service: string,
    rpc: string,
  ) => {
    const body = await readBody(req)
    try {
      if (req.method !== 'POST')
        throw new TwirpError('bad_route', `${req.method} ${call.path}: Twirp needs POST`)
      const schema = SCHEMAS[service]?.[rpc]
      const handlers: Record<string, unknown> = service === ARTIFACT_SERVICE ? artifactRpcs : cacheRpcs
      if (!schema || typeof handlers[rpc] !== 'function') {
        throw new TwirpError('bad_route', `unknown rpc ${service}/${rpc}`)
      }
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
      if (contentType !== 'application/json') {
        throw new TwirpError('bad_route', `${rpc}: unsupported content-type ${JSON.stringify(contentType)}`)
      }
      const auth = idsFromAuthorization(req.headers.authorization)
      const message = decodeMessage(schema, body, rpc)
      const answer =
        service === ARTIFACT_SERVICE ? artifactRpcs[rpc]!(message, auth) : cacheRpcs[rpc]!(message)
      sendJson(res, 200, answer)
    } catch (error) {
      if (!(error instanceof TwirpError)) throw error
      if (error.report) errors.push(`${service.split('.').pop()}/${rpc}: ${error.message}`)
      sendJson(res, TWIRP_STATUS[error.code], { code: error.code, msg: error.message })
    }
  }

  const blobHeaders = (extra: Record<string, string | number> = {}) => ({
    'x-ms-request-id': randomBytes(16).toString('hex'),
    'x-ms-version': '2025-01-05',
    date: new Date().toUTCString(),
    ...extra,
  })

  const handleBlob = async (req: IncomingMessage, res: ServerResponse, call: ServiceCall, u: URL) => {
    const body = await readBody(req)
    const method = req.method ?? ''
    try {
      const [, , container, id] = u.pathname.split('/')
      const blob = blobs.get(`${container}/${id}`)
      if (!blob) throw new BlobError(404, 'BlobNotFound', `no blob at ${u.pathname}`)
      const sig = u.searchParams.get('sig')
      const reading = method === 'GET' || method === 'HEAD'
      if (sig !== (reading ? blob.readSig : blob.writeSig)) {
        throw new BlobError(
          403,
          'AuthenticationFailed',
          `${method} ${u.pathname}: signature is not the one issued`,
        )
      }
      if (reading) {
        const data = blob.committed
        if (!data) throw new BlobError(404, 'BlobNotFound', `${u.pathname}: nothing committed`)
        let start = 0
        let end = data.length - 1
        const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers['x-ms-range'] ?? req.headers.range ?? ''))
        const ranged = Boolean(range && (range[1] || range[2]))
        if (range && ranged) {
          if (range[1]) {
            start = Number(range[1])
            if (range[2]) end = Math.min(end, Number(range[2]))
          } else {
            start = Math.max(0, data.length - Number(range[2]))
          }
          if (start >= data.length || start > end) {
            throw new BlobError(
              416,
              'InvalidRange',
              `${u.pathname}: range ${range[0]} of ${data.length} bytes`,
            )
          }
        }
        const slice = data.subarray(start, end + 1)
        const headers = blobHeaders({
          'content-type': blob.contentType ?? 'application/octet-stream',
          'content-length': slice.length,
          'accept-ranges': 'bytes',
          'x-ms-blob-type': 'BlockBlob',
          'content-disposition': `attachment; filename="${blob.file.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(blob.file)}`,
          ...(ranged ? { 'content-range': `bytes ${start}-${end}/${data.length}` } : {}),
        })
        res.writeHead(ranged ? 206 : 200, headers)
        res.end(method === 'HEAD' ? undefined : slice)
        return
      }
      if (method !== 'PUT') throw new BlobError(405, 'UnsupportedHttpVerb', `${method} ${u.pathname}`)
      if (blob.sealed) throw new BlobError(409, 'BlobImmutable', `${u.pathname}: written after finalize`)
      const md5 = req.headers['content-md5']
      if (typeof md5 === 'string' && md5 !== createHash('md5').update(body).digest('base64')) {
        throw new BlobError(400, 'Md5Mismatch', `${u.pathname}: Content-MD5 does not match the body`)
      }
      const comp = u.searchParams.get('comp')
      if (comp === 'block') {
        const blockId = u.searchParams.get('blockid')
        if (!blockId) throw new BlobError(400, 'InvalidQueryParameterValue', 'Put Block without blockid')
        blob.staged.set(blockId, body)
      } else if (comp === 'blocklist') {
        const xml = body.toString('utf8')
        if (!/<BlockList>/.test(xml))
          throw new BlobError(400, 'InvalidXmlDocument', 'Put Block List without <BlockList>')
        const parts: Buffer[] = []
        const blocks = new Map<string, Buffer>()
        for (const [, kind, raw] of xml.matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)) {
          const blockId = xmlUnescape(raw ?? '')
          const block =
            kind === 'Committed'
              ? blob.committedBlocks.get(blockId)
              : kind === 'Uncommitted'
                ? blob.staged.get(blockId)
                : (blob.staged.get(blockId) ?? blob.committedBlocks.get(blockId))
          if (!block)
            throw new BlobError(400, 'InvalidBlockList', `block ${blockId} (${kind}) was never staged`)
          parts.push(block)
          blocks.set(blockId, block)
        }
        blob.committed = Buffer.concat(parts)
        blob.committedBlocks = blocks
        blob.staged.clear()
        blob.contentType =
          String(req.headers['x-ms-blob-content-type'] ?? blob.contentType ?? '') || undefined
      } else if (comp === null) {
        if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
          throw new BlobError(400, 'MissingRequiredHeader', 'Put Blob needs x-ms-blob-type: BlockBlob')
        }
        blob.committed = body
        blob.committedBlocks = new Map()
        blob.staged.clear()
        blob.contentType = String(req.headers['x-ms-blob-content-type'] ?? '') || undefined
      } else {
        throw new BlobError(400, 'UnsupportedQueryParameter', `comp=${comp}`)
      }
      const headers: Record<string, string | number> = {
        'content-length': 0,
        'x-ms-request-server-encrypted': 'true',
      }
      if (comp !== 'block') {
        headers.etag = `"0x${randomBytes(8).toString('hex').toUpperCase()}"`
        headers['last-modified'] = new Date().toUTCString()
      }
      res.writeHead(201, blobHeaders(headers))
      res.end()
    } catch (error) {
      if (!(error instanceof BlobError)) throw error
      errors.push(`blob ${method} ${call.path}: ${error.message}`)
      const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${error.code}</Code><Message>${error.message.replace(/[<&>]/g, '_')}</Message></Error>`
      res.writeHead(
        error.status,
        blobHeaders({
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(xml),
          'x-ms-error-code': error.code,
        }),
      )
      res.end(method === 'HEAD' ? undefined : xml)
    }
  }

  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://emulator')
    const comp = u.searchParams.get('comp')
    const call: ServiceCall = {
      method: req.method ?? '',
      path: u.pathname + (comp ? `?comp=${comp}` : ''),
      status: 0,
    }
    const twirp = /^\/twirp\/([^/]+)\/([^/]+)$/.exec(u.pathname)
    if (twirp) {
      call.service = twirp[1]
      call.rpc = twirp[2]
    }
    res.on('finish', () => {
      call.status = res.statusCode
      calls.push(call)
    })
    const handle = async () => {
      if (twirp && (twirp[1] === ARTIFACT_SERVICE || twirp[1] === CACHE_SERVICE)) {
        await handleTwirp(req, res, call, twirp[1], twirp[2]!)
      } else if (twirp) {
        await readBody(req)
        errors.push(`unknown twirp service ${twirp[1]}/${twirp[2]}`)
        sendJson(res, 404, { code: 'bad_route', msg: `unknown service ${twirp[1]}` })
      } else if (u.pathname.startsWith('/blob/')) {
        await handleBlob(req, res, call, u)
      } else {
        await readBody(req)
        errors.push(`unknown route ${req.method} ${u.pathname}${u.search}`)
        sendJson(res, 404, { message: 'Not Found' })
      }
    }
    handle().catch((error: unknown) => {
      errors.push(`emulator crashed on ${req.method} ${u.pathname}: ${String(error)}`)
      if (!res.headersSent) sendJson(res, 400, { code: 'malformed', msg: 'emulator error' })
      else res.destroy()
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`

  return {
    url,
    env(runId = DEFAULT_RUN_ID, jobId = DEFAULT_JOB_ID) {
      for (const id of [runId, jobId]) {
        if (!id || /[\s:]/.test(id))
          throw new Error(`run and job ids must be non-empty without ':' or spaces: ${id}`)
      }
      let runNumber = /^\d+$/.test(runId) ? runId : runNumbers.get(runId)
      if (!runNumber) {
        runNumber = String(900_000 + runNumbers.size + 1)
        runNumbers.set(runId, runNumber)
      }
      return {
        ACTIONS_RUNTIME_TOKEN: makeToken(runId, jobId),
        ACTIONS_RESULTS_URL: url,
        ACTIONS_CACHE_SERVICE_V2: 'true',
        // Only read by the v1 cache client; pointing it here turns an accidental v1 fallback into `errors`.
        ACTIONS_CACHE_URL: url,
        ACTIONS_CACHE_MODE: 'write',
        // A GHES-looking server URL makes @actions/artifact refuse and @actions/cache fall back to v1.
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: runNumber,
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_JOB: jobId,
        RUNNER_TEMP: tempDir,
      }
    },
    get artifacts() {
      return artifacts.map(({ store, version: _v, expiresAt: _e, ...a }) => ({
        ...a,
        size: a.finalized ? a.size : (store.committed?.length ?? 0),
        blob: store.committed ?? Buffer.alloc(0),
      }))
    },
    get caches() {
      return caches.map(({ store, ...c }) => ({
        ...c,
        size: c.finalized ? c.size : (store.committed?.length ?? 0),
        blob: store.committed ?? Buffer.alloc(0),
      }))
    },
    calls,
    errors,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await rm(tempDir, { recursive: true, force: true })
    },
  }
}
