/**
 * The metrics a model server exports (see `actions/deploy-canary/README.md`), and the built-in canary checks
 * written against them. Every query is a template: `{{ model }}`, `{{ variant }}` (`canary` or `stable`),
 * `{{ version }}` and `{{ interval }}` (the check's window as a PromQL duration) are filled in per check,
 * per variant, per step.
 *
 * Names: the suite agreed on `model_requests_total` & co.; the server `build-docker-image` generates exports
 * them with an `mlops_` prefix (`mlops_model_requests_total`) and a `path` label, and counts its own
 * `/metrics` and `/health` requests too. The built-in selectors therefore match either name
 * (`__name__=~"(mlops_)?model_requests_total"`) and leave scrapes and health checks out (`path!~...`; a
 * server without a `path` label matches as well).
 */
export const METRIC = {
  /** Counter, labels `model`, `version`, `code` (HTTP status), optional `variant` and `path`. */
  requests: 'model_requests_total',
  /** Counter of failed requests, same labels. */
  errors: 'model_request_errors_total',
  /** Histogram of request latency in seconds, same labels. */
  duration: 'model_request_duration_seconds',
  /** Counter of predictions made (one request may carry many rows). */
  predictions: 'model_predictions_total',
} as const

/** A selector for one of the metrics above, by either name, for the templated model and variant. */
export function selector(metric: string, extra = ''): string {
  return `{__name__=~"(mlops_)?${metric}",model="{{ model }}",variant="{{ variant }}",path!~"/metrics|/health"${extra}}`
}

export interface BuiltinTemplate {
  readonly query: string
  readonly direction: 'higher' | 'lower'
  readonly unit: string
  readonly description: string
}

export const BUILTIN_TEMPLATES = {
  'request-success-rate': {
    query: `sum(rate(${selector(METRIC.requests, ',code!~"5.."')}[{{ interval }}])) / sum(rate(${selector(METRIC.requests)}[{{ interval }}])) * 100`,
    direction: 'higher',
    unit: '%',
    description: 'share of requests not answered with a 5xx, in percent',
  },
  'request-duration-p99': {
    query: `histogram_quantile(0.99, sum by (le) (rate(${selector(`${METRIC.duration}_bucket`)}[{{ interval }}]))) * 1000`,
    direction: 'lower',
    unit: 'ms',
    description: '99th percentile of request latency, in milliseconds',
  },
} as const satisfies Record<string, BuiltinTemplate>

export type BuiltinName = keyof typeof BUILTIN_TEMPLATES

/** Requests the variant received in the window; judged against `min-requests`. */
export const REQUESTS_QUERY = `sum(increase(${selector(METRIC.requests)}[{{ interval }}]))`

export interface TemplateVars {
  readonly model: string
  readonly variant: string
  readonly interval: string
  readonly version?: string
}

const VAR = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g
const KNOWN = new Set(['model', 'variant', 'interval', 'version'])

/** The `{{ name }}` variables a template uses that are not known. */
export function unknownVariables(template: string): string[] {
  return [...template.matchAll(VAR)].map((m) => m[1]!).filter((n) => !KNOWN.has(n))
}

/** Escapes a value for use inside a PromQL double-quoted string. */
const promString = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

export function renderQuery(template: string, vars: TemplateVars): string {
  return template.replace(VAR, (m, name: string) => {
    const v = (vars as unknown as Record<string, string | undefined>)[name]
    if (v === undefined) return m
    return name === 'interval' ? v : promString(v)
  })
}

/** Milliseconds as a PromQL duration: `30s`, `1500ms`. */
export function promDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`
}
