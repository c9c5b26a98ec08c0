import { InputError } from '../errors.js'
import type { RunContext } from '../run-record/schema.js'

/**
 * Image references, tags and labels.
 *
 * Labels: the OCI set `org.opencontainers.image.{source,revision,created,version,title}`, plus the model's
 * lineage under one prefix, `io.mlops-actions.model.*`: `name`, `version`, `digest` (of the model files, as
 * the model registry computes it), `run-id` (the run that produced the model), `flavor`.
 */
export const LABEL_PREFIX = 'io.mlops-actions.model'

export interface ModelLineage {
  readonly name: string
  readonly version?: string
  readonly digest?: string
  readonly runId?: string
  readonly flavor?: string
}

export function imageLabels(o: {
  readonly model: ModelLineage
  readonly run: RunContext
  readonly created: Date
  readonly title?: string
}): Record<string, string> {
  const { model, run } = o
  const all: Record<string, string | undefined> = {
    'org.opencontainers.image.title': o.title ?? model.name,
    'org.opencontainers.image.version': model.version ?? shortSha(run.sha),
    'org.opencontainers.image.created': o.created.toISOString(),
    'org.opencontainers.image.revision': run.sha,
    'org.opencontainers.image.source':
      run.serverUrl && run.repository ? `${run.serverUrl}/${run.repository}` : undefined,
    [`${LABEL_PREFIX}.name`]: model.name,
    [`${LABEL_PREFIX}.version`]: model.version,
    [`${LABEL_PREFIX}.digest`]: model.digest,
    [`${LABEL_PREFIX}.run-id`]: model.runId,
    [`${LABEL_PREFIX}.flavor`]: model.flavor,
  }
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => !!e[1]))
}

export const shortSha = (sha?: string) => (sha ? sha.slice(0, 7) : undefined)

/** A parsed image reference: `registry/path/name[:tag]`. */
export interface ImageRef {
  /** Everything before the tag, lower-cased: `ghcr.io/octo-org/churn`. */
  readonly repository: string
  readonly tag?: string
  /** The registry host to log in to: `ghcr.io`, `127.0.0.1:5000`, `docker.io` for Docker Hub names. */
  readonly registry: string
}

const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const REPO_RE = /^[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/

export function parseImage(text: string, input = 'image'): ImageRef {
  const t = text.trim()
  if (t.includes('@'))
    throw new InputError(input, `'${t}' must not carry a digest; give a repository and tags`)
  const slash = t.lastIndexOf('/')
  const colon = t.lastIndexOf(':')
  const hasTag = colon > slash
  const repoPart = hasTag ? t.slice(0, colon) : t
  const tag = hasTag ? t.slice(colon + 1) : undefined
  const parts = repoPart.split('/')
  const first = parts[0] ?? ''
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')
  const host = hasHost ? first.toLowerCase() : 'docker.io'
  const path = (hasHost ? parts.slice(1) : parts).join('/').toLowerCase()
  if (!path || !REPO_RE.test(path))
    throw new InputError(
      input,
      `'${t}' is not an image repository`,
      "Use lower-case letters, digits, '.', '_', '-' and '/', e.g. 'ghcr.io/octo-org/churn-server'",
    )
  if (tag !== undefined && !TAG_RE.test(tag))
    throw new InputError(input, `'${t}' has an invalid tag '${tag}'`)
  return { repository: hasHost ? `${host}/${path}` : path, tag, registry: host }
}

/**
 * The full references to tag and push: `image` (with its tag, if any) plus each of `tags` (a bare tag is
 * appended to the image's repository; a full reference is kept). With no tag at all: the model version and
 * `sha-<short sha>`, or `latest` when neither is known.
 */
export function resolveTags(
  image: string,
  tags: readonly string[],
  defaults: { readonly version?: string; readonly sha?: string },
): string[] {
  const ref = parseImage(image)
  const out: string[] = []
  if (ref.tag) out.push(`${ref.repository}:${ref.tag}`)
  for (const t of tags) {
    if (t.includes('/') || t.includes(':')) {
      const r = parseImage(t, 'tags')
      out.push(`${r.repository}:${r.tag ?? 'latest'}`)
    } else {
      if (!TAG_RE.test(t))
        throw new InputError(
          'tags',
          `'${t}' is not a valid tag`,
          'Tags are letters, digits, _, . and - (max 128)',
        )
      out.push(`${ref.repository}:${t}`)
    }
  }
  if (out.length === 0) {
    if (defaults.version) out.push(`${ref.repository}:${safeTag(defaults.version)}`)
    if (defaults.sha) out.push(`${ref.repository}:sha-${shortSha(defaults.sha)}`)
    if (out.length === 0) out.push(`${ref.repository}:latest`)
  }
  return [...new Set(out)]
}

const safeTag = (v: string) => v.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]/, '_')

/** `repository@digest`: the one reference that names exactly what was pushed. */
export const pinned = (tagRef: string, digest: string) => `${parseImage(tagRef).repository}@${digest}`

/**
 * The image repository when neither `image` nor `image.name` in mlops.yaml is given: GHCR under the workflow's
 * repository in Actions (`ghcr.io/octo-org/ml-repo/churn`), `localhost/<model>` elsewhere.
 */
export function defaultImage(run: RunContext, modelName: string): string {
  const name = modelName.toLowerCase().replace(/[^a-z0-9._-]/g, '-')
  return run.repository ? `ghcr.io/${run.repository.toLowerCase()}/${name}` : `localhost/${name}`
}
