import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseRunRecord } from '../../shared/run-record/io.js'
import { groupMembers } from '../../shared/train/process-tree.js'
import { runCommand } from '../../shared/train/run-command.js'
import { localArtifactStore, localCacheStore } from '../../shared/train/storage.js'
import { type TrainOptions, train } from '../../shared/train/train.js'
import { silentLogger } from '../../shared/util/logger.js'

interface Result {
  metrics: Record<string, number>
  params: Record<string, unknown>
  model: { digest: string; files: unknown[] }
  data: Array<{ path: string; bytes: number }>
  environment: { node: string; cpus: number }
  cache: Record<string, unknown>
}
const tmp = () => mkdtemp(path.join(tmpdir(), 'train-run-'))

const alive = async (pid: number) => {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) [ZX] /.test(stat)
  } catch {
    return false
  }
}

describe('runCommand', () => {
  it('runs with bash -eo pipefail, streams lines and reports the exit code', async () => {
    const lines: string[] = []
    const r = await runCommand({
      command: 'echo one; echo two >&2; true | cat; echo three',
      cwd: tmpdir(),
      env: process.env,
      onLine: (l) => lines.push(l),
    })
    expect(r.exitCode).toBe(0)
    expect(lines).toEqual(expect.arrayContaining(['one', 'two', 'three']))
    const p = await runCommand({
      command: 'true | false\necho not reached',
      cwd: tmpdir(),
      env: process.env,
      onLine: () => {},
    })
    expect(p.exitCode).toBe(1)
    expect(p.tail).not.toContain('not reached')
  })

  it('reports a command that does not exist as exit code 127', async () => {
    const r = await runCommand({
      command: 'no-such-trainer --fit',
      cwd: tmpdir(),
      env: process.env,
      onLine: () => {},
    })
    expect(r.exitCode).toBe(127)
    expect(r.tail.join('\n')).toMatch(/no-such-trainer: command not found/)
  })

  it('stops the whole tree past max-duration: children and grandchildren too', async () => {
    const d = await tmp()
    const r = await runCommand({
      command: `sleep 60 & echo $! > child.pid
bash -c 'sleep 60 & echo $! > grandchild.pid; wait' &
trap '' TERM   # the shell itself ignores TERM: only KILL stops it
sleep 60`,
      cwd: d,
      env: process.env,
      maxDurationMs: 500,
      killGraceMs: 500,
      onLine: () => {},
    })
    expect(r.timedOut).toBe(true)
    const pids = [
      Number(await readFile(path.join(d, 'child.pid'), 'utf8')),
      Number(await readFile(path.join(d, 'grandchild.pid'), 'utf8')),
    ]
    for (const pid of pids) expect(await alive(pid)).toBe(false)
  })

  it('stops the tree and reports the signal when this process is told to stop (a cancelled job)', async () => {
    const d = await tmp()
    const running = runCommand({
      command: 'sleep 60 & echo $! > child.pid; sleep 60',
      cwd: d,
      env: process.env,
      forwardSignals: true,
      killGraceMs: 500,
      onLine: () => {},
    })
    const pidFile = path.join(d, 'child.pid')
    while (!(await readFile(pidFile, 'utf8').catch(() => ''))) await new Promise((r) => setTimeout(r, 50))
    process.emit('SIGTERM', 'SIGTERM') // what a runner's SIGTERM does to our handlers, without a real signal
    const r = await running
    expect(r.cancelledBy).toBe('SIGTERM')
    expect(await alive(Number(await readFile(pidFile, 'utf8')))).toBe(false)
    expect(process.listenerCount('SIGTERM')).toBe(0)
  })

  it('stops background jobs a finished command left behind', async () => {
    const d = await tmp()
    const r = await runCommand({
      command: 'sleep 60 & echo $! > bg.pid; echo done',
      cwd: d,
      env: process.env,
      killGraceMs: 500,
      onLine: () => {},
    })
    expect(r.exitCode).toBe(0)
    expect(r.leftoverProcesses).toBe(1)
    expect(await alive(Number(await readFile(path.join(d, 'bg.pid'), 'utf8')))).toBe(false)
  })

  it('measures the peak memory of the tree', async () => {
    const r = await runCommand({
      command: `node -e "const b = Buffer.alloc(80 * 1024 * 1024, 1); setTimeout(() => console.log(b[0]), 600)"`,
      cwd: tmpdir(),
      env: process.env,
      onLine: () => {},
    })
    expect(r.exitCode).toBe(0)
    expect(r.peakMemoryBytes).toBeGreaterThan(80 * 1024 * 1024)
  })

  it('measures the peak memory of a command that ends within the first sampling interval', async () => {
    const r = await runCommand({
      command: `node -e "const b = Buffer.alloc(40 * 1024 * 1024, 1); setTimeout(() => console.log(b[0]), 120)"`,
      cwd: tmpdir(),
      env: process.env,
      onLine: () => {},
      sampleEveryMs: 5_000,
    })
    expect(r.exitCode).toBe(0)
    expect(r.peakMemoryBytes).toBeGreaterThan(40 * 1024 * 1024)
  })

  it('lists no members for a group that does not exist', () => {
    expect(groupMembers(2 ** 22 + 12345)).toEqual([])
  })
})

