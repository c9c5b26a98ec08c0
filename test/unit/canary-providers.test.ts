import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { CommandProvider, substitute } from '../../shared/deploy/command.js'
import { NginxProvider, parseUpstreamState, pidDirective, renderUpstream } from '../../shared/deploy/nginx.js'
import { silentLogger } from '../../shared/util/logger.js'

const nginxOpts = {
  upstreamFile: '/x/up.conf',
  upstreamName: 'model',
  stable: ['127.0.0.1:8001'],
  canary: ['127.0.0.1:8002'],
}

describe('nginx provider', () => {
  it.each([
    [0, ['server 127.0.0.1:8001 weight=1;', '# canary 127.0.0.1:8002 left out: weight 0']],
    [5, ['server 127.0.0.1:8001 weight=19;', 'server 127.0.0.1:8002 weight=1;']],
    [25, ['server 127.0.0.1:8001 weight=3;', 'server 127.0.0.1:8002 weight=1;']],
    [50, ['server 127.0.0.1:8001 weight=1;', 'server 127.0.0.1:8002 weight=1;']],
    [100, ['# stable 127.0.0.1:8001 left out: weight 0', 'server 127.0.0.1:8002 weight=1;']],
  ])('renders %i %% without ever writing weight=0', (w, lines) => {
    const text = renderUpstream(nginxOpts, w, 'progressing')
    for (const l of lines) expect(text).toContain(l)
    expect(text).not.toMatch(/server \S+ weight=0\b/)
    expect(parseUpstreamState(text)).toEqual({ canaryWeight: w, phase: 'progressing' })
  })

  it('keeps the split exact with unequal server counts', () => {
    const text = renderUpstream(
      { ...nginxOpts, stable: ['a:1', 'b:1', 'c:1'], serverParams: 'max_fails=2' },
      10,
      'progressing',
    )
    // stable: 3 servers × 3 = 9, canary: 1 × 1 → 90 / 10
    expect(text.match(/weight=3 max_fails=2; {2}# stable/g)).toHaveLength(3)
    expect(text).toContain('server 127.0.0.1:8002 weight=1 max_fails=2;  # canary')
  })

  it('refuses addresses and parameters that would inject nginx syntax', () => {
    expect(() => new NginxProvider({ ...nginxOpts, canary: ['x;} server evil'] }, silentLogger)).toThrow(
      /not host:port/,
    )
    expect(() => new NginxProvider({ ...nginxOpts, serverParams: 'down; }' }, silentLogger)).toThrow(
      /may not contain/,
    )
  })

  it('tests the config before reloading, and restores the previous file when nginx -t fails', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nginx-unit-'))
    const log = path.join(dir, 'calls')
    const bin = path.join(dir, 'nginx')
    // A stand-in nginx: records its arguments; `-t` fails when the rendered file sends 100 % to the canary.
    await writeFile(
      bin,
      `#!/bin/bash\necho "$*" >> ${log}\nif [[ "$*" == *-T* ]] && grep -q '"canaryWeight":100' ${dir}/up.conf; then echo 'nginx: [emerg] boom' >&2; exit 1; fi\n`,
    )
    await chmod(bin, 0o755)
    const p = new NginxProvider(
      {
        ...nginxOpts,
        upstreamFile: path.join(dir, 'up.conf'),
        binary: bin,
        mainConfig: path.join(dir, 'nginx.conf'),
      },
      silentLogger,
    )
    await p.prepare()
    await p.setWeight(25)
    expect(await p.state()).toEqual({ canaryWeight: 25, phase: 'progressing' })
    await expect(p.promote()).rejects.toThrow(
      /nginx -t rejected the config with the canary at 100 %.*\n.*boom/,
    )
    expect(await p.state()).toEqual({ canaryWeight: 25, phase: 'progressing' })
    await p.rollback()
    expect(await p.state()).toEqual({ canaryWeight: 0, phase: 'rolled-back' })
    // (`-V` calls look for the pid file; the stand-in has none, so the provider waits a second instead.)
    const calls = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .filter((c) => !c.endsWith('-V'))
    expect(calls.slice(0, 4)).toEqual([
      `-c ${dir}/nginx.conf -T -q`,
      `-c ${dir}/nginx.conf -s reload`,
      `-c ${dir}/nginx.conf -T -q`,
      `-c ${dir}/nginx.conf -s reload`,
    ])
  })
  it('refuses to start from the old stable after a promotion; accepts the swapped roles', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nginx-unit-'))
    const bin = path.join(dir, 'nginx')
    await writeFile(bin, '#!/bin/sh\nexit 0\n')
    await chmod(bin, 0o755)
    const base = { ...nginxOpts, upstreamFile: path.join(dir, 'up.conf'), binary: bin }
    const first = new NginxProvider(base, silentLogger)
    await first.prepare()
    await first.promote()
    await expect(new NginxProvider(base, silentLogger).prepare()).rejects.toThrow(
      /the last rollout promoted 127.0.0.1:8002, which now serve all traffic; pass them as 'stable-servers'/,
    )
    const swapped = new NginxProvider(
      { ...base, stable: ['127.0.0.1:8002'], canary: ['127.0.0.1:8001'] },
      silentLogger,
    )
    await swapped.prepare()
    expect(await readFile(base.upstreamFile, 'utf8')).toContain('server 127.0.0.1:8002 weight=1;  # stable')
  })
})

