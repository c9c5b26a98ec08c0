import { readdirSync, readFileSync } from 'node:fs'

/**
 * The processes of one process group, read from /proc (Linux). The training command runs as the leader of
 * its own group, so its whole tree — shells, interpreters, workers — shares that group id unless a process
 * deliberately leaves it (setsid).
 */
export function groupMembers(pgid: number): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  const out: number[] = []
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue
    const stat = readProc(`/proc/${e}/stat`)
    if (!stat) continue
    // Fields after the command name, which is in parentheses and may hold spaces: state ppid pgrp ...
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (rest[0] === 'Z' || rest[0] === 'X') continue // exited, only waiting to be reaped
    if (Number(rest[2]) === pgid) out.push(Number(e))
  }
  return out
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined // the process ended between listing and reading
  }
}

const kb = (status: string, field: string) => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
  return m ? Number(m[1]) * 1024 : 0
}

/** Resident memory of the group now, and the largest high-water mark of any one of its processes. */
export function groupMemory(pgid: number): { rss: number; maxHwm: number } {
  let rss = 0
  let maxHwm = 0
  for (const pid of groupMembers(pgid)) {
    const status = readProc(`/proc/${pid}/status`)
    if (!status) continue
    rss += kb(status, 'VmRSS')
    maxHwm = Math.max(maxHwm, kb(status, 'VmHWM'))
  }
  return { rss, maxHwm }
}

/** Signals every process of a group; false when none is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch {
    return false
  }
}
