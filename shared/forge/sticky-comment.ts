import type { Comment, Forge } from './forge.js'

/**
 * A hidden HTML marker that finds "our" comment again on later runs. Keyed by the action and an id (the
 * model name), so each model keeps one comment per pull request.
 */
export class Marker {
  constructor(
    private readonly action: string,
    private readonly id = 'default',
  ) {}

  toString(): string {
    return `<!-- ${this.action}:${this.id} -->`
  }

  appendTo(body: string): string {
    return `${body}\n\n${this}`
  }

  isIn(body: string | undefined): boolean {
    return !!body?.includes(String(this))
  }
}

/** Finds the first comment carrying the marker, paging through every comment (not just the first 30). */
export async function findMarkedComment(forge: Forge, issueNumber: number, marker: Marker) {
  for await (const c of forge.comments(issueNumber)) if (marker.isIn(c.body)) return c
  return undefined
}

/** Creates the marked comment once and updates it in place on every later run. */
export async function upsertStickyComment(
  forge: Forge,
  issueNumber: number,
  marker: Marker,
  body: string,
): Promise<Comment & { created: boolean }> {
  const marked = marker.appendTo(body)
  const existing = await findMarkedComment(forge, issueNumber, marker)
  if (existing) {
    if (existing.body === marked) return { ...existing, created: false }
    return { ...(await forge.updateComment(existing.id, marked)), created: false }
  }
  return { ...(await forge.createComment(issueNumber, marked)), created: true }
}
