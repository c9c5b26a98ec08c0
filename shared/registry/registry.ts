import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { InputError, MlopsError, NotFoundError } from '../errors.js'

/**
 * The model registry: one interface, four backends (`local`, `github`, `oci`, `mlflow`; see `./open.ts`).
 *
 * A model has versions, integers that only grow (1, 2, 3...), each holding the model files, the metrics,
 * params, data fingerprints and lineage of the run that produced it, and a Markdown model card. Aliases
 * (`staging`, `production`) point at versions; every move is kept in the alias history.
 *
 * Registering the same model digest from the same run again returns the existing version. A backend never
 * leaves a half-written version (a number without its files) visible, nor an alias pointing at nothing.
 */

export const BACKENDS = ['local', 'github', 'oci', 'mlflow'] as const
export type BackendKind = (typeof BACKENDS)[number]

/** Where a version came from: the workflow run that trained or registered it. */
export interface Lineage {
  readonly repository?: string
  readonly sha?: string
  readonly ref?: string
  readonly workflow?: string
  readonly runUrl?: string
  readonly actor?: string
}

/** One file of a model, path relative to the model root, `/`-separated. */
export interface ModelFile {
  readonly path: string
  readonly size: number
  readonly sha256: string
}

/** What a caller gives to register a version (besides the files on disk). */
export interface VersionInfo {
  /** The run that produced the model: with the digest, the idempotency key of a registration. */
  readonly runId: string
  readonly metrics?: Readonly<Record<string, number>>
  readonly params?: Readonly<Record<string, unknown>>
  readonly dataFingerprints?: Readonly<Record<string, string>>
  /** One paragraph: the data validation and gate verdicts of the run. */
  readonly validation?: string
  readonly intendedUse?: string
  readonly description?: string
  readonly flavor?: string
  readonly lineage?: Lineage
}

/** A registered version, as every backend returns it. */
export interface ModelVersion extends VersionInfo {
  readonly name: string
  readonly version: number
  /** `sha256:<hex>` over the sorted file list (path, size, content digest). */
  readonly digest: string
  readonly createdAt: string
  readonly files: readonly ModelFile[]
  /** Where the version lives, in the backend's own terms (a path, a release URL, an OCI reference...). */
  readonly uri: string
  /** The model card, Markdown. */
  readonly card: string
}

/** One alias move. `from` is absent when the alias was new. */
export interface AliasMove {
  readonly alias: string
  readonly from?: number
  readonly to: number
  readonly at: string
  readonly by?: string
  readonly reason?: string
}

export interface RegisterRequest {
  readonly name: string
  /** A model file or a directory (every file below it, recursively). */
  readonly modelPath: string
  readonly info: VersionInfo
  /** Files stored beside the model (e.g. `run-record.json`); not part of the digest. */
  readonly attachments?: readonly { name: string; data: Uint8Array }[]
  /** Claim exactly this number instead of the next one; fails if it is taken by another model digest. */
  readonly version?: number
}

export interface RegisterResult {
  readonly version: ModelVersion
  /** False when this run had registered this digest before and the existing version was returned. */
  readonly created: boolean
}

export interface ModelRegistry {
  readonly kind: BackendKind
  /** Human-readable location (a directory, `owner/repo`, a registry URL...). */
  readonly address: string

  register(req: RegisterRequest): Promise<RegisterResult>
  /** A version by number or alias; `NotFoundError` when there is none. */
  get(name: string, ref: number | string): Promise<ModelVersion>
  /** Every version of a model, oldest first; empty when the model is unknown. */
  versions(name: string): Promise<ModelVersion[]>
  /** The model names the registry holds. */
  models(): Promise<string[]>
  /** Alias → version. */
  aliases(name: string): Promise<Record<string, number>>
  /** Moves (or creates) an alias; the version must exist. Returns the move recorded. */
  setAlias(
    name: string,
    alias: string,
    version: number,
    meta?: { by?: string; reason?: string },
  ): Promise<AliasMove>
  /** Every move of the model's aliases (or of one alias), oldest first. */
  history(name: string, alias?: string): Promise<AliasMove[]>
  /** Writes the version's model files under `dir` (created); returns `dir`. */
  download(name: string, ref: number | string, dir: string): Promise<string>
}

