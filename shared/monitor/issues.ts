import { createHash } from 'node:crypto'
import type { Forge, Issue } from '../forge/forge.js'
import { Marker } from '../forge/sticky-comment.js'
import type { Logger } from '../util/logger.js'
import type { Evaluation } from './evaluate.js'
import {
  formatValue,
  issueBody,
  issueTitle,
  reopenedComment,
  resolvedComment,
  stillBreachedComment,
} from './render.js'

/**
 * One issue per rule and model. Each issue carries two hidden markers: the fingerprint that finds it again
 * (`<!-- mlops-monitor:<hash> -->`) and the state that must survive across runs and runners (when it last
 * commented, when it last dispatched the retraining workflow). Issues are found by listing every issue
 * (open and closed) with the monitor label, page by page: the search API lags behind new issues.
 */

export const MARKER_ACTION = 'mlops-monitor'
const STATE_RE = /<!-- mlops-monitor-state (\{.*?\}) -->/s

export interface IssueState {
  readonly fingerprint: string
  readonly rule: string
  readonly model: string
  readonly breachedSince?: string
  readonly lastCommentAt?: string
  readonly lastDispatchAt?: string
  /** As text, so every `-` in the JSON is inside a string and can be escaped. */
  readonly lastValue?: string
}

export function fingerprint(rule: string, model: string): string {
  return createHash('sha256').update(`${rule}\u0000${model}`).digest('hex').slice(0, 16)
}

export const markerFor = (fp: string) => new Marker(MARKER_ACTION, fp)

/** HTML comments end at `--`: JSON never holds it once `-` is escaped. */
export function stateMarker(s: IssueState): string {
  return `<!-- mlops-monitor-state ${JSON.stringify(s).replace(/-/g, '\\u002d')} -->`
}

export function readState(body: string): Partial<IssueState> {
  const m = STATE_RE.exec(body)
  if (!m) return {}
  try {
    return JSON.parse(m[1]!) as IssueState
  } catch {
    return {}
  }
}

export type IssueAction = 'opened' | 'commented' | 'reopened' | 'closed' | 'unchanged' | 'none'

export interface Outcome {
  readonly rule: string
  readonly model: string
  readonly status: Evaluation['status']
  readonly value?: number
  readonly action: IssueAction
  readonly number?: number
  readonly url?: string
  readonly dispatched: boolean
  readonly fingerprint: string
}

export interface DispatchSettings {
  readonly workflow: string
  readonly ref: string
  /** Values may use `{{rule}}`, `{{model}}`, `{{issue}}`, `{{value}}`. */
  readonly inputs: Readonly<Record<string, string>>
}

export interface MonitorPolicy {
  /** Every issue gets these; the first finds them again. */
  readonly labels: readonly string[]
  readonly commentIntervalMs: number
  readonly cooldownMs: number
  readonly closeResolved: boolean
  readonly dispatch?: DispatchSettings
  readonly prometheusUrl: string
  readonly windowMs: number
  readonly window: string
  readonly runUrl?: string
  /** Decide and report, but write nothing. */
  readonly dryRun?: boolean
}

export function dispatchInputs(d: DispatchSettings, e: Evaluation, issue?: number): Record<string, string> {
  const vars: Record<string, string> = {
    rule: e.rule.name,
    model: e.model,
    issue: issue === undefined ? '' : String(issue),
    value: formatValue(e.value),
  }
  return Object.fromEntries(
    Object.entries(d.inputs).map(([k, v]) => [
      k,
      v.replace(/\{\{\s*(rule|model|issue|value)\s*\}\}/g, (_, name: string) => vars[name] ?? ''),
    ]),
  )
}

/** Every monitor issue, open or closed, by fingerprint; the open one wins over closed duplicates. */
export async function findIssues(forge: Forge, label: string): Promise<Map<string, Issue>> {
  const found = new Map<string, Issue>()
  for await (const issue of forge.issues({ labels: [label], state: 'all' })) {
    const fp = readState(issue.body).fingerprint
    if (!fp || !markerFor(fp).isIn(issue.body)) continue
    const prev = found.get(fp)
    if (!prev || (prev.state === 'closed' && issue.state === 'open')) found.set(fp, issue)
  }
  return found
}

const elapsed = (since: string | undefined, now: Date) =>
  since ? now.getTime() - Date.parse(since) : Number.POSITIVE_INFINITY

/**
 * Acts on evaluations: opens, comments on, reopens or closes one issue per rule and model, and dispatches
 * the retraining workflow at most once per cooldown. Call it only after every rule evaluated cleanly.
 */
