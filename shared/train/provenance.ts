import { execFile } from 'node:child_process'
import os from 'node:os'

const exec = (file: string, args: string[], cwd: string, timeout = 30_000) =>
  new Promise<{ ok: boolean; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { cwd, timeout, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ ok: !err, stdout: String(stdout), stderr: String(stderr) }),
    )
  })

/** Which code trained the model: commit, ref and whether the work tree had uncommitted changes. */
export interface CodeVersion {
  readonly sha?: string
  readonly ref?: string
  /** Uncommitted changes to tracked or new files (outside `.mlops/`) when the run started. */
  readonly dirty?: boolean
  readonly source: 'git' | 'env' | 'none'
}

export async function codeVersion(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<CodeVersion> {
  const head = await exec('git', ['rev-parse', 'HEAD'], cwd)
  if (head.ok) {
    const [ref, status] = await Promise.all([
      exec('git', ['symbolic-ref', '-q', 'HEAD'], cwd),
      exec(
        'git',
        ['status', '--porcelain', '--untracked-files=normal', '--', '.', ':(exclude,top).mlops'],
        cwd,
      ),
    ])
    return {
      sha: head.stdout.trim(),
      ref: (ref.ok && ref.stdout.trim()) || env.GITHUB_REF || undefined,
      dirty: status.ok ? status.stdout.trim().length > 0 : undefined,
      source: 'git',
    }
  }
  if (env.GITHUB_SHA) return { sha: env.GITHUB_SHA, ref: env.GITHUB_REF || undefined, source: 'env' }
  return { source: 'none' }
}

export interface Environment {
  readonly os: { platform: string; release: string; arch: string; type: string }
  readonly cpus: number
  readonly cpuModel?: string
  readonly memoryBytes: number
  readonly node: string
  readonly runner?: { os?: string; arch?: string; name?: string; environment?: string }
  readonly python?: { executable: string; version: string; packages: string[]; packagesFrom: string }
}

/** Installed Python distributions without pip (Debian's python3 has none): the `pip freeze` format. */
const LIST_DISTRIBUTIONS = `import importlib.metadata as m
seen = {}
for d in m.distributions():
    n = d.metadata["Name"]
    if n and n.lower() not in seen:
        seen[n.lower()] = f"{n}=={d.version}"
print("\\n".join(sorted(seen.values(), key=str.lower)))`

/** The machine and toolchain of the run; `python` (a command) adds its version and installed packages. */
export async function environment(
  cwd: string,
  python: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Environment> {
  const cpus = os.cpus()
  const base: Environment = {
    os: { platform: os.platform(), release: os.release(), arch: os.arch(), type: os.type() },
    cpus: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model,
    memoryBytes: os.totalmem(),
    node: process.version,
    runner: env.RUNNER_OS
      ? {
          os: env.RUNNER_OS,
          arch: env.RUNNER_ARCH || undefined,
          name: env.RUNNER_NAME || undefined,
          environment: env.RUNNER_ENVIRONMENT || undefined,
        }
      : undefined,
  }
  if (!python) return base
  const version = await exec(python, ['-c', 'import sys; print(sys.version.split()[0])'], cwd)
  if (!version.ok) return base
  const exe = await exec(python, ['-c', 'import sys; print(sys.executable)'], cwd)
  const pip = await exec(python, ['-m', 'pip', 'freeze', '--all'], cwd, 60_000)
  const listed = pip.ok ? pip : await exec(python, ['-c', LIST_DISTRIBUTIONS], cwd, 60_000)
  return {
    ...base,
    python: {
      executable: exe.stdout.trim() || python,
      version: version.stdout.trim(),
      packages: listed.ok
        ? listed.stdout
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
        : [],
      packagesFrom: pip.ok ? 'pip freeze' : 'importlib.metadata',
    },
  }
}
