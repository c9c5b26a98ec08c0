import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { InputError, MlopsError, NotFoundError, PermissionError } from '../../errors.js'
import type { Logger } from '../../util/logger.js'
import { renderModelCard } from '../model-card.js'
import {
  type AliasMove,
  checkAlias,
  checkName,
  fromVersionDocument,
  type ModelRegistry,
  type ModelVersion,
  type RegisterRequest,
  type RegisterResult,
  type RegistryDeps,
  RegistryError,
  readModel,
  resolveRef,
  safeRelative,
  sameRegistration,
  VERSION_SCHEMA,
  verifyFiles,
} from '../registry.js'

interface MlflowTag {
  key: string
  value: string
}
interface MlflowVersion {
  name: string
  version: string
  source?: string
  run_id?: string
  status?: string
  creation_timestamp?: number
  tags?: MlflowTag[]
  aliases?: string[]
}
interface MlflowModel {
  name: string
  tags?: MlflowTag[]
  aliases?: { alias: string; version: string }[]
}

const HISTORY_TAG = 'mlops.alias_history'
/** MLflow limits tag values; the history keeps the most recent moves that fit. */
const HISTORY_LIMIT = 4500

/**
 * The `mlflow` backend: MLflow's Model Registry REST API (`/api/2.0/mlflow/...`), which GitLab and others
 * also serve.
 *
 * - Files go first, through MLflow's artifact proxy (`PUT /api/2.0/mlflow-artifacts/artifacts/...`, a server
 *   started with `--serve-artifacts`), under `mlops-registry/<name>/<registration key>/`: the model files in
 *   `model/`, `version.json` (metrics, params, lineage, file digests) and the run records. Only then is the
 *   version created (`model-versions/create` with `source` = that directory and `run_id`), so a version never
 *   exists without its files. MLflow numbers versions itself, atomically.
 * - The model card is rendered from `version.json` and the number, and set as the version's description.
 * - Tags on the version: `mlops.digest`, `mlops.run_id`, `mlops.metrics` (idempotent re-runs search by them).
 * - Aliases are MLflow aliases (`registered-models/alias`). MLflow keeps no alias history, so the moves are
 *   kept as JSON in the registered-model tag `mlops.alias_history` (most recent moves, within MLflow's tag
 *   size limit). Writing that tag is read-modify-write: two promotions of one model at the same instant can
 *   lose one history entry (the alias itself is always right).
 */
export class MlflowRegistry implements ModelRegistry {
  readonly kind = 'mlflow' as const
  readonly address: string
  private readonly log: Logger
  private readonly clock: () => Date
  private readonly fetch: typeof fetch

  constructor(
    address: string,
    private readonly deps: RegistryDeps,
  ) {
    if (!/^https?:\/\/[^/]+/.test(address)) {
      throw new InputError(
        'registry',
        `must be the MLflow tracking server URL (http[s]://host:port); got '${address}'`,
      )
    }
    this.address = address.replace(/\/+$/, '')
    this.log = deps.log
    this.clock = deps.clock ?? (() => new Date())
    this.fetch = deps.fetch ?? fetch
  }

