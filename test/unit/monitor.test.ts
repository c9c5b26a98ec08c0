import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseYaml } from '../../shared/config/load.js'
import { monitorRule } from '../../shared/config/mlops-config.js'
import { ConfigError } from '../../shared/errors.js'
import { LocalForge } from '../../shared/forge/local-forge.js'
import { type Evaluation, evaluateRules, heldFor, type MonitorRule } from '../../shared/monitor/evaluate.js'
import {
  dispatchInputs,
  fingerprint,
  type MonitorPolicy,
  readState,
  reconcile,
  stateMarker,
} from '../../shared/monitor/issues.js'
import { mermaidChart } from '../../shared/monitor/render.js'
import { parseDispatchInputs, resolveMonitor, runMonitor } from '../../shared/monitor/run.js'
import type { PrometheusApi, QueryResult, Series } from '../../shared/prometheus/client.js'
import { silentLogger } from '../../shared/util/logger.js'

const MIN = 60_000
const HOUR = 60 * MIN

const rule = (r: Record<string, unknown>): MonitorRule =>
  monitorRule.parse({ name: 'drift', query: 'q', ...r })

/** A fake Prometheus: `values(labels…)` per query as a function of time. */
function fakeProm(
  seriesAt: (t: number) => Array<{ labels: Partial<Record<string, string>>; v: number | undefined }>,
) {
  const calls: string[] = []
  const api: PrometheusApi = {
    url: 'http://prom:9090',
    async query(q, time) {
      calls.push(`query ${q}`)
      const t = time!.getTime()
      return {
        resultType: 'vector',
        warnings: [],
        series: seriesAt(t)
          .filter((s) => s.v !== undefined)
          .map((s) => ({ labels: s.labels as Record<string, string>, points: [[t, s.v!]] })),
      } satisfies QueryResult
    },
    async queryRange(q, r) {
      calls.push(`range ${q}`)
      const by = new Map<string, Series & { points: Array<[number, number]> }>()
      for (let t = r.start.getTime(); t <= r.end.getTime(); t += r.stepMs) {
        for (const s of seriesAt(t)) {
          if (s.v === undefined) continue
          const k = JSON.stringify(s.labels)
          if (!by.has(k)) by.set(k, { labels: s.labels as Record<string, string>, points: [] })
          by.get(k)!.points.push([t, s.v])
        }
      }
      return { resultType: 'matrix', warnings: [], series: [...by.values()] }
    },
  }
  return { api, calls }
}

const NOW = Date.parse('2026-11-22T12:00:00Z')

describe('rule schema', () => {
  it('needs exactly one of above, below, outside', () => {
    expect(() => parseYaml('name: a\nquery: q\n', 'rules.yaml', monitorRule)).toThrow(
      /exactly one of 'above'/,
    )
    expect(() => parseYaml('name: a\nquery: q\nabove: 1\nbelow: 0\n', 'rules.yaml', monitorRule)).toThrow(
      /exactly one/,
    )
  })

  it('names line and key of a typo', () => {
    try {
      parseYaml('name: a\nquery: q\nabvoe: 1\n', 'rules.yaml', monitorRule)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      expect((e as ConfigError).location.line).toBe(3)
      expect((e as ConfigError).message).toContain("did you mean 'above'")
    }
  })
})

