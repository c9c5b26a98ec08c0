/** Minimal but realistic webhook payloads, as the runner writes them to GITHUB_EVENT_PATH. */

const repository = (fullName: string) => ({
  id: 1,
  name: fullName.split('/')[1],
  full_name: fullName,
  owner: { login: fullName.split('/')[0] },
  default_branch: 'main',
})

export function pullRequestEvent(number: number, opts: { base?: string; head?: string } = {}) {
  const base = opts.base ?? 'octo-org/ml-repo'
  return {
    name: 'pull_request',
    payload: {
      action: 'synchronize',
      number,
      pull_request: {
        number,
        title: 'Retrain with more data',
        head: { ref: 'feature', sha: 'feedface'.repeat(5), repo: repository(opts.head ?? base) },
        base: { ref: 'main', sha: 'c0ffee00'.repeat(5), repo: repository(base) },
      },
      repository: repository(base),
    },
  }
}

export function pushEvent() {
  return { name: 'push', payload: { ref: 'refs/heads/main', repository: repository('octo-org/ml-repo') } }
}
