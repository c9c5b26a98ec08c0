import type { FileLocation } from '../errors.js'

/**
 * The one logging port of the core. Actions plug in `@actions/core` (annotations, groups); the CLI plugs in
 * the console. Keeps `@actions/core` out of domain code so both share one core.
 */
export interface Logger {
  info(message: string): void
  debug(message: string): void
  notice(message: string, where?: FileLocation): void
  warning(message: string, where?: FileLocation): void
  error(message: string, where?: FileLocation): void
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
}

const at = (w?: FileLocation) => (w ? ` (${w.file}${w.line ? `:${w.line}` : ''})` : '')

/** A plain console logger for the CLI and other CI systems. */
export function consoleLogger(opts: { verbose?: boolean } = {}): Logger {
  return {
    info: (m) => console.log(m),
    debug: (m) => {
      if (opts.verbose) console.log(`debug: ${m}`)
    },
    notice: (m, w) => console.log(`notice: ${m}${at(w)}`),
    warning: (m, w) => console.error(`warning: ${m}${at(w)}`),
    error: (m, w) => console.error(`error: ${m}${at(w)}`),
    group: async (name, fn) => {
      console.log(`▸ ${name}`)
      return fn()
    },
  }
}

/** Discards everything; for tests and library use. */
export const silentLogger: Logger = {
  info() {},
  debug() {},
  notice() {},
  warning() {},
  error() {},
  group: (_n, fn) => fn(),
}
