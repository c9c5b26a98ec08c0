import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { InputError, NotFoundError } from '../../errors.js'
import { githubCall } from '../../forge/github-forge.js'
import { parseRepo, type RepoRef } from '../../github/context.js'
import type { Octokit } from '../../github/octokit.js'
import type { Logger } from '../../util/logger.js'
import { renderModelCard } from '../model-card.js'
import {
  type AliasMove,
  checkAlias,
  checkName,
  fromVersionDocument,
  type ModelBundle,
  type ModelRegistry,
  type ModelVersion,
  makeVersion,
  type RegisterRequest,
  type RegisterResult,
  type RegistryDeps,
  RegistryError,
  readModel,
  resolveRef,
  safeRelative,
  sameRegistration,
  verifyFiles,
  versionDocument,
} from '../registry.js'

const MARKER = /<!-- mlops-registry (\{.*?\}) -->/
const status = (e: unknown) => (e as { status?: number })?.status
/** The Octokit error under a `githubCall` wrapper. */
const httpStatus = (e: unknown) => status(e) ?? status((e as { cause?: unknown })?.cause)

type ReleaseData = {
  id: number
  tag_name: string
  draft: boolean
  body?: string | null
  html_url: string
  upload_url: string
  assets: {
    id: number
    name: string
    label?: string | null
    created_at: string
    uploader?: { login: string } | null
  }[]
}

/** Asset names keep letters, digits, `.`, `_`, `-` (GitHub rewrites the rest); the index keeps them unique. */
const assetName = (i: number, file: string) =>
  `file-${String(i).padStart(4, '0')}-${path.posix.basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}`

/**
 * The `github` backend: a repository's Releases and git refs.
 *
 * - Version N of `churn` is the release tagged `churn/vN`, with the model files, `version.json`,
 *   `MODEL_CARD.md` (also the release body) and the run records as assets.
 * - Numbers are claimed by creating the ref `refs/tags/churn/vN` through the API: GitHub answers 422 when it
 *   exists, so exactly one writer gets N and the others take N+1. The release is created as a draft, filled,
 *   then published; readers only see published releases. A failed registration deletes its draft and ref
 *   (the number is not reused while the ref exists; a deleted one may be).
 * - Aliases: each move is an asset `alias-move-<seq>.json` (label `alias=version`) on the prerelease
 *   `churn/registry`. Asset names are unique per release (422 otherwise), so concurrent moves serialize;
 *   the current alias is the last move. The ref `refs/tags/churn/<alias>` follows, for people and `git`.
 */
export class GitHubRegistry implements ModelRegistry {
  readonly kind = 'github' as const
  readonly address: string
  private readonly log: Logger
  private readonly clock: () => Date
  private shaPromise?: Promise<string>

  constructor(
    private readonly octokit: Octokit,
    private readonly repo: RepoRef,
    private readonly deps: RegistryDeps,
  ) {
    this.address = `${repo.owner}/${repo.repo}`
    this.log = deps.log
    this.clock = deps.clock ?? (() => new Date())
  }

  /** The product path: the shared Octokit (retry + throttling) for `owner/repo`. */
  static async open(address: string, deps: RegistryDeps): Promise<GitHubRegistry> {
    const repo = parseRepo(address)
    if (!repo)
      throw new InputError('registry', `must be 'owner/repo' for the github backend; got '${address}'`)
    if (!deps.token)
      throw new InputError('github-token', 'is empty; the github backend needs a token with contents: write')
    const { createOctokit } = await import('../../github/octokit.js')
    return new GitHubRegistry(createOctokit(deps.token, deps.log), repo, deps)
  }

  private call<T>(what: string, fn: () => Promise<T>, permission = 'contents: write'): Promise<T> {
    return githubCall(what, permission, fn)
  }

  /** The commit version tags point at: the run's commit, else the default branch head. */
  private commit(): Promise<string> {
    this.shaPromise ??= (async () => {
      if (this.deps.sha) return this.deps.sha
      const { data: r } = await this.call(
        'read the repository',
        () => this.octokit.rest.repos.get({ ...this.repo }),
        'contents: read',
      )
      const { data: ref } = await this.call(
        'read the default branch',
        () => this.octokit.rest.git.getRef({ ...this.repo, ref: `heads/${r.default_branch}` }),
        'contents: read',
      )
      return ref.object.sha
    })()
    return this.shaPromise
  }

