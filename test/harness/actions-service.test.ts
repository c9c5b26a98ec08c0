// Drives the emulator with the real @actions/artifact and @actions/cache, each in a child `node` process
// that gets nothing but `service.env()` (plus a workspace), as a bundled action would on a runner.

import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ActionsService, startActionsService } from './actions-service.js'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

interface ChildRun {
  code: number | null
  stdout: string
  stderr: string
  result: Record<string, unknown>
}

/** Runs an ES module script with `node -e` from the repository root (so bare imports resolve against its
 * node_modules); the script reports by printing one line `@@result <json>`. */
function runNode(script: string, env: Record<string, string>): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: repoRoot,
      // NODE_NO_WARNINGS: keep stderr empty across Node versions (deprecation notices from dependencies).
      env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('@@result '))
      const result = line ? (JSON.parse(line.slice('@@result '.length)) as Record<string, unknown>) : {}
      resolve({ code, stdout, stderr, result })
    })
  })
}

const expectClean = (run: ChildRun) => {
  expect(run.stderr, run.stdout).toBe('')
  expect(run.code, run.stdout).toBe(0)
  // @actions/core annotations: the libraries turn most service trouble into warnings, not exceptions.
  expect(run.stdout).not.toMatch(/^::(warning|error)/m)
}

let service: ActionsService
let work: string
const big = randomBytes(9 * 1024 * 1024 + 123) // incompressible: the zip exceeds one 8 MiB upload block

beforeAll(async () => {
  service = await startActionsService()
  work = await mkdtemp(join(tmpdir(), 'actions-service-test-'))
  await mkdir(join(work, 'data', 'sub'), { recursive: true })
  await writeFile(join(work, 'data', 'a.txt'), 'hello artifact\n')
  await writeFile(join(work, 'data', 'sub', 'b.json'), JSON.stringify({ metric: 0.93 }))
  await writeFile(join(work, 'data', 'big.bin'), big)
})

afterAll(async () => {
  await service?.close()
  if (work) await rm(work, { recursive: true, force: true })
})

