import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../shared/errors.js'
import type { Logger } from '../../shared/util/logger.js'
import { type RunWorkflowOptions, runWorkflow, WorkflowError } from '../../shared/workflow/runner.js'
import { ROOT } from '../harness/run-action.js'

const FIXTURES = path.join(ROOT, 'test/fixtures/workflows')

let workspace: string
let lines: string[]

/** Records every log line, so tests can assert on notices and errors. */
const log: Logger = {
  info: (m) => lines.push(m),
  debug: () => {},
  notice: (m) => lines.push(`notice: ${m}`),
  warning: (m) => lines.push(`warning: ${m}`),
  error: (m) => lines.push(`error: ${m}`),
  group: (name, fn) => {
    lines.push(`group: ${name}`)
    return fn()
  },
}

beforeEach(async () => {
  lines = []
  workspace = await mkdtemp(path.join(tmpdir(), 'wf-runner-'))
  await cp(FIXTURES, path.join(workspace, '.github/workflows'), {
    recursive: true,
    filter: (s) => path.relative(FIXTURES, s).split(path.sep)[0] !== 'actions',
  })
  await cp(path.join(FIXTURES, 'actions'), path.join(workspace, 'actions'), { recursive: true })
})

const run = (workflow: string, opts: Partial<RunWorkflowOptions> = {}) =>
  runWorkflow({
    workflow: `.github/workflows/${workflow}`,
    event: 'pull_request',
    workspace,
    suiteRoot: workspace,
    log,
    baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME },
    ...opts,
  })

const read = (f: string) => readFile(path.join(workspace, f), 'utf8')

describe('mlops run: jobs, contexts and outputs', () => {
  it('runs jobs in needs order and passes env, step outputs (heredoc too) and job outputs on', async () => {
    const r = await run('basic.yml', { pr: 7, inputs: { loud: 'true' } })
    expect(r.conclusion).toBe('success')
    expect(Object.keys(r.jobs)).toEqual(['first', 'second', 'third'])
    expect(r.jobs.first!.outputs).toEqual({ word: 'hello-wf-job-step', multi: 'line 1\nline 2' })
    expect(r.jobs.second!.outputs.got).toBe('hello-wf-job-step/success')
    // github.event is the pull_request payload the runner wrote; inputs are typed (boolean → true).
    expect(await read('third-out.txt')).toBe('7|true\n')
    expect(lines).toContain(
      "notice: Run actions/checkout@v4: 'actions/checkout@v4' does nothing locally (the workspace is used as it is)",
    )
    expect(await readFile(r.summaryFile, 'utf8')).toContain('### first summary')
    expect(JSON.parse(await readFile(r.outputsFile, 'utf8')).jobs.second.outputs.got).toBe(
      'hello-wf-job-step/success',
    )
    expect(r.runDir).toContain(path.join(workspace, '.mlops/runs'))
  })

  it('skips a job whose if: is false', async () => {
    const r = await run('basic.yml', { event: 'workflow_dispatch', inputs: { greeting: 'hi' } })
    expect(r.jobs.first!.outputs.word).toBe('hi-wf-job-step')
    expect(r.jobs.third!.result).toBe('skipped')
  })

  it('honours success(), failure(), always() and continue-on-error in steps and jobs', async () => {
    const r = await run('status.yml', { event: 'push' })
    expect(r.conclusion).toBe('failure')
    expect(r.jobs.steps!.result).toBe('failure')
    expect(r.jobs.steps!.outputs).toEqual({ after: 'success', ignored: 'failure/success' })
    expect(existsSync(path.join(workspace, 'not-run.txt'))).toBe(false)
    expect(existsSync(path.join(workspace, 'success-ran.txt'))).toBe(false)
    expect(await read('failure-ran.txt')).toBe('failure() ran\n')
    expect(await read('always-ran.txt')).toBe('always() ran\n')
    expect(r.jobs.dependent!.result).toBe('skipped')
    expect(existsSync(path.join(workspace, 'dependent.txt'))).toBe(false)
    expect(await read('cleanup.txt')).toBe('skipped\n')
    // failure() on a job looks at every job before it, not only its direct needs.
    expect(r.jobs['on-failure']!.result).toBe('success')
    expect(
      lines.some((l) => l.startsWith("error: .github/workflows/status.yml:13:9: job 'steps', step 'fails'")),
    ).toBe(true)
  })

  it('expands a simple matrix', async () => {
    const r = await run('matrix.yml', { event: 'push' })
    expect(r.conclusion).toBe('success')
    expect(await read('matrix.txt')).toBe('a1\na2\nb1\nb2\n')
  })

  it('expands matrix include and exclude as GitHub does', async () => {
    await writeFile(
      path.join(workspace, '.github/workflows/include.yml'),
      [
        'on: push',
        'jobs:',
        '  fit:',
        '    runs-on: ubuntu-latest',
        '    strategy:',
        '      matrix:',
        '        os: [linux, mac]',
        '        py: [3.11, 3.12]',
        '        exclude:',
        '          - os: mac',
        '            py: 3.11',
        '        include:',
        '          - os: linux',
        '            extra: fast',
        '          - os: windows',
        '            py: 3.12',
        '    steps:',
        '      - run: echo "${{ matrix.os }}-${{ matrix.py }}-${{ matrix.extra }}" >> "$GITHUB_WORKSPACE/m.txt"',
        '',
      ].join('\n'),
    )
    const r = await run('include.yml', { event: 'push' })
    expect(r.conclusion).toBe('success')
    expect(await read('m.txt')).toBe('linux-3.11-fast\nlinux-3.12-fast\nmac-3.12-\nwindows-3.12-\n')
  })
})

