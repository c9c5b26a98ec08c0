import { describe, expect, it } from 'vitest'
import {
  type BuildSpec,
  budArgs,
  buildxArgs,
  chooseBuilder,
  findFailedStep,
  isAuthRefusal,
  isLoopbackRegistry,
  loginArgs,
  pushArgs,
} from '../../shared/image/builders.js'
import type { Exec, ExecResult } from '../../shared/image/exec.js'
import { silentLogger } from '../../shared/util/logger.js'

const spec = (over: Partial<BuildSpec> = {}): BuildSpec => ({
  context: '/ws/ctx',
  dockerfile: '/ws/ctx/Dockerfile',
  tags: ['ghcr.io/o/churn:3', 'ghcr.io/o/churn:sha-0123456'],
  labels: { 'org.opencontainers.image.version': '3', 'io.mlops-actions.model.name': 'churn' },
  platforms: [],
  push: true,
  ...over,
})

// docker/build-push-action style: one input set, the exact command line it must give.
describe('buildxArgs', () => {
  const base = [
    'buildx',
    'build',
    '--file',
    '/ws/ctx/Dockerfile',
    '--tag',
    'ghcr.io/o/churn:3',
    '--tag',
    'ghcr.io/o/churn:sha-0123456',
    '--label',
    'org.opencontainers.image.version=3',
    '--label',
    'io.mlops-actions.model.name=churn',
  ]
  const table: [string, BuildSpec, { githubActions: boolean; cacheScope?: string }, string[]][] = [
    [
      'push in Actions: gha cache with a scope, metadata file, --push',
      spec(),
      { githubActions: true, cacheScope: 'churn' },
      [
        ...base,
        '--cache-from',
        'type=gha,scope=churn',
        '--cache-to',
        'type=gha,mode=max,scope=churn',
        '--metadata-file',
        '/tmp/meta.json',
        '--push',
        '/ws/ctx',
      ],
    ],
    [
      'outside Actions: no gha cache',
      spec(),
      { githubActions: false },
      [...base, '--metadata-file', '/tmp/meta.json', '--push', '/ws/ctx'],
    ],
    [
      'multi-platform push',
      spec({ platforms: ['linux/amd64', 'linux/arm64'] }),
      { githubActions: true },
      [
        ...base,
        '--platform',
        'linux/amd64,linux/arm64',
        '--cache-from',
        'type=gha',
        '--cache-to',
        'type=gha,mode=max',
        '--metadata-file',
        '/tmp/meta.json',
        '--push',
        '/ws/ctx',
      ],
    ],
    [
      'no push, one platform: --load into the engine',
      spec({ push: false, platforms: ['linux/amd64'] }),
      { githubActions: false },
      [...base, '--platform', 'linux/amd64', '--metadata-file', '/tmp/meta.json', '--load', '/ws/ctx'],
    ],
    [
      'no push, several platforms: neither --load nor --push',
      spec({ push: false, platforms: ['linux/amd64', 'linux/arm64'] }),
      { githubActions: false },
      [...base, '--platform', 'linux/amd64,linux/arm64', '--metadata-file', '/tmp/meta.json', '/ws/ctx'],
    ],
    [
      'build args',
      spec({ buildArgs: { PIP_INDEX_URL: 'http://pypi.local/simple' }, push: false }),
      { githubActions: false },
      [
        ...base,
        '--build-arg',
        'PIP_INDEX_URL=http://pypi.local/simple',
        '--metadata-file',
        '/tmp/meta.json',
        '--load',
        '/ws/ctx',
      ],
    ],
  ]
  it.each(table)('%s', (_name, s, o, expected) => {
    expect(buildxArgs(s, { ...o, metadataFile: '/tmp/meta.json' })).toEqual(expected)
  })

  it('keeps a label value with spaces and = as one argument', () => {
    const args = buildxArgs(spec({ labels: { a: 'x = y z' } }), { githubActions: false, metadataFile: 'm' })
    expect(args).toContain('a=x = y z')
  })
})

