import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { ArtifactStore } from '../train/storage.js'
import type { Logger } from '../util/logger.js'

/**
 * The run's artifacts through `@actions/artifact`, imported lazily: it pulls in the Azure SDK (megabytes,
 * a few hundred ms of start-up), which only the runs that use artifacts should pay for.
 */
const client = async () => new (await import('@actions/artifact')).DefaultArtifactClient()

/** Is the runner's artifact service reachable from this process? */
export const artifactServiceAvailable = (env: NodeJS.ProcessEnv = process.env) =>
  !!(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL)

/** `*` and `?` wildcards, anchored: how artifact name patterns are written in workflows. */
export function nameMatcher(pattern: string): (name: string) => boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  )
  return (name) => re.test(name)
}

/** Downloads every artifact of this run whose name matches into `dir/<name>/`; returns their folders. */
export async function downloadArtifacts(pattern: string, dir: string, log: Logger): Promise<string[]> {
  const artifacts = await client()
  const matches = nameMatcher(pattern)
  const { artifacts: all } = await artifacts.listArtifacts({ latest: true })
  const chosen = all.filter((a) => matches(a.name))
  log.info(
    `Artifacts matching '${pattern}': ${chosen.map((a) => a.name).join(', ') || 'none'} (of ${all.length})`,
  )
  const dirs: string[] = []
  for (const a of chosen) {
    const target = path.join(dir, a.name)
    await mkdir(target, { recursive: true })
    await artifacts.downloadArtifact(a.id, { path: target })
    dirs.push(target)
  }
  return dirs
}

/** Uploads files (under `root`) as one artifact; returns its id. */
export async function uploadArtifact(
  name: string,
  files: readonly string[],
  root: string,
  retentionDays?: number,
): Promise<number | undefined> {
  const artifacts = await client()
  const res = await artifacts.uploadArtifact(name, [...files], root, retentionDays ? { retentionDays } : {})
  return res.id
}

/** The `ArtifactStore` port of the train core, backed by the runner's artifact service. */
export function actionsArtifactStore(retentionDays?: number): ArtifactStore {
  return {
    async upload(name, files, root) {
      const id = await uploadArtifact(name, files, root, retentionDays)
      return { id, location: `artifact '${name}'${id !== undefined ? ` (id ${id})` : ''}` }
    },
  }
}
