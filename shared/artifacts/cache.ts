import path from 'node:path'
import type { CacheStore } from '../train/storage.js'
import type { Logger } from '../util/logger.js'

/**
 * The Actions cache through `@actions/cache`, imported lazily (it pulls in the Azure SDK). Paths are
 * resolved against the working directory before they reach the library, so a key restores the same files
 * whatever folder the step runs in. A service problem is a warning, never a failed training: a cache only
 * saves time.
 */
export function actionsCacheStore(log: Logger): CacheStore {
  const lib = () => import('@actions/cache')
  return {
    async restore(paths, key, cwd) {
      const cache = await lib()
      if (!cache.isFeatureAvailable()) {
        log.warning('The Actions cache service is not available to this job; nothing restored')
        return undefined
      }
      try {
        return await cache.restoreCache(
          paths.map((p) => path.resolve(cwd, p)),
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
          paths.map((p) => path.resolve(cwd, p)),
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
