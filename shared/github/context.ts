import { readFileSync } from 'node:fs'
import type { RunContext } from '../run-record/schema.js'

/** The repository a forge talks to. */
export interface RepoRef {
  readonly owner: string
  readonly repo: string
}

export function parseRepo(text: string): RepoRef | undefined {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(text.trim())
  return m ? { owner: m[1]!, repo: m[2]! } : undefined
}

/** The workflow event payload, or an empty object outside Actions. */
export function readEvent(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const file = env.GITHUB_EVENT_PATH
  if (!file) return {}
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  } catch {
    return {}
  }
}

/** The pull request this run is about, if any: `pull_request(_target)` events, or an `issue_comment` on a PR. */
export function pullRequestNumber(event: Record<string, unknown>): number | undefined {
  const pr = event.pull_request as { number?: unknown } | undefined
  if (pr && typeof pr.number === 'number') return pr.number
  const issue = event.issue as { number?: unknown; pull_request?: unknown } | undefined
  if (issue?.pull_request && typeof issue.number === 'number') return issue.number
  return undefined
}

/** Is the PR from a fork? Such runs get a read-only token on `pull_request`. */
export function isForkPullRequest(event: Record<string, unknown>): boolean {
  const pr = event.pull_request as { head?: { repo?: { full_name?: string } } } | undefined
  const base = (event.repository as { full_name?: string } | undefined)?.full_name
  const head = pr?.head?.repo?.full_name
  return !!(head && base && head !== base)
}

/** The run's context from the runner's environment; empty fields outside Actions. */
export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const event = readEvent(env)
  const serverUrl = env.GITHUB_SERVER_URL || undefined
  const repository = env.GITHUB_REPOSITORY || undefined
  const runId = env.GITHUB_RUN_ID || undefined
  const ctx: RunContext = {
    repository,
    serverUrl,
    workflow: env.GITHUB_WORKFLOW || undefined,
    job: env.GITHUB_JOB || undefined,
    runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT || undefined,
    runUrl: serverUrl && repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : undefined,
    sha: env.GITHUB_SHA || undefined,
    ref: env.GITHUB_REF || undefined,
    prNumber: pullRequestNumber(event),
    actor: env.GITHUB_ACTOR || undefined,
    eventName: env.GITHUB_EVENT_NAME || undefined,
  }
  return Object.fromEntries(Object.entries(ctx).filter(([, v]) => v !== undefined)) as RunContext
}
