import { cp, mkdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'

/**
 * Where a run's model and record go, and where cached paths live. Actions plug in `@actions/artifact` and
 * `@actions/cache`; the CLI plugs in folders under `.mlops/`; tests plug in either.
 */
export interface ArtifactStore {
  /** Uploads `files` (absolute, all under `root`) as one artifact; returns where it went. */
  upload(name: string, files: readonly string[], root: string): Promise<{ id?: number; location: string }>
}

export interface CacheStore {
  /** Restores `paths` saved under `key`; returns the key restored, or undefined on a miss. */
  restore(paths: readonly string[], key: string, cwd: string): Promise<string | undefined>
  /** Saves `paths` under `key`; false when nothing was saved (e.g. the key already exists). */
  save(paths: readonly string[], key: string, cwd: string): Promise<boolean>
}

/** `.mlops/artifacts/<name>/`: the artifact's files, laid out as they would be in the uploaded artifact. */
export function localArtifactStore(dir = '.mlops/artifacts'): ArtifactStore {
  return {
    async upload(name, files, root) {
      const target = path.resolve(dir, name)
      await rm(target, { recursive: true, force: true })
      for (const f of files) {
        const dest = path.join(target, path.relative(root, f))
        await mkdir(path.dirname(dest), { recursive: true })
        await cp(f, dest)
      }
      return { location: target }
    },
  }
}

const safeKey = (key: string) => key.replace(/[^A-Za-z0-9._-]/g, '_')

/**
 * `.mlops/cache/<key>/`: each cached path copied under its path relative to the working directory. Like
 * the Actions cache, an entry is never overwritten: a key names one immutable snapshot.
 */
export function localCacheStore(dir = '.mlops/cache'): CacheStore {
  return {
    async restore(paths, key, cwd) {
      const entry = path.resolve(dir, safeKey(key))
      if (!(await stat(entry).catch(() => undefined))) return undefined
      for (const p of paths) {
        const from = path.join(entry, 'paths', relativeIn(cwd, p))
        if (await stat(from).catch(() => undefined)) await cp(from, path.resolve(cwd, p), { recursive: true })
      }
      return key
    },
    async save(paths, key, cwd) {
      const entry = path.resolve(dir, safeKey(key))
      if (await stat(entry).catch(() => undefined)) return false
      const tmp = `${entry}.${process.pid}.tmp`
      let any = false
      for (const p of paths) {
        const from = path.resolve(cwd, p)
        if (!(await stat(from).catch(() => undefined))) continue
        const to = path.join(tmp, 'paths', relativeIn(cwd, p))
        await mkdir(path.dirname(to), { recursive: true })
        await cp(from, to, { recursive: true })
        any = true
      }
      if (!any) return false
      await mkdir(path.dirname(entry), { recursive: true })
      await rename(tmp, entry)
      return true
    },
  }
}

/** A cached path must stay inside the working directory: `../x` would escape the cache entry. */
function relativeIn(cwd: string, p: string): string {
  const rel = path.relative(cwd, path.resolve(cwd, p))
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel))
    throw new Error(`cache path '${p}' is outside the working directory ${cwd}`)
  return rel
}
