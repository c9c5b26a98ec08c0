import path from 'node:path'
import type { CacheStore } from '../train/storage.js'
import type { Logger } from '../util/logger.js'

/**
 * The Actions cache through `@actions/cache`, imported lazily (it pulls in the Azure SDK). Paths reach the
 * library relative to the workspace, as users write them for actions/cache: the library archives them from
 * the workspace and folds the path strings into the entry's version, so absolute paths (which differ from
 * runner to runner) would never hit. A service problem is a warning, never a failed training: a cache only
 * saves time.
 */
export function actionsCacheStore(
  log: Logger,
  workspace = process.env.GITHUB_WORKSPACE || process.cwd(),
): CacheStore {
  const lib = () => import('@actions/cache')
  const inWorkspace = (cwd: string, p: string) => {
    const abs = path.resolve(cwd, p)
    const rel = path.relative(workspace, abs)
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs
  }
  return {
    async restore(paths, key, cwd) {
      const cache = await lib()
      if (!cache.isFeatureAvailable()) {
        log.warning('The Actions cache service is not available to this job; nothing restored')
        return undefined
      }
      try {
        return await cache.restoreCache(
          paths.map((p) => inWorkspace(cwd, p)),
          key,
        )
      } catch (e) {
        log.warning(`Cache restore '${key}' failed: ${(e as Error).message}`)
        return undefined
      }
    },
    async save(paths, key, cwd) {
      const cache = await lib()
      if (!cache.isFeatureAvailable()) return false
      try {
        const id = await cache.saveCache(
          paths.map((p) => inWorkspace(cwd, p)),
          key,
        )
        return id !== -1
      } catch (e) {
        log.warning(`Cache save '${key}' failed: ${(e as Error).message}`)
        return false
      }
    },
  }
}
