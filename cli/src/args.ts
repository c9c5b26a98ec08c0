import { type ParseArgsConfig, parseArgs } from 'node:util'
import { InputError } from '../../shared/errors.js'

/** parseArgs with errors that name the flag, as the actions' errors name the input. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (e) {
    throw new InputError('command line', (e as Error).message.replace(/^.*?: /, ''), "See '--help'")
  }
}
