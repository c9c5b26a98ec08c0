// Generates the Inputs/Outputs tables of every action README from its action.yml (between
// `<!-- api-start -->` and `<!-- api-end -->`) and the JSON Schema of mlops.yaml. With --check, changes
// nothing and fails when anything is out of date (CI runs that).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { mlopsConfigSchema } from '../shared/config/mlops-config.js'

const root = path.resolve(import.meta.dirname, '..')
const check = process.argv.includes('--check')
const stale: string[] = []

interface ActionMeta {
  inputs?: Record<
    string,
    { description?: string; default?: string; required?: boolean; deprecationMessage?: string }
  >
  outputs?: Record<string, { description?: string }>
}

const oneLine = (s = '') =>
  s
    .trim()
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
const inputType = (d?: string, desc = '') =>
  d === 'true' || d === 'false'
    ? 'Bool'
    : /^JSON\b/.test(desc)
      ? 'JSON'
      : /\bone per line\b/.test(desc)
        ? 'List'
        : 'String'

export function apiTables(meta: ActionMeta): string {
  const rows = Object.entries(meta.inputs ?? {}).map(([name, i]) => {
    const dflt = i.default === undefined || i.default === '' ? '' : `\`${String(i.default)}\``
    const req = i.required ? '**Required.** ' : ''
    const dep = i.deprecationMessage ? ` *Deprecated: ${oneLine(i.deprecationMessage)}*` : ''
    return `| \`${name}\` | ${inputType(i.default, i.description)} | ${dflt} | ${req}${oneLine(i.description)}${dep} |`
  })
  const outs = Object.entries(meta.outputs ?? {}).map(
    ([name, o]) =>
      `| \`${name}\` | ${/^'?JSON\b/.test(o.description ?? '') ? 'JSON' : 'String'} | ${oneLine(o.description)} |`,
  )
  return [
    '### Inputs',
    '',
    '| name | type | default | description |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '### Outputs',
    '',
    '| name | type | description |',
    '| --- | --- | --- |',
    ...outs,
  ].join('\n')
}

function update(file: string, content: string) {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : ''
  if (old === content) return
  stale.push(path.relative(root, file))
  if (!check) writeFileSync(file, content)
}

for (const name of readdirSync(path.join(root, 'actions'))) {
  const dir = path.join(root, 'actions', name)
  if (!existsSync(path.join(dir, 'action.yml'))) continue
  const meta = parse(readFileSync(path.join(dir, 'action.yml'), 'utf8')) as ActionMeta
  const readme = path.join(dir, 'README.md')
  const text = existsSync(readme)
    ? readFileSync(readme, 'utf8')
    : `# ${name}\n\n<!-- api-start -->\n<!-- api-end -->\n`
  const m = /<!-- api-start -->[\s\S]*?<!-- api-end -->/.exec(text)
  if (!m)
    throw new Error(`${path.relative(root, readme)} has no <!-- api-start --> ... <!-- api-end --> block`)
  update(readme, text.replace(m[0], `<!-- api-start -->\n${apiTables(meta)}\n<!-- api-end -->`))
}

const schema = { ...z.toJSONSchema(mlopsConfigSchema, { io: 'input' }), title: 'mlops.yaml' }
update(path.join(root, 'schemas', 'mlops.schema.json'), `${JSON.stringify(schema, null, 2)}\n`)

if (stale.length) {
  console.log(`${check ? 'Out of date' : 'Updated'}: ${stale.join(', ')}`)
  if (check) {
    console.log("Run 'npm run docs' and commit the result.")
    process.exit(1)
  }
} else console.log('Docs are up to date.')
