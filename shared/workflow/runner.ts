import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { isBasicExpression, isMapping, isSequence, isString } from '@actions/workflow-parser'
import type {
  Job,
  ReusableWorkflowJob,
  Step,
  WorkflowJob,
} from '@actions/workflow-parser/model/workflow-template'
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token'
import { globSync } from 'tinyglobby'
import { parse as parseYaml } from 'yaml'
import { MlopsError } from '../errors.js'
import type { Logger } from '../util/logger.js'
import { buildEvent, type EventName } from './event.js'
import {
  type Contexts,
  type EvalOptions,
  ExpressionFailure,
  evaluate,
  evaluateToken,
  interpolate,
  isTruthy,
  type Status,
  toText,
} from './expressions.js'
import { parseFileCommand, parsePathFile } from './file-commands.js'
import { findToken, type LoadedWorkflow, loadWorkflow, locationOf, shownPath } from './load.js'
import { localArtifactStep } from './local-artifacts.js'
import { runChild } from './process.js'
import { resolveStepUses, resolveWorkflowUses } from './uses.js'

/** A workflow that cannot run locally, or a mistake in it; the message names the file, line, job and step. */
export class WorkflowError extends MlopsError {}

export type JobConclusion = 'success' | 'failure' | 'skipped' | 'cancelled'

export interface JobResult {
  readonly result: JobConclusion
  readonly outputs: Record<string, string>
}

export interface RunWorkflowOptions {
  readonly workflow: string
  readonly event: EventName
  /** `--input k=v`: `inputs` of `workflow_dispatch` / `workflow_call`. */
  readonly inputs?: Record<string, string>
  readonly pr?: number
  /** `--env K=V`: given to every step, and overriding the runner's `GITHUB_*` defaults. */
  readonly env?: Record<string, string>
  readonly secrets?: Record<string, string>
  readonly vars?: Record<string, string>
  /** The checkout the workflow runs in (default: the current directory). */
  readonly workspace?: string
  /** This suite's checkout: where `OWNER/mlops-actions/...` references resolve. */
  readonly suiteRoot: string
  readonly runId?: string
  readonly log: Logger
  /** The runner's own environment (default `process.env`). */
  readonly baseEnv?: NodeJS.ProcessEnv
}

export interface WorkflowRunResult {
  readonly conclusion: 'success' | 'failure'
  readonly jobs: Record<string, JobResult>
  /** `on.workflow_call.outputs`, when the workflow declares them. */
  readonly outputs: Record<string, string>
  readonly runDir: string
  readonly summaryFile: string
  readonly outputsFile: string
}

interface ActionMeta {
  readonly inputs: Record<string, { default?: unknown; required?: boolean }>
  readonly using: string
  readonly main?: string
  readonly post?: string
  readonly postIf?: string
}

interface Scope {
  readonly wf: LoadedWorkflow
  readonly inputs: Record<string, unknown>
  readonly secrets: Record<string, string>
  /** Job path for messages and step folders, e.g. `pipeline/report`. */
  readonly prefix: string
  readonly depth: number
}

interface PostStep {
  readonly label: string
  readonly run: () => Promise<number>
  readonly postIf: string
}

type StepOutcome = 'success' | 'failure' | 'skipped'

interface StepFiles {
  readonly GITHUB_OUTPUT: string
  readonly GITHUB_ENV: string
  readonly GITHUB_PATH: string
  readonly GITHUB_STATE: string
  readonly GITHUB_STEP_SUMMARY: string
}

/** As GitHub runs them; no `shell:` anywhere means `bash -e` (no pipefail), `shell: bash` adds pipefail. */
const STEP_SHELLS: Record<string, string[]> = {
  '': ['bash', '-e', '{0}'],
  bash: ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '{0}'],
  sh: ['sh', '-e', '{0}'],
  python: ['python3', '{0}'],
}

/** Runs a workflow of this suite locally, as GitHub's runner would, and returns what every job produced. */
export async function runWorkflow(opts: RunWorkflowOptions): Promise<WorkflowRunResult> {
  return new WorkflowRun(opts).run()
}

class WorkflowRun {
  private readonly log: Logger
  private readonly workspace: string
  private readonly runId: string
  private readonly runDir: string
  private readonly summaryFile: string
  private readonly eventPath: string
  private readonly loaded = new Map<string, LoadedWorkflow>()
  private readonly runnerEnv: Record<string, string>
  private readonly github: Record<string, unknown>
  private readonly vars: Record<string, string>
  private readonly masks: string[] = []
  private stepCount = 0
  /** `timeout-minutes` of the step running now, in milliseconds. */
  private stepTimeoutMs: number | undefined

