import path from 'node:path'
import { InputError } from '../errors.js'
import type { Forge } from '../forge/forge.js'
import { parseRepo } from '../github/context.js'
import type { Logger } from '../util/logger.js'

/**
 * The forge for an action run: GitHub, for the repository the workflow runs in. Octokit is imported on
 * first use, so actions that end before talking to GitHub start fast.
 *
 * Under `mlops run` (MLOPS_LOCAL_RUN=true) without a GITHUB_API_URL, the run is fully local: the forge is the
 * local outbox (`.mlops/outbox/` in the workspace), as for every other `mlops` command.
 */
export async function githubForge(
  token: string | undefined,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Forge> {
  if (env.MLOPS_LOCAL_RUN === 'true' && !env.GITHUB_API_URL) {
    const { LocalForge } = await import('../forge/local-forge.js')
    log.info('Local run: comments, issues, releases and deployments go to .mlops/outbox/')
    return new LocalForge(path.join(env.GITHUB_WORKSPACE || process.cwd(), '.mlops', 'outbox'))
  }
  if (!token) {
    throw new InputError(
      'github-token',
      'is empty',
      "Pass 'github-token: ${{ github.token }}' (the default) or a token with access to the repository",
    )
  }
  const repo = parseRepo(env.GITHUB_REPOSITORY ?? '')
  if (!repo)
    throw new Error("GITHUB_REPOSITORY is not set to 'owner/repo'; is this running in GitHub Actions?")
  const [{ GitHubForge }, { createOctokit }] = await Promise.all([
    import('../forge/github-forge.js'),
    import('../github/octokit.js'),
  ])
  return new GitHubForge(createOctokit(token, log), repo)
}
