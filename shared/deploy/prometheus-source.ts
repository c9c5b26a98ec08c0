import { MlopsError } from '../errors.js'
import type { PrometheusApi } from '../prometheus/client.js'
import type { MetricsSource } from './analysis.js'

/** A query that is valid PromQL but cannot be judged: it returns several series. */
export class NotScalarError extends MlopsError {
  readonly kind = 'bad-query'
}

/**
 * The analysis' view of Prometheus: an instant query reduced to one number. An empty result or NaN (e.g.
 * 0/0 when the canary had no requests) is "no data"; several series is a mistake in the query, reported
 * with their labels so the user can aggregate.
 */
export function prometheusMetrics(api: PrometheusApi): MetricsSource {
  return {
    async queryScalar(promql) {
      const r = await api.query(promql)
      if (r.series.length === 0) return undefined
      if (r.series.length > 1) {
        const shown = r.series
          .slice(0, 3)
          .map((s) => JSON.stringify(s.labels))
          .join(', ')
        throw new NotScalarError(
          `the query returns ${r.series.length} series (${shown}${r.series.length > 3 ? ', ...' : ''}); a check needs one number: aggregate it, e.g. with sum(...)`,
        )
      }
      const v = r.series[0]!.points.at(-1)?.[1]
      return v === undefined || Number.isNaN(v) ? undefined : v
    },
  }
}
