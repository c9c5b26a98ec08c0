/**
 * The forge: where comments, issues, releases, deployments and workflow dispatches go. One interface, a
 * GitHub implementation (REST) and a local one (files under `.mlops/outbox/`), so the core runs the same in
 * Actions, in the CLI and in tests.
 */

export interface Comment {
  readonly id: number
  readonly body: string
  readonly url?: string
}

export interface Issue {
  readonly number: number
  readonly title: string
  readonly body: string
  readonly state: 'open' | 'closed'
  readonly labels: readonly string[]
  readonly url?: string
}

export interface Release {
  readonly id: number
  readonly tag: string
  readonly name: string
  readonly body: string
  readonly url?: string
}

export interface IssueQuery {
  readonly labels?: readonly string[]
  readonly state?: 'open' | 'closed' | 'all'
}

export interface Forge {
  /** Human-readable name of where things go (`github.com/o/r`, `.mlops/outbox`). */
  readonly description: string

  /** Every comment on an issue or PR, oldest first, across all pages. */
  comments(issueNumber: number): AsyncIterable<Comment>
  createComment(issueNumber: number, body: string): Promise<Comment>
  updateComment(commentId: number, body: string): Promise<Comment>

  /** Issues (not PRs) matching the query, across all pages. */
  issues(query: IssueQuery): AsyncIterable<Issue>
  createIssue(issue: { title: string; body: string; labels?: readonly string[] }): Promise<Issue>
  updateIssue(
    issueNumber: number,
    patch: { title?: string; body?: string; state?: 'open' | 'closed'; labels?: readonly string[] },
  ): Promise<Issue>

  createRelease(release: { tag: string; name: string; body: string; targetSha?: string }): Promise<Release>
  releaseByTag(tag: string): Promise<Release | undefined>
  uploadReleaseAsset(releaseId: number, name: string, data: Uint8Array, contentType?: string): Promise<void>

  createDeployment(deployment: {
    ref: string
    environment: string
    description: string
    payload: Record<string, unknown>
  }): Promise<{ id: number }>
  setDeploymentStatus(
    deploymentId: number,
    status: {
      state: 'success' | 'failure' | 'inactive' | 'in_progress'
      description?: string
      logUrl?: string
    },
  ): Promise<void>

  dispatchWorkflow(workflow: string, ref: string, inputs: Record<string, string>): Promise<void>
}
