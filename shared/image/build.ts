import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { InputError, MlopsError, PermissionError } from '../errors.js'
import { readModel } from '../registry/registry.js'
import type { RunContext } from '../run-record/schema.js'
import type { Logger } from '../util/logger.js'
import {
  type BuilderChoice,
  type BuilderKind,
  type BuildSpec,
  budArgs,
  buildxArgs,
  chooseBuilder,
  findFailedStep,
  isAuthRefusal,
  loginArgs,
  pushArgs,
} from './builders.js'
import { checkFlavor, generateContext, parseRequirements } from './dockerfile.js'
import type { Exec } from './exec.js'
import { imageLabels, type ModelLineage, parseImage, pinned, resolveTags } from './labels.js'

export interface BuildImageRequest {
  /** The model file or directory; required for a generated Dockerfile, optional with the user's own. */
  readonly modelPath?: string
  /** Name, version, run id, flavor; the digest is computed from `modelPath` when not given. */
  readonly model: ModelLineage
  /** The user's Dockerfile; empty → one generated for `model.flavor`. */
  readonly dockerfile?: string
  /** Build context: the user's (default `.`), or where the generated context is written. */
  readonly context?: string
  /** Image repository, e.g. `ghcr.io/octo-org/churn-server` (a tag in it is kept). */
  readonly image: string
  readonly tags: readonly string[]
  readonly push: boolean
  readonly builder: BuilderChoice
  readonly platforms: readonly string[]
  readonly baseImage?: string
  readonly requirements?: string
  readonly buildArgs?: Readonly<Record<string, string>>
  readonly credentials?: { readonly username: string; readonly password: string }
  readonly run: RunContext
  /** Inside GitHub Actions (buildx uses the `type=gha` cache). */
  readonly githubActions: boolean
  /** A private scratch directory (metadata, digest and auth files). */
  readonly workDir: string
}

export interface BuildImageResult {
  /** `repository@sha256:...` when pushed, else the first tag. */
  readonly image: string
  readonly digest: string
  readonly tags: readonly string[]
  readonly dockerfile: string
  readonly generated: boolean
  readonly contextDir: string
  readonly builder: BuilderKind
  readonly builderReason: string
  readonly labels: Readonly<Record<string, string>>
  readonly pushed: boolean
  readonly model: ModelLineage
  readonly baseImage?: string
  readonly requirements?: string
}

export interface BuildDeps {
  readonly exec: Exec
  readonly log: Logger
  readonly now?: () => Date
}

/** A Dockerfile step failed: names the step; its log was shown in a group. */
export class BuildError extends MlopsError {}

/**
 * Builds (and pushes) a serving image: prepares the context (generated or the user's), picks the builder,
 * logs in with the password on stdin, builds with OCI and lineage labels, pushes every tag, and reads back the
 * manifest digest.
 */
