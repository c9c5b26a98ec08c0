import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

/**
 * A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) on a free loopback port, with
 * its storage in a temp directory. Optional htpasswd auth (bcrypt lines, as `htpasswd -B` writes them).
 */
export interface OciRegistry {
  /** `127.0.0.1:PORT`, the host part of image references. */
  readonly host: string
  readonly url: string
  readonly dir: string
  readonly log: () => string
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

export async function startOciRegistry(opts: { htpasswd?: string } = {}): Promise<OciRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'oci-registry-'))
  const port = await freePort()
  const auth: string[] = []
  if (opts.htpasswd) {
    await writeFile(path.join(dir, 'htpasswd'), opts.htpasswd)
    auth.push('auth:', '  htpasswd:', '    realm: test', `    path: ${path.join(dir, 'htpasswd')}`)
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...auth,
    '',
  ].join('\n')
  await writeFile(path.join(dir, 'config.yml'), config)
  let out = ''
  const child: ChildProcess = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (d) => (out += d))
  child.stderr?.on('data', (d) => (out += d))
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) =>
      reject(new Error(`docker-registry could not start (apt-get install docker-registry): ${e.message}`)),
    ),
  )
  const url = `http://127.0.0.1:${port}`
  const ready = (async () => {
    for (let i = 0; i < 150; i++) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}):\n${out}`)
      try {
        const r = await fetch(`${url}/v2/`)
        if (r.status === 200 || r.status === 401) return
      } catch {}
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`docker-registry did not answer on ${url}:\n${out}`)
  })()
  await Promise.race([ready, spawnError])
  return {
    host: `127.0.0.1:${port}`,
    url,
    dir,
    log: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
