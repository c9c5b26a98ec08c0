import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { displayPath } from '../../../shared/config/load.js'
import { InputError } from '../../../shared/errors.js'
import { EVENTS, type EventName } from '../../../shared/workflow/event.js'
import { parse } from '../args.js'
import type { Command } from '../command.js'

/** `K=V` pairs of a repeatable flag. */
function pairs(flag: string, list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of list ?? []) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw new InputError(flag, `must be KEY=VALUE; got '${item}'`)
    out[item.slice(0, eq)] = item.slice(eq + 1)
  }
  return out
}

/** This suite's checkout: the nearest folder above the CLI that holds `actions/` and `package.json`. */
export function findSuiteRoot(start = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'actions')) && existsSync(path.join(dir, 'package.json'))) return dir
    if (path.dirname(dir) === dir) return process.cwd()
  }
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run a workflow of this suite locally: jobs, steps, this suite’s actions and reusable workflows',
  usage: `mlops run <workflow-file> --event <${EVENTS.join('|')}> [--input k=v]... [--pr N] [--env K=V]... [--secret K=V]... [--var K=V]...

  --event E        the event that triggers the run (default pull_request)
  --input k=v      an input of on.workflow_dispatch / on.workflow_call (repeatable)
  --pr N           the pull request number of a pull_request event (default 1)
  --env K=V        given to every step and overriding the runner's defaults, e.g. GITHUB_API_URL,
                   GITHUB_REPOSITORY, GITHUB_TOKEN (repeatable). Without GITHUB_API_URL nothing talks to GitHub.
  --secret K=V     a secret (repeatable); MLOPS_SECRET_<NAME> in the environment works too
  --var K=V        a configuration variable, the vars context (repeatable); MLOPS_VAR_<NAME> works too
  --run-id ID      the run id (default: the current time); results go to .mlops/runs/<run-id>/

Expressions in run: are replaced before the script runs, as on GitHub: pass untrusted values through env:.`,
  async run(args, log) {
    const { values, positionals } = parse(args, {
      event: { type: 'string', default: 'pull_request' },
      input: { type: 'string', multiple: true },
      pr: { type: 'string' },
      env: { type: 'string', multiple: true },
      secret: { type: 'string', multiple: true },
      var: { type: 'string', multiple: true },
      'run-id': { type: 'string' },
    })
    const [workflow, ...extra] = positionals
    if (!workflow || extra.length > 0)
      throw new InputError(
        'workflow-file',
        'must be given once',
        'Usage: mlops run <workflow-file> --event <event>',
      )
    if (!(EVENTS as readonly string[]).includes(values.event))
      throw new InputError('--event', `must be one of ${EVENTS.join(', ')}; got '${values.event}'`)
    const pr = values.pr === undefined ? 1 : Number(values.pr)
    if (!Number.isInteger(pr) || pr < 1)
      throw new InputError('--pr', `must be a pull request number; got '${values.pr}'`)
    const workspace = process.cwd()
    // Loaded on use: the workflow parser is large, and the other commands should start fast.
    const { runWorkflow } = await import('../../../shared/workflow/runner.js')
    const result = await runWorkflow({
      workflow,
      event: values.event as EventName,
      inputs: pairs('--input', values.input),
      pr,
      env: pairs('--env', values.env),
      secrets: pairs('--secret', values.secret),
      vars: pairs('--var', values.var),
      runId: values['run-id'],
      workspace,
      suiteRoot: findSuiteRoot(),
      log,
    })
    log.info('')
    for (const [job, r] of Object.entries(result.jobs)) log.info(`job ${job}: ${r.result}`)
    log.info(`${result.conclusion === 'success' ? '✅' : '❌'} workflow ${result.conclusion}`)
    log.info(`Summary  → ${displayPath(result.summaryFile)}`)
    log.info(`Outputs  → ${displayPath(result.outputsFile)}`)
    for (const [what, dir] of [
      ['Records ', '.mlops/records'],
      ['Outbox  ', '.mlops/outbox'],
      ['Artifacts', '.mlops/artifacts'],
    ] as const)
      if (existsSync(path.join(workspace, dir))) log.info(`${what} → ${dir}/`)
    return result.conclusion === 'success' ? 0 : 1
  },
}
