import { type ChildProcess, spawn, spawnSync } from 'node:child_process'

/**
 * Starts a generated model server on the host (the sklearn one with Debian's /usr/bin/python3, the node one
 * with this node) on a free loopback port, and checks Prometheus text with the real `promtool`.
 */
export interface RunningServer {
  readonly url: string
  readonly output: () => string
  stop(): Promise<void>
}

/** Starts `cmd args` with PORT=0 and waits for its `serving ... on HOST:PORT` line. */
export async function startServer(
  cmd: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<RunningServer> {
  const child: ChildProcess = spawn(cmd, [...args], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (d) => (out += d))
  child.stderr?.on('data', (d) => (out += d))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${out}`)), timeoutMs)
    const check = () => {
      const m = /serving .* on [\d.]+:(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    }
    child.stdout?.on('data', check)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code}) before serving:\n${out}`))
    })
  })
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

/** Waits until `url` answers 200 (a server in a container, started by someone else). */
export async function waitFor(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < until) {
    try {
      const r = await fetch(url)
      if (r.ok) return
      last = `HTTP ${r.status}`
    } catch (e) {
      last = (e as Error).message
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${url} did not answer in time (${last})`)
}

/** `promtool check metrics`: the exposition must parse and pass Prometheus' own lint. Throws otherwise. */
export function promtoolCheck(text: string): void {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
  if (r.error) throw new Error(`promtool is not installed (apt-get install prometheus): ${r.error.message}`)
  if (r.status !== 0) throw new Error(`promtool check metrics failed:\n${r.stdout}${r.stderr}`)
}

export const post = async (url: string, body: unknown) => {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: r.status, json: (await r.json()) as Record<string, unknown> }
}
