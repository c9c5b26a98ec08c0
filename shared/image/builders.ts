import { InputError, NotFoundError } from '../errors.js'
import type { Logger } from '../util/logger.js'
import type { Exec } from './exec.js'

/**
 * The image builders and their command lines. `auto` picks `docker buildx` when a Docker engine answers
 * `docker info` (GitHub-hosted runners), else `buildah`, else `podman`, and says why.
 * Every argument list is built by a pure function here, so tests can read it; secrets never appear in one.
 */

export const BUILDERS = ['auto', 'docker', 'buildah', 'podman'] as const
export type BuilderChoice = (typeof BUILDERS)[number]
export type BuilderKind = Exclude<BuilderChoice, 'auto'>

export interface BuildSpec {
  readonly context: string
  readonly dockerfile: string
  /** Full references (`ghcr.io/o/churn:3`). The first is the one pushed first and reported. */
  readonly tags: readonly string[]
  readonly labels: Readonly<Record<string, string>>
  readonly platforms: readonly string[]
  readonly push: boolean
  readonly buildArgs?: Readonly<Record<string, string>>
}

export interface BuildxOptions {
  /** Inside GitHub Actions: use the `type=gha` build cache. */
  readonly githubActions: boolean
  /** Cache scope (one per image), so two images of one repository don't evict each other. */
  readonly cacheScope?: string
  /** Where buildx writes the build result (`containerimage.digest`). */
  readonly metadataFile: string
}

const labelArgs = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`])
const tagArgs = (tags: readonly string[]) => tags.flatMap((t) => ['--tag', t])
const buildArgArgs = (args: Readonly<Record<string, string>> = {}) =>
  Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`])

/**
 * `docker buildx build ...`: with `--push` the image goes straight to the registry; without it a
 * single-platform image is loaded into the engine (`--load`); a multi-platform one stays in the build cache.
 */
export function buildxArgs(spec: BuildSpec, o: BuildxOptions): string[] {
  const scope = o.cacheScope ? `,scope=${o.cacheScope}` : ''
  return [
    'buildx',
    'build',
    '--file',
    spec.dockerfile,
    ...tagArgs(spec.tags),
    ...labelArgs(spec.labels),
    ...buildArgArgs(spec.buildArgs),
    ...(spec.platforms.length ? ['--platform', spec.platforms.join(',')] : []),
    ...(o.githubActions
      ? ['--cache-from', `type=gha${scope}`, '--cache-to', `type=gha,mode=max${scope}`]
      : []),
    '--metadata-file',
    o.metadataFile,
    ...(spec.push ? ['--push'] : spec.platforms.length <= 1 ? ['--load'] : []),
    spec.context,
  ]
}

/** `buildah bud` / `podman build`: one platform at most (multi-platform needs buildx). */
export function budArgs(kind: 'buildah' | 'podman', spec: BuildSpec): string[] {
  if (spec.platforms.length > 1) {
    throw new InputError(
      'platforms',
      `${kind} builds one platform at a time here; got ${spec.platforms.join(', ')}`,
      "Use 'builder: docker' (buildx) for multi-platform images",
    )
  }
  return [
    ...(kind === 'buildah' ? ['bud'] : ['build']),
    '--file',
    spec.dockerfile,
    ...tagArgs(spec.tags),
    ...labelArgs(spec.labels),
    ...buildArgArgs(spec.buildArgs),
    ...(spec.platforms.length ? ['--platform', spec.platforms[0]!] : []),
    spec.context,
  ]
}

/**
 * A registry on the loopback interface speaks plain HTTP, as Docker assumes for 127.0.0.0/8 (a local test or
 * mirror registry); buildah and podman are told so with `--tls-verify=false`. Every other registry needs TLS.
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(0, registry.indexOf(']') + 1)
    : registry.split(':')[0]!
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]'
}

const tlsArgs = (registry: string) => (isLoopbackRegistry(registry) ? ['--tls-verify=false'] : [])

/** `buildah push` / `podman push` with the manifest digest written to a file. */
export function pushArgs(ref: string, digestFile: string, registry: string): string[] {
  return ['push', ...tlsArgs(registry), '--digestfile', digestFile, ref, `docker://${ref}`]
}

/** `<tool> login --username U --password-stdin REGISTRY`: the password goes on stdin, never here. */
export function loginArgs(kind: BuilderKind, registry: string, username: string): string[] {
  return [
    'login',
    ...(kind === 'docker' ? [] : tlsArgs(registry)),
    '--username',
    username,
    '--password-stdin',
    registry,
  ]
}

export interface BuilderChoiceResult {
  readonly kind: BuilderKind
  /** One sentence: why this builder. */
  readonly reason: string
}

const firstLine = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean) ?? ''

