import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { type BuildImageRequest, buildImage } from '../../shared/image/build.js'
import type { Exec, ExecOptions } from '../../shared/image/exec.js'
import { imageLabels, parseImage, pinned, resolveTags } from '../../shared/image/labels.js'
import type { Logger } from '../../shared/util/logger.js'

describe('image references and tags', () => {
  it('parses registries, repositories and tags', () => {
    expect(parseImage('ghcr.io/Octo-Org/churn')).toEqual({
      repository: 'ghcr.io/octo-org/churn',
      registry: 'ghcr.io',
    })
    expect(parseImage('127.0.0.1:5000/org/m:1')).toEqual({
      repository: '127.0.0.1:5000/org/m',
      tag: '1',
      registry: '127.0.0.1:5000',
    })
    expect(parseImage('octo/churn')).toEqual({ repository: 'octo/churn', registry: 'docker.io' })
    expect(() => parseImage('ghcr.io/o/x@sha256:abc')).toThrow(/must not carry a digest/)
    expect(() => parseImage('ghcr.io/o/bad repo')).toThrow(/is not an image repository/)
  })

  it('defaults to the model version and the short sha; tags add to the image', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567'
    expect(resolveTags('ghcr.io/o/churn', [], { version: '3', sha })).toEqual([
      'ghcr.io/o/churn:3',
      'ghcr.io/o/churn:sha-0123456',
    ])
    expect(resolveTags('ghcr.io/o/churn', [], {})).toEqual(['ghcr.io/o/churn:latest'])
    expect(resolveTags('ghcr.io/o/churn:edge', ['3', 'production', 'docker.io/o/churn:3'], { sha })).toEqual([
      'ghcr.io/o/churn:edge',
      'ghcr.io/o/churn:3',
      'ghcr.io/o/churn:production',
      'docker.io/o/churn:3',
    ])
    expect(() => resolveTags('ghcr.io/o/churn', ['bad tag'], {})).toThrow(
      "Input 'tags' 'bad tag' is not a valid tag",
    )
  })

  it('pins the pushed image by digest', () => {
    expect(pinned('ghcr.io/o/churn:3', 'sha256:ab')).toBe('ghcr.io/o/churn@sha256:ab')
  })

  it('labels: the OCI set plus the lineage under io.mlops-actions.model', () => {
    expect(
      imageLabels({
        model: { name: 'churn', version: '3', digest: 'sha256:feed', runId: '4242', flavor: 'sklearn' },
        run: { serverUrl: 'https://github.com', repository: 'octo-org/ml-repo', sha: 'abc1234def' },
        created: new Date('2026-11-22T10:00:00Z'),
      }),
    ).toEqual({
      'org.opencontainers.image.title': 'churn',
      'org.opencontainers.image.version': '3',
      'org.opencontainers.image.created': '2026-11-22T10:00:00.000Z',
      'org.opencontainers.image.revision': 'abc1234def',
      'org.opencontainers.image.source': 'https://github.com/octo-org/ml-repo',
      'io.mlops-actions.model.name': 'churn',
      'io.mlops-actions.model.version': '3',
      'io.mlops-actions.model.digest': 'sha256:feed',
      'io.mlops-actions.model.run-id': '4242',
      'io.mlops-actions.model.flavor': 'sklearn',
    })
    // Outside Actions, unknown values are left out rather than set empty.
    expect(imageLabels({ model: { name: 'm' }, run: {}, created: new Date(0) })).toEqual({
      'org.opencontainers.image.title': 'm',
      'org.opencontainers.image.created': '1970-01-01T00:00:00.000Z',
      'io.mlops-actions.model.name': 'm',
    })
  })
})

