import * as core from '@actions/core'
import * as inputs from '../../../shared/action/inputs.js'
import { InputError } from '../../../shared/errors.js'
import { BACKENDS, parseRef } from '../../../shared/registry/registry.js'

export const Input = {
  Name: 'name',
  Version: 'version',
  FromAlias: 'from-alias',
  ToAlias: 'to-alias',
  Reason: 'reason',
  Deployment: 'deployment',
  Backend: 'backend',
  Registry: 'registry',
  RegistryUsername: 'registry-username',
  RegistryPassword: 'registry-password',
  Config: 'config',
  GithubToken: 'github-token',
} as const

export const Output = {
  Version: 'version',
  PreviousVersion: 'previous-version',
  DeploymentId: 'deployment-id',
} as const

export interface Settings {
  readonly name?: string
  readonly version?: number | 'previous'
  readonly fromAlias?: string
  readonly toAlias: string
  readonly reason?: string
  readonly deployment: boolean
  readonly backend: 'auto' | (typeof BACKENDS)[number]
  readonly registry?: string
  readonly registryUsername?: string
  readonly registryPassword?: string
  readonly config: string
  readonly token?: string
}

function version(): number | 'previous' | undefined {
  const raw = inputs.optional(Input.Version)
  if (raw === undefined) return undefined
  if (raw.trim() === 'previous') return 'previous'
  const v = parseRef(raw)
  if (typeof v !== 'number' || v < 1)
    throw new InputError(Input.Version, `must be a version number or 'previous'; got '${raw}'`)
  return v
}

export function getSettings(): Settings {
  const s: Settings = {
    name: inputs.optional(Input.Name),
    version: version(),
    fromAlias: inputs.optional(Input.FromAlias),
    toAlias: inputs.required(Input.ToAlias),
    reason: inputs.optional(Input.Reason),
    deployment: inputs.bool(Input.Deployment, true),
    backend: inputs.oneOf(Input.Backend, ['auto', ...BACKENDS], 'auto'),
    registry: inputs.optional(Input.Registry),
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