describe('mlops run: reusable workflows', () => {
  it('passes typed inputs with defaults, inherited secrets, and maps the called workflow outputs back', async () => {
    const r = await run('caller.yml', { secrets: { 'api-key': 's3cret' } })
    expect(r.conclusion).toBe('success')
    expect(r.jobs.pipeline).toEqual({
      result: 'success',
      outputs: { trained: 'churn:5:true:pull_request-stage:s3cret' },
    })
    expect(await read('caller-saw.txt')).toBe('churn:5:true:pull_request-stage:s3cret|success\n')
    expect(lines).toContain('group: job pipeline/train')
  })

  it.each([
    [
      'an undeclared input',
      '      epochs: 5\n      typo: 1\n',
      "input 'typo' is not declared in .github/workflows/reusable.yml (on.workflow_call.inputs: model, epochs, dry-run, stage)",
    ],
    ['a missing required input', '', "required input 'model' of .github/workflows/reusable.yml is not given"],
  ])('refuses %s before running anything', async (_n, withBlock, message) => {
    await writeFile(
      path.join(workspace, '.github/workflows/bad-call.yml'),
      `on: pull_request\njobs:\n  first:\n    runs-on: ubuntu-latest\n    steps:\n      - run: touch ran.txt\n  call:\n    uses: ./.github/workflows/reusable.yml\n    with:\n${withBlock || '      epochs: 5\n'}`,
    )
    const err = await run('bad-call.yml').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WorkflowError)
    expect((err as Error).message).toBe(`.github/workflows/bad-call.yml:8:11: job 'call': ${message}`)
    expect(existsSync(path.join(workspace, 'ran.txt'))).toBe(false)
  })

  it('type-checks input values', async () => {
    await writeFile(
      path.join(workspace, '.github/workflows/bad-type.yml'),
      'on: pull_request\njobs:\n  call:\n    uses: ./.github/workflows/reusable.yml\n    with:\n      model: m\n      epochs: many\n',
    )
    await expect(run('bad-type.yml')).rejects.toThrow(
      "input 'epochs' of .github/workflows/reusable.yml must be a number; got 'many'",
    )
  })
})

