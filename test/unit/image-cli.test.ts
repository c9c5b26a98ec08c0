import { afterEach, describe, expect, it, vi } from 'vitest'
import { main } from '../../cli/src/main.js'

describe('mlops build-image', () => {
  afterEach(() => vi.restoreAllMocks())
  const capture = () => {
    const out: string[] = []
    vi.spyOn(console, 'log').mockImplementation((m) => void out.push(String(m)))
    vi.spyOn(console, 'error').mockImplementation((m) => void out.push(String(m)))
    return out
  }

  it('is listed and has help', async () => {
    const out = capture()
    expect(await main(['--help'])).toBe(0)
    expect(out.join('\n')).toMatch(/build-image\s+build \(and push\) a serving image/)
    expect(await main(['build-image', '--help'])).toBe(0)
    expect(out.join('\n')).toContain('--model NAME@REF')
  })

  it('refuses a bad builder and an unknown model version with one clear line', async () => {
    const out = capture()
    expect(await main(['build-image', '--builder', 'kaniko'])).toBe(1)
    expect(out.at(-1)).toBe(
      "mlops build-image: Input '--builder' must be one of auto, docker, buildah, podman; got 'kaniko'",
    )
    expect(
      await main([
        'build-image',
        '--model',
        'churn@3',
        '--registry',
        '/nonexistent/registry',
        '--config',
        'none.yaml',
      ]),
    ).toBe(1)
    expect(out.at(-1)).toBe("mlops build-image: Model 'churn' has no version 3 (no versions yet)")
  })
})
