import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const root = path.resolve(import.meta.dirname, '../..')
const actions = readdirSync(path.join(root, 'actions')).filter((n) =>
  existsSync(path.join(root, 'actions', n, 'action.yml')),
)

interface Meta {
  name: string
  description: string
  inputs?: Record<string, { description?: string; default?: string }>
  outputs?: Record<string, { description?: string }>
  runs: { using: string; main: string; post?: string }
}

describe.each(actions)('actions/%s/action.yml', (name) => {
  const meta = parse(readFileSync(path.join(root, 'actions', name, 'action.yml'), 'utf8')) as Meta

  it('runs the committed node24 bundle', () => {
    expect(meta.runs.using).toBe('node24')
    expect(meta.runs.main).toBe('dist/index.js')
    expect(existsSync(path.join(root, 'actions', name, 'dist', 'index.js'))).toBe(true)
  })

  it('declares kebab-case inputs and outputs, each described, booleans with a default', () => {
    for (const [id, spec] of [...Object.entries(meta.inputs ?? {}), ...Object.entries(meta.outputs ?? {})]) {
      expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/)
      expect(spec.description, id).toBeTruthy()
    }
    expect(meta.inputs?.['github-token']?.default).toBe('${{ github.token }}')
    expect(meta.inputs?.config?.default).toBe('mlops.yaml')
  })

  it('has the same input and output names as its Input/Output constants', async () => {
    const mod = (await import(path.join(root, 'actions', name, 'src', 'inputs.ts'))) as {
      Input: Record<string, string>
      Output: Record<string, string>
    }
    expect(Object.values(mod.Input).sort()).toEqual(Object.keys(meta.inputs ?? {}).sort())
    expect(Object.values(mod.Output).sort()).toEqual(Object.keys(meta.outputs ?? {}).sort())
  })
})