  private headers(): Record<string, string> {
    const { username, password, token } = this.deps
    if (username && password)
      return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` }
    if (token) return { authorization: `Bearer ${token}` }
    return {}
  }

  private async call<T>(
    what: string,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT',
    endpoint: string,
    body?: Record<string, unknown> | Uint8Array,
  ): Promise<T> {
    const url = `${this.address}${endpoint}`
    let res: Response
    const raw = body instanceof Uint8Array
    for (let attempt = 0; ; attempt++) {
      try {
        res = await this.fetch(url, {
          method,
          headers: {
            ...this.headers(),
            ...(body ? { 'content-type': raw ? 'application/octet-stream' : 'application/json' } : {}),
          },
          ...(body ? { body: raw ? body : JSON.stringify(body) } : {}),
        })
      } catch (e) {
        throw new RegistryError(
          `Could not reach the MLflow server at ${this.address} to ${what}: ${(e as Error).message}`,
        )
      }
      if (res.status < 500 || method === 'POST' || attempt >= 2) break
      await res.arrayBuffer().catch(() => undefined)
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt))
    }
    if (res.ok) {
      if (endpoint.startsWith('/api/2.0/mlflow-artifacts/') && method === 'GET')
        return Buffer.from(await res.arrayBuffer()) as T
      const text = await res.text()
      return (text ? JSON.parse(text) : {}) as T
    }
    const text = await res.text().catch(() => '')
    let err: { error_code?: string; message?: string } = {}
    try {
      err = JSON.parse(text)
    } catch {
      // not JSON
    }
    const said = err.message ?? text.slice(0, 200)
    if (res.status === 401)
      throw new PermissionError(`The MLflow server rejected the credentials to ${what} (401): ${said}`)
    if (res.status === 403) throw new PermissionError(`The MLflow server refused to ${what} (403): ${said}`)
    if (err.error_code === 'RESOURCE_DOES_NOT_EXIST' || res.status === 404)
      throw new NotFoundError(`MLflow could not ${what}: ${said || 'not found'}`)
    throw new MlopsError(
      `The MLflow server failed to ${what} (${res.status}${err.error_code ? ` ${err.error_code}` : ''}): ${said}`,
      {
        cause: err,
      },
    )
  }

  private q = (o: Record<string, string | number>) =>
    `?${Object.entries(o)
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
      .join('&')}`

  private artifactUrl = (p: string) =>
    `/api/2.0/mlflow-artifacts/artifacts/${p.split('/').map(encodeURIComponent).join('/')}`

  /** `mlflow-artifacts:/a/b` → `a/b` */
  private artifactPath(source: string): string {
    const m = /^mlflow-artifacts:\/+(.*)$/.exec(source)
    if (!m)
      throw new RegistryError(
        `Version source '${source}' is not an mlflow-artifacts: URI written by mlops-actions`,
      )
    return m[1]!.replace(/\/+$/, '')
  }

  private async allVersions(name: string): Promise<MlflowVersion[]> {
    const out: MlflowVersion[] = []
    let token: string | undefined
    do {
      const r = await this.call<{ model_versions?: MlflowVersion[]; next_page_token?: string }>(
        `list the versions of '${name}'`,
        'GET',
        `/api/2.0/mlflow/model-versions/search${this.q({ filter: `name='${name}'`, max_results: 200, ...(token ? { page_token: token } : {}) })}`,
      )
      out.push(...(r.model_versions ?? []))
      token = r.next_page_token || undefined
    } while (token)
    return out
      .filter((v) => v.name === name && (v.status ?? 'READY') === 'READY')
      .sort((a, b) => Number(a.version) - Number(b.version))
  }

  private tag = (v: { tags?: MlflowTag[] }, key: string) => v.tags?.find((t) => t.key === key)?.value

  private async readVersion(v: MlflowVersion): Promise<ModelVersion> {
    const root = this.artifactPath(v.source ?? '')
    const doc = JSON.parse(
      (
        await this.call<Buffer>(`read ${root}/version.json`, 'GET', this.artifactUrl(`${root}/version.json`))
      ).toString('utf8'),
    ) as Record<string, unknown>
    const withNumber = { ...doc, version: Number(v.version) }
    const base = fromVersionDocument(withNumber, `models:/${v.name}/${v.version}`, '')
    const { card: _c, uri: _u, ...rest } = base
    return { ...base, card: renderModelCard(rest) }
  }

  async models(): Promise<string[]> {
    const names: string[] = []
    let token: string | undefined
    do {
      const r = await this.call<{ registered_models?: MlflowModel[]; next_page_token?: string }>(
        'list registered models',
        'GET',
        `/api/2.0/mlflow/registered-models/search${this.q({ max_results: 200, ...(token ? { page_token: token } : {}) })}`,
      )
      names.push(...(r.registered_models ?? []).map((m) => m.name))
      token = r.next_page_token || undefined
    } while (token)
    return names.sort()
  }

  async versions(name: string): Promise<ModelVersion[]> {
    checkName(name)
    return Promise.all((await this.allVersions(name)).map((v) => this.readVersion(v)))
  }

  private async model(name: string): Promise<MlflowModel | undefined> {
    try {
      const r = await this.call<{ registered_model: MlflowModel }>(
        `read registered model '${name}'`,
        'GET',
        `/api/2.0/mlflow/registered-models/get${this.q({ name })}`,
      )
      return r.registered_model
    } catch (e) {
      if (e instanceof NotFoundError) return undefined
      throw e
    }
  }

  async aliases(name: string): Promise<Record<string, number>> {
    checkName(name)
    const m = await this.model(name)
    return Object.fromEntries((m?.aliases ?? []).map((a) => [a.alias, Number(a.version)]))
  }

  async get(name: string, ref: number | string): Promise<ModelVersion> {
    checkName(name)
    const [all, aliases] = await Promise.all([this.allVersions(name), this.aliases(name)])
    const n = resolveRef(
      name,
      ref,
      all.map((v) => Number(v.version)),
      aliases,
    )
    return this.readVersion(all.find((v) => Number(v.version) === n)!)
  }

  async register(req: RegisterRequest): Promise<RegisterResult> {
    const name = checkName(req.name)
    const bundle = await readModel(req.modelPath)
    const existing = await this.allVersions(name)
    const same = existing.find((v) =>
      sameRegistration(
        { runId: this.tag(v, 'mlops.run_id') ?? '', digest: this.tag(v, 'mlops.digest') ?? '' },
        req.info.runId,
        bundle.digest,
      ),
    )
    if (same) return { version: await this.readVersion(same), created: false }
    if (req.version !== undefined) {
      throw new InputError(
        'version',
        'cannot be chosen on the mlflow backend: MLflow numbers versions itself',
        'Leave it empty',
      )
    }
    // 1. Files, under a directory only this registration uses.
    const key = createHash('sha256').update(`${bundle.digest}\0${req.info.runId}`).digest('hex').slice(0, 24)
    const root = `mlops-registry/${name}/${key}`
    for (const f of bundle.files) {
      await this.call(
        `upload ${f.path}`,
        'PUT',
        this.artifactUrl(`${root}/model/${f.path}`),
        await readFile(f.abs),
      )
    }
    for (const a of req.attachments ?? []) {
      await this.call(
        `upload ${a.name}`,
        'PUT',
        this.artifactUrl(`${root}/attachments/${safeRelative(a.name)}`),
        a.data,
      )
    }
    const createdAt = this.clock().toISOString()
    const doc = {
      schema: VERSION_SCHEMA,
      ...req.info,
      name,
      version: 0, // MLflow assigns the number; readers take it from the model version
      digest: bundle.digest,
      createdAt,
      files: bundle.files.map(({ path: p, size, sha256 }) => ({ path: p, size, sha256 })),
    }
    await this.call(
      'upload version.json',
      'PUT',
      this.artifactUrl(`${root}/version.json`),
      Buffer.from(JSON.stringify(doc, null, 2)),
    )
    // 2. The registered model (once), then the version.
    if (!(await this.model(name))) {
      try {
        await this.call(
          `create registered model '${name}'`,
          'POST',
          '/api/2.0/mlflow/registered-models/create',
          {
            name,
            tags: [{ key: 'mlops.managed_by', value: 'mlops-actions' }],
          },
        )
      } catch (e) {
        if (!/RESOURCE_ALREADY_EXISTS/.test((e as Error).message)) throw e // a concurrent writer created it
      }
    }
    const l = req.info.lineage ?? {}
    const { model_version: mv } = await this.call<{ model_version: MlflowVersion }>(
      `create a version of '${name}'`,
      'POST',
      '/api/2.0/mlflow/model-versions/create',
      {
        name,
        source: `mlflow-artifacts:/${root}`,
        run_id: req.info.runId,
        ...(l.runUrl ? { run_link: l.runUrl } : {}),
        tags: [
          { key: 'mlops.digest', value: bundle.digest },
          { key: 'mlops.run_id', value: req.info.runId },
          { key: 'mlops.metrics', value: JSON.stringify(req.info.metrics ?? {}) },
          ...(l.sha ? [{ key: 'mlops.git_sha', value: l.sha }] : []),
        ],
      },
    )
    const version = await this.readVersion(mv)
    await this.call(`describe ${name} v${mv.version}`, 'PATCH', '/api/2.0/mlflow/model-versions/update', {
      name,
      version: mv.version,
      description: version.card,
    }).catch((e: Error) =>
      this.log.warning(`${name} v${mv.version} is registered, but its description was not set: ${e.message}`),
    )
    return { version, created: true }
  }

  private async historyOf(name: string): Promise<AliasMove[]> {
    const raw = this.tag((await this.model(name)) ?? { tags: [] }, HISTORY_TAG)
    return raw ? (JSON.parse(raw) as AliasMove[]) : []
  }

  async history(name: string, alias?: string): Promise<AliasMove[]> {
    checkName(name)
    return (await this.historyOf(name)).filter((m) => !alias || m.alias === alias)
  }

  async setAlias(
    name: string,
    alias: string,
    version: number,
    meta: { by?: string; reason?: string } = {},
  ): Promise<AliasMove> {
    checkName(name)
    checkAlias(alias)
    const all = await this.allVersions(name)
    if (!all.some((v) => Number(v.version) === version)) {
      throw new NotFoundError(
        `Cannot point alias '${alias}' at ${name} v${version}: no such version${all.length ? ` (versions: ${all.map((v) => v.version).join(', ')})` : ''}`,
      )
    }
    const from = (await this.aliases(name))[alias]
    await this.call(`set alias '${alias}' of '${name}'`, 'POST', '/api/2.0/mlflow/registered-models/alias', {
      name,
      alias,
      version: String(version),
    })
    const move: AliasMove = {
      alias,
      ...(from !== undefined ? { from } : {}),
      to: version,
      at: this.clock().toISOString(),
      ...(meta.by ? { by: meta.by } : {}),
      ...(meta.reason ? { reason: meta.reason } : {}),
    }
    const history = [...(await this.historyOf(name)), move]
    while (history.length > 1 && JSON.stringify(history).length > HISTORY_LIMIT) history.shift()
    await this.call(
      `record the alias history of '${name}'`,
      'POST',
      '/api/2.0/mlflow/registered-models/set-tag',
      {
        name,
        key: HISTORY_TAG,
        value: JSON.stringify(history),
      },
    )
    return move
  }

  async download(name: string, ref: number | string, dir: string): Promise<string> {
    const v = await this.get(name, ref)
    const all = await this.allVersions(name)
    const root = this.artifactPath(all.find((x) => Number(x.version) === v.version)!.source ?? '')
    for (const f of v.files) {
      const to = path.join(dir, safeRelative(f.path))
      await mkdir(path.dirname(to), { recursive: true })
      await writeFile(
        to,
        await this.call<Buffer>(`download ${f.path}`, 'GET', this.artifactUrl(`${root}/model/${f.path}`)),
      )
    }
    await verifyFiles(dir, v.files)
    return dir
  }
}
