import { mkdtemp, readFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { main } from '../../cli/src/main.js'

let server: http.Server
let url: string
const value = '4100'
const auth: Array<string | undefined> = []

beforeAll(async () => {
  // Answers every query like Prometheus would for `sum by (model) (model_predictions_total)`.
  server = http.createServer((req, res) => {
    auth.push(req.headers.authorization)
    req.resume()
    req.on('end', () => {
      const range = req.url?.includes('query_range')
      const metric = { model: 'fraud' }
      const result = range ? [{ metric, values: [[1, value]] }] : [{ metric, value: [1, value] }]
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({ status: 'success', data: { resultType: range ? 'matrix' : 'vector', result } }),
      )
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => server.close())

const RULES =
  '- {name: predictions-served, query: sum by (model) (model_predictions_total), above: 4000, action: retrain}\n'

describe('mlops monitor', () => {
  it('opens one issue and records one dispatch in the outbox; a second run adds nothing', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'mlops-monitor-'))
    vi.stubEnv('PROMETHEUS_TOKEN', 'secret')
    vi.stubEnv('GITHUB_REF_NAME', 'main')
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined)
    const args = [
      'monitor',
      '--prometheus-url',
      url,
      `--rules=${RULES}`,
      '--dispatch-workflow',
      'retrain.yml',
    ]
    try {
      expect(await main([...args, '--out', out])).toBe(0)
      expect(await main([...args, '--out', out])).toBe(0)
    } finally {
      log.mockRestore()
      vi.unstubAllEnvs()
    }
    const state = JSON.parse(await readFile(path.join(out, 'outbox/state.json'), 'utf8'))
    expect(state.issues).toHaveLength(1)
    expect(state.issues[0].title).toBe('fraud: predictions-served above 4000')
    expect(state.dispatches).toEqual([expect.objectContaining({ workflow: 'retrain.yml', ref: 'main' })])
    expect(await readFile(path.join(out, 'outbox/issues/1.md'), 'utf8')).toContain('xychart-beta')
    expect(await readFile(path.join(out, 'monitor-summary.md'), 'utf8')).toContain('1 rule(s) breached')
    expect(auth.at(-1)).toBe('Bearer secret')
  })

  it('fails with one line on a bad flag', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      expect(await main(['monitor', '--prometheus-url', url, `--rules=${RULES}`, '--cooldown', 'soon'])).toBe(
        1,
      )
      expect(err.mock.calls.flat().join('\n')).toContain("Input '--cooldown' is not a duration: 'soon'")
    } finally {
      err.mockRestore()
    }
  })
})