const SCRIPT = `
const fs = require('node:fs'), path = require('node:path')
const seed = Number(process.env.MLOPS_SEED)
fs.writeFileSync(path.join(process.env.MLOPS_MODEL_DIR, 'weights.json'), JSON.stringify({ seed }))
fs.writeFileSync(process.env.MLOPS_METRICS_FILE, JSON.stringify({ accuracy: 0.5 + seed / 1000, loss: { train: 0.1 } }))
console.log('env', process.env.MLOPS_RUN_ID, process.env.PYTHONHASHSEED, process.env.MLOPS_PARAMS_FILE)
`

async function project() {
  const d = await tmp()
  await writeFile(path.join(d, 'train.js'), SCRIPT)
  await writeFile(path.join(d, 'params.yaml'), 'model:\n  depth: 3\n')
  await writeFile(path.join(d, 'data.csv'), 'x,y\n1,2\n')
  return d
}

const base = (d: string, over: Partial<TrainOptions> = {}): TrainOptions => ({
  command: 'node train.js',
  workingDirectory: d,
  params: 'params.yaml',
  metrics: 'out/metrics.json',
  modelPath: 'model',
  data: ['data.csv'],
  seed: 7,
  cachePaths: [],
  upload: true,
  modelName: 'demo',
  recordPath: path.join(d, '.mlops/records/train.json'),
  env: { PATH: process.env.PATH },
  context: { repository: 'o/r' },
  ...over,
})