export async function buildImage(req: BuildImageRequest, deps: BuildDeps): Promise<BuildImageResult> {
  const { exec, log } = deps
  const now = deps.now?.() ?? new Date()

  const bundle = req.modelPath ? await readModel(req.modelPath) : undefined
  const model: ModelLineage = { ...req.model, digest: req.model.digest ?? bundle?.digest }

  const generated = !req.dockerfile
  let dockerfile: string
  let contextDir: string
  let baseImage: string | undefined
  let requirements: string | undefined
  if (generated) {
    if (!req.modelPath) {
      throw new InputError(
        'model-path',
        'is required to generate a Dockerfile',
        "Give 'model-path' (or 'model: name@version'), or your own 'dockerfile'",
      )
    }
    const flavor = checkFlavor(model.flavor)
    const ctx = await generateContext({
      flavor,
      modelPath: req.modelPath,
      contextDir: req.context || path.join('.mlops', 'image', model.name),
      baseImage: req.baseImage,
      requirements: await parseRequirements(req.requirements),
      model,
    })
    dockerfile = ctx.dockerfile
    contextDir = ctx.contextDir
    baseImage = ctx.baseImage
    requirements = ctx.requirements
    log.info(
      `Generated ${flavor} build context in ${contextDir} (base ${baseImage}, requirements: ${requirements})`,
    )
    if (ctx.defaultRequirements)
      log.warning(
        `requirements not given: the image installs unpinned '${requirements}'. Pin the versions the model was trained with (e.g. 'scikit-learn==1.5.2'), or 'none' when the base image has them.`,
      )
  } else {
    dockerfile = path.resolve(req.dockerfile!)
    contextDir = path.resolve(req.context || '.')
    if (!(await isFile(dockerfile))) throw new InputError('dockerfile', `'${req.dockerfile}' does not exist`)
    if (!(await isDir(contextDir))) throw new InputError('context', `'${req.context}' is not a directory`)
  }

  const tags = resolveTags(req.image, req.tags, { version: model.version, sha: req.run.sha })
  const labels = imageLabels({ model, run: req.run, created: now })
  const chosen = await chooseBuilder(exec, req.builder, log)
  const kind = chosen.kind
  const spec: BuildSpec = {
    context: contextDir,
    dockerfile,
    tags,
    labels,
    platforms: req.platforms,
    push: req.push,
    buildArgs: req.buildArgs,
  }

  await mkdir(req.workDir, { recursive: true })
  const env: Record<string, string> = {}
  const registry = parseImage(tags[0]!).registry
  if (req.credentials) {
    if (kind !== 'docker') {
      // A private auth file, removed afterwards: the credentials don't outlive the step. buildah and podman
      // refuse a REGISTRY_AUTH_FILE that does not exist yet.
      env.REGISTRY_AUTH_FILE = path.join(req.workDir, 'auth.json')
      await writeFile(env.REGISTRY_AUTH_FILE, '{"auths":{}}\n', { mode: 0o600 })
    }
    const r = await exec(kind, loginArgs(kind, registry, req.credentials.username), {
      stdin: req.credentials.password,
      env,
    })
    if (r.code !== 0) throw loginError(registry, req.credentials.username, `${r.stderr}${r.stdout}`)
    log.info(`Logged in to ${registry} as ${req.credentials.username}`)
  }

  try {
    let digest = ''
    if (kind === 'docker') {
      const metadataFile = path.join(req.workDir, 'metadata.json')
      const args = buildxArgs(spec, {
        githubActions: req.githubActions,
        cacheScope: parseImage(tags[0]!).repository.split('/').pop(),
        metadataFile,
      })
      await runBuild(kind, args, env, deps, req.push ? registry : undefined)
      const meta = JSON.parse(await readFile(metadataFile, 'utf8').catch(() => '{}')) as Record<
        string,
        unknown
      >
      digest = typeof meta['containerimage.digest'] === 'string' ? meta['containerimage.digest'] : ''
    } else {
      await runBuild(kind, budArgs(kind, spec), env, deps, undefined)
      if (req.push) {
        for (const [i, ref] of tags.entries()) {
          const digestFile = path.join(req.workDir, `digest-${i}`)
          const r = await deps.log.group(`Push ${ref}`, () =>
            exec(kind, pushArgs(ref, digestFile, parseImage(ref).registry), {
              env,
              onLine: (l) => log.info(l),
            }),
          )
          if (r.code !== 0) {
            const out = `${r.stderr}${r.stdout}`
            if (isAuthRefusal(out)) throw pushRefused(parseImage(ref).registry, ref, out, !!req.credentials)
            throw new MlopsError(`Pushing ${ref} failed: ${lastLines(out)}`)
          }
          const d = (await readFile(digestFile, 'utf8')).trim()
          if (!digest) digest = d
          else if (d !== digest)
            log.warning(`${ref} was pushed with digest ${d}, the first tag with ${digest}`)
        }
      } else {
        const inspect =
          kind === 'buildah'
            ? ['inspect', '--type', 'image', '--format', '{{.FromImageDigest}}', tags[0]!]
            : ['image', 'inspect', '--format', '{{.Digest}}', tags[0]!]
        const r = await exec(kind, inspect, { env })
        digest = r.code === 0 ? r.stdout.trim() : ''
      }
    }
    return {
      // By digest only when pushed: a local digest names nothing a registry can serve.
      image: digest && req.push ? pinned(tags[0]!, digest) : tags[0]!,
      digest,
      tags,
      dockerfile,
      generated,
      contextDir,
      builder: kind,
      builderReason: chosen.reason,
      labels,
      pushed: req.push,
      model,
      baseImage,
      requirements,
    }
  } finally {
    if (req.credentials) {
      if (kind === 'docker') await exec('docker', ['logout', registry])
      else await rm(env.REGISTRY_AUTH_FILE!, { force: true })
    }
  }
}

async function runBuild(
  kind: BuilderKind,
  args: string[],
  env: Record<string, string>,
  deps: BuildDeps,
  pushRegistry: string | undefined,
): Promise<void> {
  const { exec, log } = deps
  const r = await log.group(`Build with ${kind}`, async () => {
    log.info(`${kind} ${args.join(' ')}`)
    return exec(kind, args, { env, onLine: (l) => log.info(l) })
  })
  if (r.code === 0) return
  const out = `${r.stdout}\n${r.stderr}`
  if (pushRegistry && isAuthRefusal(out) && !findFailedStep(kind, out)?.log.length)
    throw pushRefused(pushRegistry, args.find((_a, i) => args[i - 1] === '--tag') ?? '', out, false)
  const failed = findFailedStep(kind, out)
  if (failed) {
    await log.group(`Failed step: ${failed.step}`, async () => {
      for (const l of failed.log.length ? failed.log : ['(the step printed nothing)']) log.info(l)
      log.info(failed.error)
    })
    throw new BuildError(
      `Dockerfile step '${failed.step}' failed: ${failed.error.replace(/^Error: /, '')}. Its log is in the group 'Failed step' above.`,
    )
  }
  throw new BuildError(`${kind} build failed (exit ${r.code}): ${lastLines(out)}`)
}

function pushRefused(registry: string, ref: string, out: string, loggedIn: boolean): PermissionError {
  const hint = loggedIn
    ? 'the credentials were accepted for login but may not push here: check that the user (or token) has write access to the repository'
    : "give 'registry-username' and 'registry-password' (for GHCR: github.actor and a GITHUB_TOKEN with 'packages: write')"
  return new PermissionError(
    `The registry ${registry} refused the push of ${ref} (401/403): a login problem. Either the login is missing or it lacks push rights; ${hint}. Registry said: ${lastLines(out, 2)}`,
    'packages: write',
  )
}

function loginError(registry: string, user: string, out: string): PermissionError {
  return new PermissionError(
    `Login to ${registry} as '${user}' failed: ${lastLines(out, 2)}. Check 'registry-username' and 'registry-password'.`,
  )
}

const lastLines = (s: string, n = 3) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' | ')

const isFile = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  )
const isDir = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  )
