import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../shared/run-record/schema.js'
import { type ActionsService, startActionsService } from '../harness/actions-service.js'
import { type MlflowStandIn, startMlflowStandIn } from '../harness/mlflow-stand-in.js'
import { ROOT, runAction } from '../harness/run-action.js'

const exec = promisify(execFile)
const sha256 = async (f: string) =>
  createHash('sha256')
    .update(await readFile(f))
    .digest('hex')

interface TrainResult {
  runId: string
  seed: number
  metrics: Record<string, number>
  params: Record<string, unknown>
  model: { digest: string; bytes: number; files: Array<{ path: string; sha256: string; bytes: number }> }
  data: Array<{ path: string; digest: string; bytes: number }>
  code: { sha?: string; ref?: string; dirty?: boolean }
  environment: {
    node: string
    cpus: number
    os: { platform: string }
    python?: { version: string; executable: string; packages: string[] }
  }
  durationSeconds: number
  peakMemoryBytes?: number
  cache?: { hit: boolean; saved: boolean }
  error?: string
}

let service: ActionsService
beforeAll(async () => {
  service = await startActionsService()
})
afterAll(() => service.close())
afterEach(() => expect(service.errors).toEqual([]))

/** A fresh repository holding a copy of an example project, committed, as a checkout would be. */
async function workspace(example: string): Promise<string> {
  const ws = await mkdtemp(path.join(tmpdir(), `train-${example}-`))
  await cp(path.join(ROOT, 'action-examples', example), ws, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|model|\.mlops|__pycache__)$|metrics\.json$/.test(src),
  })
  const git = (...args: string[]) => exec('git', args, { cwd: ws })
  await git('init', '-q', '-b', 'main')
  await git('add', '-A')
  await git('-c', 'user.name=ci', '-c', 'user.email=ci@example.com', 'commit', '-q', '-m', 'example')
  // The example's npm dependencies (ml-random-forest) come from this repository's install; ignored by git.
  if (example === 'quickstart-node')
    await symlink(path.join(ROOT, 'node_modules'), path.join(ws, 'node_modules'))
  return ws
}

const record = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as RunRecord
const result = (r: RunRecord) => r.result as unknown as TrainResult

/** Downloads an artifact with the real @actions/artifact client, as another job would. */
async function download(id: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'artifact-download-'))
  const script = `import { DefaultArtifactClient } from '@actions/artifact'
    await new DefaultArtifactClient().downloadArtifact(Number(process.argv[1]), { path: process.argv[2] })`
  await exec(process.execPath, ['--input-type=module', '-e', script, String(id), dir], {
    cwd: ROOT,
    env: { ...process.env, ...service.env() },
  })
  return dir
}

async function listTree(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name
    if (e.isDirectory()) out.push(...(await listTree(dir, r)))
    else out.push(r)
  }
  return out.sort()
}

/** The artifact holds the model and the run record, and they download back byte-identical. */
async function expectArtifactRoundTrip(ws: string, outputs: Record<string, string>) {
  const id = Number(outputs['artifact-id'])
  expect(id).toBeGreaterThan(0)
  const stored = service.artifacts.find((a) => a.id === id)!
  expect(stored.name).toBe(`mlops-train-${outputs['run-id']}`)
  expect(stored.finalized).toBe(true)
  const dir = await download(id)
  const rec = await record(outputs['run-record']!)
  const model = result(rec).model
  expect(await listTree(dir)).toEqual(
    ['run-record.json', ...model.files.map((f) => `model/${f.path}`)].sort(),
  )
  expect(await readFile(path.join(dir, 'run-record.json'))).toEqual(await readFile(outputs['run-record']!))
  for (const f of model.files) {
    const local = path.join(outputs['model-path']!, f.path)
    expect(await readFile(path.join(dir, 'model', f.path))).toEqual(await readFile(local))
    expect(await sha256(path.join(dir, 'model', f.path))).toBe(f.sha256)
  }
  void ws
}