describe('actions service emulator', () => {
  it('serves @actions/artifact: upload (block blob), duplicate refused, list, get, download', async () => {
    const run = await runNode(
      `
      const { DefaultArtifactClient } = await import('@actions/artifact')
      const client = new DefaultArtifactClient()
      const data = process.env.WORK + '/data'
      const model = await client.uploadArtifact('model', [data + '/a.txt', data + '/sub/b.json', data + '/big.bin'], data)
      const report = await client.uploadArtifact('report', [data + '/a.txt'], data, { retentionDays: 3 })
      let duplicate = 'accepted'
      try {
        await client.uploadArtifact('report', [data + '/sub/b.json'], data)
      } catch (e) {
        duplicate = e.message
      }
      const list = await client.listArtifacts()
      const got = await client.getArtifact('model')
      const download = await client.downloadArtifact(got.artifact.id, {
        path: process.env.WORK + '/out',
        expectedHash: got.artifact.digest,
      })
      console.log('@@result ' + JSON.stringify({ model, report, duplicate, list: list.artifacts, got: got.artifact, download }))
      `,
      { ...service.env('run-a', 'job-1'), WORK: work, GITHUB_WORKSPACE: work },
    )
    expectClean(run)
    const r = run.result as {
      model: { id: number; size: number; digest: string }
      report: { id: number }
      duplicate: string
      list: Array<{ name: string; id: number; size: number; digest: string; createdAt: string }>
      got: { id: number; name: string; digest: string }
      download: { digestMismatch: boolean }
    }
    expect(r.duplicate).toContain(
      '(409) Conflict: an artifact with this name already exists on the workflow run',
    )
    expect(r.list.map((a) => a.name)).toEqual(['model', 'report'])
    expect(r.got).toMatchObject({ id: r.model.id, name: 'model', digest: `sha256:${r.model.digest}` })
    expect(new Date(r.list[0]!.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000)
    expect(r.download.digestMismatch).toBe(false)

    const out = join(work, 'out')
    expect((await readFile(join(out, 'big.bin'))).equals(big)).toBe(true)
    expect(await readFile(join(out, 'a.txt'), 'utf8')).toBe('hello artifact\n')
    expect(JSON.parse(await readFile(join(out, 'sub', 'b.json'), 'utf8'))).toEqual({ metric: 0.93 })

    const model = service.artifacts.find((a) => a.name === 'model')!
    expect(model).toMatchObject({ id: r.model.id, runId: 'run-a', jobId: 'job-1', finalized: true })
    expect(model.size).toBe(r.model.size)
    expect(model.blob.length).toBe(r.model.size)
    expect(model.blob.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04')
    expect(service.artifacts).toHaveLength(2)

    const blocks = service.calls.filter((c) => c.path.startsWith(`/blob/artifacts/${model.id}/`))
    expect(blocks.filter((c) => c.path.endsWith('?comp=block')).length).toBeGreaterThanOrEqual(2)
    expect(blocks.filter((c) => c.path.endsWith('?comp=blocklist'))).toHaveLength(1)
    expect(service.calls.filter((c) => c.rpc === 'CreateArtifact').map((c) => c.status)).toEqual([
      200, 200, 409,
    ])
    expect(service.errors).toEqual([])
  })

  it('shares artifacts across jobs of a run, not across runs; raw upload, delete', async () => {
    const other = await runNode(
      `
      const { DefaultArtifactClient } = await import('@actions/artifact')
      const client = new DefaultArtifactClient()
      const data = process.env.WORK + '/data'
      const before = (await client.listArtifacts()).artifacts.map((a) => a.name)
      const raw = await client.uploadArtifact('ignored', [data + '/sub/b.json'], data, { skipArchive: true })
      await client.downloadArtifact(raw.id, { path: process.env.WORK + '/raw' })
      const report = await client.getArtifact('report')
      await client.downloadArtifact(report.artifact.id, { path: process.env.WORK + '/report' })
      const deleted = await client.deleteArtifact('report')
      const after = (await client.listArtifacts()).artifacts.map((a) => a.name)
      console.log('@@result ' + JSON.stringify({ before, raw, deleted, reportId: report.artifact.id, after }))
      `,
      { ...service.env('run-a', 'job-2'), WORK: work, GITHUB_WORKSPACE: work },
    )
    expectClean(other)
    const r = other.result as { before: string[]; deleted: { id: number }; reportId: number; after: string[] }
    expect(r.before).toEqual(['model', 'report'])
    expect(r.deleted.id).toBe(r.reportId)
    expect(r.after).toEqual(['model', 'b.json'])
    expect(JSON.parse(await readFile(join(work, 'raw', 'b.json'), 'utf8'))).toEqual({ metric: 0.93 })
    expect(await readFile(join(work, 'report', 'a.txt'), 'utf8')).toBe('hello artifact\n')
    expect(service.artifacts.find((a) => a.name === 'b.json')).toMatchObject({
      jobId: 'job-2',
      finalized: true,
    })

    const foreign = await runNode(
      `
      const { DefaultArtifactClient } = await import('@actions/artifact')
      const client = new DefaultArtifactClient()
      const list = (await client.listArtifacts()).artifacts
      let get = 'found'
      try {
        await client.getArtifact('model')
      } catch (e) {
        get = e.name
      }
      console.log('@@result ' + JSON.stringify({ list, get }))
      `,
      service.env('run-b'),
    )
    expectClean(foreign)
    expect(foreign.result).toEqual({ list: [], get: 'ArtifactNotFoundError' })
    expect(service.errors).toEqual([])
  })

  it('serves @actions/cache v2: save, exact and prefix restore, miss, immutable keys', async () => {
    const ws = join(work, 'cache-ws')
    await mkdir(ws, { recursive: true })
    const run = await runNode(
      `
      const cache = await import('@actions/cache')
      const fs = await import('node:fs/promises')
      process.chdir(process.env.GITHUB_WORKSPACE)
      const read = () => fs.readFile('deps/lib.txt', 'utf8').catch(() => null)
      const put = async (text) => {
        await fs.rm('deps', { recursive: true, force: true })
        await fs.mkdir('deps/nested', { recursive: true })
        await fs.writeFile('deps/lib.txt', text)
        await fs.writeFile('deps/nested/blob.bin', Buffer.alloc(300000, text))
      }
      const out = {}
      await put('v1')
      out.save1 = await cache.saveCache(['deps'], 'deps-linux-1')
      await put('v2')
      out.save2 = await cache.saveCache(['deps'], 'deps-linux-2')
      await put('v3')
      out.saveAgain = await cache.saveCache(['deps'], 'deps-linux-2')
      await fs.rm('deps', { recursive: true })
      out.exact = [await cache.restoreCache(['deps'], 'deps-linux-1'), await read()]
      out.primaryPrefix = [await cache.restoreCache(['deps'], 'deps-linux'), await read()]
      out.restoreKey = [await cache.restoreCache(['deps'], 'deps-mac-9', ['deps-win-', 'deps-linux-']), await read()]
      out.miss = (await cache.restoreCache(['deps'], 'deps-mac-9', ['deps-win-'])) ?? null
      out.otherPaths = (await cache.restoreCache(['elsewhere'], 'deps-linux-1')) ?? null
      const nested = await fs.readFile('deps/nested/blob.bin')
      out.nested = nested.length === 300000 && nested.every((b) => b === 'v'.charCodeAt(0) || b === '2'.charCodeAt(0))
      console.log('@@result ' + JSON.stringify(out))
      `,
      { ...service.env(), GITHUB_WORKSPACE: ws },
    )
    expectClean(run)
    const r = run.result as Record<string, unknown>
    expect(r.save1).toBeGreaterThan(0)
    expect(r.save2).toBeGreaterThan(0)
    expect(r.saveAgain).toBe(-1)
    expect(run.stdout).toContain(
      'Unable to reserve cache with key deps-linux-2, another job may be creating this cache',
    )
    expect(r.exact).toEqual(['deps-linux-1', 'v1'])
    expect(r.primaryPrefix).toEqual(['deps-linux-2', 'v2'])
    expect(r.restoreKey).toEqual(['deps-linux-2', 'v2'])
    expect(r.miss).toBeNull()
    expect(r.otherPaths).toBeNull()
    expect(r.nested).toBe(true)

    expect(service.caches.map((c) => [c.key, c.finalized])).toEqual([
      ['deps-linux-1', true],
      ['deps-linux-2', true],
    ])
    const [first, second] = service.caches
    expect(first!.version).toBe(second!.version)
    expect(first!.size).toBe(first!.blob.length)
    // The second entry still holds the v2 archive, not the refused v3 one.
    expect(
      service.calls.filter((c) => c.path.startsWith(`/blob/caches/${second!.id}/`) && c.method === 'PUT'),
    ).toEqual([{ method: 'PUT', path: `/blob/caches/${second!.id}/cache.tar`, status: 201 }])
    expect(service.calls.filter((c) => c.rpc === 'CreateCacheEntry').map((c) => c.status)).toEqual([
      200, 200, 409,
    ])
    expect(service.errors).toEqual([])
  })

  it('reports what it does not understand', async () => {
    const { ACTIONS_RUNTIME_TOKEN: token } = service.env()
    const post = (rpc: string, body: string, auth = true) =>
      fetch(`${service.url}twirp/${rpc}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(auth ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
      })
    const artifactRpc = 'github.actions.results.api.v1.ArtifactService'

    // A signed download URL serves byte ranges, as blob storage does.
    const signed = await fetch(`${service.url}twirp/${artifactRpc}/GetSignedArtifactURL`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${service.env('run-a').ACTIONS_RUNTIME_TOKEN}`,
      },
      body: JSON.stringify({
        workflow_run_backend_id: 'run-a',
        workflow_job_run_backend_id: 'job-9',
        name: 'model',
      }),
    })
    const { signed_url } = (await signed.json()) as { signed_url: string }
    const head = await fetch(signed_url, { headers: { range: 'bytes=0-3' } })
    expect(head.status).toBe(206)
    expect(head.headers.get('content-type')).toBe('application/zip')
    expect(Buffer.from(await head.arrayBuffer()).toString('latin1')).toBe('PK\x03\x04')
    expect(service.errors).toEqual([])

    expect((await post(`${artifactRpc}/Nope`, '{}')).status).toBe(404)
    expect((await post(`${artifactRpc}/ListArtifacts`, '{not json')).status).toBe(400)
    expect(
      (await post(`${artifactRpc}/ListArtifacts`, '{"workflow_run_backend_id":"1001","bogus":1}')).status,
    ).toBe(400)
    expect((await post(`${artifactRpc}/ListArtifacts`, '{}', false)).status).toBe(401)
    const wrongRun = await post(
      `${artifactRpc}/ListArtifacts`,
      '{"workflow_run_backend_id":"other","workflow_job_run_backend_id":"x"}',
    )
    expect(await wrongRun.json()).toMatchObject({ code: 'permission_denied' })
    const blob = service.artifacts[0]!
    expect((await fetch(`${service.url}blob/artifacts/${blob.id}/x?sig=forged`)).status).toBe(403)
    expect((await fetch(`${service.url}v1/whatever`)).status).toBe(404)
    expect(service.errors).toHaveLength(7)
    expect(service.errors.join('\n')).toMatch(/unknown rpc .*Nope/)
    service.errors.length = 0
  })
})
