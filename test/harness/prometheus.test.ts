import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { openMetrics, requirePrometheus, series, startPrometheus, waitForSample } from './prometheus.js'

const query = async (url: string, q: string) => {
  const body = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
    data: { result: Array<{ value: [number, string] }> }
  }
  return body.data.result.map((r) => Number(r.value[1]))
}

describe('openMetrics', () => {
  it('writes sorted samples with timestamps in seconds and ends with # EOF', () => {
    const text = openMetrics([
      {
        name: 'm',
        samples: [
          { labels: { a: 'x"y' }, t: 2000, v: 2 },
          { labels: { a: 'x"y' }, t: 1000, v: 1 },
        ],
      },
      { name: 'c', type: 'counter', samples: [{ labels: {}, t: 1500, v: 7 }] },
    ])
    expect(text).toBe(
      '# TYPE m gauge\nm{a="x\\"y"} 1 1.000\nm{a="x\\"y"} 2 2.000\n# TYPE c counter\nc_total{} 7 1.500\n# EOF\n',
    )
  })
})

describe.skipIf(!requirePrometheus())('startPrometheus (real Prometheus)', () => {
  it('serves backfilled history at once, loads a later backfill, stops, starts and cleans up', async () => {
    const now = Date.now()
    const prom = await startPrometheus({
      history: openMetrics([
        { name: 'h', samples: series({ k: 'v' }, now - 3_600_000, now - 120_000, 60_000, () => 1) },
      ]),
    })
    try {
      expect(await query(prom.url, 'h')).toEqual([1])
      expect(await query(prom.url, 'count_over_time(h[2h])')).toEqual([59])
      await prom.backfill(
        openMetrics([{ name: 'h', samples: series({ k: 'v' }, now - 60_000, now - 1_000, 1_000, () => 2) }]),
      )
      expect(await waitForSample(prom.url, 'h')).toBe(2)
      await prom.stop()
      await expect(fetch(`${prom.url}/-/ready`)).rejects.toThrow()
      await prom.start()
      expect(await query(prom.url, 'h')).toEqual([2])
    } finally {
      await prom.close()
    }
    expect(existsSync(prom.dir)).toBe(false)
  })
})
