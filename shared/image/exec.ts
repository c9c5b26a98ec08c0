import { spawn } from 'node:child_process'

/**
 * The exec port: how the image core runs external programs (docker, buildah, podman). Tests pass a fake and
 * check the argument lists; secrets only ever travel on `stdin`, never in `args`.
 */
export interface ExecOptions {
  /** Written to the child's standard input, then closed (passwords for `login --password-stdin`). */
  readonly stdin?: string
  /** Added to (or, with `undefined`, removed from) the parent's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly cwd?: string
  /** Called with every line of stdout and stderr as it arrives (live build logs). */
  readonly onLine?: (line: string) => void
}

export interface ExecResult {
  /** The exit code; 127 when the program is not installed. */
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export type Exec = (cmd: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>

/** Runs a program with `child_process.spawn` (no shell, so no quoting or injection issues). */
export const nodeExec: Exec = (cmd, args, opts = {}) =>
  new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env }
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k]
      else env[k] = v
    }
    const child = spawn(cmd, [...args], { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const partial = { out: '', err: '' }
    const feed = (which: 'out' | 'err', text: string) => {
      if (!opts.onLine) return
      const parts = (partial[which] + text).split(/\r?\n/)
      partial[which] = parts.pop() ?? ''
      for (const l of parts) opts.onLine(l)
    }
    const flush = () => {
      for (const which of ['out', 'err'] as const) if (partial[which]) opts.onLine?.(partial[which])
    }
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8')
      feed('out', c.toString('utf8'))
    })
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8')
      feed('err', c.toString('utf8'))
    })
    child.on('error', (e: NodeJS.ErrnoException) => {
      resolve({ code: e.code === 'ENOENT' ? 127 : 126, stdout, stderr: `${stderr}${e.message}\n` })
    })
    child.on('close', (code, signal) => {
      flush()
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })
    })
    child.stdin.on('error', () => {})
    child.stdin.end(opts.stdin ?? '')
  })