  private async releases(): Promise<ReleaseData[]> {
    return this.call(
      'list releases',
      () => this.octokit.paginate(this.octokit.rest.repos.listReleases, { ...this.repo, per_page: 100 }),
      'contents: read',
    ) as Promise<ReleaseData[]>
  }

  private async versionReleases(name: string): Promise<Map<number, ReleaseData>> {
    const out = new Map<number, ReleaseData>()
    for (const r of await this.releases()) {
      const m = /^(.+)\/v(\d+)$/.exec(r.tag_name)
      if (m && m[1] === name && !r.draft) out.set(Number(m[2]), r)
    }
    return new Map([...out].sort(([a], [b]) => a - b))
  }

  private async releaseByTag(tag: string): Promise<ReleaseData | undefined> {
    try {
      const { data } = await this.octokit.rest.repos.getReleaseByTag({ ...this.repo, tag })
      return data as ReleaseData
    } catch (e) {
      if (status(e) === 404) return undefined
      return this.call(`read release ${tag}`, () => Promise.reject(e), 'contents: read')
    }
  }

  private async asset(id: number, what: string): Promise<Buffer> {
    const { data } = await this.call(
      `download ${what}`,
      () =>
        this.octokit.rest.repos.getReleaseAsset({
          ...this.repo,
          asset_id: id,
          headers: { accept: 'application/octet-stream' },
        }),
      'contents: read',
    )
    return Buffer.from(data as unknown as ArrayBuffer)
  }

  private async readVersion(r: ReleaseData): Promise<ModelVersion> {
    const doc = r.assets.find((a) => a.name === 'version.json')
    if (!doc) throw new RegistryError(`Release ${r.tag_name} has no version.json asset: not a model version`)
    const json = JSON.parse((await this.asset(doc.id, `${r.tag_name}/version.json`)).toString('utf8'))
    return fromVersionDocument(json, r.html_url, (r.body ?? '').replace(MARKER, '').trimEnd())
  }

  async models(): Promise<string[]> {
    const names = new Set<string>()
    for (const r of await this.releases()) {
      const m = /^(.+)\/v\d+$/.exec(r.tag_name)
      if (m && !r.draft) names.add(m[1]!)
    }
    return [...names].sort()
  }

  async versions(name: string): Promise<ModelVersion[]> {
    checkName(name)
    return Promise.all([...(await this.versionReleases(name)).values()].map((r) => this.readVersion(r)))
  }

  async get(name: string, ref: number | string): Promise<ModelVersion> {
    checkName(name)
    const [releases, aliases] = await Promise.all([this.versionReleases(name), this.aliases(name)])
    const v = resolveRef(name, ref, [...releases.keys()], aliases)
    return this.readVersion(releases.get(v)!)
  }

  async register(req: RegisterRequest): Promise<RegisterResult> {
    const name = checkName(req.name)
    const bundle = await readModel(req.modelPath)
    const releases = await this.versionReleases(name)
    for (const r of releases.values()) {
      const m = MARKER.exec(r.body ?? '')
      const key = m ? (JSON.parse(m[1]!) as { runId: string; digest: string }) : undefined
      if (key && sameRegistration(key, req.info.runId, bundle.digest)) {
        return { version: await this.readVersion(r), created: false }
      }
    }
    const sha = await this.commit()
    const { data: refs } = await this.call(
      'list version tags',
      () => this.octokit.rest.git.listMatchingRefs({ ...this.repo, ref: `tags/${name}/v` }),
      'contents: read',
    )
    const claimed = refs
      .map((r) => /\/v(\d+)$/.exec(r.ref))
      .filter((m) => m)
      .map((m) => Number(m![1]))
    const last = Math.max(0, ...claimed, ...releases.keys())
    if (req.version !== undefined && req.version <= last) {
      throw new InputError(
        'version',
        `${req.version} is taken or lower than the latest version (${last}) of '${name}'`,
        'Versions only grow; leave it empty to take the next one',
      )
    }
    let version = req.version ?? last + 1
    for (let attempt = 0; ; attempt++) {
      try {
        await this.octokit.rest.git.createRef({ ...this.repo, ref: `refs/tags/${name}/v${version}`, sha })
        break
      } catch (e) {
        if (status(e) !== 422 || req.version !== undefined || attempt >= 100) {
          return this.call(`claim version ${version} (tag ${name}/v${version})`, () => Promise.reject(e))
        }
        this.log.debug(`${name}/v${version} is taken; trying v${version + 1}`)
        version++
      }
    }
    return { version: await this.publish(name, version, sha, bundle, req), created: true }
  }

