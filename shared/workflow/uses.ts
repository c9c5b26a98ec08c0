import { existsSync } from 'node:fs'
import path from 'node:path'

/** What a `uses:` names, for a local run. */
export type UsesTarget =
  | { readonly kind: 'action'; readonly dir: string; readonly name: string }
  | { readonly kind: 'noop'; readonly name: string }
  | { readonly kind: 'artifact'; readonly op: 'upload' | 'download' }
  | { readonly kind: 'workflow'; readonly file: string }
  | { readonly kind: 'unsupported'; readonly reason: string }

const SUITE_ACTION = /^[^/\s]+\/mlops-actions\/actions\/([a-z0-9][a-z0-9-]*)@\S+$/i
const SUITE_WORKFLOW = /^[^/\s]+\/mlops-actions\/(\.github\/workflows\/[^@\s]+\.ya?ml)@\S+$/i
const ARTIFACT = /^actions\/(upload|download)-artifact@\S+$/i
const NOOP = /^actions\/(checkout|setup-[a-z0-9-]+)@\S+$/i

/**
 * Maps a step's `uses:` to what runs locally. This suite's actions, at any owner and ref, are the local
 * checkout's bundles; `./path` is the workspace's (falling back to the suite's checkout); `actions/checkout`
 * and `actions/setup-*` are no-ops; anything else is not supported locally.
 */
export function resolveStepUses(uses: string, where: { workspace: string; suiteRoot: string }): UsesTarget {
  const suite = SUITE_ACTION.exec(uses)
  if (suite) return { kind: 'action', dir: path.join(where.suiteRoot, 'actions', suite[1]!), name: uses }
  if (NOOP.test(uses)) return { kind: 'noop', name: uses }
  const artifact = ARTIFACT.exec(uses)
  if (artifact) return { kind: 'artifact', op: artifact[1]!.toLowerCase() as 'upload' | 'download' }
  if (uses.startsWith('./')) {
    for (const base of [where.workspace, where.suiteRoot]) {
      const dir = path.resolve(base, uses)
      if (existsSync(path.join(dir, 'action.yml')) || existsSync(path.join(dir, 'action.yaml')))
        return { kind: 'action', dir, name: uses }
    }
    return {
      kind: 'unsupported',
      reason: `no action.yml found at '${uses}' (looked in the workspace and this checkout)`,
    }
  }
  if (uses.startsWith('docker://'))
    return { kind: 'unsupported', reason: 'container actions are not supported locally' }
  return {
    kind: 'unsupported',
    reason: `'${uses}' is not supported locally: only this suite's actions (OWNER/mlops-actions/actions/<name>@<ref> or ./actions/<name>), local node actions, actions/upload-artifact and download-artifact (to .mlops/artifacts/), and actions/checkout and actions/setup-* (skipped) run`,
  }
}

/** Maps a job's `uses:` (a reusable workflow) to a local file. */
export function resolveWorkflowUses(
  uses: string,
  where: { workspace: string; suiteRoot: string },
): UsesTarget {
  const suite = SUITE_WORKFLOW.exec(uses)
  if (suite) return { kind: 'workflow', file: path.join(where.suiteRoot, suite[1]!) }
  if (uses.startsWith('./')) {
    for (const base of [where.workspace, where.suiteRoot]) {
      const file = path.resolve(base, uses)
      if (existsSync(file)) return { kind: 'workflow', file }
    }
    return {
      kind: 'unsupported',
      reason: `reusable workflow '${uses}' not found in the workspace or this checkout`,
    }
  }
  return {
    kind: 'unsupported',
    reason: `reusable workflow '${uses}' is not supported locally: only ./.github/workflows/<file> and OWNER/mlops-actions/.github/workflows/<file>@<ref> run`,
  }
}