describe('evaluateRules', () => {
  const opts = { now: () => new Date(NOW), windowMs: HOUR }

  it.each([
    ['above', { above: 0.2 }, 0.5, 'breached'],
    ['above, equal is not a breach', { above: 0.5 }, 0.5, 'ok'],
    ['below', { below: 0.8 }, 0.7, 'breached'],
    ['outside (low)', { outside: [1, 2] }, 0.5, 'breached'],
    ['outside (inside)', { outside: [1, 2] }, 1.5, 'ok'],
  ])('%s', async (_n, cond, v, status) => {
    const { api } = fakeProm(() => [{ labels: { model: 'churn' }, v }])
    const [e] = await evaluateRules([rule(cond)], api, opts)
    expect(e).toMatchObject({ status, model: 'churn', value: v })
  })

  it('groups series by their model label, falling back to the configured model', async () => {
    const { api } = fakeProm(() => [
      { labels: { model: 'a' }, v: 5 },
      { labels: { model: 'b' }, v: 1 },
      { labels: { instance: 'x' }, v: 9 },
    ])
    const es = await evaluateRules([rule({ above: 2 })], api, { ...opts, model: 'fallback' })
    expect(es.map((e) => [e.model, e.status, e.value])).toEqual([
      ['a', 'breached', 5],
      ['b', 'ok', 1],
      ['fallback', 'breached', 9],
    ])
  })

  it('no data: ignored by default, fires with on_no_data: alert; NaN counts as no data', async () => {
    const { api } = fakeProm(() => [{ labels: { model: 'churn' }, v: Number.NaN }])
    const [ignored] = await evaluateRules([rule({ above: 1 })], api, opts)
    expect(ignored).toMatchObject({ status: 'no-data', firing: false, model: 'default' })
    const [alert] = await evaluateRules([rule({ above: 1, on_no_data: 'alert' })], api, opts)
    expect(alert).toMatchObject({ status: 'no-data', firing: true })
  })

  it('for: fires only when the condition held over the whole window', async () => {
    // Above 300 for the last 20 minutes only.
    const { api } = fakeProm((t) => [{ labels: { model: 'm' }, v: t > NOW - 20 * MIN ? 900 : 100 }])
    const es = await evaluateRules(
      [rule({ name: 'l1h', above: 300, for: '1h' }), rule({ name: 'l10m', above: 300, for: '10m' })],
      api,
      opts,
    )
    expect(es.map((e) => [e.rule.name, e.status])).toEqual([
      ['l1h', 'ok'],
      ['l10m', 'breached'],
    ])
  })

  it('for: a gap in the series means it did not hold', () => {
    const r = rule({ above: 1, for: '10m' })
    const full: Series = { labels: {}, points: Array.from({ length: 11 }, (_, i) => [i * MIN, 5] as const) }
    expect(heldFor(r, full, 0, 10 * MIN, MIN)).toBe(true)
    const gap: Series = { labels: {}, points: full.points.filter((_, i) => i !== 4) }
    expect(heldFor(r, gap, 0, 10 * MIN, MIN)).toBe(false)
  })

  it('passes on the warnings Prometheus attached', async () => {
    const api: PrometheusApi = {
      url: 'x',
      query: async () => ({
        resultType: 'vector',
        series: [{ labels: {}, points: [[NOW, 1]] }],
        warnings: ['partial response'],
      }),
      queryRange: async () => ({ resultType: 'matrix', series: [], warnings: ['partial response'] }),
    }
    const [e] = await evaluateRules([rule({ above: 5 })], api, opts)
    expect(e!.warnings).toEqual(['partial response'])
  })

  it('names the rule when its query fails', async () => {
    const api: PrometheusApi = {
      url: 'x',
      query: async () => {
        throw new Error('boom')
      },
      queryRange: async () => ({ resultType: 'matrix', series: [], warnings: [] }),
    }
    await expect(evaluateRules([rule({ above: 1 })], api, opts)).rejects.toThrow("Rule 'drift': boom")
  })
})

describe('issue state marker', () => {
  it('round-trips, and never contains "--" (which would end the HTML comment)', () => {
    const s = {
      fingerprint: 'abc',
      rule: 'a--b',
      model: 'm',
      lastDispatchAt: '2026-11-22T12:00:00.000Z',
      lastValue: '-0.5',
    }
    const m = stateMarker(s)
    expect(m.slice(4, -3)).not.toContain('--')
    expect(readState(`body\n${m}\n`)).toEqual(s)
  })

  it('fingerprints rule and model', () => {
    expect(fingerprint('drift', 'churn')).toMatch(/^[0-9a-f]{16}$/)
    expect(fingerprint('drift', 'churn')).not.toBe(fingerprint('drift', 'fraud'))
  })

  it('fills dispatch input templates', () => {
    const e = { rule: rule({ above: 1 }), model: 'churn', value: 2.5 } as Evaluation
    expect(
      dispatchInputs(
        { workflow: 'w', ref: 'main', inputs: { r: '{{rule}}/{{ model }}#{{issue}}={{value}}' } },
        e,
        7,
      ),
    ).toEqual({ r: 'drift/churn#7=2.5' })
  })
})

