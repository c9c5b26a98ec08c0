import * as core from '@actions/core'
import * as inputs from '../../../shared/action/inputs.js'
import { InputError } from '../../../shared/errors.js'
import { BUILDERS, type BuilderChoice } from '../../../shared/image/builders.js'

export const Input = {
  Model: 'model',
  ModelPath: 'model-path',
  ModelName: 'model-name',
  ModelVersion: 'model-version',
  RunId: 'run-id',
  Flavor: 'flavor',
  Dockerfile: 'dockerfile',
  Context: 'context',
  Image: 'image',
  Tags: 'tags',
  Push: 'push',
  Builder: 'builder',
  Platforms: 'platforms',
  BaseImage: 'base-image',
  Requirements: 'requirements',
  BuildArgs: 'build-args',
  RegistryUsername: 'registry-username',
  RegistryPassword: 'registry-password',
  Backend: 'backend',
  ModelRegistry: 'model-registry',
  Config: 'config',
  GithubToken: 'github-token',
} as const

export const Output = {
  Image: 'image',
  Digest: 'digest',
  Tags: 'tags',
  Dockerfile: 'dockerfile',
  Builder: 'builder',
  RunRecord: 'run-record',
} as const

export interface Settings {
  readonly model?: string
  readonly modelPath?: string
  readonly modelName?: string
  readonly modelVersion?: string
  readonly runId?: string
  readonly flavor?: string
  readonly dockerfile?: string
  readonly context?: string
  readonly image?: string
  readonly tags: readonly string[]
  readonly push: boolean
  readonly builder: BuilderChoice
  readonly platforms: readonly string[]
  readonly baseImage?: string
  readonly requirements?: string
  readonly buildArgs: Readonly<Record<string, string>>
  readonly credentials?: { readonly username: string; readonly password: string }
  readonly backend?: string
  readonly modelRegistry?: string
  readonly config: string
  readonly token?: string
}

export function getSettings(): Settings {
  const username = inputs.optional(Input.RegistryUsername)
  const password = inputs.secret(Input.RegistryPassword)
  if (!!username !== !!password) {
    throw new InputError(
      username ? Input.RegistryPassword : Input.RegistryUsername,
      'is empty while its partner is set',
      "Give both 'registry-username' and 'registry-password', or neither",
    )
  }
  const s: Settings = {
    model: inputs.optional(Input.Model),
    modelPath: inputs.optional(Input.ModelPath),
    modelName: inputs.optional(Input.ModelName),
    modelVersion: inputs.optional(Input.ModelVersion),
    runId: inputs.optional(Input.RunId),
    flavor: inputs.optional(Input.Flavor),
    dockerfile: inputs.optional(Input.Dockerfile),
    context: inputs.optional(Input.Context),
    image: inputs.optional(Input.Image),
    tags: inputs.list(Input.Tags),
    push: inputs.bool(Input.Push, true),
    builder: inputs.oneOf(Input.Builder, BUILDERS, 'auto'),
    platforms: inputs.list(Input.Platforms),
    baseImage: inputs.optional(Input.BaseImage),
    requirements: inputs.optional(Input.Requirements),
    buildArgs: parseBuildArgs(inputs.lines(Input.BuildArgs)),
    credentials: username && password ? { username, password } : undefined,
    backend: inputs.optional(Input.Backend),
    modelRegistry: inputs.optional(Input.ModelRegistry),
    config: inputs.optional(Input.Config) ?? 'mlops.yaml',
    token: inputs.optional(Input.GithubToken),
  }
  core.debug(
    `settings: ${JSON.stringify({ ...s, credentials: s.credentials ? { username: s.credentials.username, password: '***' } : undefined, token: s.token ? '***' : '' })}`,
  )
  return s
}

export function parseBuildArgs(lines: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const l of lines) {
    const eq = l.indexOf('=')
    if (eq <= 0) throw new InputError(Input.BuildArgs, `'${l}' is not KEY=value`)
    out[l.slice(0, eq).trim()] = l.slice(eq + 1)
  }
  return out
}
