import { NotFoundError } from '../errors.js'
import { type MetricSet, metricSetFromValues } from '../gate/metrics.js'
import { openRegistry } from './open.js'
import { type ModelRegistry, type ModelVersion, parseModelRef } from './registry.js'

/**
 * The two registry calls other actions make, in one line each.
 *
 * evaluate-gate, `baseline: registry:production`:
 * ```ts
 * const reg = await registryFromConfig(config, { log })
 * const base = await aliasMetrics(reg, 'churn', 'production')   // undefined: no version holds the alias yet
 * if (base) compare(candidate, base.metrics)                     // base.version says which version it was
 * ```
 * or, plugged straight into the gate's `GateOptions.registry`:
 * ```ts
 * runGate({ ...opts, registry: gateBaseline(reg, 'churn') }, log)
 * ```
 * build-docker-image, `model: churn@3` or `churn@production`:
 * ```ts
 * const v = await downloadModel(reg, 'churn@production', 'build/model')   // files verified by sha256
 * labels['dev.mlops-actions.model.version'] = String(v.version); v.digest, v.lineage, v.runId are there too
 * ```
 */

/** Opens the registry named by `registry:` in `mlops.yaml` (default: the local directory). */
export function registryFromConfig(
  config: { registry?: { backend?: string; address?: string } },
  deps: Parameters<typeof openRegistry>[2],
): Promise<ModelRegistry> {
  return openRegistry(config.registry?.backend ?? 'local', config.registry?.address, deps)
}

/** `registry:production` → `production`; anything else → undefined (a file baseline). */
export function registryBaseline(baseline: string): string | undefined {
  const m = /^registry:(.+)$/.exec(baseline.trim())
  return m ? m[1]!.trim() : undefined
}

/**
 * The metrics stored with the version that holds `alias`, or undefined when the model or the alias does not
 * exist yet (the first model: the gate applies `on_missing_baseline`). Other faults (401, 5xx) throw.
 */
export async function aliasMetrics(
  registry: ModelRegistry,
  name: string,
  alias: string,
): Promise<{ version: number; metrics: Record<string, number>; digest: string } | undefined> {
  try {
    const v = await registry.get(name, alias)
    return { version: v.version, metrics: { ...(v.metrics ?? {}) }, digest: v.digest }
  } catch (e) {
    if (e instanceof NotFoundError) return undefined
    throw e
  }
}

/** Downloads `name@3`, `name@v3`, `name@production` or `name` (latest) into `dir`; returns the version. */
export async function downloadModel(
  registry: ModelRegistry,
  modelRef: string,
  dir: string,
): Promise<ModelVersion> {
  const { name, ref } = parseModelRef(modelRef)
  const v = await registry.get(name, ref)
  await registry.download(name, v.version, dir)
  return v
}

/**
 * The gate's `RegistryBaseline` (`baseline: registry:<alias>`): the metrics stored with the version of `name`
 * that holds the alias, as a metric set. A missing model or alias is a `NotFoundError` naming both.
 */
export function gateBaseline(registry: ModelRegistry, name: string): (alias: string) => Promise<MetricSet> {
  return async (alias) => {
    const v = await registry.get(name, alias)
    return metricSetFromValues(
      v.metrics ?? {},
      `${registry.kind} registry: ${name}@${alias} (v${v.version})`,
      {
        name,
        version: String(v.version),
      },
    )
  }
}