interface Call {
  cmd: string
  args: readonly string[]
  opts: ExecOptions
}
/** A fake builder: records every call; answers per command prefix; writes digest/metadata files as the real ones do. */
function fakeExec(over: Record<string, { code: number; stdout?: string; stderr?: string }> = {}) {
  const calls: Call[] = []
  const exec: Exec = async (cmd, args, opts = {}) => {
    calls.push({ cmd, args, opts })
    const line = [cmd, ...args].join(' ')
    const key = Object.keys(over).find((k) => line.startsWith(k))
    if (key) {
      const a = over[key]!
      for (const l of `${a.stdout ?? ''}${a.stderr ?? ''}`.split('\n')) opts.onLine?.(l)
      return { code: a.code, stdout: a.stdout ?? '', stderr: a.stderr ?? '' }
    }
    if (line === 'docker info --format {{.ServerVersion}}')
      return { code: 1, stdout: '', stderr: 'no engine' }
    if (cmd === 'docker') return { code: 127, stdout: '', stderr: '' }
    if (args[0] === '--version') return { code: 0, stdout: `${cmd} version 1.28.2\n`, stderr: '' }
    if (args[0] === 'push') await writeFile(args[args.indexOf('--digestfile') + 1]!, 'sha256:d1g35t')
    return { code: 0, stdout: '', stderr: '' }
  }
  return { exec, calls }
}

function memoryLog() {
  const lines: string[] = []
  const log: Logger = {
    info: (m) => lines.push(m),
    debug: () => {},
    notice: (m) => lines.push(`notice: ${m}`),
    warning: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
    group: async (name, fn) => {
      lines.push(`::group::${name}`)
      const r = await fn()
      lines.push('::endgroup::')
      return r
    },
  }
  return { log, lines }
}

async function setup(over: Partial<BuildImageRequest> = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'image-build-'))
  await mkdir(path.join(dir, 'model'))
  await writeFile(path.join(dir, 'model', 'model.joblib'), 'weights')
  const req: BuildImageRequest = {
    modelPath: path.join(dir, 'model'),
    model: { name: 'churn', version: '3', runId: '4242', flavor: 'sklearn' },
    context: path.join(dir, 'ctx'),
    image: '127.0.0.1:5000/org/churn',
    tags: [],
    push: true,
    builder: 'auto',
    platforms: [],
    requirements: 'none',
    run: { sha: '0123456789abcdef0123456789abcdef01234567' },
    githubActions: false,
    workDir: path.join(dir, 'work'),
    ...over,
  }
  return { dir, req }
}

