import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { parseDocument } from 'yaml'
import type { z } from 'zod'
import { parseYaml } from '../config/load.js'
import { gateSection, type MlopsConfig, mlopsConfigSchema } from '../config/mlops-config.js'
import { ConfigError, NotFoundError } from '../errors.js'

export type GatePolicy = z.output<typeof gateSection>
export type GateMetricPolicy = GatePolicy['metrics'][string]

export interface LoadedPolicy {
  readonly policy: GatePolicy
  /** Where the policy came from, for messages: a file, "the 'policy' input", or the config file. */
  readonly source: string
}

const looksInline = (text: string) => /\n/.test(text.trim()) || /^\s*\{/.test(text) || /:\s/.test(text)

/** Parses policy text (YAML or JSON): the gate section itself, or an mlops.yaml whose `gate:` it takes. */
export function parsePolicy(text: string, file: string): GatePolicy {
  let top: unknown
  try {
    top = parseDocument(text).toJS()
  } catch {
    top = undefined
  }
  const hasGate = !!top && typeof top === 'object' && 'gate' in top && !('metrics' in top)
  return hasGate ? parseYaml(text, file, mlopsConfigSchema).gate! : parseYaml(text, file, gateSection)
}

/**
 * The gate policy: the `policy` input (a YAML/JSON file path, or inline YAML) when given, else the `gate`
 * section of the config file.
 */
export async function loadPolicy(
  policyInput: string | undefined,
  config: MlopsConfig,
  configFile: string,
): Promise<LoadedPolicy> {
  const loaded = await readPolicy(policyInput, config, configFile)
  if (Object.keys(loaded.policy.metrics).length === 0) {
    const inConfig = loaded.source === configFile && !policyInput?.trim()
    throw new ConfigError(
      { file: loaded.source },
      inConfig ? 'gate.metrics' : 'metrics',
      'names no metrics; a gate with nothing to check would pass every model',
    )
  }
  return loaded
}

async function readPolicy(
  policyInput: string | undefined,
  config: MlopsConfig,
  configFile: string,
): Promise<LoadedPolicy> {
  if (policyInput?.trim()) {
    const p = policyInput.trim()
    if (!looksInline(p)) {
      if (!existsSync(p) || !statSync(p).isFile())
        throw new NotFoundError(
          `policy file '${p}' not found (relative to ${process.cwd()}). Pass a YAML/JSON file path or the policy itself as inline YAML.`,
        )
      return { policy: parsePolicy(await readFile(p, 'utf8'), p), source: p }
    }
    return { policy: parsePolicy(policyInput, "the 'policy' input"), source: "the 'policy' input" }
  }
  if (!config.gate)
    throw new ConfigError(
      { file: configFile },
      'gate',
      "no gate policy: add a 'gate:' section with 'metrics:' to the config file, or pass the 'policy' input",
    )
  return { policy: config.gate, source: configFile }
}
