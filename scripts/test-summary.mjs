#!/usr/bin/env node
// Prints vitest's totals as one plain closing line ("N passed, N failed, N skipped") for CI logs.
import { readFileSync } from 'node:fs'

const r = JSON.parse(readFileSync('.mlops/test-results.json', 'utf8'))
console.log(
  `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
)
if (r.numTotalTests === 0 || r.numFailedTests > 0) process.exit(1)
