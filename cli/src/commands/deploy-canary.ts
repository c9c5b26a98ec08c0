import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { ON_NO_DATA, type OnNoData, resolveChecks } from '../../../shared/deploy/analysis.js'
import { runCanary } from '../../../shared/deploy/canary.js'
import { ROUTINGS, type Routing } from '../../../shared/deploy/kubernetes-manifests.js'
import { prometheusMetrics } from '../../../shared/deploy/prometheus-source.js'
import { createProvider, PROVIDERS, type ProviderName } from '../../../shared/deploy/providers.js'
import { canaryRunRecord, renderSummary } from '../../../shared/deploy/render.js'
import { type GivenDeploy, type Names, resolveDeploy } from '../../../shared/deploy/settings.js'
import { InputError } from '../../../shared/errors.js'
import { PrometheusClient } from '../../../shared/prometheus/client.js'
import { writeRunRecord } from '../../../shared/run-record/io.js'
import { DURATION_HINT, parseDuration } from '../../../shared/util/duration.js'
import { writeFileAtomic } from '../../../shared/util/fs.js'
import { parse } from '../args.js'
import type { Command } from '../command.js'

const NAMES: Names = {
  provider: '--provider',
  model: '--model',
  version: '--version',
  image: '--image',
  steps: '--steps',
  intervalMs: '--interval',
  analysis: '--analysis',
  failureLimit: '--failure-limit',
  minRequests: '--min-requests',
  onNoData: '--on-no-data',
  maxWaitMs: '--max-wait',
  prometheusUrl: '--prometheus-url',
  canaryVariant: '--canary-variant',
  stableVariant: '--stable-variant',
  nginxUpstreamFile: '--nginx-upstream-file',
  nginxUpstreamName: '--nginx-upstream-name',
  nginxConfig: '--nginx-config',
  nginxArgs: '--nginx-args',
  stableServers: '--stable-servers',
  canaryServers: '--canary-servers',
  setWeightCommand: '--set-weight-command',
  promoteCommand: '--promote-command',
  rollbackCommand: '--rollback-command',
  routing: '--routing',
  namespace: '--namespace',
  deployment: '--deployment',
  service: '--service',
  container: '--container',
  port: '--port',
  canaryReplicas: '--canary-replicas',
  gateway: '--gateway',
  gatewayNamespace: '--gateway-namespace',
  hostnames: '--hostnames',
  route: '--route',
  ingress: '--ingress',
  kubeconfig: '--kubeconfig',
  rolloutTimeoutMs: '--rollout-timeout',
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)

function ms(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const d = parseDuration(v)
  if (d === undefined) throw new InputError(flag, `is not a duration: '${v}'`, DURATION_HINT)
  return d
}

function int(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < min)
    throw new InputError(flag, `must be a whole number of at least ${min}; got '${v}'`)
  return n
}

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined
  if (!allowed.includes(v as T))
    throw new InputError(flag, `must be one of ${allowed.join(', ')}; got '${v}'`)
  return v as T
}

