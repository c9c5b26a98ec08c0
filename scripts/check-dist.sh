#!/usr/bin/env bash
# Rebuilds every bundle, fails if the committed dist/ differs (git status, so new and deleted files count),
# then smoke-runs each bundle as the runner would: it must load and end with an `::error::` naming a missing
# input or file, never with a module-loading crash.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
changed=$(git status --porcelain -- 'actions/*/dist' 'cli/dist')
if [ -n "$changed" ]; then
  echo "::error::dist is stale; run 'npm run build' and commit the result:"
  echo "$changed"
  exit 1
fi
node scripts/smoke-dist.mjs
