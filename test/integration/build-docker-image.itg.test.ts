import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openRegistry } from '../../shared/registry/open.js'
import { readModel } from '../../shared/registry/registry.js'
import { silentLogger } from '../../shared/util/logger.js'
import {
  type ContainersEnv,
  containersEnv,
  makeBusyboxBase,
  makeNodeBase,
  makePythonBase,
} from '../harness/buildah.js'
import { post, promtoolCheck, waitFor } from '../harness/model-server.js'
import { freePort, type OciRegistryServer, startOciRegistry } from '../harness/oci-registry.js'
import { runAction } from '../harness/run-action.js'

// Real buildah (chroot isolation, vfs storage, all under a temp dir) builds the generated sklearn image on a
// base made offline from the host's Debian python3-sklearn, pushes it to a real docker-registry, skopeo reads
// it back, and podman (runc, host network on 127.0.0.1) runs it. A missing tool fails these tests.

const PYTHON_BASE = 'localhost/mlops-test/python-sklearn:bookworm'
const BUSYBOX_BASE = 'localhost/mlops-test/busybox:1'
const NODE_BASE = 'localhost/mlops-test/node:host'
const TRAIN = path.resolve(import.meta.dirname, '../fixtures/image/train.py')
const SHA = '0123456789abcdef0123456789abcdef01234567'
/** `htpasswd -B` line for user `ci`, password `s3cr3t-pw`. */
const HTPASSWD = 'ci:$2b$04$AvFEe19XyW44Q.63nelrguHQPukr5p/oG/.Gyws.4vgmrutB4mo6G\n'

let registry: OciRegistryServer
let authRegistry: OciRegistryServer
let c: ContainersEnv
let work: string
let sample: { rows: Record<string, number>[]; predictions: number[] }

interface Inspect {
  Digest: string
  Labels: Record<string, string>
}
const inspect = async (ref: string, creds?: string) =>
  JSON.parse(
    await c.tool('skopeo', [
      'inspect',
      '--tls-verify=false',
      ...(creds ? ['--creds', creds] : []),
      `docker://${ref}`,
    ]),
  ) as Inspect

beforeAll(async () => {
  registry = await startOciRegistry()
  authRegistry = await startOciRegistry({ htpasswd: HTPASSWD })
  c = await containersEnv([registry.host, authRegistry.host])
  work = await mkdtemp(path.join(tmpdir(), 'image-itg-'))
  execFileSync('/usr/bin/python3', [TRAIN, path.join(work, 'trained')])
  sample = JSON.parse(await readFile(path.join(work, 'trained', 'sample.json'), 'utf8'))
  await makeBusyboxBase(c, BUSYBOX_BASE)
  await makePythonBase(c, PYTHON_BASE)
  await makeNodeBase(c, NODE_BASE)
}, 300_000)

afterAll(async () => {
  await c?.cleanup()
  await registry?.close()
  await authRegistry?.close()
})

const action = (inputs: Record<string, string>, env: Record<string, string> = {}, cwd = work) =>
  runAction('build-docker-image', { inputs, cwd, env: { ...c.env, ...env }, timeoutMs: 300_000 })

/** Runs an image with podman (runc, host network, 127.0.0.1 only) for the length of `fn`. */
async function withContainer(image: string, fn: (url: string) => Promise<void>): Promise<void> {
  const port = await freePort()
  const name = `mlops-itg-${port}`
  await c.tool('podman', [
    'run',
    '--detach',
    '--name',
    name,
    '--network',
    'host',
    '--env',
    'HOST=127.0.0.1',
    '--env',
    `PORT=${port}`,
    image,
  ])
  try {
    await waitFor(`http://127.0.0.1:${port}/health`)
    await fn(`http://127.0.0.1:${port}`)
  } finally {
    await c.tool('podman', ['rm', '--force', '--time', '2', name]).catch(() => '')
  }
}

