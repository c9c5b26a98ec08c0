import { spawn } from 'node:child_process'
import type { Logger } from '../util/logger.js'
import { parseWorkflowCommand } from './file-commands.js'

export interface ChildRun {
  readonly exitCode: number
  readonly stdout: string
}

/**
 * Runs a step's process, streaming its output to the logger line by line. Workflow commands on stdout
 * (`::error::`, `::warning::`, `::notice::`, `::debug::`, `::group::`) become logger calls, and every
 * secret value is masked as `***`, as the runner does.
 */
export async function runChild(
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; log: Logger; masks: readonly string[]; timeoutMs?: number },
): Promise<ChildRun> {
  const masks = opts.masks.filter((m) => m.length >= 3)
  const mask = (s: string) => masks.reduce((t, m) => t.split(m).join('***'), s)
  let stdout = ''
  const emit = (line: string) => {
    const c = parseWorkflowCommand(line)
    if (!c) return opts.log.info(mask(line))
    const where = c.properties.file
      ? { file: c.properties.file, line: Number(c.properties.line) || undefined }
      : undefined
    const msg = mask(c.message)
    switch (c.command) {
      case 'error':
        return opts.log.error(msg, where)
      case 'warning':
        return opts.log.warning(msg, where)
      case 'notice':
        return opts.log.notice(msg, where)
      case 'debug':
        return opts.log.debug(msg)
      case 'group':
        return opts.log.info(`▸ ${msg}`)
      case 'add-mask':
        if (c.message.length >= 3) masks.push(c.message)
        return
      default:
        return // endgroup, add-matcher, echo, ...: nothing to show locally
    }
  }
  // With a timeout, the step gets its own process group so that everything it started is stopped with it.
  const detached = opts.timeoutMs !== undefined
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  })
  const lines = (onLine: (l: string) => void) => {
    let rest = ''
    return {
      push(chunk: Buffer) {
        rest += chunk.toString('utf8')
        const parts = rest.split(/\r?\n/)
        rest = parts.pop() ?? ''
        for (const p of parts) onLine(p)
      },
      end() {
        if (rest) onLine(rest)
        rest = ''
      },
    }
  }
  const out = lines((l) => {
    stdout += `${l}\n`
    emit(l)
  })
  const err = lines((l) => opts.log.info(mask(l)))
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          opts.log.error(
            `timed out after ${Number((opts.timeoutMs! / 60_000).toFixed(2))} minutes (timeout-minutes)`,
          )
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL')
          } catch {
            child.kill('SIGKILL')
          }
        }, opts.timeoutMs)
  child.stdout.on('data', (d: Buffer) => out.push(d))
  child.stderr.on('data', (d: Buffer) => err.push(d))
  const exitCode = await new Promise<number>((resolve) => {
    child.on('error', (e) => {
      opts.log.error(`cannot start '${command}': ${e.message}`)
      resolve(127)
    })
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  })
  clearTimeout(timer)
  out.end()
  err.end()
  return { exitCode, stdout }
}