  constructor(private readonly opts: RunWorkflowOptions) {
    this.log = opts.log
    this.workspace = path.resolve(opts.workspace ?? process.cwd())
    this.runId = opts.runId ?? String(Date.now())
    this.runDir = path.join(this.workspace, '.mlops', 'runs', this.runId)
    this.summaryFile = path.join(this.runDir, 'summary.md')
    this.eventPath = path.join(this.runDir, 'event.json')
    const base = opts.baseEnv ?? process.env
    const user = opts.env ?? {}
    this.vars = { ...prefixed(base, 'MLOPS_VAR_'), ...opts.vars }
    const repository = user.GITHUB_REPOSITORY ?? `local/${path.basename(this.workspace)}`
    const sha = user.GITHUB_SHA ?? gitSha(this.workspace)
    const actor = user.GITHUB_ACTOR ?? base.USER ?? 'local-user'
    const event = buildEvent(opts.event, {
      repository,
      sha,
      defaultBranch: 'main',
      pr: opts.pr ?? 1,
      inputs: opts.inputs ?? {},
      actor,
    })
    const token = user.GITHUB_TOKEN ?? opts.secrets?.GITHUB_TOKEN ?? base.MLOPS_SECRET_GITHUB_TOKEN ?? ''
    this.runnerEnv = {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      MLOPS_LOCAL_RUN: 'true',
      GITHUB_WORKSPACE: this.workspace,
      GITHUB_REPOSITORY: repository,
      GITHUB_REPOSITORY_OWNER: repository.split('/')[0] ?? '',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_EVENT_NAME: opts.event,
      GITHUB_EVENT_PATH: this.eventPath,
      GITHUB_SHA: sha,
      GITHUB_REF: event.ref,
      GITHUB_REF_NAME: event.ref.replace(/^refs\/(heads|tags)\//, ''),
      GITHUB_HEAD_REF: event.headRef,
      GITHUB_BASE_REF: event.baseRef,
      GITHUB_RUN_ID: this.runId,
      GITHUB_RUN_NUMBER: '1',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_ACTOR: actor,
      GITHUB_TRIGGERING_ACTOR: actor,
      GITHUB_WORKFLOW: '',
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'mlops-local',
      RUNNER_TEMP: path.join(this.runDir, 'tmp'),
      RUNNER_TOOL_CACHE: path.join(this.runDir, 'tool-cache'),
      ...user,
    }
    this.github = {
      event_name: opts.event,
      event: event.payload,
      event_path: this.eventPath,
      sha,
      ref: this.runnerEnv.GITHUB_REF,
      ref_name: this.runnerEnv.GITHUB_REF_NAME,
      head_ref: this.runnerEnv.GITHUB_HEAD_REF,
      base_ref: this.runnerEnv.GITHUB_BASE_REF,
      repository,
      repository_owner: this.runnerEnv.GITHUB_REPOSITORY_OWNER,
      run_id: this.runId,
      run_number: '1',
      run_attempt: '1',
      actor,
      triggering_actor: actor,
      workspace: this.workspace,
      server_url: this.runnerEnv.GITHUB_SERVER_URL,
      api_url: this.runnerEnv.GITHUB_API_URL ?? '',
      graphql_url: this.runnerEnv.GITHUB_GRAPHQL_URL ?? '',
      token,
      workflow: '',
      job: '',
      action: '',
      retention_days: '90',
    }
    if (token) this.masks.push(token)
  }

  private show(file: string): string {
    return shownPath(file, this.workspace)
  }

  async run(): Promise<WorkflowRunResult> {
    const top = await this.load(path.resolve(this.workspace, this.opts.workflow), undefined)
    await this.preflight(top, new Set())
    await mkdir(path.join(this.runDir, 'tmp'), { recursive: true })
    await writeFile(this.eventPath, JSON.stringify(this.github.event, null, 2))
    await writeFile(this.summaryFile, '')
    const name = findToken(top.root, 'name')
    const workflowName = name && isString(name) ? name.value : path.basename(top.file)
    this.github.workflow = workflowName
    this.runnerEnv.GITHUB_WORKFLOW = workflowName
    const events = Object.keys(top.template.events)
    if (!events.includes(this.opts.event) && !events.includes('workflow_call'))
      throw new WorkflowError(
        `${this.show(top.file)}: the workflow does not run on '${this.opts.event}' (on: ${events.join(', ')})`,
      )
    const secrets = { ...prefixed(this.opts.baseEnv ?? process.env, 'MLOPS_SECRET_'), ...this.opts.secrets }
    if (this.github.token) secrets.GITHUB_TOKEN = String(this.github.token)
    for (const v of Object.values(secrets)) if (v) this.masks.push(v)
    const given: Record<string, unknown> = { ...this.opts.inputs }
    // A workflow_call workflow run directly gets its inputs as if called; workflow_dispatch inputs only on that event.
    const inputEvents =
      this.opts.event === 'workflow_dispatch' ? ['workflow_dispatch', 'workflow_call'] : ['workflow_call']
    const inputs = this.resolveInputs(top, inputEvents, given, '--input')
    if (!this.runnerEnv.GITHUB_API_URL)
      this.log.info(
        'No GITHUB_API_URL given: nothing talks to GitHub. To use one (or a stand-in), pass --env GITHUB_API_URL=… --env GITHUB_TOKEN=… --env GITHUB_REPOSITORY=owner/repo',
      )
    const result = await this.runJobs({ wf: top, inputs, secrets, prefix: '', depth: 0 })
    const outputsFile = path.join(this.runDir, 'outputs.json')
    await writeFile(outputsFile, `${JSON.stringify(result, null, 2)}\n`)
    return { ...result, runDir: this.runDir, summaryFile: this.summaryFile, outputsFile }
  }

  private async load(file: string, from: string | undefined): Promise<LoadedWorkflow> {
    const hit = this.loaded.get(file)
    if (hit) return hit
    if (from && !existsSync(file))
      throw new WorkflowError(`${from}: reusable workflow ${this.show(file)} not found`)
    const wf = await loadWorkflow(file, this.workspace)
    this.loaded.set(file, wf)
    return wf
  }

  /** Fails before anything runs if a step or a called workflow cannot run locally. */
  private async preflight(wf: LoadedWorkflow, seen: Set<string>): Promise<void> {
    if (seen.has(wf.file))
      throw new WorkflowError(`${this.show(wf.file)}: reusable workflows call each other in a cycle`)
    seen.add(wf.file)
    const where = { workspace: this.workspace, suiteRoot: this.opts.suiteRoot }
    for (const job of wf.template.jobs) {
      const raw = findToken(wf.root, 'jobs', job.id.value)
      if (job.type === 'reusableWorkflowJob') {
        const t = resolveWorkflowUses(job.ref.value, where)
        const at = `${locationOf(wf.file, findToken(raw, 'uses'), this.workspace)}: job '${job.id.value}'`
        if (t.kind !== 'workflow')
          throw new WorkflowError(`${at}: ${t.kind === 'unsupported' ? t.reason : ''}`)
        const called = await this.load(t.file, at)
        if (!('workflow_call' in called.template.events))
          throw new WorkflowError(
            `${at}: ${this.show(called.file)} is not a reusable workflow (no 'on: workflow_call')`,
          )
        this.checkWithKeys(called, findToken(raw, 'with'), at)
        await this.preflight(called, new Set(seen))
        continue
      }
      for (const key of ['container', 'services'] as const)
        if (job[key])
          throw new WorkflowError(
            `${locationOf(wf.file, job[key], this.workspace)}: job '${job.id.value}': '${key}:' is not supported locally`,
          )
      job.steps.forEach((step, i) => {
        if (!('uses' in step)) return
        const t = resolveStepUses(step.uses.value, where)
        if (t.kind === 'unsupported')
          throw new WorkflowError(`${this.stepWhere(wf, job.id.value, i, step, 'uses')}: ${t.reason}`)
        if (
          t.kind === 'action' &&
          !existsSync(path.join(t.dir, 'action.yml')) &&
          !existsSync(path.join(t.dir, 'action.yaml'))
        )
          throw new WorkflowError(
            `${this.stepWhere(wf, job.id.value, i, step, 'uses')}: ${this.show(t.dir)}/action.yml not found`,
          )
      })
    }
  }

  /** `with:` keys of a reusable-workflow call must be declared inputs, and required inputs must be given. */
  private checkWithKeys(called: LoadedWorkflow, withToken: TemplateToken | undefined, at: string) {
    const defs = inputDefinitions(called, ['workflow_call'])
    const given = withToken && isMapping(withToken) ? [...withToken].map((p) => String(p.key)) : []
    for (const k of given)
      if (!(k in defs))
        throw new WorkflowError(
          `${at}: input '${k}' is not declared in ${this.show(called.file)} (on.workflow_call.inputs: ${Object.keys(defs).join(', ') || 'none'})`,
        )
    for (const [k, d] of Object.entries(defs))
      if (d.required && d.default === undefined && !given.includes(k))
        throw new WorkflowError(`${at}: required input '${k}' of ${this.show(called.file)} is not given`)
  }

  /** Inputs with defaults and types applied, from the `on.<event>.inputs` definitions. */
  private resolveInputs(
    wf: LoadedWorkflow,
    events: string[],
    given: Record<string, unknown>,
    from: string,
  ): Record<string, unknown> {
    const defs = inputDefinitions(wf, events)
    const out: Record<string, unknown> = {}
    const shown = this.show(wf.file)
    for (const k of Object.keys(given))
      if (!(k in defs))
        throw new WorkflowError(
          `${from}: input '${k}' is not declared in ${shown} (on.${events.join('/')}.inputs: ${Object.keys(defs).join(', ') || 'none'})`,
        )
    for (const [k, d] of Object.entries(defs)) {
      let v = given[k]
      if (v === undefined && d.default !== undefined)
        v = evaluateToken(d.default, { github: this.github, inputs: {}, vars: this.vars })
      if (v === undefined || v === '') {
        if (d.required && v === undefined)
          throw new WorkflowError(`${from}: required input '${k}' of ${shown} is not given`)
        v = d.type === 'boolean' ? false : d.type === 'number' ? 0 : ''
      }
      if (d.type === 'boolean' && typeof v !== 'boolean') {
        if (v !== 'true' && v !== 'false')
          throw new WorkflowError(
            `${from}: input '${k}' of ${shown} must be a boolean (true or false); got '${toText(v)}'`,
          )
        v = v === 'true'
      }
      if (d.type === 'number' && typeof v !== 'number') {
        const n = Number(v)
        if (!Number.isFinite(n))
          throw new WorkflowError(`${from}: input '${k}' of ${shown} must be a number; got '${toText(v)}'`)
        v = n
      }
      if (d.type === 'choice' && d.options && !d.options.includes(toText(v)))
        throw new WorkflowError(
          `${from}: input '${k}' of ${shown} must be one of ${d.options.join(', ')}; got '${toText(v)}'`,
        )
      if (d.type === 'string' || d.type === 'choice' || d.type === 'environment') v = toText(v)
      out[k] = v
    }
    for (const [k, v] of Object.entries(given)) if (!(k in out)) out[k] = v
    return out
  }

  private async runJobs(
    scope: Scope,
  ): Promise<Omit<WorkflowRunResult, 'runDir' | 'summaryFile' | 'outputsFile'>> {
    const { wf } = scope
    const results: Record<string, JobResult> = {}
    const jobs = wf.template.jobs
    const pending = new Set(jobs.map((j) => j.id.value))
    const workflowEnv = this.evalEnv(wf.template.env, this.ctx(scope, {}), `${this.show(wf.file)}: env`)
    while (pending.size > 0) {
      const next = jobs.find(
        (j) => pending.has(j.id.value) && (j.needs ?? []).every((n) => n.value in results),
      )
      if (!next)
        throw new WorkflowError(
          `${this.show(wf.file)}: jobs ${[...pending].join(', ')} need each other in a cycle`,
        )
      pending.delete(next.id.value)
      results[next.id.value] = await this.runJob(next, scope, results, workflowEnv)
    }
    const failed = Object.values(results).some((r) => r.result === 'failure')
    const outputs: Record<string, string> = {}
    const defs = findToken(wf.root, 'on', 'workflow_call', 'outputs')
    if (defs && isMapping(defs)) {
      const jobsCtx = Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r]))
      for (const { key, value } of defs) {
        const v = findToken(value, 'value')
        if (v)
          outputs[String(key)] = toText(
            this.evalAt(wf, v, { ...this.ctx(scope, {}), jobs: jobsCtx }, `on.workflow_call.outputs.${key}`),
          )
      }
    }
    return { conclusion: failed ? 'failure' : 'success', jobs: results, outputs }
  }

  private ctx(scope: Scope, extra: Contexts): Contexts {
    return {
      github: this.github,
      inputs: scope.inputs,
      secrets: scope.secrets,
      vars: this.vars,
      env: {},
      ...extra,
    }
  }

  private async runJob(
    job: WorkflowJob,
    scope: Scope,
    done: Record<string, JobResult>,
    workflowEnv: Record<string, string>,
  ): Promise<JobResult> {
    const id = job.id.value
    const label = `${scope.prefix}${id}`
    const needs = Object.fromEntries((job.needs ?? []).map((n) => [n.value, done[n.value]]))
    const status = needsStatus(job, scope.wf.template.jobs, done)
    const jobCtx = this.ctx(scope, { needs, env: workflowEnv, github: { ...this.github, job: id } })
    const go = isTruthy(this.evalAt(scope.wf, job.if, jobCtx, `jobs.${id}.if`, { status }))
    if (!go) {
      this.log.info(`⏭ job ${label}: skipped (if: ${job.if.expression})`)
      return { result: 'skipped', outputs: {} }
    }
    if (job.type === 'reusableWorkflowJob') return this.callWorkflow(job, scope, jobCtx, label)
    if (job.environment) {
      const e = this.evalAt(scope.wf, job.environment, jobCtx, `jobs.${id}.environment`)
      const envName = e && typeof e === 'object' ? toText((e as { name?: unknown }).name) : toText(e)
      this.log.notice(
        `job ${label}: environment '${envName}': its protection rules and reviewers do not apply locally`,
      )
    }
    const combos = this.matrix(scope.wf, job, jobCtx)
    let result: JobConclusion = 'success'
    const outputs: Record<string, string> = {}
    for (const matrix of combos) {
      const name = Object.keys(matrix).length
        ? `${label} (${Object.values(matrix).map(toText).join(', ')})`
        : label
      const r = await this.log.group(`job ${name}`, () =>
        this.runSteps(
          job,
          scope,
          { ...jobCtx, matrix, strategy: { 'job-total': combos.length } },
          workflowEnv,
          label,
        ),
      )
      this.log.info(`${r.result === 'success' ? '✅' : '❌'} job ${name}: ${r.result}`)
      if (r.result === 'failure') result = 'failure'
      Object.assign(outputs, r.outputs)
    }
    return { result, outputs }
  }

  /** `strategy.matrix`: every combination of the lists, less `exclude`, plus `include`, as GitHub expands it. */
  private matrix(wf: LoadedWorkflow, job: Job, ctx: Contexts): Record<string, unknown>[] {
    if (!job.strategy) return [{}]
    const strategy = this.evalAt(wf, job.strategy, ctx, `jobs.${job.id.value}.strategy`) as Record<
      string,
      unknown
    >
    const m = strategy?.matrix
    if (m === undefined) return [{}]
    const at = `${locationOf(wf.file, job.strategy, this.workspace)}: job '${job.id.value}'`
    if (!m || typeof m !== 'object' || Array.isArray(m))
      throw new WorkflowError(`${at}: strategy.matrix must be a mapping`)
    const { include = [], exclude = [], ...lists } = m as Record<string, unknown>
    for (const [k, v] of Object.entries({ include, exclude }))
      if (!Array.isArray(v) || v.some((e) => !e || typeof e !== 'object' || Array.isArray(e)))
        throw new WorkflowError(`${at}: strategy.matrix.${k} must be a list of mappings`)
    const keys = Object.keys(lists)
    let combos: Record<string, unknown>[] = keys.length ? [{}] : []
    for (const [k, values] of Object.entries(lists)) {
      if (!Array.isArray(values)) throw new WorkflowError(`${at}: strategy.matrix.${k} must be a list`)
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })))
    }
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
    const matches = (c: Record<string, unknown>, e: Record<string, unknown>) =>
      Object.entries(e).every(([k, v]) => same(c[k], v))
    combos = combos.filter((c) => !(exclude as Record<string, unknown>[]).some((e) => matches(c, e)))
    const original = combos.length
    for (const inc of include as Record<string, unknown>[]) {
      // Added to every original combination whose original values it does not change; else a combination of its own.
      let added = false
      for (const c of combos.slice(0, original))
        if (Object.entries(inc).every(([k, v]) => !keys.includes(k) || same(c[k], v))) {
          Object.assign(c, inc)
          added = true
        }
      if (!added) combos.push({ ...inc })
    }
    if (combos.length === 0) throw new WorkflowError(`${at}: strategy.matrix has no combination left`)
    return combos
  }

  private async callWorkflow(
    job: ReusableWorkflowJob,
    scope: Scope,
    ctx: Contexts,
    label: string,
  ): Promise<JobResult> {
    const raw = findToken(scope.wf.root, 'jobs', job.id.value)
    const at = `${locationOf(scope.wf.file, findToken(raw, 'uses'), this.workspace)}: job '${job.id.value}'`
    const t = resolveWorkflowUses(job.ref.value, {
      workspace: this.workspace,
      suiteRoot: this.opts.suiteRoot,
    })
    if (t.kind !== 'workflow') throw new WorkflowError(`${at}: cannot resolve '${job.ref.value}'`)
    if (scope.depth >= 4) throw new WorkflowError(`${at}: reusable workflows nest deeper than 4 levels`)
    const called = await this.load(t.file, at)
    const given = job['input-values']
      ? (this.evalAt(scope.wf, job['input-values'], ctx, `jobs.${job.id.value}.with`) as Record<
          string,
          unknown
        >)
      : {}
    const inputs = this.resolveInputs(called, ['workflow_call'], given, at)
    let secrets: Record<string, string> = {}
    if (job['inherit-secrets']) secrets = { ...scope.secrets }
    else if (job['secret-values'])
      secrets = mapText(this.evalAt(scope.wf, job['secret-values'], ctx, `jobs.${job.id.value}.secrets`))
    if (scope.secrets.GITHUB_TOKEN) secrets.GITHUB_TOKEN = scope.secrets.GITHUB_TOKEN
    this.log.info(`↪ job ${label}: calls ${this.show(called.file)}`)
    const r = await this.runJobs({ wf: called, inputs, secrets, prefix: `${label}/`, depth: scope.depth + 1 })
    return { result: r.conclusion, outputs: r.outputs }
  }

  private async runSteps(
    job: Job,
    scope: Scope,
    jobCtx: Contexts,
    workflowEnv: Record<string, string>,
    label: string,
  ): Promise<JobResult> {
    const wf = scope.wf
    const rawJob = findToken(wf.root, 'jobs', job.id.value)
    const jobEnv = { ...workflowEnv, ...this.evalEnv(job.env, jobCtx, `jobs.${job.id.value}.env`) }
    const defaults = {
      ...(evaluatePlain(findToken(wf.root, 'defaults', 'run')) as Record<string, string>),
      ...(evaluatePlain(findToken(rawJob, 'defaults', 'run')) as Record<string, string>),
    }
    const steps: Record<
      string,
      { outputs: Record<string, string>; outcome: StepOutcome; conclusion: StepOutcome }
    > = {}
    const added: Record<string, string> = {}
    const paths: string[] = []
    const posts: PostStep[] = []
    let failed = false
    const jobStatus = (): Status => (failed ? 'failure' : 'success')
    for (const [i, step] of job.steps.entries()) {
      const rawStep = findToken(rawJob, 'steps') as TemplateToken | undefined
      const stepToken = rawStep && isSequence(rawStep) ? rawStep.get(i) : undefined
      const where = this.stepWhere(wf, job.id.value, i, step)
      const env = { ...jobEnv, ...added }
      const base = { ...jobCtx, env, steps, job: { status: jobStatus() }, runner: this.runnerCtx() }
      const stepEnv = { ...env, ...this.evalEnv('env' in step ? step.env : undefined, base, where) }
      const ctx = { ...base, env: stepEnv }
      const name = this.stepName(step, ctx, where)
      const stepIf = 'if' in step && step.if ? step.if : undefined
      if (stepIf && !isTruthy(this.evalOrThrow(stepIf, ctx, where, { status: jobStatus() }))) {
        this.log.info(`⏭ ${name}: skipped`)
        steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' }
        continue
      }
      const continueOnError = isTruthy(
        step['continue-on-error'] === undefined
          ? false
          : typeof step['continue-on-error'] === 'boolean'
            ? step['continue-on-error']
            : this.evalOrThrow(step['continue-on-error'], ctx, where),
      )
      this.log.info(`▶ ${name}`)
      const timeout = Number(
        toText(this.evalTokenOrThrow(findToken(stepToken, 'timeout-minutes'), ctx, where)),
      )
      this.stepTimeoutMs = timeout > 0 ? timeout * 60_000 : undefined
      const files = await this.stepFiles(label, step.id)
      const childEnv = {
        ...this.baseEnv(),
        ...this.runnerEnv,
        ...stepEnv,
        ...files,
        GITHUB_JOB: job.id.value,
        PATH: [...paths]
          .reverse()
          .concat(this.baseEnv().PATH ?? '')
          .join(path.delimiter),
      }
      let exitCode: number
      if ('run' in step) {
        const script = toText(this.evalOrThrow(step.run, ctx, where))
        const shell = plainText(findToken(stepToken, 'shell')) || defaults.shell || ''
        const wd =
          toText(this.evalTokenOrThrow(findToken(stepToken, 'working-directory'), ctx, where)) ||
          defaults['working-directory'] ||
          ''
        exitCode = await this.runScript(
          script,
          shell,
          path.resolve(this.workspace, wd),
          childEnv,
          files,
          where,
        )
      } else if ('uses' in step) {
        const t = resolveStepUses(step.uses.value, {
          workspace: this.workspace,
          suiteRoot: this.opts.suiteRoot,
        })
        if (t.kind === 'noop') {
          this.log.notice(
            `${name}: '${step.uses.value}' does nothing locally (${/^actions\/checkout@/i.test(step.uses.value) ? 'the workspace is used as it is' : 'tools come from this machine'})`,
          )
          exitCode = 0
        } else if (t.kind === 'artifact') {
          const withValues = mapText(this.evalTokenOrThrow(findToken(stepToken, 'with'), ctx, where) ?? {})
          const r = await localArtifactStep(t.op, withValues, this.workspace, this.log)
          exitCode = r.exitCode
          await writeFile(
            files.GITHUB_OUTPUT,
            Object.entries(r.outputs)
              .map(([k, v]) => `${k}=${v}\n`)
              .join(''),
          )
        } else if (t.kind === 'action') {
          const withValues = mapText(this.evalTokenOrThrow(findToken(stepToken, 'with'), ctx, where) ?? {})
          exitCode = await this.runAction(
            t.dir,
            withValues,
            ctx,
            childEnv,
            files,
            where,
            name,
            posts,
            jobStatus,
          )
        } else
          throw new WorkflowError(
            `${where}: ${t.kind === 'unsupported' ? t.reason : 'not supported locally'}`,
          )
      } else throw new WorkflowError(`${where}: this kind of step is not supported locally`)
      const outputs = parseFileCommand(await readFile(files.GITHUB_OUTPUT, 'utf8'))
      Object.assign(added, parseFileCommand(await readFile(files.GITHUB_ENV, 'utf8')))
      paths.push(...parsePathFile(await readFile(files.GITHUB_PATH, 'utf8')))
      await this.collectSummary(files.GITHUB_STEP_SUMMARY)
      const outcome: StepOutcome = exitCode === 0 ? 'success' : 'failure'
      const conclusion: StepOutcome = outcome === 'failure' && continueOnError ? 'success' : outcome
      steps[step.id] = { outputs, outcome, conclusion }
      if (conclusion === 'failure') {
        failed = true
        this.log.error(`${where}: failed with exit code ${exitCode}`)
      } else if (outcome === 'failure')
        this.log.warning(`${where}: failed with exit code ${exitCode} (continue-on-error)`)
    }
    for (const post of posts.reverse()) {
      if (
        !isTruthy(this.evalCondition(post.postIf, { ...jobCtx, steps }, post.label, { status: jobStatus() }))
      )
        continue
      this.log.info(`▶ Post ${post.label}`)
      if ((await post.run()) !== 0) {
        failed = true
        this.log.error(`Post ${post.label}: failed`)
      }
    }
    const outputs: Record<string, string> = {}
    if (!failed && job.outputs)
      Object.assign(
        outputs,
        mapText(
          this.evalAt(
            wf,
            job.outputs,
            { ...jobCtx, steps, runner: this.runnerCtx() },
            `jobs.${job.id.value}.outputs`,
          ),
        ),
      )
    else if (job.outputs) {
      // GitHub still sets the outputs it can; a failing expression must not hide the step's failure.
      try {
        Object.assign(outputs, mapText(evaluateToken(job.outputs, { ...jobCtx, steps })))
      } catch {}
    }
    return { result: failed ? 'failure' : 'success', outputs }
  }

  private async runScript(
    script: string,
    shell: string,
    cwd: string,
    env: NodeJS.ProcessEnv,
    files: StepFiles,
    where: string,
  ): Promise<number> {
    const template = STEP_SHELLS[shell] ?? (shell.includes('{0}') ? shell.split(/\s+/) : undefined)
    if (!template)
      throw new WorkflowError(
        `${where}: shell '${shell}' is not supported locally (bash, sh, python, or a command with {0})`,
      )
    if (!existsSync(cwd))
      throw new WorkflowError(`${where}: working-directory ${this.show(cwd)} does not exist`)
    const file = path.join(path.dirname(files.GITHUB_OUTPUT), shell === 'python' ? 'script.py' : 'script.sh')
    await writeFile(file, script)
    const [cmd, ...args] = template.map((a) => a.replace('{0}', file))
    return (
      await runChild(cmd!, args, {
        cwd,
        env,
        log: this.log,
        masks: this.masks,
        timeoutMs: this.stepTimeoutMs,
      })
    ).exitCode
  }

  private async runAction(
    dir: string,
    given: Record<string, string>,
    ctx: Contexts,
    env: NodeJS.ProcessEnv,
    files: StepFiles,
    where: string,
    name: string,
    posts: PostStep[],
    jobStatus: () => Status,
  ): Promise<number> {
    const meta = readActionMeta(dir)
    if (!/^node\d+$/.test(meta.using) || !meta.main)
      throw new WorkflowError(
        `${where}: '${meta.using}' actions are not supported locally (node actions only)`,
      )
    const main = path.join(dir, meta.main)
    if (!existsSync(main))
      throw new WorkflowError(
        `${where}: ${this.show(main)} is missing; build the action first (npm run build -- ${path.basename(dir)})`,
      )
    for (const k of Object.keys(given))
      if (!(k in meta.inputs))
        this.log.warning(
          `${where}: unexpected input '${k}'; valid inputs are ${Object.keys(meta.inputs).join(', ')}`,
        )
    const inputEnv: Record<string, string> = {}
    for (const [k, spec] of Object.entries(meta.inputs)) {
      const v =
        given[k] ??
        (spec.default === undefined ? '' : interpolate(String(spec.default), ctx, this.evalOpts(jobStatus())))
      inputEnv[inputVar(k)] = v
    }
    for (const [k, v] of Object.entries(given)) inputEnv[inputVar(k)] = v
    const actionEnv = { ...env, ...inputEnv, GITHUB_ACTION_PATH: dir, GITHUB_ACTION: path.basename(dir) }
    const cwd = this.workspace
    const code = (
      await runChild(process.execPath, [main], {
        cwd,
        env: actionEnv,
        log: this.log,
        masks: this.masks,
        timeoutMs: this.stepTimeoutMs,
      })
    ).exitCode
    if (meta.post) {
      const post = path.join(dir, meta.post)
      const stateFile = files.GITHUB_STATE
      posts.push({
        label: name,
        postIf: meta.postIf ?? 'always()',
        run: async () => {
          const state = parseFileCommand(await readFile(stateFile, 'utf8'))
          const postFiles = await this.stepFiles('post', path.basename(dir))
          const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]))
          const r = await runChild(process.execPath, [post], {
            cwd,
            env: { ...actionEnv, ...postFiles, ...stateEnv },
            log: this.log,
            masks: this.masks,
          })
          await this.collectSummary(postFiles.GITHUB_STEP_SUMMARY)
          return r.exitCode
        },
      })
    }
    return code
  }

  private async stepFiles(label: string, stepId: string): Promise<StepFiles> {
    const dir = path.join(
      this.runDir,
      'steps',
      `${String(++this.stepCount).padStart(3, '0')}-${slug(label)}-${slug(stepId)}`,
    )
    await mkdir(dir, { recursive: true })
    const files = {
      GITHUB_OUTPUT: path.join(dir, 'output'),
      GITHUB_ENV: path.join(dir, 'env'),
      GITHUB_PATH: path.join(dir, 'path'),
      GITHUB_STATE: path.join(dir, 'state'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'),
    }
    for (const f of Object.values(files)) await writeFile(f, '')
    return files
  }

  private async collectSummary(file: string | undefined) {
    if (!file) return
    const text = await readFile(file, 'utf8')
    if (text.trim()) await appendFile(this.summaryFile, `${text.trimEnd()}\n\n`)
  }

  private runnerCtx() {
    return {
      os: 'Linux',
      arch: 'X64',
      name: 'mlops-local',
      temp: this.runnerEnv.RUNNER_TEMP,
      tool_cache: this.runnerEnv.RUNNER_TOOL_CACHE,
    }
  }

  private baseEnv(): NodeJS.ProcessEnv {
    const base = this.opts.baseEnv ?? process.env
    return Object.fromEntries(
      Object.entries(base).filter(([k]) => !/^(INPUT_|STATE_|GITHUB_|RUNNER_|MLOPS_SECRET_)/.test(k)),
    )
  }

  private evalOpts(status: Status): EvalOptions {
    return {
      status,
      hashFiles: (patterns) => hashFiles(this.workspace, patterns),
    }
  }

  /** Evaluates a token; a failing expression becomes a `WorkflowError` naming the file, line and key. */
  private evalAt(
    wf: LoadedWorkflow,
    token: TemplateToken,
    ctx: Contexts,
    key: string,
    opts: { status?: Status } = {},
  ) {
    return this.evalTokenOrThrow(
      token,
      ctx,
      `${locationOf(wf.file, token, this.workspace)}: ${key}`,
      opts.status,
    )
  }

  private evalTokenOrThrow(
    token: TemplateToken | undefined,
    ctx: Contexts,
    where: string,
    status: Status = 'success',
  ) {
    if (!token) return undefined
    try {
      return evaluateToken(token, ctx, this.evalOpts(status))
    } catch (e) {
      if (e instanceof ExpressionFailure) throw new WorkflowError(`${where}: ${e.message}`)
      throw e
    }
  }

  private evalOrThrow(token: TemplateToken, ctx: Contexts, where: string, opts: { status?: Status } = {}) {
    return this.evalTokenOrThrow(token, ctx, where, opts.status)
  }

  private evalCondition(expression: string, ctx: Contexts, where: string, opts: { status?: Status } = {}) {
    try {
      const bare = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
      return evaluate(bare, ctx, this.evalOpts(opts.status ?? 'success'))
    } catch (e) {
      if (e instanceof ExpressionFailure) throw new WorkflowError(`${where}: post-if: ${e.message}`)
      throw e
    }
  }

  private evalEnv(token: TemplateToken | undefined, ctx: Contexts, where: string): Record<string, string> {
    return mapText(this.evalTokenOrThrow(token, ctx, where) ?? {})
  }

  private stepName(step: Step, ctx: Contexts, where: string): string {
    if (step.name) return toText(this.evalTokenOrThrow(step.name, ctx, where))
    if ('uses' in step) return `Run ${step.uses.value}`
    if ('run' in step) {
      const text = isBasicExpression(step.run)
        ? (step.run.source ?? step.run.expression)
        : step.run.toString()
      return `Run ${text.trim().split('\n')[0]}`
    }
    return step.id
  }

  /** `file:line:col: job 'j', step 'name'` for a step's messages. */
  private stepWhere(wf: LoadedWorkflow, jobId: string, index: number, step: Step, key?: string): string {
    const steps = findToken(wf.root, 'jobs', jobId, 'steps')
    const raw = steps && isSequence(steps) ? steps.get(index) : undefined
    const at = locationOf(wf.file, key ? (findToken(raw, key) ?? raw) : raw, this.workspace)
    const shown =
      step.name && isString(step.name)
        ? step.name.value
        : step.id.startsWith('__')
          ? `#${index + 1}`
          : step.id
    return `${at}: job '${jobId}', step '${shown}'`
  }
}

