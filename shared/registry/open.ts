import { InputError } from '../errors.js'
import { BACKENDS, type BackendKind, type ModelRegistry, type RegistryDeps } from './registry.js'

/** Where each backend lives when no address is given. */
export const DEFAULT_LOCAL_REGISTRY = '.mlops/registry'

/**
 * Opens a model registry. `address` by backend:
 * - `local`: a directory (default `.mlops/registry`);
 * - `github`: `owner/repo` (default `GITHUB_REPOSITORY`); `deps.token` is the GitHub token;
 * - `oci`: `host[:port]/namespace` (e.g. `ghcr.io/octo-org/models`, `http://127.0.0.1:5000/models` for a
 *   plain-HTTP registry); credentials from `deps.username`/`deps.password` or `deps.token`;
 * - `mlflow`: the tracking server URL (e.g. `http://mlflow:5000`); `deps.token` is sent as a Bearer token.
 *
 * Uses elsewhere in the suite:
 * ```ts
 * const reg = await openRegistry(cfg.registry.backend, cfg.registry.address, { log })
 * const prod = await reg.get('churn', 'production')          // evaluate-gate: prod.metrics
 * await reg.download('churn', 3, 'model/')                    // build-docker-image: name@3
 * ```
 */
export async function openRegistry(
  backend: BackendKind | string,
  address: string | undefined,
  deps: RegistryDeps,
): Promise<ModelRegistry> {
  switch (backend) {
    case 'local': {
      const { LocalRegistry } = await import('./backends/local.js')
      return new LocalRegistry(address || DEFAULT_LOCAL_REGISTRY, deps)
    }
    case 'github': {
      const { GitHubRegistry } = await import('./backends/github.js')
      return GitHubRegistry.open(address || process.env.GITHUB_REPOSITORY || '', deps)
    }
    case 'oci': {
      const { OciRegistry } = await import('./backends/oci.js')
      return new OciRegistry(required(backend, address), deps)
    }
    case 'mlflow': {
      const { MlflowRegistry } = await import('./backends/mlflow.js')
      return new MlflowRegistry(required(backend, address), deps)
    }
    default:
      throw new InputError('backend', `must be one of ${BACKENDS.join(', ')}; got '${backend}'`)
  }
}

function required(backend: string, address: string | undefined): string {
  if (!address) {
    throw new InputError(
      'registry',
      `is required for the '${backend}' backend`,
      backend === 'oci'
        ? "Give the repository namespace, e.g. 'ghcr.io/octo-org/models'"
        : "Give the tracking server URL, e.g. 'http://mlflow.example.com:5000'",
    )
  }
  return address
}