  /** Draft release → assets → published; on failure, removes the draft and the claimed tag. */
  private async publish(
    name: string,
    version: number,
    sha: string,
    bundle: ModelBundle,
    req: RegisterRequest,
  ): Promise<ModelVersion> {
    const tag = `${name}/v${version}`
    let release: ReleaseData | undefined
    try {
      const draft = makeVersion(
        name,
        version,
        bundle,
        req.info,
        this.clock().toISOString(),
        '',
        renderModelCard,
      )
      const marker = `<!-- mlops-registry ${JSON.stringify({ runId: req.info.runId, digest: bundle.digest })} -->`
      const { data } = await this.call(`create the release ${tag}`, () =>
        this.octokit.rest.repos.createRelease({
          ...this.repo,
          tag_name: tag,
          target_commitish: sha,
          name: `${name} v${version}`,
          body: `${draft.card}\n${marker}\n`,
          draft: true,
        }),
      )
      release = data as ReleaseData
      const upload = (assetName: string, body: Uint8Array, contentType: string) =>
        this.call(`upload ${assetName} to ${tag}`, () =>
          this.octokit.rest.repos.uploadReleaseAsset({
            ...this.repo,
            url: release!.upload_url,
            release_id: release!.id,
            name: assetName,
            data: body as unknown as string,
            headers: { 'content-type': contentType, 'content-length': body.byteLength },
          }),
        )
      for (const [i, f] of bundle.files.entries()) {
        await upload(assetName(i, f.path), await readFile(f.abs), 'application/octet-stream')
      }
      for (const a of req.attachments ?? []) await upload(a.name, a.data, 'application/json')
      await upload('MODEL_CARD.md', Buffer.from(draft.card), 'text/markdown')
      await upload(
        'version.json',
        Buffer.from(JSON.stringify(versionDocument(draft), null, 2)),
        'application/json',
      )
      const { data: published } = await this.call(`publish the release ${tag}`, () =>
        this.octokit.rest.repos.updateRelease({ ...this.repo, release_id: release!.id, draft: false }),
      )
      this.log.debug(`github registry: ${tag} → ${published.html_url}`)
      return { ...draft, uri: published.html_url }
    } catch (e) {
      this.log.warning(
        `Registering ${tag} failed; removing the draft release and the tag so no half version remains`,
      )
      if (release)
        await this.octokit.rest.repos
          .deleteRelease({ ...this.repo, release_id: release.id })
          .catch(() => undefined)
      await this.octokit.rest.git.deleteRef({ ...this.repo, ref: `tags/${tag}` }).catch(() => undefined)
      throw e
    }
  }

  // --- aliases -----------------------------------------------------------------------------------------

  private registryTag = (name: string) => `${name}/registry`

  private async registryRelease(name: string, create: boolean): Promise<ReleaseData | undefined> {
    const tag = this.registryTag(name)
    const found = await this.releaseByTag(tag)
    if (found || !create) return found
    const sha = await this.commit()
    try {
      const { data } = await this.octokit.rest.repos.createRelease({
        ...this.repo,
        tag_name: tag,
        target_commitish: sha,
        name: `${name}: alias history`,
        body: `Every alias move of the model \`${name}\`, one asset each (\`alias-move-<seq>.json\`), kept by mlops-actions.`,
        prerelease: true,
        make_latest: 'false',
      })
      return data as ReleaseData
    } catch (e) {
      if (status(e) === 422) return this.releaseByTag(tag) // another writer created it first
      return this.call(`create the release ${tag}`, () => Promise.reject(e))
    }
  }

