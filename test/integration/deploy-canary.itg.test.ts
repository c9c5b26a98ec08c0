import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kubeconfigFor, startKubeStandIn } from '../harness/kube-stand-in.js'
import { type NginxInstance, requireNginx, startNginx } from '../harness/nginx.js'
import {
  freePort,
  type PrometheusInstance,
  requirePrometheus,
  startPrometheus,
  waitForSample,
} from '../harness/prometheus.js'
import { runAction } from '../harness/run-action.js'

// Objects read back from the stand-in are checked field by field; their full types add nothing here.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Loose = any

/**
 * deploy-canary end to end: the committed bundle drives a real nginx that splits real HTTP traffic between
 * two real model servers (small Node servers exporting the model server's Prometheus metrics), a real
 * Prometheus scrapes both, and the analysis reads it. Every scenario has its own model name, so they share
 * one Prometheus without seeing each other's series.
 */

// ---- model servers ------------------------------------------------------------------------------------

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]

interface ModelServer {
  readonly address: string
  readonly variant: string
  close(): Promise<void>
}

/**
 * A model server: answers `/predict` with its variant; every `failEvery`-th request gets a 500. With
 * `imageStyle` it exports metrics as build-docker-image's generated server does: an `mlops_` prefix, a
 * `path` label, and its own `/metrics` scrapes counted as requests.
 */
async function startModelServer(o: {
  model: string
  version: string
  variant: 'stable' | 'canary'
  failEvery?: number
  imageStyle?: boolean
}): Promise<ModelServer> {
  const counts = new Map<string, number>()
  const buckets = BUCKETS.map(() => 0)
  let n = 0
  let sum = 0
  let errors = 0
  let scrapes = 0
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      const base = `model="${o.model}",version="${o.version}",variant="${o.variant}"`
      const l = o.imageStyle ? `${base},path="/predict"` : base
      const lines = [
        '# TYPE model_requests_total counter',
        ...[...counts].map(([code, c]) => `model_requests_total{${l},code="${code}"} ${c}`),
        '# TYPE model_request_errors_total counter',
        `model_request_errors_total{${l}} ${errors}`,
        '# TYPE model_predictions_total counter',
        `model_predictions_total{${l}} ${n - errors}`,
        '# TYPE model_request_duration_seconds histogram',
        ...BUCKETS.map((b, i) => `model_request_duration_seconds_bucket{${l},le="${b}"} ${buckets[i]}`),
        `model_request_duration_seconds_bucket{${l},le="+Inf"} ${n}`,
        `model_request_duration_seconds_sum{${l}} ${sum}`,
        `model_request_duration_seconds_count{${l}} ${n}`,
        '',
      ]
      if (o.imageStyle) {
        scrapes++
        lines.push(`model_requests_total{${base},path="/metrics",code="200"} ${scrapes}`, '')
      }
      const text = lines.join('\n')
      res
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        .end(o.imageStyle ? text.replace(/^(# TYPE )?model_/gm, '$1mlops_model_') : text)
      return
    }
    const started = process.hrtime.bigint()
    n++
    const fail = !!o.failEvery && n % o.failEvery === 0
    const code = fail ? 500 : 200
    if (fail) errors++
    counts.set(String(code), (counts.get(String(code)) ?? 0) + 1)
    const secs = Number(process.hrtime.bigint() - started) / 1e9
    sum += secs
    BUCKETS.forEach((b, i) => {
      if (secs <= b) buckets[i]!++
    })
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify({ variant: o.variant }))
  })
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return {
    address: `127.0.0.1:${port}`,
    variant: o.variant,
    close: () => new Promise((r) => server.close(() => r())),
  }
}

