import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import type { Logger } from '../util/logger.js'

/**
 * The one Octokit factory: base URL from `GITHUB_API_URL` (GHES and the test stand-in work unchanged),
 * retries for 5xx and network faults only (4xx are the caller's problem; 429 belongs to throttling), and
 * GitHub's best practice of spacing writes, with at most two retries after a rate limit.
 */
export function createOctokit(token: string, log: Logger) {
  return getOctokit(
    token,
    {
      retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
      throttle: {
        onRateLimit: (after: number, opts: { method: string; url: string }, _o: unknown, count: number) => {
          log.warning(
            `GitHub rate limit hit on ${opts.method} ${opts.url}; retrying in ${after}s (try ${count + 1} of 3)`,
          )
          return count < 2
        },
        onSecondaryRateLimit: (
          after: number,
          opts: { method: string; url: string },
          _o: unknown,
          count: number,
        ) => {
          log.warning(
            `GitHub secondary rate limit on ${opts.method} ${opts.url}; retrying in ${after}s (try ${count + 1} of 3)`,
          )
          return count < 2
        },
      },
    },
    retry,
    throttling,
  )
}

export type Octokit = ReturnType<typeof createOctokit>