async function probe(exec: Exec, kind: BuilderKind): Promise<{ ok: boolean; why: string }> {
  if (kind === 'docker') {
    const info = await exec('docker', ['info', '--format', '{{.ServerVersion}}'])
    if (info.code === 127) return { ok: false, why: 'docker is not installed' }
    if (info.code !== 0)
      return {
        ok: false,
        why: `docker info did not answer (${firstLine(info.stderr) || `exit ${info.code}`})`,
      }
    const bx = await exec('docker', ['buildx', 'version'])
    if (bx.code !== 0)
      return { ok: false, why: 'the Docker engine answers but docker buildx is not installed' }
    return { ok: true, why: `docker info answered (engine ${info.stdout.trim()}), ${firstLine(bx.stdout)}` }
  }
  const v = await exec(kind, ['--version'])
  if (v.code === 127) return { ok: false, why: `${kind} is not installed` }
  if (v.code !== 0) return { ok: false, why: `${kind} --version failed (${firstLine(v.stderr)})` }
  return { ok: true, why: firstLine(v.stdout) }
}

/** Picks the builder; a forced one must be there, `auto` tries docker, buildah, podman in that order. */
export async function chooseBuilder(
  exec: Exec,
  choice: BuilderChoice,
  log: Logger,
): Promise<BuilderChoiceResult> {
  if (choice !== 'auto') {
    const p = await probe(exec, choice)
    if (!p.ok) throw new NotFoundError(`Builder '${choice}' was asked for, but ${p.why}.`)
    const r = { kind: choice, reason: `forced by 'builder: ${choice}' (${p.why})` }
    log.info(`Builder: ${choice}, ${r.reason}`)
    return r
  }
  const tried: string[] = []
  for (const kind of ['docker', 'buildah', 'podman'] as const) {
    const p = await probe(exec, kind)
    if (p.ok) {
      const reason = `${tried.length ? `${tried.join('; ')}; ` : ''}${kind === 'docker' ? p.why : `using ${p.why}`}`
      log.info(`Builder: ${kind} (auto: ${reason})`)
      return { kind, reason: `auto: ${reason}` }
    }
    tried.push(p.why)
  }
  throw new NotFoundError(
    `No image builder found: ${tried.join('; ')}. Run on a runner with Docker (GitHub-hosted runners have it), or install buildah or podman (apt-get install buildah).`,
  )
}

/** A failed Dockerfile step, found in a builder's output. */
export interface FailedStep {
  /** `STEP 5/9: RUN python3 server.py --check` (buildah, podman) or `[4/7] RUN ...` (buildx). */
  readonly step: string
  /** The step's own log lines. */
  readonly log: readonly string[]
  /** The builder's error line. */
  readonly error: string
}

/** Reads buildah/podman (`STEP n/m: ...`) or buildx (`#8 [3/4] RUN ...`) output for the step that failed. */
export function findFailedStep(kind: BuilderKind, output: string): FailedStep | undefined {
  const lines = output.split(/\r?\n/)
  if (kind === 'docker') {
    const error = lines.find((l) => /^ERROR: /.test(l) || /^ERROR: failed to (solve|build)/.test(l))
    if (!error) return undefined
    // buildx prints the failing step as `> [stage 3/4] RUN false:` in its error box, and `#N [3/4] RUN ...`
    // with `#N` prefixed log lines while it runs.
    const boxed = lines.map((l) => /^\s*> \[([^\]]+)\] (.*):$/.exec(l)).find(Boolean)
    const stepText = boxed ? `[${boxed[1]}] ${boxed[2]}` : undefined
    const id = stepText
      ? lines.map((l) => /^(#\d+) (\[[^\]]+\] .*)$/.exec(l)).find((m) => m && m[2] === stepText)?.[1]
      : undefined
    const log = id
      ? lines
          .filter((l) => l.startsWith(`${id} `) && !l.startsWith(`${id} [`))
          .map((l) => l.slice(id.length + 1))
      : []
    return { step: stepText ?? error.replace(/^ERROR: /, ''), log, error: error.replace(/^ERROR: /, '') }
  }
  const error = [...lines].reverse().find((l) => /^Error: /.test(l) || /^error building at STEP/.test(l))
  if (!error) return undefined
  const stepStarts = lines.flatMap((l, i) => (/^STEP \d+\/\d+: /.test(l) ? [i] : []))
  const at = /at STEP "([^"]+)"/.exec(error)?.[1]
  const idx = at
    ? (stepStarts.find((i) => lines[i]!.replace(/^STEP \d+\/\d+: /, '') === at) ?? stepStarts.at(-1))
    : stepStarts.at(-1)
  if (idx === undefined) return { step: at ?? 'unknown step', log: [], error }
  const end = lines.findIndex((l, i) => i > idx && (/^STEP \d+\/\d+: /.test(l) || l === error))
  return {
    step: lines[idx]!,
    log: lines.slice(idx + 1, end < 0 ? undefined : end).filter((l) => l.trim() !== ''),
    error,
  }
}

/** Did the registry refuse us (401/403)? Then it is a login problem, not a build problem. */
export function isAuthRefusal(output: string): boolean {
  return /\b(401|403)\b|unauthorized|authentication required|access.?denied|denied: |insufficient_scope|forbidden/i.test(
    output,
  )
}
