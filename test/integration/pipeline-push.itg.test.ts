// The whole default-branch pipeline, end to end: a caller workflow calls the reusable ml-pipeline.yml on a
// push to main, run by `mlops run` (the committed CLI bundle) with the committed action bundles, against the
// GitHub stand-in. The gate passes, register-model stores version 1 in a real docker-registry (oci backend),
// build-docker-image builds the node serving image with real buildah and pushes it there, and deploy-canary
// drives a real nginx between two model servers, judged by a real Prometheus, to `promoted`.
import { execFile } from 'node:child_process'
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OciRegistry } from '../../shared/registry/backends/oci.js'
import { silentLogger } from '../../shared/util/logger.js'
import { type ContainersEnv, containersEnv, makeNodeBase } from '../harness/buildah.js'
import { type GitHubStandIn, startGitHubStandIn } from '../harness/github-stand-in.js'
import { type NginxInstance, startNginx } from '../harness/nginx.js'
import { type OciRegistryServer, startOciRegistry } from '../harness/oci-registry.js'
import { freePort, type PrometheusInstance, startPrometheus, waitForSample } from '../harness/prometheus.js'
import { ROOT } from '../harness/run-action.js'

const exec = promisify(execFile)
const NODE_BASE = 'localhost/mlops-test/node:host'
const MODEL = 'iris-node'
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]

/** A model server exporting metrics as build-docker-image's generated server does (`mlops_` prefix). */
async function startModelServer(variant: 'stable' | 'canary', version: string) {
  let n = 0
  let scrapes = 0
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      scrapes++
      const base = `model="${MODEL}",version="${version}",variant="${variant}"`
      const l = `${base},path="/predict"`
      const text = [
        '# TYPE mlops_model_requests_total counter',
        `mlops_model_requests_total{${l},code="200"} ${n}`,
        `mlops_model_requests_total{${base},path="/metrics",code="200"} ${scrapes}`,
        '# TYPE mlops_model_request_errors_total counter',
        `mlops_model_request_errors_total{${l}} 0`,
        '# TYPE mlops_model_predictions_total counter',
        `mlops_model_predictions_total{${l}} ${n}`,
        '# TYPE mlops_model_request_duration_seconds histogram',
        ...BUCKETS.map((b) => `mlops_model_request_duration_seconds_bucket{${l},le="${b}"} ${n}`),
        `mlops_model_request_duration_seconds_bucket{${l},le="+Inf"} ${n}`,
        `mlops_model_request_duration_seconds_sum{${l}} ${n * 0.001}`,
        `mlops_model_request_duration_seconds_count{${l}} ${n}`,
        '',
      ].join('\n')
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text)
      return
    }
    n++
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ variant }))
  })
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