describe('build-docker-image: generated sklearn image, built by buildah, pushed to a real registry', {
  timeout: 300_000,
}, () => {
  let outputs: Record<string, string>
  let summary: string
  let stdout: string

  beforeAll(async () => {
    const r = await action({
      'model-path': 'trained/model.joblib',
      'model-name': 'churn',
      'model-version': '3',
      flavor: 'sklearn',
      image: `${registry.host}/org/churn`,
      'base-image': PYTHON_BASE,
      requirements: 'none',
    })
    if (r.exitCode !== 0) throw new Error(`action failed:\n${r.stdout}\n${r.stderr}`)
    outputs = r.outputs
    summary = r.summary
    stdout = r.stdout
  }, 300_000)

  it('says which builder it chose and why', () => {
    expect(stdout).toMatch(/Builder: buildah \(auto: (docker is not installed|docker info did not answer)/)
  })

  it('outputs the tags, the digest and the image by digest, matching the registry manifest', async () => {
    const tags = JSON.parse(outputs.tags!) as string[]
    expect(tags).toEqual([`${registry.host}/org/churn:3`, `${registry.host}/org/churn:sha-0123456`])
    expect(outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(outputs.image).toBe(`${registry.host}/org/churn@${outputs.digest}`)
    for (const t of tags) expect((await inspect(t)).Digest).toBe(outputs.digest)
    expect((await inspect(outputs.image!)).Digest).toBe(outputs.digest)
    expect(outputs.builder).toBe('buildah')
  })

  it('carries the OCI labels and the model lineage', async () => {
    const { Labels } = await inspect(`${registry.host}/org/churn:3`)
    const model = await readModel(path.join(work, 'trained', 'model.joblib'))
    expect(Labels).toMatchObject({
      'org.opencontainers.image.title': 'churn',
      'org.opencontainers.image.version': '3',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.source': 'https://github.com/octo-org/ml-repo',
      'io.mlops-actions.model.name': 'churn',
      'io.mlops-actions.model.version': '3',
      'io.mlops-actions.model.digest': model.digest,
      'io.mlops-actions.model.run-id': '4242',
      'io.mlops-actions.model.flavor': 'sklearn',
    })
    expect(Date.parse(Labels['org.opencontainers.image.created']!)).toBeGreaterThan(Date.now() - 3_600_000)
  })

  it('writes out the generated Dockerfile, a run record and a job summary', async () => {
    expect(outputs.dockerfile).toBe(path.join(work, '.mlops', 'image', 'churn', 'Dockerfile'))
    const df = await readFile(outputs.dockerfile!, 'utf8')
    expect(df).toContain(`FROM ${PYTHON_BASE}\n`)
    expect(df).toContain('RUN ["python3", "/srv/model/server.py", "--check"]')
    const record = JSON.parse(await readFile(path.resolve(work, outputs['run-record']!), 'utf8'))
    expect(record).toMatchObject({
      kind: 'build-docker-image',
      status: 'passed',
      model: { name: 'churn', version: '3' },
      result: { digest: outputs.digest, image: outputs.image, builder: 'buildah', pushed: true },
    })
    expect(summary).toContain(`### 🐳 Image built and pushed: \`${registry.host}/org/churn:3\``)
    expect(summary).toContain(`\`${outputs.digest}\``)
    expect(summary).toContain('`io.mlops-actions.model.run-id` | 4242')
  })

  it('runs under podman and answers /predict like the trained model, /health, and /metrics for Prometheus', async () => {
    await withContainer(outputs.image!, async (url) => {
      expect(await (await fetch(`${url}/health`)).json()).toEqual({
        status: 'ok',
        model: 'churn',
        version: '3',
      })
      const r = await post(`${url}/predict`, { rows: sample.rows })
      expect(r).toEqual({
        status: 200,
        json: { predictions: sample.predictions, model: 'churn', version: '3' },
      })
      expect((await post(`${url}/predict`, { rows: [{ age: 1 }] })).status).toBe(400)
      const metrics = await (await fetch(`${url}/metrics`)).text()
      promtoolCheck(metrics)
      expect(metrics).toContain(
        `mlops_model_predictions_total{model="churn",version="3"} ${sample.predictions.length}`,
      )
      expect(metrics).toContain(
        'mlops_model_request_errors_total{model="churn",version="3",path="/predict",kind="bad_request"} 1',
      )
      expect(metrics).toMatch(
        /mlops_model_request_duration_seconds_count\{model="churn",version="3",path="\/predict"\} 2\n/,
      )
    })
  })
})

describe('build-docker-image: generated node image, built and pushed by podman', { timeout: 300_000 }, () => {
  it('builds, pushes with the digest the registry holds, and serves predictions', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'image-node-'))
    await mkdir(path.join(dir, 'scorer'))
    await writeFile(
      path.join(dir, 'scorer', 'model.mjs'),
      "export const classes = ['low', 'high']\nexport const predict = (rows) => rows.map((r) => (r.score > 0.5 ? 'high' : 'low'))\n",
    )
    const r = await action(
      {
        'model-path': 'scorer',
        'model-name': 'scorer',
        'model-version': '7',
        flavor: 'node',
        image: `${registry.host}/org/scorer`,
        'base-image': NODE_BASE,
        builder: 'podman',
      },
      {},
      dir,
    )
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.outputs.builder).toBe('podman')
    expect(r.stdout).toContain("Builder: podman, forced by 'builder: podman' (podman version")
    const got = await inspect(`${registry.host}/org/scorer:7`)
    expect(got.Digest).toBe(r.outputs.digest)
    expect(got.Labels).toMatchObject({
      'io.mlops-actions.model.flavor': 'node',
      'io.mlops-actions.model.version': '7',
    })
    await withContainer(r.outputs.image!, async (url) => {
      expect(await post(`${url}/predict`, { rows: [{ score: 0.9 }, { score: 0.1 }] })).toEqual({
        status: 200,
        json: { predictions: ['high', 'low'], model: 'scorer', version: '7' },
      })
      const metrics = await (await fetch(`${url}/metrics`)).text()
      promtoolCheck(metrics)
      expect(metrics).toContain(
        'mlops_model_predicted_class_total{model="scorer",version="7",class="high"} 1',
      )
    })
  })
})