describe('buildah and podman command lines', () => {
  it('bud / build with tags, labels and one platform', () => {
    const s = spec({ platforms: ['linux/arm64'] })
    const tail = [
      '--file',
      '/ws/ctx/Dockerfile',
      '--tag',
      'ghcr.io/o/churn:3',
      '--tag',
      'ghcr.io/o/churn:sha-0123456',
      '--label',
      'org.opencontainers.image.version=3',
      '--label',
      'io.mlops-actions.model.name=churn',
      '--platform',
      'linux/arm64',
      '/ws/ctx',
    ]
    expect(budArgs('buildah', s)).toEqual(['bud', ...tail])
    expect(budArgs('podman', s)).toEqual(['build', ...tail])
  })

  it('refuses several platforms, pointing at buildx', () => {
    expect(() => budArgs('buildah', spec({ platforms: ['linux/amd64', 'linux/arm64'] }))).toThrow(
      "Input 'platforms' buildah builds one platform at a time here; got linux/amd64, linux/arm64. Use 'builder: docker' (buildx) for multi-platform images",
    )
  })

  it('push writes the digest file; login reads the password from stdin', () => {
    expect(pushArgs('ghcr.io/o/churn:3', '/tmp/d', 'ghcr.io')).toEqual([
      'push',
      '--digestfile',
      '/tmp/d',
      'ghcr.io/o/churn:3',
      'docker://ghcr.io/o/churn:3',
    ])
    expect(loginArgs('buildah', 'ghcr.io', 'octocat')).toEqual([
      'login',
      '--username',
      'octocat',
      '--password-stdin',
      'ghcr.io',
    ])
  })

  it('loopback registries speak plain HTTP (as Docker assumes for 127.0.0.0/8)', () => {
    expect(pushArgs('127.0.0.1:5000/o/m:1', 'd', '127.0.0.1:5000').slice(0, 2)).toEqual([
      'push',
      '--tls-verify=false',
    ])
    expect(loginArgs('podman', 'localhost:5000', 'u')).toContain('--tls-verify=false')
    expect(loginArgs('docker', 'localhost:5000', 'u')).not.toContain('--tls-verify=false')
    expect(isLoopbackRegistry('127.0.0.1:5000')).toBe(true)
    expect(isLoopbackRegistry('[::1]:5000')).toBe(true)
    expect(isLoopbackRegistry('localhost')).toBe(true)
    expect(isLoopbackRegistry('ghcr.io')).toBe(false)
    expect(isLoopbackRegistry('127.example.com')).toBe(false)
  })
})

type Answer = Partial<ExecResult>
function fakeExec(answers: Record<string, Answer>): Exec & { calls: string[] } {
  const calls: string[] = []
  const exec = (async (cmd: string, args: readonly string[]) => {
    const line = [cmd, ...args].join(' ')
    calls.push(line)
    const key = Object.keys(answers).find((k) => line.startsWith(k))
    const a = key ? answers[key]! : { code: 127, stderr: `${cmd}: not found` }
    return { code: a.code ?? 0, stdout: a.stdout ?? '', stderr: a.stderr ?? '' }
  }) as Exec & { calls: string[] }
  exec.calls = calls
  return exec
}

describe('chooseBuilder', () => {
  const dockerUp = {
    'docker info': { stdout: '27.3.1\n' },
    'docker buildx version': { stdout: 'github.com/docker/buildx v0.19.3 abc\n' },
  }
  const dockerDown = {
    'docker info': {
      code: 1,
      stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n',
    },
  }

  it('auto: docker buildx when the engine answers', async () => {
    const r = await chooseBuilder(fakeExec({ ...dockerUp, 'buildah --version': {} }), 'auto', silentLogger)
    expect(r).toEqual({
      kind: 'docker',
      reason: 'auto: docker info answered (engine 27.3.1), github.com/docker/buildx v0.19.3 abc',
    })
  })

  it('auto: buildah when docker does not answer, and says why', async () => {
    const exec = fakeExec({
      ...dockerDown,
      'buildah --version': { stdout: 'buildah version 1.28.2 (image-spec 1.0.2)\n' },
    })
    expect(await chooseBuilder(exec, 'auto', silentLogger)).toEqual({
      kind: 'buildah',
      reason:
        'auto: docker info did not answer (Cannot connect to the Docker daemon at unix:///var/run/docker.sock.); using buildah version 1.28.2 (image-spec 1.0.2)',
    })
  })

  it('auto: podman when neither docker nor buildah is there', async () => {
    const exec = fakeExec({ 'podman --version': { stdout: 'podman version 4.3.1\n' } })
    expect(await chooseBuilder(exec, 'auto', silentLogger)).toEqual({
      kind: 'podman',
      reason: 'auto: docker is not installed; buildah is not installed; using podman version 4.3.1',
    })
  })

  it('auto: a clear error when there is no builder at all', async () => {
    await expect(chooseBuilder(fakeExec({}), 'auto', silentLogger)).rejects.toThrow(
      'No image builder found: docker is not installed; buildah is not installed; podman is not installed. Run on a runner with Docker (GitHub-hosted runners have it), or install buildah or podman (apt-get install buildah).',
    )
  })

  it('a forced builder must be there; docker also needs buildx', async () => {
    await expect(chooseBuilder(fakeExec(dockerDown), 'docker', silentLogger)).rejects.toThrow(
      "Builder 'docker' was asked for, but docker info did not answer",
    )
    await expect(
      chooseBuilder(
        fakeExec({ 'docker info': { stdout: '27\n' }, 'docker buildx': { code: 1 } }),
        'docker',
        silentLogger,
      ),
    ).rejects.toThrow('the Docker engine answers but docker buildx is not installed')
    const r = await chooseBuilder(
      fakeExec({ ...dockerUp, 'podman --version': { stdout: 'podman version 4.3.1' } }),
      'podman',
      silentLogger,
    )
    expect(r).toEqual({ kind: 'podman', reason: "forced by 'builder: podman' (podman version 4.3.1)" })
  })
})

