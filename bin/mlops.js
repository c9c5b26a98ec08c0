#!/usr/bin/env node
// The `mlops` command: the bundled CLI (cli/dist), built from cli/src with the same core as the actions.
import '../cli/dist/index.js'
