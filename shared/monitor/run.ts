import { existsSync } from 'node:fs'
import { parse as parseYamlText } from 'yaml'
import { z } from 'zod'
import { loadYamlFile, parseYaml } from '../config/load.js'
import { type MlopsConfig, monitorRule } from '../config/mlops-config.js'
import { InputError } from '../errors.js'
import type { Forge } from '../forge/forge.js'
import type { PrometheusApi } from '../prometheus/client.js'
import { cell, table } from '../report/markdown.js'
import type { RunRecordInput } from '../run-record/schema.js'
import { DURATION_HINT, parseDuration } from '../util/duration.js'
import type { Logger } from '../util/logger.js'
import { type Evaluation, evaluateRules, type MonitorRule } from './evaluate.js'
import { type MonitorPolicy, type Outcome, reconcile } from './issues.js'
import { formatLabels, formatValue } from './render.js'

/** The whole monitor run, shared by the action and `mlops monitor`: evaluate everything, then act. */

export const DEFAULTS = {
  labels: ['mlops-monitor'],
  cooldown: '24h',
  commentInterval: '24h',
  window: '6h',
} as const

const rulesList = z.array(monitorRule)

/**
 * Rules from the `rules` input: a path to a YAML file holding a list of rules, or the list itself inline.
 * A mistake names the file (or the input), the line and the key.
 */
export async function parseRulesInput(text: string, input = 'rules'): Promise<MonitorRule[]> {
  const t = text.trim()
  if (!t.includes('\n') && !t.startsWith('[') && !t.startsWith('-')) {
    if (!existsSync(t))
      throw new InputError(
        input,
        `names a file that does not exist: '${t}'`,
        'Give a YAML file or the rules inline',
      )
    return loadYamlFile(t, rulesList)
  }
  return parseYaml(t, `input '${input}'`, rulesList)
}

export function resolveRules(inputRules: MonitorRule[] | undefined, config: MlopsConfig): MonitorRule[] {
  const rules = inputRules?.length ? inputRules : (config.monitor?.rules ?? [])
  if (rules.length === 0)
    throw new InputError(
      'rules',
      'is empty and mlops.yaml has no monitor.rules',
      'Give at least one rule: name, query and above/below/outside',
    )
  const names = new Set<string>()
  for (const r of rules) {
    if (names.has(r.name))
      throw new InputError(
        'rules',
        `has two rules named '${r.name}'`,
        'Names find issues again; keep them unique',
      )
    names.add(r.name)
  }
  return rules
}

/** What a run was given (action inputs or CLI flags); empty values fall back to the config file. */
export interface MonitorOptions {
  readonly prometheusUrl?: string
  readonly rules?: string
  readonly model?: string
  readonly labels: readonly string[]
  readonly closeResolved: boolean
  readonly commentInterval?: string
  readonly cooldown?: string
  readonly window?: string
  readonly dispatchWorkflow?: string
  readonly dispatchRef?: string
  readonly dispatchInputs?: string
  readonly dryRun: boolean
  readonly runUrl?: string
}

export interface ResolvedMonitor {
  readonly rules: MonitorRule[]
  readonly model?: string
  readonly prometheusUrl: string
  readonly policy: MonitorPolicy
}

function ms(text: string, input: string): number {
  const v = parseDuration(text)
  if (v === undefined) throw new InputError(input, `is not a duration: '${text}'`, DURATION_HINT)
  return v
}

