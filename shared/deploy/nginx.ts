import { readdir, readFile } from 'node:fs/promises'
import { errorMessage } from '../errors.js'
import { writeFileAtomic } from '../util/fs.js'
import type { Logger } from '../util/logger.js'
import { type ExecResult, execFile, tail } from './exec.js'
import {
  checkWeight,
  ProviderError,
  type TrafficPhase,
  type TrafficProvider,
  type TrafficState,
} from './provider.js'

/**
 * The `nginx` provider renders one `upstream` block holding the stable and the canary servers with weights
 * into a file the user's nginx config `include`s, checks the whole config with `nginx -t` and reloads nginx
 * (`nginx -s reload`: in-flight requests finish on the old workers, no request is dropped).
 *
 * nginx rejects `weight=0`, so a side with 0 % is left out of the block (and named in a comment). nginx's
 * smooth weighted round-robin then splits requests exactly in the ratio of the weights.
 *
 * The applied weight and phase are kept in the file's first line, so a later process (the post step, the
 * CLI) can read them back.
 */
export interface NginxOptions {
  /** The file to write, e.g. `/etc/nginx/conf.d/model-upstream.conf`; the nginx config must include it. */
  readonly upstreamFile: string
  /** Name of the upstream block (`proxy_pass http://<name>;`). */
  readonly upstreamName: string
  /** Stable servers, `host:port` each. */
  readonly stable: readonly string[]
  /** Canary servers, `host:port` each. */
  readonly canary: readonly string[]
  /** The nginx program (default `nginx`). */
  readonly binary?: string
  /** The main nginx config, passed as `-c`; empty uses nginx's compiled-in default. */
  readonly mainConfig?: string
  /** Extra nginx command-line arguments (e.g. `-p prefix/`, `-e error.log`), before `-t` / `-s reload`. */
  readonly extraArgs?: readonly string[]
  /** Parameters appended to every server line, e.g. `max_fails=3 fail_timeout=10s`. */
  readonly serverParams?: string
}

const HEADER = '# mlops deploy-canary upstream; written by the action, do not edit. state: '

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/** The upstream block for a weight; exported for tests. */
export function renderUpstream(o: NginxOptions, canaryWeight: number, phase: TrafficPhase): string {
  const w = checkWeight(canaryWeight)
  if (o.stable.length === 0 || o.canary.length === 0)
    throw new ProviderError('nginx provider needs at least one stable and one canary server')
  // Per-server weights so each side's total is proportional to its share, whatever the server counts.
  let cw = w * o.stable.length
  let sw = (100 - w) * o.canary.length
  const g = gcd(cw, sw) || 1
  cw /= g
  sw /= g
  const params = o.serverParams?.trim() ? ` ${o.serverParams.trim()}` : ''
  const line = (addr: string, weight: number, role: string) =>
    weight > 0
      ? `    server ${addr} weight=${weight}${params};  # ${role}`
      : `    # ${role} ${addr} left out: weight 0 (nginx does not accept weight=0)`
  return [
    `${HEADER}${JSON.stringify({ canaryWeight: w, phase, stable: o.stable, canary: o.canary })}`,
    `upstream ${o.upstreamName} {`,
    ...o.stable.map((a) => line(a, sw, 'stable')),
    ...o.canary.map((a) => line(a, cw, 'canary')),
    '}',
    '',
  ].join('\n')
}

/** Reads the state line back from a rendered file; undefined when the file is missing or not ours. */
export function parseUpstreamState(text: string): TrafficState | undefined {
  return parseUpstreamRecord(text)?.state
}

/** The state line with the servers it was written for. */
function parseUpstreamRecord(
  text: string,
): { state: TrafficState; stable: readonly string[]; canary: readonly string[] } | undefined {
  const first = text.split('\n', 1)[0] ?? ''
  if (!first.startsWith(HEADER)) return undefined
  try {
    const s = JSON.parse(first.slice(HEADER.length)) as TrafficState & {
      stable?: string[]
      canary?: string[]
    }
    if (typeof s.canaryWeight !== 'number') return undefined
    return {
      state: { canaryWeight: s.canaryWeight, phase: s.phase },
      stable: s.stable ?? [],
      canary: s.canary ?? [],
    }
  } catch {
    return undefined
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Pids whose parent is `pid` (Linux /proc); undefined where there is no /proc. */
async function childrenOf(pid: number): Promise<Set<number> | undefined> {
  let entries: string[]
  try {
    entries = await readdir('/proc')
  } catch {
    return undefined
  }
  const out = new Set<number>()
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => '')
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (ppid === pid) out.add(Number(e))
  }
  return out
}

/** The `pid` directive of a `nginx -T` dump (the main config's; comments ignored). */
export function pidDirective(dump: string): string | undefined {
  for (const raw of dump.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim()
    const m = /^pid\s+([^;\s]+)\s*;/.exec(line)
    if (m) return m[1]
  }
  return undefined
}

const validAddress = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$|^unix:[^\s;{}]+$/

export class NginxProvider implements TrafficProvider {
  readonly name = 'nginx'

