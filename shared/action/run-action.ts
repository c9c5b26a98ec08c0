import * as core from '@actions/core'
import { ConfigError, errorMessage } from '../errors.js'

const IS_POST = 'isPost'

/**
 * The one entry point of every action: runs `main`, or `post` in the post step, and turns any failure —
 * including non-Error throws — into exactly one failure line. A config error becomes an annotation on the
 * offending file and line. A post step never fails the job; it warns.
 */
export async function runAction(main: () => Promise<void>, post?: () => Promise<void>): Promise<void> {
  const isPost = core.getState(IS_POST) === 'true'
  if (!isPost) {
    if (post) core.saveState(IS_POST, 'true')
    try {
      await main()
    } catch (e) {
      fail(e)
    }
  } else if (post) {
    try {
      await post()
    } catch (e) {
      core.warning(`Post step: ${errorMessage(e)}`)
    }
  }
}

function fail(e: unknown): void {
  if (e instanceof Error && e.stack) core.debug(e.stack)
  if (e instanceof ConfigError) {
    const { file, line, column } = e.location
    core.error(e.message, {
      title: 'Invalid configuration',
      file,
      ...(line ? { startLine: line } : {}),
      ...(column ? { startColumn: column } : {}),
    })
    process.exitCode = core.ExitCode.Failure
    return
  }
  core.setFailed(errorMessage(e))
}