export function parseDispatchInputs(
  text: string | undefined,
  input = 'dispatch-inputs',
): Record<string, string> {
  if (!text?.trim()) return {}
  let v: unknown
  try {
    v = parseYamlText(text)
  } catch (e) {
    throw new InputError(input, `is not JSON or YAML: ${(e as Error).message.split('\n')[0]}`)
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new InputError(input, 'must be an object of workflow inputs, e.g. {"reason": "{{rule}}"}')
  const out: Record<string, string> = {}
  for (const [k, x] of Object.entries(v)) {
    if (x !== null && typeof x === 'object')
      throw new InputError(input, `input '${k}' must be a string, number or boolean`)
    out[k] = String(x ?? '')
  }
  return out
}

/** Merges inputs over the config file's `monitor` section, with the defaults. */
export async function resolveMonitor(
  o: MonitorOptions,
  config: MlopsConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedMonitor> {
  const m = config.monitor
  const prometheusUrl = o.prometheusUrl ?? m?.prometheus_url
  if (!prometheusUrl)
    throw new InputError(
      'prometheus-url',
      'is empty and mlops.yaml has no monitor.prometheus_url',
      'Set the base URL of Prometheus',
    )
  const rules = resolveRules(o.rules ? await parseRulesInput(o.rules) : undefined, config)
  const window = o.window ?? m?.window ?? DEFAULTS.window
  const workflow = o.dispatchWorkflow ?? m?.dispatch_workflow
  const ref =
    o.dispatchRef ??
    m?.dispatch_ref ??
    (env.GITHUB_REF_NAME || env.GITHUB_REF?.replace(/^refs\/(heads|tags)\//, '') || 'main')
  const inputs = o.dispatchInputs
    ? parseDispatchInputs(o.dispatchInputs)
    : Object.fromEntries(Object.entries(m?.dispatch_inputs ?? {}).map(([k, v]) => [k, String(v)]))
  const labels = o.labels.length ? [...o.labels] : [...(m?.labels ?? DEFAULTS.labels)]
  return {
    rules,
    model: o.model ?? config.model?.name,
    prometheusUrl,
    policy: {
      labels,
      commentIntervalMs: ms(
        o.commentInterval ?? m?.comment_interval ?? DEFAULTS.commentInterval,
        'comment-interval',
      ),
      cooldownMs: ms(o.cooldown ?? m?.cooldown ?? DEFAULTS.cooldown, 'cooldown'),
      closeResolved: o.closeResolved || !!m?.close_resolved,
      dispatch: workflow ? { workflow, ref, inputs } : undefined,
      prometheusUrl,
      windowMs: ms(window, 'window'),
      window,
      runUrl: o.runUrl,
      dryRun: o.dryRun,
    },
  }
}

export interface MonitorRun {
  readonly evaluations: Evaluation[]
  readonly outcomes: Outcome[]
  readonly dispatched: boolean
}

export async function runMonitor(opts: {
  readonly rules: readonly MonitorRule[]
  readonly prometheus: PrometheusApi
  readonly forge: () => Promise<Forge>
  readonly policy: MonitorPolicy
  readonly model?: string
  readonly now: () => Date
  readonly log: Logger
}): Promise<MonitorRun> {
  const { log } = opts
  const evaluations = await log.group(
    `Evaluate ${opts.rules.length} rule(s) against ${opts.prometheus.url}`,
    () =>
      evaluateRules(opts.rules, opts.prometheus, {
        now: opts.now,
        model: opts.model,
        windowMs: opts.policy.windowMs,
      }),
  )
  for (const e of evaluations) {
    log.info(`${e.rule.name} [${e.model}]: ${e.status} (${formatValue(e.value)}; ${e.condition})`)
    for (const w of e.warnings) log.warning(`Rule '${e.rule.name}': Prometheus warns: ${w}`)
  }
  // Recoveries matter too (closing, or remembering them so the next breach reopens), so the issues are
  // always looked at; only a run where every rule has no data leaves GitHub alone.
  const touches = evaluations.some((e) => e.firing || e.status === 'ok')
  const outcomes = touches
    ? await log.group('Issues', async () =>
        reconcile(evaluations, await opts.forge(), opts.policy, opts.now, log),
      )
    : evaluations.map((e) => ({
        rule: e.rule.name,
        model: e.model,
        status: e.status,
        value: e.value,
        action: 'none' as const,
        dispatched: false,
        fingerprint: '',
      }))
  return { evaluations, outcomes, dispatched: outcomes.some((o) => o.dispatched) }
}

/** The `breached` output: every firing rule and model. */
export const breachedJson = (r: MonitorRun) =>
  r.evaluations
    .filter((e) => e.firing)
    .map((e) => ({
      rule: e.rule.name,
      model: e.model,
      value: e.value ?? null,
      condition: e.condition,
      severity: e.rule.severity,
      action: e.rule.action,
      labels: e.labels,
    }))

/** The `issues` output: every issue touched or found. */
export const issuesJson = (r: MonitorRun) =>
  r.outcomes
    .filter((o) => o.number !== undefined || o.action !== 'none')
    .map((o) => ({
      number: o.number ?? null,
      url: o.url ?? null,
      rule: o.rule,
      model: o.model,
      action: o.action,
      dispatched: o.dispatched,
    }))

export function summaryMarkdown(r: MonitorRun, prometheusUrl: string): string {
  const rows = r.evaluations.map((e, i) => {
    const o = r.outcomes[i]
    const icon = e.firing ? '❌' : e.status === 'no-data' ? '⏭️' : '✅'
    const issue = o?.number
      ? `${o.url ? `[#${o.number}](${o.url})` : `#${o.number}`} ${o.action}`
      : (o?.action ?? '')
    return [
      `${icon} ${e.status}`,
      e.rule.name,
      e.model,
      formatValue(e.value),
      e.condition,
      formatLabels(e.labels),
      `${issue}${o?.dispatched ? ' · retraining dispatched' : ''}`,
    ]
  })
  const breached = r.evaluations.filter((e) => e.firing).length
  return [
    `## Model monitor: ${breached ? `${breached} rule(s) breached` : 'all rules within bounds'}`,
    '',
    `Prometheus: ${cell(prometheusUrl)}`,
    '',
    table(['status', 'rule', 'model', 'value', 'condition', 'series', 'issue'], rows),
  ].join('\n')
}

export function monitorRecord(
  r: MonitorRun,
  ctx: {
    id: string
    model: string
    startedAt: Date
    finishedAt: Date
    run: RunRecordInput['run']
    details: string
  },
): RunRecordInput {
  const breached = r.evaluations.filter((e) => e.firing)
  return {
    schema: 'mlops-actions/run-record@1',
    id: ctx.id,
    kind: 'monitor-model',
    status: breached.length ? 'warning' : 'passed',
    headline: breached.length
      ? `${breached.length} of ${r.evaluations.length} rule(s) breached: ${breached.map((e) => `${e.rule.name} (${formatValue(e.value)})`).join(', ')}${r.dispatched ? '; retraining dispatched' : ''}`
      : `${r.evaluations.length} rule(s) within bounds`,
    details: ctx.details,
    model: { name: ctx.model },
    run: ctx.run,
    startedAt: ctx.startedAt.toISOString(),
    finishedAt: ctx.finishedAt.toISOString(),
    result: { breached: breachedJson(r), issues: issuesJson(r), dispatched: r.dispatched },
  }
}
