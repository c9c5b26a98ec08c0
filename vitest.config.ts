import { defineConfig } from 'vitest/config'

// Unit tests (*.test.ts) are fast and in-process; integration tests (*.itg.test.ts) run the committed
// bundles as the runner does and talk to local services. Both run in CI: `npm test`.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // @actions/workflow-parser imports JSON without an import attribute, which Node's ESM loader refuses:
    // let vite transform it (ncc bundles it for the CLI).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/**/*.itg.test.ts'] },
      },
      { extends: true, test: { name: 'integration', include: ['test/**/*.itg.test.ts'] } },
    ],
  },
})