export async function reconcile(
  evaluations: readonly Evaluation[],
  forge: Forge,
  policy: MonitorPolicy,
  now: () => Date,
  log: Logger,
): Promise<Outcome[]> {
  const label = policy.labels[0]!
  const existing = await findIssues(forge, label)
  const out: Outcome[] = []
  for (const e of evaluations) {
    const fp = fingerprint(e.rule.name, e.model)
    const issue = existing.get(fp)
    const prev = issue ? readState(issue.body) : {}
    const at = now()
    const base = { rule: e.rule.name, model: e.model, status: e.status, value: e.value, fingerprint: fp }

    const wantsDispatch = e.firing && e.rule.action === 'retrain' && !!policy.dispatch
    const dispatchDue = wantsDispatch && elapsed(prev.lastDispatchAt, at) >= policy.cooldownMs

    const render = (s: IssueState) =>
      `${issueBody(e, { ...policy, breachedSince: s.breachedSince })}\n\n${markerFor(fp)}\n${stateMarker(s)}`
    const state = (patch: Partial<IssueState>): IssueState => ({
      fingerprint: fp,
      rule: e.rule.name,
      model: e.model,
      breachedSince: prev.breachedSince,
      lastCommentAt: prev.lastCommentAt,
      lastDispatchAt: prev.lastDispatchAt,
      lastValue: formatValue(e.value),
      ...patch,
    })

    if (!e.firing) {
      if (issue?.state === 'open' && policy.closeResolved && e.status === 'ok') {
        if (!policy.dryRun) {
          await forge.createComment(issue.number, resolvedComment(e, policy.runUrl))
          await forge.updateIssue(issue.number, {
            state: 'closed',
            body: render(state({ breachedSince: undefined, lastCommentAt: at.toISOString() })),
          })
        }
        log.info(`${e.model}/${e.rule.name}: recovered (${formatValue(e.value)}); closed #${issue.number}`)
        out.push({ ...base, action: 'closed', number: issue.number, url: issue.url, dispatched: false })
      } else if (issue && e.status === 'ok' && prev.breachedSince) {
        // Remember the recovery, so the next breach counts as a new one (and reopens a closed issue).
        if (!policy.dryRun)
          await forge.updateIssue(issue.number, { body: render(state({ breachedSince: undefined })) })
        log.info(
          `${e.model}/${e.rule.name}: recovered (${formatValue(e.value)}); #${issue.number} left ${issue.state}`,
        )
        out.push({ ...base, action: 'unchanged', number: issue.number, url: issue.url, dispatched: false })
      } else {
        out.push({ ...base, action: 'none', number: issue?.number, url: issue?.url, dispatched: false })
      }
      continue
    }

    if (issue?.state === 'closed' && prev.breachedSince) {
      // Closed by a person while the rule was still breached: respect that until the rule recovers.
      log.info(
        `${e.model}/${e.rule.name}: #${issue.number} was closed while still breached; it stays closed (no dispatch) until the rule recovers and breaches again`,
      )
      out.push({ ...base, action: 'none', number: issue.number, url: issue.url, dispatched: false })
      continue
    }

    if (wantsDispatch && !dispatchDue)
      log.info(
        `${e.model}/${e.rule.name}: retraining was dispatched at ${prev.lastDispatchAt}; within the cooldown, not again`,
      )
    const dispatchAt = dispatchDue ? at.toISOString() : prev.lastDispatchAt
    let number = issue?.number
    let url = issue?.url
    let action: IssueAction
    // The state last written to the issue (to roll back a failed dispatch from).
    let written: IssueState | undefined
    const write = (s: IssueState) => {
      written = s
      return render(s)
    }
    if (!issue) {
      action = 'opened'
      if (!policy.dryRun) {
        const created = await forge.createIssue({
          title: issueTitle(e),
          body: write(
            state({
              breachedSince: at.toISOString(),
              lastCommentAt: at.toISOString(),
              lastDispatchAt: dispatchAt,
            }),
          ),
          labels: [...new Set([...policy.labels, ...e.rule.labels])],
        })
        number = created.number
        url = created.url
      }
    } else if (issue.state === 'closed') {
      action = 'reopened'
      if (!policy.dryRun) {
        await forge.createComment(issue.number, reopenedComment(e, policy.runUrl))
        await forge.updateIssue(issue.number, {
          state: 'open',
          body: write(
            state({
              breachedSince: at.toISOString(),
              lastCommentAt: at.toISOString(),
              lastDispatchAt: dispatchAt,
            }),
          ),
        })
      }
    } else {
      // Open, but the last run saw the rule recover (without close-resolved): a new breach, say so now.
      const recurred = !prev.breachedSince
      const commentDue = recurred || elapsed(prev.lastCommentAt, at) >= policy.commentIntervalMs
      action = commentDue ? 'commented' : 'unchanged'
      if (!policy.dryRun && (commentDue || dispatchDue)) {
        if (commentDue)
          await forge.createComment(
            issue.number,
            recurred ? reopenedComment(e, policy.runUrl, false) : stillBreachedComment(e, policy.runUrl),
          )
        await forge.updateIssue(issue.number, {
          body: write(
            state({
              breachedSince: prev.breachedSince ?? at.toISOString(),
              lastCommentAt: commentDue ? at.toISOString() : prev.lastCommentAt,
              lastDispatchAt: dispatchAt,
            }),
          ),
        })
      }
    }
    log.info(
      `${e.model}/${e.rule.name}: ${e.condition} (${formatValue(e.value)}); issue ${action}${number ? ` #${number}` : ''}`,
    )

    let dispatched = false
    if (dispatchDue && policy.dispatch && !policy.dryRun) {
      const d = policy.dispatch
      try {
        await forge.dispatchWorkflow(d.workflow, d.ref, dispatchInputs(d, e, number))
      } catch (err) {
        // The state already says "dispatched"; put it back so the next run tries again.
        if (number !== undefined && written)
          await forge
            .updateIssue(number, { body: render({ ...written, lastDispatchAt: prev.lastDispatchAt }) })
            .catch(() => undefined)
        throw err
      }
      dispatched = true
      log.info(`${e.model}/${e.rule.name}: dispatched ${d.workflow} on ${d.ref}`)
    }
    out.push({ ...base, action, number, url, dispatched })
  }
  return out
}
