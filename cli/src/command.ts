import type { Logger } from '../../shared/util/logger.js'

/** One `mlops` subcommand: the same core as its action, with the local forge and local storage. */
export interface Command {
  readonly name: string
  readonly summary: string
  readonly usage: string
  run(args: string[], log: Logger): Promise<number>
}