describe('train-model on the quickstart-node example (ml-random-forest on iris)', () => {
  it('trains, records everything, uploads model + record, restores the cache on a second run, same metrics for the same seed', async () => {
    const inputs = { 'cache-paths': 'data', 'cache-key': 'iris-data-v1' }
    const ws = await workspace('quickstart-node')
    const first = await runAction('train-model', { cwd: ws, inputs, env: service.env() })
    expect(first.exitCode, first.stdout + first.stderr).toBe(0)
    expect(first.stdout).toMatch(/trained 50 trees on 105 rows/) // the command's output, streamed
    expect(first.outputs['cache-hit']).toBe('false')

    const rec = await record(first.outputs['run-record']!)
    const r = result(rec)
    expect(rec).toMatchObject({ kind: 'train-model', status: 'passed', model: { name: 'iris-node' } })
    expect(rec.id).toBe(first.outputs['run-id'])
    expect(JSON.parse(first.outputs.metrics!)).toEqual(r.metrics)
    expect(r.metrics.accuracy).toBeGreaterThan(0.85)
    expect(r.metrics).toHaveProperty(['per_class.virginica.f1'])
    expect(r.params).toMatchObject({ 'split.test_fraction': 0.3, 'forest.n_estimators': 50 })
    expect(r.seed).toBe(42)
    expect(r.model.files.map((f) => f.path)).toEqual(['model-meta.json', 'model.json'])
    expect(r.model.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(r.data).toEqual([
      {
        path: 'data/iris.csv',
        digest: `sha256:${await sha256(path.join(ws, 'data/iris.csv'))}`,
        bytes: expect.any(Number),
        files: 1,
      },
    ])
    const head = (await exec('git', ['rev-parse', 'HEAD'], { cwd: ws })).stdout.trim()
    expect(r.code).toMatchObject({ sha: head, ref: 'refs/heads/main', dirty: false })
    expect(r.environment).toMatchObject({ node: expect.stringMatching(/^v\d+/), os: { platform: 'linux' } })
    expect(r.peakMemoryBytes).toBeGreaterThan(1_000_000)
    expect(Number(first.outputs['duration-seconds'])).toBeGreaterThan(0)
    expect(rec.details).toContain('| accuracy |')
    expect(rec.details).toContain('| forest.n_estimators | `50` |')
    expect(first.summary).toContain('Training run')
    await expectArtifactRoundTrip(ws, first.outputs)
    expect(service.caches.map((c) => c.key)).toContain('iris-data-v1')

    // A second checkout without the data: the cache brings it back before the fingerprint and the command.
    const ws2 = await workspace('quickstart-node')
    await rm(path.join(ws2, 'data'), { recursive: true })
    const second = await runAction('train-model', { cwd: ws2, inputs, env: service.env() })
    expect(second.exitCode, second.stdout + second.stderr).toBe(0)
    expect(second.outputs['cache-hit']).toBe('true')
    const r2 = result(await record(second.outputs['run-record']!))
    expect(r2.cache).toMatchObject({ hit: true, saved: false })
    expect(r2.data[0]!.digest).toBe(r.data[0]!.digest)
    // Same seed, same data: the same metrics and the very same model bytes.
    expect(r2.metrics).toEqual(r.metrics)
    expect(r2.model.digest).toBe(r.model.digest)
    expect(second.outputs['run-id']).not.toBe(first.outputs['run-id'])
  })
})

describe('train-model on the python-sklearn example (scikit-learn on breast cancer)', () => {
  it('trains with /usr/bin/python3, records pip freeze, uploads, and repeats its metrics for the same seed', async () => {
    const ws = await workspace('python-sklearn')
    const runs = []
    for (let i = 0; i < 2; i++) {
      const run = await runAction('train-model', { cwd: ws, inputs: { seed: '7' }, env: service.env() })
      expect(run.exitCode, run.stdout + run.stderr).toBe(0)
      runs.push(run)
    }
    const [a, b] = await Promise.all(runs.map(async (x) => result(await record(x.outputs['run-record']!))))
    expect(a!.metrics).toMatchObject({ 'data.train_rows': 426, 'data.test_rows': 143 })
    expect(a!.metrics.roc_auc).toBeGreaterThan(0.95)
    expect(a!.params).toMatchObject({
      'model.n_estimators': 200,
      'model.max_features': 'sqrt',
      'split.test_size': 0.25,
    })
    expect(a!.seed).toBe(7)
    expect(a!.model.files.map((f) => f.path)).toEqual(['model-meta.json', 'model.joblib'])
    expect(a!.data[0]).toMatchObject({ path: 'data/breast_cancer.csv' })
    expect(a!.data[0]!.digest).toBe(`sha256:${await sha256(path.join(ws, 'data/breast_cancer.csv'))}`)
    expect(a!.environment.python).toMatchObject({
      executable: '/usr/bin/python3',
      version: expect.stringMatching(/^3\./),
    })
    expect(a!.environment.python!.packages.some((p) => /^scikit-learn==/i.test(p))).toBe(true)
    expect(a!.code.dirty).toBe(false)
    // Same seed twice: the same metrics and a byte-identical model.
    expect(b!.metrics).toEqual(a!.metrics)
    expect(b!.model.digest).toBe(a!.model.digest)
    await expectArtifactRoundTrip(ws, runs[1]!.outputs)
  })
})

describe('train-model failures', () => {
  it('max-duration stops the command and its children, and still uploads a failed record', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'train-timeout-'))
    const r = await runAction('train-model', {
      cwd: ws,
      inputs: {
        command:
          "echo $$ > shell.pid\nsleep 60 & echo $! > child.pid\nbash -c 'sleep 60 & echo $! > grandchild.pid; wait' &\nsleep 60",
        'max-duration': '2s',
      },
      env: service.env(),
    })
    expect(r.exitCode).toBe(1)
    expect(r.errors.join('\n')).toMatch(
      /Input 'max-duration' the command ran past 2s and was stopped with its whole process tree/,
    )
    for (const f of ['shell.pid', 'child.pid', 'grandchild.pid']) {
      const pid = Number(await readFile(path.join(ws, f), 'utf8'))
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
      expect(stat === '' || /^\d+ \(.*\) [ZX] /.test(stat), `${f} ${pid} still running: ${stat}`).toBe(true)
    }
    const rec = await record(r.outputs['run-record']!)
    expect(rec.status).toBe('failed')
    expect(result(rec).error).toMatch(/max-duration/)
    const stored = service.artifacts.find((a) => a.id === Number(r.outputs['artifact-id']))
    expect(stored?.finalized).toBe(true)
  })

  it('a cancelled job (SIGTERM to the action) stops the tree and still writes the failed record', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'train-cancel-'))
    const r = await runAction('train-model', {
      cwd: ws,
      // $PPID is the action's node process: the command cancels the job itself, as the runner would.
      inputs: { command: 'sleep 60 & echo $! > child.pid\nkill -TERM $PPID\nsleep 60' },
      env: service.env(),
    })
    expect(r.exitCode).toBe(1)
    expect(r.errors.join('\n')).toMatch(
      /Cancelled \(SIGTERM\): the training command and its whole process tree were stopped/,
    )
    const pid = Number(await readFile(path.join(ws, 'child.pid'), 'utf8'))
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    expect(stat === '' || /^\d+ \(.*\) [ZX] /.test(stat), `child ${pid} still running: ${stat}`).toBe(true)
    const rec = await record(r.outputs['run-record']!)
    expect(rec.status).toBe('failed')
    expect(service.artifacts.find((a) => a.id === Number(r.outputs['artifact-id']))?.finalized).toBe(true)
  })

  it('a metric that is not a number fails naming the file; the failed record is uploaded', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'train-bad-metric-'))
    await writeFile(
      path.join(ws, 'train.sh'),
      'echo w > "$MLOPS_MODEL_DIR/w.bin"\necho \'{"accuracy": "high"}\' > "$MLOPS_METRICS_FILE"\n',
    )
    const r = await runAction('train-model', {
      cwd: ws,
      inputs: { command: 'bash train.sh' },
      env: service.env(),
    })
    expect(r.exitCode).toBe(1)
    expect(r.errors.join('\n')).toMatch(/metrics\.json: accuracy: metric 'accuracy' is "high", not a number/)
    const dir = await download(Number(r.outputs['artifact-id']))
    expect(JSON.parse(await readFile(path.join(dir, 'run-record.json'), 'utf8')).status).toBe('failed')
  })

  it('a command that is not found fails naming the input', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'train-not-found-'))
    const r = await runAction('train-model', {
      cwd: ws,
      inputs: { command: 'no-such-trainer --epochs 3' },
      env: service.env(),
    })
    expect(r.exitCode).toBe(1)
    expect(r.errors.join('\n')).toMatch(/Input 'command' command not found \(exit code 127\)/)
    expect((await record(r.outputs['run-record']!)).status).toBe('failed')
  })
})