/** Sends requests through nginx (loopback only, a few at a time, bounded) until stopped. */
function startTraffic(url: string) {
  let stopped = false
  let sent = 0
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
  const worker = async () => {
    while (!stopped && sent < 200_000) {
      sent++
      await new Promise<void>((resolve) => {
        http
          .get(`${url}/predict`, { agent }, (res) => {
            res.resume()
            res.on('end', resolve)
          })
          .on('error', () => resolve())
      })
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  const workers = Array.from({ length: 4 }, worker)
  return {
    async stop() {
      stopped = true
      await Promise.all(workers)
      agent.destroy()
    },
  }
}

let gh: GitHubStandIn
let ws: string
let registry: OciRegistryServer
let c: ContainersEnv
let nginx: NginxInstance
let prometheus: PrometheusInstance
let traffic: ReturnType<typeof startTraffic> | undefined
const closers: Array<() => Promise<void>> = []

beforeAll(async () => {
  gh = await startGitHubStandIn()
  closers.push(async () => gh.close())
  registry = await startOciRegistry()
  closers.push(registry.close)
  c = await containersEnv([registry.host])
  closers.push(c.cleanup)
  await makeNodeBase(c, NODE_BASE)

  const stable = await startModelServer('stable', '0')
  const canary = await startModelServer('canary', '1')
  closers.push(stable.close, canary.close)
  prometheus = await startPrometheus({
    scrapeTargets: [stable.address, canary.address],
    scrapeInterval: '1s',
  })
  closers.push(prometheus.close)
  nginx = await startNginx({ initialServer: stable.address })
  closers.push(nginx.close)
  await waitForSample(prometheus.url, 'count(up == 1) == 2', 30_000)

  ws = await mkdtemp(path.join(tmpdir(), 'pipeline-push-ws-'))
  closers.push(() => rm(ws, { recursive: true, force: true }))
  await cp(path.join(ROOT, 'action-examples/quickstart-node'), ws, { recursive: true })
  await rm(path.join(ws, 'node_modules'), { recursive: true, force: true })
  // The node-flavor image serves an ES module exporting `predict`; the example's train.mjs writes only
  // model.json (an ml-random-forest dump, which needs the library to load). This workspace's training also
  // writes a dependency-free stand-in module, so the generated server's `--check` build step passes.
  await writeFile(
    path.join(ws, 'train-and-module.mjs'),
    [
      "import { writeFileSync } from 'node:fs'",
      "import path from 'node:path'",
      "await import('./train.mjs')",
      "const dir = process.env.MLOPS_MODEL_DIR || 'model'",
      'writeFileSync(',
      "  path.join(dir, 'model.mjs'),",
      "  \"export const classes = ['setosa', 'versicolor', 'virginica']\\nexport const predict = (rows) => rows.map((r) => (r.petal_length < 2.5 ? 'setosa' : r.petal_width < 1.75 ? 'versicolor' : 'virginica'))\\n\",",
      ')',
      '',
    ].join('\n'),
  )
  // The release settings the reusable workflow does not pass: the image's base, the canary's provider.
  const config = (await readFile(path.join(ws, 'mlops.yaml'), 'utf8')).replace(
    'command: node train.mjs',
    'command: node train-and-module.mjs',
  )
  await writeFile(
    path.join(ws, 'mlops.yaml'),
    [
      config.trimEnd(),
      '',
      'image:',
      `  base_image: ${NODE_BASE}`,
      '',
      'deploy:',
      '  steps: [50, 100]',
      '  interval: 3s',
      '  nginx:',
      `    upstream_file: ${nginx.upstreamFile}`,
      `    config: ${nginx.configFile}`,
      `    stable: [${stable.address}]`,
      `    canary: [${canary.address}]`,
      '',
    ].join('\n'),
  )
  await writeFile(
    path.join(ws, '.github/workflows/release.yml'),
    [
      'name: release',
      'on:',
      '  push:',
      '    branches: [main]',
      'permissions: {}',
      'jobs:',
      '  pipeline:',
      '    uses: mlops-actions/mlops-actions/.github/workflows/ml-pipeline.yml@v1',
      '    permissions:',
      '      contents: write',
      '      pull-requests: write',
      '      deployments: write',
      '      packages: write',
      '    with:',
      `      model: ${MODEL}`,
      '      setup-command: npm ci',
      '      registry-backend: oci',
      `      registry: http://${registry.host}/models`,
      `      image: ${registry.host}/iris-server`,
      '      builder: buildah',
      '      deploy-provider: nginx',
      `      prometheus-url: ${prometheus.url}`,
      '',
    ].join('\n'),
  )
  const git = (...a: string[]) =>
    exec('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: ws })
  await git('init', '-q', '-b', 'main')
  await git('add', '-A')
  await git('commit', '-qm', 'example')
}, 300_000)

afterAll(async () => {
  await traffic?.stop()
  for (const close of closers.reverse()) await close().catch(() => {})
})

async function pipelineOnPush() {
  const args = ['.github/workflows/release.yml', '--event', 'push']
  for (const kv of [
    `GITHUB_API_URL=${gh.url}`,
    'GITHUB_REPOSITORY=octo-org/ml-repo',
    'GITHUB_TOKEN=ghs_e2e',
    'GITHUB_REF=refs/heads/main',
  ]) {
    args.push('--env', kv)
  }
  try {
    const r = await exec(process.execPath, [path.join(ROOT, 'bin/mlops.js'), 'run', ...args], {
      cwd: ws,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...c.env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 600_000,
    })
    return { code: 0, out: r.stdout + r.stderr }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: err.code ?? 1, out: `${err.stdout}${err.stderr}` }
  }
}

describe('ml-pipeline.yml on a push to main, through mlops run', () => {
  it('registers version 1 in the OCI registry, pushes the buildah-built image and promotes the canary', async () => {
    traffic = startTraffic(nginx.url)
    const r = await pipelineOnPush().finally(() => traffic?.stop())
    expect(r.code, r.out).toBe(0)

    // The model, in the real registry.
    const oci = new OciRegistry(`http://${registry.host}/models`, { log: silentLogger })
    const versions = await oci.versions(MODEL)
    expect(versions.map((v) => v.version)).toContain(1)

    // The image, by tag, in the same registry.
    const tags = (await (await fetch(`${registry.url}/v2/iris-server/tags/list`)).json()) as {
      tags: string[]
    }
    expect(tags.tags).toContain('1')
    const inspect = JSON.parse(
      await c.tool('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/iris-server:1`]),
    ) as { Digest: string; Labels: Record<string, string> }
    expect(inspect.Digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(inspect.Labels).toMatchObject({
      'io.mlops-actions.model.name': MODEL,
      'io.mlops-actions.model.version': '1',
    })

    // The canary, promoted: its run record, and nginx's upstream.
    const recDir = path.join(ws, '.mlops/records')
    const records = await Promise.all(
      (await readdir(recDir)).map(async (f) => JSON.parse(await readFile(path.join(recDir, f), 'utf8'))),
    )
    const deploy = records.find((x) => x.kind === 'deploy-canary')
    expect(deploy, JSON.stringify(records.map((x) => x.kind))).toMatchObject({
      status: 'passed',
      model: { name: MODEL, version: '1' },
    })
    expect(deploy.result).toMatchObject({ result: 'promoted', finalWeight: 100, provider: 'nginx' })
    expect(await readFile(nginx.upstreamFile, 'utf8')).toContain('"phase":"promoted"')
    expect(gh.errors).toEqual([])

    // The reusable workflow's outputs, as the runner records them.
    const [run] = await readdir(path.join(ws, '.mlops/runs'))
    const outputs = JSON.parse(await readFile(path.join(ws, '.mlops/runs', run!, 'outputs.json'), 'utf8'))
    expect(outputs.conclusion).toBe('success')
    expect(outputs.jobs.pipeline.outputs).toEqual({
      passed: 'true',
      version: '1',
      image: `${registry.host}/iris-server@${inspect.Digest}`,
      canary: 'promoted',
    })
  }, 600_000)
})
