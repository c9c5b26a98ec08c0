import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { InputError } from '../errors.js'
import { NODE_SERVER } from './node-server.js'
import { SKLEARN_SERVER } from './sklearn-server.js'

/**
 * Generated build contexts: for a model flavor, a Dockerfile plus a small HTTP server that loads the model and
 * answers `POST /predict`, `GET /health` and `GET /metrics`. Everything is written into the context directory
 * so users can read it, keep it, and build it themselves.
 */

export const FLAVORS = ['sklearn', 'node'] as const
export type Flavor = (typeof FLAVORS)[number]

/** Where the server listens inside the image (MLflow's and BentoML's images use 8080 too). */
export const SERVER_PORT = 8080

interface FlavorSpec {
  readonly baseImage: string
  readonly server: { readonly file: string; readonly source: string }
  /** The requirements installed when the `requirements` input is empty. */
  readonly defaultRequirements: readonly string[]
  readonly install: (req: ResolvedRequirements) => string[]
  readonly command: readonly string[]
}

/** What to install into the image on top of the base: nothing, a file from the context, or packages. */
export type Requirements =
  | { readonly kind: 'default' }
  | { readonly kind: 'none' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'list'; readonly items: readonly string[] }

type ResolvedRequirements =
  | { kind: 'none' }
  | { kind: 'file'; name: string }
  | { kind: 'list'; items: string[] }

const execForm = (args: readonly string[]) => JSON.stringify(args).replace(/","/g, '", "')

const FLAVOR_SPECS: Record<Flavor, FlavorSpec> = {
  sklearn: {
    baseImage: 'python:3.12-slim',
    server: { file: 'server.py', source: SKLEARN_SERVER },
    defaultRequirements: ['scikit-learn', 'joblib'],
    install: (r) =>
      r.kind === 'none'
        ? []
        : r.kind === 'file'
          ? [
              `COPY ${r.name} ./${r.name}`,
              `RUN ${execForm(['python3', '-m', 'pip', 'install', '--no-cache-dir', '-r', r.name])}`,
            ]
          : [`RUN ${execForm(['python3', '-m', 'pip', 'install', '--no-cache-dir', ...r.items])}`],
    command: ['python3', '/srv/model/server.py'],
  },
  node: {
    baseImage: 'node:24-slim',
    server: { file: 'server.mjs', source: NODE_SERVER },
    defaultRequirements: [],
    install: (r) =>
      r.kind === 'none'
        ? []
        : r.kind === 'file'
          ? [
              `COPY ${r.name} ./package.json`,
              `RUN ${execForm(['npm', 'install', '--omit=dev', '--no-audit', '--no-fund'])}`,
            ]
          : [`RUN ${execForm(['npm', 'install', '--omit=dev', '--no-audit', '--no-fund', ...r.items])}`],
    command: ['node', '/srv/model/server.mjs'],
  },
}

export function checkFlavor(flavor: string | undefined): Flavor {
  if (flavor && (FLAVORS as readonly string[]).includes(flavor)) return flavor as Flavor
  throw new InputError(
    'flavor',
    flavor
      ? `'${flavor}' has no generated Dockerfile (generated flavors: ${FLAVORS.join(', ')})`
      : 'is not set, so no Dockerfile can be generated',
    `Set model.flavor in mlops.yaml (or the 'flavor' input) to one of ${FLAVORS.join(', ')}, or give your own 'dockerfile'`,
  )
}

export const defaultBaseImage = (flavor: Flavor) => FLAVOR_SPECS[flavor].baseImage

/**
 * Parses the `requirements` input: empty → the flavor's defaults; `none` → install nothing (the base image
 * already has the libraries); one line naming a file → that file (pip requirements file, or package.json for
 * `node`); otherwise package specs, one per line or comma-separated.
 */
export async function parseRequirements(
  text: string | undefined,
  cwd = process.cwd(),
): Promise<Requirements> {
  const t = (text ?? '').trim()
  if (!t) return { kind: 'default' }
  if (t === 'none') return { kind: 'none' }
  if (!/[\n,]/.test(t)) {
    const file = path.resolve(cwd, t)
    const isFile = await stat(file).then(
      (s) => s.isFile(),
      () => false,
    )
    if (isFile) return { kind: 'file', path: file }
    if (/[/\\]/.test(t) || /\.(txt|json)$/.test(t))
      throw new InputError('requirements', `'${t}' looks like a file, but it does not exist`)
  }
  const items = t
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'))
  for (const i of items) {
    if (i.startsWith('-'))
      throw new InputError('requirements', `'${i}': options are not allowed; give packages`)
  }
  return { kind: 'list', items }
}

