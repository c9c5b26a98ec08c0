import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../shared/errors.js'
import { compareModels, loadPredictions, parsePredictions } from '../../shared/gate/predictions.js'
import { binomialHalfCdf, mcnemarExact, pairedBootstrap, seededRandom } from '../../shared/gate/stats.js'

const fixtures = path.resolve(import.meta.dirname, '../fixtures/gate')
interface Vectors {
  generator: string
  vectors: Array<{ b: number; c: number; pvalue: number; pvalue_2cdf: number }>
  files: { files: [string, string]; n: number; b: number; c: number; pvalue: number }
}
// Made by test/fixtures/gate/make_vectors.py with scipy.stats.binomtest (Debian python3-scipy).
const ref = JSON.parse(readFileSync(path.join(fixtures, 'mcnemar-vectors.json'), 'utf8')) as Vectors

describe('McNemar exact test', () => {
  it.each(ref.vectors)('b=$b c=$c matches scipy binomtest', ({ b, c, pvalue, pvalue_2cdf }) => {
    const r = mcnemarExact(b, c)
    // relative agreement to 1e-9; scipy's 0.0 (underflow below 1e-308) must be 0 here too
    expect(Math.abs(r.pValue - pvalue)).toBeLessThanOrEqual(1e-9 * pvalue)
    expect(Math.abs(r.pValue - pvalue_2cdf)).toBeLessThanOrEqual(1e-9 * pvalue_2cdf)
  })

  it('is symmetric in b and c and 1 without discordant pairs', () => {
    expect(mcnemarExact(12, 30).pValue).toBe(mcnemarExact(30, 12).pValue)
    expect(mcnemarExact(0, 0).pValue).toBe(1)
    expect(() => mcnemarExact(-1, 2)).toThrow(/count/)
  })

  it('sums the binomial tail exactly for small n', () => {
    // P(X ≤ 1) for Binomial(4, 1/2) = (1 + 4) / 16
    expect(binomialHalfCdf(1, 4)).toBeCloseTo(5 / 16, 15)
    expect(binomialHalfCdf(4, 4)).toBe(1)
    expect(binomialHalfCdf(-1, 4)).toBe(0)
  })

  it('matches scipy end to end on the committed prediction files', async () => {
    const [cand, base] = await Promise.all(
      ref.files.files.map((f) => loadPredictions(path.join(fixtures, f))),
    )
    const r = compareModels(cand!, base!, { task: 'auto', seed: 0 })
    expect(r.task).toBe('classification')
    if (r.test !== 'mcnemar-exact') throw new Error('expected McNemar')
    expect([r.candidateOnly, r.baselineOnly, r.n]).toEqual([ref.files.b, ref.files.c, ref.files.n])
    expect(Math.abs(r.pValue - ref.files.pvalue) / ref.files.pvalue).toBeLessThan(1e-9)
  })
})

describe('paired bootstrap', () => {
  const truth = Array.from({ length: 300 }, (_, i) => Math.sin(i) * 10 + 0.5)
  const rand = seededRandom(7)
  const noise = (s: number) => truth.map((t) => t + (rand() - 0.5) * s)
  const good = noise(1)
  const bad = noise(4)

  it('is deterministic for a seed, and the seed matters', () => {
    const a = pairedBootstrap(truth, good, bad, { seed: 42 })
    const b = pairedBootstrap(truth, good, bad, { seed: 42 })
    expect(a).toEqual(b)
    const close = noise(1)
    const x = pairedBootstrap(truth, good, close, { seed: 1, samples: 500 })
    const y = pairedBootstrap(truth, good, close, { seed: 2, samples: 500 })
    expect(x.interval).not.toEqual(y.interval)
  })

  it('finds a clearly better model significant and identical models not', () => {
    const r = pairedBootstrap(truth, good, bad, { seed: 1 })
    expect(r.candidateMse).toBeLessThan(r.baselineMse)
    expect(r.pValue).toBeLessThan(0.01)
    expect(r.interval[1]).toBeLessThan(0)
    expect(pairedBootstrap(truth, good, good, { seed: 1 }).pValue).toBe(1)
  })

  it('runs on regression predictions detected from non-integer labels', () => {
    const csv = (preds: number[]) =>
      `label,prediction\n${truth.map((t, i) => `${t},${preds[i]}`).join('\n')}\n`
    const r = compareModels(parsePredictions(csv(good), 'c.csv'), parsePredictions(csv(bad), 'b.csv'), {
      task: 'auto',
      seed: 3,
    })
    expect(r.task).toBe('regression')
    expect(r.test).toBe('paired-bootstrap')
    expect(r.pValue).toBeLessThan(0.01)
  })
})

describe('prediction files', () => {
  it('reads JSON Lines and CSV with quotes', () => {
    const j = parsePredictions(
      '{"id": 1, "y_true": "a", "y_pred": "b"}\n{"id": 2, "y_true": "a", "y_pred": "a"}\n',
      'p.jsonl',
    )
    expect(j.rows.map((r) => [r.id, r.label, r.prediction])).toEqual([
      ['1', 'a', 'b'],
      ['2', 'a', 'a'],
    ])
    const c = parsePredictions('target,pred\n"x, y",x\n', 'p.csv')
    expect(c.rows[0]!.label).toBe('x, y')
  })

  it.each([
    ['no label column', 'foo,prediction\n1,1\n', /p\.csv:1: no label column/],
    ['no prediction column', 'label,foo\n1,1\n', /no prediction column/],
    ['ragged row', 'label,prediction\n1,1\n1\n', /p\.csv:3: expected 2 columns/],
    ['empty', '\n', /empty/],
    ['bad JSON line', '{"label": 1, "prediction": 1}\n{oops\n', /p\.csv:2: not valid JSON/],
  ])('names the file and line: %s', (_n, text, re) => {
    expect(() => parsePredictions(text, 'p.csv')).toThrow(re)
  })

  it('refuses files that are not the same test set', () => {
    const a = parsePredictions('label,prediction\n1,1\n0,0\n', 'a.csv')
    const b = parsePredictions('label,prediction\n1,1\n1,0\n', 'b.csv')
    const c = parsePredictions('label,prediction\n1,1\n', 'c.csv')
    expect(() => compareModels(a, b, { task: 'auto', seed: 0 })).toThrow(/a\.csv:3: true label '0' differs/)
    expect(() => compareModels(a, c, { task: 'auto', seed: 0 })).toThrow(ConfigError)
    const ia = parsePredictions('id,label,prediction\nx,1,1\n', 'ia.csv')
    const ib = parsePredictions('id,label,prediction\ny,1,1\n', 'ib.csv')
    expect(() => compareModels(ia, ib, { task: 'auto', seed: 0 })).toThrow(/example 'x' is not in ib\.csv/)
  })

  it('pairs rows by id regardless of order', () => {
    const a = parsePredictions('id,label,prediction\n1,a,a\n2,b,a\n', 'a.csv')
    const b = parsePredictions('id,label,prediction\n2,b,b\n1,a,b\n', 'b.csv')
    const r = compareModels(a, b, { task: 'classification', seed: 0 })
    if (r.test !== 'mcnemar-exact') throw new Error('expected McNemar')
    expect([r.candidateOnly, r.baselineOnly]).toEqual([1, 1])
  })

  it('says which value is not a number for a forced regression', () => {
    const a = parsePredictions('label,prediction\n1.5,cat\n', 'a.csv')
    expect(() => compareModels(a, a, { task: 'regression', seed: 0 })).toThrow(
      /a\.csv:2: prediction: 'cat' is not a number/,
    )
  })
})
