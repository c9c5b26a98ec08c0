import { existsSync } from 'node:fs'
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { glob } from 'tinyglobby'
import { nameMatcher } from '../artifacts/artifacts.js'
import type { Logger } from '../util/logger.js'

/**
 * `actions/upload-artifact` and `actions/download-artifact` for a local run: artifacts are folders under
 * `.mlops/artifacts/<name>/`, where the suite's actions keep theirs when no artifact service is reachable.
 * Returns the step's exit code and outputs.
 */
export async function localArtifactStep(
  kind: 'upload' | 'download',
  withValues: Record<string, string>,
  workspace: string,
  log: Logger,
): Promise<{ exitCode: number; outputs: Record<string, string> }> {
  const root = path.join(workspace, '.mlops', 'artifacts')
  if (kind === 'upload') {
    const name = withValues.name || 'artifact'
    const patterns = (withValues.path ?? '')
      .split('\n')
      .map((p) => p.trim())
      .filter((p) => p && !p.startsWith('!'))
    const files: string[] = []
    for (const p of patterns) {
      const abs = path.resolve(workspace, p)
      if (existsSync(abs) && (await stat(abs)).isDirectory())
        files.push(...(await glob('**/*', { cwd: abs, absolute: true, onlyFiles: true, dot: true })))
      else if (existsSync(abs)) files.push(abs)
      else files.push(...(await glob(p, { cwd: workspace, absolute: true, onlyFiles: true, dot: true })))
    }
    if (files.length === 0) {
      const how = withValues['if-no-files-found'] || 'warn'
      const msg = `No files were found with the provided path: ${patterns.join(', ')}. No artifact will be uploaded.`
      if (how === 'error') {
        log.error(msg)
        return { exitCode: 1, outputs: {} }
      }
      if (how === 'warn') log.warning(msg)
      return { exitCode: 0, outputs: {} }
    }
    // Paths inside the artifact are relative to the files' least common ancestor, as upload-artifact does.
    const dirs = files.map((f) => path.dirname(f))
    let base = dirs[0]!
    for (const d of dirs) while (d !== base && !d.startsWith(`${base}${path.sep}`)) base = path.dirname(base)
    for (const p of patterns) {
      const abs = path.resolve(workspace, p)
      if (
        existsSync(abs) &&
        (await stat(abs)).isDirectory() &&
        (abs === base || base.startsWith(`${abs}${path.sep}`))
      )
        base = abs
    }
    const target = path.join(root, name)
    await rm(target, { recursive: true, force: true })
    for (const f of files) {
      const to = path.join(target, path.relative(base, f))
      await mkdir(path.dirname(to), { recursive: true })
      await cp(f, to)
    }
    log.info(`Artifact '${name}': ${files.length} file(s) → ${path.relative(workspace, target)}/`)
    return {
      exitCode: 0,
      outputs: { 'artifact-id': String(Date.now()), 'artifact-url': '', 'artifact-digest': '' },
    }
  }
  const dest = path.resolve(workspace, withValues.path || '.')
  const names = existsSync(root)
    ? (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory())
    : []
  if (withValues.name) {
    if (!names.some((d) => d.name === withValues.name)) {
      log.error(`Artifact '${withValues.name}' not found under ${path.relative(workspace, root) || root}/`)
      return { exitCode: 1, outputs: {} }
    }
    await cp(path.join(root, withValues.name), dest, { recursive: true })
    log.info(`Artifact '${withValues.name}' → ${path.relative(workspace, dest) || '.'}`)
    return { exitCode: 0, outputs: { 'download-path': dest } }
  }
  const match = nameMatcher(withValues.pattern || '*')
  const merge = withValues['merge-multiple'] === 'true'
  const chosen = names.filter((d) => match(d.name))
  for (const d of chosen)
    await cp(path.join(root, d.name), merge ? dest : path.join(dest, d.name), { recursive: true })
  log.info(
    `Artifacts ${chosen.map((d) => d.name).join(', ') || '(none)'} → ${path.relative(workspace, dest) || '.'}`,
  )
  return { exitCode: 0, outputs: { 'download-path': dest } }
}