/** A fault of the registry itself (5xx, unreachable, refused credentials), as opposed to bad input. */
export class RegistryError extends MlopsError {}

// ---------------------------------------------------------------------------------------------------------
// Names, references, files: the rules every backend shares
// ---------------------------------------------------------------------------------------------------------

/**
 * Model names: lower-case letters, digits, `.`, `_`, `-`, starting with a letter or digit, at most 64
 * characters. The strictest common ground: OCI repository path components are lower-case, git refs forbid
 * `..` and spaces, MLflow accepts anything. Rejected up front so no backend stores half a model.
 */
const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/
const ALIAS_RE = /^[a-z][a-z0-9_-]{0,62}$/

export function checkName(name: string): string {
  if (!NAME_RE.test(name) || name.includes('..')) {
    throw new InputError(
      'name',
      `'${name}' cannot be stored in a model registry`,
      'Use lower-case letters, digits, ".", "_" and "-" (at most 64, starting with a letter or digit)',
    )
  }
  return name
}

/** Aliases: lower-case words such as `staging`, `production`, `champion`; never `v<N>` or `latest`. */
export function checkAlias(alias: string): string {
  if (!ALIAS_RE.test(alias) || /^v\d+$/.test(alias) || alias === 'latest') {
    throw new InputError(
      'alias',
      `'${alias}' is not a valid alias`,
      "Use a lower-case word such as 'staging' or 'production' (not 'latest' or 'v<N>')",
    )
  }
  return alias
}

/**
 * Parses a model reference: `3`, `v3`, an alias, or `latest`. Numbers come back as numbers.
 */
export function parseRef(ref: number | string): number | string {
  if (typeof ref === 'number') return ref
  const m = /^v?(\d+)$/.exec(ref.trim())
  if (m) return Number(m[1])
  return ref.trim()
}

/** Splits `name@3`, `name@v3`, `name@production`, `name` (latest) into name and reference. */
export function parseModelRef(text: string): { name: string; ref: number | string } {
  const at = text.lastIndexOf('@')
  const name = at < 0 ? text.trim() : text.slice(0, at).trim()
  const ref = at < 0 ? 'latest' : text.slice(at + 1).trim()
  if (!name || !ref) throw new InputError('model', `'${text}' is not 'name@version' or 'name@alias'`)
  return { name: checkName(name), ref: parseRef(ref) }
}

/** Resolves a reference against what a backend knows: versions (sorted) and aliases. */
export function resolveRef(
  name: string,
  ref: number | string,
  versions: readonly number[],
  aliases: Readonly<Record<string, number>>,
): number {
  const r = parseRef(ref)
  if (typeof r === 'number') {
    if (!versions.includes(r))
      throw new NotFoundError(`Model '${name}' has no version ${r}${known(versions)}`)
    return r
  }
  if (r === 'latest') {
    const last = versions.at(-1)
    if (last === undefined) throw new NotFoundError(`Model '${name}' has no versions yet`)
    return last
  }
  const v = aliases[r]
  if (v === undefined) {
    const names = Object.keys(aliases)
    throw new NotFoundError(
      `Model '${name}' has no alias '${r}'${names.length ? ` (aliases: ${names.join(', ')})` : ' (no aliases yet)'}`,
    )
  }
  return v
}

const known = (versions: readonly number[]) =>
  versions.length ? ` (versions: ${versions.join(', ')})` : ' (no versions yet)'

/** A model on disk: its files (sorted by path) and their digest. */
export interface ModelBundle {
  readonly root: string
  /** True when the model is one file; `files[0].path` is then its base name. */
  readonly single: boolean
  readonly files: readonly (ModelFile & { abs: string })[]
  readonly digest: string
}