describe('mlops run: actions', () => {
  it('runs node actions as the runner does: INPUT_* with action.yml defaults, outputs, GITHUB_ENV, state and post-if', async () => {
    const r = await run('actions.yml', { pr: 12, env: { GITHUB_TOKEN: 'tok-123' } })
    expect(r.jobs.local).toEqual({
      result: 'success',
      outputs: {
        echoed: 'hello\nworld\n',
        defaulted: 'default-value',
        token: 'tok-123',
        pr: '12',
        remote: 'remote pull_request',
        'env-after': 'remote pull_request',
      },
    })
    // Post steps run at job end, last first, with the state main saved; post-if: success() skips the failed job's.
    expect(await read('post.txt')).toBe('post saw remote pull_request\npost saw hello\n')
    expect(r.jobs.failing!.result).toBe('failure')
    expect(lines).toContain('error: asked to fail')
    expect(lines).toContain('notice: echoed remote pull_request')
    expect(lines.join('\n')).not.toContain('tok-123')
    expect(await readFile(r.summaryFile, 'utf8')).toContain('echo: remote pull_request')
  })

  it('refuses an action it cannot run, naming the file, line, job and step, before running anything', async () => {
    const err = await run('unsupported.yml', { event: 'push' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WorkflowError)
    expect((err as Error).message).toMatch(
      /^\.github\/workflows\/unsupported\.yml:9:15: job 'build', step 'Set up Docker': 'docker\/setup-buildx-action@v3' is not supported locally/,
    )
    expect(existsSync(path.join(workspace, 'ran.txt'))).toBe(false)
  })

  it('refuses an unsupported action inside a called workflow before running anything', async () => {
    await writeFile(
      path.join(workspace, '.github/workflows/calls-unsupported.yml'),
      'on: push\njobs:\n  first:\n    runs-on: ubuntu-latest\n    steps:\n      - run: touch ran.txt\n  call:\n    uses: ./.github/workflows/unsupported.yml\n',
    )
    await expect(run('calls-unsupported.yml', { event: 'push' })).rejects.toThrow(
      "calls-unsupported.yml:8:11: job 'call': .github/workflows/unsupported.yml is not a reusable workflow (no 'on: workflow_call')",
    )
    const text = await readFile(path.join(workspace, '.github/workflows/unsupported.yml'), 'utf8')
    await writeFile(
      path.join(workspace, '.github/workflows/unsupported.yml'),
      text.replace('on: push', 'on: workflow_call'),
    )
    await expect(run('calls-unsupported.yml', { event: 'push' })).rejects.toThrow(
      "unsupported.yml:9:15: job 'build', step 'Set up Docker': 'docker/setup-buildx-action@v3' is not supported locally",
    )
    expect(existsSync(path.join(workspace, 'ran.txt'))).toBe(false)
  })

  it('reports a workflow that does not parse with file:line:column', async () => {
    const err = await run('invalid.yml', { event: 'push' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as Error).message).toBe(
      ".github/workflows/invalid.yml:7:19: Unexpected end of expression: '=='",
    )
  })

  it('refuses an input the workflow does not declare, and a wrongly typed one', async () => {
    await expect(run('basic.yml', { inputs: { greting: 'hi' } })).rejects.toThrow(
      "--input: input 'greting' is not declared in .github/workflows/basic.yml (on.workflow_call.inputs: greeting, loud)",
    )
    await expect(run('basic.yml', { event: 'workflow_dispatch', inputs: { loud: 'yes' } })).rejects.toThrow(
      "--input: input 'loud' of .github/workflows/basic.yml must be a boolean (true or false); got 'yes'",
    )
  })

  it('refuses an event the workflow does not run on', async () => {
    await expect(run('matrix.yml', { event: 'schedule' })).rejects.toThrow(
      "matrix.yml: the workflow does not run on 'schedule' (on: push)",
    )
  })
})

describe('mlops run: runner features', () => {
  const write = (name: string, text: string) =>
    writeFile(path.join(workspace, '.github/workflows', name), text)

  it('applies GITHUB_PATH to later steps, defaults.run.working-directory, and hashFiles()', async () => {
    await mkdir(path.join(workspace, 'sub'))
    await write(
      'more.yml',
      [
        'on: push',
        'defaults:',
        '  run:',
        '    working-directory: sub',
        'jobs:',
        '  tools:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: |',
        '          mkdir -p "$RUNNER_TEMP/bin"',
        `          printf '#!/bin/sh\\necho tool-ran\\n' > "$RUNNER_TEMP/bin/my-tool"`,
        '          chmod +x "$RUNNER_TEMP/bin/my-tool"',
        '          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"',
        '      - run: my-tool > tool.txt && pwd > pwd.txt',
        '      - run: echo "${{ hashFiles(\'sub/*.txt\') }}" > ../hash.txt',
        '',
      ].join('\n'),
    )
    const r = await run('more.yml', { event: 'push' })
    expect(r.conclusion, lines.join('\n')).toBe('success')
    expect(await read('sub/tool.txt')).toBe('tool-ran\n')
    expect((await read('sub/pwd.txt')).trim()).toBe(path.join(workspace, 'sub'))
    expect(await read('hash.txt')).toMatch(/^[0-9a-f]{64}\n$/)
  })

  it('passes an explicit secrets mapping to a reusable workflow', async () => {
    await write(
      'secrets-call.yml',
      'on: pull_request\njobs:\n  call:\n    uses: ./.github/workflows/reusable.yml\n    with:\n      model: m\n    secrets:\n      api-key: ${{ secrets.other }}\n',
    )
    const r = await run('secrets-call.yml', { secrets: { other: 'from-other' } })
    expect(r.jobs.call!.outputs.trained).toBe('m:1:true:pull_request-stage:from-other')
  })

  it('names the file, line, job and step of an expression that fails at run time', async () => {
    await write(
      'bad-expr.yml',
      "on: push\njobs:\n  bad:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Parse\n        run: echo ${{ fromJSON('not json') }}\n",
    )
    await expect(run('bad-expr.yml', { event: 'push' })).rejects.toThrow(
      /^\.github\/workflows\/bad-expr\.yml:6:9: job 'bad', step 'Parse': cannot evaluate/,
    )
  })

  it('stops a step at its timeout-minutes, process group and all; github.job names the job', async () => {
    await write(
      'timeout.yml',
      [
        'on: push',
        'jobs:',
        '  slow:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - timeout-minutes: 0.01',
        '        run: sleep 30',
        '      - if: always()',
        '        run: echo "${{ github.job }}-$GITHUB_JOB" > job.txt',
        '',
      ].join('\n'),
    )
    const started = Date.now()
    const r = await run('timeout.yml', { event: 'push' })
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(r.jobs.slow!.result).toBe('failure')
    expect(lines).toContain('error: timed out after 0.01 minutes (timeout-minutes)')
    expect(await read('job.txt')).toBe('slow-slow\n')
  })

  it('runs bash as GitHub does: pipefail with shell: bash, not without a shell', async () => {
    await write(
      'shells.yml',
      [
        'on: push',
        'jobs:',
        '  default:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: false | true',
        '  explicit:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - shell: bash',
        '        run: false | true',
        '  sh:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - shell: sh',
        '        run: echo "$0" > sh.txt',
        '',
      ].join('\n'),
    )
    const r = await run('shells.yml', { event: 'push' })
    expect(r.jobs.default!.result).toBe('success')
    expect(r.jobs.explicit!.result).toBe('failure')
    expect(r.jobs.sh!.result).toBe('success')
  })

  it('passes files between jobs with upload-artifact and download-artifact under .mlops/artifacts', async () => {
    await write(
      'artifacts.yml',
      [
        'on: push',
        'jobs:',
        '  make:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: mkdir -p out/records/sub && echo a > out/records/a.json && echo b > out/records/sub/b.json',
        '      - id: up',
        '        uses: actions/upload-artifact@v4',
        '        with:',
        '          name: records-${{ github.run_id }}',
        '          path: out/records',
        '      - uses: actions/upload-artifact@v4',
        '        with:',
        '          name: other',
        '          path: out/records/a.json',
        '  use:',
        '    needs: make',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/download-artifact@v4',
        '        with:',
        '          name: records-${{ github.run_id }}',
        '          path: got',
        '      - uses: actions/download-artifact@v4',
        '        with:',
        '          path: all',
        '      - id: missing',
        '        continue-on-error: true',
        '        uses: actions/download-artifact@v4',
        '        with:',
        '          name: nope',
        '',
      ].join('\n'),
    )
    const r = await run('artifacts.yml', { event: 'push', runId: '77' })
    expect(r.conclusion, lines.join('\n')).toBe('success')
    expect(await read('got/a.json')).toBe('a\n')
    expect(await read('got/sub/b.json')).toBe('b\n')
    expect(await read('all/other/a.json')).toBe('a\n')
    expect(await read('all/records-77/sub/b.json')).toBe('b\n')
    expect(lines).toContain("error: Artifact 'nope' not found under .mlops/artifacts/")
  })
})
