import { z } from 'zod'
import { closest } from '../util/suggest.js'

/**
 * A strict object schema whose unknown-key error lists the allowed keys and the likely intended one, so a
 * typo such as `nulable` says "did you mean 'nullable'?" instead of passing silently.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape)
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined
      const keys = issue.keys as string[]
      const hints = keys
        .map((k) => [k, closest(k, allowed)] as const)
        .filter(([, c]) => c)
        .map(([k, c]) => `'${k}' → did you mean '${c}'?`)
      return `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}${
        hints.length ? ` (${hints.join('; ')})` : ''
      }; allowed keys: ${allowed.join(', ')}`
    },
  })
}
