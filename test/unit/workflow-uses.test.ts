import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { resolveStepUses, resolveWorkflowUses } from '../../shared/workflow/uses.js'
import { ROOT } from '../harness/run-action.js'

let where: { workspace: string; suiteRoot: string }
beforeAll(async () => {
  where = { workspace: await mkdtemp(path.join(tmpdir(), 'uses-')), suiteRoot: ROOT }
})

describe('uses: for a local run', () => {
  it.each([
    ['this suite at any owner and ref', 'octo-org/mlops-actions/actions/report@v1'],
    ['a SHA ref', 'someone/mlops-actions/actions/report@0123456789abcdef0123456789abcdef01234567'],
    ['./actions/<name>, from this checkout when the workspace has none', './actions/report'],
  ])('%s → the local bundle', (_n, uses) => {
    expect(resolveStepUses(uses, where)).toEqual({
      kind: 'action',
      dir: path.join(ROOT, 'actions/report'),
      name: uses,
    })
  })

  it.each(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/setup-python@v5'])(
    '%s is a no-op',
    (uses) => {
      expect(resolveStepUses(uses, where).kind).toBe('noop')
    },
  )

  it.each([
    ['actions/cache@v4', "'actions/cache@v4' is not supported locally"],
    ['docker://alpine:3', 'container actions are not supported locally'],
    ['./actions/nope', "no action.yml found at './actions/nope'"],
    [
      'octo-org/other-repo/actions/report@v1',
      "'octo-org/other-repo/actions/report@v1' is not supported locally",
    ],
  ])('%s is refused', (uses, reason) => {
    const t = resolveStepUses(uses, where)
    expect(t.kind).toBe('unsupported')
    expect(t.kind === 'unsupported' && t.reason).toContain(reason)
  })

  it('runs upload-artifact and download-artifact on local folders', () => {
    expect(resolveStepUses('actions/upload-artifact@v4', where)).toEqual({ kind: 'artifact', op: 'upload' })
    expect(resolveStepUses('actions/download-artifact@0123abc', where)).toEqual({
      kind: 'artifact',
      op: 'download',
    })
  })

  it('maps reusable workflows of this suite to this checkout', () => {
    expect(resolveWorkflowUses('octo-org/mlops-actions/.github/workflows/ml-pipeline.yml@v1', where)).toEqual(
      {
        kind: 'workflow',
        file: path.join(ROOT, '.github/workflows/ml-pipeline.yml'),
      },
    )
    expect(resolveWorkflowUses('./.github/workflows/ci.yml', where)).toEqual({
      kind: 'workflow',
      file: path.join(ROOT, '.github/workflows/ci.yml'),
    })
    expect(resolveWorkflowUses('other/repo/.github/workflows/x.yml@v1', where).kind).toBe('unsupported')
  })
})