  private moves(r: ReleaseData | undefined) {
    return (r?.assets ?? [])
      .map((a) => ({
        a,
        m: /^alias-move-(\d+)\.json$/.exec(a.name),
        l: /^([^=]+)=(\d+)$/.exec(a.label ?? ''),
      }))
      .filter((x) => x.m && x.l)
      .map((x) => ({ seq: Number(x.m![1]), alias: x.l![1]!, to: Number(x.l![2]), asset: x.a }))
      .sort((a, b) => a.seq - b.seq)
  }

  async aliases(name: string): Promise<Record<string, number>> {
    checkName(name)
    const out: Record<string, number> = {}
    for (const m of this.moves(await this.registryRelease(name, false))) out[m.alias] = m.to
    return out
  }

  async history(name: string, alias?: string): Promise<AliasMove[]> {
    checkName(name)
    const moves = this.moves(await this.registryRelease(name, false)).filter(
      (m) => !alias || m.alias === alias,
    )
    return Promise.all(
      moves.map(
        async (m) => JSON.parse((await this.asset(m.asset.id, m.asset.name)).toString('utf8')) as AliasMove,
      ),
    )
  }

  async setAlias(
    name: string,
    alias: string,
    version: number,
    meta: { by?: string; reason?: string } = {},
  ): Promise<AliasMove> {
    checkName(name)
    checkAlias(alias)
    const target = await this.releaseByTag(`${name}/v${version}`)
    if (!target) {
      const known = [...(await this.versionReleases(name)).keys()]
      throw new NotFoundError(
        `Cannot point alias '${alias}' at ${name} v${version}: no such version${known.length ? ` (versions: ${known.join(', ')})` : ''}`,
      )
    }
    for (let attempt = 0; ; attempt++) {
      const release = (await this.registryRelease(name, true))!
      const moves = this.moves(release)
      const from = moves.filter((m) => m.alias === alias).at(-1)?.to
      const seq = (moves.at(-1)?.seq ?? 0) + 1
      const move: AliasMove = {
        alias,
        ...(from !== undefined ? { from } : {}),
        to: version,
        at: this.clock().toISOString(),
        ...(meta.by ? { by: meta.by } : {}),
        ...(meta.reason ? { reason: meta.reason } : {}),
      }
      const body = Buffer.from(JSON.stringify(move))
      try {
        await this.octokit.rest.repos.uploadReleaseAsset({
          ...this.repo,
          url: release.upload_url,
          release_id: release.id,
          name: `alias-move-${String(seq).padStart(6, '0')}.json`,
          label: `${alias}=${version}`,
          data: body as unknown as string,
          headers: { 'content-type': 'application/json', 'content-length': body.byteLength },
        })
      } catch (e) {
        if (httpStatus(e) === 422 && attempt < 50) continue // another move took this seq: re-read and retry
        return this.call(`record the move of alias ${alias}`, () => Promise.reject(e))
      }
      await this.moveAliasRef(name, alias, version)
      return move
    }
  }

  /** `refs/tags/<name>/<alias>` follows the alias (to the version's commit), for `git checkout churn/production`. */
  private async moveAliasRef(name: string, alias: string, version: number) {
    try {
      const { data: v } = await this.octokit.rest.git.getRef({
        ...this.repo,
        ref: `tags/${name}/v${version}`,
      })
      const sha = v.object.sha
      const ref = `tags/${name}/${alias}`
      try {
        await this.octokit.rest.git.updateRef({ ...this.repo, ref, sha, force: true })
      } catch (e) {
        if (status(e) !== 422) throw e
        await this.octokit.rest.git.createRef({ ...this.repo, ref: `refs/${ref}`, sha })
      }
    } catch (e) {
      this.log.warning(
        `Alias ${alias} moved, but the tag ${name}/${alias} could not follow: ${(e as Error).message}`,
      )
    }
  }

  async download(name: string, ref: number | string, dir: string): Promise<string> {
    const v = await this.get(name, ref)
    const r = (await this.releaseByTag(`${name}/v${v.version}`))!
    for (const [i, f] of v.files.entries()) {
      const a = r.assets.find((x) => x.name === assetName(i, f.path))
      if (!a) throw new RegistryError(`Release ${name}/v${v.version} lacks the asset of '${f.path}'`)
      const to = path.join(dir, safeRelative(f.path))
      await mkdir(path.dirname(to), { recursive: true })
      await writeFile(to, await this.asset(a.id, f.path))
    }
    await verifyFiles(dir, v.files)
    return dir
  }
}