  constructor(
    private readonly o: NginxOptions,
    private readonly log: Logger,
  ) {
    for (const a of [...o.stable, ...o.canary])
      if (!validAddress.test(a))
        throw new ProviderError(`nginx server address '${a}' is not host:port (or unix:/path)`)
    if (!/^[A-Za-z0-9_.-]+$/.test(o.upstreamName))
      throw new ProviderError(
        `nginx upstream name '${o.upstreamName}' may hold letters, digits, '_', '.', '-'`,
      )
    if (o.serverParams && /[;{}#\n]/.test(o.serverParams))
      throw new ProviderError(`nginx server parameters may not contain ';', '{', '}', '#' or newlines`)
  }

  private args(...rest: string[]): string[] {
    return [...(this.o.mainConfig ? ['-c', this.o.mainConfig] : []), ...(this.o.extraArgs ?? []), ...rest]
  }

  private async nginx(...rest: string[]): Promise<ExecResult> {
    return execFile(this.o.binary ?? 'nginx', this.args(...rest))
  }

  private async masterPid(dump: string): Promise<number | undefined> {
    let file = pidDirective(dump)
    if (!file) {
      const v = await this.nginx('-V').catch(() => undefined)
      file = /--pid-path=(\S+)/.exec(`${v?.stderr ?? ''}${v?.stdout ?? ''}`)?.[1]
    }
    if (!file) return undefined
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  }

  /**
   * `nginx -s reload` only signals the master. Wait until it has started workers with the new config (a
   * new child appears) and, for a few seconds, until the old workers have finished their requests and
   * exited, so that "rolled back" means new requests really go to stable.
   */
  private async awaitReload(master: number, before: Set<number>): Promise<void> {
    const deadline = Date.now() + 10_000
    for (;;) {
      const now = (await childrenOf(master)) ?? new Set<number>()
      const fresh = [...now].some((p) => !before.has(p))
      const oldLeft = [...now].filter((p) => before.has(p)).length
      if (fresh && oldLeft === 0) return
      if (Date.now() > deadline) {
        if (!fresh)
          this.log.warning(`nginx (pid ${master}) did not start new workers within 10 s of the reload`)
        else
          this.log.info(
            `nginx: ${oldLeft} old worker(s) still finishing requests; new requests use the new weights`,
          )
        return
      }
      await sleep(50)
    }
  }

  async prepare(): Promise<void> {
    // After a promotion the canary servers carry all traffic: they are this rollout's stable. Starting
    // stable-only with the old stable servers would silently move all traffic back to the old version.
    const previous = parseUpstreamRecord(await readFile(this.o.upstreamFile, 'utf8').catch(() => ''))
    const same = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join()
    if (previous?.state.phase === 'promoted' && !same(previous.canary, this.o.stable))
      throw new ProviderError(
        `nginx: the last rollout promoted ${previous.canary.join(', ')}, which now serve all traffic; pass them as 'stable-servers' (and the new version's servers as 'canary-servers'), or traffic would go back to ${this.o.stable.join(', ')}`,
      )
    // Start from stable only (a promoted previous rollout's canary is this rollout's stable), and prove the
    // user's config includes our file and reloads, before any traffic moves.
    await this.apply(0, 'stable')
  }

  async setWeight(canaryWeight: number): Promise<void> {
    await this.apply(canaryWeight, 'progressing')
  }

  async promote(): Promise<void> {
    await this.apply(100, 'promoted')
  }

  async rollback(): Promise<void> {
    await this.apply(0, 'rolled-back')
  }

  async state(): Promise<TrafficState> {
    try {
      return (
        parseUpstreamState(await readFile(this.o.upstreamFile, 'utf8')) ?? {
          canaryWeight: 0,
          phase: 'stable',
        }
      )
    } catch {
      return { canaryWeight: 0, phase: 'stable' }
    }
  }

  private async apply(weight: number, phase: TrafficPhase): Promise<void> {
    const text = renderUpstream(this.o, weight, phase)
    let previous: string | undefined
    try {
      previous = await readFile(this.o.upstreamFile, 'utf8')
    } catch {
      previous = undefined
    }
    await writeFileAtomic(this.o.upstreamFile, text)
    const restore = async () => {
      if (previous !== undefined) await writeFileAtomic(this.o.upstreamFile, previous).catch(() => {})
    }
    let test: ExecResult
    try {
      // -T tests the config like -t, and prints it: the `pid` directive says where the master's pid is.
      test = await this.nginx('-T', '-q')
    } catch (e) {
      await restore()
      throw new ProviderError(`nginx: could not run '${this.o.binary ?? 'nginx'} -t': ${errorMessage(e)}`)
    }
    if (test.code !== 0) {
      await restore()
      throw new ProviderError(
        `nginx -t rejected the config with the canary at ${weight} %; the previous upstream file was restored. Does your nginx config include ${this.o.upstreamFile}?\n${tail(test.stderr || test.stdout)}`,
      )
    }
    const master = await this.masterPid(test.stdout)
    const before = master ? await childrenOf(master) : undefined
    const reload = await this.nginx('-s', 'reload')
    if (reload.code !== 0) {
      await restore()
      throw new ProviderError(
        `nginx -s reload failed with the canary at ${weight} % (is nginx running with this config?):\n${tail(reload.stderr || reload.stdout)}`,
      )
    }
    if (master && before) await this.awaitReload(master, before)
    else await sleep(1000)
    this.log.info(`nginx: upstream '${this.o.upstreamName}' now sends ${weight} % to the canary (${phase})`)
  }
}
