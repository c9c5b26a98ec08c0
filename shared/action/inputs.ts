import * as core from '@actions/core'
import { InputError } from '../errors.js'
import { DURATION_HINT, parseDuration } from '../util/duration.js'
import { closest } from '../util/suggest.js'

/**
 * Typed input readers. Every action reads its inputs once, through these, into a readonly settings object.
 * `required: true` in action.yml is not enforced by the runner, so `required` enforces it here.
 */

export const optional = (name: string): string | undefined => core.getInput(name) || undefined

export function required(name: string): string {
  const v = core.getInput(name)
  if (!v) throw new InputError(name, 'is required but was empty', `Set it under 'with:' in the workflow step`)
  return v
}

/** Strict YAML 1.2 booleans (true/True/TRUE/false/...); needs a `default:` in action.yml. */
export function bool(name: string, dflt?: boolean): boolean {
  if (!core.getInput(name) && dflt !== undefined) return dflt
  try {
    return core.getBooleanInput(name)
  } catch {
    throw new InputError(name, `must be 'true' or 'false'; got '${core.getInput(name)}'`)
  }
}

export function oneOf<T extends string>(name: string, allowed: readonly T[], dflt?: T): T {
  const v = core.getInput(name) || dflt
  if (v === undefined) throw new InputError(name, `is required; use one of ${allowed.join(', ')}`)
  if (!allowed.includes(v as T)) {
    const near = closest(v, allowed)
    throw new InputError(
      name,
      `must be one of ${allowed.join(', ')}; got '${v}'`,
      near ? `Did you mean '${near}'?` : undefined,
    )
  }
  return v as T
}

/** A list: one item per line, or comma-separated; blank items and `#` comment lines dropped. */
export function list(name: string): string[] {
  return core
    .getInput(name)
    .split(/\r?\n/)
    .filter((l) => !l.trim().startsWith('#'))
    .flatMap((l) => l.split(','))
    .map((s) => s.trim())
    .filter(Boolean)
}

/** A list where commas are part of items (globs with braces, commands): one item per line. */
export function lines(name: string): string[] {
  return core
    .getInput(name)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'))
}

export function number(
  name: string,
  opts: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const raw = core.getInput(name)
  if (!raw) return undefined
  const v = Number(raw)
  const kind = opts.integer ? 'an integer' : 'a number'
  if (!Number.isFinite(v) || (opts.integer && !Number.isInteger(v)))
    throw new InputError(name, `must be ${kind}; got '${raw}'`)
  if (opts.min !== undefined && v < opts.min)
    throw new InputError(name, `must be at least ${opts.min}; got ${v}`)
  if (opts.max !== undefined && v > opts.max)
    throw new InputError(name, `must be at most ${opts.max}; got ${v}`)
  return v
}

/** A duration in milliseconds. */
export function duration(name: string): number | undefined {
  const raw = core.getInput(name)
  if (!raw) return undefined
  const ms = parseDuration(raw)
  if (ms === undefined) throw new InputError(name, `is not a duration: '${raw}'`, DURATION_HINT)
  return ms
}

/** A secret: masked in the log before anything can print it. */
export function secret(name: string): string | undefined {
  const v = core.getInput(name)
  if (v) core.setSecret(v)
  return v || undefined
}