describe('build-docker-image: model from the model registry', { timeout: 300_000 }, () => {
  it('downloads churn@production and labels the image with the registered version, digest and run', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'image-reg-'))
    const reg = await openRegistry('local', path.join(dir, '.mlops', 'registry'), { log: silentLogger })
    await reg.register({
      name: 'churn',
      modelPath: path.join(work, 'trained', 'model.joblib'),
      info: { runId: 'run-1' },
    })
    const { version: v2 } = await reg.register({
      name: 'churn',
      modelPath: path.join(work, 'trained'),
      info: { runId: 'run-2', flavor: 'sklearn' },
    })
    await reg.setAlias('churn', 'production', v2.version)
    const r = await action(
      {
        model: 'churn@production',
        image: `${registry.host}/org/churn-reg`,
        'base-image': PYTHON_BASE,
        requirements: 'none',
      },
      {},
      dir,
    )
    expect(r.exitCode, r.stdout).toBe(0)
    expect(JSON.parse(r.outputs.tags!)).toEqual([
      `${registry.host}/org/churn-reg:2`,
      `${registry.host}/org/churn-reg:sha-0123456`,
    ])
    const { Labels, Digest } = await inspect(`${registry.host}/org/churn-reg:2`)
    expect(Digest).toBe(r.outputs.digest)
    expect(Labels).toMatchObject({
      'io.mlops-actions.model.name': 'churn',
      'io.mlops-actions.model.version': '2',
      'io.mlops-actions.model.digest': v2.digest,
      'io.mlops-actions.model.run-id': 'run-2',
      'io.mlops-actions.model.flavor': 'sklearn',
    })
    expect(r.summary).toContain('churn@production → version 2 from the local registry')
  })
})

describe('build-docker-image: model from an oci model registry', { timeout: 300_000 }, () => {
  it('downloads churn@1 from the same docker-registry and labels the image with its digest and run', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'image-oci-'))
    const address = `http://${registry.host}/models`
    const reg = await openRegistry('oci', address, { log: silentLogger })
    const { version } = await reg.register({
      name: 'churn',
      modelPath: path.join(work, 'trained', 'model.joblib'),
      info: { runId: 'run-oci', flavor: 'sklearn' },
    })
    const r = await action(
      {
        model: `churn@${version.version}`,
        backend: 'oci',
        'model-registry': address,
        image: `${registry.host}/org/churn-oci`,
        'base-image': PYTHON_BASE,
        requirements: 'none',
      },
      {},
      dir,
    )
    expect(r.exitCode, r.stdout).toBe(0)
    const { Labels, Digest } = await inspect(`${registry.host}/org/churn-oci:${version.version}`)
    expect(Digest).toBe(r.outputs.digest)
    expect(Labels).toMatchObject({
      'io.mlops-actions.model.digest': version.digest,
      'io.mlops-actions.model.run-id': 'run-oci',
    })
  })
})