describe('command provider', () => {
  it('replaces placeholders by quoted variables, never by values', () => {
    expect(substitute('kubectl set image deploy/m m={image} && echo {weight}/{stable-weight} {other}')).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the expected text is shell syntax
      'kubectl set image deploy/m m="${MLOPS_CANARY_IMAGE}" && echo "${MLOPS_CANARY_WEIGHT}"/"${MLOPS_STABLE_WEIGHT}" {other}',
    )
  })

  it('runs the commands with bash; values cannot inject shell syntax', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cmd-unit-'))
    const out = path.join(dir, 'out')
    const p = new CommandProvider(
      {
        setWeight: `echo "set {weight} {stable-weight} {image} {version}" >> ${out}`,
        promote: `echo promote {image} >> ${out}`,
        image: 'reg/model:2"; touch pwned; echo "$(id)',
        version: '$(touch pwned2)',
        cwd: dir,
      },
      silentLogger,
    )
    await p.setWeight(30)
    await p.promote()
    await p.rollback() // no rollback command: set-weight with 0
    expect((await readFile(out, 'utf8')).trim().split('\n')).toEqual([
      'set 30 70 reg/model:2"; touch pwned; echo "$(id) $(touch pwned2)',
      'promote reg/model:2"; touch pwned; echo "$(id)',
      'set 0 100 reg/model:2"; touch pwned; echo "$(id) $(touch pwned2)',
    ])
    await expect(readFile(path.join(dir, 'pwned'))).rejects.toThrow()
    await expect(readFile(path.join(dir, 'pwned2'))).rejects.toThrow()
    expect(await p.state()).toEqual({ canaryWeight: 0, phase: 'rolled-back' })
  })

  it('fails with the exit code and the output tail', async () => {
    const p = new CommandProvider({ setWeight: 'echo "lb says no" >&2; exit 3' }, silentLogger)
    await expect(p.setWeight(10)).rejects.toThrow(
      /set-weight command failed with exit code 3 \(canary 10 %\):\nlb says no/,
    )
  })

  it('requires the image when a command uses {image}', () => {
    expect(() => new CommandProvider({ setWeight: 'deploy {image}' }, silentLogger)).toThrow(
      /uses \{image\} but no image/,
    )
  })
})

describe('nginx pid directive', () => {
  it.each([
    ['pid /run/x.pid;\nhttp {}', '/run/x.pid'],
    ['# pid /no.pid;\n  pid   /tmp/d/nginx.pid ;', '/tmp/d/nginx.pid'],
    ['events {}', undefined],
  ])('%j', (dump, want) => {
    expect(pidDirective(dump)).toBe(want)
  })
})
