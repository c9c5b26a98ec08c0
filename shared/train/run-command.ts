import { spawn } from 'node:child_process'
import { groupMembers, groupMemory, signalGroup } from './process-tree.js'

export interface CommandOptions {
  readonly command: string
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  /** Stop the whole process tree after this many milliseconds. */
  readonly maxDurationMs?: number
  /** Between TERM and KILL when stopping. */
  readonly killGraceMs?: number
  /** Stop the tree and finish normally when this process gets SIGINT or SIGTERM (a cancelled job). */
  readonly forwardSignals?: boolean
  /** How often the memory of the tree is sampled. */
  readonly sampleEveryMs?: number
  /** Where each line of output goes as it arrives. */
  readonly onLine: (line: string) => void
}

export interface CommandResult {
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
  readonly timedOut: boolean
  /** The signal that cancelled the run (this process got it, and stopped the tree). */
  readonly cancelledBy?: NodeJS.Signals
  readonly durationMs: number
  /** Peak resident memory of the process tree, in bytes; undefined where /proc is not there. */
  readonly peakMemoryBytes?: number
  /** The last lines of output, for error messages. */
  readonly tail: readonly string[]
  /** Processes still running in the group after the command exited; they were stopped. */
  readonly leftoverProcesses: number
}

const TAIL = 20
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']

/**
 * Runs a command with bash (`set -eo pipefail`) as the leader of a new process group, streaming its output
 * line by line. Past `maxDurationMs` the whole group gets SIGTERM, then SIGKILL after the grace period, so
 * children and grandchildren stop too. Resolves once the command and every process of its group are gone.
 */
export function runCommand(o: CommandOptions): Promise<CommandResult> {
  const started = Date.now()
  let timedOut = false
  let cancelledBy: NodeJS.Signals | undefined
  let killTimer: NodeJS.Timeout | undefined
  let pgid: number | undefined
  const stop = () => {
    const group = pgid
    if (group === undefined || killTimer) return
    signalGroup(group, 'SIGTERM')
    killTimer = setTimeout(() => signalGroup(group, 'SIGKILL'), o.killGraceMs ?? 5000)
  }
  // The command runs in its own session, out of reach of a signal meant for us: when the job is cancelled
  // (the runner sends SIGINT, then SIGTERM), stop its whole tree the same way, then finish the record.
  // Hooked before the spawn, so no signal can slip in between.
  const onSignal = (signal: NodeJS.Signals) => {
    cancelledBy ??= signal
    stop()
  }
  if (o.forwardSignals) for (const sig of FORWARDED) process.on(sig, onSignal)
  const unhook = () => {
    for (const sig of FORWARDED) process.off(sig, onSignal)
  }

  const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', o.command], {
    cwd: o.cwd,
    env: o.env,
    detached: true, // setsid: a new session and process group led by the child
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  pgid = child.pid
  if (cancelledBy) stop()
  const closed = new Promise((r) => child.on('close', r))
  const tail: string[] = []
  const emit = (line: string) => {
    tail.push(line)
    if (tail.length > TAIL) tail.shift()
    o.onLine(line)
  }
  const splitter = () => {
    let partial = ''
    return {
      push(chunk: Buffer) {
        const lines = (partial + chunk.toString('utf8')).split(/\r?\n/)
        partial = lines.pop() ?? ''
        for (const l of lines) emit(l)
      },
      flush() {
        if (partial) emit(partial)
        partial = ''
      },
    }
  }
  const out = splitter()
  const err = splitter()
  child.stdout.on('data', (d: Buffer) => out.push(d))
  child.stderr.on('data', (d: Buffer) => err.push(d))

  let peak = 0
  let sampled = false
  const sample = () => {
    if (pgid === undefined) return
    const m = groupMemory(pgid)
    if (m.rss || m.maxHwm) sampled = true
    peak = Math.max(peak, m.rss, m.maxHwm)
  }
  // Sampled often at first, then every sampleEveryMs: a short command (a few hundred ms) still gets its
  // high-water mark read while it runs, not only the shell's as it starts.
  let sampler: NodeJS.Timeout | undefined
  const every = o.sampleEveryMs ?? 250
  const next = (delay: number) => {
    sampler = setTimeout(() => {
      sample()
      next(Math.min(every, delay * 2))
    }, delay)
  }
  sample()
  next(Math.min(every, 10))

  const deadline =
    o.maxDurationMs !== undefined && pgid !== undefined
      ? setTimeout(() => {
          timedOut = true
          stop()
        }, o.maxDurationMs)
      : undefined

  return new Promise((resolve, reject) => {
    child.on('error', (e) => {
      unhook()
      clearTimeout(sampler)
      if (deadline) clearTimeout(deadline)
      reject(e)
    })
    child.on('exit', async (code, signal) => {
      if (deadline) clearTimeout(deadline)
      // Whatever is left of the group — everything on a timeout, background jobs after a normal exit —
      // is stopped too: TERM, then KILL after the grace period. The step ends only when the group is gone.
      let leftover = 0
      if (pgid !== undefined) {
        leftover = timedOut || cancelledBy ? 0 : groupMembers(pgid).length
        if (leftover > 0) {
          signalGroup(pgid, 'SIGTERM')
          killTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), o.killGraceMs ?? 5000)
        }
        const giveUp = Date.now() + (o.killGraceMs ?? 5000) + 10_000
        while (groupMembers(pgid).length > 0 && Date.now() < giveUp)
          await new Promise((r) => setTimeout(r, 100))
      }
      if (killTimer) clearTimeout(killTimer)
      clearTimeout(sampler)
      unhook()
      // Output still buffered in the pipes arrives before 'close'; a background process that keeps the
      // pipes open must not hold the step forever, so wait briefly only.
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))])
      child.stdout.destroy()
      child.stderr.destroy()
      out.flush()
      err.flush()
      resolve({
        exitCode: code,
        signal,
        timedOut,
        cancelledBy,
        durationMs: Date.now() - started,
        peakMemoryBytes: sampled ? peak : undefined,
        tail,
        leftoverProcesses: leftover,
      })
    })
  })
}

/** A one-line reason for a failed command, naming the input to fix. */
export function failureMessage(r: CommandResult, command: string, maxDuration?: string): string {
  if (r.cancelledBy) {
    return `Cancelled (${r.cancelledBy}): the training command and its whole process tree were stopped`
  }
  if (r.timedOut) {
    return `Input 'max-duration': the command ran past ${maxDuration ?? 'its time limit'} and was stopped with its whole process tree (SIGTERM, then SIGKILL)`
  }
  const last = r.tail.filter((l) => l.trim()).slice(-1)[0]
  if (r.exitCode === 127)
    return `Input 'command': command not found (exit code 127) in '${command}'${last ? `: ${last}` : ''}`
  if (r.signal) return `Input 'command': the command was killed by ${r.signal}`
  return `Input 'command': the command exited with code ${r.exitCode}${last ? `; last output: ${last}` : ''}`
}