/** Reads a model file or directory; an empty or missing path is an `InputError`, before anything is written. */
export async function readModel(modelPath: string): Promise<ModelBundle> {
  if (!modelPath) throw new InputError('model-path', 'is empty', 'Point it at the model file or directory')
  let st: Awaited<ReturnType<typeof stat>>
  try {
    st = await stat(modelPath)
  } catch {
    throw new InputError('model-path', `'${modelPath}' does not exist`)
  }
  const single = !st.isDirectory()
  const root = single ? path.dirname(modelPath) : modelPath
  const rels = single ? [path.basename(modelPath)] : await walk(modelPath, '')
  if (rels.length === 0) {
    throw new InputError('model-path', `'${modelPath}' is an empty directory`, 'Train the model first')
  }
  const files = await Promise.all(
    rels.sort().map(async (rel) => {
      const abs = path.join(root, rel)
      const s = await stat(abs)
      return { path: rel, abs, size: s.size, sha256: await sha256File(abs) }
    }),
  )
  const h = createHash('sha256')
  for (const f of files) h.update(`${f.path}\0${f.size}\0${f.sha256}\n`)
  return { root, single, files, digest: `sha256:${h.digest('hex')}` }
}

async function walk(dir: string, prefix: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name
    if (e.isDirectory()) out.push(...(await walk(path.join(dir, e.name), rel)))
    else if (e.isFile()) out.push(rel)
  }
  return out
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256')
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')))
  })
}

/** Refuses a file path that would escape the download directory (`..`, absolute). */
export function safeRelative(p: string): string {
  const norm = path.posix.normalize(p)
  if (norm.startsWith('../') || norm === '..' || path.posix.isAbsolute(norm) || norm.includes('\0')) {
    throw new RegistryError(`Refusing model file path '${p}': it leaves the model directory`)
  }
  return norm
}

/** The per-version metadata document every backend stores (JSON). */
export const VERSION_SCHEMA = 'mlops-actions/model-version@1'

export function versionDocument(v: ModelVersion): Record<string, unknown> {
  const { card: _card, uri: _uri, ...rest } = v
  return { schema: VERSION_SCHEMA, ...rest }
}

/** Reads a version document back; `uri` and `card` come from the backend. */
export function fromVersionDocument(doc: unknown, uri: string, card: string): ModelVersion {
  const d = doc as Partial<ModelVersion> & { schema?: string }
  if (!d || d.schema !== VERSION_SCHEMA || typeof d.version !== 'number' || !d.name || !d.digest) {
    throw new RegistryError(`Not a model version document at ${uri}`)
  }
  const { schema: _s, ...rest } = d as ModelVersion & { schema: string }
  return { ...rest, uri, card }
}

/** What every backend needs besides its address. */
export interface RegistryDeps {
  readonly log: import('../util/logger.js').Logger
  /** Now; tests pin it. */
  readonly clock?: () => Date
  /** Credentials: a token (GitHub, OCI bearer, MLflow) or `user:password` for basic auth. */
  readonly token?: string
  readonly username?: string
  readonly password?: string
  /** The GitHub commit versions are tagged at (github backend); default: the default branch head. */
  readonly sha?: string
  /** The `fetch` to use (tests); default the global one. */
  readonly fetch?: typeof fetch
}

/** Assembles a version from the files read, the caller's info and the number claimed. */
export function makeVersion(
  name: string,
  version: number,
  bundle: ModelBundle,
  info: VersionInfo,
  createdAt: string,
  uri: string,
  renderCard: (v: Omit<ModelVersion, 'card' | 'uri'>) => string,
): ModelVersion {
  const base = {
    ...info,
    name,
    version,
    digest: bundle.digest,
    createdAt,
    files: bundle.files.map(({ path: p, size, sha256 }) => ({ path: p, size, sha256 })),
  }
  return { ...base, uri, card: renderCard(base) }
}

/** Checks the files written by `download` against the version's digests. */
export async function verifyFiles(dir: string, files: readonly ModelFile[]): Promise<void> {
  for (const f of files) {
    const got = await sha256File(path.join(dir, safeRelative(f.path)))
    if (got !== f.sha256) {
      throw new RegistryError(`Downloaded '${f.path}' has sha256 ${got}, the registry recorded ${f.sha256}`)
    }
  }
}

/** Is this version the same registration (same run, same files)? */
export const sameRegistration = (v: Pick<ModelVersion, 'runId' | 'digest'>, runId: string, digest: string) =>
  v.runId === runId && v.digest === digest
