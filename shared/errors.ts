/**
 * Named errors, so callers can tell a user's mistake (bad input, bad config) from a permission problem or a
 * transient fault, and so the message always says what is wrong, where, and what to do.
 */
export class MlopsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

/** An action input (or CLI flag) has a bad value. */
export class InputError extends MlopsError {
  constructor(
    readonly input: string,
    detail: string,
    readonly hint?: string,
  ) {
    super(`Input '${input}' ${detail}${hint ? `. ${hint}` : ''}`)
  }
}

/** Where in a user's file a problem is; becomes an `::error file=…,line=…::` annotation in Actions. */
export interface FileLocation {
  readonly file: string
  readonly line?: number
  readonly column?: number
}

/** A config or data file is malformed: names the file, line, column and key path. */
export class ConfigError extends MlopsError {
  constructor(
    readonly location: FileLocation,
    readonly keyPath: string,
    readonly detail: string,
  ) {
    const where = [location.file, location.line, location.column].filter((p) => p !== undefined).join(':')
    super(`${where}: ${keyPath ? `${keyPath}: ` : ''}${detail}`)
  }
}

/** The token lacks a permission; retrying cannot help. */
export class PermissionError extends MlopsError {
  constructor(
    message: string,
    readonly permission?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Something expected was not there (a file, a model version, a PR). */
export class NotFoundError extends MlopsError {}

/** Turns anything thrown into a one-line message; never loses a non-Error throw. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name
  if (typeof e === 'string') return e
  try {
    return JSON.stringify(e) ?? String(e)
  } catch {
    return String(e)
  }
}