export interface DockerfileOptions {
  readonly flavor: Flavor
  readonly baseImage?: string
  readonly model: { readonly name: string; readonly version?: string }
  readonly requirements: ResolvedRequirements
}

/** The Dockerfile text for a flavor; pure, so tests can read it whole. */
export function renderDockerfile(o: DockerfileOptions): string {
  const spec = FLAVOR_SPECS[o.flavor]
  const env: [string, string][] = [
    ['MODEL_NAME', o.model.name],
    ['MODEL_VERSION', o.model.version ?? ''],
    ['MODEL_PATH', '/srv/model/model'],
    ['PORT', String(SERVER_PORT)],
  ]
  if (o.flavor === 'sklearn') env.unshift(['PYTHONDONTWRITEBYTECODE', '1'], ['PYTHONUNBUFFERED', '1'])
  const [cmd, script] = spec.command
  return [
    `# Generated by mlops-actions build-docker-image for model '${o.model.name}'${o.model.version ? ` version ${o.model.version}` : ''} (flavor ${o.flavor}).`,
    `# Keep it and edit it if you like: pass it back with the 'dockerfile' input to build it as yours.`,
    `# The server (${spec.server.file}) answers POST /predict, GET /health and GET /metrics on port ${SERVER_PORT}.`,
    `FROM ${o.baseImage || spec.baseImage}`,
    `ENV ${env.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' \\\n    ')}`,
    'WORKDIR /srv/model',
    ...spec.install(o.requirements),
    'COPY model/ ./model/',
    `COPY ${spec.server.file} ./${spec.server.file}`,
    '# Fails the build here, not at run time, when the image cannot load the model.',
    `RUN ${execForm([cmd!, script!, '--check'])}`,
    `EXPOSE ${SERVER_PORT}`,
    'USER 65532:65532',
    `CMD ${execForm(spec.command)}`,
    '',
  ].join('\n')
}

export interface GenerateOptions {
  readonly flavor: Flavor
  /** The model file or directory (already checked to exist). */
  readonly modelPath: string
  /** Directory the context is written into (created; our files in it are replaced). */
  readonly contextDir: string
  readonly baseImage?: string
  readonly requirements: Requirements
  readonly model: { readonly name: string; readonly version?: string }
}

export interface GeneratedContext {
  readonly contextDir: string
  readonly dockerfile: string
  readonly baseImage: string
  /** What the Dockerfile installs: `none`, the file's name, or the packages. */
  readonly requirements: string
  /** True when the default requirements were used (worth a warning: they are not pinned). */
  readonly defaultRequirements: boolean
}

/** Writes `Dockerfile`, the server, the model (under `model/`) and the requirements into `contextDir`. */
export async function generateContext(o: GenerateOptions): Promise<GeneratedContext> {
  const spec = FLAVOR_SPECS[o.flavor]
  const dir = path.resolve(o.contextDir)
  await mkdir(dir, { recursive: true })
  const modelDir = path.join(dir, 'model')
  await rm(modelDir, { recursive: true, force: true })
  const src = path.resolve(o.modelPath)
  if ((await stat(src)).isDirectory()) await cp(src, modelDir, { recursive: true })
  else {
    await mkdir(modelDir)
    await cp(src, path.join(modelDir, path.basename(src)))
  }

  let resolved: ResolvedRequirements
  let usedDefault = false
  const req = o.requirements
  if (req.kind === 'file') {
    const name = o.flavor === 'node' ? 'package.json' : 'requirements.txt'
    await writeFile(path.join(dir, name), await readFile(req.path))
    resolved = { kind: 'file', name }
  } else if (req.kind === 'list') resolved = { kind: 'list', items: [...req.items] }
  else if (req.kind === 'none' || spec.defaultRequirements.length === 0) resolved = { kind: 'none' }
  else {
    resolved = { kind: 'list', items: [...spec.defaultRequirements] }
    usedDefault = true
  }

  await writeFile(path.join(dir, spec.server.file), spec.server.source)
  const dockerfile = path.join(dir, 'Dockerfile')
  const baseImage = o.baseImage || spec.baseImage
  await writeFile(dockerfile, renderDockerfile({ ...o, baseImage, requirements: resolved }))
  return {
    contextDir: dir,
    dockerfile,
    baseImage,
    requirements:
      resolved.kind === 'none' ? 'none' : resolved.kind === 'file' ? resolved.name : resolved.items.join(' '),
    defaultRequirements: usedDefault,
  }
}