interface InputDefinition {
  readonly type: string
  readonly required: boolean
  readonly default?: TemplateToken
  readonly options?: string[]
}

/** `on.<event>.inputs` of the given events, from the raw tokens (the parser's model drops number types and defaults). */
function inputDefinitions(wf: LoadedWorkflow, events: string[]): Record<string, InputDefinition> {
  const out: Record<string, InputDefinition> = {}
  for (const event of events) {
    const inputs = findToken(wf.root, 'on', event, 'inputs')
    if (!inputs || !isMapping(inputs)) continue
    for (const { key, value } of inputs) {
      const spec = (evaluatePlainSafe(value) ?? {}) as Record<string, unknown>
      out[String(key)] = {
        type: String(spec.type ?? 'string'),
        required: spec.required === true,
        default: findToken(value, 'default'),
        options: Array.isArray(spec.options) ? spec.options.map(String) : undefined,
      }
    }
  }
  return out
}

/** Who failed before this job: its needs' results, and any failure further up. */
function needsStatus(job: WorkflowJob, jobs: WorkflowJob[], done: Record<string, JobResult>): Status {
  const ancestors = new Set<string>()
  const visit = (j: WorkflowJob | undefined) => {
    for (const n of j?.needs ?? []) {
      if (ancestors.has(n.value)) continue
      ancestors.add(n.value)
      visit(jobs.find((x) => x.id.value === n.value))
    }
  }
  visit(job)
  const results = [...ancestors].map((a) => done[a]?.result)
  if (results.includes('failure')) return 'failure'
  if (results.includes('cancelled')) return 'cancelled'
  if ((job.needs ?? []).some((n) => done[n.value]?.result !== 'success')) return 'skipped'
  return 'success'
}