describe('build-docker-image: your Dockerfile, logins and failures', { timeout: 300_000 }, () => {
  let ctx: string
  beforeAll(async () => {
    ctx = await mkdtemp(path.join(tmpdir(), 'image-ctx-'))
    await writeFile(path.join(ctx, 'hello.txt'), 'hello\n')
    await writeFile(
      path.join(ctx, 'Dockerfile'),
      `FROM ${BUSYBOX_BASE}\nCOPY hello.txt /hello.txt\nCMD ["cat", "/hello.txt"]\n`,
    )
    await writeFile(
      path.join(ctx, 'Dockerfile.broken'),
      `FROM ${BUSYBOX_BASE}\nCOPY hello.txt /hello.txt\nRUN echo checking the model && echo no model here >&2 && exit 3\n`,
    )
  })
  const userBuild = (over: Record<string, string> = {}, env: Record<string, string> = {}) =>
    action(
      {
        'model-name': 'greeter',
        dockerfile: path.join(ctx, 'Dockerfile'),
        context: ctx,
        image: `${authRegistry.host}/org/greeter`,
        tags: 'v1',
        builder: 'buildah',
        ...over,
      },
      env,
      ctx,
    )

  it('a push the registry refuses (401) is named a login problem', async () => {
    const r = await userBuild()
    expect(r.exitCode).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(
      new RegExp(
        `^The registry ${authRegistry.host.replace(/\./g, '\\.')} refused the push of .*/org/greeter:v1 \\(401/403\\): a login problem\\.`,
      ),
    )
    expect(r.errors[0]).toContain("give 'registry-username' and 'registry-password'")
  })

  it('logs in with the password on stdin, masked, and pushes', async () => {
    const r = await userBuild({ 'registry-username': 'ci', 'registry-password': 's3cr3t-pw' })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.stdout).toContain('::add-mask::s3cr3t-pw')
    const leaks = `${r.stdout}${r.stderr}`
      .split('\n')
      .filter((l) => l.includes('s3cr3t-pw') && !l.startsWith('::add-mask::'))
    expect(leaks).toEqual([])
    expect(r.stdout).toContain(`Logged in to ${authRegistry.host} as ci`)
    const got = await inspect(`${authRegistry.host}/org/greeter:v1`, 'ci:s3cr3t-pw')
    expect(got.Digest).toBe(r.outputs.digest)
    expect(got.Labels['io.mlops-actions.model.name']).toBe('greeter')
    expect(r.outputs.dockerfile).toBe(path.join(ctx, 'Dockerfile'))
  })

  it('wrong credentials fail at login, naming the user and the registry', async () => {
    const r = await userBuild({ 'registry-username': 'ci', 'registry-password': 'wrong-pw' })
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toMatch(
      new RegExp(`^Login to ${authRegistry.host.replace(/\./g, '\\.')} as 'ci' failed: `),
    )
  })

  it('a failing Dockerfile step: its log in a group, the step named in the error', async () => {
    const r = await userBuild({ dockerfile: path.join(ctx, 'Dockerfile.broken'), push: 'false' })
    expect(r.exitCode).toBe(1)
    // buildah counts the --label flags as steps after the Dockerfile's own: STEP 3/N.
    const step =
      /Dockerfile step '(STEP 3\/\d+: RUN echo checking the model && echo no model here >&2 && exit 3)' failed: /
    expect(r.errors[0]).toMatch(step)
    const name = step.exec(r.errors[0]!)![1]!
    const group = r.stdout.slice(r.stdout.indexOf(`::group::Failed step: ${name}`))
    expect(group.slice(0, group.indexOf('::endgroup::'))).toContain('no model here')
  })

  it('builds without pushing: the local digest, no push', async () => {
    const r = await userBuild({ image: `${registry.host}/org/greeter-local`, push: 'false' })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.outputs.digest).toMatch(/^sha256:/)
    expect(r.outputs.image).toBe(`${registry.host}/org/greeter-local:v1`)
    expect(r.summary).toContain('Image built:')
    expect(r.summary).toContain('(local image, not pushed)')
    await expect(inspect(`${registry.host}/org/greeter-local:v1`)).rejects.toThrow(
      /manifest unknown|not found/i,
    )
  })

  it('a missing model path is a clear input error', async () => {
    const r = await action({ 'model-path': 'no/such/model.joblib', 'model-name': 'churn', flavor: 'sklearn' })
    expect(r.exitCode).toBe(1)
    expect(r.errors).toEqual(["Input 'model-path' 'no/such/model.joblib' does not exist"])
  })

  it('no builder on PATH: a clear error naming what was tried', async () => {
    const empty = path.join(work, 'empty-bin')
    await mkdir(empty, { recursive: true })
    const r = await userBuild({ builder: 'auto' }, { PATH: empty })
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toMatch(
      /^No image builder found: docker is not installed; buildah is not installed; podman is not installed\./,
    )
  })
})
