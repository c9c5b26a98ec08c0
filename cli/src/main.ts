import { ConfigError, errorMessage, InputError, MlopsError } from '../../shared/errors.js'
import { consoleLogger } from '../../shared/util/logger.js'
import { closest } from '../../shared/util/suggest.js'
import type { Command } from './command.js'
import { buildImageCommand } from './commands/build-image.js'
import { deployCanaryCommand } from './commands/deploy-canary.js'
import { evaluateCommand } from './commands/evaluate.js'
import { monitorCommand } from './commands/monitor.js'
import { historyCommand, modelsCommand, promoteCommand, registerCommand } from './commands/registry.js'
import { reportCommand } from './commands/report.js'
import { runCommand } from './commands/run.js'
import { trainCommand } from './commands/train.js'
import { inferSchemaCommand, profileCommand, validateDataCommand } from './commands/validate-data.js'

export const commands: readonly Command[] = [
  validateDataCommand,
  profileCommand,
  inferSchemaCommand,
  evaluateCommand,
  registerCommand,
  promoteCommand,
  modelsCommand,
  historyCommand,
  buildImageCommand,
  deployCanaryCommand,
  monitorCommand,
  reportCommand,
  runCommand,
  trainCommand,
]

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    'mlops — the mlops-actions core, locally and in other CI systems',
    '',
    'Usage: mlops <command> [options]     (mlops <command> --help for its options)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Results that would go to GitHub are written under .mlops/ (outbox, records, artifacts).',
  ].join('\n')
}

/** Runs one command; returns the exit code. Errors print as one line, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help())
    return 0
  }
  const cmd = commands.find((c) => c.name === name)
  if (!cmd) {
    const near = closest(
      name,
      commands.map((c) => c.name),
    )
    console.error(
      `mlops: unknown command '${name}'.${near ? ` Did you mean '${near}'?` : ''} See 'mlops --help'.`,
    )
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${cmd.summary}\n\nUsage: ${cmd.usage}`)
    return 0
  }
  const log = consoleLogger({ verbose: !!process.env.MLOPS_DEBUG })
  try {
    return await cmd.run(rest, log)
  } catch (e) {
    if (process.env.MLOPS_DEBUG && e instanceof Error) console.error(e.stack)
    const known = e instanceof MlopsError || e instanceof ConfigError || e instanceof InputError
    console.error(`mlops ${name}: ${known ? '' : 'unexpected error: '}${errorMessage(e)}`)
    return 1
  }
}
