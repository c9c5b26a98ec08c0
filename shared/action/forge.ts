import { InputError } from '../errors.js'
import type { Forge } from '../forge/forge.js'
import { parseRepo } from '../github/context.js'
import type { Logger } from '../util/logger.js'

/**
 * The forge for an action run: GitHub, for the repository the workflow runs in. Octokit is imported on
 * first use, so actions that end before talking to GitHub start fast.
 */
export async function githubForge(
  token: string | undefined,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Forge> {
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
