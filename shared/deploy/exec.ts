import { spawn } from 'node:child_process'

export interface ExecResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface ExecOptions {
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
  /** Called with each chunk of output, for live logs. */
  readonly onOutput?: (text: string) => void
}

/** Runs a program without a shell (arguments are never interpreted); never throws on a non-zero exit. */
export function execFile(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d
      opts.onOutput?.(String(d))
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d
      opts.onOutput?.(String(d))
    })
    child.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ENOENT' ? reject(new Error(`'${file}' was not found on PATH`)) : reject(e),
    )
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }))
  })
}

/** The last few lines of a command's output, for error messages. */
export function tail(text: string, lines = 8): string {
  return text.trim().split(/\r?\n/).slice(-lines).join('\n')
}