describe('reconcile (local forge, fake clock)', async () => {
  const policy = (p: Partial<MonitorPolicy> = {}): MonitorPolicy => ({
    labels: ['mlops-monitor'],
    commentIntervalMs: HOUR,
    cooldownMs: 6 * HOUR,
    closeResolved: true,
    dispatch: { workflow: 'retrain.yml', ref: 'main', inputs: { reason: '{{rule}}' } },
    prometheusUrl: 'http://prom:9090',
    windowMs: HOUR,
    window: '1h',
    ...p,
  })

  async function setup() {
    const dir = await mkdtemp(path.join(tmpdir(), 'monitor-forge-'))
    const forge = new LocalForge(dir)
    let now = NOW
    let value = 0.5
    const { api } = fakeProm(() => [{ labels: { model: 'churn' }, v: value }])
    const rules = [rule({ above: 0.2, action: 'retrain', labels: ['retrain'] })]
    const once = (p = policy()) =>
      runMonitor({
        rules,
        prometheus: api,
        forge: async () => forge,
        policy: p,
        now: () => new Date(now),
        log: silentLogger,
      })
    const state = async () =>
      JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as {
        issues: Array<{ number: number; state: string; body: string; labels: string[] }>
        comments: Array<{ issueNumber: number; body: string }>
        dispatches: Array<{ inputs: Record<string, string> }>
      }
    return {
      forge,
      once,
      state,
      advance: (ms: number) => (now += ms),
      set: (v: number) => (value = v),
    }
  }

  it('opens once, comments per interval, dispatches per cooldown, closes and reopens', async () => {
    const t = await setup()
    const r1 = await t.once()
    expect(r1.outcomes[0]).toMatchObject({ action: 'opened', dispatched: true, number: 1 })
    let s = await t.state()
    expect(s.issues).toHaveLength(1)
    expect(s.issues[0]!.labels).toEqual(['mlops-monitor', 'retrain'])
    expect(s.dispatches).toEqual([expect.objectContaining({ inputs: { reason: 'drift' } })])

    t.advance(10 * MIN) // within both intervals
    expect((await t.once()).outcomes[0]).toMatchObject({ action: 'unchanged', dispatched: false })
    expect((await t.state()).comments).toHaveLength(0)

    t.advance(HOUR) // comment due, cooldown not
    expect((await t.once()).outcomes[0]).toMatchObject({ action: 'commented', dispatched: false })
    s = await t.state()
    expect(s.comments.map((c) => c.body)).toEqual([expect.stringContaining('Still breached: **0.5**')])

    t.advance(6 * HOUR) // cooldown over
    expect((await t.once()).outcomes[0]).toMatchObject({ action: 'commented', dispatched: true })
    expect((await t.state()).dispatches).toHaveLength(2)

    t.set(0.1)
    expect((await t.once()).outcomes[0]).toMatchObject({ action: 'closed', number: 1 })
    expect((await t.state()).issues[0]!.state).toBe('closed')
    // Recovered and closed: nothing more happens.
    expect((await t.once()).outcomes[0]).toMatchObject({ action: 'none' })

    t.set(0.9)
    t.advance(MIN)
    expect((await t.once()).outcomes[0]).toMatchObject({ action: 'reopened', number: 1, dispatched: false })
    s = await t.state()
    expect(s.issues).toHaveLength(1)
    expect(s.issues[0]!.state).toBe('open')
    expect(s.comments.at(-1)!.body).toContain('Breached again: **0.9**')
  })

  it('without close-resolved leaves the issue open on recovery', async () => {
    const t = await setup()
    await t.once()
    t.set(0.1)
    expect((await t.once(policy({ closeResolved: false }))).outcomes[0]).toMatchObject({
      action: 'unchanged',
    })
    const issue = (await t.state()).issues[0]!
    expect(issue.state).toBe('open')
    expect(readState(issue.body).breachedSince).toBeUndefined()
    expect(issue.body).toContain('Recovered: **0.1** is no longer above 0.2')

    // Breaching again on the still-open issue is a new breach: one comment at once, whatever the interval.
    t.set(0.9)
    t.advance(MIN)
    expect((await t.once(policy({ closeResolved: false }))).outcomes[0]).toMatchObject({
      action: 'commented',
    })
    const after = await t.state()
    expect(after.comments.at(-1)!.body).toMatch(/^Breached again: \*\*0.9\*\* .*\)\.$/)
    expect(readState(after.issues[0]!.body).breachedSince).toBeDefined()
  })

  it('an issue closed by hand while still breached stays closed until the rule recovers and breaches again', async () => {
    const t = await setup()
    await t.once()
    await t.forge.updateIssue(1, { state: 'closed' })
    t.advance(7 * HOUR) // past comment interval and cooldown
    expect((await t.once()).outcomes[0]).toMatchObject({ action: 'none', dispatched: false })
    let s = await t.state()
    expect(s.issues[0]!.state).toBe('closed')
    expect(s.dispatches).toHaveLength(1)

    t.set(0.1)
    await t.once(policy({ closeResolved: false }))
    t.set(0.9)
    expect((await t.once()).outcomes[0]).toMatchObject({ action: 'reopened', dispatched: true })
    s = await t.state()
    expect(s.issues).toHaveLength(1)
    expect(s.issues[0]!.state).toBe('open')
  })

  it('dry run decides but writes nothing', async () => {
    const t = await setup()
    const r = await t.once(policy({ dryRun: true }))
    expect(r.outcomes[0]).toMatchObject({ action: 'opened', dispatched: false })
    await expect(t.state()).rejects.toThrow(/ENOENT/)
  })

  it('a failed dispatch leaves the cooldown unspent, so the next run tries again', async () => {
    const t = await setup()
    const failing = Object.create(t.forge) as LocalForge
    failing.dispatchWorkflow = async () => {
      throw new Error('403 actions: write')
    }
    const e = { rule: rule({ above: 0.2, action: 'retrain' }), model: 'churn' }
    const evaluation = {
      ...e,
      status: 'breached',
      firing: true,
      value: 0.5,
      labels: {},
      condition: 'above 0.2',
      at: new Date(NOW),
    } as Evaluation
    await expect(
      reconcile([evaluation], failing, policy(), () => new Date(NOW), silentLogger),
    ).rejects.toThrow('403')
    const issue = (await t.state()).issues[0]!
    expect(readState(issue.body).lastDispatchAt).toBeUndefined()
    const again = await reconcile([evaluation], t.forge, policy(), () => new Date(NOW + MIN), silentLogger)
    expect(again[0]).toMatchObject({ action: 'unchanged', dispatched: true })
  })
})