export const deployCanaryCommand: Command = {
  name: 'deploy-canary',
  summary:
    'shift traffic to a new model version in steps, judged by Prometheus metrics; promote or roll back',
  usage: `mlops deploy-canary --model NAME --prometheus-url URL [options]   (flags as the action's inputs)

  --provider nginx|command|kubernetes (default: deploy.provider in mlops.yaml, else nginx)
  --steps 5,25,50,100  --interval 60s  --analysis FILE|YAML  --failure-limit 1  --min-requests 0
  --on-no-data wait|fail|pass  --max-wait 5m  --version V  --image I  --prometheus-token T
  nginx:   --nginx-upstream-file F --stable-servers H:P[,..] --canary-servers H:P[,..]
           [--nginx-config F] [--nginx-upstream-name model] [--nginx-args "-e /tmp/err.log"]
  command: --set-weight-command S [--promote-command S] [--rollback-command S]   ({weight} {stable-weight} {image} {version})
  kubernetes: --image I --routing gateway-api|ingress-nginx [--namespace N] [--deployment D] [--service S]
           [--container C] [--port 8080] [--canary-replicas 1] [--gateway G] [--gateway-namespace N]
           [--hostnames H,..] [--route R] [--ingress I] [--kubeconfig F] [--rollout-timeout 5m]
  --no-fail-on-rollback         exit 0 after a rollback
  --out DIR                     where the summary (deploy-canary.md) and the run record go (default .mlops)
  --config mlops.yaml`,
  async run(args, log) {
    const { values: v } = parse(args, {
      provider: { type: 'string' },
      model: { type: 'string' },
      version: { type: 'string' },
      image: { type: 'string' },
      steps: { type: 'string' },
      interval: { type: 'string' },
      analysis: { type: 'string' },
      'failure-limit': { type: 'string' },
      'min-requests': { type: 'string' },
      'on-no-data': { type: 'string' },
      'max-wait': { type: 'string' },
      'prometheus-url': { type: 'string' },
      'prometheus-token': { type: 'string' },
      'canary-variant': { type: 'string' },
      'stable-variant': { type: 'string' },
      'nginx-upstream-file': { type: 'string' },
      'nginx-upstream-name': { type: 'string' },
      'nginx-config': { type: 'string' },
      'nginx-args': { type: 'string' },
      'stable-servers': { type: 'string' },
      'canary-servers': { type: 'string' },
      'set-weight-command': { type: 'string' },
      'promote-command': { type: 'string' },
      'rollback-command': { type: 'string' },
      routing: { type: 'string' },
      namespace: { type: 'string' },
      deployment: { type: 'string' },
      service: { type: 'string' },
      container: { type: 'string' },
      port: { type: 'string' },
      'canary-replicas': { type: 'string' },
      gateway: { type: 'string' },
      'gateway-namespace': { type: 'string' },
      hostnames: { type: 'string' },
      route: { type: 'string' },
      ingress: { type: 'string' },
      kubeconfig: { type: 'string' },
      'rollout-timeout': { type: 'string' },
      'no-fail-on-rollback': { type: 'boolean' },
      out: { type: 'string', default: '.mlops' },
      config: { type: 'string', default: 'mlops.yaml' },
    })
    const given: GivenDeploy = {
      provider: oneOf<ProviderName>('--provider', v.provider, PROVIDERS),
      model: v.model,
      version: v.version,
      image: v.image,
      steps: list(v.steps),
      intervalMs: ms('--interval', v.interval),
      analysis: v.analysis,
      failureLimit: int('--failure-limit', v['failure-limit'], 1),
      minRequests: int('--min-requests', v['min-requests'], 0),
      onNoData: oneOf<OnNoData>('--on-no-data', v['on-no-data'], ON_NO_DATA),
      maxWaitMs: ms('--max-wait', v['max-wait']),
      prometheusUrl: v['prometheus-url'],
      canaryVariant: v['canary-variant'],
      stableVariant: v['stable-variant'],
      nginxUpstreamFile: v['nginx-upstream-file'],
      nginxUpstreamName: v['nginx-upstream-name'],
      nginxConfig: v['nginx-config'],
      nginxArgs: (v['nginx-args'] ?? '').split(/\s+/).filter(Boolean),
      stableServers: list(v['stable-servers']),
      canaryServers: list(v['canary-servers']),
      setWeightCommand: v['set-weight-command'],
      promoteCommand: v['promote-command'],
      rollbackCommand: v['rollback-command'],
      routing: oneOf<Routing>('--routing', v.routing, ROUTINGS),
      namespace: v.namespace,
      deployment: v.deployment,
      service: v.service,
      container: v.container,
      port: int('--port', v.port, 1),
      canaryReplicas: int('--canary-replicas', v['canary-replicas'], 1),
      gateway: v.gateway,
      gatewayNamespace: v['gateway-namespace'],
      hostnames: list(v.hostnames),
      route: v.route,
      ingress: v.ingress,
      kubeconfig: v.kubeconfig,
      rolloutTimeoutMs: ms('--rollout-timeout', v['rollout-timeout']),
    }
    const config = await loadMlopsConfig(v.config, { optional: true })
    const s = resolveDeploy(given, config, v.config, NAMES)
    const provider = await createProvider(s.provider, log)
    const prometheus = new PrometheusClient({ url: s.prometheusUrl, bearerToken: v['prometheus-token'] })
    const startedAt = new Date()
    // Ctrl-C mid-rollout returns traffic to stable, as the action's post step does.
    let moved = false
    const onSignal = () => {
      log.warning('Interrupted: returning all traffic to stable')
      const done = moved ? provider.rollback() : Promise.resolve()
      void done.finally(() => process.exit(130))
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    try {
      const r = await runCanary(
        { ...s, checks: resolveChecks(s.checks), prometheusUrl: s.prometheusUrl },
        {
          provider,
          metrics: prometheusMetrics(prometheus),
          log,
          onTraffic: (_weight, phase) => {
            moved = phase === 'progressing'
          },
        },
      )
      const info = { model: s.model, version: s.version, provider: provider.name, steps: s.steps }
      const summary = `${v.out}/deploy-canary.md`
      await writeFileAtomic(summary, renderSummary(r, info))
      const rec = await writeRunRecord(
        canaryRunRecord(r, {
          ...info,
          id: `local-${s.model}-${startedAt.getTime().toString(36)}`,
          run: {},
          startedAt,
        }),
        `${v.out}/records/deploy-canary-${s.model}-${startedAt.getTime().toString(36)}.json`,
      )
      log.info(`${r.result} (final weight ${r.finalWeight} %) in ${Math.round(r.durationSeconds)} s`)
      log.info(`Summary → ${summary}; run record → ${rec}`)
      if (r.result === 'rolled-back') {
        log.error(`Canary rolled back at ${r.maxWeight} %: ${r.reason}`)
        return v['no-fail-on-rollback'] ? 0 : 1
      }
      return 0
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  },
}