describe('findFailedStep', () => {
  it('buildah: the step, its log, and the error', () => {
    const out = [
      'STEP 1/4: FROM localhost/base:1',
      'STEP 2/4: COPY model/ ./model/',
      'STEP 3/4: RUN ["python3", "/srv/model/server.py", "--check"]',
      'Traceback (most recent call last):',
      "ModuleNotFoundError: No module named 'sklearn'",
      'error running container: from /usr/bin/runc: exit status 1',
      'Error: building at STEP "RUN python3 /srv/model/server.py --check": while running runtime: exit status 1',
    ].join('\n')
    expect(findFailedStep('buildah', out)).toEqual({
      step: 'STEP 3/4: RUN ["python3", "/srv/model/server.py", "--check"]',
      log: [
        'Traceback (most recent call last):',
        "ModuleNotFoundError: No module named 'sklearn'",
        'error running container: from /usr/bin/runc: exit status 1',
      ],
      error:
        'Error: building at STEP "RUN python3 /srv/model/server.py --check": while running runtime: exit status 1',
    })
  })

  it('buildx: the boxed step and its #N log lines', () => {
    const out = [
      '#7 [2/3] COPY model/ ./model/',
      '#7 DONE 0.1s',
      '#8 [3/3] RUN python3 -c "import sklearn"',
      "#8 0.412 ModuleNotFoundError: No module named 'sklearn'",
      '#8 ERROR: process "/bin/sh -c python3 -c \\"import sklearn\\"" did not complete successfully: exit code: 1',
      '------',
      ' > [3/3] RUN python3 -c "import sklearn":',
      "0.412 ModuleNotFoundError: No module named 'sklearn'",
      '------',
      'ERROR: failed to solve: process "/bin/sh -c python3 -c \\"import sklearn\\"" did not complete successfully: exit code: 1',
    ].join('\n')
    const f = findFailedStep('docker', out)
    expect(f?.step).toBe('[3/3] RUN python3 -c "import sklearn"')
    expect(f?.log).toEqual([
      "0.412 ModuleNotFoundError: No module named 'sklearn'",
      'ERROR: process "/bin/sh -c python3 -c \\"import sklearn\\"" did not complete successfully: exit code: 1',
    ])
    expect(f?.error).toMatch(/^failed to solve: process/)
  })

  it('nothing to find in a successful log', () => {
    expect(findFailedStep('buildah', 'STEP 1/1: FROM scratch\nCOMMIT x')).toBeUndefined()
    expect(findFailedStep('docker', '#1 DONE')).toBeUndefined()
  })
})

describe('isAuthRefusal', () => {
  it.each([
    'Error: writing blob: initiating layer upload to /v2/o/churn/blobs/uploads/ in 127.0.0.1:5000: unauthorized: authentication required',
    'ERROR: failed to push ghcr.io/o/churn:3: unexpected status from HEAD request: 403 Forbidden',
    'denied: permission_denied: write_package',
    'server message: insufficient_scope: authorization failed',
  ])('%s', (line) => expect(isAuthRefusal(line)).toBe(true))
  it('not for other failures', () => {
    expect(isAuthRefusal('Error: pinging container registry 127.0.0.1:5: connection refused')).toBe(false)
  })
})
