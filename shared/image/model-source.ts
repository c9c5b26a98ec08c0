import path from 'node:path'
import type { MlopsConfig } from '../config/mlops-config.js'
import { InputError } from '../errors.js'
import { openRegistry } from '../registry/open.js'
import { parseModelRef } from '../registry/registry.js'
import { downloadModel } from '../registry/use.js'
import type { Logger } from '../util/logger.js'
import type { ModelLineage } from './labels.js'

/**
 * Where the model to serve comes from: a path on disk (`model-path`), or a registered version
 * (`model: churn@3`, `churn@production`) downloaded from the model registry.
 */
export interface ModelSourceOptions {
  /** `name@version` or `name@alias` (or just `name`: the latest version). */
  readonly model?: string
  readonly modelPath?: string
  readonly modelName?: string
  readonly modelVersion?: string
  /** The run that produced the model; default: the current workflow run. */
  readonly runId?: string
  readonly flavor?: string
  /** Model registry backend and address; default from `mlops.yaml` (`registry:`), else `local`. */
  readonly backend?: string
  readonly registry?: string
  readonly token?: string
  /** Credentials for an `oci` model registry (the image registry's, e.g. GHCR, usually serves both). */
  readonly username?: string
  readonly password?: string
  /** Where a downloaded version is written. */
  readonly downloadDir: string
  readonly currentRunId?: string
}

export interface ModelSource {
  readonly modelPath?: string
  readonly lineage: ModelLineage
  /** Where the model came from, for the log and the summary. */
  readonly origin: string
}

export async function resolveModelSource(
  o: ModelSourceOptions,
  config: MlopsConfig,
  log: Logger,
): Promise<ModelSource> {
  if (o.model && o.modelPath) {
    throw new InputError(
      'model',
      "and 'model-path' were both given",
      'Give one: a registered version or a path',
    )
  }
  if (o.model) {
    const { name, ref } = parseModelRef(o.model)
    const backend = o.backend ?? config.registry?.backend ?? 'local'
    const address = o.registry ?? config.registry?.address
    const registry = await openRegistry(backend, address, {
      log,
      token: o.token,
      username: o.username,
      password: o.password,
    })
    const dir = path.join(o.downloadDir, name)
    const v = await downloadModel(registry, o.model, dir)
    const single = v.files.length === 1 ? path.join(dir, v.files[0]!.path) : dir
    log.info(
      `Model ${name}@${ref} is version ${v.version} (${v.digest}), downloaded from ${registry.address}`,
    )
    return {
      modelPath: single,
      lineage: {
        name,
        version: o.modelVersion ?? String(v.version),
        digest: v.digest,
        runId: o.runId ?? v.runId,
        flavor: o.flavor ?? v.flavor ?? config.model?.flavor,
      },
      origin: `${name}@${ref} → version ${v.version} from the ${backend} registry ${registry.address}`,
    }
  }
  const name = o.modelName ?? config.model?.name
  if (!name) {
    throw new InputError(
      'model-name',
      'is not set',
      "Give 'model-name' or 'model: name@version', or set model.name in mlops.yaml",
    )
  }
  const modelPath = o.modelPath ?? config.train?.model_path
  return {
    modelPath,
    lineage: {
      name,
      version: o.modelVersion,
      runId: o.runId ?? o.currentRunId,
      flavor: o.flavor ?? config.model?.flavor,
    },
    origin: modelPath ? `model-path ${modelPath}` : 'no model files (the Dockerfile brings its own)',
  }
}
