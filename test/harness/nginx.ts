import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { freePort } from './prometheus.js'

/**
 * Starts a real nginx (Debian's `nginx` package) as a traffic splitter for tests: its own config, pid file,
 * logs and temp paths under a temp dir, listening on a free loopback port, proxying everything to the
 * upstream block in `upstreamFile` (which the code under test rewrites and reloads). It runs in the
 * foreground (`daemon off`) as a child of the test, so it cannot outlive it.
 */
export interface NginxInstance {
  readonly url: string
  readonly port: number
  readonly dir: string
  /** The main config: pass as `-c`. */
  readonly configFile: string
  /** The included file holding `upstream <name> { ... }`. */
  readonly upstreamFile: string
  /** Arguments every nginx call needs besides `-c` (the error log under the temp dir). */
  readonly extraArgs: readonly string[]
  close(): Promise<void>
  log(): Promise<string>
}

const BIN = process.env.NGINX_BIN ?? 'nginx'

const onPath = (bin: string) =>
  bin.includes('/')
    ? existsSync(bin)
    : [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin'].some((d) =>
        existsSync(path.join(d, bin)),
      )

export function nginxAvailable(): boolean {
  return onPath(BIN)
}

/** In CI a missing nginx is a failure, never a skip; locally it lets `describe.skipIf` skip. */
export function requireNginx(): boolean {
  const ok = nginxAvailable()
  if (!ok && process.env.CI === 'true')
    throw new Error("nginx not found in CI: install Debian's 'nginx' package (.ci/run does)")
  return ok
}

export async function startNginx(opts: {
  /** Address the upstream starts with (all traffic), e.g. the stable server. */
  readonly initialServer: string
  readonly upstreamName?: string
}): Promise<NginxInstance> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nginx-'))
  const port = await freePort()
  const name = opts.upstreamName ?? 'model'
  const upstreamFile = path.join(dir, 'upstream.conf')
  const configFile = path.join(dir, 'nginx.conf')
  const errorLog = path.join(dir, 'error.log')
  await writeFile(upstreamFile, `upstream ${name} { server ${opts.initialServer}; }\n`)
  await writeFile(
    configFile,
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${errorLog} warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (t) => `  ${t}_temp_path ${dir}/${t}_temp;`,
      ),
      `  include ${upstreamFile};`,
      '  server {',
      `    listen 127.0.0.1:${port};`,
      '    location / {',
      `      proxy_pass http://${name};`,
      '      proxy_next_upstream off;',
      '      proxy_http_version 1.1;',
      '      proxy_set_header Connection "";',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  )
  const extraArgs = ['-e', errorLog]
  const child: ChildProcess = spawn(BIN, ['-c', configFile, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 15_000
  for (;;) {
    // Any HTTP answer (even 502 when the upstream is not up yet) means nginx is listening.
    const up = await fetch(`${url}/`)
      .then(() => true)
      .catch(() => false)
    if (up && existsSync(path.join(dir, 'nginx.pid'))) break
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${output}`)
    if (Date.now() > deadline) throw new Error(`nginx not listening after 15 s:\n${output}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    url,
    port,
    dir,
    configFile,
    upstreamFile,
    extraArgs,
    async close() {
      if (child.exitCode === null) {
        const done = new Promise((r) => child.once('exit', r))
        child.kill('SIGQUIT')
        const t = setTimeout(() => child.kill('SIGKILL'), 5000)
        await done
        clearTimeout(t)
      }
      await rm(dir, { recursive: true, force: true })
    },
    log: async () => `${output}${await readFile(errorLog, 'utf8').catch(() => '')}`,
  }
}