/** Sends requests through nginx (loopback only, a few at a time, bounded) until stopped. */
function startTraffic(url: string, opts: { concurrency?: number; max?: number } = {}) {
  let stopped = false
  let sent = 0
  const max = opts.max ?? 50_000
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency ?? 4 })
  const worker = async () => {
    while (!stopped && sent < max) {
      sent++
      await new Promise<void>((resolve) => {
        http
          .get(`${url}/predict`, { agent }, (res) => {
            res.resume()
            res.on('end', resolve)
          })
          .on('error', () => resolve())
      })
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  const workers = Array.from({ length: opts.concurrency ?? 4 }, worker)
  return {
    async stop() {
      stopped = true
      await Promise.all(workers)
      agent.destroy()
      return sent
    },
  }
}

/** Sends `n` requests through nginx, one at a time, and counts who answered. */
async function split(url: string, n = 40): Promise<Record<string, number>> {
  const seen: Record<string, number> = {}
  for (let i = 0; i < n; i++) {
    // A new connection per request, as a fresh client would open.
    const body = await new Promise<{ variant: string }>((resolve, reject) => {
      http
        .get(`${url}/predict`, { agent: false, timeout: 10_000 }, (res) => {
          let text = ''
          res.on('data', (d) => (text += d))
          res.on('end', () => resolve(JSON.parse(text) as { variant: string }))
        })
        .on('timeout', function (this: http.ClientRequest) {
          this.destroy(new Error(`no answer from ${url} within 10 s`))
        })
        .on('error', reject)
    })
    seen[body.variant] = (seen[body.variant] ?? 0) + 1
  }
  return seen
}

// ---- scenarios -------------------------------------------------------------------------------------------

const haveNginx = requireNginx()
const havePrometheus = requirePrometheus()

interface Scenario {
  readonly model: string
  readonly stable: ModelServer
  readonly canary: ModelServer
  nginx?: NginxInstance
}

describe.skipIf(!haveNginx || !havePrometheus)(
  'deploy-canary with real nginx, model servers and Prometheus',
  () => {
    const scenarios: Record<string, Scenario> = {}
    let prometheus: PrometheusInstance
    const closers: Array<() => Promise<void>> = []

    async function scenario(key: string, canaryFailEvery?: number, imageStyle?: boolean): Promise<void> {
      const model = `churn-${key}`
      const stable = await startModelServer({ model, version: '1', variant: 'stable', imageStyle })
      const canary = await startModelServer({
        model,
        version: '2',
        variant: 'canary',
        failEvery: canaryFailEvery,
        imageStyle,
      })
      closers.push(stable.close, canary.close)
      scenarios[key] = { model, stable, canary }
    }

    beforeAll(async () => {
      await scenario('healthy', undefined, true) // metrics named as build-docker-image's server names them
      await scenario('failing', 10, true) // 10 % of the canary's requests answer 500
      await scenario('quiet')
      await scenario('flaky-prometheus')
      await scenario('killed')
      await scenario('kube')
      const targets = Object.values(scenarios).flatMap((s) => [s.stable.address, s.canary.address])
      prometheus = await startPrometheus({ scrapeTargets: targets, scrapeInterval: '1s' })
      closers.push(prometheus.close)
      for (const s of Object.values(scenarios)) {
        if (s.model === 'churn-kube') continue
        s.nginx = await startNginx({ initialServer: s.stable.address })
        closers.push(s.nginx.close)
      }
      // The first live scrape takes ~5.5 s in Prometheus 2.42: wait until the targets are scraped.
      await waitForSample(prometheus.url, 'count(up == 1)', 30_000)
      await waitForSample(prometheus.url, `up{instance="${scenarios.killed!.canary.address}"} == 1`, 30_000)
    }, 90_000)

    afterAll(async () => {
      for (const c of closers.reverse()) await c().catch(() => {})
    })

    const inputsFor = (s: Scenario, extra: Record<string, string> = {}) => ({
      provider: 'nginx',
      model: s.model,
      version: '2',
      'prometheus-url': prometheus.url,
      'nginx-upstream-file': s.nginx!.upstreamFile,
      'nginx-config': s.nginx!.configFile,
      'nginx-args': s.nginx!.extraArgs.join(' '),
      'stable-servers': s.stable.address,
      'canary-servers': s.canary.address,
      interval: '3s',
      ...extra,
    })

    const workdir = () => mkdtemp(path.join(tmpdir(), 'canary-work-'))

    it('promotes a healthy canary through every step to 100 %', async () => {
      const s = scenarios.healthy!
      const traffic = startTraffic(s.nginx!.url)
      const cwd = await workdir()
      const r = await runAction('deploy-canary', {
        inputs: inputsFor(s, { steps: '20,50,100' }),
        cwd,
      }).finally(() => traffic.stop())
      expect(r.exitCode, r.stdout + r.stderr).toBe(0)
      expect(r.outputs.result).toBe('promoted')
      expect(r.outputs['final-weight']).toBe('100')
      const analysis = JSON.parse(r.outputs.analysis!) as Array<{
        step: number
        weight: number
        check: string
        verdict: string
        value: number
      }>
      expect([...new Set(analysis.map((m) => m.weight))]).toEqual([20, 50, 100])
      // (A first look may find no sample yet and wait an interval; nothing ever fails.)
      expect(analysis.filter((m) => m.verdict === 'fail' || m.verdict === 'error')).toEqual([])
      const rate = analysis.find((m) => m.check === 'request-success-rate' && m.value !== null)!
      expect(rate.value).toBe(100)
      expect(Number(r.outputs['duration-seconds'])).toBeGreaterThan(0)
      // The summary: the table and the chart.
      expect(r.summary).toContain('deploy-canary: churn-healthy 2 promoted')
      expect(r.summary).toContain('```mermaid\nxychart-beta')
      expect(r.summary).toMatch(/\| 3 \| 100 % \| 1 \| request-duration-p99 \|/)
      // Real traffic now goes to the canary only.
      expect(await split(s.nginx!.url)).toEqual({ canary: 40 })
      expect(await readFile(s.nginx!.upstreamFile, 'utf8')).toContain('"phase":"promoted"')
      // The run record.
      const records = await readdir(path.join(cwd, '.mlops/records'))
      const rec = JSON.parse(await readFile(path.join(cwd, '.mlops/records', records[0]!), 'utf8'))
      expect(rec).toMatchObject({
        kind: 'deploy-canary',
        status: 'passed',
        model: { name: 'churn-healthy', version: '2' },
      })
      expect(rec.result.analysis).toHaveLength(analysis.length)
    }, 90_000)

    it('rolls back a canary answering 10 % errors at the first analysed step; stable then serves 100 %', async () => {
      const s = scenarios.failing!
      const traffic = startTraffic(s.nginx!.url)
      const r = await runAction('deploy-canary', {
        inputs: inputsFor(s, { steps: '30,60,100' }),
        cwd: await workdir(),
      }).finally(() => traffic.stop())
      expect(r.exitCode).toBe(1)
      expect(r.outputs.result).toBe('rolled-back')
      expect(r.outputs['final-weight']).toBe('0')
      const analysis = JSON.parse(r.outputs.analysis!) as Array<{
        step: number
        check: string
        verdict: string
        value: number
      }>
      expect(new Set(analysis.map((m) => m.step))).toEqual(new Set([1]))
      const rate = analysis.find((m) => m.check === 'request-success-rate' && m.verdict === 'fail')!
      expect(rate.verdict).toBe('fail')
      expect(rate.value).toBeLessThan(99)
      expect(r.errors.join('\n')).toMatch(
        /Canary rolled back at 30 %: step 1 \(30 %\).*request-success-rate: .* is below 99%/,
      )
      expect(await split(s.nginx!.url)).toEqual({ stable: 40 })
      expect(r.summary).toContain('rolled-back')
    }, 90_000)

    describe('a canary that receives no traffic follows on-no-data', () => {
      it('wait (default): waits up to max-wait, then fails and rolls back', async () => {
        const s = scenarios.quiet!
        const r = await runAction('deploy-canary', {
          inputs: inputsFor(s, { steps: '50', 'max-wait': '3s' }),
          cwd: await workdir(),
        })
        expect(r.exitCode).toBe(1)
        expect(r.outputs.result).toBe('rolled-back')
        const analysis = JSON.parse(r.outputs.analysis!) as Array<{ attempt: number; verdict: string }>
        expect(analysis.every((m) => m.verdict === 'no-data')).toBe(true)
        expect(Math.max(...analysis.map((m) => m.attempt))).toBe(2)
        expect(r.errors.join('\n')).toMatch(/no data after waiting 3 s \(max-wait\)/)
        expect(await split(s.nginx!.url, 10)).toEqual({ stable: 10 })
      }, 60_000)

      it('fail: fails at the first analysis', async () => {
        const s = scenarios.quiet!
        const r = await runAction('deploy-canary', {
          inputs: inputsFor(s, { steps: '50', 'on-no-data': 'fail', 'fail-on-rollback': 'false' }),
          cwd: await workdir(),
        })
        expect(r.exitCode).toBe(0)
        expect(r.outputs.result).toBe('rolled-back')
        expect(
          r.annotations.some((a) => a.level === 'warning' && /on-no-data is 'fail'/.test(a.message)),
        ).toBe(true)
      }, 60_000)

      it('pass: promotes, warning that nothing was measured', async () => {
        const s = scenarios.quiet!
        const r = await runAction('deploy-canary', {
          inputs: inputsFor(s, { steps: '50', 'on-no-data': 'pass' }),
          cwd: await workdir(),
        })
        expect(r.exitCode).toBe(0)
        expect(r.outputs.result).toBe('promoted')
        expect(
          r.annotations.filter(
            (a) => a.level === 'warning' && /no data, passed because on-no-data is 'pass'/.test(a.message),
          ),
        ).toHaveLength(1)
        expect(await split(s.nginx!.url, 10)).toEqual({ canary: 10 })
      }, 60_000)
    })

    it('Prometheus unreachable before the rollout: fails clearly and moves no traffic', async () => {
      const s = scenarios['flaky-prometheus']!
      const before = await readFile(s.nginx!.upstreamFile, 'utf8')
      const r = await runAction('deploy-canary', {
        inputs: inputsFor(s, { 'prometheus-url': `http://127.0.0.1:${await freePort()}` }),
        cwd: await workdir(),
      })
      expect(r.exitCode).toBe(1)
      expect(r.outputs.result).toBe('aborted')
      expect(r.errors[0]).toMatch(
        /did not answer check 'request-success-rate' .*ECONNREFUSED.*no traffic was moved/,
      )
      expect(await readFile(s.nginx!.upstreamFile, 'utf8')).toBe(before)
    }, 60_000)

    it('Prometheus failing mid-rollout counts as a failed check: rolled back, stable serves 100 %', async () => {
      const s = scenarios['flaky-prometheus']!
      // A proxy in front of Prometheus that answers the pre-flight and the first step, then only 503s.
      let calls = 0
      const proxy = http.createServer((req, res) => {
        calls++
        if (calls > 4) {
          res.writeHead(503).end('overloaded')
          req.resume()
          return
        }
        const up = http.request(
          `${prometheus.url}${req.url}`,
          { method: req.method, headers: req.headers },
          (p) => {
            res.writeHead(p.statusCode ?? 502, p.headers)
            p.pipe(res)
          },
        )
        req.pipe(up)
      })
      const port = await freePort()
      await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r))
      const traffic = startTraffic(s.nginx!.url)
      const r = await runAction('deploy-canary', {
        inputs: inputsFor(s, { steps: '20,50,100', 'prometheus-url': `http://127.0.0.1:${port}` }),
        cwd: await workdir(),
      }).finally(async () => {
        await traffic.stop()
        await new Promise((r) => proxy.close(r))
      })
      expect(r.exitCode).toBe(1)
      expect(r.outputs.result).toBe('rolled-back')
      const analysis = JSON.parse(r.outputs.analysis!) as Array<{
        step: number
        verdict: string
        message?: string
      }>
      expect(analysis.filter((m) => m.verdict === 'fail')).toEqual([])
      const errors = analysis.filter((m) => m.verdict === 'error')
      expect(errors.length).toBeGreaterThan(0)
      expect(errors[0]!.message).toMatch(/query failed: Prometheus at .* failed \(503: overloaded\)/)
      expect(r.errors[0]).toMatch(/Canary rolled back at \d+ %: .*503/)
      expect(await split(s.nginx!.url)).toEqual({ stable: 40 })
    }, 90_000)

    it('the post step returns traffic to stable when the main step was killed mid-rollout', async () => {
      const s = scenarios.killed!
      const inputs = inputsFor(s, { steps: '50,100', interval: '10m' })
      const cwd = await workdir()
      // The main step sets 50 % and then waits 10 minutes: the runner dies (SIGKILL) while it waits.
      const main = await runAction('deploy-canary', { inputs, cwd, timeoutMs: 8_000 })
      expect(main.exitCode).toBeNull() // killed
      expect(main.state).toMatchObject({ 'canary-phase': 'progressing', 'canary-weight': '50' })
      expect(await split(s.nginx!.url, 20)).toEqual({ stable: 10, canary: 10 })

      const post = await runAction('deploy-canary', { inputs, cwd, post: { state: main.state } })
      expect(post.exitCode).toBe(0)
      expect(post.annotations.find((a) => a.level === 'warning')?.message).toMatch(
        /rollout stopped with the canary at 50 %.*returning all traffic to stable/,
      )
      expect(post.state['canary-phase']).toBe('rolled-back')
      expect(await split(s.nginx!.url)).toEqual({ stable: 40 })

      // A post step after a finished rollout does nothing.
      const again = await runAction('deploy-canary', {
        inputs,
        cwd,
        post: { state: { ...main.state, ...post.state } },
      })
      expect(again.exitCode).toBe(0)
      expect(again.stdout).toContain('Nothing to clean up')
    }, 60_000)

    it('command provider: a weight the backend refuses rolls back; a failed rollback says so and the post step retries', async () => {
      const cwd = await workdir()
      const log = path.join(cwd, 'lb.log')
      const r = await runAction('deploy-canary', {
        inputs: {
          provider: 'command',
          model: scenarios.quiet!.model,
          'prometheus-url': prometheus.url,
          steps: '20,50',
          interval: '1s',
          'on-no-data': 'pass',
          'set-weight-command': `echo "set {weight}" >> ${log}; if [ {weight} = 50 ]; then echo "lb: 50 refused" >&2; exit 3; fi`,
          'rollback-command': `echo rollback >> ${log}; echo "lb: unreachable" >&2; exit 1`,
        },
        cwd,
      })
      expect(r.exitCode).toBe(1)
      expect(r.outputs.result).toBe('failed')
      expect(r.errors[0]).toMatch(
        /Rollback failed after: the command provider failed to set the canary to 50 %: the set-weight command failed with exit code 3 .*lb: 50 refused.*could not return traffic to stable .*lb: unreachable/s,
      )
      expect(r.state['canary-phase']).toBe('progressing')
      const post = await runAction('deploy-canary', {
        inputs: {
          provider: 'command',
          model: scenarios.quiet!.model,
          'prometheus-url': prometheus.url,
          'set-weight-command': 'true',
          'rollback-command': `echo rollback >> ${log}`,
        },
        cwd,
        post: { state: r.state },
      })
      expect(post.exitCode).toBe(0)
      expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual([
        'set 20',
        'set 50',
        'rollback',
        'rollback',
      ])
    }, 60_000)

    it('kubernetes provider: the bundle applies validated objects to a stand-in API server and promotes', async () => {
      const s = scenarios.kube!
      const api = await startKubeStandIn()
      closers.push(api.close)
      api.put({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'churn-kube', namespace: 'ml' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'churn-kube' } },
          template: {
            metadata: { labels: { app: 'churn-kube' } },
            spec: { containers: [{ name: 'server', image: 'churn:1' }] },
          },
        },
      })
      const cwd = await workdir()
      const kubeconfig = path.join(cwd, 'kubeconfig')
      await writeFile(kubeconfig, kubeconfigFor(api, 'ml'))
      // No cluster routes traffic here: the load goes to both model servers directly, the API calls to the stand-in.
      const load = [
        startTraffic(`http://${s.stable.address}`),
        startTraffic(`http://${s.canary.address}`, { concurrency: 1 }),
      ]
      const r = await runAction('deploy-canary', {
        inputs: {
          provider: 'kubernetes',
          model: s.model,
          version: '2',
          image: 'churn:2',
          namespace: 'ml',
          gateway: 'public',
          hostnames: 'churn.example.com',
          kubeconfig,
          steps: '50,100',
          interval: '3s',
          'prometheus-url': prometheus.url,
        },
        cwd,
      }).finally(() => Promise.all(load.map((l) => l.stop())))
      expect(r.exitCode, r.stdout + r.stderr).toBe(0)
      expect(r.outputs.result).toBe('promoted')
      const route = api.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'ml', 'churn-kube') as {
        spec: Loose
      }
      expect(route.spec.rules[0].backendRefs.map((b: { weight: number }) => b.weight)).toEqual([100, 0])
      const stable = api.get('apps/v1', 'Deployment', 'ml', 'churn-kube') as { spec: Loose }
      expect(stable.spec.template.spec.containers[0].image).toBe('churn:2')
      const canary = api.get('apps/v1', 'Deployment', 'ml', 'churn-kube-canary') as { spec: Loose }
      expect(canary.spec.replicas).toBe(0)
      // The weights the route carried over the rollout, in order.
      const weights = api.requests
        .filter((q) => q.method === 'PATCH' && q.path.endsWith('/httproutes/churn-kube'))
        .map((q) => (q.body as { spec: Loose }).spec.rules[0].backendRefs[1].weight)
      expect(weights).toEqual([0, 50, 100, 100, 0])
    }, 90_000)
  },
)
