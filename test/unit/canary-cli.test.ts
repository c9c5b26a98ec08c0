import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deployCanaryCommand } from '../../cli/src/commands/deploy-canary.js'
import { silentLogger } from '../../shared/util/logger.js'

/**
 * `mlops deploy-canary` in-process: the real Prometheus client against a small stand-in of
 * `/api/v1/query`, and the command provider running real bash.
 */
let canaryRate = 99.9
let url = ''
const server = http.createServer((req, res) => {
  let body = ''
  req.on('data', (d) => (body += d))
  req.on('end', () => {
    const q = new URLSearchParams(body).get('query') ?? ''
    if (q.includes('syntax error')) {
      res.writeHead(400, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 7' }))
      return
    }
    const canary = q.includes('variant="canary"')
    const v = q.includes('code!~') ? (canary ? canaryRate : 99.95) : 42
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, String(v)] }] },
      }),
    )
  })
})

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

async function run(extra: string[]) {
  const dir = await mkdtemp(path.join(tmpdir(), 'cli-canary-'))
  const log = path.join(dir, 'lb.log')
  const code = await deployCanaryCommand.run(
    [
      '--model',
      'churn',
      '--version',
      '7',
      '--prometheus-url',
      url,
      '--provider',
      'command',
      '--set-weight-command',
      `echo "weight {weight} {version}" >> ${log}`,
      '--promote-command',
      `echo promote >> ${log}`,
      '--rollback-command',
      `echo rollback >> ${log}`,
      '--steps',
      '10,50',
      '--interval',
      '20ms',
      '--config',
      path.join(dir, 'none.yaml'),
      '--out',
      dir,
      ...extra,
    ],
    silentLogger,
  )
  const lb = (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean)
  return { code, lb, dir }
}

describe('mlops deploy-canary', () => {
  it('promotes a healthy canary and writes the summary and the run record', async () => {
    canaryRate = 99.9
    const r = await run([])
    expect(r.code).toBe(0)
    expect(r.lb).toEqual(['weight 10 7', 'weight 50 7', 'promote'])
    expect(await readFile(path.join(r.dir, 'deploy-canary.md'), 'utf8')).toContain('churn 7 promoted')
    const [rec] = await readdir(path.join(r.dir, 'records'))
    expect(JSON.parse(await readFile(path.join(r.dir, 'records', rec!), 'utf8'))).toMatchObject({
      kind: 'deploy-canary',
      status: 'passed',
    })
  })

  it('rolls back a canary below the success-rate threshold and exits 1 (0 with --no-fail-on-rollback)', async () => {
    canaryRate = 90
    const r = await run([])
    expect(r.code).toBe(1)
    expect(r.lb).toEqual(['weight 10 7', 'rollback'])
    expect((await run(['--no-fail-on-rollback'])).code).toBe(0)
  })

  it('stops before any traffic moves on invalid PromQL', async () => {
    const r = run(["--analysis=- { name: bad, query: 'sum(syntax error', max: 1 }"])
    await expect(r).rejects.toThrow(
      /Check 'bad': the query cannot be used; no traffic was moved.*parse error at char 7/s,
    )
  })

  it('names the flag in input errors', async () => {
    await expect(run(['--on-no-data', 'maybe'])).rejects.toThrow(
      /Input '--on-no-data' must be one of wait, fail, pass/,
    )
    await expect(run(['--interval', 'soon'])).rejects.toThrow(/Input '--interval' is not a duration/)
  })
})
