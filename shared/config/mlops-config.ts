import { z } from 'zod'
import { analysisSchema } from '../deploy/analysis.js'
import { NotFoundError } from '../errors.js'
import { parseDuration } from '../util/duration.js'
import { loadYamlFile } from './load.js'
import { strictObject } from './strict.js'

/**
 * The schema of `mlops.yaml`: one file describes one model. Every section is optional so a repository can
 * adopt the suite one action at a time; inputs given to an action override what is here.
 * `npm run docs` publishes the JSON Schema generated from this in `schemas/mlops.schema.json`.
 */

const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: "expected a duration such as '90s', '5m', '1h30m' or '2d'",
})
const stringList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]))
const modelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a model name of letters, digits, ".", "_" and "-"')

export const modelSection = strictObject({
  name: modelName,
  flavor: z.enum(['sklearn', 'onnx', 'node', 'custom']).default('custom'),
  description: z.string().optional(),
  intended_use: z.string().optional(),
})

export const dataSection = strictObject({
  path: stringList.optional(),
  schema: z.string().optional(),
  reference: z.string().optional(),
  fail_on: z.enum(['error', 'warning', 'never']).optional(),
})

export const trainSection = strictObject({
  command: z.string().optional(),
  working_directory: z.string().optional(),
  params: z.string().optional(),
  metrics: z.string().optional(),
  model_path: z.string().optional(),
  data: stringList.optional(),
  seed: z.number().int().min(0).optional(),
  max_duration: duration.optional(),
  cache_paths: stringList.optional(),
  cache_key: z.string().optional(),
  python: z.string().optional(),
})

