import * as core from '@actions/core'
import * as inputs from '../../../shared/action/inputs.js'
import { BACKENDS } from '../../../shared/registry/registry.js'
import { DEFAULT_RECORDS_DIR } from '../../../shared/run-record/io.js'

export const Input = {
  Name: 'name',
  ModelPath: 'model-path',
  Backend: 'backend',
  Registry: 'registry',
  Version: 'version',
  Alias: 'alias',
  RunRecords: 'run-records',
  IntendedUse: 'intended-use',
  RegistryUsername: 'registry-username',
  RegistryPassword: 'registry-password',
  Config: 'config',
  GithubToken: 'github-token',
} as const

export const Output = {
  Version: 'version',
  Uri: 'uri',
  Digest: 'digest',
  ModelCard: 'model-card',
  Created: 'created',
} as const

export interface Settings {
  readonly name?: string
  readonly modelPath?: string
  readonly backend: 'auto' | (typeof BACKENDS)[number]
  readonly registry?: string
  readonly version?: number
  readonly alias?: string
  readonly runRecords: readonly string[]
  readonly intendedUse?: string
  readonly registryUsername?: string
  readonly registryPassword?: string
  readonly config: string
  readonly token?: string
}

export function getSettings(): Settings {
  const runRecords = inputs.lines(Input.RunRecords)
  const s: Settings = {
    name: inputs.optional(Input.Name),
    modelPath: inputs.optional(Input.ModelPath),
    backend: inputs.oneOf(Input.Backend, ['auto', ...BACKENDS], 'auto'),
    registry: inputs.optional(Input.Registry),
    version: inputs.number(Input.Version, { integer: true, min: 1 }),
    alias: inputs.optional(Input.Alias),
    runRecords: runRecords.length ? runRecords : [`${DEFAULT_RECORDS_DIR}/**/*.json`],
    intendedUse: inputs.optional(Input.IntendedUse),
    registryUsername: inputs.optional(Input.RegistryUsername),
    registryPassword: inputs.secret(Input.RegistryPassword),
    config: inputs.optional(Input.Config) ?? 'mlops.yaml',
    token: inputs.secret(Input.GithubToken),
  }
  if (s.registryUsername && s.registryPassword) {
    // The basic credential derived from them travels in headers: mask it too.
    core.setSecret(Buffer.from(`${s.registryUsername}:${s.registryPassword}`).toString('base64'))
  }
  core.debug(
    `settings: ${JSON.stringify({ ...s, token: s.token ? '***' : '', registryPassword: s.registryPassword ? '***' : '' })}`,
  )
  return s
}
