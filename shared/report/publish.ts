import { PermissionError } from '../errors.js'
import type { Forge } from '../forge/forge.js'
import { Marker, upsertStickyComment } from '../forge/sticky-comment.js'
import type { Logger } from '../util/logger.js'
import type { ModelReport } from './render.js'

export interface PublishTarget {
  /** The pull request to comment on; undefined when the run has none. */
  readonly prNumber?: number
  /** A fork PR's token is read-only: a refused comment is a warning there, not a failure. */
  readonly isFork: boolean
  readonly comment: boolean
  /** Made only when a comment is due, so runs without a PR need no token. */
  readonly forge: () => Forge | Promise<Forge>
}

export interface Published {
  readonly model: string
  readonly commentId?: number
  readonly commentUrl?: string
  readonly action: 'created' | 'updated' | 'skipped'
  readonly reason?: string
}

/** The marker that finds a model's sticky comment again. */
export const reportMarker = (model: string) => new Marker('mlops-report', model)

/** Posts one sticky comment per model (create once, then update in place), or says why it did not. */
export async function publishReports(
  reports: readonly ModelReport[],
  target: PublishTarget,
  log: Logger,
): Promise<Published[]> {
  const out: Published[] = []
  let forge: Forge | undefined
  for (const r of reports) {
    if (!target.comment) {
      out.push({ model: r.model, action: 'skipped', reason: "'comment' is false" })
      continue
    }
    if (target.prNumber === undefined) {
      const reason = 'this run is not for a pull request, so the report goes to the job summary only'
      log.notice(`Report for ${r.model}: ${reason}.`)
      out.push({ model: r.model, action: 'skipped', reason })
      continue
    }
    try {
      forge ??= await target.forge()
      const c = await upsertStickyComment(forge, target.prNumber, reportMarker(r.model), r.comment)
      log.info(
        `${c.created ? 'Created' : 'Updated'} the report comment for ${r.model} on #${target.prNumber}: ${c.url ?? c.id}`,
      )
      out.push({
        model: r.model,
        commentId: c.id,
        commentUrl: c.url,
        action: c.created ? 'created' : 'updated',
      })
    } catch (e) {
      if (!(e instanceof PermissionError)) throw e
      // Only a fork's read-only token is expected to be refused; anywhere else the job lacks the permission.
      if (!target.isFork) throw e
      const reason = `the token of a pull request from a fork cannot comment (${e.message.split(' (')[0]}); the report is in the job summary`
      log.warning(`Report for ${r.model}: ${reason}.`)
      out.push({ model: r.model, action: 'skipped', reason })
    }
  }
  return out
}