describe('train-model with MLflow tracking', () => {
  let mlflow: MlflowStandIn
  beforeAll(async () => {
    mlflow = await startMlflowStandIn({ token: 'mlflow-secret' })
  })
  afterAll(() => mlflow.close())

  it('logs the run, its params, metrics and tags, and marks it finished', async () => {
    const ws = await workspace('quickstart-node')
    const r = await runAction('train-model', {
      cwd: ws,
      inputs: {
        'mlflow-tracking-uri': mlflow.url,
        'mlflow-experiment-id': '5',
        'mlflow-token': 'mlflow-secret',
      },
      env: service.env(),
    })
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    // Masked before anything could print it; the runner hides it from every later line.
    expect(r.stdout).toContain('::add-mask::mlflow-secret')
    expect(r.stdout.replace('::add-mask::mlflow-secret', '')).not.toContain('mlflow-secret')
    const [run] = [...mlflow.state.runs.values()]
    expect(run!.info).toMatchObject({ experiment_id: '5', status: 'FINISHED' })
    const metrics = JSON.parse(r.outputs.metrics!) as Record<string, number>
    expect(run!.data.metrics.find((m) => m.key === 'accuracy')?.value).toBe(metrics.accuracy)
    expect(run!.data.params).toContainEqual({ key: 'forest.n_estimators', value: '50' })
    expect(run!.data.tags).toContainEqual({ key: 'mlops.run_id', value: r.outputs['run-id'] })
    const rec = await record(r.outputs['run-record']!)
    expect((rec.result as { mlflow?: { runId: string } }).mlflow?.runId).toBe(run!.info.run_id)
  })
})
