import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Everything buildah, podman and skopeo need to run as a test, under one temp directory and through the
 * containers' own environment variables, so the action under test runs them with no special flags:
 * vfs storage (`CONTAINERS_STORAGE_CONF`), chroot isolation (`BUILDAH_ISOLATION`), plain-HTTP loopback
 * registries (`CONTAINERS_REGISTRIES_CONF`), and runc with host networking and cgroupfs (`CONTAINERS_CONF`).
 */
export interface ContainersEnv {
  readonly dir: string
  readonly env: Record<string, string>
  /** Runs a tool (buildah, podman, skopeo) in this environment; throws with its output on failure. */
  tool(cmd: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<string>
  cleanup(): Promise<void>
}

export async function containersEnv(insecureRegistries: readonly string[]): Promise<ContainersEnv> {
  const dir = await mkdtemp(path.join(tmpdir(), 'containers-'))
  await mkdir(path.join(dir, 'tmp'))
  await writeFile(
    path.join(dir, 'storage.conf'),
    ['[storage]', 'driver = "vfs"', `graphroot = "${dir}/storage"`, `runroot = "${dir}/run"`, ''].join('\n'),
  )
  await writeFile(
    path.join(dir, 'registries.conf'),
    insecureRegistries.map((r) => `[[registry]]\nlocation = "${r}"\ninsecure = true\n`).join('\n'),
  )
  await writeFile(
    path.join(dir, 'containers.conf'),
    [
      '[containers]',
      'netns = "host"',
      'default_ulimits = []',
      '[engine]',
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `events_logfile_path = "${dir}/events.log"`,
      `tmp_dir = "${dir}/libpod-tmp"`,
      '',
    ].join('\n'),
  )
  await writeFile(path.join(dir, 'auth.json'), '{"auths":{}}\n')
  const env = {
    CONTAINERS_STORAGE_CONF: path.join(dir, 'storage.conf'),
    CONTAINERS_REGISTRIES_CONF: path.join(dir, 'registries.conf'),
    CONTAINERS_CONF: path.join(dir, 'containers.conf'),
    BUILDAH_ISOLATION: 'chroot',
    REGISTRY_AUTH_FILE: path.join(dir, 'auth.json'),
    TMPDIR: path.join(dir, 'tmp'),
  }
  const tool = async (cmd: string, args: readonly string[], opts: { timeoutMs?: number } = {}) => {
    try {
      const r = await run(cmd, [...args], {
        env: { ...process.env, ...env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 180_000,
      })
      return r.stdout
    } catch (e) {
      const x = e as {
        code?: string | number
        signal?: string | null
        stdout?: string
        stderr?: string
        message: string
      }
      if (x.code === 'ENOENT') throw new Error(`${cmd} is not installed (apt-get install ${cmd})`)
      // the exit code or signal too: a command killed from outside says nothing on stdout or stderr
      const how = x.signal ? `signal ${x.signal}` : `exit code ${x.code}`
      throw new Error(
        `${cmd} ${args.join(' ')} failed (${how}): ${x.message}\n${x.stdout ?? ''}${x.stderr ?? ''}`,
      )
    }
  }
  return {
    dir,
    env,
    tool,
    cleanup: async () => {
      await tool('buildah', ['rm', '--all']).catch(() => '')
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A busybox base image, made offline: `buildah from scratch` + Debian's static busybox + its applet links. */
export async function makeBusyboxBase(c: ContainersEnv, name: string): Promise<void> {
  const ctr = (await c.tool('buildah', ['from', 'scratch'])).trim()
  await c.tool('buildah', ['copy', ctr, '/bin/busybox', '/bin/busybox'])
  await c.tool('buildah', ['run', ctr, '/bin/busybox', '--install', '-s', '/bin'])
  await c.tool('buildah', ['config', '--cmd', '["/bin/sh"]', '--env', 'PATH=/bin', ctr])
  await c.tool('buildah', ['commit', '--quiet', '--rm', ctr, name])
}

/**
 * A Python + scikit-learn base image, made offline from the host's Debian packages (see python-rootfs.sh):
 * the same interpreter and scikit-learn the test model is trained with, so predictions can be compared.
 */
export async function makePythonBase(c: ContainersEnv, name: string): Promise<void> {
  const rootfs = path.join(c.dir, 'python-rootfs')
  await c.tool('bash', [path.join(import.meta.dirname, 'python-rootfs.sh'), rootfs])
  const ctr = (await c.tool('buildah', ['from', 'scratch'])).trim()
  await c.tool('buildah', ['copy', '--quiet', ctr, rootfs, '/'])
  await c.tool('buildah', [
    'config',
    '--env',
    'PATH=/usr/local/bin:/usr/bin:/bin',
    '--cmd',
    '["python3"]',
    ctr,
  ])
  await c.tool('buildah', ['commit', '--quiet', '--rm', ctr, name])
  await rm(rootfs, { recursive: true, force: true })
}

/** A Node.js base image, made offline from this machine's `node` (see node-rootfs.sh). */
export async function makeNodeBase(c: ContainersEnv, name: string): Promise<void> {
  const rootfs = path.join(c.dir, 'node-rootfs')
  await c.tool('bash', [path.join(import.meta.dirname, 'node-rootfs.sh'), rootfs])
  const ctr = (await c.tool('buildah', ['from', 'scratch'])).trim()
  await c.tool('buildah', ['copy', '--quiet', ctr, rootfs, '/'])
  await c.tool('buildah', ['config', '--env', 'PATH=/usr/bin:/bin', '--cmd', '["node"]', ctr])
  await c.tool('buildah', ['commit', '--quiet', '--rm', ctr, name])
  await rm(rootfs, { recursive: true, force: true })
}
