import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { InputError } from '../../../shared/errors.js'
import { LocalForge } from '../../../shared/forge/local-forge.js'
import { issuesJson, resolveMonitor, runMonitor, summaryMarkdown } from '../../../shared/monitor/run.js'
import { PrometheusClient } from '../../../shared/prometheus/client.js'
import { DURATION_HINT, parseDuration } from '../../../shared/util/duration.js'
import { writeFileAtomic } from '../../../shared/util/fs.js'
import { parse } from '../args.js'
import type { Command } from '../command.js'

export const monitorCommand: Command = {
  name: 'monitor',
  summary:
    'check PromQL rules; open/update/close retraining issues in .mlops/outbox, record dispatches there',
  usage: `mlops monitor [--prometheus-url URL] [--rules FILE|YAML] [--model NAME] [--close-resolved] [--dry-run]
                     [--dispatch-workflow W [--dispatch-ref R] [--dispatch-inputs JSON]] [--cooldown 24h]
                     [--comment-interval 24h] [--window 6h] [--label L]... [--header 'Name: value']...
                     [--ca-file PEM] [--timeout 30s] [--retries 2] [--out DIR] [--config mlops.yaml]

  Prometheus credentials come from the environment: PROMETHEUS_TOKEN (bearer), or PROMETHEUS_USERNAME and
  PROMETHEUS_PASSWORD (basic auth). Issues, comments and dispatches go to DIR/outbox (default .mlops); the
  Markdown summary to DIR/monitor-summary.md. Exit code 0 whether or not rules are breached; 1 on errors.`,
  async run(args, log) {
    const { values } = parse(args, {
      'prometheus-url': { type: 'string' },
      rules: { type: 'string' },
      model: { type: 'string' },
      label: { type: 'string', multiple: true },
      'close-resolved': { type: 'boolean' },
      'comment-interval': { type: 'string' },
      cooldown: { type: 'string' },
      window: { type: 'string' },
      'dispatch-workflow': { type: 'string' },
      'dispatch-ref': { type: 'string' },
      'dispatch-inputs': { type: 'string' },
      header: { type: 'string', multiple: true },
      'ca-file': { type: 'string' },
      timeout: { type: 'string', default: '30s' },
      retries: { type: 'string', default: '2' },
      'dry-run': { type: 'boolean' },
      out: { type: 'string', default: '.mlops' },
      config: { type: 'string', default: 'mlops.yaml' },
    })
    const timeoutMs = parseDuration(values.timeout)
    if (timeoutMs === undefined)
      throw new InputError('--timeout', `is not a duration: '${values.timeout}'`, DURATION_HINT)
    const retries = Number(values.retries)
    if (!Number.isInteger(retries) || retries < 0)
      throw new InputError('--retries', `must be a whole number; got '${values.retries}'`)
    const headers: Record<string, string> = {}
    for (const h of values.header ?? []) {
      const i = h.indexOf(':')
      if (i <= 0) throw new InputError('--header', `must be 'Name: value'; got '${h}'`)
      headers[h.slice(0, i).trim()] = h.slice(i + 1).trim()
    }
    for (const [flag, v] of [
      ['--comment-interval', values['comment-interval']],
      ['--cooldown', values.cooldown],
      ['--window', values.window],
    ] as const)
      if (v !== undefined && parseDuration(v) === undefined)
        throw new InputError(flag, `is not a duration: '${v}'`, DURATION_HINT)

    const config = await loadMlopsConfig(values.config, { optional: true })
    const m = await resolveMonitor(
      {
        prometheusUrl: values['prometheus-url'],
        rules: values.rules,
        model: values.model,
        labels: values.label ?? [],
        closeResolved: !!values['close-resolved'],
        commentInterval: values['comment-interval'],
        cooldown: values.cooldown,
        window: values.window,
        dispatchWorkflow: values['dispatch-workflow'],
        dispatchRef: values['dispatch-ref'],
        dispatchInputs: values['dispatch-inputs'],
        dryRun: !!values['dry-run'],
      },
      config,
    )
    const env = process.env
    const prometheus = new PrometheusClient({
      url: m.prometheusUrl,
      bearerToken: env.PROMETHEUS_TOKEN || undefined,
      basicAuth: env.PROMETHEUS_USERNAME
        ? { username: env.PROMETHEUS_USERNAME, password: env.PROMETHEUS_PASSWORD ?? '' }
        : undefined,
      headers,
      caFile: values['ca-file'],
      timeoutMs,
      retries,
    })
    const forge = new LocalForge(`${values.out}/outbox`)
    const result = await runMonitor({
      rules: m.rules,
      prometheus,
      forge: async () => forge,
      policy: m.policy,
      model: m.model,
      now: () => new Date(),
      log,
    })
    const file = `${values.out}/monitor-summary.md`
    await writeFileAtomic(file, `${summaryMarkdown(result, m.prometheusUrl)}\n`)
    for (const i of issuesJson(result))
      log.info(
        `${i.model}/${i.rule}: issue ${i.action}${i.url ? ` → ${i.url}` : ''}${i.dispatched ? ' (dispatched)' : ''}`,
      )
    const breached = result.evaluations.filter((e) => e.firing).length
    log.info(`${breached} of ${result.evaluations.length} rule result(s) breached; summary → ${file}`)
    return 0
  },
}
