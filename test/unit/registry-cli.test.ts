import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { main } from '../../cli/src/main.js'
import { modelDir } from './registry-contract.js'

afterEach(() => vi.restoreAllMocks())

async function mlops(...args: string[]) {
  const out: string[] = []
  vi.spyOn(console, 'log').mockImplementation((m: unknown) => void out.push(String(m)))
  vi.spyOn(console, 'error').mockImplementation((m: unknown) => void out.push(String(m)))
  const code = await main(args)
  vi.restoreAllMocks()
  return { code, text: out.join('\n') }
}

describe('mlops register / promote / models / history', () => {
  it('registers twice, promotes, rolls back, lists models and the alias history', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cli-registry-'))
    const out = await mkdtemp(path.join(tmpdir(), 'cli-out-'))
    const reg = ['--registry', root, '--config', path.join(root, 'none.yaml')]
    const m1 = await modelDir({ 'model.json': '{"v":1}' })
    const m2 = await modelDir({ 'model.json': '{"v":2}' })
    expect((await mlops('register', 'churn', '--model-path', m1, ...reg)).code).toBe(0)
    const second = await mlops('register', 'churn', '--model-path', m2, '--alias', 'staging', ...reg)
    expect(second.code).toBe(0)
    expect(second.text).toContain('Alias staging: v2')
    expect(
      (await mlops('promote', 'churn', '--to', 'production', '--version', '1', '--out', out, ...reg)).code,
    ).toBe(0)
    const up = await mlops(
      'promote',
      'churn',
      '--to',
      'production',
      '--from-alias',
      'staging',
      '--out',
      out,
      ...reg,
    )
    expect(up.text).toContain('production = v2 (was v1)')
    const back = await mlops(
      'promote',
      'churn',
      '--to',
      'production',
      '--version',
      'previous',
      '--out',
      out,
      ...reg,
    )
    expect(back.text).toContain('production = v1 (was v2)')

    const models = await mlops('models', ...reg)
    expect(models.text).toMatch(/v1 .*\[production\]/)
    expect(models.text).toMatch(/v2 .*\[staging\]/)
    const history = await mlops('history', 'churn', '--alias', 'production', '--json', ...reg)
    expect(JSON.parse(history.text).map((m: { from?: number; to: number }) => [m.from, m.to])).toEqual([
      [undefined, 1],
      [1, 2],
      [2, 1],
    ])
    const outbox = JSON.parse(await readFile(path.join(out, 'outbox/state.json'), 'utf8'))
    expect(
      outbox.deployments.map((d: { environment: string; payload: { version: number } }) => [
        d.environment,
        d.payload.version,
      ]),
    ).toEqual([
      ['production', 1],
      ['production', 2],
      ['production', 1],
    ])
  })

  it('fails with one clear line on a missing version and a bad flag', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cli-registry-'))
    const reg = ['--registry', root, '--config', path.join(root, 'none.yaml')]
    const r = await mlops(
      'promote',
      'churn',
      '--to',
      'production',
      '--version',
      '4',
      '--no-deployment',
      ...reg,
    )
    expect(r.code).toBe(1)
    expect(r.text).toMatch(/mlops promote: Model 'churn' has no versions yet|no version 4/)
    const bad = await mlops('register', 'churn', '--model-path', root, '--version', 'x', ...reg)
    expect(bad.code).toBe(1)
    expect(bad.text).toMatch(/--version.*must be a version number/)
  })
})
