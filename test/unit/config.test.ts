import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseYaml } from '../../shared/config/load.js'
import { loadMlopsConfig, mlopsConfigSchema } from '../../shared/config/mlops-config.js'
import { ConfigError } from '../../shared/errors.js'

const parse = (text: string) => parseYaml(text, 'mlops.yaml', mlopsConfigSchema)
const failure = (text: string): ConfigError => {
  try {
    parse(text)
  } catch (e) {
    if (e instanceof ConfigError) return e
    throw e
  }
  throw new Error('expected a ConfigError')
}

describe('mlops.yaml loading', () => {
  it('accepts a full file and applies defaults', () => {
    const c = parse(`
model: { name: churn, flavor: sklearn }
gate:
  metrics:
    accuracy: { direction: higher, min: 0.85, max_drop: 0.01 }
monitor:
  rules:
    - { name: volume, query: 'sum(model_predictions_total)', above: 4000, action: retrain }
`)
    expect(c.model?.name).toBe('churn')
    expect(c.gate?.on_missing_metric).toBe('fail')
    expect(c.monitor?.rules[0]?.severity).toBe('warning')
  })

  it('names file, line, column, key path and expected type for a wrong type two levels deep', () => {
    const e = failure(`model:
  name: churn
train:
  command: python train.py
  seed: "forty-two"
`)
    expect(e.location).toEqual({ file: 'mlops.yaml', line: 5, column: 9 })
    expect(e.keyPath).toBe('train.seed')
    expect(e.message).toBe('mlops.yaml:5:9: train.seed: Invalid input: expected number, received string')
  })

  it('locates a wrong type deep inside a record', () => {
    const e = failure(`gate:
  metrics:
    accuracy:
      direction: higher
      min: high
`)
    expect(e.keyPath).toBe('gate.metrics.accuracy.min')
    expect(e.location.line).toBe(5)
    expect(e.message).toContain('expected number')
  })

  it('points at a misspelt key, lists the allowed keys and suggests the right one', () => {
    const e = failure(`model:
  name: churn
  flavour: sklearn
`)
    expect(e.location.line).toBe(3)
    expect(e.location.column).toBe(3)
    expect(e.message).toContain("'flavour' → did you mean 'flavor'?")
    expect(e.message).toContain('allowed keys: name, flavor, description, intended_use')
  })

  it('names an unknown enum value and the allowed ones', () => {
    const e = failure('gate:\n  metrics:\n    f1: { direction: upward }\n')
    expect(e.keyPath).toBe('gate.metrics.f1.direction')
    expect(e.message).toContain('"higher"|"lower"')
  })

  it('rejects a negative tolerance and a bad duration', () => {
    expect(failure('gate:\n  metrics:\n    f1: { direction: higher, max_drop: -0.1 }\n').keyPath).toBe(
      'gate.metrics.f1.max_drop',
    )
    expect(failure('train:\n  max_duration: soon\n').message).toContain("expected a duration such as '90s'")
  })

  it('reports YAML syntax errors with their position', () => {
    const e = failure('model:\n  name: [unclosed\n')
    expect(e.message).toMatch(/^mlops\.yaml:\d+:\d+: invalid YAML/)
  })

  it('treats a missing optional file as empty and a missing required one as an error', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cfg-'))
    expect(await loadMlopsConfig(path.join(dir, 'nope.yaml'), { optional: true })).toEqual({})
    await expect(loadMlopsConfig(path.join(dir, 'nope.yaml'), { optional: false })).rejects.toThrow(
      /file not found/,
    )
    await writeFile(path.join(dir, 'bad.yaml'), 'model: { name: 3 }\n')
    await expect(loadMlopsConfig(path.join(dir, 'bad.yaml'), { optional: true })).rejects.toThrow(
      /model\.name/,
    )
  })
})