describe('train', () => {
  it('collects metrics, params, model, data, environment and uploads model + record', async () => {
    const d = await project()
    const lines: string[] = []
    const out = await train(base(d, { runId: 'r1' }), {
      log: silentLogger,
      artifacts: localArtifactStore(path.join(d, '.mlops/artifacts')),
      onOutput: (l) => lines.push(l),
    })
    expect(out.error).toBeUndefined()
    expect(lines).toContain(`env r1 7 ${path.join(d, 'params.yaml')}`)
    const rec = parseRunRecord(await readFile(out.recordPath, 'utf8'), out.recordPath)
    expect(rec.kind).toBe('train-model')
    expect(rec.status).toBe('passed')
    const r = rec.result as unknown as Result
    expect(r.metrics).toEqual({ accuracy: 0.507, 'loss.train': 0.1 })
    expect(r.params).toEqual({ 'model.depth': 3 })
    expect(r.model.files).toHaveLength(1)
    expect(r.model.digest).toMatch(/^sha256:/)
    expect(r.data[0]).toMatchObject({ path: 'data.csv', bytes: 8 })
    expect(r.environment.node).toBe(process.version)
    expect(r.environment.cpus).toBeGreaterThan(0)
    expect(rec.details).toContain('| metric | value |')
    expect(rec.details).toContain('| model.depth |')
    const art = path.join(d, '.mlops/artifacts/mlops-train-r1')
    expect(await readFile(path.join(art, 'model/weights.json'), 'utf8')).toBe('{"seed":7}')
    expect(JSON.parse(await readFile(path.join(art, 'run-record.json'), 'utf8')).id).toBe('r1')
  })

  it.each([
    ['a command that is not found', { command: 'no-such-trainer' }, /Input 'command' .*command not found/],
    [
      'a non-zero exit',
      { command: 'node train.js && exit 3' },
      /Input 'command' the command exited with code 3/,
    ],
    [
      'no metrics file',
      { command: 'node train.js && rm "$MLOPS_METRICS_FILE"' },
      /Input 'metrics' names 'out\/metrics\.json', but the command did not write it/,
    ],
    [
      'no model',
      { modelPath: 'nothing-here.bin' },
      /Input 'model-path' names 'nothing-here\.bin', but the command wrote no model/,
    ],
    ['missing data', { data: ['missing.csv'] }, /Input 'data' names 'missing\.csv'/],
    ['missing params', { params: 'nope.yaml' }, /Input 'params' names the params file 'nope\.yaml'/],
    [
      'a non-numeric metric',
      { command: `node train.js && echo '{"accuracy":"high"}' > "$MLOPS_METRICS_FILE"` },
      /metric 'accuracy' is "high", not a number/,
    ],
    [
      'a run past max-duration',
      { command: 'sleep 30', maxDurationMs: 300, maxDurationText: '300ms', killGraceMs: 200 },
      /Input 'max-duration' the command ran past 300ms and was stopped/,
    ],
  ])('fails on %s, still writing and uploading a failed record', async (_n, over, want) => {
    const d = await project()
    const out = await train(base(d, { runId: 'f1', ...over }), {
      log: silentLogger,
      artifacts: localArtifactStore(path.join(d, '.mlops/artifacts')),
    })
    expect(String(out.error)).toMatch(want)
    const rec = parseRunRecord(await readFile(out.recordPath, 'utf8'), out.recordPath)
    expect(rec.status).toBe('failed')
    expect(rec.headline).toMatch(/^failed: /)
    expect((rec.result as { error: string }).error).toMatch(want)
    const uploaded = await readFile(path.join(d, '.mlops/artifacts/mlops-train-f1/run-record.json'), 'utf8')
    expect(JSON.parse(uploaded).status).toBe('failed')
  })

  it('restores the cache before and saves it after a success', async () => {
    const d = await project()
    const cache = localCacheStore(path.join(d, '.mlops/cache'))
    const opts = base(d, {
      command:
        'test -f features/f.txt && echo hit || (mkdir -p features && echo computed > features/f.txt); node train.js',
      cachePaths: ['features'],
      cacheKey: 'features-v1',
    })
    const first = await train(opts, { log: silentLogger, cache })
    expect(first.cacheHit).toBe(false)
    const { rm } = await import('node:fs/promises')
    await rm(path.join(d, 'features'), { recursive: true })
    const lines: string[] = []
    const second = await train(opts, { log: silentLogger, cache, onOutput: (l) => lines.push(l) })
    expect(second.cacheHit).toBe(true)
    expect(lines).toContain('hit')
    expect((second.record.result as unknown as Result).cache).toMatchObject({ key: 'features-v1', hit: true })
  })

  it('warns about model files an earlier run left behind', async () => {
    const d = await project()
    const { mkdir, utimes } = await import('node:fs/promises')
    await mkdir(path.join(d, 'model'))
    await writeFile(path.join(d, 'model', 'old-weights.bin'), 'old')
    await utimes(path.join(d, 'model', 'old-weights.bin'), new Date(2020, 0, 1), new Date(2020, 0, 1))
    const warnings: string[] = []
    const out = await train(base(d), { log: { ...silentLogger, warning: (m) => warnings.push(m) } })
    expect(out.error).toBeUndefined()
    expect(warnings.join('\n')).toMatch(
      /1 file\(s\) in 'model' were not written by this run .*: old-weights\.bin/,
    )
  })

  it('gives the same metrics for the same seed', async () => {
    const d = await project()
    const a = await train(base(d), { log: silentLogger })
    const b = await train(base(d), { log: silentLogger })
    expect(a.metrics).toEqual(b.metrics)
    expect((a.record.result as unknown as Result).model.digest).toBe(
      (b.record.result as unknown as Result).model.digest,
    )
    const c = await train(base(d, { seed: 8 }), { log: silentLogger })
    expect(c.metrics).not.toEqual(a.metrics)
  })
})
