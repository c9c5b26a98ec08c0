import path from 'node:path'
import { artifactServiceAvailable, uploadArtifact } from '../artifacts/artifacts.js'
import { errorMessage } from '../errors.js'
import { writeFileAtomic } from '../util/fs.js'
import type { Logger } from '../util/logger.js'
import { fullReportArtifact } from './build.js'
import type { ModelReport } from './render.js'

/** Writes every model's full report into one Markdown file; returns its path. */
export async function writeReportFile(reports: readonly ModelReport[], dir: string): Promise<string> {
  const file = path.resolve(dir, 'mlops-report.md')
  await writeFileAtomic(file, `${reports.map((r) => r.full).join('\n\n')}\n`)
  return file
}

/**
 * A comment that had to be cut points to an artifact with the whole report; upload those. Losing the
 * artifact must not lose the report (it is in the job summary), so a failure here only warns.
 */
export async function saveFullReports(reports: readonly ModelReport[], log: Logger): Promise<void> {
  if (!artifactServiceAvailable()) return
  for (const r of reports.filter((x) => x.truncated)) {
    const name = fullReportArtifact(r.model)
    const dir = path.resolve(process.env.RUNNER_TEMP || '.mlops', name)
    const file = path.join(dir, 'report.md')
    try {
      await writeFileAtomic(file, r.full)
      await uploadArtifact(name, [file], dir)
      log.info(`Uploaded the full report of ${r.model} as artifact '${name}'`)
    } catch (e) {
      log.warning(`Could not upload the full report of ${r.model} as artifact '${name}': ${errorMessage(e)}`)
    }
  }
}
