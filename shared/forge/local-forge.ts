import path from 'node:path'
import { NotFoundError } from '../errors.js'
import { readJsonOr, writeFileAtomic } from '../util/fs.js'
import type { Comment, Forge, Issue, IssueQuery, Release } from './forge.js'

interface OutboxState {
  nextId: number
  comments: Array<Comment & { issueNumber: number; createdAt: string; updatedAt: string }>
  issues: Array<Issue & { createdAt: string; updatedAt: string }>
  releases: Array<Release & { assets: string[] }>
  deployments: Array<{
    id: number
    ref: string
    environment: string
    description: string
    payload: unknown
    statuses: unknown[]
  }>
  dispatches: Array<{ workflow: string; ref: string; inputs: Record<string, string>; at: string }>
}

const empty = (): OutboxState => ({
  nextId: 1,
  comments: [],
  issues: [],
  releases: [],
  deployments: [],
  dispatches: [],
})

/**
 * The forge for local runs and other CI systems: everything that would go to GitHub is written under
 * `.mlops/outbox/` — `state.json` for the machine, and one Markdown file per comment or issue for people
 * (`comments/<thread>/<id>.md`, `issues/<n>.md`). Thread 0 stands for "no pull request".
 */
export class LocalForge implements Forge {
  readonly description: string
  private readonly stateFile: string

  constructor(private readonly dir = '.mlops/outbox') {
    this.description = dir
    this.stateFile = path.join(dir, 'state.json')
  }

  private load() {
    return readJsonOr<OutboxState>(this.stateFile, empty())
  }

  private async save(s: OutboxState) {
    await writeFileAtomic(this.stateFile, `${JSON.stringify(s, null, 2)}\n`)
  }

  /** The file a comment is written to, for people to open. */
  commentPath(issueNumber: number, id: number): string {
    return path.join(this.dir, 'comments', issueNumber ? `pr-${issueNumber}` : 'local', `${id}.md`)
  }

  async *comments(issueNumber: number): AsyncIterable<Comment> {
    for (const c of (await this.load()).comments) if (c.issueNumber === issueNumber) yield c
  }

  async createComment(issueNumber: number, body: string): Promise<Comment> {
    const s = await this.load()
    const now = new Date().toISOString()
    const id = s.nextId++
    const url = this.commentPath(issueNumber, id)
    s.comments.push({ id, body, url, issueNumber, createdAt: now, updatedAt: now })
    await writeFileAtomic(url, body)
    await this.save(s)
    return { id, body, url }
  }

  async updateComment(commentId: number, body: string): Promise<Comment> {
    const s = await this.load()
    const c = s.comments.find((x) => x.id === commentId)
    if (!c) throw new NotFoundError(`comment ${commentId} is not in ${this.stateFile}`)
    Object.assign(c, { body, updatedAt: new Date().toISOString() })
    await writeFileAtomic(c.url!, body)
    await this.save(s)
    return { id: c.id, body, url: c.url! }
  }

  async *issues(query: IssueQuery): AsyncIterable<Issue> {
    const state = query.state ?? 'open'
    for (const i of (await this.load()).issues) {
      if (state !== 'all' && i.state !== state) continue
      if (query.labels?.some((l) => !i.labels.includes(l))) continue
      yield i
    }
  }

  private async writeIssue(i: Issue) {
    await writeFileAtomic(
      path.join(this.dir, 'issues', `${i.number}.md`),
      `# ${i.title}\n\nstate: ${i.state} · labels: ${i.labels.join(', ')}\n\n${i.body}\n`,
    )
  }

  async createIssue(issue: { title: string; body: string; labels?: readonly string[] }): Promise<Issue> {
    const s = await this.load()
    const now = new Date().toISOString()
    const number = s.nextId++
    const created = {
      number,
      title: issue.title,
      body: issue.body,
      state: 'open' as const,
      labels: [...(issue.labels ?? [])],
      url: path.join(this.dir, 'issues', `${number}.md`),
      createdAt: now,
      updatedAt: now,
    }
    s.issues.push(created)
    await this.writeIssue(created)
    await this.save(s)
    return created
  }

  async updateIssue(
    issueNumber: number,
    patch: { title?: string; body?: string; state?: 'open' | 'closed'; labels?: readonly string[] },
  ): Promise<Issue> {
    const s = await this.load()
    const i = s.issues.find((x) => x.number === issueNumber)
    if (!i) throw new NotFoundError(`issue #${issueNumber} is not in ${this.stateFile}`)
    Object.assign(i, {
      ...patch,
      ...(patch.labels ? { labels: [...patch.labels] } : {}),
      updatedAt: new Date().toISOString(),
    })
    await this.writeIssue(i)
    await this.save(s)
    return i
  }

  async createRelease(r: { tag: string; name: string; body: string }): Promise<Release> {
    const s = await this.load()
    const release = { id: s.nextId++, tag: r.tag, name: r.name, body: r.body, assets: [] }
    s.releases.push(release)
    await this.save(s)
    return release
  }

  async releaseByTag(tag: string): Promise<Release | undefined> {
    return (await this.load()).releases.find((r) => r.tag === tag)
  }

  async uploadReleaseAsset(releaseId: number, name: string, data: Uint8Array): Promise<void> {
    const s = await this.load()
    const r = s.releases.find((x) => x.id === releaseId)
    if (!r) throw new NotFoundError(`release ${releaseId} is not in ${this.stateFile}`)
    await writeFileAtomic(path.join(this.dir, 'releases', r.tag, name), data)
    r.assets.push(name)
    await this.save(s)
  }

  async createDeployment(d: {
    ref: string
    environment: string
    description: string
    payload: Record<string, unknown>
  }) {
    const s = await this.load()
    const id = s.nextId++
    s.deployments.push({ id, ...d, statuses: [] })
    await this.save(s)
    return { id }
  }

  async setDeploymentStatus(
    deploymentId: number,
    status: { state: string; description?: string; logUrl?: string },
  ) {
    const s = await this.load()
    const d = s.deployments.find((x) => x.id === deploymentId)
    if (!d) throw new NotFoundError(`deployment ${deploymentId} is not in ${this.stateFile}`)
    d.statuses.push({ ...status, at: new Date().toISOString() })
    await this.save(s)
  }

  async dispatchWorkflow(workflow: string, ref: string, inputs: Record<string, string>) {
    const s = await this.load()
    s.dispatches.push({ workflow, ref, inputs, at: new Date().toISOString() })
    await this.save(s)
  }
}
