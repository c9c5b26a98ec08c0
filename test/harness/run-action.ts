import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type Annotation, parseAnnotations, parseFileCommand } from '../../shared/workflow/file-commands.js'

export type { Annotation }
export { parseAnnotations, parseFileCommand }

export const ROOT = path.resolve(import.meta.dirname, '../..')

export interface ActionRun {
  readonly exitCode: number | null
  readonly outputs: Record<string, string>
  readonly summary: string
  readonly env: Record<string, string>
  readonly state: Record<string, string>
  readonly annotations: Annotation[]
  readonly stdout: string
  readonly stderr: string
  /** The `::error::` lines, decoded. */
  readonly errors: string[]
}

export interface RunOptions {
  /** Inputs by their action.yml names (hyphens kept). Defaults from action.yml are applied as the runner does. */
  readonly inputs?: Record<string, string>
  readonly event?: { name: string; payload: Record<string, unknown> }
  readonly cwd?: string
  readonly env?: Record<string, string>
  /** Run the `post` entry point with the state the main step saved. */
  readonly post?: { state: Record<string, string> }
  readonly timeoutMs?: number
}

/** Inputs with their action.yml defaults applied, as `INPUT_<NAME>` (upper-cased, hyphens kept, spaces to _). */
async function inputEnv(action: string, given: Record<string, string>, ctx: { token: string }) {
  const { parse } = await import('yaml')
  const meta = parse(await readFile(path.join(ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: string }>
  }
  const env: Record<string, string> = {}
  for (const [name, spec] of Object.entries(meta.inputs ?? {})) {
    let v = given[name] ?? String(spec.default ?? '')
    if (v === '${{ github.token }}') v = ctx.token
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = v
  }
  for (const name of Object.keys(given)) {
    if (!(name in (meta.inputs ?? {})))
      throw new Error(`test passes input '${name}' that ${action}/action.yml does not declare`)
  }
  return env
}

/**
 * Runs `actions/<name>/dist/index.js` exactly as the runner does: a child `node` process with `INPUT_*`,
 * the file-command files (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `GITHUB_ENV`, `GITHUB_STATE`), the event
 * payload file and the `GITHUB_*` context; returns outputs, summary, annotations and exit code.
 */
export async function runAction(action: string, opts: RunOptions = {}): Promise<ActionRun> {
  const dir = await mkdtemp(path.join(tmpdir(), `run-${action}-`))
  const files = {
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'),
    GITHUB_ENV: path.join(dir, 'env'),
    GITHUB_STATE: path.join(dir, 'state'),
    GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
  }
  for (const f of Object.values(files)) await writeFile(f, '')
  await writeFile(files.GITHUB_EVENT_PATH, JSON.stringify(opts.event?.payload ?? {}))
  const token = opts.env?.GITHUB_TOKEN ?? 'ghs_test_token'
  const cwd = opts.cwd ?? dir
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: dir,
    RUNNER_OS: 'Linux',
    GITHUB_WORKSPACE: cwd,
    GITHUB_REPOSITORY: 'octo-org/ml-repo',
    GITHUB_REPOSITORY_OWNER: 'octo-org',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_EVENT_NAME: opts.event?.name ?? 'push',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKFLOW: 'ml-pipeline',
    GITHUB_JOB: 'test',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    ...files,
    ...(await inputEnv(action, opts.inputs ?? {}, { token })),
    ...Object.fromEntries(Object.entries(opts.post?.state ?? {}).map(([k, v]) => [`STATE_${k}`, v])),
    ...opts.env,
  }
  const bundle = path.join(ROOT, 'actions', action, 'dist', 'index.js')
  const child = spawn(process.execPath, [bundle], { cwd, env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000)
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(timer)
  const annotations = parseAnnotations(stdout)
  return {
    exitCode,
    outputs: parseFileCommand(await readFile(files.GITHUB_OUTPUT, 'utf8')),
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
    env: parseFileCommand(await readFile(files.GITHUB_ENV, 'utf8')),
    state: parseFileCommand(await readFile(files.GITHUB_STATE, 'utf8')),
    annotations,
    errors: annotations.filter((a) => a.level === 'error').map((a) => a.message),
    stdout,
    stderr,
  }
}
