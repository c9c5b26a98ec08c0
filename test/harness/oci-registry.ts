import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** A real OCI distribution registry (Debian's `docker-registry`, distribution 2.8) on a free loopback port. */
export interface OciRegistryServer {
  /** `127.0.0.1:<port>` */
  readonly host: string
  readonly url: string
  close(): Promise<void>
}

export const hasDockerRegistry = () => spawnSync('docker-registry', ['--version']).status === 0

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/**
 * Starts `docker-registry serve` with a throw-away storage directory. In CI (`CI=true`) a missing binary is a
 * failure: `.ci/run` installs the `docker-registry` Debian package. `htpasswd` (bcrypt lines, as `htpasswd -B`
 * writes them) turns on basic auth.
 */
export async function startOciRegistry(opts: { htpasswd?: string } = {}): Promise<OciRegistryServer> {
  if (!hasDockerRegistry()) {
    throw new Error("docker-registry is not installed: 'apt-get install docker-registry' (.ci/run does this)")
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'oci-registry-'))
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  if (opts.htpasswd) await writeFile(path.join(dir, 'htpasswd'), opts.htpasswd)
  await writeFile(
    path.join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: error, accesslog: { disabled: true } }',
      `storage: { filesystem: { rootdirectory: ${dir}/data }, delete: { enabled: true } }`,
      `http: { addr: '${host}' }`,
      ...(opts.htpasswd ? [`auth: { htpasswd: { realm: test, path: ${dir}/htpasswd } }`] : []),
      '',
    ].join('\n'),
  )
  const child: ChildProcess = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (d) => (stderr += d))
  const url = `http://${host}`
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr}`)
    const ok = await fetch(`${url}/v2/`).then(
      (r) => r.status === 200 || (!!opts.htpasswd && r.status === 401),
      () => false,
    )
    if (ok) break
    if (i > 200) throw new Error(`docker-registry did not answer on ${url}: ${stderr}`)
    await sleep(50)
  }
  return {
    host,
    url,
    async close() {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
      await rm(dir, { recursive: true, force: true })
    },
  }
}