function readActionMeta(dir: string): ActionMeta {
  const file = existsSync(path.join(dir, 'action.yml'))
    ? path.join(dir, 'action.yml')
    : path.join(dir, 'action.yaml')
  const doc = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as {
    inputs?: ActionMeta['inputs']
    runs?: { using?: string; main?: string; post?: string; 'post-if'?: string }
  }
  return {
    inputs: doc.inputs ?? {},
    using: String(doc.runs?.using ?? ''),
    main: doc.runs?.main,
    post: doc.runs?.post,
    postIf: doc.runs?.['post-if'],
  }
}

const inputVar = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`

const slug = (s: string) => s.replace(/[^a-zA-Z0-9_.-]+/g, '_').replace(/^_+/, '') || 'step'

function mapText(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object') return {}
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toText(x)]))
}

/** A literal token (no expressions allowed there, such as `shell:` or `defaults.run`) as a plain value. */
function evaluatePlain(token: TemplateToken | undefined): unknown {
  return token ? evaluateToken(token, {}) : {}
}

function plainText(token: TemplateToken | undefined): string {
  return token ? toText(evaluateToken(token, {})) : ''
}

function evaluatePlainSafe(token: TemplateToken): unknown {
  try {
    return evaluateToken(token, {})
  } catch {
    return undefined
  }
}

function prefixed(env: NodeJS.ProcessEnv, prefix: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env))
    if (k.startsWith(prefix) && v !== undefined) out[k.slice(prefix.length)] = v
  return out
}

function gitSha(cwd: string): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim()
  } catch {
    return '0'.repeat(40)
  }
}

/** `hashFiles(patterns)`: SHA-256 over the SHA-256 of each matching file, in path order; '' when none match. */
function hashFiles(workspace: string, patterns: string[]): string {
  const files = globSync(patterns, { cwd: workspace, onlyFiles: true, dot: false }).sort()
  if (files.length === 0) return ''
  const all = createHash('sha256')
  for (const f of files)
    all.update(
      createHash('sha256')
        .update(readFileSync(path.join(workspace, f)))
        .digest(),
    )
  return all.digest('hex')
}