describe('resolveMonitor', () => {
  const base = { labels: [], closeResolved: false, dryRun: false }
  it('inputs override the config; defaults fill the rest', async () => {
    const config = {
      model: { name: 'churn', flavor: 'custom' as const },
      monitor: {
        prometheus_url: 'http://cfg:9090',
        rules: [rule({ above: 1 })],
        cooldown: '2h',
        close_resolved: true,
        dispatch_workflow: 'retrain.yml',
        dispatch_inputs: { n: 1 },
      },
    }
    const m = await resolveMonitor({ ...base, prometheusUrl: 'http://in:9090' }, config, {
      GITHUB_REF_NAME: 'dev',
    })
    expect(m.prometheusUrl).toBe('http://in:9090')
    expect(m.model).toBe('churn')
    expect(m.policy).toMatchObject({
      labels: ['mlops-monitor'],
      cooldownMs: 2 * HOUR,
      commentIntervalMs: 24 * HOUR,
      closeResolved: true,
      dispatch: { workflow: 'retrain.yml', ref: 'dev', inputs: { n: '1' } },
      window: '6h',
    })
  })

  it('parses inline rules and refuses duplicates and an empty set', async () => {
    const m = await resolveMonitor(
      { ...base, prometheusUrl: 'http://p', rules: '- name: a\n  query: up\n  below: 1\n' },
      {},
    )
    expect(m.rules.map((r) => r.name)).toEqual(['a'])
    await expect(
      resolveMonitor(
        {
          ...base,
          prometheusUrl: 'http://p',
          rules: '- {name: a, query: up, below: 1}\n- {name: a, query: x, above: 1}\n',
        },
        {},
      ),
    ).rejects.toThrow(/two rules named 'a'/)
    await expect(resolveMonitor({ ...base, prometheusUrl: 'http://p' }, {})).rejects.toThrow(
      /no monitor.rules/,
    )
    await expect(
      resolveMonitor({ ...base, rules: '- {name: a, query: up, below: 1}\n' }, {}),
    ).rejects.toThrow(/prometheus-url/)
  })

  it('dispatch inputs: JSON or YAML objects of scalars', () => {
    expect(parseDispatchInputs('{"a": 1, "b": "x"}')).toEqual({ a: '1', b: 'x' })
    expect(parseDispatchInputs('a: true\n')).toEqual({ a: 'true' })
    expect(() => parseDispatchInputs('[1]')).toThrow(/must be an object/)
    expect(() => parseDispatchInputs('{"a": {"b": 1}}')).toThrow(/input 'a'/)
  })
})

describe('mermaidChart', () => {
  it('draws at most 30 points and the threshold line', () => {
    const e = { rule: rule({ above: 2 }) } as Evaluation
    const s: Series = {
      labels: {},
      points: Array.from({ length: 61 }, (_, i) => [NOW + i * MIN, i] as const),
    }
    const chart = mermaidChart(e, s, '1h')
    expect(chart).toMatch(/^```mermaid\nxychart-beta\n/)
    const lines = chart.split('\n').filter((l) => l.trim().startsWith('line ['))
    expect(lines).toHaveLength(2)
    expect(lines[0]!.split(',')).toHaveLength(30)
    expect(lines[1]).toMatch(/^ {2}line \[2, 2,/)
    expect(mermaidChart(e, undefined, '1h')).toContain('No data')
  })
})