describe('buildImage (fake builder)', () => {
  it('generates, builds with buildah, pushes every tag, and reports the digest', async () => {
    const { req, dir } = await setup()
    const { exec, calls } = fakeExec()
    const { log, lines } = memoryLog()
    const r = await buildImage(req, { exec, log, now: () => new Date('2026-11-22T10:00:00Z') })
    expect(r).toMatchObject({
      image: '127.0.0.1:5000/org/churn@sha256:d1g35t',
      digest: 'sha256:d1g35t',
      tags: ['127.0.0.1:5000/org/churn:3', '127.0.0.1:5000/org/churn:sha-0123456'],
      dockerfile: path.join(dir, 'ctx', 'Dockerfile'),
      generated: true,
      builder: 'buildah',
      pushed: true,
    })
    expect(r.labels['io.mlops-actions.model.digest']).toMatch(/^sha256:[0-9a-f]{64}$/)
    const bud = calls.find((c) => c.args[0] === 'bud')!
    expect(bud.args.slice(0, 3)).toEqual(['bud', '--file', path.join(dir, 'ctx', 'Dockerfile')])
    expect(calls.filter((c) => c.args[0] === 'push').map((c) => c.args.at(-2))).toEqual(r.tags)
    expect(lines).toContain('::group::Build with buildah')
    expect(
      lines.some((l) => l.startsWith('Builder: buildah (auto: docker info did not answer (no engine)')),
    ).toBe(true)
    expect(await readFile(r.dockerfile, 'utf8')).toContain('FROM python:3.12-slim')
  })

  it('logs in with the password on stdin only, in a private auth file it removes afterwards', async () => {
    const { req } = await setup({ credentials: { username: 'ci', password: 's3cr3t-pw' } })
    const { exec, calls } = fakeExec()
    await buildImage(req, { exec, log: memoryLog().log })
    const login = calls.find((c) => c.args[0] === 'login')!
    expect(login.args).toEqual([
      'login',
      '--tls-verify=false',
      '--username',
      'ci',
      '--password-stdin',
      '127.0.0.1:5000',
    ])
    expect(login.opts.stdin).toBe('s3cr3t-pw')
    expect(login.opts.env?.REGISTRY_AUTH_FILE).toBe(path.join(req.workDir, 'auth.json'))
    for (const c of calls) expect(c.args.join(' ')).not.toContain('s3cr3t-pw')
    expect(calls.find((c) => c.args[0] === 'push')?.opts.env?.REGISTRY_AUTH_FILE).toBe(
      path.join(req.workDir, 'auth.json'),
    )
  })

  it('names a refused push (401/403) as a login problem', async () => {
    const { req } = await setup()
    const { exec } = fakeExec({
      'buildah push': {
        code: 125,
        stderr:
          'Error: writing blob: initiating layer upload to /v2/org/churn/blobs/uploads/ in 127.0.0.1:5000: unauthorized: authentication required\n',
      },
    })
    await expect(buildImage(req, { exec, log: memoryLog().log })).rejects.toThrow(
      /^The registry 127\.0\.0\.1:5000 refused the push of 127\.0\.0\.1:5000\/org\/churn:3 \(401\/403\): a login problem\. .*give 'registry-username' and 'registry-password'/,
    )
  })

  it('shows the failing step in a group and names it', async () => {
    const { req } = await setup()
    const { exec } = fakeExec({
      'buildah bud': {
        code: 1,
        stdout: 'STEP 1/2: FROM base\nSTEP 2/2: RUN ["false"]\nboom happened\n',
        stderr: 'Error: building at STEP "RUN false": while running runtime: exit status 1\n',
      },
    })
    const { log, lines } = memoryLog()
    await expect(buildImage(req, { exec, log })).rejects.toThrow(
      `Dockerfile step 'STEP 2/2: RUN ["false"]' failed: building at STEP "RUN false": while running runtime: exit status 1. Its log is in the group 'Failed step' above.`,
    )
    const g = lines.indexOf('::group::Failed step: STEP 2/2: RUN ["false"]')
    expect(g).toBeGreaterThan(0)
    expect(lines[g + 1]).toBe('boom happened')
  })

  it('docker buildx: digest from the metadata file, gha cache in Actions, docker logout afterwards', async () => {
    const { req } = await setup({
      githubActions: true,
      credentials: { username: 'octocat', password: 'ghs_x' },
    })
    const calls: Call[] = []
    const exec: Exec = async (cmd, args, opts = {}) => {
      calls.push({ cmd, args, opts })
      if (args[0] === 'info') return { code: 0, stdout: '27.3.1\n', stderr: '' }
      if (args[0] === 'buildx' && args[1] === 'build') {
        const meta = args[args.indexOf('--metadata-file') + 1]!
        await writeFile(meta, JSON.stringify({ 'containerimage.digest': 'sha256:bx' }))
      }
      return { code: 0, stdout: 'ok\n', stderr: '' }
    }
    const r = await buildImage(req, { exec, log: memoryLog().log })
    expect(r).toMatchObject({
      builder: 'docker',
      digest: 'sha256:bx',
      image: '127.0.0.1:5000/org/churn@sha256:bx',
    })
    const build = calls.find((c) => c.args[1] === 'build')!
    expect(build.args).toContain('type=gha,scope=churn')
    expect(build.args).toContain('--push')
    expect(calls.at(-1)?.args).toEqual(['logout', '127.0.0.1:5000'])
    expect(calls.find((c) => c.args[0] === 'login')?.opts.stdin).toBe('ghs_x')
  })

  it('clear errors: missing model path, missing dockerfile, no flavor', async () => {
    const { req, dir } = await setup()
    const { exec } = fakeExec()
    const log = memoryLog().log
    await expect(buildImage({ ...req, modelPath: path.join(dir, 'nope') }, { exec, log })).rejects.toThrow(
      `Input 'model-path' '${path.join(dir, 'nope')}' does not exist`,
    )
    await expect(buildImage({ ...req, modelPath: undefined }, { exec, log })).rejects.toThrow(
      "Input 'model-path' is required to generate a Dockerfile",
    )
    await expect(
      buildImage({ ...req, dockerfile: path.join(dir, 'Dockerfile.nope') }, { exec, log }),
    ).rejects.toThrow(/Input 'dockerfile' '.*Dockerfile.nope' does not exist/)
    await expect(
      buildImage({ ...req, model: { name: 'churn', flavor: 'custom' } }, { exec, log }),
    ).rejects.toThrow(/'custom' has no generated Dockerfile/)
  })
})
