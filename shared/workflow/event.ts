/** Realistic webhook payloads for a local run, as the runner writes them to `GITHUB_EVENT_PATH`. */

export const EVENTS = ['pull_request', 'push', 'workflow_dispatch', 'schedule'] as const
export type EventName = (typeof EVENTS)[number]

export interface EventOptions {
  readonly repository: string
  readonly sha: string
  readonly defaultBranch: string
  readonly pr: number
  readonly inputs: Record<string, string>
  readonly actor: string
}

function repository(fullName: string, defaultBranch: string) {
  const [owner, name] = fullName.split('/')
  return {
    id: 1,
    name,
    full_name: fullName,
    private: false,
    owner: { login: owner, type: 'Organization' },
    default_branch: defaultBranch,
    html_url: `https://github.com/${fullName}`,
  }
}

/** The payload and the refs (`GITHUB_REF`, `GITHUB_HEAD_REF`, `GITHUB_BASE_REF`) of an event. */
export function buildEvent(name: EventName, o: EventOptions) {
  const repo = repository(o.repository, o.defaultBranch)
  const sender = { login: o.actor, type: 'User' }
  switch (name) {
    case 'pull_request': {
      const head = 'local-changes'
      return {
        ref: `refs/pull/${o.pr}/merge`,
        headRef: head,
        baseRef: o.defaultBranch,
        payload: {
          action: 'synchronize',
          number: o.pr,
          pull_request: {
            number: o.pr,
            state: 'open',
            title: 'Local run',
            user: sender,
            draft: false,
            html_url: `https://github.com/${o.repository}/pull/${o.pr}`,
            head: { ref: head, sha: o.sha, repo, label: `${repo.owner.login}:${head}` },
            base: { ref: o.defaultBranch, sha: o.sha, repo, label: `${repo.owner.login}:${o.defaultBranch}` },
          },
          repository: repo,
          sender,
        },
      }
    }
    case 'push':
      return {
        ref: `refs/heads/${o.defaultBranch}`,
        headRef: '',
        baseRef: '',
        payload: {
          ref: `refs/heads/${o.defaultBranch}`,
          before: '0'.repeat(40),
          after: o.sha,
          head_commit: { id: o.sha, message: 'Local run' },
          repository: repo,
          sender,
        },
      }
    case 'workflow_dispatch':
      return {
        ref: `refs/heads/${o.defaultBranch}`,
        headRef: '',
        baseRef: '',
        payload: { ref: `refs/heads/${o.defaultBranch}`, inputs: o.inputs, repository: repo, sender },
      }
    case 'schedule':
      return {
        ref: `refs/heads/${o.defaultBranch}`,
        headRef: '',
        baseRef: '',
        payload: { schedule: '0 0 * * *', repository: repo },
      }
  }
}
