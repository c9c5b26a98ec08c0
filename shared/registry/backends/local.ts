import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { InputError, NotFoundError } from '../../errors.js'
import { readJsonOr, writeFileAtomic } from '../../util/fs.js'
import type { Logger } from '../../util/logger.js'
import { renderModelCard } from '../model-card.js'
import {
  type AliasMove,
  checkAlias,
  checkName,
  fromVersionDocument,
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

/**
 * The `local` backend: a directory, the CLI's default (`.mlops/registry`).
 *
 * ```
 * <root>/<name>/versions/<N>/version.json      metadata (written last, inside the staging directory)
 *                           /MODEL_CARD.md
 *                           /model/...          the model files
 *                           /attachments/...    run record and other files
 * <root>/<name>/aliases.json                   { current: {alias: N}, history: [moves] } (one atomic write)
 * <root>/<name>/.lock/                         the writers' lock
 * ```
 * A version is staged in `<name>/.staging-*` and renamed to `versions/<N>` in one step: a reader sees all of
 * it or nothing. Writers take a `mkdir` lock (stale after `staleMs` without a refresh, or when its owner
 * process on this host is gone). Even if the lock were broken, `rename` onto an existing non-empty
 * directory fails, so two writers can never both get number N: the loser takes N+1.
 */
export class LocalRegistry implements ModelRegistry {
  readonly kind = 'local' as const
  readonly address: string
  private readonly log: Logger
  private readonly clock: () => Date

  constructor(
    root: string,
    deps: RegistryDeps,
    private readonly opts: { staleMs?: number; lockTimeoutMs?: number } = {},
  ) {
    this.address = root
    this.log = deps.log
    this.clock = deps.clock ?? (() => new Date())
  }

  private dir(name: string) {
    return path.join(this.address, checkName(name))
  }

  private versionDir(name: string, v: number) {
    return path.join(this.dir(name), 'versions', String(v))
  }

  async models(): Promise<string[]> {
    try {
      const entries = await readdir(this.address, { withFileTypes: true })
      return entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort()
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw e
    }
  }

  private async numbers(name: string): Promise<number[]> {
    try {
      const entries = await readdir(path.join(this.dir(name), 'versions'))
      return entries
        .filter((n) => /^\d+$/.test(n))
        .map(Number)
        .sort((a, b) => a - b)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw e
    }
  }

  private async read(name: string, v: number): Promise<ModelVersion> {
    const dir = this.versionDir(name, v)
    const [doc, card] = await Promise.all([
      readFile(path.join(dir, 'version.json'), 'utf8'),
      readFile(path.join(dir, 'MODEL_CARD.md'), 'utf8'),
    ])
    return fromVersionDocument(JSON.parse(doc), dir, card)
  }

  async versions(name: string): Promise<ModelVersion[]> {
    return Promise.all((await this.numbers(name)).map((v) => this.read(name, v)))
  }

  private async aliasFile(name: string) {
    return readJsonOr<{ current: Record<string, number>; history: AliasMove[] }>(
      path.join(this.dir(name), 'aliases.json'),
      { current: {}, history: [] },
    )
  }

  async aliases(name: string): Promise<Record<string, number>> {
    return (await this.aliasFile(name)).current
  }

  async history(name: string, alias?: string): Promise<AliasMove[]> {
    const h = (await this.aliasFile(name)).history
    return alias ? h.filter((m) => m.alias === alias) : h
  }

  async get(name: string, ref: number | string): Promise<ModelVersion> {
    const [numbers, aliases] = await Promise.all([this.numbers(name), this.aliases(name)])
    return this.read(name, resolveRef(name, ref, numbers, aliases))
  }

  async register(req: RegisterRequest): Promise<RegisterResult> {
    const name = checkName(req.name)
    const bundle = await readModel(req.modelPath)
    return this.locked(name, async () => {
      const existing = await this.versions(name)
      const same = existing.find((v) => sameRegistration(v, req.info.runId, bundle.digest))
      if (same) return { version: same, created: false }
      const last = existing.at(-1)?.version ?? 0
      if (req.version !== undefined && req.version <= last) {
        throw new InputError(
          'version',
          `${req.version} is taken or lower than the latest version (${last}) of '${name}'`,
          'Versions only grow; leave it empty to take the next one',
        )
      }
      let version = req.version ?? last + 1
      const staging = path.join(this.dir(name), `.staging-${process.pid}-${randomBytes(4).toString('hex')}`)
      try {
        await mkdir(path.join(staging, 'model'), { recursive: true })
        for (const f of bundle.files) {
          const to = path.join(staging, 'model', safeRelative(f.path))
          await mkdir(path.dirname(to), { recursive: true })
          await copyFile(f.abs, to)
        }
        for (const a of req.attachments ?? []) {
          await writeFileAtomic(path.join(staging, 'attachments', safeRelative(a.name)), a.data)
        }
        await mkdir(path.join(this.dir(name), 'versions'), { recursive: true })
        for (;;) {
          const v = makeVersion(
            name,
            version,
            bundle,
            req.info,
            this.clock().toISOString(),
            this.versionDir(name, version),
            renderModelCard,
          )
          await writeFile(path.join(staging, 'MODEL_CARD.md'), v.card)
          await writeFile(
            path.join(staging, 'version.json'),
            `${JSON.stringify(versionDocument(v), null, 2)}\n`,
          )
          try {
            await rename(staging, this.versionDir(name, version))
            this.log.debug(`local registry: ${name} v${version} → ${v.uri}`)
            return { version: v, created: true }
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code
            if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || req.version !== undefined) throw e
            version++ // someone broke the lock and took this number: take the next
          }
        }
      } finally {
        await rm(staging, { recursive: true, force: true })
      }
    })
  }

  async setAlias(
    name: string,
    alias: string,
    version: number,
    meta: { by?: string; reason?: string } = {},
  ): Promise<AliasMove> {
    checkName(name)
    checkAlias(alias)
    return this.locked(name, async () => {
      const numbers = await this.numbers(name)
      if (!numbers.includes(version)) {
        throw new NotFoundError(
          `Cannot point alias '${alias}' at ${name} v${version}: no such version${numbers.length ? ` (versions: ${numbers.join(', ')})` : ''}`,
        )
      }
      const state = await this.aliasFile(name)
      const from = state.current[alias]
      const move: AliasMove = {
        alias,
        ...(from !== undefined ? { from } : {}),
        to: version,
        at: this.clock().toISOString(),
        ...(meta.by ? { by: meta.by } : {}),
        ...(meta.reason ? { reason: meta.reason } : {}),
      }
      state.current[alias] = version
      state.history.push(move)
      await writeFileAtomic(path.join(this.dir(name), 'aliases.json'), `${JSON.stringify(state, null, 2)}\n`)
      return move
    })
  }

  async download(name: string, ref: number | string, dir: string): Promise<string> {
    const v = await this.get(name, ref)
    for (const f of v.files) {
      const to = path.join(dir, safeRelative(f.path))
      await mkdir(path.dirname(to), { recursive: true })
      await copyFile(path.join(v.uri, 'model', safeRelative(f.path)), to)
    }
    await verifyFiles(dir, v.files)
    return dir
  }

  /** Runs `fn` holding the model's `mkdir` lock. */
  private async locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const lock = path.join(this.dir(name), '.lock')
    const staleMs = this.opts.staleMs ?? 30_000
    const deadline = Date.now() + (this.opts.lockTimeoutMs ?? 120_000)
    await mkdir(this.dir(name), { recursive: true })
    const me = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex') }
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(lock)
        await writeFile(path.join(lock, 'owner.json'), JSON.stringify(me))
        break
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      }
      if (await this.isStale(lock, staleMs)) {
        this.log.warning(`Removing a stale registry lock ${lock}`)
        // Move it aside first: only one waiter wins the rename, so only one removes it.
        const aside = `${lock}.stale-${me.token}`
        await rename(lock, aside).then(
          () => rm(aside, { recursive: true, force: true }),
          () => undefined,
        )
        continue
      }
      if (Date.now() > deadline) {
        throw new RegistryError(
          `Timed out waiting for the registry lock ${lock}; if no other mlops process is running, delete it`,
        )
      }
      await sleep(10 + Math.floor(Math.random() * 40) + Math.min(attempt, 20) * 5)
    }
    const refresh = setInterval(() => {
      const now = new Date()
      import('node:fs/promises').then((fs) => fs.utimes(lock, now, now)).catch(() => undefined)
    }, staleMs / 3)
    refresh.unref()
    try {
      return await fn()
    } finally {
      clearInterval(refresh)
      await rm(lock, { recursive: true, force: true })
    }
  }

  /** A lock is stale when its owner process on this host is gone, or nobody refreshed it for `staleMs`. */
  private async isStale(lock: string, staleMs: number): Promise<boolean> {
    try {
      const s = await stat(lock)
      const owner = await readJsonOr<{ pid?: number; host?: string }>(path.join(lock, 'owner.json'), {})
      if (owner.pid && owner.host === hostname() && !alive(owner.pid)) return true
      return Date.now() - s.mtimeMs > staleMs
    } catch {
      return false // gone already: retry at once
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
