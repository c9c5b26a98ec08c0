import type { Logger } from '../util/logger.js'
import { execFile, tail } from './exec.js'
import {
  checkWeight,
  ProviderError,
  type TrafficPhase,
  type TrafficProvider,
  type TrafficState,
} from './provider.js'

/**
 * The `command` provider runs the user's own shell commands (bash, like a workflow `run:` step with
 * `-eo pipefail`) to set a weight, promote and roll back: for a load balancer, service mesh or platform
 * the suite has no provider for.
 *
 * Placeholders `{weight}`, `{stable-weight}`, `{image}` and `{version}` are replaced by quoted references
 * to environment variables (`"$MLOPS_CANARY_WEIGHT"`, ...), never by the values themselves, so a value can
 * never be read as shell syntax, whatever it holds. The same variables are set for the commands to use.
 */
export interface CommandOptions {
  /** Sets the canary weight; required. */
  readonly setWeight: string
  /** Makes the canary the new stable; empty runs `setWeight` with 100. */
  readonly promote?: string
  /** Returns all traffic to stable; empty runs `setWeight` with 0. */
  readonly rollback?: string
  readonly image?: string
  readonly version?: string
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
}

const PLACEHOLDERS: Record<string, string> = {
  weight: 'MLOPS_CANARY_WEIGHT',
  'stable-weight': 'MLOPS_STABLE_WEIGHT',
  image: 'MLOPS_CANARY_IMAGE',
  version: 'MLOPS_CANARY_VERSION',
}

/** Replaces `{name}` placeholders with quoted variable references; unknown `{...}` are left alone. */
export function substitute(script: string): string {
  return script.replace(
    /\{(weight|stable-weight|image|version)\}/g,
    (_m, name: string) => `"\${${PLACEHOLDERS[name]}}"`,
  )
}

export class CommandProvider implements TrafficProvider {
  readonly name = 'command'
  private current: TrafficState = { canaryWeight: 0, phase: 'stable' }

  constructor(
    private readonly o: CommandOptions,
    private readonly log: Logger,
  ) {
    if (!o.setWeight.trim()) throw new ProviderError('command provider needs a set-weight command')
    const uses = (s: string | undefined, p: string) => !!s?.includes(`{${p}}`)
    for (const p of ['image', 'version'] as const) {
      const given = p === 'image' ? o.image : o.version
      if (!given && [o.setWeight, o.promote, o.rollback].some((s) => uses(s, p)))
        throw new ProviderError(`a command uses {${p}} but no ${p} was given`)
    }
  }

  async setWeight(canaryWeight: number): Promise<void> {
    await this.run('set-weight', this.o.setWeight, checkWeight(canaryWeight), 'progressing')
  }

  async promote(): Promise<void> {
    await this.run('promote', this.o.promote?.trim() || this.o.setWeight, 100, 'promoted')
  }

  async rollback(): Promise<void> {
    await this.run('rollback', this.o.rollback?.trim() || this.o.setWeight, 0, 'rolled-back')
  }

  async state(): Promise<TrafficState> {
    return this.current
  }

  private async run(what: string, script: string, weight: number, phase: TrafficPhase): Promise<void> {
    const env = {
      ...(this.o.env ?? process.env),
      MLOPS_CANARY_WEIGHT: String(weight),
      MLOPS_STABLE_WEIGHT: String(100 - weight),
      MLOPS_CANARY_IMAGE: this.o.image ?? '',
      MLOPS_CANARY_VERSION: this.o.version ?? '',
    }
    this.log.info(`command provider: ${what} (canary ${weight} %)`)
    const r = await execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', substitute(script)], {
      env,
      cwd: this.o.cwd,
      onOutput: (t) => {
        for (const l of t.replace(/\n$/, '').split('\n')) this.log.info(`  ${l}`)
      },
    })
    if (r.code !== 0)
      throw new ProviderError(
        `the ${what} command failed with exit code ${r.code} (canary ${weight} %):\n${tail(r.stderr || r.stdout)}`,
      )
    this.current = { canaryWeight: weight, phase }
  }
}