const tolerance = z.number().min(0, 'expected a tolerance of 0 or more')
const DROP_CHECKS = ['max_drop', 'max_drop_relative'] as const
const INCREASE_CHECKS = ['max_increase', 'max_increase_relative'] as const
export const gateMetric = strictObject({
  direction: z.enum(['higher', 'lower'], {
    error: (i) =>
      `unknown direction ${JSON.stringify(i.input)}; expected one of "higher"|"lower" (which way is better)`,
  }),
  min: z.number().optional(),
  max: z.number().optional(),
  max_drop: tolerance.optional(),
  max_drop_relative: tolerance.optional(),
  max_increase: tolerance.optional(),
  max_increase_relative: tolerance.optional(),
  /** Whether a paired significance test (when predictions are given) may excuse a failed change check. */
  significance_test: z.boolean().default(true),
}).superRefine((m, ctx) => {
  // A change check limits how much a metric may get worse; in the other direction it would limit gains.
  const wrong = m.direction === 'higher' ? INCREASE_CHECKS : DROP_CHECKS
  for (const k of wrong) {
    if (m[k] === undefined) continue
    const use = m.direction === 'higher' ? k.replace('increase', 'drop') : k.replace('drop', 'increase')
    ctx.addIssue({
      code: 'custom',
      path: [k],
      message: `'${k}' limits a change for the better of a direction-${m.direction} metric; use '${use}'`,
    })
  }
  if (m.min !== undefined && m.max !== undefined && m.min > m.max)
    ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${m.min}) is above max (${m.max})` })
})
export const gateSection = strictObject({
  metrics: z.record(z.string(), gateMetric),
  baseline: z.string().optional(),
  on_missing_baseline: z.enum(['pass', 'fail']).default('pass'),
  on_missing_metric: z.enum(['fail', 'pass']).default('fail'),
  significance: z.number().gt(0).lt(1).default(0.05),
})

export const registrySection = strictObject({
  backend: z.enum(['local', 'github', 'oci', 'mlflow']).default('local'),
  address: z.string().optional(),
})

export const imageSection = strictObject({
  name: z.string().optional(),
  base_image: z.string().optional(),
  requirements: z.string().optional(),
  builder: z.enum(['auto', 'docker', 'buildah', 'podman']).optional(),
  platforms: stringList.optional(),
})

export const deploySection = strictObject({
  provider: z.enum(['nginx', 'command', 'kubernetes']).optional(),
  steps: z.array(z.number().min(0).max(100)).optional(),
  interval: duration.optional(),
  prometheus_url: z.string().optional(),
  /** Metric checks (see actions/deploy-canary/README.md); the built-in success rate and p99 when absent. */
  analysis: analysisSchema.optional(),
  failure_limit: z.number().int().min(1).optional(),
  min_requests: z.number().min(0).optional(),
  on_no_data: z.enum(['wait', 'fail', 'pass']).optional(),
  max_wait: duration.optional(),
  nginx: strictObject({
    upstream_file: z.string().optional(),
    upstream_name: z.string().optional(),
    stable: stringList.optional(),
    canary: stringList.optional(),
    config: z.string().optional(),
  }).optional(),
  command: strictObject({
    set_weight: z.string().optional(),
    promote: z.string().optional(),
    rollback: z.string().optional(),
  }).optional(),
  kubernetes: strictObject({
    routing: z.enum(['gateway-api', 'ingress-nginx']).optional(),
    namespace: z.string().optional(),
    deployment: z.string().optional(),
    service: z.string().optional(),
    container: z.string().optional(),
    port: z.number().int().min(1).max(65535).optional(),
    canary_replicas: z.number().int().min(1).optional(),
    gateway: z.string().optional(),
    gateway_namespace: z.string().optional(),
    hostnames: stringList.optional(),
    route: z.string().optional(),
    ingress: z.string().optional(),
    rollout_timeout: duration.optional(),
  }).optional(),
})

const threshold = z.number()
export const monitorRule = strictObject({
  /** Names the rule in issue titles and fingerprints: keep it stable. */
  name: z.string().min(1),
  query: z.string().min(1),
  above: threshold.optional(),
  below: threshold.optional(),
  outside: z.tuple([threshold, threshold]).optional(),
  /** Breached only when the condition held at every point over this window (like an alert's `for`). */
  for: duration.optional(),
  severity: z.enum(['info', 'warning', 'critical']).default('warning'),
  labels: z.array(z.string()).default([]),
  action: z.enum(['retrain', 'notify']).default('notify'),
  on_no_data: z.enum(['ignore', 'alert']).default('ignore'),
}).superRefine((r, ctx) => {
  const set = [r.above, r.below, r.outside].filter((v) => v !== undefined).length
  if (set !== 1)
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: `rule '${r.name}' needs exactly one of 'above', 'below' or 'outside: [low, high]'`,
    })
  if (r.outside && r.outside[0] > r.outside[1])
    ctx.addIssue({ code: 'custom', path: ['outside'], message: 'expected [low, high] with low <= high' })
})
export const monitorSection = strictObject({
  prometheus_url: z.string().optional(),
  rules: z.array(monitorRule).default([]),
  /** Labels every monitor issue carries; the first one is used to find them again. */
  labels: z.array(z.string().min(1)).optional(),
  /** At most one comment with the new value per open issue per this interval. */
  comment_interval: duration.optional(),
  /** At most one dispatch of the retraining workflow per rule and model per this interval. */
  cooldown: duration.optional(),
  close_resolved: z.boolean().optional(),
  /** How much history the issue's chart shows. */
  window: duration.optional(),
  dispatch_workflow: z.string().optional(),
  dispatch_ref: z.string().optional(),
  dispatch_inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
})

export const reportSection = strictObject({
  title: z.string().optional(),
})

export const mlopsConfigSchema = strictObject({
  model: modelSection.optional(),
  data: dataSection.optional(),
  train: trainSection.optional(),
  gate: gateSection.optional(),
  registry: registrySection.optional(),
  image: imageSection.optional(),
  deploy: deploySection.optional(),
  monitor: monitorSection.optional(),
  report: reportSection.optional(),
})

export type MlopsConfig = z.output<typeof mlopsConfigSchema>

/**
 * Loads `mlops.yaml`. A missing file is fine when `optional` (the inputs suffice); a malformed one never is.
 */
export async function loadMlopsConfig(file: string, opts: { optional: boolean }): Promise<MlopsConfig> {
  try {
    return await loadYamlFile(file, mlopsConfigSchema)
  } catch (e) {
    // instanceof, not e.name: the minified bundles rename classes
    if (opts.optional && e instanceof NotFoundError) return {}
    throw e
  }
}
